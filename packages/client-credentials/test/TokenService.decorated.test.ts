/**
 * A decorated `HttpClient` keeps the status table (`docs/behaviour.md#the-httpclient-you-give-it`). Users give the
 * layer the client they built for the whole app, often wrapped in `filterStatusOk`, `mapRequest`, `retryTransient` or
 * tracer settings; an answer that a wrapper turned into a `ResponseError` is classified as if the wrapper were not
 * there.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

/** `TokenService.make` on the scripted endpoint's client, decorated by `decorate`. */
const makeOver = (
  endpoint: Endpoint.ScriptedEndpoint,
  decorate: (client: HttpClient.HttpClient) => HttpClient.HttpClient.With<unknown>,
  overrides: Partial<Service.SecretOptions> = {}
) =>
  TokenService.make({ ...Service.options, ...overrides }).pipe(
    // the layer takes any `HttpClient`: a decorated one is still typed `HttpClient` by its wrappers' error types
    Effect.provideService(HttpClient.HttpClient, decorate(endpoint.client) as HttpClient.HttpClient)
  )

const noJitter = Effect.withRandom(Random.fixed([0.5]))

describe("TokenService over a decorated HttpClient", () => {
  it.scoped("filterStatusOk: invalid_client is TokenError OAuth after 1 request, not a retried NetworkError", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({
        otherwise: Endpoint.oauthError("invalid_client", 401, { error_description: "bad secret" })
      })
      const service = yield* makeOver(endpoint, HttpClient.filterStatusOk, { retry: Schedule.recurs(3) })
      const error = yield* Effect.flip(service.get)
      assert.strictEqual(error._tag, "TokenError")
      assert.deepInclude(error, {
        reason: "OAuth",
        status: 401,
        error: "invalid_client",
        errorDescription: "bad secret"
      })
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("filterStatusOk: a 404 page is InvalidResponse, not retried", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(404, "<html>not found</html>") })
      const service = yield* makeOver(endpoint, HttpClient.filterStatusOk, { retry: Schedule.recurs(3) })
      const error = yield* Effect.flip(service.get)
      assert.deepInclude(error, { _tag: "TokenError", reason: "InvalidResponse", status: 404 })
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("filterStatusOk: 503 then 200 is a token after 2 requests; 503 every time is NetworkError ServerError", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(503))
      const service = yield* makeOver(endpoint, HttpClient.filterStatusOk)
      const fiber = yield* Effect.fork(service.get)
      yield* TestClock.setTime(10_000)
      assert.strictEqual(Service.value(yield* Fiber.join(fiber)), "token-2")
      // the default schedule's first wait, as for an undecorated client
      assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 200])

      const failing = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const failingService = yield* makeOver(failing, HttpClient.filterStatusOk, { retry: Schedule.recurs(1) })
      const error = yield* Effect.flip(failingService.get)
      assert.deepInclude(error, { _tag: "NetworkError", reason: "ServerError", status: 503 })
      assert.strictEqual(failing.requests.length, 2)
    }).pipe(noJitter))

  it.scoped("filterStatusOk: a 429's Retry-After is honoured", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(429, null, { "retry-after": "7" }))
      const service = yield* makeOver(endpoint, HttpClient.filterStatusOk)
      const fiber = yield* Effect.fork(service.get)
      yield* TestClock.setTime(6_999)
      assert.strictEqual(endpoint.requests.length, 1)
      assert.isUndefined(yield* Service.pollNow(fiber))
      yield* TestClock.setTime(7_000)
      assert.strictEqual(Service.value(yield* Fiber.join(fiber)), "token-2")
      assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 7_000])
    }).pipe(noJitter))

  it.scoped("filterStatusOk: a 429 that is not retried again ends as NetworkError RateLimited with its Retry-After", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(429, null, { "retry-after": "3" }) })
      const service = yield* makeOver(endpoint, HttpClient.filterStatusOk, { retry: Schedule.stop })
      const error = yield* Effect.flip(service.get)
      assert.deepInclude(error, { _tag: "NetworkError", reason: "RateLimited", status: 429 })
      const retryAfter = error._tag === "NetworkError" ? error.retryAfter : undefined
      assert.strictEqual(retryAfter === undefined ? undefined : Duration.toMillis(retryAfter), 3_000)
    }))

  it.scoped("mapRequest adding a header: a token, and the header was sent", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* makeOver(
        endpoint,
        HttpClient.mapRequest(HttpClientRequest.setHeader("x-tenant", "t-1"))
      )
      assert.strictEqual(Service.value(yield* service.get), "token-1")
      assert.strictEqual(endpoint.requests[0]?.headers["x-tenant"], "t-1")
      assert.strictEqual(endpoint.requests[0]?.form.get("grant_type"), "client_credentials")
    }))

  it.scoped("withTracerPropagation(false): a token", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* makeOver(endpoint, HttpClient.withTracerPropagation(false))
      assert.strictEqual(Service.value(yield* service.get), "token-1")
      assert.isUndefined(endpoint.requests[0]?.headers["traceparent"])
    }))

  it.scoped("retryTransient stacks with the library's retries: each of its attempts is retried on its own", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const service = yield* makeOver(
        endpoint,
        HttpClient.retryTransient({ times: 2 }),
        { retry: Schedule.recurs(1) }
      )
      const error = yield* Effect.flip(service.get)
      assert.deepInclude(error, { _tag: "NetworkError", reason: "ServerError", status: 503 })
      // (1 + 2) requests per library attempt, 2 library attempts
      assert.strictEqual(endpoint.requests.length, 6)
    }))

  it.scoped("filterStatusOk and a redirect: InvalidResponse, never followed", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({
        otherwise: Endpoint.respond(302, null, { location: "https://elsewhere.example.com/token" })
      })
      const service = yield* makeOver(endpoint, HttpClient.filterStatusOk, { retry: Schedule.recurs(3) })
      const error = yield* Effect.flip(service.get)
      assert.deepInclude(error, { _tag: "TokenError", reason: "InvalidResponse", status: 302 })
      assert.strictEqual(endpoint.requests.length, 1)
    }))
})
