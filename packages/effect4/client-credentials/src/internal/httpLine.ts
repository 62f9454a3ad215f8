/**
 * This line's HTTP client, as the modules written once for both lines use it (`http.ts`, `discovery.ts`,
 * `tokenEndpoint.ts`, `authorizedClient.ts`, `promise.ts`): a token request built, the fetch-based client and how it is
 * asked not to follow redirects, and the answer a decorated client's error carries (its reason's, a `StatusCodeError`'s
 * for instance), or only one it refused for its status. What both lines' HTTP modules name alike (`HttpClient`,
 * `HttpClientRequest`, `HttpClientError`) the shared modules take from `effectLine.ts`.
 */
import type { WireRequest } from "@effect-oauth2/core/tokenEndpoint"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"

/** A GET of `url` that asks for JSON. */
export const getJson = (url: string): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.acceptJson(HttpClientRequest.get(url))

/** The request `wire` describes, its form in the body. */
export const requestOf = (wire: WireRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.post(wire.url).pipe(
    HttpClientRequest.setHeaders(wire.headers),
    HttpClientRequest.bodyUrlParams(wire.form)
  )

/** The HTTP client on the platform's `fetch` (`FetchHttpClient.layer`). */
export const fetchLayer = FetchHttpClient.layer

/** Asks a fetch-based client not to follow redirects; other clients do not follow them. */
export const withoutRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) =>
    Effect.provideService(effect, FetchHttpClient.RequestInit, {
      ...Context.getOrUndefined(fiber.context, FetchHttpClient.RequestInit),
      redirect: "manual"
    })
  )

/** The answer `error` carries when a decorated client refused it; `undefined` when none came. */
export const answerOf = (error: HttpClientError.HttpClientError): HttpClientResponse.HttpClientResponse | undefined =>
  error.response

/**
 * The answer `error` carries when a decorated client refused it for its status (`filterStatusOk`, `filterStatus`: its
 * reason a `StatusCodeError`); `undefined` for any other error, an answer whose body failed too.
 */
export const statusRefusedAnswer = (
  error: HttpClientError.HttpClientError
): HttpClientResponse.HttpClientResponse | undefined =>
  error.reason._tag === "StatusCodeError" ? error.reason.response : undefined
