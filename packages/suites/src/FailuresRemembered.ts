/**
 * Failures remembered (`docs/behaviour.md#failures-remembered`): a terminal `TokenError` is answered from memory for
 * `terminalErrorCooldown`, any other `TokenError` of the token endpoint for one second (or the cool-down, if shorter),
 * per request, and a `NetworkError` never; `terminalErrorCooldown: 0` turns it off. A defect reaches the callers of
 * its fetch and no later one; a token that arrives after its own hard expiry goes to the callers that waited for it.
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
  describe("failures remembered", () => {
    const notTerminal = [
      ["an HTML 200", "InvalidResponse", Kit.respond(200, "<html>")],
      ["a 404", "InvalidResponse", Kit.respond(404, "not found")],
      ["invalid_request", "OAuth", Kit.oauthError("invalid_request")],
      ["invalid_grant", "OAuth", Kit.oauthError("invalid_grant")],
      ["temporarily_unavailable in a 400", "OAuth", Kit.oauthError("temporarily_unavailable", 400)]
    ] as const
    for (const [what, reason, answer] of notTerminal) {
      it(`${what} (${reason}) is remembered for one second, then asked again`, () =>
        Kit.withScripted(line, {}, async (net) => {
          net.script(answer)
          const service = await net.service(Kit.optionsWith({ retry: { times: 0 } }))
          const first = await Kit.errorOf(service.get())
          assert.strictEqual(first.reason, reason)
          for (const at of [0, 500, 999]) {
            await Kit.setTime(net, at)
            const again = await Kit.errorOf(service.get())
            assert.deepStrictEqual([again.reason, again.message], [first.reason, first.message])
          }
          assert.strictEqual(net.requests().length, 1)
          await Kit.setTime(net, 1000)
          assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
          assert.strictEqual(net.requests().length, 2)
        }))
    }

    it("a transient failure shared by many callers is not kept either", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.delayed(1000, Kit.respond(503)))
        const service = await net.service(Kit.optionsWith({ retry: { times: 0 } }))
        const calls = Array.from({ length: 20 }, () => service.get())
        await net.advance(1000)
        const errors = await Promise.all(calls.map(Kit.errorOf))
        assert.deepStrictEqual(Kit.distinct(errors.map((error) => error.reason)), ["ServerError"])
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        assert.strictEqual(net.requests().length, 2)
      }))

    for (const code of ["invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_scope"]) {
      it(`${code} is remembered for terminalErrorCooldown (default 5 s), then forgotten`, () =>
        Kit.withScripted(line, {}, async (net) => {
          net.script(Kit.oauthError(code, code === "invalid_client" ? 401 : 400))
          const service = await net.service(Kit.options)
          const first = await Kit.errorOf(service.get())
          assert.strictEqual(first.reason, "OAuth")
          assert.strictEqual(first.fields.error, code)
          assert.strictEqual(first.fields.isTerminal, true)
          for (const at of [0, 1000, 4999]) {
            await Kit.setTime(net, at)
            assert.strictEqual((await Kit.errorOf(service.get())).fields.error, code)
            assert.strictEqual((await Kit.errorOf(service.get({}))).fields.error, code)
          }
          assert.strictEqual(net.requests().length, 1)
          await Kit.setTime(net, 5001)
          assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
          assert.strictEqual(net.requests().length, 2)
        }))
    }

    it("the cool-down is configurable and kept per request", () =>
      Kit.withScripted(line, {
        fallback: (request) =>
          Kit.form(request).get("scope") === "admin" ? Kit.oauthError("invalid_scope") : Kit.token()
      }, async (net) => {
        const service = await net.service(Kit.optionsWith({ terminalErrorCooldown: 30_000 }))
        const error = await Kit.errorOf(service.get({ scopes: ["admin"] }))
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        await Kit.setTime(net, 29_000)
        assert.strictEqual((await Kit.errorOf(service.get({ scopes: ["admin"] }))).message, error.message)
        assert.strictEqual(net.requests().length, 2)
        await Kit.setTime(net, 30_001)
        await Kit.errorOf(service.get({ scopes: ["admin"] }))
        assert.strictEqual(net.requests().length, 3)
      }))

    it("terminalErrorCooldown 0 turns the cool-down off, for every TokenError", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.oauthError("invalid_client", 401), Kit.oauthError("invalid_grant"))
        const service = await net.service(Kit.optionsWith({ terminalErrorCooldown: 0 }))
        assert.strictEqual((await Kit.errorOf(service.get())).fields.error, "invalid_client")
        assert.strictEqual((await Kit.errorOf(service.get())).fields.error, "invalid_grant")
        assert.strictEqual(await Kit.valueOf(service.get()), "token-3")
        assert.strictEqual(net.requests().length, 3)
      }))

    it("a TokenError that is not terminal is remembered for terminalErrorCooldown when that is shorter", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.oauthError("invalid_request"), Kit.oauthError("invalid_request"))
        const service = await net.service(Kit.optionsWith({ terminalErrorCooldown: 300 }))
        assert.strictEqual((await Kit.errorOf(service.get())).fields.error, "invalid_request")
        await Kit.setTime(net, 299)
        await Kit.errorOf(service.get())
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, 300)
        await Kit.errorOf(service.get())
        assert.strictEqual(net.requests().length, 2)
        await Kit.setTime(net, 600)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-3")
        assert.strictEqual(net.requests().length, 3)
      }))

    it("a defect in a fetch reaches its callers and is never served to a later one", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.die("the HttpClient broke"))
        const service = await net.service(Kit.options)
        const outcome = await service.get().outcome
        assert.strictEqual(outcome._tag, "Defect")
        // the clock has not moved
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("a token that arrives after its own hard expiry goes to the callers that waited, not to later ones", () =>
      Kit.withScripted(line, {}, async (net) => {
        // a 60 s token (hard expiry 30 s after the request was sent) answered after 40 s
        net.script(Kit.delayed(40_000, Kit.token("late", { expires_in: 60 })))
        const service = await net.service(Kit.optionsWith({ requestTimeout: 60_000 }))
        const waiters = [service.get(), service.get({})]
        await net.advance(40_000)
        assert.deepStrictEqual(await Promise.all(waiters.map(Kit.valueOf)), ["late", "late"])
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("a background refresh that succeeds replaces a failure remembered meanwhile", () =>
      Kit.withScripted(line, { random: 0 }, async (net) => {
        net.script(
          Kit.token("old"),
          Kit.delayed(10_000, Kit.token("renewed")),
          Kit.oauthError("invalid_client", 401)
        )
        const service = await net.service(Kit.optionsWith({ terminalErrorCooldown: 60_000 }))
        const old = await Kit.valueOf(service.get())
        await Kit.setTime(net, 2_832_000)
        assert.strictEqual(await Kit.valueOf(service.get()), old)
        await net.advance(0)
        // the refresh runs; the token is rejected meanwhile, and the fetch that replaces it fails
        await service.invalidate(old)
        assert.strictEqual((await Kit.errorOf(service.get())).fields.error, "invalid_client")
        assert.strictEqual((await Kit.errorOf(service.get())).fields.error, "invalid_client")
        await net.advance(10_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "renewed")
        assert.strictEqual(net.requests().length, 3)
      }))
  })
}
