/**
 * What every call the library makes to an authorization server shares: no redirects, the answer inside a decorated
 * client's error, and `Retry-After`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NetworkError from "../NetworkError.js"

/**
 * The answer a decorated client turned into an error (`filterStatusOk`, `filterStatus`, a `transformResponse` that
 * fails with a `ResponseError`): it is classified by its status as if no wrapper were there.
 */
export const answerOf = (error: HttpClientError.HttpClientError): HttpClientResponse.HttpClientResponse | undefined =>
  error._tag === "ResponseError" ? error.response : undefined

/** Asks a fetch-based client not to follow redirects; other clients do not follow them. */
export const withoutRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.serviceOption(FetchHttpClient.RequestInit),
    (init) =>
      Effect.provideService(effect, FetchHttpClient.RequestInit, {
        ...Option.getOrElse(init, () => ({})),
        redirect: "manual"
      })
  )

/** `Retry-After` (RFC 9110 §10.2.3), seconds or an HTTP date, capped at `NetworkError.maxRetryAfter`. */
export const retryAfter = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Duration.Duration | undefined> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const header = response.headers["retry-after"]
    if (header === undefined) return undefined
    const millis = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - now
    if (!Number.isFinite(millis)) return undefined
    return Duration.min(Duration.millis(Math.max(0, millis)), NetworkError.maxRetryAfter)
  })
