/**
 * An OAuth 2.0 access token as issued by the token endpoint.
 *
 * @since 0.1.0
 */
import * as TokenResponse from "@effect-oauth2/core/tokenResponse"
import * as DateTime from "effect/DateTime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as EffectLine from "./internal/effectLine.js"

/**
 * The token types this library can present to a resource server.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenType = EffectLine.schemaLiterals(["Bearer", "DPoP"])

/**
 * The longest access token the library accepts, in characters: 16 KiB. A token is visible ASCII, so characters and
 * bytes are the same. A token response with a longer `access_token` is `TokenError` `InvalidResponse`: servers
 * refuse request headers that large (431), and a cache of such tokens would hold megabytes.
 *
 * @since 0.1.0
 * @category models
 */
export const maxValueLength: number = TokenResponse.maxTokenLength

/**
 * Whether `value` can be sent as an access token: 1 to `maxValueLength` visible ASCII characters without spaces
 * (`%x21-7E`: RFC 6750's `b64token` and the other characters real providers send, such as Salesforce's `!`).
 * Anything else would break or inject into the `Authorization` header.
 *
 * @since 0.1.0
 * @category guards
 */
export const isValidValue: (value: string) => boolean = TokenResponse.isTokenValue

/**
 * A token type: `Bearer` (RFC 6750) or `DPoP` (RFC 9449).
 *
 * @since 0.1.0
 * @category models
 */
export type TokenType = typeof TokenType.Type

/**
 * An access token. Its `value` is `Redacted`: `String`, `JSON.stringify`, `util.inspect` and Effect's
 * own formatting show `<redacted>`; only `Redacted.value(token.value)` gives the token itself.
 *
 * - `scopes`: the response's `scope` split on spaces, or the requested scopes when the server sent none.
 * - `issuedAt`: when the request that obtained the token was sent.
 * - `expiresAt`: `issuedAt` plus the lifetime the server granted (`expires_in`), i.e. the server's view of expiry.
 *
 * @since 0.1.0
 * @category models
 */
export class AccessToken extends Schema.Class<AccessToken>("@effect-oauth2/client-credentials/AccessToken")({
  value: Schema.Redacted(Schema.String),
  tokenType: TokenType,
  scopes: Schema.Array(Schema.String),
  issuedAt: Schema.DateTimeUtc,
  expiresAt: Schema.DateTimeUtc
}) {
  /**
   * The token's lifetime as the server granted it.
   *
   * @since 0.1.0
   */
  get lifetimeMillis(): number {
    return DateTime.toEpochMillis(this.expiresAt) - DateTime.toEpochMillis(this.issuedAt)
  }

  /**
   * The value of an `Authorization` header that presents this token, e.g. `Bearer <token>`.
   * It is a `Redacted` too, so it cannot be printed by accident.
   *
   * @since 0.1.0
   */
  get authorization(): Redacted.Redacted<string> {
    return Redacted.make(`${this.tokenType} ${Redacted.value(this.value)}`)
  }
}

/**
 * Whether two tokens carry the same value.
 *
 * @since 0.1.0
 * @category utils
 */
export const sameValue = (self: AccessToken, that: AccessToken): boolean =>
  Redacted.value(self.value) === Redacted.value(that.value)
