/**
 * The in-memory client on Effect 3: reads each request's body as the core records it, keeps the script and the
 * records in the core's `MockState`, and answers with a platform `HttpClientResponse`, a hang, a sleep or a
 * `RequestError` as the scripted answer says.
 */
import * as core from "@effect-oauth2/core/mockHttpClient"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as MockHttpClient from "../MockHttpClient.js"

/** The text of a body the core reads at once or later. */
const textOf = (body: unknown): Effect.Effect<string> =>
  Effect.suspend(() => {
    const text = core.bodyText(body)
    return typeof text === "string" ? Effect.succeed(text) : Effect.promise(() => text)
  })

/** The body as it would go on the wire, as text. */
const bodyText = (body: HttpBody.HttpBody): Effect.Effect<string> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
    case "Raw":
      return textOf(body.body)
    case "FormData":
      return textOf(body.formData)
    case "Stream":
      return body.stream.pipe(
        Stream.runCollect,
        Effect.map((chunks) => core.bytesText(Array.from(chunks))),
        Effect.orElseSucceed(() => "")
      )
  }
}

const record = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): Effect.Effect<MockHttpClient.RecordedRequest> =>
  Effect.map(bodyText(request.body), (body) =>
    core.recordedRequest({
      method: request.method,
      url: url.toString(),
      headers: request.headers,
      body,
      contentType: request.body.contentType,
      contentLength: request.body.contentLength
    }))

const answer = (
  request: HttpClientRequest.HttpClientRequest,
  response: MockHttpClient.MockResponse
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  switch (response._tag) {
    case "Respond":
      return Effect.sync(() => HttpClientResponse.fromWeb(request, core.webResponse(response)))
    case "Token":
      return Effect.sync(() => HttpClientResponse.fromWeb(request, core.webResponse(core.tokenAnswer(response))))
    case "Hang":
      return Effect.never
    case "TransportError":
      return Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
          description: "scripted transport error"
        })
      )
    case "Delayed":
      return Effect.zipRight(Effect.sleep(response.delay), answer(request, response.response))
  }
}

/** @internal */
export const make = (options: MockHttpClient.Options = {}): Effect.Effect<MockHttpClient.Service> =>
  Effect.sync(() => {
    const state = new core.MockState<Duration.Duration>(options)
    const client = HttpClient.make((request, url) =>
      Effect.flatMap(record(request, url), (recorded) => {
        state.record(recorded)
        return answer(request, state.next())
      })
    )
    return {
      client,
      script: (...responses) =>
        Effect.sync(() => {
          state.append(responses)
        }),
      requests: Effect.sync(() => state.requests()),
      remaining: Effect.sync(() => state.remaining())
    }
  })
