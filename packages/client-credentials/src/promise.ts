/**
 * The library for code that is not Effect yet: `createTokenClient` gives a token, or an authorized `fetch`, as
 * Promises that reject with the library's own error classes.
 *
 * @since 0.1.0
 */
import type * as PromiseClient from "@effect-oauth2/core/promiseClient"
import type * as Layer from "effect/Layer"
import type { HttpClient } from "./internal/effectLine.js"
import * as internal from "./internal/promise.js"
import type * as TokenRequest from "./TokenRequest.js"
import type * as TokenService from "./TokenService.js"

/**
 * The authorization server said no, or answered something that is not a usable token: the very class of
 * `TokenError.TokenError`, so `err instanceof TokenError` holds for what the client rejects with.
 *
 * @since 0.1.0
 * @category errors
 */
export { TokenError } from "./TokenError.js"

/**
 * No answer that could be used: the very class of `NetworkError.NetworkError`.
 *
 * @since 0.1.0
 * @category errors
 */
export { NetworkError } from "./NetworkError.js"

/**
 * A protected API refused a request: the very class of `ApiError.ApiError`. `fetch` never rejects with it (it
 * resolves with the response, whatever its status); it is here for code that shares errors with Effect code.
 *
 * @since 0.1.0
 * @category errors
 */
export { ApiError } from "./ApiError.js"

/**
 * A call made after `close()`, or cut short by it: every call of a closed client rejects with this class, message
 * `"createTokenClient: the client is closed"`.
 *
 * @since 0.1.0
 * @category errors
 */
export { ClosedError } from "@effect-oauth2/core/promiseClient"

/**
 * `TokenService.Credentials`, where a secret (`clientSecret`, `privateKey`) may also be a plain string.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials = PromiseClient.WithStringSecrets<TokenService.Credentials>

/**
 * What `createTokenClient` takes: the `TokenService` options, secrets as plain strings allowed, the HTTP client, and
 * how large a request body `fetch` keeps to send again after a 401 (`replayBodyLimit`, default 1 MiB).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = PromiseClient.Options<TokenService.Options, Layer.Layer<HttpClient.HttpClient>>

/**
 * What `createTokenClient` returns: `getToken`, an authorized `fetch`, and `close`
 * (`TokenClient` of `@effect-oauth2/core/promiseClient`, where each is described).
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenClient extends PromiseClient.TokenClient<TokenRequest.TokenRequest> {}

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
