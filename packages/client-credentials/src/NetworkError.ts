/**
 * No answer that could be used: the connection failed, the request timed out, or the server was overloaded or
 * failing. Raised for the token endpoint and for the issuer's metadata (discovery), both after the retry schedule,
 * and by `AuthorizedClient` when a call to the API itself fails in transport (not retried: the library cannot know
 * whether the call is safe to repeat). `source` says which of the three, `origin` where.
 *
 * @since 0.1.0
 */
import * as Errors from "@effect-oauth2/core/errors"
import * as RetryAfter from "@effect-oauth2/core/retryAfter"
import * as TokenResponse from "@effect-oauth2/core/tokenResponse"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as EffectLine from "./internal/effectLine.js"

/**
 * Marks a `NetworkError`; see `isNetworkError`.
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("@effect-oauth2/client-credentials/NetworkError")

/**
 * The type of `TypeId`.
 *
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * Why there was no usable answer: `Transport`, `Timeout`, `ServerError`, `RateLimited`, each described at
 * `networkErrorReasons` in `@effect-oauth2/core/errors`.
 *
 * @since 0.1.0
 * @category models
 */
export const Reason = EffectLine.schemaLiterals(Errors.networkErrorReasons)

/**
 * Why there was no usable answer.
 *
 * @since 0.1.0
 * @category models
 */
export type Reason = typeof Reason.Type

/**
 * Which call got no usable answer: `TokenEndpoint`, `Discovery` (the issuer's metadata) or `Api`, each described at
 * `networkErrorSources` in `@effect-oauth2/core/errors`.
 *
 * @since 0.1.0
 * @category models
 */
export const Source = EffectLine.schemaLiterals(Errors.networkErrorSources)

/**
 * Which call got no usable answer.
 *
 * @since 0.1.0
 * @category models
 */
export type Source = typeof Source.Type

/**
 * The statuses that say "try again later": retried on the retry schedule.
 *
 * @since 0.1.0
 * @category models
 */
export const retryableStatuses: ReadonlySet<number> = TokenResponse.retryableStatuses

/**
 * The longest `Retry-After` the library honours.
 *
 * @since 0.1.0
 * @category models
 */
export const maxRetryAfter: Duration.Duration = Duration.millis(RetryAfter.maxRetryAfterMillis)

/**
 * No usable answer. From the token endpoint, the `isRetryable` ones have already been retried on the configured
 * schedule when a caller sees them; from `AuthorizedClient`, a `Transport` failure of the API call itself. Its fields
 * are `NetworkErrorFields` of `@effect-oauth2/core/errors`, where each is described; `retryAfter` is a `Duration`.
 *
 * Never holds the client secret, an access token, or the request that was sent.
 *
 * @since 0.1.0
 * @category errors
 */
// the schema's identifier is the tag on Effect 4, which names an error after it (`String(error)` reads `NetworkError: …`),
// and `@effect-oauth2/client-credentials/NetworkError` on Effect 3
export class NetworkError extends EffectLine.schemaTaggedError<NetworkError>()(
  "NetworkError",
  {
    reason: Reason,
    /** Which call failed: the token endpoint's, the issuer's metadata (discovery), or the API's. */
    source: Source,
    /**
     * Where: the `scheme://host[:port]` of the URL called, never its path, query or credentials. Absent when the
     * URL could not be parsed.
     */
    origin: EffectLine.schemaOptionalKey(Schema.String),
    /**
     * The HTTP status: for `ServerError` and `RateLimited`, and for a `Transport` failure of an answer that came
     * (its body broke off, or a wrapper could not decode it).
     */
    status: EffectLine.schemaOptionalKey(Schema.Number),
    /** The server's `Retry-After`, capped at 60 seconds. */
    retryAfter: EffectLine.schemaOptionalKey(Schema.DurationFromMillis),
    /**
     * What went wrong, in words that never include a credential. For `Transport`, the phrase the message puts after
     * where the call went: `unreachable (ECONNREFUSED)`, `not reached: the proxy 10.0.0.5:3128 is unreachable
     * (ECONNREFUSED)` (the failed connection went to another host or port than the URL's: a proxy's),
     * `could not be called (UND_ERR_SOCKET: other side closed)`,
     * `failed TLS verification (…)`, `not sent (InvalidUrl: …)`, `broke off its answer after HTTP 200 (…)`,
     * `answered HTTP 200 with a body that could not be decoded (SyntaxError)`; for `Timeout`, e.g.
     * `no answer within 30s`.
     */
    detail: EffectLine.schemaOptionalKey(Schema.String)
  }
) implements Errors.NetworkErrorFields<Duration.Duration> {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Which call failed and where, then what happened, once (`networkErrorMessage`): e.g.
   * `token endpoint https://login.example.com unreachable (ECONNREFUSED)`, or for discovery
   * `issuer https://login.example.com unreachable (ECONNREFUSED)`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return Errors.networkErrorMessage({
      reason: this.reason,
      source: this.source,
      origin: this.origin,
      status: this.status,
      retryAfter: this.retryAfter === undefined ? undefined : Duration.toMillis(this.retryAfter),
      detail: this.detail
    })
  }

  /**
   * Whether trying again may help: transport failures, timeouts, and 408, 429, 500, 502, 503, 504 answers
   * (`isRetryable` of `@effect-oauth2/core/errors`).
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return Errors.isRetryable(this)
  }
}

/**
 * Whether a value is a `NetworkError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isNetworkError = (u: unknown): u is NetworkError => Predicate.hasProperty(u, TypeId)
