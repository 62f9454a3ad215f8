/**
 * The Effect 4 test `TokenService` (`docs/testing.md#tokenservicetest`): a fixed token or a function's answers,
 * every request and invalidated token recorded, and one test layer per named token service.
 */
import { TokenError, TokenService } from "@effect-oauth2/client-credentials"
import { TokenServiceTest } from "@effect-oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"

describe("TokenServiceTest (Effect 4)", () => {
  it("makeToken: Bearer, no scopes, one hour from now unless told", () => {
    const before = Date.now()
    const token = TokenServiceTest.makeToken("abc")
    assert.strictEqual(Redacted.value(token.value), "abc")
    assert.deepStrictEqual([token.tokenType, token.scopes, token.lifetimeMillis], ["Bearer", [], 3_600_000])
    assert.isAtLeast(DateTime.toEpochMillis(token.issuedAt), before)
    const told = TokenServiceTest.makeToken(Redacted.make("xyz"), {
      tokenType: "DPoP",
      scopes: ["read"],
      issuedAt: 1_000,
      lifetime: "5 minutes"
    })
    assert.deepStrictEqual(
      [Redacted.value(told.value), told.tokenType, told.scopes, DateTime.toEpochMillis(told.expiresAt)],
      ["xyz", "DPoP", ["read"], 301_000]
    )
  })

  it.effect("a string token is issued on the Clock when the layer is built; get and getFor give it and are recorded", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("10 seconds")
      const program = Effect.gen(function*() {
        const tokens = yield* TokenService.TokenService
        const first = yield* tokens.get
        const second = yield* tokens.getFor({ scopes: ["admin"] })
        yield* tokens.invalidate(first)
        const test = yield* TokenServiceTest.TokenServiceTest
        return { first, second, requests: yield* test.requests, invalidated: yield* test.invalidated }
      })
      const { first, invalidated, requests, second } = yield* program.pipe(
        Effect.provide(TokenServiceTest.layer({ token: "test-token" }))
      )
      assert.strictEqual(first, second)
      assert.strictEqual(Redacted.value(first.value), "test-token")
      assert.strictEqual(DateTime.toEpochMillis(first.issuedAt), 10_000)
      assert.deepStrictEqual(requests, [{}, { scopes: ["admin"] }])
      assert.deepStrictEqual(invalidated, [first])
    }))

  it.effect("an AccessToken is given as it is; `respond` answers each request, failures included", () =>
    Effect.gen(function*() {
      const given = TokenServiceTest.makeToken("given", { issuedAt: 0 })
      assert.strictEqual(
        yield* Effect.flatMap(TokenService.TokenService, (tokens) => tokens.get).pipe(
          Effect.provide(TokenServiceTest.layer({ token: given }))
        ),
        given
      )
      const refused = new TokenError.TokenError({ reason: "OAuth", error: "invalid_scope" })
      const answers = yield* Effect.gen(function*() {
        const tokens = yield* TokenService.TokenService
        const scoped = yield* tokens.getFor({ scopes: ["a"] })
        return [Redacted.value(scoped.value), yield* Effect.exit(tokens.get)] as const
      }).pipe(Effect.provide(TokenServiceTest.layer({
        respond: (request) =>
          request.scopes
            ? Effect.succeed(TokenServiceTest.makeToken(request.scopes.join(" ")))
            : Effect.fail(refused)
      })))
      assert.strictEqual(answers[0], "a")
      assert.deepStrictEqual(answers[1], Exit.fail(refused))
      // `respond` is asked each time a call runs, not once
      let asked = 0
      yield* Effect.flatMap(TokenService.TokenService, (tokens) => Effect.andThen(tokens.get, tokens.get)).pipe(
        Effect.provide(TokenServiceTest.layer({ respond: () => (asked++, Effect.succeed(given)) }))
      )
      assert.strictEqual(asked, 2)
    }))

  it.effect("layerFor: one test layer per named token service, recording separately", () => {
    class Billing extends Context.Service<Billing, TokenService.Service>()("test/Billing") {}
    class Shipping extends Context.Service<Shipping, TokenService.Service>()("test/Shipping") {}
    return Effect.gen(function*() {
      const invoices = yield* (yield* Billing).get
      yield* (yield* Shipping).getFor({ scopes: ["parcels"] })
      yield* (yield* Billing).invalidate(invoices)
      assert.strictEqual(Redacted.value(invoices.value), "billing-token")
      const billing = yield* TokenServiceTest.tagFor(Billing)
      const shipping = yield* TokenServiceTest.tagFor(Shipping)
      assert.deepStrictEqual(yield* billing.requests, [{}])
      assert.deepStrictEqual(yield* shipping.requests, [{ scopes: ["parcels"] }])
      assert.deepStrictEqual(yield* billing.invalidated, [invoices])
      assert.deepStrictEqual(yield* shipping.invalidated, [])
    }).pipe(Effect.provide(Layer.mergeAll(
      TokenServiceTest.layerFor(Billing, { token: "billing-token" }),
      TokenServiceTest.layerFor(Shipping, { token: "shipping-token" })
    )))
  })
})
