/**
 * The in-memory client on Effect 4: reads each request's body as the core records it, keeps the script and the
 * records in the core's `MockState`, and answers with an `HttpClientResponse`, a hang, a sleep or an
 * `HttpClientError` (`TransportError`) as the scripted answer says.
 */
import * as core from "@effect-oauth2/core/mockHttpClient"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpBody from "effect/http/HttpBody"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Stream from "effect/Stream"
import type * as MockHttpClient from "../MockHttpClient.js"

/** What a body that is not a stream holds, for the core to read as text. */
const payload = (body: Exclude<HttpBody.HttpBody, HttpBody.Stream>): unknown =>
  body._tag === "Empty"
    ? ""
    : body._tag === "FormData"
    ? body.formData
    : body._tag === "Uint8Array"
    ? body.text ?? body.body
    : body.body

/** The body as it would go on the wire, as text: a stream read to its end (`""` when it fails), anything else read by the core. */
const wireText = (body: HttpBody.HttpBody): Effect.Effect<string> =>
  body._tag === "Stream"
    ? Stream.runCollect(body.stream).pipe(Effect.map(core.bytesText), Effect.orElseSucceed(() => ""))
    : Effect.promise(async () => core.bodyText(payload(body)))

/** The answer to `request` as `scripted` says. */
const reply = (
  request: HttpClientRequest.HttpClientRequest,
  scripted: MockHttpClient.MockResponse
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  scripted._tag === "Delayed"
    ? Effect.sleep(scripted.delay).pipe(Effect.andThen(reply(request, scripted.response)))
    : scripted._tag === "Hang"
    ? Effect.never
    : scripted._tag === "TransportError"
    ? Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.TransportError({
          request,
          cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
          description: "scripted transport error"
        })
      })
    )
    : Effect.sync(() =>
      HttpClientResponse.fromWeb(
        request,
        core.webResponse(scripted._tag === "Token" ? core.tokenAnswer(scripted) : scripted)
      )
    )

/** @internal */
export const make = (options: MockHttpClient.Options = {}): Effect.Effect<MockHttpClient.Service> =>
  Effect.sync(() => {
    const state = new core.MockState<Duration.Duration>(options)
    return {
      client: HttpClient.make((request, url) =>
        wireText(request.body).pipe(Effect.flatMap((body) => {
          // the request's headers carry the body's type and length: `setBody` puts them there
          state.record({ method: request.method, url: url.toString(), headers: { ...request.headers }, body })
          return reply(request, state.next())
        }))
      ),
      script: (...responses) => Effect.sync(() => state.append(responses)),
      requests: Effect.sync(() => state.requests()),
      remaining: Effect.sync(() => state.remaining())
    }
  })
