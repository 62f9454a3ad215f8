/**
 * No answer that could be used: the connection failed, the request timed out, or the server was overloaded or
 * failing. Raised for the token endpoint and for the issuer's metadata (discovery), both after the retry schedule,
 * and by `AuthorizedClient` when a call to the API itself fails in transport (not retried: the library cannot know
 * whether the call is safe to repeat). `source` says which of the three, `origin` where.
 *
 * @since 0.1.0
 */
import * as RetryAfter from "@effect-oauth2/core/retryAfter"
import * as TokenResponse from "@effect-oauth2/core/tokenResponse"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

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
 * - `Transport`: the request could not be sent or the answer not read (refused, reset, DNS, …);
 * - `Timeout`: one attempt took longer than `requestTimeout`;
 * - `ServerError`: a 5xx or 408 answer;
 * - `RateLimited`: a 429 answer.
 *
 * @since 0.1.0
 * @category models
 */
export const Reason = Schema.Literal("Transport", "Timeout", "ServerError", "RateLimited")

/**
 * Why there was no usable answer.
 *
 * @since 0.1.0
 * @category models
 */
export type Reason = typeof Reason.Type

/**
 * Which call got no usable answer: a token request (`TokenEndpoint`), a request for the issuer's metadata when the
 * token endpoint is discovered from an `issuer` (`Discovery`), or a call to the API through `AuthorizedClient`
 * (`Api`).
 *
 * @since 0.1.0
 * @category models
 */
export const Source = Schema.Literal("TokenEndpoint", "Discovery", "Api")

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
 * schedule when a caller sees them; from `AuthorizedClient`, a `Transport` failure of the API call itself.
 *
 * Never holds the client secret, an access token, or the request that was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class NetworkError extends Schema.TaggedError<NetworkError>("@effect-oauth2/client-credentials/NetworkError")(
  "NetworkError",
  {
    reason: Reason,
    /** Which call failed: the token endpoint's, the issuer's metadata (discovery), or the API's. */
    source: Source,
    /**
     * Where: the `scheme://host[:port]` of the URL called, never its path, query or credentials. Absent when the
     * URL could not be parsed.
     */
    origin: Schema.optional(Schema.String),
    /**
     * The HTTP status: for `ServerError` and `RateLimited`, and for a `Transport` failure of an answer that came
     * (its body broke off, or a wrapper could not decode it).
     */
    status: Schema.optional(Schema.Number),
    /** The server's `Retry-After`, capped at 60 seconds. */
    retryAfter: Schema.optional(Schema.DurationFromMillis),
    /**
     * What went wrong, in words that never include a credential. For `Transport`, the phrase the message puts after
     * where the call went: `unreachable (ECONNREFUSED)`, `not reached: the proxy 10.0.0.5:3128 is unreachable
     * (ECONNREFUSED)` (the failed connection went to another host or port than the URL's: a proxy's),
     * `could not be called (UND_ERR_SOCKET: other side closed)`,
     * `failed TLS verification (…)`, `not sent (InvalidUrl: …)`, `broke off its answer after HTTP 200 (…)`,
     * `answered HTTP 200 with a body that could not be decoded (SyntaxError)`; for `Timeout`, e.g.
     * `no answer within 30s`.
     */
    detail: Schema.optional(Schema.String)
  }
) {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Which call failed and where, then what happened, once: e.g.
   * `token endpoint https://login.example.com unreachable (ECONNREFUSED)`, or for discovery
   * `issuer https://login.example.com unreachable (ECONNREFUSED)`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    const where = this.source === "TokenEndpoint" ? "token endpoint" : this.source === "Discovery" ? "issuer" : "API"
    const at = this.origin === undefined ? where : `${where} ${this.origin}`
    const why = this.detail === undefined ? "" : ` (${this.detail})`
    const status = this.status === undefined ? "" : ` (HTTP ${this.status})`
    const retryAfter = this.retryAfter === undefined ? "" : `, retry after ${Duration.format(this.retryAfter)}`
    switch (this.reason) {
      case "Transport":
        return `${at} ${this.detail ?? "unreachable"}`
      case "Timeout":
        return `${at} timed out${why}`
      case "ServerError":
        return `${at} failed${status}${retryAfter}${why}`
      case "RateLimited":
        return `${at} rate limited the request${status}${retryAfter}${why}`
    }
  }

  /**
   * Whether trying again may help: transport failures, timeouts, and 408, 429, 500, 502, 503, 504 answers.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return this.reason === "Transport" || this.status === undefined || retryableStatuses.has(this.status)
  }
}

/**
 * Whether a value is a `NetworkError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isNetworkError = (u: unknown): u is NetworkError => Predicate.hasProperty(u, TypeId)
