/**
 * A protected API refused a request made with a token.
 *
 * @since 0.1.0
 */
import * as Errors from "@effect-oauth2/core/errors"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as EffectLine from "./internal/effectLine.js"

/**
 * Marks an `ApiError`; see `isApiError`.
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("@effect-oauth2/client-credentials/ApiError")

/**
 * The type of `TypeId`.
 *
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * One parsed `WWW-Authenticate` challenge (RFC 9110 §11.6.1), e.g. `Bearer error="invalid_token"` is
 * `{ scheme: "Bearer", params: { error: "invalid_token" } }`. Parameter names are lower-cased.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Challenge = Schema.Struct({
  scheme: Schema.String,
  params: EffectLine.schemaRecord(Schema.String, Schema.String)
})

/**
 * A parsed `WWW-Authenticate` challenge.
 *
 * @since 0.1.0
 * @category models
 */
export type Challenge = typeof Challenge.Type

/**
 * The largest response body, in bytes, an `ApiError` keeps.
 *
 * @since 0.1.0
 * @category models
 */
export const maxBodyBytes = Errors.maxApiBodyBytes

/**
 * A protected API answered with a non-2xx status. Its fields are `ApiErrorFields` of `@effect-oauth2/core/errors`,
 * where each is described.
 *
 * Holds the request's method and URL without its query string, never its headers, so no token is kept.
 *
 * @since 0.1.0
 * @category errors
 */
// the schema's identifier is the tag on Effect 4, which names an error after it (`String(error)` reads `ApiError: …`),
// and `@effect-oauth2/client-credentials/ApiError` on Effect 3
export class ApiError extends EffectLine.schemaTaggedError<ApiError>()("ApiError", {
  status: Schema.Number,
  method: Schema.String,
  /** The request URL without its query string or fragment. */
  url: Schema.String,
  /** The response's `WWW-Authenticate` challenge, parsed, when it had one. */
  wwwAuthenticate: EffectLine.schemaOptionalKey(Challenge),
  /** The start of the response body, at most 1 KiB, with any occurrence of the token replaced. */
  body: EffectLine.schemaOptionalKey(Schema.String)
}) implements Errors.ApiErrorFields {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * The request, its status and the challenge's `error` (`apiErrorMessage`), e.g.
   * `GET https://api.example.com/v1/orders answered 401 (invalid_token)`.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return Errors.apiErrorMessage(this)
  }
}

/**
 * Whether a value is an `ApiError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isApiError = (u: unknown): u is ApiError => Predicate.hasProperty(u, TypeId)
