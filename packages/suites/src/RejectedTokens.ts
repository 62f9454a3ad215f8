/**
 * Rejected tokens (`docs/behaviour.md#rejected-tokens`): `invalidate(token)` drops the entry holding that token, and
 * only while it holds it; a token from elsewhere changes nothing; callers rejecting the same token together cause one
 * new fetch. A token fetched to replace a rejected one is kept through further rejections for `terminalErrorCooldown`.
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
  describe("rejected tokens", () => {
    it("invalidate drops the entry that holds the token, and only while it holds it", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        const old = await Kit.valueOf(service.get())
        await service.invalidate(old)
        const fresh = await Kit.valueOf(service.get())
        assert.strictEqual(fresh, "token-2")
        // the entry now holds another token: invalidating the old one again changes nothing
        await service.invalidate(old)
        assert.strictEqual(await Kit.valueOf(service.get()), fresh)
        assert.strictEqual(net.requests().length, 2)

        // the same for the entry of another request
        const request = { scopes: ["other"] }
        const oldOther = await Kit.valueOf(service.get(request))
        await service.invalidate(oldOther)
        const freshOther = await Kit.valueOf(service.get(request))
        assert.strictEqual(freshOther, "token-4")
        await service.invalidate(oldOther)
        await service.invalidate(old)
        assert.strictEqual(await Kit.valueOf(service.get(request)), freshOther)
        assert.strictEqual(net.requests().length, 4)
      }))

    it("tokens this service did not issue are ignored", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        const token = await Kit.valueOf(service.get())
        const other = await Kit.valueOf(service.get({ scopes: ["other"] }))
        await service.invalidate("not-ours")
        assert.strictEqual(await Kit.valueOf(service.get()), token)
        assert.strictEqual(await Kit.valueOf(service.get({ scopes: ["other"] })), other)
        assert.strictEqual(net.requests().length, 2)
      }))

    it("drops the entry of another request and leaves the others", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        const configured = await Kit.valueOf(service.get())
        const other = await Kit.valueOf(service.get({ scopes: ["other"] }))
        await service.invalidate(other)
        assert.strictEqual(await Kit.valueOf(service.get({ scopes: ["other"] })), "token-3")
        assert.strictEqual(await Kit.valueOf(service.get()), configured)
        assert.strictEqual(net.requests().length, 3)
      }))

    it("50 callers rejecting the same token cause one new fetch", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        const old = await Kit.valueOf(service.get())
        const values = await Promise.all(Array.from({ length: 50 }, async () => {
          await service.invalidate(old)
          return Kit.valueOf(service.get())
        }))
        assert.deepStrictEqual(Kit.distinct(values), ["token-2"])
        assert.strictEqual(net.requests().length, 2)
      }))

    it("50 callers rejecting the same token, before and after the new one arrives, cause one new fetch", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        for (const request of [{}, { scopes: ["other"] }]) {
          const before = net.requests().length
          const old = await Kit.valueOf(service.get(request))
          net.script(Kit.delayed(100, Kit.token(`new-${before}`)))
          // callers reject the old token every 10 ms for 500 ms; the new one arrives after 100 ms
          const values: Array<string> = []
          for (let i = 0; i < 50; i++) {
            await service.invalidate(old)
            const call = service.get(request)
            void call.outcome.then((outcome) => values.push(Kit.succeeded(outcome).value))
            await net.advance(10)
          }
          await net.advance(500)
          assert.strictEqual(values.length, 50)
          assert.deepStrictEqual(Kit.distinct(values), [`new-${before}`])
          assert.strictEqual(net.requests().length, before + 2)
        }
      }))

    it("a token that replaced a rejected one is not dropped by a rejection within the cool-down", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        const first = await Kit.valueOf(service.get())
        // the first rejection of a token counts
        await service.invalidate(first)
        const second = await Kit.valueOf(service.get())
        assert.strictEqual(second, "token-2")
        // its replacement is kept through rejections for terminalErrorCooldown (5 s)
        await Kit.setTime(net, 4999)
        await service.invalidate(second)
        assert.strictEqual(await Kit.valueOf(service.get()), second)
        await Kit.setTime(net, 5000)
        await service.invalidate(second)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-3")
        assert.strictEqual(net.requests().length, 3)
      }))

    it("a refresh's token that lands on a failure remembered after a rejection is protected as a fetch's is", () =>
      Kit.withScripted(line, { random: 0 }, async (net) => {
        net.script(
          Kit.token("old"),
          Kit.delayed(10_000, Kit.token("renewed")),
          Kit.oauthError("invalid_client", 401)
        )
        const service = await net.service(Kit.optionsWith({ terminalErrorCooldown: 60_000 }))
        const old = await Kit.valueOf(service.get())
        await Kit.setTime(net, 2_832_000)
        await Kit.valueOf(service.get())
        await net.advance(0)
        // rejected while the refresh runs; the fetch that replaces it fails and is remembered
        await service.invalidate(old)
        await Kit.errorOf(service.get())
        await net.advance(10_000)
        const renewed = await Kit.valueOf(service.get())
        assert.strictEqual(renewed, "renewed")
        // rejected again within the cool-down: kept, so rejections cost one token request per cool-down
        await service.invalidate(renewed)
        assert.strictEqual(await Kit.valueOf(service.get()), "renewed")
        assert.strictEqual(net.requests().length, 3)
      }))
  })
}
