/**
 * A DPoP proof (RFC 9449 §4.2): a JWT signed with the DPoP key for one HTTP request, sent in its `DPoP` header. Its
 * header is `typ` `dpop+jwt`, the key's `alg` and its public `jwk` (`dpopKey`: required members only); its claims
 * are a fresh `jti`, the request's method (`htm`) and URI without query and fragment (`htu`), the time (`iat`), the
 * server's nonce when there is one, and `ath`, the hash of the access token, on a request that carries one. Time and
 * randomness are given in: nothing here reads a clock or a random source of its own. Signing is the `jose` a line
 * passes in, as for client assertions.
 */
import * as base64url from "./base64url.js"
import type { Algorithm, DpopKey, Jose } from "./dpopKey.js"
import { type PublicJwk, requiredMembersOf } from "./jwkThumbprint.js"

/**
 * A DPoP proof's protected header.
 *
 * @since 0.1.0
 * @category models
 */
export interface Header {
  readonly typ: "dpop+jwt"
  readonly alg: Algorithm
  readonly jwk: PublicJwk
}

/**
 * The header of the proofs `key` signs: `typ` `dpop+jwt`, its algorithm, its public JWK's required members and no
 * other (RFC 9449 §4.2: never a private key).
 *
 * @since 0.1.0
 * @category constructors
 */
export const headerOf = (key: Pick<DpopKey, "algorithm" | "publicJwk">): Header => ({
  typ: "dpop+jwt",
  alg: key.algorithm,
  jwk: requiredMembersOf(key.publicJwk)
})

/**
 * A DPoP proof's claims (RFC 9449 §4.2).
 *
 * @since 0.1.0
 * @category models
 */
export interface Claims {
  readonly jti: string
  readonly htm: string
  readonly htu: string
  /** Seconds since the epoch. */
  readonly iat: number
  readonly nonce?: string
  /** The base64url SHA-256 of the access token. */
  readonly ath?: string
}

/**
 * The `htu` of a request to `url` (RFC 9449 §4.2): its URI without query and fragment, and without credentials (an
 * HTTP request's target never carries them, RFC 9110 §4.2.4), as the WHATWG URL parser writes it (scheme and host in
 * lower case, no default port, dot segments removed).
 *
 * @since 0.1.0
 * @category constructors
 */
export const htuOf = (url: URL): string => {
  const target = new URL(url.href)
  target.username = ""
  target.password = ""
  target.search = ""
  target.hash = ""
  return target.href
}

/** The methods `fetch` sends in upper case, whatever case they are given in (Fetch, "normalize a method"). */
const normalizedMethods: ReadonlySet<string> = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"])

/**
 * The `htm` of a request with `method`: the method as it goes on the wire. `fetch` sends `DELETE`, `GET`, `HEAD`,
 * `OPTIONS`, `POST` and `PUT` in upper case whatever case they are given in, and any other method as it is given
 * (`patch` stays `patch`), so the proof names the same method.
 *
 * @since 0.1.0
 * @category constructors
 */
export const htmOf = (method: string): string => {
  const upper = method.toUpperCase()
  return normalizedMethods.has(upper) ? upper : method
}

/**
 * The `ath` of `accessToken` (RFC 9449 §4.2): the SHA-256 of its ASCII bytes, in base64url.
 *
 * @since 0.1.0
 * @category constructors
 */
export const athOf = (accessToken: string): Promise<string> => base64url.sha256(accessToken)

/**
 * A source of random bytes: fills `bytes` and returns them, as `crypto.getRandomValues` does.
 *
 * @since 0.1.0
 * @category models
 */
export type RandomSource = (bytes: Uint8Array) => Uint8Array

/**
 * The number of random bytes in a `jti`: 16, 128 bits (RFC 9449 §4.2 asks for at least 96).
 *
 * @since 0.1.0
 * @category models
 */
export const jtiBytes = 16

/**
 * A fresh `jti`: `jtiBytes` bytes from `random`, in base64url.
 *
 * @since 0.1.0
 * @category constructors
 */
export const jtiOf = (random: RandomSource): string => base64url.encode(random(new Uint8Array(jtiBytes)))

/**
 * One request a proof is for: its method, its URL, the time it is sent (milliseconds since the epoch), the server's
 * nonce when it gave one, and the access token it carries, if any.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: string
  readonly url: URL
  readonly now: number
  readonly nonce?: string | undefined
  readonly accessToken?: string | undefined
}

/**
 * The claims of a proof for `request` with `jti`, its access token already hashed (`ath`): `iat` is `now` rounded down
 * to seconds; `nonce` and `ath` only when there are.
 *
 * @since 0.1.0
 * @category constructors
 */
export const claimsOf = (
  request: Omit<Request, "accessToken"> & { readonly jti: string; readonly ath?: string | undefined }
): Claims => ({
  jti: request.jti,
  htm: htmOf(request.method),
  htu: htuOf(request.url),
  iat: Math.floor(request.now / 1000),
  ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
  ...(request.ath === undefined ? {} : { ath: request.ath })
})

/**
 * The DPoP proof of `request`, signed with `key`: the value of its `DPoP` header.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sign = async (
  jose: Pick<Jose, "SignJWT">,
  key: DpopKey,
  request: Request,
  random: RandomSource
): Promise<string> => {
  const ath = request.accessToken === undefined ? undefined : await athOf(request.accessToken)
  const claims = claimsOf({
    jti: jtiOf(random),
    method: request.method,
    url: request.url,
    now: request.now,
    nonce: request.nonce,
    ath
  })
  return new jose.SignJWT({ ...claims }).setProtectedHeader({ ...headerOf(key) }).sign(key.privateKey as never)
}
