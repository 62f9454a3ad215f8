/**
 * How long a call can wait (`docs/behaviour.md#how-long-a-call-can-wait`): each attempt is bounded by
 * `requestTimeout` and each wait between attempts by the schedule, lengthened by a `Retry-After` of at most 60 s —
 * with the defaults, 5 minutes at most when the server hangs and then asks to be left alone — and a fetch stops when
 * its last caller leaves, whatever the schedule says.
 *
 * @since 0.1.0
 */
import * as Kit from "./internal/kit.js"
import type { Suite } from "./TestApi.js"

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("how long a call can wait", () => {
    it("with the defaults, a server that answers each attempt just before the timeout asking for an hour: 5 minutes", () =>
      Kit.withScripted(line, {
        fallback: Kit.delayed(29_999, Kit.respond(503, undefined, { "retry-after": "3600" }))
      }, async (net) => {
        const service = await net.service(Kit.options)
        const call = service.get()
        // 4 attempts of 29.999 s, and 3 waits of 60 s
        await Kit.setTime(net, 4 * 29_999 + 3 * 60_000 - 1)
        assert.isUndefined(await call.poll())
        await net.advance(1)
        const error = await Kit.errorOf(call)
        assert.strictEqual(error.reason, "ServerError")
        assert.deepStrictEqual(Kit.times(net), [0, 89_999, 179_998, 269_997])
        assert.isAtMost(net.now(), 300_000)
      }))

    it("with the defaults, a server that never answers: 4 attempts of 30 s", () =>
      Kit.withScripted(line, { random: 0.5, fallback: Kit.hang }, async (net) => {
        const service = await net.service(Kit.options)
        const call = service.get()
        await Kit.setTime(net, 121_399)
        assert.isUndefined(await call.poll())
        await net.advance(1)
        assert.strictEqual((await Kit.errorOf(call)).reason, "Timeout")
        assert.deepStrictEqual(Kit.times(net), [0, 30_200, 60_600, 91_400])
      }))

    it("a shared fetch stops when its only caller leaves, whatever the retry schedule", () =>
      Kit.withScripted(line, { fallback: Kit.respond(503) }, async (net) => {
        const service = await net.service(Kit.optionsWith({ retry: { spacedMillis: 50 } }))
        const call = service.get()
        await net.advance(500)
        await call.interrupt()
        const requestsWhenLeft = net.requests().length
        assert.isAtLeast(requestsWhenLeft, 10)
        await net.advance(2000)
        assert.isAtMost(net.requests().length, requestsWhenLeft + 1)
      }))

    it("20 abandoned requests stop at once", () =>
      Kit.withScripted(line, { fallback: Kit.respond(503) }, async (net) => {
        const service = await net.service(Kit.optionsWith({ retry: { spacedMillis: 50 } }))
        const calls = Array.from({ length: 20 }, (_, i) => service.get({ scopes: [`k${i}`] }))
        await net.advance(100)
        for (const call of calls) await call.interrupt()
        const requestsWhenLeft = net.requests().length
        await net.advance(10_000)
        assert.isAtMost(net.requests().length, requestsWhenLeft + 20)
      }))

    it("a caller that leaves while others wait does not stop the fetch; the last one to leave does", () =>
      Kit.withScripted(line, { fallback: Kit.respond(503) }, async (net) => {
        const service = await net.service(Kit.optionsWith({ retry: { spacedMillis: 1000 } }))
        const first = service.get()
        const second = service.get()
        await net.advance(2500)
        await first.interrupt()
        await net.advance(2000)
        assert.strictEqual(net.requests().length, 5, "the fetch went on for the second caller")
        await second.interrupt()
        await net.advance(10_000)
        assert.isAtMost(net.requests().length, 6)
      }))
  })
}
