/**
 * The token endpoint on the wire, in plain data: what one token request sends (method, URL, headers, form), what its
 * answer's status says to do next, and what its body becomes — a token with its times, or the fields of the
 * `TokenError` that says why there is none. The status table and the token response's rules are `tokenResponse`'s;
 * sending, reading the body (`httpCall`), and making the line's `AccessToken` and `TokenError` are each Effect line's.
 */
import * as DpopTokenResponse from "./dpopTokenResponse.js"
import type { Redactor } from "./redactor.js"
import { formParams, type ResolvedRequest } from "./tokenRequest.js"
import * as TokenResponse from "./tokenResponse.js"

/**
 * The fields of a `TokenError` about a token endpoint's answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenFailure {
  readonly reason: "OAuth" | "InvalidResponse"
  readonly origin: string
  readonly status?: number
  readonly error?: string
  readonly errorDescription?: string
  readonly errorUri?: string
  readonly detail?: string
}

/**
 * What a `TokenError` `InvalidResponse` says about an answer.
 *
 * @since 0.1.0
 * @category models
 */
export const details = {
  tooLarge: "the response is larger than 1 MiB",
  notJson: "the response is not JSON",
  notAnErrorResponse: "the error answer is not an RFC 6749 error response",
  redirect: "a redirect (token requests are never redirected)",
  unexpectedStatus: "unexpected status",
  followedRedirect: "the HttpClient followed a redirect; the token request must not be redirected"
} as const

/**
 * A `TokenError` `InvalidResponse` from `origin`: the answer, with its `status` when it has one, gave no token.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidResponse = (origin: string, detail: string, status?: number): TokenFailure => ({
  reason: "InvalidResponse",
  origin,
  ...(status === undefined ? {} : { status }),
  detail
})

/**
 * A `TokenError` `OAuth`: the server's RFC 6749 §5.2 error response, already redacted and cut.
 *
 * @since 0.1.0
 * @category constructors
 */
export const oauthError = (error: TokenResponse.ErrorResponse, origin: string, status: number): TokenFailure => ({
  reason: "OAuth",
  origin,
  status,
  ...error
})

/**
 * A token request as it goes on the wire: a `POST` to the token endpoint asking for JSON, with the client
 * authentication's headers, and its form (RFC 6749 §4.4.2, then the client authentication's parameters).
 *
 * @since 0.1.0
 * @category models
 */
export interface WireRequest {
  readonly method: "POST"
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly form: ReadonlyArray<readonly [string, string]>
}

/**
 * The token request for `resolved` to `tokenUrl`, authenticated by `credentials` (the headers and form parameters of
 * the client authentication method, `clientAuthentication`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const wireRequest = (
  tokenUrl: string,
  resolved: ResolvedRequest,
  credentials: {
    readonly headers: Readonly<Record<string, string>>
    readonly params: ReadonlyArray<readonly [string, string]>
  }
): WireRequest => ({
  method: "POST",
  url: tokenUrl,
  headers: { accept: "application/json", ...credentials.headers },
  form: formParams(resolved, credentials.params)
})

/**
 * What the answer's status says to do (`tokenResponse.classify`, docs/behaviour.md#token-endpoint-answers):
 * - `ReadToken`: a 2xx, read its body for a token (`tokenOf`);
 * - `TryLater`: a 408, 429 or 5xx, a `NetworkError` (`httpCall.tryLater`);
 * - `ReadError`: a 400 or 401, read its body for an error response (`errorOf`);
 * - `Refused`: a redirect or an unexpected status, the `TokenError` that says so, the body unread.
 *
 * @since 0.1.0
 * @category models
 */
export type AnswerStep =
  | { readonly _tag: "ReadToken" }
  | { readonly _tag: "TryLater" }
  | { readonly _tag: "ReadError" }
  | { readonly _tag: "Refused"; readonly failure: TokenFailure }

/**
 * What to do with an answer with `status` from `origin`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const answerStep = (status: number, origin: string): AnswerStep => {
  switch (TokenResponse.classify(status)) {
    case "Success":
      return { _tag: "ReadToken" }
    case "Retryable":
      return { _tag: "TryLater" }
    case "ErrorResponse":
      return { _tag: "ReadError" }
    case "Redirect":
      return { _tag: "Refused", failure: invalidResponse(origin, details.redirect, status) }
    case "Unexpected":
      return { _tag: "Refused", failure: invalidResponse(origin, details.unexpectedStatus, status) }
  }
}

/**
 * The `TokenError` of an answer that a wrapped HTTP client reached by following a redirect: its answer is not used.
 *
 * @since 0.1.0
 * @category constructors
 */
export const followedRedirect = (origin: string): TokenFailure => invalidResponse(origin, details.followedRedirect)

/**
 * What one answer is read with: where it came from, its status, when its request was sent (wall-clock millis: the
 * token's `issuedAt`), the scopes asked for, and the redactor every text from the server goes through.
 *
 * @since 0.1.0
 * @category models
 */
export interface Answer {
  readonly origin: string
  readonly status: number
  readonly sentAt: number
  readonly requestedScopes: ReadonlyArray<string>
  readonly redactor: Redactor
}

/**
 * The `TokenError` of a body that could not be read: `TooLarge` past `tokenResponse.maxResponseBytes` (announced or
 * read), `NotJson` when it does not parse (`httpCall.jsonOf`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const unreadableBody = (
  problem: "TooLarge" | "NotJson",
  answer: Pick<Answer, "origin" | "status">
): TokenFailure =>
  invalidResponse(answer.origin, problem === "TooLarge" ? details.tooLarge : details.notJson, answer.status)

/**
 * A token as a token response gives it, with its times on the wall clock (millis): issued when its request was sent,
 * expiring its lifetime later.
 *
 * @since 0.1.0
 * @category models
 */
export interface Token<T extends string> {
  readonly value: string
  readonly tokenType: T
  readonly scopes: ReadonlyArray<string>
  readonly issuedAt: number
  readonly expiresAt: number
}

/**
 * What a 2xx answer's JSON body gives: a token, or the `TokenError` that says why it is none (an error response, or
 * not a token response, `tokenResponse.readSuccess`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenOf = <T extends string>(
  body: unknown,
  answer: Answer,
  options: {
    readonly tokenTypes: ReadonlyArray<T>
    readonly defaultLifetimeMillis: number
    /** An answer to a DPoP token request: `token_type` must be `DPoP`, a `Bearer` answer is refused as such. */
    readonly dpop?: boolean | undefined
  }
): { readonly _tag: "Token"; readonly token: Token<T> } | {
  readonly _tag: "Failure"
  readonly failure: TokenFailure
} => {
  const readOptions = {
    defaultLifetimeMillis: options.defaultLifetimeMillis,
    requestedScopes: answer.requestedScopes,
    redactor: answer.redactor
  }
  const read = options.dpop === true
    ? DpopTokenResponse.readSuccess(body, readOptions)
    : TokenResponse.readSuccess(body, { ...readOptions, tokenTypes: options.tokenTypes })
  switch (read._tag) {
    case "ErrorResponse":
      return { _tag: "Failure", failure: oauthError(read.error, answer.origin, answer.status) }
    case "NotAToken":
      return { _tag: "Failure", failure: invalidResponse(answer.origin, read.detail, answer.status) }
    case "Token":
      return {
        _tag: "Token",
        token: {
          value: read.token.value,
          // `readSuccess` gives one of `tokenTypes`, in its canonical case
          tokenType: read.token.tokenType as T,
          scopes: read.token.scopes,
          issuedAt: answer.sentAt,
          expiresAt: answer.sentAt + read.token.lifetimeMillis
        }
      }
  }
}

/**
 * The `TokenError` of a 400 or 401: the error response its body carries, or `InvalidResponse` when it carries none
 * (`body` is `undefined` when it could not be read as JSON).
 *
 * @since 0.1.0
 * @category constructors
 */
export const errorOf = (body: unknown, answer: Pick<Answer, "origin" | "status" | "redactor">): TokenFailure => {
  const error = TokenResponse.errorResponseOf(body, answer.redactor)
  return error === undefined
    ? invalidResponse(answer.origin, details.notAnErrorResponse, answer.status)
    : oauthError(error, answer.origin, answer.status)
}
