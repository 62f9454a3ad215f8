/**
 * The in-memory client: scripted answers in order, a fallback, request recording with the body as sent, and
 * hangs, delays and transport errors driven by `TestClock`. Specified in `docs/testing.md#mockhttpclient`.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { MockHttpClient } from "@effect-oauth2/testing"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"

/** Sends `request` through the mock and reads the whole answer. */
const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request)
    return { status: response.status, headers: response.headers, text: yield* response.text }
  }).pipe(Effect.scoped)

const post = HttpClientRequest.post("https://auth.example.com/oauth/token")

describe("MockHttpClient", () => {
  it.effect("answers scripted responses in order, then the fallback", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      yield* mock.script(
        MockHttpClient.text(503, "busy", { "Retry-After": "2" }),
        MockHttpClient.json(200, { hello: "world" }, { "x-id": "1" }),
        MockHttpClient.oauthError("invalid_client", "bad secret", 401),
        MockHttpClient.oauthError("invalid_scope"),
        MockHttpClient.redirect("https://elsewhere.example/")
      )
      assert.strictEqual(yield* mock.remaining, 5)
      const busy = yield* send(post)
      assert.deepStrictEqual([busy.status, busy.text, busy.headers["retry-after"]], [503, "busy", "2"])
      const json = yield* send(post)
      assert.deepStrictEqual([json.status, JSON.parse(json.text), json.headers["x-id"]], [200, { hello: "world" }, "1"])
      assert.strictEqual(json.headers["content-type"], "application/json")
      const error = yield* send(post)
      assert.strictEqual(error.status, 401)
      assert.deepStrictEqual(JSON.parse(error.text), { error: "invalid_client", error_description: "bad secret" })
      const scope = yield* send(post)
      assert.deepStrictEqual([scope.status, JSON.parse(scope.text)], [400, { error: "invalid_scope" }])
      const redirect = yield* send(post)
      assert.deepStrictEqual([redirect.status, redirect.headers["location"]], [302, "https://elsewhere.example/"])
      assert.strictEqual(yield* mock.remaining, 0)
      // the fallback: a valid token response, a different token each time
      const first = JSON.parse((yield* send(post)).text)
      const second = JSON.parse((yield* send(post)).text)
      assert.strictEqual(first.token_type, "Bearer")
      assert.strictEqual(first.expires_in, 3600)
      assert.isString(first.access_token)
      assert.notStrictEqual(first.access_token, second.access_token)
      // a redirect is not followed: every request above went to the token URL
      const requests = yield* mock.requests
      assert.lengthOf(requests, 7)
      assert.isTrue(requests.every((request) => request.url === "https://auth.example.com/oauth/token"))
    }).pipe(Effect.provide(MockHttpClient.layer())))

  it.effect("takes a fallback and a script at layer creation", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* send(post)).status, 201)
      assert.strictEqual((yield* send(post)).status, 500)
      assert.strictEqual((yield* send(post)).status, 500)
    }).pipe(
      Effect.provide(MockHttpClient.layer({
        script: [MockHttpClient.text(201, "")],
        fallback: MockHttpClient.text(500, "down")
      }))
    ))

  it.effect("token(fields) overrides and removes fields", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      yield* mock.script(MockHttpClient.token({ expires_in: "7200", scope: "a b", token_type: undefined }))
      const body = JSON.parse((yield* send(post)).text)
      assert.deepStrictEqual(Object.keys(body).sort(), ["access_token", "expires_in", "scope"])
      assert.strictEqual(body.expires_in, "7200")
    }).pipe(Effect.provide(MockHttpClient.layer())))

  it.effect("records method, full URL, headers and the body as sent", () =>
    Effect.gen(function*() {
      const bytes = new TextEncoder().encode("bytes é")
      yield* send(
        post.pipe(
          HttpClientRequest.setHeader("Authorization", "Basic abc"),
          HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials", scope: "a b", x: "1&2=3" })
        )
      )
      yield* send(HttpClientRequest.get("https://api.example.com/items", { urlParams: { page: "2" } }))
      yield* send(
        HttpClientRequest.put("https://api.example.com/items/1").pipe(HttpClientRequest.bodyText("hi", "text/x"))
      )
      yield* send(post.pipe(HttpClientRequest.bodyUint8Array(bytes)))
      yield* send(post.pipe(HttpClientRequest.bodyStream(Stream.make(bytes, bytes))))
      const form = new FormData()
      form.append("field", "value")
      yield* send(post.pipe(HttpClientRequest.bodyFormData(form)))
      yield* send(post.pipe(HttpClientRequest.setBody(HttpBody.raw("raw text"))))

      const [urlParams, get, put, uint8, stream, formData, raw] = yield* Effect.flatMap(
        MockHttpClient.MockHttpClient,
        (mock) => mock.requests
      )
      assert.strictEqual(urlParams!.method, "POST")
      assert.strictEqual(urlParams!.headers["authorization"], "Basic abc")
      assert.strictEqual(urlParams!.headers["content-type"], "application/x-www-form-urlencoded")
      assert.strictEqual(urlParams!.body, "grant_type=client_credentials&scope=a+b&x=1%262%3D3")
      assert.strictEqual(urlParams!.headers["content-length"], String(urlParams!.body.length))
      assert.deepStrictEqual([get!.method, get!.url, get!.body], ["GET", "https://api.example.com/items?page=2", ""])
      // no body, so no content headers (the platform's tracing headers are recorded as they would be sent)
      assert.isUndefined(get!.headers["content-type"])
      assert.isUndefined(get!.headers["content-length"])
      assert.deepStrictEqual([put!.method, put!.body, put!.headers["content-type"]], ["PUT", "hi", "text/x"])
      assert.strictEqual(uint8!.body, "bytes é")
      assert.strictEqual(stream!.body, "bytes ébytes é")
      assert.include(formData!.body, "name=\"field\"")
      assert.include(formData!.body, "value")
      assert.strictEqual(raw!.body, "raw text")
    }).pipe(Effect.provide(MockHttpClient.layer())))

  it.effect("hang never answers and is interrupted by a timeout on the TestClock", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      yield* mock.script(MockHttpClient.hang)
      const fiber = yield* Effect.fork(send(post).pipe(Effect.timeout("30 seconds")))
      yield* TestClock.adjust("29 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit))
      assert.lengthOf(yield* mock.requests, 1)
      // the next request gets an answer
      assert.strictEqual((yield* send(post)).status, 200)
    }).pipe(Effect.provide(MockHttpClient.layer())))

  it.effect("transportError fails with a RequestError of reason Transport", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      yield* mock.script(MockHttpClient.transportError)
      const error = yield* Effect.flip(send(post))
      assert.isTrue(HttpClientError.isHttpClientError(error))
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "Transport")
    }).pipe(Effect.provide(MockHttpClient.layer())))

  it.effect("delayed answers after a wait on the TestClock", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      yield* mock.script(MockHttpClient.delayed("5 seconds", MockHttpClient.text(204, "")))
      const fiber = yield* Effect.fork(send(post))
      yield* TestClock.adjust("4 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 204)
    }).pipe(Effect.provide(MockHttpClient.layer())))

  it.effect("the service's client is the provided HttpClient", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      const provided = yield* HttpClient.HttpClient
      assert.strictEqual(provided, mock.client, "the layer provides the service's own client, not another one")
      // what goes through the provided client is scripted and recorded by the service
      yield* mock.script(MockHttpClient.text(418, "teapot"))
      const response = yield* Effect.scoped(provided.get("https://x.example/brew"))
      assert.strictEqual(response.status, 418)
      assert.deepStrictEqual((yield* mock.requests).map((request) => request.url), ["https://x.example/brew"])
      assert.strictEqual(yield* mock.remaining, 0)
    }).pipe(Effect.provide(MockHttpClient.layer())))
})

// A TokenService on the mock: its retries and timeouts run on the TestClock, with no socket.
layer(MockHttpClient.layer())("MockHttpClient under TokenService", (it) => {
  const service = TokenService.make({
    tokenUrl: "https://auth.example.com/oauth/token",
    clientId: "client",
    clientSecret: Redacted.make("secret"),
    retry: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2))),
    requestTimeout: "5 seconds"
  })

  it.scoped("two 503s then a token: three requests, the retries waiting on the TestClock", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      const before = (yield* mock.requests).length
      yield* mock.script(MockHttpClient.text(503, "busy"), MockHttpClient.text(503, "busy"), MockHttpClient.token())
      const tokens = yield* service
      const fiber = yield* Effect.fork(tokens.get)
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("1 second")
      const token = yield* Fiber.join(fiber)
      assert.strictEqual(token.tokenType, "Bearer")
      const requests = (yield* mock.requests).slice(before)
      assert.lengthOf(requests, 3)
      for (const request of requests) {
        assert.strictEqual(request.method, "POST")
        assert.include(request.body, "grant_type=client_credentials")
        assert.strictEqual(request.headers["authorization"], `Basic ${btoa("client:secret")}`)
      }
    }))

  it.scoped("a hanging endpoint ends in NetworkError Timeout once the retries are spent", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      const before = (yield* mock.requests).length
      yield* mock.script(MockHttpClient.hang, MockHttpClient.hang, MockHttpClient.hang)
      const tokens = yield* service
      const fiber = yield* Effect.fork(Effect.flip(tokens.get))
      for (let i = 0; i < 3; i++) {
        yield* TestClock.adjust("5 seconds")
        yield* TestClock.adjust("1 second")
      }
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(error._tag === "NetworkError" ? error.reason : undefined, "Timeout")
      assert.lengthOf((yield* mock.requests).slice(before), 3)
    }))
})
