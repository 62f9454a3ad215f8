/**
 * The authorization server said no, or answered something that is not a usable token. Its message names the token
 * endpoint's origin.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * Marks a `TokenError`; see `isTokenError`.
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("@effect-oauth2/client-credentials/TokenError")

/**
 * The type of `TypeId`.
 *
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * Why no token could be had:
 * - `OAuth`: the server answered with an RFC 6749 §5.2 error (`error` says which, e.g. `invalid_client`);
 * - `InvalidResponse`: the server answered something that is not a token response (HTML, bad JSON, a 3xx, …);
 * - `InvalidRequest`: the request itself was refused before sending (a reserved parameter, a control character, a
 *   field of the wrong type, an origin not in `AuthorizedClient`'s `allowedOrigins`);
 * - `Discovery`: the issuer's metadata could not be used;
 * - `UnsupportedAuthMethod`: the server does not accept the configured client authentication method;
 * - `ClientAssertion`: the `clientAssertion` effect (or the assertion file) failed, or gave no assertion in JWS compact
 *   form.
 *
 * @since 0.1.0
 * @category models
 */
export const Reason = Schema.Literal(
  "OAuth",
  "InvalidResponse",
  "InvalidRequest",
  "Discovery",
  "UnsupportedAuthMethod",
  "ClientAssertion"
)

/**
 * Why no token could be had.
 *
 * @since 0.1.0
 * @category models
 */
export type Reason = typeof Reason.Type

/**
 * No usable token, for reasons of protocol or input. Not retried: asking again would get the same answer.
 *
 * Never holds the client secret, a private key, an assertion, an access token, or the request that was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenError extends Schema.TaggedError<TokenError>("@effect-oauth2/client-credentials/TokenError")(
  "TokenError",
  {
    reason: Reason,
    /**
     * The token endpoint's `scheme://host[:port]`, never its path or query; absent for a request refused by
     * `AuthorizedClient` before it asked for a token (its `detail` names the API's origin).
     */
    origin: Schema.optional(Schema.String),
    /** The HTTP status of the token endpoint's answer, when there was one. */
    status: Schema.optional(Schema.Number),
    /** The RFC 6749 §5.2 `error` code, e.g. `invalid_client`. */
    error: Schema.optional(Schema.String),
    /** The server's `error_description`. */
    errorDescription: Schema.optional(Schema.String),
    /** The server's `error_uri`. */
    errorUri: Schema.optional(Schema.String),
    /** What the library found wrong, for reasons other than `OAuth`. */
    detail: Schema.optional(Schema.String)
  }
) {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Where and what, e.g.
   * `token endpoint https://login.example.com refused the token request: invalid_client (bad secret), HTTP 401`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    const endpoint = this.origin === undefined ? "token endpoint" : `token endpoint ${this.origin}`
    const status = this.status === undefined ? "" : `, HTTP ${this.status}`
    const detail = this.detail ?? "no usable token"
    switch (this.reason) {
      case "OAuth": {
        const description = this.errorDescription === undefined ? "" : ` (${this.errorDescription})`
        return `${endpoint} refused the token request: ${this.error ?? "an unnamed error"}${description}${status}`
      }
      case "InvalidResponse":
        return `${endpoint} gave no usable token: ${detail}${status}`
      case "InvalidRequest":
        return this.origin === undefined
          ? `API request refused: ${detail}`
          : `token request for ${this.origin} not sent: ${detail}`
      case "Discovery":
        return `discovery failed${this.origin === undefined ? "" : ` for ${this.origin}`}: ${detail}`
      case "ClientAssertion":
        return `no client assertion for ${endpoint}: ${detail}`
      case "UnsupportedAuthMethod":
        return `${this.origin === undefined ? "the authorization server" : `issuer ${this.origin}`} does not support ` +
          `the client authentication method: ${detail}${status}`
    }
  }

  /**
   * Whether asking again cannot help until the configuration changes (`invalid_client`, `unauthorized_client`,
   * `unsupported_grant_type`, `invalid_scope`; an issuer whose metadata is unusable, `Discovery`, or lacks the
   * configured method, `UnsupportedAuthMethod`). `TokenService` remembers these for `terminalErrorCooldown`.
   *
   * @since 0.1.0
   */
  get isTerminal(): boolean {
    return this.reason === "Discovery" || this.reason === "UnsupportedAuthMethod" ||
      (this.reason === "OAuth" && this.error !== undefined && terminalErrorCodes.has(this.error))
  }
}

/**
 * The RFC 6749 §5.2 error codes after which asking again cannot succeed without a change of configuration.
 *
 * @since 0.1.0
 * @category models
 */
export const terminalErrorCodes: ReadonlySet<string> = new Set([
  "invalid_client",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope"
])

/**
 * Whether a value is a `TokenError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTokenError = (u: unknown): u is TokenError => Predicate.hasProperty(u, TypeId)
