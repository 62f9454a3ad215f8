/**
 * What each answer status means, and whether it is retried (`docs/behaviour.md#token-endpoint-answers`). The retry
 * schedule is `Schedule.recurs(2)` (no delay), so a retried failure is sent exactly 3 times and any other exactly once.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const retry = Schedule.recurs(2)

/** Any §5.2-looking body: a retryable status is retried whatever it says. */
const errorBody = JSON.stringify({ error: "invalid_client", error_description: "looks terminal" })

describe("TokenService status classification", () => {
  it.scoped("408, 429, 500, 502, 503 and 504 are NetworkErrors, retried whatever the body", () =>
    Effect.gen(function*() {
      for (const status of [408, 429, 500, 502, 503, 504]) {
        const endpoint = Endpoint.make({
          otherwise: Endpoint.respond(status, errorBody, { "content-type": "application/json" })
        })
        const service = yield* Service.make(endpoint, { retry })
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error._tag, "NetworkError", `${status}`)
        assert.strictEqual(error.reason, status === 429 ? "RateLimited" : "ServerError", `${status}`)
        assert.strictEqual(error.status, status)
        assert.strictEqual(endpoint.requests.length, 3, `${status}`)
      }
    }))

  it.scoped("a retried status followed by a token succeeds", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(503), Endpoint.respond(429))
      const service = yield* Service.make(endpoint, { retry })
      assert.strictEqual(Service.value(yield* service.get), "token-3")
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("other 5xx (501, 505, 507, 511, 599) are NetworkError ServerError, not retried", () =>
    Effect.gen(function*() {
      for (const status of [501, 505, 507, 511, 599]) {
        const endpoint = Endpoint.make({ otherwise: Endpoint.respond(status, "down") })
        const service = yield* Service.make(endpoint, { retry })
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error._tag, "NetworkError", `${status}`)
        assert.strictEqual(error.reason, "ServerError", `${status}`)
        assert.strictEqual(error.status, status)
        assert.strictEqual(endpoint.requests.length, 1, `${status}`)
      }
    }))

  it.scoped("400 and 401 with an RFC 6749 §5.2 body are TokenError OAuth, not retried", () =>
    Effect.gen(function*() {
      for (const status of [400, 401]) {
        const endpoint = Endpoint.make({
          otherwise: Endpoint.oauthError("invalid_grant", status, {
            error_description: "nope",
            error_uri: "https://auth.example.com/errors/invalid_grant"
          })
        })
        const service = yield* Service.make(endpoint, { retry })
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error._tag, "TokenError")
        assert.deepInclude(error, {
          reason: "OAuth",
          status,
          error: "invalid_grant",
          errorDescription: "nope",
          errorUri: "https://auth.example.com/errors/invalid_grant"
        })
        assert.strictEqual(endpoint.requests.length, 1)
      }
    }))

  it.scoped("400 and 401 without a §5.2 body are TokenError InvalidResponse with the status, not retried", () =>
    Effect.gen(function*() {
      const bodies = [
        "<html>Bad Request</html>",
        "",
        "{}",
        "{\"error\":42}",
        "{\"error\":\"\"}",
        "[\"invalid_client\"]"
      ]
      for (const status of [400, 401]) {
        for (const body of bodies) {
          const endpoint = Endpoint.make({ otherwise: Endpoint.respond(status, body) })
          const service = yield* Service.make(endpoint, { retry })
          const error = yield* Effect.flip(service.get)
          assert.strictEqual(error._tag, "TokenError", body)
          assert.strictEqual(error.reason, "InvalidResponse", body)
          assert.strictEqual(error.status, status)
          assert.strictEqual(endpoint.requests.length, 1)
        }
      }
    }))

  it.scoped("403, 404, 405, 418 and 422 are TokenError InvalidResponse, even with a §5.2 body, not retried", () =>
    Effect.gen(function*() {
      for (const status of [403, 404, 405, 418, 422]) {
        const endpoint = Endpoint.make({ otherwise: Endpoint.oauthError("invalid_client", status) })
        const service = yield* Service.make(endpoint, { retry })
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error._tag, "TokenError")
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.status, status)
        assert.strictEqual(endpoint.requests.length, 1)
      }
    }))

  it.scoped("every 3xx is TokenError InvalidResponse, not retried", () =>
    Effect.gen(function*() {
      for (const status of [300, 301, 302, 303, 304, 307, 308]) {
        const endpoint = Endpoint.make({
          otherwise: Endpoint.respond(status, null, { location: "https://elsewhere.example.com/" })
        })
        const service = yield* Service.make(endpoint, { retry })
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error._tag, "TokenError")
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.status, status)
        assert.strictEqual(endpoint.requests.length, 1)
      }
    }))

  it.scoped("any 2xx is decoded", () =>
    Effect.gen(function*() {
      for (const status of [200, 201, 203]) {
        const endpoint = Endpoint.make({
          otherwise: Endpoint.json({ access_token: "t", token_type: "Bearer" }, status)
        })
        const service = yield* Service.make(endpoint, { retry })
        assert.strictEqual(Service.value(yield* service.get), "t")
      }
    }))

  it.scoped("a transport failure is NetworkError Transport, retried", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.transportFailure() })
      const service = yield* Service.make(endpoint, { retry })
      const error = yield* Effect.flip(service.get)
      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(error.reason, "Transport")
      assert.isUndefined(error.status)
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("a transport failure followed by a token succeeds", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.transportFailure())
      const service = yield* Service.make(endpoint, { retry })
      assert.strictEqual(Service.value(yield* service.get), "token-2")
    }))

  it.scoped("an attempt that outlives requestTimeout is NetworkError Timeout, retried", () =>
    Effect.gen(function*() {
      let abandoned = 0
      const endpoint = Endpoint.make({ otherwise: Endpoint.hang(() => abandoned++) })
      const service = yield* Service.make(endpoint, { retry, requestTimeout: "2 seconds" })
      const fiber = yield* Effect.fork(Effect.flip(service.get))
      yield* TestClock.adjust("1999 millis")
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(endpoint.requests.length, 2)
      assert.strictEqual(abandoned, 1)
      yield* TestClock.adjust("4 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(error.reason, "Timeout")
      assert.strictEqual(endpoint.requests.length, 3)
      assert.strictEqual(abandoned, 3)
    }))
})
