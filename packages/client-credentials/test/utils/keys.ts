/**
 * Key pairs for the client assertion tests, made with `jose` (and `node:crypto` for the PKCS#1 form it does not
 * write): each private key as a PKCS#8 PEM and as a private JWK, its public key as a JWK, and what a PEM shows.
 */
import * as Jose from "jose"
import * as Crypto from "node:crypto"

export interface TestKey {
  /** `-----BEGIN PRIVATE KEY-----` */
  readonly pem: string
  /** The private JWK, as JSON. */
  readonly jwkJson: string
  readonly privateJwk: Jose.JWK
  readonly publicJwk: Jose.JWK
  /** The PEM's base64 lines, which no message may hold. */
  readonly pemLines: ReadonlyArray<string>
  /** The PEM's base64 body on one line. */
  readonly pemBody: string
}

/** The base64 lines of a PEM, without its armour. */
export const pemLinesOf = (pem: string): ReadonlyArray<string> =>
  pem.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("-----"))

const make = async (alg: string, options: Jose.GenerateKeyPairOptions = {}): Promise<TestKey> => {
  const pair = await Jose.generateKeyPair(alg, { ...options, extractable: true })
  const pem = await Jose.exportPKCS8(pair.privateKey)
  const privateJwk = await Jose.exportJWK(pair.privateKey)
  const publicJwk = await Jose.exportJWK(pair.publicKey)
  const pemLines = pemLinesOf(pem)
  return { pem, jwkJson: JSON.stringify(privateJwk), privateJwk, publicJwk, pemLines, pemBody: pemLines.join("") }
}

export const rsa = await make("RS256")
/** A second RSA key: another client, or the wrong key. */
export const rsa2 = await make("RS256")
export const p256 = await make("ES256")
export const p384 = await make("ES384")
export const ed25519 = await make("EdDSA", { crv: "Ed25519" })
/** An RSA key too short to sign RS256 (jose asks for 2048 bits, and finds out only when it signs); made by Node. */
export const rsa1024: TestKey = (() => {
  const { privateKey, publicKey } = Crypto.generateKeyPairSync("rsa", { modulusLength: 1024 })
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
  const privateJwk = privateKey.export({ format: "jwk" }) as Jose.JWK
  const pemLines = pemLinesOf(pem)
  return {
    pem,
    jwkJson: JSON.stringify(privateJwk),
    privateJwk,
    publicJwk: publicKey.export({ format: "jwk" }) as Jose.JWK,
    pemLines,
    pemBody: pemLines.join("")
  }
})()

/** `rsa`'s private key as PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`), which the library refuses. */
export const rsaPkcs1Pem = Crypto.createPrivateKey(rsa.pem).export({ type: "pkcs1", format: "pem" }).toString()

/**
 * `value` cut into consecutive 8-character pieces, named: a text that holds none of their starts holds no run of 15
 * or more characters of `value`, wherever it starts.
 */
export const piecesOf = (name: string, value: string): Record<string, string> => {
  const pieces: Record<string, string> = {}
  for (let i = 0; i + 8 <= value.length; i += 8) pieces[`${name} at ${i}`] = value.slice(i, i + 8)
  return pieces
}

/** What no message about `key` may hold: no run of its PEM's lines (given, or `key.pem`), nor of its private JWK. */
export const partsOf = (key: TestKey, pem = key.pem): Record<string, string> => {
  const parts: Record<string, string> = {}
  for (const [i, line] of pemLinesOf(pem).entries()) Object.assign(parts, piecesOf(`PEM line ${i + 1}`, line))
  for (const name of ["d", "p", "q", "dp", "dq", "qi"]) {
    const value = (key.privateJwk as Record<string, unknown>)[name]
    if (typeof value === "string") Object.assign(parts, piecesOf(`the JWK's ${name}`, value))
  }
  return parts
}

/** A public key, to verify an assertion signed with `alg`. */
export const verifierOf = (key: TestKey, alg: string) => Jose.importJWK(key.publicJwk, alg)
