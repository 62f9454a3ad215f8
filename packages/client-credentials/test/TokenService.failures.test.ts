/**
 * Failures remembered (`docs/behaviour.md#failures-remembered`): a `NetworkError` is never kept; a terminal
 * `TokenError` is answered from memory for `terminalErrorCooldown`, any other `TokenError` for one second (or the
 * cool-down, if shorter), per request; `terminalErrorCooldown: 0` turns it off.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

describe("TokenService failures remembered", () => {
  it.scoped("a NetworkError is not kept: the next call, at the same instant, fetches again", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(503), Endpoint.transportFailure(), Endpoint.respond(429))
      const service = yield* Service.make(endpoint, { retry: Schedule.stop })
      const errors = []
      for (let i = 0; i < 3; i++) {
        errors.push(yield* Effect.flip(service.get))
      }
      assert.deepStrictEqual(errors.map((e) => e.reason), ["ServerError", "Transport", "RateLimited"])
      assert.strictEqual(Service.value(yield* service.get), "token-4")
      assert.strictEqual(endpoint.requests.length, 4)
    }))

  it.scoped("a TokenError that is not terminal is remembered for one second, then asked again", () =>
    Effect.gen(function*() {
      const answers = [
        ["InvalidResponse", Endpoint.respond(200, "<html>")],
        ["InvalidResponse", Endpoint.respond(404, "not found")],
        ["OAuth", Endpoint.oauthError("invalid_request")],
        ["OAuth", Endpoint.oauthError("invalid_grant")],
        ["OAuth", Endpoint.oauthError("temporarily_unavailable", 400)]
      ] as const
      for (const [reason, answer] of answers) {
        const endpoint = Endpoint.make()
        endpoint.script(answer)
        yield* TestClock.setTime(0)
        const service = yield* Service.make(endpoint, { retry: Schedule.stop })
        const first = yield* Effect.flip(service.get)
        assert.strictEqual(first.reason, reason)
        for (const at of [0, 500, 999]) {
          yield* TestClock.setTime(at)
          assert.strictEqual(yield* Effect.flip(service.get), first)
        }
        assert.strictEqual(endpoint.requests.length, 1)
        yield* TestClock.setTime(1000)
        assert.strictEqual(Service.value(yield* service.get), "token-2")
        assert.strictEqual(endpoint.requests.length, 2)
      }
    }))

  it.scoped("a transient failure shared by many callers is not cached either", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("1 second", Endpoint.respond(503)))
      const service = yield* Service.make(endpoint, { retry: Schedule.stop })
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 20 }, () => Effect.flip(service.get)), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      const errors = yield* Fiber.join(fiber)
      assert.deepStrictEqual([...new Set(errors.map((e) => e.reason))], ["ServerError"])
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  for (const code of ["invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_scope"]) {
    it.scoped(`${code} is remembered for terminalErrorCooldown (default 5 s), then forgotten`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.oauthError(code, code === "invalid_client" ? 401 : 400))
        const service = yield* Service.make(endpoint)
        const first = yield* Effect.flip(service.get)
        assert.strictEqual(first.reason, "OAuth")
        assert.strictEqual(first._tag === "TokenError" ? first.error : undefined, code)
        for (const at of [0, 1000, 4999]) {
          yield* TestClock.setTime(at)
          assert.strictEqual(yield* Effect.flip(service.get), first)
          assert.strictEqual(yield* Effect.flip(service.getFor({})), first)
        }
        assert.strictEqual(endpoint.requests.length, 1)
        yield* TestClock.setTime(5001)
        assert.strictEqual(Service.value(yield* service.get), "token-2")
        assert.strictEqual(endpoint.requests.length, 2)
      }))
  }

  it.scoped("the cooldown is configurable and kept per request", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({
        otherwise: (request) =>
          request.form.get("scope") === "admin"
            ? Endpoint.oauthError("invalid_scope")(request)
            : Endpoint.token(`token-${endpoint.requests.length}`)(request)
      })
      const service = yield* Service.make(endpoint, { terminalErrorCooldown: "30 seconds" })
      const error = yield* Effect.flip(service.getFor({ scopes: ["admin"] }))
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      yield* TestClock.setTime(29_000)
      assert.strictEqual(yield* Effect.flip(service.getFor({ scopes: ["admin"] })), error)
      assert.strictEqual(endpoint.requests.length, 2)
      yield* TestClock.setTime(30_001)
      yield* Effect.flip(service.getFor({ scopes: ["admin"] }))
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("terminalErrorCooldown 0 turns the cooldown off, for every TokenError", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.oauthError("invalid_client", 401), Endpoint.oauthError("invalid_grant"))
      const service = yield* Service.make(endpoint, { terminalErrorCooldown: 0 })
      const error = yield* Effect.flip(service.get)
      assert.strictEqual(error._tag === "TokenError" ? error.error : undefined, "invalid_client")
      const next = yield* Effect.flip(service.get)
      assert.strictEqual(next._tag === "TokenError" ? next.error : undefined, "invalid_grant")
      assert.strictEqual(Service.value(yield* service.get), "token-3")
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("a TokenError that is not terminal is remembered for terminalErrorCooldown when that is shorter", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.oauthError("invalid_request"), Endpoint.oauthError("invalid_request"))
      const service = yield* Service.make(endpoint, { terminalErrorCooldown: "300 millis" })
      const first = yield* Effect.flip(service.get)
      yield* TestClock.setTime(299)
      assert.strictEqual(yield* Effect.flip(service.get), first)
      yield* TestClock.setTime(300)
      const second = yield* Effect.flip(service.get)
      assert.notStrictEqual(second, first)
      assert.strictEqual(first._tag === "TokenError" ? first.error : undefined, "invalid_request")
      yield* TestClock.setTime(600)
      assert.strictEqual(Service.value(yield* service.get), "token-3")
      assert.strictEqual(endpoint.requests.length, 3)
    }))
})
