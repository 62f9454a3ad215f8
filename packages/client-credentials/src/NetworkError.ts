/**
 * No answer that could be used: the connection failed, the request timed out, or the server was overloaded or
 * failing. Raised for the token endpoint (after the retry schedule), and by `AuthorizedClient` when a call to the
 * API itself fails in transport (not retried: the library cannot know whether the call is safe to repeat).
 *
 * @since 0.1.0
 */
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
 * The statuses that say "try again later": retried on the retry schedule.
 *
 * @since 0.1.0
 * @category models
 */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * The longest `Retry-After` the library honours.
 *
 * @since 0.1.0
 * @category models
 */
export const maxRetryAfter: Duration.Duration = Duration.seconds(60)

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
    /** The HTTP status, for `ServerError` and `RateLimited`. */
    status: Schema.optional(Schema.Number),
    /** The server's `Retry-After`, capped at 60 seconds. */
    retryAfter: Schema.optional(Schema.DurationFromMillis),
    /** What went wrong, in words that never include a credential. */
    detail: Schema.optional(Schema.String)
  }
) {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const parts: Array<string> = [this.reason]
    if (this.status !== undefined) parts.push(`[HTTP ${this.status}]`)
    if (this.retryAfter !== undefined) parts.push(`retry after ${Duration.format(this.retryAfter)}`)
    if (this.detail !== undefined) parts.push(`- ${this.detail}`)
    return parts.join(" ")
  }

  /**
   * Whether trying again may help: transport failures, timeouts, and 408, 429, 500, 502, 503, 504 answers.
   *
   * @since 0.1.0
   */
  get isRetryable(): boolean {
    return this.status === undefined || retryableStatuses.has(this.status)
  }
}

/**
 * Whether a value is a `NetworkError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isNetworkError = (u: unknown): u is NetworkError => Predicate.hasProperty(u, TypeId)
