/**
 * What each client authentication method (RFC 6749 §2.3, RFC 7523 §2.2, RFC 8705 §2) adds to a token request, short of signing:
 * the Basic credentials, the form parameters, and a client assertion's header and claims. Signing is `signing.ts`'s,
 * with each line's `jose`, on its clock.
 */
import type { HeaderMembers } from "./certificate.js"
import { assertionType, type SigningAlgorithm } from "./methods.js"

/**
 * `application/x-www-form-urlencoded` encoding of one value (RFC 6749 Appendix B): what `URLSearchParams`
 * produces, so a space is `+` and every reserved character is percent-encoded.
 *
 * @since 0.1.0
 * @category constructors
 */
export const formUrlEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

/**
 * `client_secret_basic`'s credentials: the client id and secret form-urlencoded first (RFC 6749 §2.3.1), so that a
 * secret with `:`, `%`, `+` or non-ASCII characters arrives intact, then base64: what follows `Basic `.
 *
 * @since 0.1.0
 * @category constructors
 */
export const basicCredentials = (clientId: string, clientSecret: string): string =>
  // form-urlencoded text is ASCII, so btoa is exact
  btoa(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`)

/**
 * `client_secret_post`'s form parameters: the client id and secret in the body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const secretPostParams = (clientId: string, clientSecret: string): ReadonlyArray<readonly [string, string]> => [
  ["client_id", clientId],
  ["client_secret", clientSecret]
]

/**
 * The form parameters that carry a client assertion (RFC 7523 §2.2).
 *
 * @since 0.1.0
 * @category constructors
 */
export const assertionParams = (clientId: string, assertion: string): ReadonlyArray<readonly [string, string]> => [
  ["client_id", clientId],
  ["client_assertion_type", assertionType],
  ["client_assertion", assertion]
]

/**
 * Where one token request goes: what an assertion's `aud` is taken from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Destination {
  readonly tokenUrl: URL
  readonly issuer: string | undefined
}

/**
 * An assertion's `aud`: the issuer as published when `audience` is `"issuer"` and the request goes through one, else
 * the token endpoint's URL.
 *
 * @since 0.1.0
 * @category constructors
 */
export const audienceOf = (audience: "tokenEndpoint" | "issuer", destination: Destination): string =>
  audience === "issuer" && destination.issuer !== undefined ? destination.issuer : destination.tokenUrl.href

/**
 * How long an assertion is valid, in seconds: long enough for one request and its retries' clock skew, short enough
 * to be useless later.
 *
 * @since 0.1.0
 * @category models
 */
export const assertionLifetimeSeconds = 60

/**
 * A client assertion's claims (RFC 7523 §3).
 *
 * @since 0.1.0
 * @category models
 */
export interface Claims {
  readonly iss: string
  readonly sub: string
  readonly aud: string
  readonly jti: string
  /** Seconds since the epoch. */
  readonly iat: number
  /** Seconds since the epoch: `iat` plus `assertionLifetimeSeconds`. */
  readonly exp: number
}

/**
 * The claims of one assertion: `iss` and `sub` the client id, `aud`, `jti`, `iat` at `now` (milliseconds since the
 * epoch, rounded down to seconds) and `exp` `assertionLifetimeSeconds` later.
 *
 * @since 0.1.0
 * @category constructors
 */
export const claimsOf = (
  assertion: { readonly clientId: string; readonly audience: string; readonly now: number; readonly jti: string }
): Claims => {
  const issuedAt = Math.floor(assertion.now / 1000)
  return {
    iss: assertion.clientId,
    sub: assertion.clientId,
    aud: assertion.audience,
    jti: assertion.jti,
    iat: issuedAt,
    exp: issuedAt + assertionLifetimeSeconds
  }
}

/**
 * A client assertion's protected header: `alg`, `typ` `JWT`, `kid` when there is a key id, and with a certificate
 * its `x5t#S256` and, when the chain is sent, `x5c` (RFC 7515 §4.1.8, §4.1.6).
 *
 * @since 0.1.0
 * @category models
 */
export interface Header extends Partial<HeaderMembers> {
  readonly alg: SigningAlgorithm | "HS256"
  readonly typ: "JWT"
  readonly kid?: string
}

/**
 * The header of the assertions a key signs with `algorithm`; `keyId`, when given, is its `kid`; `certificate`, when
 * given, what it says of the key's certificate (`certificate.headerMembers`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const headerOf = (
  algorithm: SigningAlgorithm | "HS256",
  keyId: string | undefined,
  certificate?: HeaderMembers
): Header => ({
  alg: algorithm,
  typ: "JWT",
  ...(keyId === undefined ? {} : { kid: keyId }),
  ...certificate
})

/**
 * What client authentication adds to one token request: headers, form parameters, and the values sent with this
 * request only (an assertion), which an error must not show.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly headers: Readonly<Record<string, string>>
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly secrets: ReadonlyArray<string>
}

const noSecrets: ReadonlyArray<string> = []

/**
 * `client_secret_basic`'s credentials: the `authorization` header (`basicCredentials`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const secretBasicCredentials = (clientId: string, clientSecret: string): Credentials => ({
  headers: { authorization: `Basic ${basicCredentials(clientId, clientSecret)}` },
  params: [],
  secrets: noSecrets
})

/**
 * `client_secret_post`'s credentials: the form parameters (`secretPostParams`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const secretPostCredentials = (clientId: string, clientSecret: string): Credentials => ({
  headers: {},
  params: secretPostParams(clientId, clientSecret),
  secrets: noSecrets
})

/**
 * The credentials that carry `assertion` (`assertionParams`), the assertion a value to redact.
 *
 * @since 0.1.0
 * @category constructors
 */
export const assertionCredentials = (clientId: string, assertion: string): Credentials => ({
  headers: {},
  params: assertionParams(clientId, assertion),
  secrets: [assertion]
})

/**
 * The mutual-TLS methods' credentials (RFC 8705 §2): `client_id` in the form body; the certificate the TLS handshake
 * presents does the rest.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tlsCredentials = (clientId: string): Credentials => ({
  headers: {},
  params: [["client_id", clientId]],
  secrets: noSecrets
})
