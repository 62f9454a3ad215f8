/**
 * What a token endpoint's answer means (RFC 6749 §5): the status table, the error response, and what makes a token.
 * Texts from the server go through the caller's `Redactor` before they are kept: redacted first, cut after.
 */
import { isRegisteredErrorCode } from "./errorCodes.js"
import type { Redactor } from "./redactor.js"
import { escapeControlCharacters } from "./text.js"

/**
 * The largest token response read, in decoded bytes: 1 MiB.
 *
 * @since 0.1.0
 * @category models
 */
export const maxResponseBytes = 1024 * 1024

/**
 * The longest lifetime believed, in millis (366 days); a longer `expires_in` is shortened to it.
 *
 * @since 0.1.0
 * @category models
 */
export const maxLifetimeMillis = 366 * 24 * 60 * 60 * 1000

/**
 * The statuses that say "try again later": retried on the retry schedule.
 *
 * @since 0.1.0
 * @category models
 */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * What a status says before the body is read:
 * - `Success`: 2xx, a token response is expected;
 * - `Retryable`: 408, 429 and every 5xx, a `NetworkError` (`RateLimited` for 429, else `ServerError`), retried when
 *   the status is in `retryableStatuses`;
 * - `ErrorResponse`: 400 or 401, an RFC 6749 §5.2 error is expected;
 * - `Redirect`: 3xx, never followed;
 * - `Unexpected`: anything else.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusClass = "Success" | "Retryable" | "ErrorResponse" | "Redirect" | "Unexpected"

/**
 * The class of `status` (see `StatusClass`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const classify = (status: number): StatusClass =>
  status >= 200 && status < 300
    ? "Success"
    : retryableStatuses.has(status) || status >= 500
    ? "Retryable"
    : status === 400 || status === 401
    ? "ErrorResponse"
    : status >= 300 && status < 400
    ? "Redirect"
    : "Unexpected"

/**
 * The longest access token accepted, in characters: 16 KiB. A token is visible ASCII, so characters and bytes are the
 * same.
 *
 * @since 0.1.0
 * @category models
 */
export const maxTokenLength: number = 16 * 1024

const visibleAscii = /^[\x21-\x7e]+$/

/**
 * Whether `value` can be sent as an access token: 1 to `maxTokenLength` visible ASCII characters without spaces
 * (`%x21-7E`: RFC 6750's `b64token` and the other characters real providers send). Anything else would break or
 * inject into the `Authorization` header.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTokenValue = (value: string): boolean => value.length <= maxTokenLength && visibleAscii.test(value)

/**
 * The token type of `accepted` that `tokenType` names, compared without case (RFC 6749 §7.1), in its canonical case;
 * `undefined` when it names none. The one rule for a token from the endpoint and a token from a shared store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const acceptedTokenType = <T extends string>(accepted: ReadonlyArray<T>, tokenType: unknown): T | undefined =>
  typeof tokenType === "string"
    ? accepted.find((type) => type.toLowerCase() === tokenType.toLowerCase())
    : undefined

/**
 * An RFC 6749 §5.2 error response, its texts redacted and cut.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorResponse {
  readonly error: string
  readonly errorDescription?: string
  readonly errorUri?: string
}

/** The most of `error_description` and `error_uri` kept, in UTF-8 bytes. */
const maxDescriptionBytes = 1024

/** The most of an unregistered `error` code kept, in UTF-8 bytes. */
const maxErrorCodeBytes = 128

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The error response `body` is, if it is one. Its texts are redacted, then cut; a registered `error` code is kept as
 * it is, before any redaction, so that a 1–2 character secret cannot turn `invalid_client` into
 * `inv<redacted>lid_client` and cost it its cool-down. An `access_token` that comes with the error is redacted too.
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorResponseOf = (body: unknown, redactor: Redactor): ErrorResponse | undefined => {
  if (!isRecord(body) || typeof body.error !== "string" || body.error === "") return undefined
  const redact = typeof body.access_token === "string" && body.access_token !== ""
    ? redactor.including([body.access_token])
    : redactor
  // redacted, its control characters escaped (it goes into messages and logs), then cut
  const shown = (value: string, maxBytes: number): string =>
    redact.cut(escapeControlCharacters(redact.redact(value)), maxBytes)
  const text = (value: unknown): string | undefined =>
    typeof value === "string" ? shown(value, maxDescriptionBytes) : undefined
  const errorDescription = text(body.error_description)
  const errorUri = text(body.error_uri)
  return {
    error: isRegisteredErrorCode(body.error) ? body.error : shown(body.error, maxErrorCodeBytes),
    ...(errorDescription === undefined ? {} : { errorDescription }),
    ...(errorUri === undefined ? {} : { errorUri })
  }
}

const numericString = /^\s*\d+(\.\d+)?\s*$/

/** The shortest lifetime accepted, in seconds: a shorter one would make every call fetch. */
const minExpiresIn = 1

/**
 * `expires_in` in millis: a number or a numeric string of at least 1; `undefined` when absent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseExpiresIn = (value: unknown): number | undefined | "invalid" => {
  if (value === undefined || value === null) return undefined
  const seconds = typeof value === "number"
    ? value
    : typeof value === "string" && numericString.test(value)
    ? Number(value)
    : NaN
  return Number.isFinite(seconds) && seconds >= minExpiresIn ? seconds * 1000 : "invalid"
}

/**
 * `scope`, split on spaces; the requested scopes when the server sent none.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseScopes = (value: unknown, requested: ReadonlyArray<string>): ReadonlyArray<string> | "invalid" => {
  if (value === undefined || value === null) return requested
  if (typeof value === "string") return value.split(" ").filter((scope) => scope !== "")
  return "invalid"
}

/**
 * A token as a 2xx answer gives it: its value, type, scopes and lifetime.
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuedToken {
  readonly value: string
  readonly tokenType: string
  readonly scopes: ReadonlyArray<string>
  readonly lifetimeMillis: number
}

/**
 * What a 2xx answer's body is: a token, an error response (RFC 6749 §5.2 allows none there, some servers send one), or
 * not a token response, saying why (never quoting the token).
 *
 * @since 0.1.0
 * @category models
 */
export type SuccessBody =
  | { readonly _tag: "Token"; readonly token: IssuedToken }
  | { readonly _tag: "ErrorResponse"; readonly error: ErrorResponse }
  | { readonly _tag: "NotAToken"; readonly detail: string }

/**
 * Reads a 2xx answer's body (RFC 6749 §5.1).
 *
 * @since 0.1.0
 * @category constructors
 */
export const readSuccess = <T extends string>(
  body: unknown,
  options: {
    readonly tokenTypes: ReadonlyArray<T>
    readonly defaultLifetimeMillis: number
    readonly requestedScopes: ReadonlyArray<string>
    readonly redactor: Redactor
  }
): SuccessBody => {
  const notAToken = (detail: string): SuccessBody => ({ _tag: "NotAToken", detail })
  if (!isRecord(body)) return notAToken("the response is not a JSON object")
  const error = errorResponseOf(body, options.redactor)
  if (error !== undefined) return { _tag: "ErrorResponse", error }
  if (typeof body.access_token !== "string" || body.access_token === "") {
    return notAToken("access_token is missing or not a non-empty string")
  }
  // it goes into an Authorization header; the detail says what is wrong, never a part of the token
  if (!isTokenValue(body.access_token)) {
    return notAToken(
      body.access_token.length > maxTokenLength
        ? `access_token is longer than ${maxTokenLength} characters`
        : "access_token is not visible ASCII without spaces (it has a control, space or non-ASCII character)"
    )
  }
  const tokenType = acceptedTokenType(options.tokenTypes, body.token_type)
  if (tokenType === undefined) {
    return notAToken(`token_type is missing or not one of ${options.tokenTypes.join(", ")}`)
  }
  const expiresIn = parseExpiresIn(body.expires_in)
  if (expiresIn === "invalid") return notAToken("expires_in is not a number of seconds of at least 1")
  const scopes = parseScopes(body.scope, options.requestedScopes)
  if (scopes === "invalid") return notAToken("scope is not a string")
  return {
    _tag: "Token",
    token: {
      value: body.access_token,
      tokenType,
      scopes,
      lifetimeMillis: Math.min(expiresIn ?? options.defaultLifetimeMillis, maxLifetimeMillis)
    }
  }
}
