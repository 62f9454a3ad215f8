/**
 * One way to talk to an authorization server, for the token endpoint and discovery alike: a request is sent once,
 * without redirects; the answer is taken back out of a decorated client's error (`filterStatusOk`, `filterStatus`,
 * a `transformResponse` that fails with a `ResponseError`) and classified by its status as if no wrapper were there;
 * a redirect a wrapped client followed anyway is noticed; a failure to send is a `NetworkError` in words that name no
 * credential; 408, 429 and 5xx are a `NetworkError` carrying `Retry-After`; a JSON body is read up to a limit,
 * whatever `Content-Length` says. Each caller keeps only its protocol: what the statuses and documents mean.
 */
import type { Redactor } from "@effect-oauth2/core/redactor"
import * as RetryAfter from "@effect-oauth2/core/retryAfter"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as NetworkError from "../NetworkError.js"
import { transportFailure } from "./describeCause.js"
import { readAtMost } from "./readAtMost.js"

/** Which call to an authorization server: what its errors say. */
export interface Call {
  readonly source: "TokenEndpoint" | "Discovery"
  /** The origin called, as errors name it. */
  readonly origin: string
  /** Every text from the server or the transport goes through it. */
  readonly redactor: Redactor
}

/** Asks a fetch-based client not to follow redirects; other clients do not follow them. */
const withoutRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.serviceOption(FetchHttpClient.RequestInit),
    (init) =>
      Effect.provideService(effect, FetchHttpClient.RequestInit, {
        ...Option.getOrElse(init, () => ({})),
        redirect: "manual"
      })
  )

/** A failure to send a request or to read its answer, as a `NetworkError` that names no credential. */
export const transportError = (error: HttpClientError.HttpClientError, call: Call): NetworkError.NetworkError =>
  new NetworkError.NetworkError({
    reason: "Transport",
    source: call.source,
    origin: call.origin,
    ...transportFailure(error, call.redactor)
  })

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
    Effect.catchAll((error) =>
      error._tag === "ResponseError" ? Effect.succeed(error.response) : Effect.fail(transportError(error, call))
    ),
    Effect.map((response) => ({ response, followedRedirect: response.request.url !== request.url }))
  )

/** A 408, 429 or 5xx answer as the `NetworkError` that says so, with the server's `Retry-After` (capped). */
export const tryLater = (
  response: HttpClientResponse.HttpClientResponse,
  call: Call
): Effect.Effect<never, NetworkError.NetworkError> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const after = RetryAfter.parse(response.headers["retry-after"], now)
    return Effect.fail(
      new NetworkError.NetworkError({
        reason: response.status === 429 ? "RateLimited" : "ServerError",
        source: call.source,
        origin: call.origin,
        status: response.status,
        ...(after === undefined ? {} : { retryAfter: Duration.millis(after) })
      })
    )
  })

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
  const header = response.headers["content-length"]
  if (header !== undefined && /^\d+$/.test(header) && Number(header) > maxBytes) return Effect.fail(errors.tooLarge())
  // mapped on the stream, not after: its runtime logs the error it fails with (at Debug), as it is
  const body = Stream.mapError(response.stream, (error) => transportError(error, call))
  return Effect.flatMap(
    readAtMost(body, maxBytes),
    ({ text, truncated }) =>
      truncated ? Effect.fail(errors.tooLarge()) : Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: errors.notJson
      })
  )
}
