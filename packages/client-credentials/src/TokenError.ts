/**
 * The authorization server said no, or answered something that is not a usable token. Its message names the token
 * endpoint's origin.
 *
 * @since 0.1.0
 */
import * as Errors from "@effect-oauth2/core/errors"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as EffectLine from "./internal/effectLine.js"

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
 * Why no token could be had: `OAuth`, `InvalidResponse`, `InvalidRequest`, `Discovery`, `UnsupportedAuthMethod`,
 * `ClientAssertion`, each described at `tokenErrorReasons` in `@effect-oauth2/core/errors`.
 *
 * @since 0.1.0
 * @category models
 */
export const Reason = EffectLine.schemaLiterals(Errors.tokenErrorReasons)

/**
 * Why no token could be had.
 *
 * @since 0.1.0
 * @category models
 */
export type Reason = typeof Reason.Type

/**
 * No usable token, for reasons of protocol or input. Not retried: asking again would get the same answer. Its fields
 * are `TokenErrorFields` of `@effect-oauth2/core/errors`, where each is described.
 *
 * Never holds the client secret, a private key, an assertion, an access token, or the request that was sent.
 *
 * @since 0.1.0
 * @category errors
 */
// the schema's identifier is the tag on Effect 4, which names an error after it (`String(error)` reads `TokenError: …`),
// and `@effect-oauth2/client-credentials/TokenError` on Effect 3
export class TokenError extends EffectLine.schemaTaggedError<TokenError>()(
  "TokenError",
  {
    reason: Reason,
    /**
     * The token endpoint's `scheme://host[:port]`, never its path or query; absent for a request refused by
     * `AuthorizedClient` before it asked for a token (its `detail` names the API's origin).
     */
    origin: EffectLine.schemaOptionalKey(Schema.String),
    /** The HTTP status of the token endpoint's answer, when there was one. */
    status: EffectLine.schemaOptionalKey(Schema.Number),
    /** The RFC 6749 §5.2 `error` code, e.g. `invalid_client`. */
    error: EffectLine.schemaOptionalKey(Schema.String),
    /** The server's `error_description`. */
    errorDescription: EffectLine.schemaOptionalKey(Schema.String),
    /** The server's `error_uri`. */
    errorUri: EffectLine.schemaOptionalKey(Schema.String),
    /** What the library found wrong, for reasons other than `OAuth`. */
    detail: EffectLine.schemaOptionalKey(Schema.String)
  }
) implements Errors.TokenErrorFields {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Where and what (`tokenErrorMessage`), e.g.
   * `token endpoint https://login.example.com refused the token request: invalid_client (bad secret), HTTP 401`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return Errors.tokenErrorMessage(this)
  }

  /**
   * Whether asking again cannot help until the configuration changes (`isTerminal` of `@effect-oauth2/core/errors`).
   * `TokenService` remembers these for `terminalErrorCooldown`.
   *
   * @since 0.1.0
   */
  get isTerminal(): boolean {
    return Errors.isTerminal(this)
  }
}

/**
 * The RFC 6749 §5.2 error codes after which asking again cannot succeed without a change of configuration.
 *
 * @since 0.1.0
 * @category models
 */
export const terminalErrorCodes: ReadonlySet<string> = Errors.terminalErrorCodes

/**
 * Whether a value is a `TokenError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTokenError = (u: unknown): u is TokenError => Predicate.hasProperty(u, TypeId)
