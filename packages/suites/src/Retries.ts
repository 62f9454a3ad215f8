/**
 * Retries and Retry-After (`docs/behaviour.md#retries-and-retry-after`): the default schedule (jittered exponential from
 * 200 ms, at most 3 retries), `Retry-After` in seconds or as an HTTP date in any of RFC 9110's three forms, capped at
 * 60 s and never shortening a wait, a schedule that replaces the default, and a timeout per attempt that covers reading
 * the answer. A random of 0.5 makes the jitter factor exactly 1, so the default waits are 200, 400 and 800 ms.
 *
 * @since 0.1.0
 */
import * as Kit from "./internal/kit.js"
import type { Suite } from "./TestApi.js"

const noJitter = { random: 0.5 }

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("retries and Retry-After", () => {
    it("the default schedule: exponential from 200 ms, at most 3 retries", () =>
      Kit.withScripted(line, { ...noJitter, fallback: Kit.respond(503) }, async (net) => {
        const service = await net.service(Kit.options)
        const call = service.get()
        await net.advance(60_000)
        const error = await Kit.errorOf(call)
        assert.strictEqual(error.tag, "NetworkError")
        assert.strictEqual(error.reason, "ServerError")
        assert.deepStrictEqual(Kit.times(net), [0, 200, 600, 1400])
      }))

    it("the default schedule is jittered, within ±20 %", () =>
      Kit.withScripted(line, { fallback: Kit.respond(503) }, async (net) => {
        const service = await net.service(Kit.options)
        const call = service.get()
        await net.advance(60_000)
        await Kit.errorOf(call)
        const times = Kit.times(net)
        assert.strictEqual(times.length, 4)
        const waits = times.slice(1).map((at, i) => at - times[i]!)
        for (const [i, wait] of waits.entries()) {
          assert.isAtLeast(wait, 200 * 2 ** i * 0.8)
          assert.isAtMost(wait, 200 * 2 ** i * 1.2)
        }
      }))

    it("a retry that succeeds ends the retries", () =>
      Kit.withScripted(line, noJitter, async (net) => {
        net.script(Kit.respond(503), Kit.respond(502))
        const service = await net.service(Kit.options)
        const call = service.get()
        await net.advance(10_000)
        assert.strictEqual(await Kit.valueOf(call), "token-3")
        assert.deepStrictEqual(Kit.times(net), [0, 200, 600])
      }))

    for (const status of [503, 429]) {
      it(`Retry-After in seconds on a ${status}: the retry does not happen before it`, () =>
        Kit.withScripted(line, noJitter, async (net) => {
          net.script(Kit.respond(status, undefined, { "retry-after": "5" }))
          const service = await net.service(Kit.options)
          const call = service.get()
          await Kit.setTime(net, 4999)
          assert.strictEqual(net.requests().length, 1)
          await Kit.setTime(net, 5000)
          assert.strictEqual(await Kit.valueOf(call), "token-2")
          assert.deepStrictEqual(Kit.times(net), [0, 5000])
        }))
    }

    // the test clock starts at the epoch: each form names 10 s after it
    const dates = [
      ["IMF-fixdate", new Date(10_000).toUTCString()],
      ["RFC 850", "Thursday, 01-Jan-70 00:00:10 GMT"],
      ["asctime", "Thu Jan  1 00:00:10 1970"]
    ] as const
    for (const [form, date] of dates) {
      it(`Retry-After as an HTTP date, ${form}, read in UTC`, () =>
        Kit.withScripted(line, noJitter, async (net) => {
          net.script(Kit.respond(503, undefined, { "retry-after": date }))
          const service = await net.service(Kit.options)
          const call = service.get()
          await Kit.setTime(net, 9999)
          assert.strictEqual(net.requests().length, 1)
          await Kit.setTime(net, 10_000)
          assert.strictEqual(await Kit.valueOf(call), "token-2")
          assert.deepStrictEqual(Kit.times(net), [0, 10_000])
        }))
    }

    it("a Retry-After that is neither seconds nor a date is ignored", () =>
      Kit.withScripted(line, noJitter, async (net) => {
        net.script(Kit.respond(503, undefined, { "retry-after": "soon" }))
        const service = await net.service(Kit.options)
        const call = service.get()
        await net.advance(1000)
        assert.strictEqual(await Kit.valueOf(call), "token-2")
        assert.deepStrictEqual(Kit.times(net), [0, 200])
      }))

    for (const retryAfter of ["3600", new Date(86_400_000).toUTCString()]) {
      it(`Retry-After ${retryAfter} is capped at 60 s`, () =>
        Kit.withScripted(line, noJitter, async (net) => {
          net.script(Kit.respond(429, undefined, { "retry-after": retryAfter }))
          const service = await net.service(Kit.options)
          const call = service.get()
          await Kit.setTime(net, 59_999)
          assert.strictEqual(net.requests().length, 1)
          await Kit.setTime(net, 60_000)
          assert.strictEqual(await Kit.valueOf(call), "token-2")
          assert.deepStrictEqual(Kit.times(net), [0, 60_000])
        }))
    }

    it("the error carries Retry-After, capped", () =>
      Kit.withScripted(line, {}, async (net) => {
        for (const [header, millis] of [["7", 7000], ["3600", 60_000]] as const) {
          net.script(Kit.respond(429, undefined, { "retry-after": header }))
          const service = await net.service(Kit.optionsWith({ retry: { times: 0 } }))
          const error = await Kit.errorOf(service.get())
          assert.strictEqual(error.tag, "NetworkError")
          assert.strictEqual(error.reason, "RateLimited")
          assert.strictEqual(error.fields.retryAfter, millis)
        }
      }))

    it("the schedule's delay wins when it is longer than Retry-After", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.respond(503, undefined, { "retry-after": "1" }))
        const service = await net.service(Kit.optionsWith({ retry: { spacedMillis: 10_000 } }))
        const call = service.get()
        await Kit.setTime(net, 10_000)
        await Kit.valueOf(call)
        assert.deepStrictEqual(Kit.times(net), [0, 10_000])
      }))

    it("a custom schedule replaces the default", () =>
      Kit.withScripted(line, { fallback: Kit.respond(503) }, async (net) => {
        const service = await net.service(Kit.optionsWith({ retry: { spacedMillis: 10_000, times: 5 } }))
        const call = service.get()
        await Kit.setTime(net, 100_000)
        assert.strictEqual((await Kit.errorOf(call)).reason, "ServerError")
        assert.deepStrictEqual(Kit.times(net), [0, 10_000, 20_000, 30_000, 40_000, 50_000])
      }))

    it("a schedule of no retries sends once", () =>
      Kit.withScripted(line, { fallback: Kit.respond(503) }, async (net) => {
        const service = await net.service(Kit.optionsWith({ retry: { times: 0 } }))
        await Kit.errorOf(service.get())
        assert.strictEqual(net.requests().length, 1)
      }))

    it("only NetworkErrors that may pass are retried, whatever the schedule", () =>
      Kit.withScripted(line, {}, async (net) => {
        const answers = [Kit.respond(501), Kit.respond(200, "<html>"), Kit.oauthError("invalid_grant")]
        for (const answer of answers) {
          const before = net.requests().length
          net.script(answer)
          const service = await net.service(Kit.optionsWith({ retry: { times: 5 } }))
          await Kit.errorOf(service.get())
          assert.strictEqual(net.requests().length, before + 1)
        }
      }))

    it("a hung endpoint ends in NetworkError Timeout once the retries are spent", () =>
      Kit.withScripted(line, { ...noJitter, fallback: Kit.hang }, async (net) => {
        const service = await net.service(Kit.optionsWith({ requestTimeout: 1000 }))
        const call = service.get()
        // attempts at 0, 1.2 s, 2.6 s and 4.4 s, each given 1 s
        await Kit.setTime(net, 5399)
        assert.isUndefined(await call.poll())
        await Kit.setTime(net, 5400)
        const error = await Kit.errorOf(call)
        assert.strictEqual(error.tag, "NetworkError")
        assert.strictEqual(error.reason, "Timeout")
        assert.deepStrictEqual(Kit.times(net), [0, 1200, 2600, 4400])
        assert.strictEqual(net.abandoned(), 4)
      }))

    it("the default requestTimeout is 30 s", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.hang)
        const service = await net.service(Kit.optionsWith({ retry: { times: 1 } }))
        const call = service.get()
        await Kit.setTime(net, 29_999)
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, 30_000)
        assert.strictEqual(await Kit.valueOf(call), "token-2")
      }))

    it("each attempt gets its own timeout", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.hang, Kit.hang, Kit.delayed(900, Kit.token("third")))
        const service = await net.service(Kit.optionsWith({ requestTimeout: 1000, retry: { times: 3 } }))
        const call = service.get()
        await Kit.setTime(net, 2900)
        assert.strictEqual(await Kit.valueOf(call), "third")
        assert.deepStrictEqual(Kit.times(net), [0, 1000, 2000])
      }))

    it("the timeout covers reading the body", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.respond(200, () => new ReadableStream({ pull: () => new Promise(() => {}) })))
        const service = await net.service(Kit.optionsWith({ requestTimeout: 1000, retry: { times: 1 } }))
        const call = service.get()
        await Kit.setTime(net, 1000)
        assert.strictEqual(await Kit.valueOf(call), "token-2")
      }))

    it("a transient failure is never kept: the next call, at the same instant, fetches again", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.respond(503), Kit.transportError(), Kit.respond(429))
        const service = await net.service(Kit.optionsWith({ retry: { times: 0 } }))
        const reasons = []
        for (let i = 0; i < 3; i++) reasons.push((await Kit.errorOf(service.get())).reason)
        assert.deepStrictEqual(reasons, ["ServerError", "Transport", "RateLimited"])
        assert.strictEqual(await Kit.valueOf(service.get()), "token-4")
        assert.strictEqual(net.requests().length, 4)
      }))
  })
}
