/**
 * The test `TokenService`: a fixed token or a function, and a record of what an application asked. Specified in
 * `docs/testing.md#tokenservicetest`.
 */
import type { AccessToken } from "@effect-oauth2/client-credentials"
import { NetworkError, TokenError, TokenService } from "@effect-oauth2/client-credentials"
import { TokenServiceTest } from "@effect-oauth2/testing"
import { assert, describe, it, layer } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"

/** A piece of application code that needs tokens. */
const app = Effect.gen(function*() {
  const tokens = yield* TokenService.TokenService
  const token = yield* tokens.get
  const admin = yield* tokens.getFor({ scopes: ["admin"], audience: "https://api.example.com" })
  yield* tokens.invalidate(token)
  return [token, admin] as const
})

describe("TokenServiceTest", () => {
  it.effect("a string token: a Bearer token issued at the Clock's now, for one hour", () =>
    Effect.gen(function*() {
      const [token, admin] = yield* app
      assert.strictEqual(Redacted.value(token.value), "test-token")
      assert.strictEqual(token.tokenType, "Bearer")
      assert.deepStrictEqual(token.scopes, [])
      assert.strictEqual(DateTime.toEpochMillis(token.issuedAt), 5_000)
      assert.strictEqual(token.lifetimeMillis, 3_600_000)
      assert.strictEqual(admin, token)
      const test = yield* TokenServiceTest.TokenServiceTest
      assert.deepStrictEqual(yield* test.requests, [{}, { scopes: ["admin"], audience: "https://api.example.com" }])
      assert.deepStrictEqual(yield* test.invalidated, [token])
    }).pipe(
      // the layer is built after the clock moved: the token is issued at 5 s
      (effect) =>
        Effect.zipRight(
          TestClock.adjust("5 seconds"),
          Effect.provide(effect, TokenServiceTest.layer({ token: "test-token" }))
        )
    ))

  it.effect("an AccessToken is served as it is", () =>
    Effect.gen(function*() {
      const given = TokenServiceTest.makeToken("given", { scopes: ["read"] })
      const token = yield* Effect.flatMap(TokenService.TokenService, (tokens) => tokens.get).pipe(
        Effect.provide(TokenServiceTest.layer({ token: given }))
      )
      assert.strictEqual(token, given)
    }))

  it.effect("respond answers each request, failures included, and every request is recorded", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      const test = yield* TokenServiceTest.TokenServiceTest
      const read = yield* tokens.getFor({ scopes: ["read"] })
      assert.strictEqual(Redacted.value(read.value), "token-for-read")
      assert.deepStrictEqual(read.scopes, ["read"])
      const refused = yield* Effect.flip(tokens.getFor({ scopes: ["forbidden"] }))
      assert.isTrue(TokenError.isTokenError(refused))
      assert.strictEqual(refused._tag === "TokenError" ? refused.error : undefined, "invalid_scope")
      const down = yield* Effect.flip(tokens.get)
      assert.isTrue(NetworkError.isNetworkError(down))
      assert.deepStrictEqual(yield* test.requests, [{ scopes: ["read"] }, { scopes: ["forbidden"] }, {}])
    }).pipe(
      Effect.provide(TokenServiceTest.layer({
        respond: (request) => {
          const scopes = request.scopes ?? []
          if (scopes.length === 0) {
            return Effect.fail(
              new NetworkError.NetworkError({ reason: "ServerError", source: "TokenEndpoint", status: 503 })
            )
          }
          if (scopes.includes("forbidden")) {
            return Effect.fail(new TokenError.TokenError({ reason: "OAuth", status: 400, error: "invalid_scope" }))
          }
          return Effect.succeed(TokenServiceTest.makeToken(`token-for-${scopes.join("+")}`, { scopes }))
        }
      }))
    ))

  it("makeToken fills in its defaults and takes options", () => {
    const before = Date.now()
    const plain = TokenServiceTest.makeToken("a")
    assert.strictEqual(Redacted.value(plain.value), "a")
    assert.strictEqual(plain.tokenType, "Bearer")
    assert.strictEqual(plain.lifetimeMillis, 3_600_000)
    assert.isAtLeast(DateTime.toEpochMillis(plain.issuedAt), before)
    assert.isAtMost(DateTime.toEpochMillis(plain.issuedAt), Date.now())
    const custom = TokenServiceTest.makeToken(Redacted.make("b"), {
      tokenType: "DPoP",
      scopes: ["x", "y"],
      issuedAt: 1_000,
      lifetime: "5 minutes"
    })
    assert.strictEqual(Redacted.value(custom.value), "b")
    assert.strictEqual(custom.tokenType, "DPoP")
    assert.deepStrictEqual(custom.scopes, ["x", "y"])
    assert.strictEqual(DateTime.toEpochMillis(custom.issuedAt), 1_000)
    assert.strictEqual(DateTime.toEpochMillis(custom.expiresAt), 301_000)
  })
})

// vitest runs the tests of a file one after the other, in order: the second sees what the first recorded
layer(TokenServiceTest.layer({ token: "shared" }))("TokenServiceTest in a shared layer", (it) => {
  let first: AccessToken.AccessToken | undefined

  it.effect("records the first test's requests", () =>
    Effect.gen(function*() {
      const [token] = yield* app
      first = token
      const test = yield* TokenServiceTest.TokenServiceTest
      assert.deepStrictEqual(yield* test.requests, [{}, { scopes: ["admin"], audience: "https://api.example.com" }])
      assert.deepStrictEqual(yield* test.invalidated, [token])
    }))

  it.effect("records across the tests of the layer: the first test's records, then this one's", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      const test = yield* TokenServiceTest.TokenServiceTest
      const token = yield* tokens.getFor({ scopes: ["second"] })
      assert.strictEqual(token, first, "one service for the whole layer")
      yield* tokens.invalidate(token)
      assert.deepStrictEqual(yield* test.requests, [
        {},
        { scopes: ["admin"], audience: "https://api.example.com" },
        { scopes: ["second"] }
      ])
      assert.deepStrictEqual(yield* test.invalidated, [first!, token])
    }))
})
