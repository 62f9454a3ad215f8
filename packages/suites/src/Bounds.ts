/**
 * Bounds (`docs/behaviour.md#bounds`), whatever the servers do: at most `cacheCapacity` requests besides the configured
 * one, the least recently used dropped first and never one whose fetch is in flight; a background refresh that ends
 * at its token's hard expiry, whatever the retry schedule; answers that retrying now will not change answered from
 * memory. (The body limit, the token syntax and lifetimes are in `TokenEndpointAnswers` and `Time`; rejections in
 * `RejectedTokens` and `ApiClient`.)
 *
 * @since 0.1.0
 */
import * as Kit from "./internal/kit.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

/** Answers with `<n>:<scope>`, n counting its answers. */
const byScope = (): (request: Line.RecordedRequest) => Line.Answer => {
  let count = 0
  return (request) => Kit.token(`${++count}:${Kit.form(request).get("scope") ?? ""}`)
}

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("bounds: the cache", () => {
    it("cacheCapacity bounds the distinct requests kept", () =>
      Kit.withScripted(line, { fallback: byScope() }, async (net) => {
        const service = await net.service(Kit.optionsWith({ cacheCapacity: 2 }))
        for (const scope of ["a", "b", "c"]) await Kit.valueOf(service.get({ scopes: [scope] }))
        assert.strictEqual(net.requests().length, 3)
        // the two newest are kept, the oldest was dropped
        assert.strictEqual(await Kit.valueOf(service.get({ scopes: ["c"] })), "3:c")
        assert.strictEqual(await Kit.valueOf(service.get({ scopes: ["b"] })), "2:b")
        assert.strictEqual(net.requests().length, 3)
        assert.strictEqual(await Kit.valueOf(service.get({ scopes: ["a"] })), "4:a")
      }))

    it("drops the least recently used request first", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ cacheCapacity: 3 }))
        const request = (name: string) => Kit.valueOf(service.get({ scopes: [name] }))
        for (let round = 0; round < 20; round++) {
          // a, b, c fill the cache; a is used again; d pushes out the least recently used: b
          for (const name of ["a", "b", "c", "a", "d"]) await request(`${round}${name}`)
          const before = net.requests().length
          for (const name of ["a", "c", "d"]) await request(`${round}${name}`)
          assert.strictEqual(net.requests().length, before, `round ${round}: a live request was dropped`)
          await request(`${round}b`)
          assert.strictEqual(net.requests().length, before + 1)
        }
      }))

    it("a request whose fetch is in flight is not dropped to make room: its callers still share one fetch", () =>
      Kit.withScripted(line, {
        fallback: ((answer) => (request: Line.RecordedRequest) => Kit.delayed(1000, answer(request)))(byScope())
      }, async (net) => {
        const service = await net.service(Kit.optionsWith({ cacheCapacity: 1 }))
        const first = service.get({ scopes: ["a"] })
        await first.poll()
        const other = service.get({ scopes: ["b"] })
        await other.poll()
        const again = service.get({ scopes: ["a"] })
        await net.advance(1000)
        assert.strictEqual(await Kit.valueOf(first), await Kit.valueOf(again))
        await Kit.valueOf(other)
        assert.deepStrictEqual(net.requests().map((request) => Kit.form(request).get("scope")), ["a", "b"])
      }))

    it("the configured token is never evicted: past its refresh point it is served at once and refreshed", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ cacheCapacity: 1, refreshAhead: 0.5 }))
        const configured = await Kit.valueOf(service.get())
        // two other requests fill a cache of one, which does not count the configured request
        await Kit.valueOf(service.get({ scopes: ["a"] }))
        await Kit.valueOf(service.get({ scopes: ["b"] }))
        const requestsBefore = net.requests().length
        net.script(Kit.delayed(10_000, Kit.token("renewed")))
        await Kit.setTime(net, 2_000_000)
        const served = await service.get().poll()
        assert.isDefined(served, "the caller waited for the token endpoint")
        assert.strictEqual(Kit.succeeded(served).value, configured)
        assert.strictEqual(net.requests().length, requestsBefore + 1)
        await net.advance(10_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "renewed")
      }))
  })

  describe("bounds: work and requests", () => {
    it("a background refresh ends at the token's hard expiry, whatever the retry schedule", () =>
      Kit.withScripted(line, { random: 0, fallback: Kit.respond(503) }, async (net) => {
        net.script(Kit.token("old", { expires_in: 120 }))
        const service = await net.service(Kit.optionsWith({ retry: { spacedMillis: 1000 } }))
        await Kit.valueOf(service.get())
        // a 120 s token with no jitter: leeway 60 s, hard expiry at 60 s, refresh point at 48 s
        await Kit.setTime(net, 48_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "old")
        await Kit.setTime(net, 60_000)
        const requestsAtExpiry = net.requests().length
        assert.isAtLeast(requestsAtExpiry, 12)
        await net.advance(3_600_000)
        assert.isAtMost(net.requests().length, requestsAtExpiry + 1)
      }))

    it("10 calls against a wrong tokenUrl (404) send 1 request", () =>
      Kit.withScripted(line, { fallback: Kit.respond(404, "not found") }, async (net) => {
        const service = await net.service(Kit.options)
        for (let i = 0; i < 10; i++) assert.strictEqual((await Kit.errorOf(service.get())).reason, "InvalidResponse")
        assert.strictEqual(net.requests().length, 1)
      }))

    it("an answer that will not change costs one request a second at most; invalid_client one per cool-down", () =>
      Kit.withScripted(line, {
        fallback: (request) =>
          Kit.form(request).get("scope") === "grant"
            ? Kit.oauthError("invalid_grant")
            : Kit.oauthError("invalid_client", 401)
      }, async (net) => {
        const service = await net.service(Kit.options)
        const count = (scope: string) =>
          net.requests().filter((request) => Kit.form(request).get("scope") === scope).length
        for (let t = 0; t < 10_000; t += 100) {
          await Kit.setTime(net, t)
          await Kit.errorOf(service.get({ scopes: ["grant"] }))
          await Kit.errorOf(service.get({ scopes: ["client"] }))
        }
        assert.strictEqual(count("grant"), 10)
        assert.strictEqual(count("client"), 2)
      }))
  })
}
