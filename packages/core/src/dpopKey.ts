/**
 * The key a client proves possession of with DPoP (RFC 9449): the algorithms it signs with (ES256 by default), the key
 * generated, or given as a key pair or a private JWK; its public JWK, which goes into every proof's header, and its
 * thumbprint (RFC 7638), which names it in cache keys. A key is tried once when it is made: it must sign with its
 * algorithm, and its signature must verify with its public key, so that a key that cannot serve fails then and not at
 * the server. Generating, importing and signing are the `jose` a line passes in, as for client assertions
 * (`signing.ts`). Failures are words that name the key's kind, never a part of it.
 *
 * The public JWK is made of the key type's required members (`jwkThumbprint.publicJwkOf`): what it keeps is listed,
 * so a private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, or one a future key type adds) is never in it.
 */
import { type Checked, invalid, valid } from "./checked.js"
import * as jwkThumbprint from "./jwkThumbprint.js"
import type * as Signing from "./signing.js"

/**
 * The algorithms a DPoP proof is signed with, the default first.
 *
 * @since 0.1.0
 * @category models
 */
export const algorithms = ["ES256", "PS256", "RS256", "EdDSA"] as const

/**
 * An algorithm a DPoP proof is signed with.
 *
 * @since 0.1.0
 * @category models
 */
export type Algorithm = typeof algorithms[number]

/**
 * The algorithm of a key generated when none is asked for: ES256 (ECDSA on P-256 with SHA-256).
 *
 * @since 0.1.0
 * @category models
 */
export const defaultAlgorithm: Algorithm = "ES256"

/**
 * Whether `value` is one of `algorithms`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isAlgorithm = (value: unknown): value is Algorithm =>
  typeof value === "string" && (algorithms as ReadonlyArray<string>).includes(value)

/**
 * The part of `jose` used here; each line passes the module it depends on.
 *
 * @since 0.1.0
 * @category models
 */
export interface Jose extends Pick<Signing.Jose, "SignJWT" | "importJWK" | "exportJWK" | "importPKCS8"> {
  readonly generateKeyPair: (
    algorithm: string,
    options: { readonly extractable: boolean }
  ) => Promise<{ readonly privateKey: object; readonly publicKey: object }>
  readonly jwtVerify: (jwt: string, key: never) => Promise<unknown>
}

/**
 * A key pair as Web Crypto and `jose` hold it (`CryptoKey`s): opaque here.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyPair {
  readonly privateKey: object
  readonly publicKey: object
}

/**
 * A DPoP key ready to sign proofs: its algorithm, its private key (opaque), its public JWK (required members only) and
 * that JWK's thumbprint.
 *
 * @since 0.1.0
 * @category models
 */
export interface DpopKey {
  readonly algorithm: Algorithm
  readonly privateKey: object
  readonly publicJwk: jwkThumbprint.PublicJwk
  readonly thumbprint: string
}

/**
 * Whether a key of `jwk`'s type signs with `algorithm`: RSA for PS256 and RS256, EC P-256 for ES256, OKP Ed25519 for
 * EdDSA.
 *
 * @since 0.1.0
 * @category guards
 */
export const fits = (algorithm: Algorithm, jwk: jwkThumbprint.PublicJwk): boolean => {
  switch (algorithm) {
    case "PS256":
    case "RS256":
      return jwk.kty === "RSA"
    case "ES256":
      return jwk.kty === "EC" && jwk.crv === "P-256"
    case "EdDSA":
      return jwk.kty === "OKP" && jwk.crv === "Ed25519"
  }
}

const defaultAlgorithms: ReadonlyArray<Algorithm> = ["RS256", "ES256", "EdDSA"]

/**
 * The algorithm of a key of `jwk`'s type when none is given: RS256 for RSA, ES256 for EC P-256, EdDSA for OKP Ed25519;
 * `undefined` for another curve.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultAlgorithmOf = (jwk: jwkThumbprint.PublicJwk): Algorithm | undefined =>
  defaultAlgorithms.find((algorithm) => fits(algorithm, jwk))

const attempt = async <A>(promise: () => Promise<A>): Promise<A | undefined> => {
  try {
    return await promise()
  } catch {
    return undefined
  }
}

/** The algorithm of a key whose public JWK is `publicJwk`: `configured`, or its type's; checked against its type. */
const algorithmOf = (publicJwk: jwkThumbprint.PublicJwk, configured: Algorithm | undefined): Checked<Algorithm> => {
  const algorithm = configured ?? defaultAlgorithmOf(publicJwk)
  if (algorithm === undefined) {
    return invalid("the DPoP key is of a type with no default algorithm (RSA, EC P-256 or Ed25519); set its algorithm")
  }
  return fits(algorithm, publicJwk)
    ? valid(algorithm)
    : invalid(`the DPoP key (${publicJwk.kty}) does not fit ${algorithm}`)
}

/** The key of `pair`, whose public JWK is `publicJwk`, tried: one signature made with `algorithm` and verified. */
const tried = async (
  jose: Jose,
  pair: KeyPair,
  publicJwk: jwkThumbprint.PublicJwk,
  algorithm: Algorithm
): Promise<Checked<DpopKey>> => {
  const signed = await attempt(() =>
    new jose.SignJWT({}).setProtectedHeader({ alg: algorithm }).sign(pair.privateKey as never)
  )
  if (signed === undefined) {
    return invalid(`the DPoP private key cannot sign with ${algorithm} (an RSA key needs at least 2048 bits)`)
  }
  if (await attempt(() => jose.jwtVerify(signed, pair.publicKey as never)) === undefined) {
    return invalid("the DPoP private key's signatures do not verify with its public key: they are not one pair")
  }
  return valid({ algorithm, privateKey: pair.privateKey, publicJwk, thumbprint: await jwkThumbprint.of(publicJwk) })
}

/**
 * The DPoP key of `pair` (e.g. what `crypto.subtle.generateKey` or jose's `generateKeyPair` give), for `algorithm`
 * (by default the one its type has, `defaultAlgorithmOf`); what is wrong with it otherwise.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keyOfPair = async (
  jose: Jose,
  pair: KeyPair,
  algorithm?: Algorithm | undefined
): Promise<Checked<DpopKey>> => {
  const exported = await attempt(() => jose.exportJWK(pair.publicKey as never))
  if (exported === undefined) return invalid("the DPoP public key cannot be exported as a JWK")
  const publicJwk = jwkThumbprint.publicJwkOf(exported as Readonly<Record<string, unknown>>)
  if (publicJwk._tag === "Invalid") return invalid(`the DPoP public key: ${publicJwk.problem}`)
  const checked = algorithmOf(publicJwk.value, algorithm)
  return checked._tag === "Invalid" ? checked : tried(jose, pair, publicJwk.value, checked.value)
}

/**
 * The DPoP key of a private JWK, for `algorithm` (by default the one its type has, `defaultAlgorithmOf`); its private
 * key imported as not extractable, its public JWK taken from its required members; what is wrong with it otherwise.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keyOfJwk = async (
  jose: Jose,
  jwk: Readonly<Record<string, unknown>>,
  algorithm?: Algorithm | undefined
): Promise<Checked<DpopKey>> => {
  const publicJwk = jwkThumbprint.publicJwkOf(jwk)
  if (publicJwk._tag === "Invalid") return invalid(`the DPoP key: ${publicJwk.problem}`)
  if (typeof jwk.d !== "string" || jwk.d === "") return invalid("the DPoP key is a JWK without its private part (d)")
  const checked = algorithmOf(publicJwk.value, algorithm)
  if (checked._tag === "Invalid") return checked
  const privateKey = await attempt(() => jose.importJWK({ ...jwk, ext: false } as never, checked.value))
  const publicKey = await attempt(() => jose.importJWK({ ...publicJwk.value, ext: true } as never, checked.value))
  if (privateKey === undefined || publicKey === undefined) {
    return invalid(`the DPoP key cannot be imported for ${checked.value}`)
  }
  return tried(jose, { privateKey, publicKey }, publicJwk.value, checked.value)
}

/**
 * A new DPoP key for `algorithm` (by default `defaultAlgorithm`, ES256), its private key not extractable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateKey = async (jose: Jose, algorithm: Algorithm = defaultAlgorithm): Promise<Checked<DpopKey>> =>
  keyOfPair(jose, await jose.generateKeyPair(algorithm, { extractable: false }), algorithm)

/** The algorithms a PKCS#8 PEM is tried with when none is given, one per key type. */
const pemAlgorithms: ReadonlyArray<Algorithm> = ["ES256", "RS256", "EdDSA"]

/**
 * The DPoP key of a private key given as text: a private JWK in JSON (it begins with `{`) or a PKCS#8 PEM, for
 * `algorithm` (by default the one its type has, `defaultAlgorithmOf`); what is wrong with it otherwise, in words that
 * name the key's form, never a part of it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keyOfText = async (
  jose: Jose,
  text: string,
  algorithm?: Algorithm | undefined
): Promise<Checked<DpopKey>> => {
  const trimmed = text.trim()
  if (trimmed.startsWith("{")) {
    let jwk: unknown
    try {
      jwk = JSON.parse(trimmed)
    } catch {
      return invalid("the DPoP private key is neither a JWK in JSON nor a PKCS#8 PEM")
    }
    if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
      return invalid("the DPoP private key is neither a JWK in JSON nor a PKCS#8 PEM")
    }
    return keyOfJwk(jose, jwk as Readonly<Record<string, unknown>>, algorithm)
  }
  if (!trimmed.startsWith("-----BEGIN PRIVATE KEY-----")) {
    return invalid("the DPoP private key is neither a JWK in JSON nor a PKCS#8 PEM")
  }
  for (const tried of algorithm === undefined ? pemAlgorithms : [algorithm]) {
    const imported = await attempt(() => jose.importPKCS8(trimmed, tried, { extractable: true }))
    const jwk = imported === undefined ? undefined : await attempt(() => jose.exportJWK(imported as never))
    if (jwk !== undefined) return keyOfJwk(jose, jwk as Readonly<Record<string, unknown>>, algorithm)
  }
  return invalid(
    algorithm === undefined
      ? "the DPoP private key (PKCS#8 PEM) cannot be imported as an RSA, EC P-256 or Ed25519 key"
      : `the DPoP private key (PKCS#8 PEM) cannot be imported for ${algorithm}`
  )
}
