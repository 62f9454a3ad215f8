/**
 * The `tlsClientCertificate` option of the mutual-TLS methods (RFC 8705 §2): the client's certificate (PEM, the
 * chain above it may follow), its private key (PEM) and, optionally, the certificates that the server's certificate
 * is checked against (PEM). Read with Node's `node:crypto` (loaded without a static import, so that this module loads
 * anywhere): each text must be what it says, and the key must be the certificate's. Its identity in cache keys and in
 * a shared store's keys is the certificate's SHA-256 thumbprint (`x5t#S256`, RFC 8705 §3.1): a token bound to one
 * certificate is never served to a client that presents another. What is wrong is said naming the field, never a
 * part of its text.
 */
import { nodeModule } from "./builtins.js"
import { parse as parseCertificate } from "./certificate.js"
import { type Checked, invalid, valid } from "./checked.js"
import * as Pem from "./pem.js"
import { kindOf } from "./text.js"

/** The part of `node:crypto` used here. */
interface NodeCrypto {
  readonly X509Certificate: new(der: Uint8Array) => { checkPrivateKey(key: object): boolean }
  readonly createPrivateKey: (pem: string) => object
}

/**
 * A client certificate, checked: its PEM texts as given (`key` as a line holds a secret), and its thumbprint.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsClientCertificate<S = string> {
  /** The client's certificate, then the chain above it if any, as PEM. */
  readonly cert: string
  /** The certificate's private key, as PEM. */
  readonly key: S
  /** The certificates the server's is checked against, as PEM; the runtime's own when absent. */
  readonly ca: string | undefined
  /** `x5t#S256`: the SHA-256 of the client certificate's DER, base64url without padding. */
  readonly thumbprint: string
}

/**
 * What identifies a client certificate in a cache key: `x5t#S256:<thumbprint>`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keyIdentityOf = (certificate: { readonly thumbprint: string }): string =>
  `x5t#S256:${certificate.thumbprint}`

const bytesOf = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))

/** A problem of `certificate.parse`, about the field `field`. */
const aboutField = (field: string, problem: string): string =>
  `${field}${problem.slice("certificate".length).replace(/privateKey/g, "tlsClientCertificate.key")}`

/**
 * The `tlsClientCertificate` option, checked: an object; `cert` a string of PEM certificates; `key` (as the line's
 * `secret` reads it) a PEM private key that is `cert`'s first certificate's; `ca`, when given, a string of PEM
 * certificates. What is wrong, naming the field, never a part of its text.
 *
 * @since 0.1.0
 * @category constructors
 */
export const check = (
  value: unknown,
  secret: (name: "tlsClientCertificate.key", value: unknown) => Checked<string>
): Checked<TlsClientCertificate> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid(`tlsClientCertificate must be an object with cert, key and optionally ca, not ${kindOf(value)}`)
  }
  const fields = value as Readonly<Record<string, unknown>>
  const crypto = nodeModule<NodeCrypto>("node:crypto")
  if (crypto === undefined) {
    return invalid("tlsClientCertificate needs node:crypto, which this runtime does not have")
  }
  if (fields.cert === undefined) return invalid("tlsClientCertificate needs cert (PEM certificates)")
  if (typeof fields.cert !== "string") {
    return invalid(`tlsClientCertificate.cert must be a string (PEM certificates), not ${kindOf(fields.cert)}`)
  }
  const certificate = parseCertificate(fields.cert, false)
  if (certificate._tag === "Invalid") return invalid(aboutField("tlsClientCertificate.cert", certificate.problem))
  const key = secret("tlsClientCertificate.key", fields.key)
  if (key._tag === "Invalid") return key
  const keyText = key.value.trim()
  if (!keyText.startsWith("-----BEGIN") || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyText)) {
    return invalid("tlsClientCertificate.key is not a PEM private key (-----BEGIN PRIVATE KEY-----)")
  }
  let privateKey: object
  try {
    privateKey = crypto.createPrivateKey(keyText)
  } catch {
    return invalid("tlsClientCertificate.key is not a private key node:crypto can read (an encrypted key is not)")
  }
  const first = new crypto.X509Certificate(bytesOf(certificate.value.chain[0]!))
  let matches: boolean
  try {
    matches = first.checkPrivateKey(privateKey)
  } catch {
    matches = false
  }
  if (!matches) {
    return invalid(
      "tlsClientCertificate.key does not match tlsClientCertificate.cert: the public key of its first certificate " +
        "is not the key's"
    )
  }
  const ca = fields.ca
  if (ca !== undefined) {
    if (typeof ca !== "string") {
      return invalid(`tlsClientCertificate.ca must be a string (PEM certificates), not ${kindOf(ca)}`)
    }
    const authorities = parseCertificate(ca, false)
    if (authorities._tag === "Invalid") return invalid(aboutField("tlsClientCertificate.ca", authorities.problem))
  }
  const unknownField = Object.keys(fields).find((name) => name !== "cert" && name !== "key" && name !== "ca")
  if (unknownField !== undefined) {
    return invalid("tlsClientCertificate takes cert, key and ca only")
  }
  return valid({ cert: fields.cert, key: keyText, ca, thumbprint: certificate.value.thumbprint })
}

/**
 * The values that must never show in an error: the key's text and its base64 (`Pem.secretBodies`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const secretsOf = (certificate: TlsClientCertificate): ReadonlyArray<string> => [
  certificate.key,
  ...Pem.secretBodies(certificate.key)
]
