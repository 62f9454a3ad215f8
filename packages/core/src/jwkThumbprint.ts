/**
 * The JWK thumbprint (RFC 7638) of a public key, EC, RSA or OKP: the key's required members only (RFC 7638 §3.2), in
 * lexicographic order, as JSON without whitespace, hashed with SHA-256, in base64url. The required members of these key
 * types are exactly their public part, so `publicJwkOf` is also how a public JWK is taken from a private one: by the
 * members it keeps, never by the ones it drops.
 */
import * as base64url from "./base64url.js"
import { type Checked, invalid, valid } from "./checked.js"

/**
 * A public JWK with its required members only: an EC key's curve and point, an RSA key's exponent and modulus, an OKP
 * key's curve and public key.
 *
 * @since 0.1.0
 * @category models
 */
export type PublicJwk =
  | { readonly kty: "EC"; readonly crv: string; readonly x: string; readonly y: string }
  | { readonly kty: "RSA"; readonly e: string; readonly n: string }
  | { readonly kty: "OKP"; readonly crv: string; readonly x: string }

/**
 * The required members of each key type (RFC 7638 §3.2), in lexicographic order.
 *
 * @since 0.1.0
 * @category models
 */
export const requiredMembers = {
  EC: ["crv", "kty", "x", "y"],
  RSA: ["e", "kty", "n"],
  OKP: ["crv", "kty", "x"]
} as const satisfies Record<PublicJwk["kty"], ReadonlyArray<string>>

const isKeyType = (kty: unknown): kty is PublicJwk["kty"] =>
  typeof kty === "string" && Object.hasOwn(requiredMembers, kty)

/**
 * The public JWK in `jwk` (public or private): its required members and nothing else; what is wrong with it otherwise,
 * naming members, never their values.
 *
 * @since 0.1.0
 * @category constructors
 */
export const publicJwkOf = (jwk: Readonly<Record<string, unknown>>): Checked<PublicJwk> => {
  if (!isKeyType(jwk.kty)) return invalid("the JWK's kty is not EC, RSA or OKP")
  const members = requiredMembers[jwk.kty]
  const missing = members.filter((name) => typeof jwk[name] !== "string" || jwk[name] === "")
  if (missing.length > 0) return invalid(`the ${jwk.kty} JWK has no ${missing.join(", ")} (non-empty strings)`)
  return valid(requiredMembersOf(jwk as PublicJwk))
}

/**
 * `jwk` with its required members and nothing else, whatever else the object holds (it may be typed as a public JWK
 * and still carry more).
 *
 * @since 0.1.0
 * @category constructors
 */
export const requiredMembersOf = (jwk: PublicJwk): PublicJwk => {
  const values = jwk as Readonly<Record<string, unknown>>
  return Object.fromEntries(requiredMembers[jwk.kty].map((name) => [name, values[name]])) as PublicJwk
}

/**
 * The JSON a thumbprint hashes (RFC 7638 §3.1): the required members of `jwk`, in lexicographic order, no whitespace.
 *
 * @since 0.1.0
 * @category constructors
 */
export const canonicalJson = (jwk: PublicJwk): string => {
  const members: ReadonlyArray<string> = requiredMembers[jwk.kty]
  const values = jwk as Readonly<Record<string, string>>
  return `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(values[name])}`).join(",")}}`
}

/**
 * The thumbprint of `jwk` (RFC 7638 §3): the SHA-256 of its canonical JSON, in base64url (43 characters).
 *
 * @since 0.1.0
 * @category constructors
 */
export const of = (jwk: PublicJwk): Promise<string> => base64url.sha256(canonicalJson(jwk))
