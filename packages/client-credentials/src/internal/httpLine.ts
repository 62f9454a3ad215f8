/**
 * This line's HTTP client, as the modules written once for both lines use it (`http.ts`, `discovery.ts`,
 * `tokenEndpoint.ts`, `authorizedClient.ts`, `promise.ts`): a token request built, the fetch-based client and how it is
 * asked not to follow redirects, and the answer a decorated client's error carries (a `ResponseError`'s), or only one
 * it refused for its status. What both lines' HTTP modules name alike (`HttpClient`, `HttpClientRequest`,
 * `HttpClientError`) the shared modules take from `effectLine.ts`.
 */
import type { WireRequest } from "@effect-oauth2/core/tokenEndpoint"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** A GET of `url` that asks for JSON. */
export const getJson = (url: string): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.get(url).pipe(HttpClientRequest.acceptJson)

/** The request `wire` describes, its form in the body. */
export const requestOf = (wire: WireRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(wire.method)(wire.url).pipe(
    HttpClientRequest.setHeaders(wire.headers),
    HttpClientRequest.bodyUrlParams(wire.form)
  )

/** The HTTP client on the platform's `fetch` (`FetchHttpClient.layer`). */
export const fetchLayer = FetchHttpClient.layer

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

/** The answer `error` carries when a decorated client refused it (a `ResponseError`); `undefined` when none came. */
export const answerOf = (error: HttpClientError.HttpClientError): HttpClientResponse.HttpClientResponse | undefined =>
  error._tag === "ResponseError" ? error.response : undefined

/**
 * The answer `error` carries when a decorated client refused it for its status (`filterStatusOk`, `filterStatus`: a
 * `ResponseError` whose reason is `StatusCode`); `undefined` for any other error, an answer whose body failed too.
 */
export const statusRefusedAnswer = (
  error: HttpClientError.HttpClientError
): HttpClientResponse.HttpClientResponse | undefined =>
  error._tag === "ResponseError" && error.reason === "StatusCode" ? error.response : undefined
