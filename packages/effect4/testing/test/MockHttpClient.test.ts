/**
 * The Effect 4 in-memory client (`docs/testing.md#mockhttpclient`): scripted answers in order then the fallback,
 * each request recorded with its body as sent, and hangs, delays and transport errors on `TestClock`. What an answer
 * holds and how a body reads as text are the core's (`packages/core/test/mockHttpClient.test.ts`).
 */
import { MockHttpClient } from "@effect-oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"

const tokenUrl = "https://auth.example.com/oauth/token"

/** Sends `request` through the `HttpClient` in context: status, headers and body text. */
const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const response = yield* (yield* HttpClient.HttpClient).execute(request)
    return { status: response.status, headers: response.headers, text: yield* response.text }
  })

const withMock = (options?: MockHttpClient.Options) => Effect.provide(MockHttpClient.layer(options))

describe("MockHttpClient (Effect 4)", () => {
  it.effect("answers the script in order, then the fallback; the layer's client is the mock's", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      assert.strictEqual(yield* HttpClient.HttpClient, mock.client)
      yield* mock.script(MockHttpClient.text(503, "busy", { "Retry-After": "2" }), MockHttpClient.redirect("/x"))
      assert.strictEqual(yield* mock.remaining, 3)
      assert.deepStrictEqual(JSON.parse((yield* send(HttpClientRequest.get(tokenUrl))).text), {
        error: "invalid_scope"
      })
      const busy = yield* send(HttpClientRequest.get(tokenUrl))
      assert.deepStrictEqual([busy.status, busy.headers["retry-after"], busy.text], [503, "2", "busy"])
      const moved = yield* send(HttpClientRequest.get(tokenUrl))
      assert.deepStrictEqual([moved.status, moved.headers["location"]], [302, "/x"])
      assert.strictEqual(yield* mock.remaining, 0)
      for (let i = 0; i < 2; i++) assert.strictEqual((yield* send(HttpClientRequest.get(tokenUrl))).status, 204)
    }).pipe(withMock({
      script: [MockHttpClient.oauthError("invalid_scope")],
      fallback: MockHttpClient.text(204, "")
    })))

  it.effect("falls back to a token answer, a new token each time", () =>
    Effect.gen(function*() {
      const first = yield* send(HttpClientRequest.post(tokenUrl))
      const second = yield* send(HttpClientRequest.post(tokenUrl))
      assert.strictEqual(first.status, 200)
      assert.strictEqual(first.headers["cache-control"], "no-store")
      const body = JSON.parse(first.text)
      assert.deepStrictEqual([body.token_type, body.expires_in], ["Bearer", 3600])
      assert.notStrictEqual(JSON.parse(second.text).access_token, body.access_token)
      const mock = yield* MockHttpClient.MockHttpClient
      yield* mock.script(MockHttpClient.token({ scope: "read", expires_in: undefined }))
      const scoped = JSON.parse((yield* send(HttpClientRequest.post(tokenUrl))).text)
      assert.deepStrictEqual([scoped.scope, scoped.token_type, "expires_in" in scoped], ["read", "Bearer", false])
    }).pipe(withMock()))

  it.effect("records each request: the full URL, the headers with the body's type and length, the body as sent", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      yield* send(
        HttpClientRequest.post(tokenUrl).pipe(
          HttpClientRequest.setUrlParam("x", "1"),
          HttpClientRequest.setHeader("Authorization", "Basic abc"),
          HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials", scope: "a b" })
        )
      )
      yield* send(
        HttpClientRequest.post(tokenUrl).pipe(
          HttpClientRequest.setBody(HttpBody.uint8Array(new TextEncoder().encode("bytes")))
        )
      )
      yield* send(
        HttpClientRequest.post(tokenUrl).pipe(
          HttpClientRequest.setBody(
            HttpBody.stream(Stream.make(new TextEncoder().encode("str"), new TextEncoder().encode("eam")), "text/plain")
          )
        )
      )
      const form = new FormData()
      form.append("field", "value")
      yield* send(HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.setBody(HttpBody.formData(form))))
      yield* send(HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.setBody(HttpBody.raw("raw text"))))
      yield* send(HttpClientRequest.get(tokenUrl))
      const [params, bytes, stream, multipart, raw, empty] = yield* mock.requests
      assert.deepStrictEqual([params!.method, params!.url, params!.body], [
        "POST",
        `${tokenUrl}?x=1`,
        "grant_type=client_credentials&scope=a+b"
      ])
      // the headers as sent, the client's tracing headers included
      const { b3, traceparent, ...headers } = params!.headers
      assert.isDefined(b3 ?? traceparent)
      assert.deepStrictEqual(headers, {
        authorization: "Basic abc",
        "content-type": "application/x-www-form-urlencoded",
        "content-length": "39"
      })
      assert.deepStrictEqual([bytes!.body, bytes!.headers["content-type"]], ["bytes", "application/octet-stream"])
      assert.deepStrictEqual([stream!.body, stream!.headers["content-type"]], ["stream", "text/plain"])
      assert.include(multipart!.body, "name=\"field\"")
      assert.strictEqual(raw!.body, "raw text")
      assert.deepStrictEqual([empty!.method, empty!.body, empty!.headers["content-type"]], ["GET", "", undefined])
    }).pipe(withMock()))

  it.effect("a transport error fails with an HttpClientError whose reason is a TransportError", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(send(HttpClientRequest.get(tokenUrl)))
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      assert.isTrue(error?._tag === "Fail" && HttpClientError.isHttpClientError(error.error))
      const reason = error?._tag === "Fail" ? (error.error as HttpClientError.HttpClientError).reason : undefined
      assert.strictEqual(reason?._tag, "TransportError")
      assert.strictEqual((yield* (yield* MockHttpClient.MockHttpClient).requests).length, 1)
    }).pipe(withMock({ script: [MockHttpClient.transportError] })))

  it.effect("a delayed answer waits on TestClock; a hang waits until interrupted, recorded meanwhile", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.MockHttpClient
      const delayed = yield* Effect.forkChild(send(HttpClientRequest.get(tokenUrl)))
      yield* TestClock.adjust("9 seconds")
      assert.isUndefined(delayed.pollUnsafe())
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(delayed)).status, 500)
      const hung = yield* Effect.forkChild(send(HttpClientRequest.get(`${tokenUrl}/hang`)))
      yield* TestClock.adjust("1 hour")
      assert.isUndefined(hung.pollUnsafe())
      assert.strictEqual((yield* mock.requests)[1]!.url, `${tokenUrl}/hang`)
      yield* Fiber.interrupt(hung)
    }).pipe(withMock({
      script: [MockHttpClient.delayed("10 seconds", MockHttpClient.text(500, "late")), MockHttpClient.hang]
    })))
})
