/**
 * The library for code that is not Effect yet: `createTokenClient` gives a token, or an authorized `fetch`, as
 * Promises that reject with the library's own error classes.
 *
 * @since 0.1.0
 */
import type * as PromiseClient from "@effect-oauth2/core/promiseClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
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
 * A call made after `close()`, or cut short by it: every call of a closed client rejects with this class, message
 * `"createTokenClient: the client is closed"`.
 *
 * @since 0.1.0
 * @category errors
 */
export const ClosedError: typeof internal.ClosedError = internal.ClosedError

/**
 * @since 0.1.0
 * @category errors
 */
export type ClosedError = internal.ClosedError

/**
 * `TokenService.Credentials`, where a secret (`clientSecret`, `privateKey`) may also be a plain string.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials = PromiseClient.WithStringSecrets<TokenService.Credentials>

/**
 * What `createTokenClient` takes: the `TokenService` options, secrets as plain strings allowed, the HTTP client, and
 * how large a request body `fetch` keeps to send again after a 401.
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
    /**
     * The largest request body, in bytes, that `fetch` keeps in memory to send again after a 401 that rejects the
     * token; default 1 MiB (1048576). A larger body, or a stream that goes on past it, is sent once, streamed as it
     * is read: after a 401 the call resolves with that 401. A whole number, 0 or more.
     */
    readonly replayBodyLimit?: number | undefined
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
   * `TokenError` or `NetworkError`; with `ClosedError` after `close()` or when `close()` cuts it; with the options'
   * `TypeError` when the private key cannot be imported.
   */
  readonly getToken: (request?: TokenRequest.TokenRequest) => Promise<string>
  /**
   * `fetch`, with the configured token in `Authorization`. On a 401 that rejects the token, the token is dropped and
   * the request sent once more with a fresh one when its body allows: no body, or one of at most `replayBodyLimit`
   * bytes (read into memory first); a larger body or a longer stream is sent once, streamed, and the 401 is the
   * answer. With the default HTTP client the request is the platform's own `fetch` and the answer its `Response`,
   * a streamed body following no redirect (the platform would follow only a 303 with one, at the cost of holding the
   * whole body): a redirect rejects with `NetworkError`. Resolves with the response whatever its status; rejects with
   * `NetworkError` when no answer came, `TokenError` when no token could be had, `ClosedError` as `getToken` does,
   * and, when `init.signal` (or the `Request`'s signal) aborts, with the signal's `reason` (an `AbortError`
   * `DOMException` unless another was given) at once, even while the body is being read. A request body stream that
   * fails rejects with `NetworkError`, and the answer's body fails with one. A malformed `input` or `init` rejects
   * with the platform's `TypeError`, as `fetch` does.
   */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
  /**
   * Stops background work, cuts the calls in flight and releases the client's resources. The calls it cuts and every
   * call after it reject with `ClosedError`: a call waiting for a token stops waiting, and a `fetch` whose request has
   * gone out rejects at once while that request ends on its own (its `signal` aborts it). Idempotent.
   */
  readonly close: () => Promise<void>
}

/**
 * A token client for Promise code. Nothing is fetched until the first call. A program that never calls `close` still
 * exits when its own work is done: the client keeps no timer or socket of its own alive.
 *
 * Throws a `TypeError` whose message names the option (`"createTokenClient: clientSecret is empty"`, never its value)
 * when the options are invalid: types, the endpoint, the credentials (a secret that is `undefined`, as an unset
 * environment variable gives, is told so), the policy and `replayBodyLimit`. A private key is imported at the first
 * call: one that cannot be imported (e.g. it does not fit `signingAlgorithm`) makes that call and every later one
 * reject with the same kind of `TypeError` naming `privateKey`. Otherwise calls reject only as `TokenClient` says.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createTokenClient = (options: Options): TokenClient => internal.make(options)
