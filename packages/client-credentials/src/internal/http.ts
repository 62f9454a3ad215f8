/**
 * One way to talk to an authorization server, for the token endpoint and discovery alike: a request is sent once,
 * without redirects; the answer is taken back out of a decorated client's error (`filterStatusOk`, `filterStatus`,
 * a `transformResponse` that fails with an error that carries the response) and classified by its status as if no
 * wrapper were there; a redirect a wrapped client followed anyway is noticed; a failure to send is a `NetworkError` in
 * words that name no credential; 408, 429 and 5xx are a `NetworkError` carrying `Retry-After`; a JSON body is read up
 * to a limit, whatever `Content-Length` says. What those errors say and the checks of a body are the core's
 * (`@effect-oauth2/core/httpCall`); here is the sending and reading on this line's `HttpClient` (`httpLine.ts`).
 * Each caller keeps only its protocol: what the statuses and documents mean.
 */
import * as HttpCall from "@effect-oauth2/core/httpCall"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as NetworkError from "../NetworkError.js"
import { clientFailureOf } from "./describeCause.js"
import * as EffectLine from "./effectLine.js"
import * as HttpLine from "./httpLine.js"
import { readAtMost } from "./readAtMost.js"

/** Which call to an authorization server: what its errors say. */
export type Call = HttpCall.Call

/** The `NetworkError` with `failure`'s fields. */
export const networkError = ({ retryAfterMillis, ...fields }: HttpCall.NetworkFailure): NetworkError.NetworkError =>
  new NetworkError.NetworkError(
    retryAfterMillis === undefined ? fields : { ...fields, retryAfter: Duration.millis(retryAfterMillis) }
  )

/** A failure to send a request or to read its answer, as a `NetworkError` that names no credential. */
export const transportError = (
  error: EffectLine.HttpClientError.HttpClientError,
  call: Call
): NetworkError.NetworkError => networkError(HttpCall.transportError(clientFailureOf(error), call))

/**
 * The answer to `request`, sent once on `client` without redirects, in the scope (the request and its body are
 * aborted when it closes, read or not); `followedRedirect` when a wrapped client followed one anyway.
 */
export const send = (
  client: EffectLine.HttpClient.HttpClient,
  request: EffectLine.HttpClientRequest.HttpClientRequest,
  call: Call
): Effect.Effect<
  { readonly response: EffectLine.HttpClientResponse.HttpClientResponse; readonly followedRedirect: boolean },
  NetworkError.NetworkError,
  Scope.Scope
> =>
  HttpLine.withoutRedirects(EffectLine.HttpClient.withScope(client).execute(request)).pipe(
    EffectLine.catch((error) => {
      // an answer a wrapper refused is still the answer
      const response = HttpLine.answerOf(error)
      return response === undefined ? Effect.fail(transportError(error, call)) : Effect.succeed(response)
    }),
    Effect.map((response) => ({ response, followedRedirect: response.request.url !== request.url }))
  )

/** A 408, 429 or 5xx answer as the `NetworkError` that says so, with the server's `Retry-After` (capped). */
export const tryLater = (
  response: EffectLine.HttpClientResponse.HttpClientResponse,
  call: Call
): Effect.Effect<never, NetworkError.NetworkError> =>
  Effect.flatMap(
    Clock.currentTimeMillis,
    (now) => Effect.fail(networkError(HttpCall.tryLater(response.status, response.headers["retry-after"], now, call)))
  )

/**
 * The body as JSON, at most `maxBytes` of it decoded, whatever `Content-Length` says (a fetch-based client
 * decompresses and keeps the compressed length; a custom one need not hold the body to it): refused unread when it
 * announces more, and as soon as it passes the limit. `tooLarge` and `notJson` are the caller's words for those.
 */
export const readJson = <E>(
  response: EffectLine.HttpClientResponse.HttpClientResponse,
  maxBytes: number,
  call: Call,
  errors: { readonly tooLarge: () => E; readonly notJson: () => E }
): Effect.Effect<unknown, E | NetworkError.NetworkError> => {
  if (HttpCall.announcesMoreThan(response.headers["content-length"], maxBytes)) return Effect.fail(errors.tooLarge())
  // mapped on the stream, not after: a stream's runtime may log the error it fails with (at Debug), as it is
  const body = Stream.mapError(response.stream, (error) => transportError(error, call))
  return Effect.flatMap(readAtMost(body, maxBytes), (read) => {
    const json = HttpCall.jsonOf(read)
    switch (json._tag) {
      case "Json":
        return Effect.succeed(json.value)
      case "TooLarge":
        return Effect.fail(errors.tooLarge())
      case "NotJson":
        return Effect.fail(errors.notJson())
    }
  })
}
