/**
 * A `TokenService` for testing an application without an authorization server: it answers with a fixed token or
 * with a function of yours, and records what it was asked.
 *
 * @since 0.1.0
 */
import type { AccessToken, NetworkError, TokenError, TokenRequest } from "@effect-oauth2/client-credentials"
import { TokenService } from "@effect-oauth2/client-credentials"
import type * as core from "@effect-oauth2/core/tokenServiceTest"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as EffectLine from "./internal/effectLine.js"
import { TokenServiceTest } from "./internal/keys.js"
import * as internal from "./internal/tokenServiceTest.js"

/**
 * What the test `TokenService` was asked.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Every request made, in order: `getFor(request)` records `request`, `get` records `{}`. */
  readonly requests: Effect.Effect<ReadonlyArray<TokenRequest.TokenRequest>>
  /** Every token passed to `invalidate`, in order. */
  readonly invalidated: Effect.Effect<ReadonlyArray<AccessToken.AccessToken>>
}

/**
 * What the test `TokenService` was asked, as provided by `TokenServiceTest.layer`.
 *
 * @since 0.1.0
 * @category tags
 */
export { TokenServiceTest }

/** A test service's answer to one request. */
type Answer = (
  request: TokenRequest.TokenRequest
) => Effect.Effect<AccessToken.AccessToken, TokenError.TokenError | NetworkError.NetworkError>

/**
 * How the test `TokenService` answers:
 * - `{ token }`: always this token. A string becomes a `Bearer` token issued when the layer is built (on Effect's
 *   `Clock`, so `TestClock` time in tests) with a lifetime of one hour.
 * - `{ respond }`: whatever `respond` gives for each request (`get` passes `{}`), failures included.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = core.Options<AccessToken.AccessToken, Answer>

/**
 * What `makeToken` may be told; everything has a default: `tokenType` `"Bearer"`, no `scopes`, `issuedAt` the wall
 * clock's now (`Date.now()`; pass the `TestClock`'s time when a test depends on it), `lifetime` one hour.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenOptions
  extends core.TokenOptions<AccessToken.TokenType, DateTime.DateTime.Input, EffectLine.DurationInput>
{}

/**
 * Builds an `AccessToken` for a test, e.g. `makeToken("abc")` or
 * `makeToken("abc", { scopes: ["read"], issuedAt: 0, lifetime: "5 minutes" })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeToken: (value: string | Redacted.Redacted<string>, options?: TokenOptions) => AccessToken.AccessToken =
  internal.makeToken

/**
 * Creates a test `TokenService` and the `TokenServiceTest` service that watches it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<{ readonly tokenService: TokenService.Service; readonly test: Service }> = internal.make

/**
 * A layer providing a test `TokenService` and the `TokenServiceTest` service that records what it was asked.
 *
 * @example
 * ```ts
 * import { TokenServiceTest } from "@effect-oauth2/testing"
 *
 * const TestTokens = TokenServiceTest.layer({ token: "test-token" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<TokenService.TokenService | TokenServiceTest> =>
  Layer.effectContext(internal.context(options, TokenService.TokenService, TokenServiceTest))

/**
 * The identifier of what the test service standing for the named token service `Self` was asked (see `layerFor`).
 *
 * @since 0.1.0
 * @category models
 */
export interface For<in out Self> {
  readonly "@effect-oauth2/testing/TokenServiceTest/For": (_: Self) => Self
}

// a named token service's test layer and the key of what it was asked: each line's own kind of key, as
// `internal/keys.ts` declares and documents them
export { layerFor, tagFor } from "./internal/keys.js"
