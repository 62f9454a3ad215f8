/**
 * The library's three errors as plain fields: what each field holds, the reasons and sources there are, the message
 * each error reads as, and what it says about asking again. Each Effect line's error classes hold these fields in its
 * own schema (a duration as its `Duration`) and read their message and predicates from here.
 *
 * - `TokenError`: no usable token, for reasons of protocol or input; never retried.
 * - `NetworkError`: no usable answer (transport, timeout, 5xx, 429), from the token endpoint, the issuer's metadata or
 *   the API.
 * - `ApiError`: a protected API answered a request made with a token with a non-2xx status.
 *
 * None holds the client secret, a private key, an assertion, an access token, or the request that was sent.
 */
import { retryableStatuses } from "./tokenResponse.js"
import type { Challenge } from "./wwwAuthenticate.js"

// TokenError

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
export const tokenErrorReasons = [
  "OAuth",
  "InvalidResponse",
  "InvalidRequest",
  "Discovery",
  "UnsupportedAuthMethod",
  "ClientAssertion"
] as const

/**
 * Why no token could be had (see `tokenErrorReasons`).
 *
 * @since 0.1.0
 * @category models
 */
export type TokenErrorReason = typeof tokenErrorReasons[number]

/**
 * A `TokenError`'s fields.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenErrorFields {
  /** Why no token could be had (see `tokenErrorReasons`). */
  readonly reason: TokenErrorReason
  /**
   * The token endpoint's `scheme://host[:port]`, never its path or query; absent for a request refused by
   * `AuthorizedClient` before it asked for a token (its `detail` names the API's origin).
   */
  readonly origin?: string | undefined
  /** The HTTP status of the token endpoint's answer, when there was one. */
  readonly status?: number | undefined
  /** The RFC 6749 §5.2 `error` code, e.g. `invalid_client`. */
  readonly error?: string | undefined
  /** The server's `error_description`. */
  readonly errorDescription?: string | undefined
  /** The server's `error_uri`. */
  readonly errorUri?: string | undefined
  /** What the library found wrong, for reasons other than `OAuth`. */
  readonly detail?: string | undefined
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
 * A `TokenError`'s message: where and what, e.g.
 * `token endpoint https://login.example.com refused the token request: invalid_client (bad secret), HTTP 401`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenErrorMessage = (error: TokenErrorFields): string => {
  const endpoint = error.origin === undefined ? "token endpoint" : `token endpoint ${error.origin}`
  const status = error.status === undefined ? "" : `, HTTP ${error.status}`
  const detail = error.detail ?? "no usable token"
  switch (error.reason) {
    case "OAuth": {
      const description = error.errorDescription === undefined ? "" : ` (${error.errorDescription})`
      return `${endpoint} refused the token request: ${error.error ?? "an unnamed error"}${description}${status}`
    }
    case "InvalidResponse":
      return `${endpoint} gave no usable token: ${detail}${status}`
    case "InvalidRequest":
      return error.origin === undefined
        ? `API request refused: ${detail}`
        : `token request for ${error.origin} not sent: ${detail}`
    case "Discovery":
      return `discovery failed${error.origin === undefined ? "" : ` for ${error.origin}`}: ${detail}`
    case "ClientAssertion":
      return `no client assertion for ${endpoint}: ${detail}`
    case "UnsupportedAuthMethod":
      return `${error.origin === undefined ? "the authorization server" : `issuer ${error.origin}`} does not support ` +
        `the client authentication method: ${detail}${status}`
  }
}

/**
 * Whether asking again cannot help until the configuration changes (`invalid_client`, `unauthorized_client`,
 * `unsupported_grant_type`, `invalid_scope`; an issuer whose metadata is unusable, `Discovery`, or lacks the
 * configured method, `UnsupportedAuthMethod`). `TokenService` remembers these for `terminalErrorCooldown`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTerminal = (error: Pick<TokenErrorFields, "reason" | "error">): boolean =>
  error.reason === "Discovery" || error.reason === "UnsupportedAuthMethod" ||
  (error.reason === "OAuth" && error.error !== undefined && terminalErrorCodes.has(error.error))

// NetworkError

/**
 * Why there was no usable answer:
 * - `Transport`: the request could not be sent or the answer not read (refused, reset, DNS, …);
 * - `Timeout`: one attempt took longer than `requestTimeout`;
 * - `ServerError`: a 5xx or 408 answer;
 * - `RateLimited`: a 429 answer.
 *
 * @since 0.1.0
 * @category models
 */
export const networkErrorReasons = ["Transport", "Timeout", "ServerError", "RateLimited"] as const

/**
 * Why there was no usable answer (see `networkErrorReasons`).
 *
 * @since 0.1.0
 * @category models
 */
export type NetworkErrorReason = typeof networkErrorReasons[number]

/**
 * Which call got no usable answer: a token request (`TokenEndpoint`), a request for the issuer's metadata when the
 * token endpoint is discovered from an `issuer` (`Discovery`), or a call to the API through `AuthorizedClient`
 * (`Api`).
 *
 * @since 0.1.0
 * @category models
 */
export const networkErrorSources = ["TokenEndpoint", "Discovery", "Api"] as const

/**
 * Which call got no usable answer (see `networkErrorSources`).
 *
 * @since 0.1.0
 * @category models
 */
export type NetworkErrorSource = typeof networkErrorSources[number]

/**
 * A `NetworkError`'s fields; `Duration` is how a line holds `retryAfter` (millis here).
 *
 * @since 0.1.0
 * @category models
 */
export interface NetworkErrorFields<Duration = number> {
  /** Why there was no usable answer (see `networkErrorReasons`). */
  readonly reason: NetworkErrorReason
  /** Which call failed: the token endpoint's, the issuer's metadata (discovery), or the API's. */
  readonly source: NetworkErrorSource
  /**
   * Where: the `scheme://host[:port]` of the URL called, never its path, query or credentials. Absent when the
   * URL could not be parsed.
   */
  readonly origin?: string | undefined
  /**
   * The HTTP status: for `ServerError` and `RateLimited`, and for a `Transport` failure of an answer that came
   * (its body broke off, or a wrapper could not decode it).
   */
  readonly status?: number | undefined
  /** The server's `Retry-After`, capped at 60 seconds. */
  readonly retryAfter?: Duration | undefined
  /**
   * What went wrong, in words that never include a credential. For `Transport`, the phrase the message puts after
   * where the call went: `unreachable (ECONNREFUSED)`, `not reached: the proxy 10.0.0.5:3128 is unreachable
   * (ECONNREFUSED)` (the failed connection went to another host or port than the URL's: a proxy's),
   * `could not be called (UND_ERR_SOCKET: other side closed)`,
   * `failed TLS verification (…)`, `not sent (InvalidUrl: …)`, `broke off its answer after HTTP 200 (…)`,
   * `answered HTTP 200 with a body that could not be decoded (SyntaxError)`; for `Timeout`, e.g.
   * `no answer within 30s`.
   */
  readonly detail?: string | undefined
}

/**
 * A length of time in words, as Effect's `Duration.format` writes it: `0`, `500ms`, `1m 30s`, `1d 2h`, `1ms 500000ns`,
 * `Infinity`; `millis` at least 0.
 *
 * @since 0.1.0
 * @category constructors
 */
export const durationWords = (millis: number): string => {
  if (millis === Infinity) return "Infinity"
  const nanos = BigInt(Math.round(millis * 1_000_000))
  if (nanos === BigInt(0)) return "0"
  const ms = nanos / BigInt(1_000_000)
  const seconds = ms / BigInt(1000)
  const minutes = seconds / BigInt(60)
  const hours = minutes / BigInt(60)
  const pieces: ReadonlyArray<readonly [bigint, string]> = [
    [hours / BigInt(24), "d"],
    [hours % BigInt(24), "h"],
    [minutes % BigInt(60), "m"],
    [seconds % BigInt(60), "s"],
    [ms % BigInt(1000), "ms"],
    [nanos % BigInt(1_000_000), "ns"]
  ]
  return pieces.filter(([count]) => count !== BigInt(0)).map(([count, unit]) => `${count}${unit}`).join(" ")
}

/**
 * The call a source names in a message: `token endpoint`, `issuer` (discovery) or `API`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const calledOf = (source: NetworkErrorSource): string =>
  source === "TokenEndpoint" ? "token endpoint" : source === "Discovery" ? "issuer" : "API"

/**
 * How a message gives a server's `Retry-After`: `, retry after 5s`; nothing without one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const retryAfterWords = (retryAfterMillis: number | undefined): string =>
  retryAfterMillis === undefined ? "" : `, retry after ${durationWords(retryAfterMillis)}`

/**
 * A `NetworkError`'s message: which call failed and where, then what happened, once: e.g.
 * `token endpoint https://login.example.com unreachable (ECONNREFUSED)`, or for discovery
 * `issuer https://login.example.com unreachable (ECONNREFUSED)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const networkErrorMessage = (error: NetworkErrorFields): string => {
  const where = calledOf(error.source)
  const at = error.origin === undefined ? where : `${where} ${error.origin}`
  const why = error.detail === undefined ? "" : ` (${error.detail})`
  const status = error.status === undefined ? "" : ` (HTTP ${error.status})`
  const retryAfter = retryAfterWords(error.retryAfter)
  switch (error.reason) {
    case "Transport":
      return `${at} ${error.detail ?? "unreachable"}`
    case "Timeout":
      return `${at} timed out${why}`
    case "ServerError":
      return `${at} failed${status}${retryAfter}${why}`
    case "RateLimited":
      return `${at} rate limited the request${status}${retryAfter}${why}`
  }
}

/**
 * Whether trying again may help: transport failures, timeouts, and 408, 429, 500, 502, 503, 504 answers
 * (`tokenResponse.retryableStatuses`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryable = (error: Pick<NetworkErrorFields<unknown>, "reason" | "status">): boolean =>
  error.reason === "Transport" || error.status === undefined || retryableStatuses.has(error.status)

// ApiError

/**
 * The largest response body, in bytes, an `ApiError` keeps: 1 KiB.
 *
 * @since 0.1.0
 * @category models
 */
export const maxApiBodyBytes = 1024

/**
 * An `ApiError`'s fields. Holds the request's method and URL without its query string, never its headers, so no
 * token is kept.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiErrorFields {
  /** The API's answer's status. */
  readonly status: number
  /** The request's method. */
  readonly method: string
  /** The request URL without its query string or fragment. */
  readonly url: string
  /**
   * The response's `WWW-Authenticate` challenge, parsed, when it had one, e.g. `Bearer error="invalid_token"` is
   * `{ scheme: "Bearer", params: { error: "invalid_token" } }`. Parameter names are lower-cased.
   */
  readonly wwwAuthenticate?: Challenge | undefined
  /** The start of the response body, at most 1 KiB, with any occurrence of the token replaced. */
  readonly body?: string | undefined
}

/**
 * An `ApiError`'s message: the request, its status and the challenge's `error`, e.g.
 * `GET https://api.example.com/v1/orders answered 401 (invalid_token)`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const apiErrorMessage = (error: ApiErrorFields): string => {
  const code = error.wwwAuthenticate?.params["error"]
  return `${error.method} ${error.url} answered ${error.status}${code === undefined ? "" : ` (${code})`}`
}
