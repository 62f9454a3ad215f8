/**
 * Client assertions signed and checked (RFC 7523 §2.2), with the `jose` a line passes in (`Jose`: the part of it used
 * here, the same in the versions each line depends on): a private key imported for its algorithm (probed for a PEM,
 * the JWK's own for a JWK) and tried once, so that a key that cannot sign fails when the layer is built; its identity
 * in cache keys (the RFC 7638 thumbprint of its public part); one assertion signed (`claimsOf`, `headerOf`); and an
 * assertion made elsewhere checked. Failures are words that name the option and show nothing of the key or the
 * assertion.
 */
import { type Certificate, headerMembers } from "./certificate.js"
import { type Checked, invalid, valid } from "./checked.js"
import {
  assertionCredentials,
  audienceOf,
  type Claims,
  claimsOf,
  type Credentials,
  type Destination,
  type Header,
  headerOf,
  secretBasicCredentials,
  secretPostCredentials,
  tlsCredentials
} from "./clientAuthentication.js"
import * as compactJws from "./compactJws.js"
import {
  type AssertionAudience,
  defaultAlgorithmOf,
  type ParsedKey,
  pemProbeOrder,
  privateJwkMembers,
  type Spec
} from "./credentials.js"
import { describeFailureName } from "./describeCause.js"
import type { SigningAlgorithm } from "./methods.js"
import { keyIdentityOf } from "./tlsClientCertificate.js"

/**
 * A key as `jose` holds it (a `CryptoKey`, or the bytes of an HMAC key): opaque here.
 *
 * @since 0.1.0
 * @category models
 */
export type Key = object

/**
 * The part of `jose` used here; each line passes the module it depends on.
 *
 * @since 0.1.0
 * @category models
 */
export interface Jose {
  readonly SignJWT: new(payload: Record<string, unknown>) => {
    setProtectedHeader(header: Record<string, unknown>): { sign(key: never): Promise<string> }
  }
  readonly importPKCS8: (pem: string, algorithm: string, options: { readonly extractable: boolean }) => Promise<object>
  readonly importJWK: (jwk: never, algorithm: string) => Promise<object>
  readonly exportJWK: (key: never) => Promise<object>
  readonly calculateJwkThumbprint: (jwk: never) => Promise<string>
}

/**
 * A private key ready to sign: the key, the header of its assertions, and its identity in cache keys
 * (`jkt:<thumbprint>`).
 *
 * @since 0.1.0
 * @category models
 */
export interface PrivateKeySigner {
  readonly key: Key
  readonly header: Header
  readonly keyIdentity: string
}

const misfit = (algorithm: string) => `privateKey does not fit signingAlgorithm ${algorithm}`

const attempt = async <A>(promise: () => Promise<A>): Promise<A | undefined> => {
  try {
    return await promise()
  } catch {
    return undefined
  }
}

/** The key imported for its algorithm, and the JWK of its public part; what is wrong with it otherwise. */
const importKey = async (
  jose: Jose,
  key: ParsedKey,
  configured: SigningAlgorithm | undefined
): Promise<
  Checked<{ readonly key: Key; readonly algorithm: SigningAlgorithm; readonly jwk: Record<string, unknown> }>
> => {
  if (key._tag === "Jwk") {
    const algorithm = configured ?? defaultAlgorithmOf(key.jwk)
    if (algorithm === undefined) {
      return invalid(
        "privateKey is a JWK of a type with no default algorithm (RSA, EC P-256 or Ed25519); set signingAlgorithm"
      )
    }
    const imported = await attempt(() => jose.importJWK({ ...key.jwk, ext: true } as never, algorithm))
    // a symmetric JWK imports as bytes: no private key
    if (imported === undefined || imported instanceof Uint8Array) return invalid(misfit(algorithm))
    return valid({ key: imported, algorithm, jwk: key.jwk })
  }
  for (const algorithm of configured === undefined ? pemProbeOrder : [configured]) {
    const imported = await attempt(() => jose.importPKCS8(key.pem, algorithm, { extractable: true }))
    if (imported !== undefined) {
      const jwk = await jose.exportJWK(imported as never) as Record<string, unknown>
      return valid({ key: imported, algorithm, jwk })
    }
  }
  return invalid(
    configured === undefined
      ? "privateKey is not a PKCS#8 RSA, EC P-256 or Ed25519 key (-----BEGIN PRIVATE KEY-----)"
      : misfit(configured)
  )
}

/** The RFC 7638 thumbprint of a public JWK; `undefined` for one jose cannot take. */
const thumbprintOf = (jose: Jose, publicJwk: Readonly<Record<string, unknown>>): Promise<string | undefined> =>
  attempt(() => jose.calculateJwkThumbprint(publicJwk as never))

/**
 * The private key of `private_key_jwt`, imported (for `algorithm`, or the one it fits), tried once (jose checks some
 * things only when it signs: an RSA key's 2048 bits), with its identity and the header of its assertions (`keyId`, or
 * a JWK's own `kid`, is its `kid`; a `certificate`, which must hold the key's public key, is named by its `x5t#S256`,
 * and with `sendCertificateChain` its chain is the `x5c`); what is wrong with it otherwise.
 *
 * @since 0.1.0
 * @category constructors
 */
export const privateKeySigner = async (
  jose: Jose,
  spec: {
    readonly key: ParsedKey
    readonly algorithm: SigningAlgorithm | undefined
    readonly keyId: string | undefined
    readonly certificate?: Certificate | undefined
    readonly sendCertificateChain?: boolean | undefined
  }
): Promise<Checked<PrivateKeySigner>> => {
  const imported = await importKey(jose, spec.key, spec.algorithm)
  if (imported._tag === "Invalid") return imported
  const { algorithm, jwk, key } = imported.value
  const signed = await attempt(() => new jose.SignJWT({}).setProtectedHeader({ alg: algorithm }).sign(key as never))
  if (signed === undefined) {
    return invalid(`privateKey cannot sign with ${algorithm} (an RSA key needs at least 2048 bits)`)
  }
  const publicJwk: Record<string, unknown> = { ...jwk }
  for (const name of privateJwkMembers) delete publicJwk[name]
  const thumbprint = await jose.calculateJwkThumbprint(publicJwk as never)
  const certificate = spec.certificate
  if (certificate !== undefined && await thumbprintOf(jose, certificate.publicJwk) !== thumbprint) {
    return invalid(
      "privateKey does not match certificate: the public key of its first certificate is not privateKey's"
    )
  }
  // a JWK's own `kid` is the default: it is how the server that holds its public part names it
  const keyId = spec.keyId ?? (spec.key._tag === "Jwk" && typeof jwk.kid === "string" ? jwk.kid : undefined)
  const named = certificate === undefined ? undefined : headerMembers(certificate, spec.sendCertificateChain === true)
  return valid({ key, header: headerOf(algorithm, keyId, named), keyIdentity: `jkt:${thumbprint}` })
}

/**
 * The HMAC key of `client_secret_jwt`: the secret's UTF-8 bytes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const secretKey = (secret: string): Key => new TextEncoder().encode(secret)

/**
 * One assertion with `claims` and `header`, signed with `key`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sign = (jose: Jose, key: Key, header: Header, claims: Claims): Promise<string> =>
  new jose.SignJWT({ ...claims }).setProtectedHeader({ ...header }).sign(key as never)

/**
 * What an assertion made elsewhere gave (its text, `undefined` when it was no `Redacted` value), checked: a non-empty
 * compact JWS; what is wrong with it otherwise, without quoting it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkAssertion = (text: unknown): Checked<string> => {
  if (typeof text !== "string" || text === "") {
    return invalid("the clientAssertion effect gave no assertion (a Redacted non-empty string)")
  }
  const problem = compactJws.problem(text)
  return problem === undefined
    ? valid(text)
    : invalid(`the clientAssertion effect gave an assertion that is no ${compactJws.described}: ${problem}`)
}

/**
 * Why an assertion made elsewhere is missing, by the name of what its effect failed with (its text may quote what it
 * read), or by `refused` when the library read it itself and says why.
 *
 * @since 0.1.0
 * @category constructors
 */
export const assertionFailed = (error: unknown, refused: string | undefined): string =>
  refused ?? `the clientAssertion effect failed (${describeFailureName(error)})`

/**
 * Why an assertion made elsewhere is missing when its effect died: the defect's name, never its text.
 *
 * @since 0.1.0
 * @category constructors
 */
export const assertionDied = (defect: unknown): string =>
  `the clientAssertion effect died (${describeFailureName(defect)})`

/**
 * A client authentication method as the core runs it: what it sends for one request to `destination` at `now` (wall
 * millis), as a promise a line runs on its clock.
 *
 * @since 0.1.0
 * @category models
 */
export interface Authentication {
  readonly method: string
  /**
   * What identifies the credentials in a cache key without revealing them: `""` for a secret, the JWK thumbprint
   * (RFC 7638) of the public key for a private key, the certificate's SHA-256 thumbprint for a client certificate.
   */
  readonly keyIdentity: string
  readonly credentials: (destination: Destination, now: number) => Promise<Credentials>
}

/** A method that signs a fresh assertion with `key` for every request. */
const signing = (
  jose: Jose,
  clientId: string,
  method: string,
  keyIdentity: string,
  signer: { readonly key: Key; readonly header: Header },
  audience: AssertionAudience
): Authentication => ({
  method,
  keyIdentity,
  credentials: async (destination, now) => {
    const claims = claimsOf({ clientId, audience: audienceOf(audience, destination), now, jti: crypto.randomUUID() })
    // the key signed once when it was imported (`privateKeySigner`), and an HMAC key always signs
    return assertionCredentials(clientId, await sign(jose, signer.key, signer.header, claims))
  }
})

/**
 * The client authentication of credentials that are no assertion made elsewhere: a shared secret sent as it is, or
 * an assertion signed for every request (HS256 over the secret, or the private key, imported here, once), or the
 * client id alone beside a client certificate (mutual TLS); what is wrong with a key otherwise.
 *
 * @since 0.1.0
 * @category constructors
 */
export const authenticationOf = async (
  jose: Jose,
  clientId: string,
  spec: Exclude<Spec, { readonly _tag: "Assertion" }>
): Promise<Checked<Authentication>> => {
  switch (spec._tag) {
    case "Secret": {
      const credentials = spec.method === "client_secret_basic"
        ? secretBasicCredentials(clientId, spec.secret)
        : secretPostCredentials(clientId, spec.secret)
      return valid({ method: spec.method, keyIdentity: "", credentials: () => Promise.resolve(credentials) })
    }
    case "SecretJwt": {
      const signer = { key: secretKey(spec.secret), header: headerOf("HS256", undefined) }
      return valid(signing(jose, clientId, "client_secret_jwt", "", signer, spec.audience))
    }
    case "PrivateKey": {
      const signer = await privateKeySigner(jose, spec)
      return signer._tag === "Invalid"
        ? signer
        : valid(signing(jose, clientId, "private_key_jwt", signer.value.keyIdentity, signer.value, spec.audience))
    }
    case "Tls": {
      const credentials = tlsCredentials(clientId)
      return valid({
        method: spec.method,
        keyIdentity: keyIdentityOf(spec.certificate),
        credentials: () => Promise.resolve(credentials)
      })
    }
  }
}
