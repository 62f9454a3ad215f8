/**
 * Rejected tokens (`docs/behaviour.md#rejected-tokens`): `invalidate(token)` drops the entry holding that token, and
 * only while it holds it, whichever copy of the token is passed; a token from elsewhere changes nothing; callers
 * rejecting the same token together cause one new fetch, and a caller still waiting never gets a token rejected
 * meanwhile.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

describe("TokenService.invalidate", () => {
  const foreign = new AccessToken.AccessToken({
    value: Redacted.make("not-ours"),
    tokenType: "Bearer",
    scopes: [],
    issuedAt: DateTime.unsafeMake(0),
    expiresAt: DateTime.unsafeMake(3_600_000)
  })

  it.scoped("drops the entry that holds the token, and only while it holds it", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const old = yield* service.get
      yield* service.invalidate(old)
      const fresh = yield* service.get
      assert.strictEqual(Service.value(fresh), "token-2")
      // the entry now holds another token: invalidating the old one again changes nothing
      yield* service.invalidate(old)
      assert.strictEqual(yield* service.get, fresh)
      assert.strictEqual(endpoint.requests.length, 2)

      // the same for a getFor entry, which no hot path shields
      const request = { scopes: ["other"] }
      const oldOther = yield* service.getFor(request)
      yield* service.invalidate(oldOther)
      const freshOther = yield* service.getFor(request)
      assert.strictEqual(Service.value(freshOther), "token-4")
      yield* service.invalidate(oldOther)
      yield* service.invalidate(old)
      assert.strictEqual(yield* service.getFor(request), freshOther)
      assert.strictEqual(endpoint.requests.length, 4)
    }))

  it.scoped("a token with the same value, from elsewhere, is recognised", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const old = yield* service.get
      yield* service.invalidate(new AccessToken.AccessToken({ ...old, scopes: ["copied"] }))
      assert.strictEqual(Service.value(yield* service.get), "token-2")
    }))

  it.scoped("tokens this service did not issue are ignored", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const token = yield* service.get
      const other = yield* service.getFor({ scopes: ["other"] })
      yield* service.invalidate(foreign)
      assert.strictEqual(yield* service.get, token)
      assert.strictEqual(yield* service.getFor({ scopes: ["other"] }), other)
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("drops a getFor entry and leaves the others", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const configured = yield* service.get
      const other = yield* service.getFor({ scopes: ["other"] })
      yield* service.invalidate(other)
      assert.strictEqual(Service.value(yield* service.getFor({ scopes: ["other"] })), "token-3")
      assert.strictEqual(yield* service.get, configured)
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("50 callers rejecting the same token cause one new fetch", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const old = yield* service.get
      const tokens = yield* Effect.all(
        Array.from({ length: 50 }, () => Effect.zipRight(service.invalidate(old), service.get)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["token-2"])
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("50 callers rejecting the same token, before and after the new one arrives, cause one new fetch", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      for (const request of [{}, { scopes: ["other"] }]) {
        const before = endpoint.requests.length
        const old = yield* service.getFor(request)
        endpoint.script(Endpoint.delayed("100 millis", Endpoint.token(`new-${before}`)))
        // callers reject the old token every 10 ms for 500 ms; the new one arrives after 100 ms
        const fiber = yield* Effect.fork(Effect.all(
          Array.from({ length: 50 }, (_, i) =>
            Effect.sleep(`${i * 10} millis`).pipe(
              Effect.zipRight(service.invalidate(old)),
              Effect.zipRight(service.getFor(request))
            )),
          { concurrency: "unbounded" }
        ))
        yield* TestClock.adjust("1 second")
        const tokens = yield* Fiber.join(fiber)
        assert.deepStrictEqual([...new Set(tokens.map(Service.value))], [`new-${before}`])
        assert.strictEqual(endpoint.requests.length, before + 2)
      }
    }))

  it.scoped("a caller still waiting for a fetch does not bring back a token invalidated meanwhile", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("10 millis", Endpoint.token("first")))
      const service = yield* Service.make(endpoint)
      // one caller rejects the token as soon as it has it (as AuthorizedClient does on a 401); another waits too
      const rejecting = yield* Effect.fork(Effect.tap(service.get, (token) => service.invalidate(token)))
      const waiting = yield* Effect.fork(service.get)
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(Service.value(yield* Fiber.join(rejecting)), "first")
      // the waiter resumed after the rejection: it asked again instead of taking the dropped token
      assert.strictEqual(Service.value(yield* Fiber.join(waiting)), "token-2")
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))
})
