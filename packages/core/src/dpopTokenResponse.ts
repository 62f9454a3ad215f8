/**
 * A token response to a DPoP token request (RFC 9449 §5): its `token_type` must be `DPoP`, compared without case
 * (RFC 6749 §7.1). Any other is refused, `Bearer` in words of its own: a server that answers `Bearer` did not bind the
 * token to the key, and a token anyone who holds it can use is not what a DPoP client asked for. The rest is
 * `tokenResponse.readSuccess`, whose result this gives: a refusal is `NotAToken`, a `TokenError` `InvalidResponse` in
 * each line (`tokenEndpoint`), and never quotes the token.
 */
import type { Redactor } from "./redactor.js"
import * as TokenResponse from "./tokenResponse.js"

/**
 * The token type of a DPoP-bound access token (RFC 9449 §5), in its canonical case.
 *
 * @since 0.1.0
 * @category models
 */
export const tokenType = "DPoP"

/**
 * The token types a DPoP token request accepts: `DPoP` alone.
 *
 * @since 0.1.0
 * @category models
 */
export const tokenTypes: ReadonlyArray<typeof tokenType> = [tokenType]

/**
 * What a `TokenError` `InvalidResponse` says about the `token_type` of an answer to a DPoP token request.
 *
 * @since 0.1.0
 * @category models
 */
export const details = {
  bearer: "token_type is Bearer, not DPoP: the server did not bind the token to the DPoP key",
  notDpop: "token_type is missing or not one of DPoP"
} as const

/**
 * What is wrong with `tokenType` in an answer to a DPoP token request; `undefined` when it is `DPoP`, in any case.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenTypeProblem = (tokenType: unknown): string | undefined =>
  TokenResponse.acceptedTokenType(tokenTypes, tokenType) !== undefined
    ? undefined
    : TokenResponse.acceptedTokenType(["Bearer"], tokenType) !== undefined
    ? details.bearer
    : details.notDpop

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Reads a 2xx answer's body to a DPoP token request: `tokenResponse.readSuccess` accepting `DPoP` alone, and a
 * `Bearer` answer refused as such.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readSuccess = (
  body: unknown,
  options: {
    readonly defaultLifetimeMillis: number
    readonly requestedScopes: ReadonlyArray<string>
    readonly redactor: Redactor
  }
): TokenResponse.SuccessBody => {
  const read = TokenResponse.readSuccess(body, { ...options, tokenTypes })
  if (read._tag !== "NotAToken" || !isRecord(body)) return read
  const problem = tokenTypeProblem(body.token_type)
  return problem === details.bearer ? { _tag: "NotAToken", detail: problem } : read
}
