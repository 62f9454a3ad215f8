/**
 * Single flight (`docs/behaviour.md#single-flight`): one fetch per request for any number of callers, retries
 * included; a caller that is interrupted or times out stops waiting at once, and the fetch goes on for the others
 * until the last of them leaves.
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
  describe("single flight", () => {
    it("1,000 concurrent get on a cold key make exactly one request", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.delayed(1000, Kit.token("shared")))
        const service = await net.service(Kit.options)
        const calls = Array.from({ length: 1000 }, () => service.get())
        await calls[0]!.poll()
        assert.strictEqual(net.requests().length, 1)
        await net.advance(1000)
        const values = await Promise.all(calls.map(Kit.valueOf))
        assert.strictEqual(values.length, 1000)
        assert.deepStrictEqual(Kit.distinct(values), ["shared"])
        assert.strictEqual(net.requests().length, 1)
      }))

    it("1,000 concurrent requests in either scope order on a cold key make exactly one request", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        const calls = Array.from(
          { length: 1000 },
          (_, i) => service.get({ scopes: i % 2 === 0 ? ["x", "y"] : ["y", "x"] })
        )
        const values = await Promise.all(calls.map(Kit.valueOf))
        assert.deepStrictEqual(Kit.distinct(values), ["token-1"])
        assert.strictEqual(net.requests().length, 1)
      }))

    it("the callers share the fetch with its retries", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.respond(503), Kit.transportError())
        const service = await net.service(Kit.optionsWith({ retry: { spacedMillis: 1000 } }))
        const calls = Array.from({ length: 100 }, () => service.get())
        await net.advance(2000)
        const values = await Promise.all(calls.map(Kit.valueOf))
        assert.deepStrictEqual(Kit.distinct(values), ["token-3"])
        assert.strictEqual(net.requests().length, 3)
      }))

    it("an interrupted caller is released at once and does not stop the fetch for the others", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.delayed(10_000, Kit.token("shared")))
        const service = await net.service(Kit.options)
        const first = service.get()
        await first.poll()
        const others = Array.from({ length: 10 }, () => service.get())
        await others[0]!.poll()
        assert.strictEqual(net.requests().length, 1)
        // no clock time passes: the interruption does not wait for the fetch
        await first.interrupt()
        assert.strictEqual((await first.outcome)._tag, "Interrupted")
        assert.isUndefined(await others[0]!.poll())
        await net.advance(10_000)
        assert.deepStrictEqual(Kit.distinct(await Promise.all(others.map(Kit.valueOf))), ["shared"])
        assert.strictEqual(await Kit.valueOf(service.get()), "shared")
        assert.strictEqual(net.requests().length, 1)
      }))

    it("when the last caller waiting for a fetch leaves, the fetch stops and the next caller starts another", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.hang)
        const service = await net.service(Kit.options)
        const first = service.get()
        const second = service.get()
        await first.poll()
        await first.interrupt()
        await second.poll()
        assert.strictEqual(net.abandoned(), 0, "a caller still waits")
        await second.interrupt()
        await second.poll()
        assert.strictEqual(net.abandoned(), 1, "no caller waits: the request is abandoned")
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("a caller that leaves after a second is released then; the others get the token", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.delayed(10_000, Kit.token("shared")))
        const service = await net.service(Kit.options)
        const impatient = service.get()
        await impatient.poll()
        const patient = service.get({})
        await net.advance(1000)
        await impatient.interrupt()
        assert.strictEqual((await impatient.outcome)._tag, "Interrupted")
        assert.isUndefined(await patient.poll())
        await net.advance(9000)
        assert.strictEqual(await Kit.valueOf(patient), "shared")
        assert.strictEqual(net.requests().length, 1)
      }))
  })
}
