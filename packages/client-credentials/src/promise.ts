/**
 * The library for code that is not Effect yet: `createTokenClient` gives a token, or an authorized `fetch`, as
 * Promises that reject with the library's own error classes.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as ApiError_ from "./ApiError.js"
import * as internal from "./internal/promise.js"
import * as NetworkError_ from "./NetworkError.js"
import * as TokenError_ from "./TokenError.js"
import type * as TokenRequest from "./TokenRequest.js"
import type * as TokenService from "./TokenService.js"

/**
 * The authorization server said no, or answered something that is not a usable token: the very class of
 * `TokenError.TokenError`, so `err instanceof TokenError` holds for what the client rejects with.
 *
 * @since 0.1.0
 * @category errors
 */
export const TokenError: typeof TokenError_.TokenError = TokenError_.TokenError

/**
 * @since 0.1.0
 * @category errors
 */
export type TokenError = TokenError_.TokenError

/**
 * No answer that could be used: the very class of `NetworkError.NetworkError`.
 *
 * @since 0.1.0
 * @category errors
 */
export const NetworkError: typeof NetworkError_.NetworkError = NetworkError_.NetworkError

/**
 * @since 0.1.0
 * @category errors
 */
export type NetworkError = NetworkError_.NetworkError

/**
 * A protected API refused a request: the very class of `ApiError.ApiError`. `fetch` never rejects with it (it
 * resolves with the response, whatever its status); it is here for code that shares errors with Effect code.
 *
 * @since 0.1.0
 * @category errors
 */
export const ApiError: typeof ApiError_.ApiError = ApiError_.ApiError

/**
 * @since 0.1.0
 * @category errors
 */
export type ApiError = ApiError_.ApiError

/**
 * `TokenService.Credentials`, where a secret (`clientSecret`, `privateKey`) may also be a plain string.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials = TokenService.Credentials extends infer C ? C extends unknown ? {
      readonly [K in keyof C]: K extends "clientSecret" | "privateKey"
        ? Exclude<C[K], undefined> extends never ? C[K] : C[K] | string
        : C[K]
    }
  : never
  : never

/**
 * What `createTokenClient` takes: the `TokenService` options, secrets as plain strings allowed, and the HTTP client.
 *
 * @since 0.1.0
 * @category models
 */
export type Options =
  & TokenService.EndpointOptions
  & Credentials
  & TokenService.RequestOptions
  & TokenService.PolicyOptions
  & {
    /** The HTTP client, for the token endpoint and `fetch`; default `FetchHttpClient.layer` (the global `fetch`). */
    readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
  }

/**
 * What `createTokenClient` returns.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenClient {
  /**
   * The access token itself (the one place the library hands a token out in clear): the configured one, or one for
   * `request`. A still-valid configured token is served without entering the Effect runtime. Rejects with
   * `TokenError` or `NetworkError`.
   */
  readonly getToken: (request?: TokenRequest.TokenRequest) => Promise<string>
  /**
   * `fetch`, with the configured token in `Authorization`. On a 401 that rejects the token, the token is dropped and
   * the request sent once more with a fresh one when its body allows. Resolves with the response whatever its status;
   * rejects with `NetworkError` when no answer came, `TokenError` when no token could be had. `init.signal` aborts.
   */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
  /** Stops background work and releases the client's resources. Calls after it reject. Idempotent. */
  readonly close: () => Promise<void>
}

const reveal = (secret: string | Redacted.Redacted<string> | undefined) =>
  typeof secret === "string" ? Redacted.make(secret) : secret

/**
 * A token client for Promise code. Nothing is fetched until the first call. A program that never calls `close` still
 * exits when its own work is done: the client keeps no timer or socket of its own alive. Throws an
 * `IllegalArgumentException` at the first call when the options are invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createTokenClient = (options: Options): TokenClient => {
  const { httpClient, ...rest } = options
  const service = {
    ...rest,
    ...("clientSecret" in rest && rest.clientSecret !== undefined ? { clientSecret: reveal(rest.clientSecret) } : {}),
    ...("privateKey" in rest && rest.privateKey !== undefined ? { privateKey: reveal(rest.privateKey) } : {})
  } as TokenService.Options
  return internal.make(service, httpClient ?? FetchHttpClient.layer)
}
