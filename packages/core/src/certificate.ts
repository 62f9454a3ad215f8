/**
 * The `certificate` option of `private_key_jwt`: the X.509 certificate of the client's key, as PEM, then the chain
 * above it if any (Microsoft Entra ID's certificate credentials). Read with Node's `X509Certificate` (`node:crypto`,
 * which Deno and Bun have too), loaded without a static import so that this module loads anywhere; what an assertion's
 * header says of it: `x5t#S256` (RFC 7515 §4.1.8), the SHA-256 of the first certificate's DER in base64url, and `x5c`
 * (§4.1.6), each certificate's DER in standard base64, the key's own first; and the first certificate's public key,
 * as a JWK, which must be the private key's. A certificate is public, but what is wrong with one is said naming the
 * option and what was found, never a part of the text: it may be a key given in the wrong option.
 */
import * as Base64url from "./base64url.js"
import { nodeModule } from "./builtins.js"
import { type Checked, invalid, valid } from "./checked.js"
import * as Pem from "./pem.js"

/** The part of `node:crypto` used here. */
interface NodeCrypto {
  readonly X509Certificate: new(der: Uint8Array) => {
    readonly publicKey: { export(options: { readonly format: "jwk" }): object }
    checkIssued(issuer: unknown): boolean
  }
  readonly createHash: (algorithm: "sha256") => { update(data: Uint8Array): { digest(): Uint8Array } }
}

/**
 * A certificate, as an assertion names it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Certificate {
  /** `x5t#S256`: the SHA-256 of the first certificate's DER, base64url without padding. */
  readonly thumbprint: string
  /** `x5c`: each certificate's DER in standard base64 (with padding), in the order given, the key's own first. */
  readonly chain: ReadonlyArray<string>
  /** The first certificate's public key as a JWK (`kty` and its public members). */
  readonly publicJwk: Readonly<Record<string, unknown>>
}

/**
 * What an assertion's header says of a certificate: `x5t#S256`, and `x5c` when the chain is sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface HeaderMembers {
  readonly "x5t#S256": string
  readonly x5c?: ReadonlyArray<string>
}

const base64 = /^[A-Za-z0-9+/]+={0,2}$/

const bytesOf = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0))

const base64Of = (bytes: Uint8Array): string => btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""))

/**
 * The `certificate` option's text, read: one or more `-----BEGIN CERTIFICATE-----` blocks (text around them, as
 * OpenSSL writes it, is left alone), each an X.509 certificate; with `chainInOrder`, each certificate issued by the one
 * after it. What is wrong otherwise, naming the option, the block by its number and label, never a part of it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (text: string, chainInOrder: boolean): Checked<Certificate> => {
  const crypto = nodeModule<NodeCrypto>("node:crypto")
  if (crypto === undefined) {
    return invalid("certificate needs node:crypto's X509Certificate, which this runtime does not have")
  }
  const blocks = Pem.blocks(text.trim())
  if (blocks.length === 0) return invalid("certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)")
  const read: Array<{ readonly der: Uint8Array; readonly x509: InstanceType<NodeCrypto["X509Certificate"]> }> = []
  for (const [index, { body, label }] of blocks.entries()) {
    const which = blocks.length === 1 ? "its PEM block" : `its PEM block #${index + 1}`
    if (label !== "CERTIFICATE") {
      return invalid(
        `certificate holds a PEM block that is no certificate (${which}: ${label}); give the certificate of ` +
          "privateKey, then the chain above it if any"
      )
    }
    if (body === undefined || !base64.test(body)) {
      return invalid(`certificate is not a PEM certificate (${which} is not base64 between BEGIN and END lines)`)
    }
    const der = bytesOf(body)
    try {
      read.push({ der, x509: new crypto.X509Certificate(der) })
    } catch {
      return invalid(`certificate is not a PEM certificate (${which} is no X.509 certificate)`)
    }
  }
  if (chainInOrder) {
    for (let i = 0; i + 1 < read.length; i++) {
      if (!read[i]!.x509.checkIssued(read[i + 1]!.x509)) {
        return invalid(
          `certificate holds a chain out of order: certificate #${i + 1} is not issued by #${i + 2} (x5c lists ` +
            "the certificate of privateKey first, then each one's issuer)"
        )
      }
    }
  }
  let publicJwk: Readonly<Record<string, unknown>>
  try {
    publicJwk = read[0]!.x509.publicKey.export({ format: "jwk" }) as Readonly<Record<string, unknown>>
  } catch {
    return invalid("certificate holds a public key of a type private_key_jwt does not sign with")
  }
  return valid({
    thumbprint: Base64url.encode(crypto.createHash("sha256").update(read[0]!.der).digest()),
    chain: read.map(({ der }) => base64Of(der)),
    publicJwk
  })
}

/**
 * What an assertion's header says of `certificate`: its thumbprint, and the chain when `sendChain`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const headerMembers = (certificate: Certificate, sendChain: boolean): HeaderMembers =>
  sendChain
    ? { "x5t#S256": certificate.thumbprint, x5c: certificate.chain }
    : { "x5t#S256": certificate.thumbprint }
