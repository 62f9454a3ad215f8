/**
 * This line's HTTP client, as the modules written once for both lines use it (`http.ts`, `discovery.ts`,
 * `tokenEndpoint.ts`): a request built, sent once without redirects, and the answer a decorated client's error
 * carries (its reason's, a `StatusCodeError`'s for instance).
 */
import type { WireRequest } from "@effect-oauth2/core/tokenEndpoint"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Scope from "effect/Scope"

/** A GET of `url` that asks for JSON. */
export const getJson = (url: string): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.acceptJson(HttpClientRequest.get(url))

/** The request `wire` describes, its form in the body. */
export const requestOf = (wire: WireRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.post(wire.url).pipe(
    HttpClientRequest.setHeaders(wire.headers),
    HttpClientRequest.bodyUrlParams(wire.form)
  )

/** Asks a fetch-based client not to follow redirects; other clients do not follow them. */
const withoutRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) =>
    Effect.provideService(effect, FetchHttpClient.RequestInit, {
      ...Context.getOrUndefined(fiber.context, FetchHttpClient.RequestInit),
      redirect: "manual"
    })
  )

/**
 * `request` sent once on `client`, without redirects, in the scope (the request and its body are aborted when it
 * closes, read or not).
 */
export const execute = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, Scope.Scope> =>
  withoutRedirects(HttpClient.withScope(client).execute(request))

/** The answer `error` carries when a decorated client refused it; `undefined` when none came. */
export const answerOf = (error: HttpClientError.HttpClientError): HttpClientResponse.HttpClientResponse | undefined =>
  error.response
