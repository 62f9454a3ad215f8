/**
 * `AuthorizedClient` (`docs/api-client.md`): every request carries the token; a 401 for the token drops it and sends
 * the request again once with a new one (`docs/api-client.md#401-recovery`); a non-2xx answer is an `ApiError` with a
 * bounded body and a transport failure a `NetworkError`, neither showing the token (`docs/api-client.md#errors`).
 */
import { ApiError, AuthorizedClient, NetworkError, TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as util from "node:util"
import * as InMemoryApi from "./authorized/inMemoryApi.js"

const withClient = (api: ReturnType<typeof InMemoryApi.make>, options: AuthorizedClient.Options = {}) =>
  Effect.provide(Layer.provideMerge(AuthorizedClient.layer(options), api.layer))

const revokeCurrent = (api: ReturnType<typeof InMemoryApi.make>) =>
  api.state.revoked.add(`tok-${api.state.tokenRequests}`)

describe("AuthorizedClient", () => {
  it.effect("sends every request with the token, as `<token_type> <token>`", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const response = yield* client.get("https://api.example.com/api/items")
      assert.strictEqual(response.status, 200)
      yield* client.post("https://api.example.com/api/items", { body: undefined })
      assert.deepStrictEqual(api.state.apiRequests.map((r) => r.authorization), ["Bearer tok-1", "Bearer tok-1"])
      assert.strictEqual(api.state.tokenRequests, 1)
    }).pipe(withClient(api))
  })

  it.effect("sends the token of `request` when one is given", () => {
    const api = InMemoryApi.make()
    let asked: unknown
    return Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      const spy: TokenService.Service = {
        ...tokens,
        getFor: (request) => {
          asked = request
          return tokens.getFor(request)
        }
      }
      const client = AuthorizedClient.withTokens(api.client, { tokens: spy, request: { scopes: ["reports"] } })
      const response = yield* client.get("https://api.example.com/api/x")
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(asked, { scopes: ["reports"] })
    }).pipe(Effect.provide(api.layer))
  })
})

describe("AuthorizedClient 401 recovery", () => {
  it.effect("recovers from a revoked token inside the same call: invalidate, fresh token, resend once", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      yield* client.get("https://api.example.com/api/a")
      revokeCurrent(api)
      const response = yield* client.post("https://api.example.com/api/a", {
        body: HttpClientRequest.bodyText(HttpClientRequest.post(""), "payload").body
      })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(api.state.tokenRequests, 2)
      const [, refused, resent] = api.state.apiRequests
      assert.strictEqual(refused?.authorization, "Bearer tok-1")
      assert.strictEqual(resent?.authorization, "Bearer tok-2")
      assert.strictEqual(resent?.body, "payload")
    }).pipe(withClient(api))
  })

  it.effect("100 concurrent requests refused with the same revoked token cause one new token request", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      yield* client.get("https://api.example.com/api/warm")
      revokeCurrent(api)
      const responses = yield* Effect.all(
        Array.from({ length: 100 }, (_, i) => client.get(`https://api.example.com/api/${i}`)),
        { concurrency: "unbounded" }
      )
      assert.isTrue(responses.every((r) => r.status === 200))
      assert.strictEqual(api.state.tokenRequests, 2)
    }).pipe(withClient(api))
  })

  it.effect("retries a 401 that names no error, but only once", () => {
    const api = InMemoryApi.make({
      handler: () => new Response("", { status: 401, headers: { "www-authenticate": "Bearer realm=\"api\"" } })
    })
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = yield* Effect.flip(client.get("https://api.example.com/api/x"))
      assert.isTrue(ApiError.isApiError(error))
      assert.strictEqual((error as ApiError.ApiError).status, 401)
      assert.strictEqual(api.state.apiRequests.length, 2)
      assert.strictEqual(api.state.tokenRequests, 2)
    }).pipe(withClient(api))
  })

  it.effect("does not retry insufficient_scope; the ApiError carries the parsed challenge", () => {
    const api = InMemoryApi.make({
      handler: () =>
        new Response("need admin", {
          status: 401,
          headers: { "www-authenticate": "Bearer error=\"insufficient_scope\", scope=\"admin\"" }
        })
    })
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = yield* Effect.flip(client.get("https://api.example.com/api/admin?secret=1"))
      assert.strictEqual(error._tag, "ApiError")
      const apiError = error as ApiError.ApiError
      assert.deepStrictEqual(apiError.wwwAuthenticate, {
        scheme: "Bearer",
        params: { error: "insufficient_scope", scope: "admin" }
      })
      assert.strictEqual(apiError.url, "https://api.example.com/api/admin")
      assert.strictEqual(apiError.method, "GET")
      assert.strictEqual(apiError.body, "need admin")
      assert.strictEqual(api.state.apiRequests.length, 1)
      assert.strictEqual(api.state.tokenRequests, 1)
    }).pipe(withClient(api))
  })

  it.effect("does not resend a streamed body: the 401 surfaces as ApiError, and the token is still dropped", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      yield* client.get("https://api.example.com/api/warm")
      revokeCurrent(api)
      const request = HttpClientRequest.post("https://api.example.com/api/upload").pipe(
        HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("chunk")))
      )
      const error = yield* Effect.flip(client.execute(request))
      assert.strictEqual(error._tag, "ApiError")
      assert.strictEqual((error as ApiError.ApiError).status, 401)
      assert.strictEqual(api.state.apiRequests.length, 2)
      const next = yield* client.get("https://api.example.com/api/after")
      assert.strictEqual(next.status, 200)
      assert.strictEqual(api.state.tokenRequests, 2)
    }).pipe(withClient(api))
  })

  it.effect("with retryOnUnauthorized false a 401 is not retried", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      yield* client.get("https://api.example.com/api/warm")
      revokeCurrent(api)
      const error = yield* Effect.flip(client.get("https://api.example.com/api/x"))
      assert.strictEqual(error._tag, "ApiError")
      assert.strictEqual(api.state.tokenRequests, 1)
    }).pipe(withClient(api, { retryOnUnauthorized: false }))
  })

  it.effect("recovers from a revoked token also when the wrapped client filters statuses", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      const client = AuthorizedClient.withTokens(HttpClient.filterStatusOk(api.client), { tokens })
      yield* client.get("https://api.example.com/api/warm")
      revokeCurrent(api)
      const response = yield* client.get("https://api.example.com/api/after")
      assert.strictEqual(response.status, 200)
      assert.strictEqual(api.state.tokenRequests, 2)
      api.state.revoked.add("tok-2")
      api.state.revoked.add("tok-3")
      const error = (yield* Effect.flip(client.get("https://api.example.com/api/again"))) as ApiError.ApiError
      assert.strictEqual(error.status, 401)
      assert.strictEqual(error.wwwAuthenticate?.params["error"], "invalid_token")
    }).pipe(Effect.provide(api.layer))
  })
})

const printed = (error: unknown, exit: Exit.Exit<unknown, unknown>): Array<string> => [
  String(error),
  (error as Error).message,
  JSON.stringify(error),
  Inspectable.format(error),
  util.inspect(error, { depth: Infinity }),
  Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "",
  Redacted.isRedacted(error) ? "" : util.inspect(exit, { depth: Infinity })
]

describe("AuthorizedClient errors", () => {
  it.effect("fails any non-2xx with ApiError: at most 1 KiB of body, the token replaced", () => {
    const api = InMemoryApi.make({
      handler: ({ authorization }) => new Response(`echo ${authorization} ${"x".repeat(5000)}`, { status: 500 })
    })
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const exit = yield* Effect.exit(client.get("https://api.example.com/api/x"))
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(client.get("https://api.example.com/api/x"))
      assert.strictEqual(error._tag, "ApiError")
      const apiError = error as ApiError.ApiError
      assert.strictEqual(apiError.status, 500)
      assert.isTrue(apiError.body!.startsWith("echo Bearer <redacted> xxx"))
      assert.strictEqual(apiError.body!.length, ApiError.maxBodyBytes)
      for (const text of printed(error, exit)) {
        assert.notInclude(text, "tok-1")
        assert.notInclude(text, "client-secret")
      }
    }).pipe(withClient(api))
  })

  it.effect("with failOnErrorStatus false returns error statuses as responses", () => {
    const api = InMemoryApi.make({ handler: () => new Response("{\"problem\":1}", { status: 422 }) })
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const response = yield* client.get("https://api.example.com/api/x")
      assert.strictEqual(response.status, 422)
      assert.deepStrictEqual(yield* response.json, { problem: 1 })
    }).pipe(withClient(api, { failOnErrorStatus: false }))
  })

  it.effect("turns transport failures into NetworkError, with no header in it", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      yield* client.get("https://api.example.com/api/warm")
      api.state.failTransport = true
      const exit = yield* Effect.exit(client.get("https://api.example.com/api/x"))
      const error = yield* Effect.flip(client.get("https://api.example.com/api/x"))
      assert.isTrue(NetworkError.isNetworkError(error))
      assert.strictEqual((error as NetworkError.NetworkError).reason, "Transport")
      for (const text of printed(error, exit)) {
        assert.notInclude(text, "tok-1")
        assert.notInclude(text, "authorization")
      }
    }).pipe(withClient(api))
  })
})

describe("AuthorizedClient error answers: bounded, and the token replaced", () => {
  it.effect("never shows a token cut by the 1 KiB limit, and cuts by bytes", () => {
    const api = InMemoryApi.make({
      handler: ({ authorization }) =>
        new Response(`${"€".repeat(100)}${"a".repeat(800)}${authorization?.slice(7)}${"x".repeat(100)}`, {
          status: 500
        })
    })
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = (yield* Effect.flip(client.get("https://api.example.com/api/x"))) as ApiError.ApiError
      assert.strictEqual(error._tag, "ApiError")
      assert.isAtMost(new TextEncoder().encode(error.body).byteLength, ApiError.maxBodyBytes)
      assert.notInclude(error.body, "tok-")
      assert.notMatch(error.body!, /t$|to$|tok$/)
      assert.isTrue(error.body!.startsWith("€€€"))
    }).pipe(withClient(api))
  })

  it.effect("an error answer whose body stalls still fails with ApiError, without a body, after 5 s", () => {
    const api = InMemoryApi.make({
      handler: () => new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), { status: 503 })
    })
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const fiber = yield* Effect.fork(Effect.flip(client.get("https://api.example.com/api/x")))
      yield* TestClock.adjust("4 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      const error = (yield* Fiber.join(fiber)) as ApiError.ApiError
      assert.strictEqual(error.status, 503)
      assert.isUndefined(error.body)
    }).pipe(withClient(api))
  })

  it.effect("a challenge that echoes the token has it replaced", () => {
    const api = InMemoryApi.make({
      handler: ({ authorization }) =>
        new Response("", {
          status: 403,
          headers: {
            "www-authenticate": `Bearer error="insufficient_scope", error_description="${authorization} lacks admin"`
          }
        })
    })
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = (yield* Effect.flip(client.get("https://api.example.com/api/x"))) as ApiError.ApiError
      assert.strictEqual(error.wwwAuthenticate?.params["error_description"], "Bearer <redacted> lacks admin")
      assert.notInclude(JSON.stringify(error), "tok-1")
    }).pipe(withClient(api))
  })
})
