/**
 * DPoP nonces (RFC 9449 §8, §9): a server's `DPoP-Nonce` header checked for syntax, and the answers that ask for a
 * proof with a nonce: a token endpoint's 400 whose error response says `use_dpop_nonce` (§8), a resource's 401 whose
 * `DPoP` challenge says `error="use_dpop_nonce"` (§9). Such an answer is sent again, once, with the nonce it gave; one
 * that gives no usable nonce is not. A nonce is no secret, but it is text from the server: it is never quoted in an
 * error.
 */
import * as wwwAuthenticate from "./wwwAuthenticate.js"

/**
 * The error code of an answer that asks for a nonce (RFC 9449 §8, §9).
 *
 * @since 0.1.0
 * @category models
 */
export const useDpopNonce = "use_dpop_nonce"

/**
 * The longest nonce kept, in characters: 4 KiB. RFC 9449 sets no bound; this one keeps the nonces remembered per
 * origin small, and is far above what servers send (a random value, or a short encrypted one).
 *
 * @since 0.1.0
 * @category models
 */
export const maxNonceLength = 4096

/** `nonce = 1*NQCHAR`, `NQCHAR = %x21 / %x23-5B / %x5D-7E` (RFC 9449 §8.1): visible ASCII but `"` and `\`. */
const nonceSyntax = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * Whether `value` is a nonce (RFC 9449 §8.1): 1 to `maxNonceLength` visible ASCII characters, neither `"` nor `\`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isNonce = (value: string): boolean => value.length <= maxNonceLength && nonceSyntax.test(value)

/**
 * The nonce a `DPoP-Nonce` header gives, when it is one (`isNonce`); `undefined` when the header is absent or is not a
 * nonce (two headers joined by a comma and a space are not one).
 *
 * @since 0.1.0
 * @category constructors
 */
export const nonceOf = (header: string | null | undefined): string | undefined =>
  header !== null && header !== undefined && isNonce(header) ? header : undefined

/**
 * What an answer says about nonces:
 * - `None`: it does not ask for one;
 * - `UseNonce`: it asks for a proof with `nonce`, the one its `DPoP-Nonce` header gives: send the request again, once;
 * - `NonceMissing`: it asks for one and gives none that can be used (no `DPoP-Nonce` header, or not a nonce): the
 *   answer stands.
 *
 * @since 0.1.0
 * @category models
 */
export type Challenge =
  | { readonly _tag: "None" }
  | { readonly _tag: "UseNonce"; readonly nonce: string }
  | { readonly _tag: "NonceMissing" }

const none: Challenge = { _tag: "None" }

const asked = (dpopNonce: string | null | undefined): Challenge => {
  const nonce = nonceOf(dpopNonce)
  return nonce === undefined ? { _tag: "NonceMissing" } : { _tag: "UseNonce", nonce }
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * What a token endpoint's answer says about nonces (RFC 9449 §8): it asks for one when its status is 400 and its body
 * (the parsed JSON, `undefined` when there is none) is an error response with `error` `use_dpop_nonce`;
 * `dpopNonce` is its `DPoP-Nonce` header.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ofTokenEndpoint = (answer: {
  readonly status: number
  readonly body: unknown
  readonly dpopNonce: string | null | undefined
}): Challenge =>
  answer.status === 400 && isRecord(answer.body) && answer.body.error === useDpopNonce ? asked(answer.dpopNonce) : none

/**
 * What a protected resource's answer says about nonces (RFC 9449 §9): it asks for one when its status is 401 and its
 * `WWW-Authenticate` header has a `DPoP` challenge with `error="use_dpop_nonce"`; `dpopNonce` is its `DPoP-Nonce`
 * header.
 *
 * @since 0.1.0
 * @category constructors
 */
export const ofResource = (answer: {
  readonly status: number
  readonly wwwAuthenticate: string | null | undefined
  readonly dpopNonce: string | null | undefined
}): Challenge =>
  answer.status === 401 &&
    wwwAuthenticate.find(answer.wwwAuthenticate ?? undefined, "DPoP")?.params["error"] === useDpopNonce
    ? asked(answer.dpopNonce)
    : none
