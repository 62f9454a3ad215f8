/**
 * One way to talk to an authorization server, for the token endpoint and discovery alike: a request is sent once,
 * without redirects; the answer is taken back out of a decorated client's error (`filterStatusOk`, `filterStatus`,
 * a `transformResponse` that fails with an `HttpClientError` whose reason carries the response) and classified by its
 * status as if no wrapper were there; a redirect a wrapped client followed anyway is noticed; a failure to send is a
 * `NetworkError` in words that name no credential; 408, 429 and 5xx are a `NetworkError` carrying `Retry-After`; a
 * JSON body is read up to a limit, whatever `Content-Length` says. What those errors say and the checks of a body are
 * the core's (`@effect-oauth2/core/httpCall`); here is the sending and reading on this line's `HttpClient`. Each
 * caller keeps only its protocol: what the statuses and documents mean.
 */
import * as HttpCall from "@effect-oauth2/core/httpCall"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as NetworkError from "../NetworkError.js"
import { clientFailureOf } from "./describeCause.js"
import { readAtMost } from "./readAtMost.js"

/** Which call to an authorization server: what its errors say. */
export type Call = HttpCall.Call

/** The `NetworkError` with `failure`'s fields. */
export const networkError = ({ retryAfterMillis, ...fields }: HttpCall.NetworkFailure): NetworkError.NetworkError =>
  new NetworkError.NetworkError(
    retryAfterMillis === undefined ? fields : { ...fields, retryAfter: Duration.millis(retryAfterMillis) }
  )

/** Asks a fetch-based client not to follow redirects; other clients do not follow them. */
const withoutRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) =>
    Effect.provideService(effect, FetchHttpClient.RequestInit, {
      ...Context.getOrUndefined(fiber.context, FetchHttpClient.RequestInit),
      redirect: "manual"
    })
  )

/** A failure to send a request or to read its answer, as a `NetworkError` that names no credential. */
export const transportError = (error: HttpClientError.HttpClientError, call: Call): NetworkError.NetworkError =>
  networkError(HttpCall.transportError(clientFailureOf(error), call))

/**
 * The answer to `request`, sent once on `client` without redirects, in the scope (the request and its body are
 * aborted when it closes, read or not); `followedRedirect` when a wrapped client followed one anyway.
 */
export const send = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  call: Call
): Effect.Effect<
  { readonly response: HttpClientResponse.HttpClientResponse; readonly followedRedirect: boolean },
  NetworkError.NetworkError,
  Scope.Scope
> =>
  withoutRedirects(HttpClient.withScope(client).execute(request)).pipe(
    Effect.catch((error) => {
      // an answer a wrapper refused is still the answer
      const response = error.response
      return response === undefined ? Effect.fail(transportError(error, call)) : Effect.succeed(response)
    }),
    Effect.map((response) => ({ response, followedRedirect: response.request.url !== request.url }))
  )

/** A 408, 429 or 5xx answer as the `NetworkError` that says so, with the server's `Retry-After` (capped). */
export const tryLater = (
  response: HttpClientResponse.HttpClientResponse,
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
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number,
  call: Call,
  errors: { readonly tooLarge: () => E; readonly notJson: () => E }
): Effect.Effect<unknown, E | NetworkError.NetworkError> => {
  if (HttpCall.announcesMoreThan(response.headers["content-length"], maxBytes)) return Effect.fail(errors.tooLarge())
  const body = Stream.mapError(response.stream, (error) => transportError(error, call))
  return Effect.flatMap(readAtMost(body, maxBytes), (read) => {
    const json = HttpCall.jsonOf(read)
    if (json._tag === "Json") return Effect.succeed(json.value)
    return Effect.fail(json._tag === "TooLarge" ? errors.tooLarge() : errors.notJson())
  })
}
