/**
 * An `HttpClient` that sends every request with an access token, and recovers once from a rejected token.
 *
 * @since 0.1.0
 */
import type * as Rules from "@effect-oauth2/core/authorizedClient"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as ApiError from "./ApiError.js"
import * as internal from "./internal/authorizedClient.js"
import { AuthorizedClient } from "./internal/authorizedClientService.js"
import * as EffectLine from "./internal/effectLine.js"
import { HttpClient, type HttpClientError } from "./internal/effectLine.js"
import * as NetworkError from "./NetworkError.js"
import * as TokenError from "./TokenError.js"
import type * as TokenRequest from "./TokenRequest.js"
import * as TokenService from "./TokenService.js"

/**
 * The errors an authorized request can fail with: no token (`TokenError`), no answer (`NetworkError`, `source`
 * `"Api"` for the call itself), or an answer with an error status (`ApiError`).
 *
 * @since 0.1.0
 * @category models
 */
export type AuthorizedClientError = TokenError.TokenError | NetworkError.NetworkError | ApiError.ApiError

/**
 * The schema of `AuthorizedClientError`, e.g. to send one across a worker or an RPC boundary.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuthorizedClientError = EffectLine.schemaUnion([
  TokenError.TokenError,
  NetworkError.NetworkError,
  ApiError.ApiError
])

/**
 * How `AuthorizedClient` picks its token and treats refusals (`Options` of `@effect-oauth2/core/authorizedClient`,
 * where each option is described).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Rules.Options<TokenRequest.TokenRequest> {}

/**
 * The `HttpClient` that `AuthorizedClient` provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Service = HttpClient.HttpClient.With<AuthorizedClientError>

/**
 * The authorized `HttpClient`, as provided by `AuthorizedClient.layer`.
 *
 * @since 0.1.0
 * @category tags
 */
export { AuthorizedClient }

/**
 * Wraps any `HttpClient` so that its requests carry a token from `tokens`. Its transport errors become
 * `NetworkError`, its status errors `ApiError`; its other errors pass through.
 *
 * @since 0.1.0
 * @category middleware
 */
export const withTokens: {
  (
    options: Options & { readonly tokens: TokenService.Service }
  ): <E, R>(
    self: HttpClient.HttpClient.With<E, R>
  ) => HttpClient.HttpClient.With<Exclude<E, HttpClientError.HttpClientError> | AuthorizedClientError, R>
  <E, R>(
    self: HttpClient.HttpClient.With<E, R>,
    options: Options & { readonly tokens: TokenService.Service }
  ): HttpClient.HttpClient.With<Exclude<E, HttpClientError.HttpClientError> | AuthorizedClientError, R>
} = dual(2, internal.withTokens)

/**
 * The `HttpClient` in context, authorized with the `TokenService` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Service, never, TokenService.TokenService | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const tokens = yield* TokenService.TokenService
    const client = yield* HttpClient.HttpClient
    return internal.withTokens(client, { ...options, tokens })
  })

/**
 * A layer providing `AuthorizedClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<AuthorizedClient, never, TokenService.TokenService | HttpClient.HttpClient> =>
  Layer.effect(AuthorizedClient, make(options))
