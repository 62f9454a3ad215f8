/**
 * Effect 4's `HttpClientError` as this line's `NetworkError` (`docs/behaviour.md#errors`): by its `reason`, a
 * `TransportError` is a call with no answer, an `InvalidUrlError` or `EncodeError` one not sent, a `StatusCodeError` a
 * wrapper raised the answer itself (classified by its status as if no wrapper were there), a body that breaks off an
 * answer that came; never a credential in the words, whatever the cause says.
 */
import * as Redactor from "@effect-oauth2/core/redactor"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Http from "../src/internal/http.js"
import * as NetworkError from "../src/NetworkError.js"

const secret = "s3cr3t-VALUE"
const call: Http.Call = {
  source: "TokenEndpoint",
  origin: "https://login.example.com",
  redactor: Redactor.make([secret])
}
const request = HttpClientRequest.post("https://login.example.com/oauth2/token")

/** A client whose every call fails with `reason` made for its request. */
const failing = (reason: (request: HttpClientRequest.HttpClientRequest) => HttpClientError.HttpClientErrorReason) =>
  HttpClient.make((request) => Effect.fail(new HttpClientError.HttpClientError({ reason: reason(request) })))

/** A client that answers `status` with `body` and `headers`. */
const answering = (status: number, body: BodyInit | null, headers: Record<string, string> = {}) =>
  HttpClient.make((request) =>
    Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { status, headers })))
  )

/** The `NetworkError` `effect` fails with. */
const networkErrorOf = <A>(effect: Effect.Effect<A, unknown>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
    const error = reason?._tag === "Fail" ? reason.error : undefined
    assert.isTrue(NetworkError.isNetworkError(error), `a NetworkError, not ${String(error)}`)
    const networkError = error as NetworkError.NetworkError
    for (const text of [networkError.message, JSON.stringify(networkError), String(networkError)]) {
      assert.notInclude(text, secret)
    }
    return networkError
  })

const send = (client: HttpClient.HttpClient) => Effect.scoped(Http.send(client, request, call))

describe("Http.send: the HttpClient's errors as a NetworkError", () => {
  it.effect("a TransportError: Transport, no status, the system's code; nothing of the cause's secret", () =>
    Effect.gen(function*() {
      const cause = Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:443 ${secret}`), { code: "ECONNREFUSED" })
      const error = yield* networkErrorOf(
        send(failing((request) => new HttpClientError.TransportError({ request, cause })))
      )
      assert.strictEqual(error.reason, "Transport")
      assert.strictEqual(error.source, "TokenEndpoint")
      assert.isUndefined(error.status)
      assert.strictEqual(error.detail, "unreachable (ECONNREFUSED)")
      assert.isTrue(error.isRetryable)
    }))

  it.effect("an InvalidUrlError or EncodeError: not sent, with its kind", () =>
    Effect.gen(function*() {
      const invalid = yield* networkErrorOf(
        send(failing((request) => new HttpClientError.InvalidUrlError({ request, cause: new TypeError("bad url") })))
      )
      assert.strictEqual(invalid.reason, "Transport")
      assert.match(invalid.detail ?? "", /^not sent \(InvalidUrl: /)
      const encode = yield* networkErrorOf(
        send(failing((request) => new HttpClientError.EncodeError({ request, cause: new Error(`no ${secret}`) })))
      )
      assert.match(encode.detail ?? "", /^not sent \(Encode: /)
    }))

  it.effect("a StatusCodeError a wrapper raised: the answer taken back, and read by its status", () =>
    Effect.gen(function*() {
      const client = answering(503, "busy", { "retry-after": "7" }).pipe(HttpClient.filterStatusOk)
      const { response } = yield* send(client)
      assert.strictEqual(response.status, 503)
      const error = yield* networkErrorOf(Http.tryLater(response, call))
      assert.strictEqual(error.reason, "ServerError")
      assert.strictEqual(error.status, 503)
      assert.deepStrictEqual(error.retryAfter, Duration.seconds(7))
    }))

  it.effect("a DecodeError or EmptyBodyError carries the answer: send gives it back, as for a StatusCodeError", () =>
    Effect.gen(function*() {
      const client = HttpClient.make((request) =>
        Effect.fail(
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.DecodeError({
              request,
              response: HttpClientResponse.fromWeb(request, new Response("{}", { status: 401 })),
              cause: new SyntaxError(`Unexpected token ${secret}`)
            })
          })
        )
      )
      const { response } = yield* send(client)
      assert.strictEqual(response.status, 401)
    }))

  it.effect("a body that breaks off: Transport with the status of the answer that came", () =>
    Effect.gen(function*() {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("{\"access_token\":"))
          controller.error(Object.assign(new Error(`socket hang up ${secret}`), { code: "ECONNRESET" }))
        }
      })
      const { response } = yield* send(answering(200, body))
      const error = yield* networkErrorOf(
        Http.readJson(response, 1024, call, { tooLarge: () => "tooLarge", notJson: () => "notJson" })
      )
      assert.strictEqual(error.reason, "Transport")
      assert.strictEqual(error.status, 200)
      assert.include(error.detail, "broke off its answer after HTTP 200")
    }))
})

describe("Http.readJson", () => {
  it.effect("JSON within the limit; more than the limit, or not JSON, in the caller's words", () =>
    Effect.gen(function*() {
      const read = (client: HttpClient.HttpClient, limit: number) =>
        Effect.scoped(
          Effect.flatMap(Http.send(client, request, call), ({ response }) =>
            Http.readJson(response, limit, call, {
              tooLarge: () => "tooLarge",
              notJson: () => "notJson"
            }))
        )
      assert.deepStrictEqual(yield* read(answering(200, "{\"a\":1}"), 100), { a: 1 })
      assert.strictEqual(yield* Effect.flip(read(answering(200, "{\"a\":1}"), 3)), "tooLarge")
      assert.strictEqual(
        yield* Effect.flip(read(answering(200, "{}", { "content-length": "1000" }), 100)),
        "tooLarge",
        "refused unread when it announces more"
      )
      assert.strictEqual(yield* Effect.flip(read(answering(200, "<html>"), 100)), "notJson")
    }))
})
