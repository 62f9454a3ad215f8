/**
 * Time (`docs/behaviour.md#time`): lifetimes count from when the request was sent, on the monotonic clock, so a step
 * of the wall clock neither keeps a token past its lifetime nor drops one early; `issuedAt` and `expiresAt` are
 * wall-clock times, for reading.
 *
 * @since 0.1.0
 */
import * as Kit from "./internal/kit.js"
import type { Suite } from "./TestApi.js"

const hour = 3_600_000

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("time", () => {
    it("wall clock stepped back an hour: a five-second token is still given up at its hard expiry", () =>
      Kit.withScripted(line, { fallback: Kit.token("short", { expires_in: 5 }) }, async (net) => {
        net.script(Kit.token("first", { expires_in: 5 }))
        const service = await net.service(Kit.optionsWith({ refreshAhead: false }))
        assert.strictEqual(await Kit.valueOf(service.get()), "first")
        net.stepWallClock(-hour)
        // five seconds of life, half of it leeway: given up 2.5 s after it was sent
        await net.advance(2499)
        assert.strictEqual(await Kit.valueOf(service.get()), "first")
        await net.advance(1)
        assert.strictEqual(await Kit.valueOf(service.get()), "short")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("wall clock stepped forward an hour: a one-hour token is not given up early, and says when it was issued", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ refreshAhead: false }))
        const token = await Kit.tokenOf(service.get())
        net.stepWallClock(hour)
        await net.advance(60_000)
        assert.strictEqual(await Kit.valueOf(service.get()), token.value)
        assert.strictEqual(net.requests().length, 1)
        // what users read stays on the wall clock: the token says when it was issued, as the wall clock read then
        assert.strictEqual(token.issuedAt, 0)
        assert.strictEqual(token.expiresAt, hour)
        // a token fetched now reads the stepped wall clock
        await Kit.valueOf(service.get({ scopes: ["later"] }))
        const later = await Kit.tokenOf(service.get({ scopes: ["later"] }))
        assert.strictEqual(later.issuedAt, hour + 60_000)
      }))

    it("a failure is remembered for its cool-down, not for the hour the wall clock went back", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.oauthError("invalid_client", 401))
        const service = await net.service(Kit.options)
        await Kit.errorOf(service.get())
        net.stepWallClock(-hour)
        await net.advance(5001)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
      }))

    it("the lifetime counts from when the request was sent: a slow answer shortens the cache life", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.delayed(100_000, Kit.token("slow", { expires_in: 3600 })))
        const service = await net.service(Kit.optionsWith({ refreshAhead: false, requestTimeout: 300_000 }))
        const call = service.get()
        await net.advance(100_000)
        const token = await Kit.tokenOf(call)
        assert.strictEqual(token.value, "slow")
        assert.strictEqual(net.requests().length, 1)
        assert.strictEqual(token.issuedAt, 0)
        assert.strictEqual(token.expiresAt, 3_600_000)
        // hard expiry: sent at 0 + 3600 s − 60 s, not received at 100 s + 3600 s − 60 s
        await Kit.setTime(net, 3_539_999)
        assert.strictEqual(await Kit.valueOf(service.get()), "slow")
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, 3_540_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("expires_in may be a number or a numeric string (\"3600\", as Azure AD v1 sends)", () =>
      Kit.withScripted(line, {}, async (net) => {
        const cases = [[3600, 3_600_000], ["3600", 3_600_000], [" 90 ", 90_000], [1.5, 1500]] as const
        for (const [expiresIn, millis] of cases) {
          net.script(Kit.token("abc", { expires_in: expiresIn }))
          const service = await net.service(Kit.options)
          const token = await Kit.tokenOf(service.get())
          assert.strictEqual(token.issuedAt, 0)
          assert.strictEqual(token.expiresAt, millis, `${expiresIn}`)
        }
      }))

    it("a string expires_in drives the cache lifetime", () =>
      Kit.withScripted(line, { fallback: Kit.token(undefined, { expires_in: "600" }) }, async (net) => {
        const service = await net.service(Kit.optionsWith({ refreshAhead: false }))
        assert.strictEqual(await Kit.valueOf(service.get()), "token-1")
        // hard expiry: 600 s − the 60 s leeway
        await Kit.setTime(net, 539_999)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-1")
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, 540_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("a missing expires_in means defaultLifetime (5 minutes unless set), and the token is cached for it", () =>
      Kit.withScripted(line, {}, async (net) => {
        for (const expiresIn of [undefined, null]) {
          net.script(Kit.token("abc", { expires_in: expiresIn }))
          const service = await net.service(Kit.optionsWith({ defaultLifetime: 600_000 }))
          assert.strictEqual((await Kit.tokenOf(service.get())).expiresAt, 600_000)
        }
        net.script(Kit.token("abc", { expires_in: undefined }))
        const byDefault = await net.service(Kit.options)
        assert.strictEqual((await Kit.tokenOf(byDefault.get())).expiresAt, 300_000)

        net.script(Kit.token("kept", { expires_in: undefined }))
        const service = await net.service(Kit.optionsWith({ defaultLifetime: 600_000, refreshAhead: false }))
        await Kit.valueOf(service.get())
        const before = net.requests().length
        await Kit.setTime(net, 539_999)
        assert.strictEqual(await Kit.valueOf(service.get()), "kept")
        assert.strictEqual(net.requests().length, before)
      }))

    it("a lifetime of exactly 1 second is a token; above 366 days it is cut to 366 days", () =>
      Kit.withScripted(line, {}, async (net) => {
        for (const expiresIn of [1, "1", 1.0]) {
          net.script(Kit.token("short", { expires_in: expiresIn }))
          const service = await net.service(Kit.options)
          assert.strictEqual((await Kit.tokenOf(service.get())).expiresAt, 1000, `${expiresIn}`)
        }
        const days366 = 366 * 24 * 3_600_000
        net.script(Kit.token("long", { expires_in: 10 * 366 * 24 * 3600 }))
        const service = await net.service(Kit.optionsWith({ refreshAhead: false, expiryLeeway: 0 }))
        const long = await Kit.tokenOf(service.get())
        assert.strictEqual(long.value, "long")
        const before = net.requests().length
        await Kit.setTime(net, days366 - 1)
        assert.strictEqual(await Kit.valueOf(service.get()), "long")
        await Kit.setTime(net, days366)
        assert.notStrictEqual(await Kit.valueOf(service.get()), "long")
        assert.strictEqual(net.requests().length, before + 1)
      }))
  })
}
