/**
 * The `certificate` of `private_key_jwt` (`docs/configuration.md#a-certificate-microsoft-entra-id`): a PEM
 * certificate and its chain read with Node's `X509Certificate`; its `x5t#S256` the SHA-256 of the first certificate's
 * DER in base64url, its `x5c` each DER in standard base64, the key's own first; its public key as a JWK; and what is
 * wrong with a text, naming the option and the block, never a part of it. Certificates made by the test fixture
 * (`@effect-oauth2/suites/fixtures/Certificates`), checked against `node:crypto` here.
 */
import * as Certificates from "@effect-oauth2/suites/fixtures/Certificates"
import * as Crypto from "node:crypto"
import { assert, describe, it } from "vitest"
import * as Certificate from "../src/certificate.js"
import type { Checked } from "../src/checked.js"

const rsa = Certificates.client("rsa")
const ec = Certificates.client("ec")

const problemOf = (checked: Checked<unknown>): string => {
  assert.strictEqual(checked._tag, "Invalid")
  return checked._tag === "Invalid" ? checked.problem : ""
}

const parsed = (text: string, chainInOrder = false): Certificate.Certificate => {
  const checked = Certificate.parse(text, chainInOrder)
  assert.strictEqual(checked._tag, "Valid", checked._tag === "Invalid" ? checked.problem : "")
  return (checked as { readonly value: Certificate.Certificate }).value
}

/** No run of 8 characters of any of `texts`' base64 lines (their starts, at every 8th character) in `problem`. */
const assertShowsNone = (problem: string, ...texts: ReadonlyArray<string>) => {
  for (const text of texts) {
    const body = text.split("\n").filter((line) => !line.startsWith("-----")).join("")
    for (let i = 0; i + 8 <= body.length; i += 8) {
      assert.notInclude(problem, body.slice(i, i + 8), `the problem holds the text at ${i}`)
    }
  }
}

describe("certificate: parse", () => {
  it("x5t#S256 is the SHA-256 of the first certificate's DER, base64url without padding", () => {
    const certificate = parsed(rsa.certificate.pem)
    const digest = Crypto.createHash("sha256").update(rsa.certificate.der).digest()
    assert.strictEqual(certificate.thumbprint, digest.toString("base64url"))
    assert.match(certificate.thumbprint, /^[A-Za-z0-9_-]{43}$/)
    // Node's own fingerprint of the same certificate, another way to the same bytes
    const fingerprint = new Crypto.X509Certificate(rsa.certificate.pem).fingerprint256.replaceAll(":", "")
    assert.strictEqual(Buffer.from(certificate.thumbprint, "base64url").toString("hex").toUpperCase(), fingerprint)
  })

  it("x5c: each certificate's DER in standard base64 with padding, in the order given", () => {
    const certificate = parsed(rsa.chain)
    assert.deepStrictEqual(certificate.chain, [rsa.certificate.base64, rsa.authority.base64])
    assert.strictEqual(Buffer.from(certificate.chain[0]!, "base64").compare(rsa.certificate.der), 0)
    for (const entry of certificate.chain) {
      assert.match(entry, /^[A-Za-z0-9+/]+={0,2}$/)
      assert.strictEqual(entry.length % 4, 0, "padded")
    }
    assert.strictEqual(certificate.thumbprint, rsa.certificate.thumbprint, "the first certificate's thumbprint")
  })

  it("the first certificate's public key, as a JWK", () => {
    assert.deepStrictEqual(parsed(rsa.chain).publicJwk, rsa.publicKey.export({ format: "jwk" }))
    assert.deepStrictEqual(parsed(ec.certificate.pem).publicJwk, ec.publicKey.export({ format: "jwk" }))
  })

  it("text around the blocks, CRLF line ends and surrounding whitespace are left alone", () => {
    const written = `subject=CN = effect-oauth2 test client\r\n${
      rsa.certificate.pem.replaceAll("\n", "\r\n")
    }\r\n\r\n  ${rsa.authority.pem}\n\n`
    assert.deepStrictEqual(parsed(written), parsed(rsa.chain))
  })

  it("a chain out of order is refused when it is sent, and read when it is not", () => {
    const reversed = `${rsa.authority.pem}${rsa.certificate.pem}`
    assert.strictEqual(
      problemOf(Certificate.parse(reversed, true)),
      "certificate holds a chain out of order: certificate #1 is not issued by #2 (x5c lists the certificate of " +
        "privateKey first, then each one's issuer)"
    )
    assert.strictEqual(parsed(reversed).thumbprint, rsa.authority.thumbprint)
    parsed(rsa.chain, true)
    parsed(rsa.certificate.pem, true)
  })

  it("what is wrong with a text: the option, the block by its number and label, nothing of the text", () => {
    const key = rsa.privateKeyPem
    const damaged = rsa.certificate.pem.replace(/\n(.{10})/, "\nAAAAAAAAAA")
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["", "certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)"],
      [rsa.certificate.base64, "certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)"],
      [
        key,
        "certificate holds a PEM block that is no certificate (its PEM block: PRIVATE KEY); give the certificate of " +
        "privateKey, then the chain above it if any"
      ],
      [
        `${rsa.certificate.pem}${key}`,
        "certificate holds a PEM block that is no certificate (its PEM block #2: PRIVATE KEY); give the certificate " +
        "of privateKey, then the chain above it if any"
      ],
      [
        rsa.certificate.pem.replace("-----END CERTIFICATE-----", ""),
        "certificate is not a PEM certificate (its PEM block is not base64 between BEGIN and END lines)"
      ],
      [
        rsa.certificate.pem.replace(/\n(.)/, "\n*"),
        "certificate is not a PEM certificate (its PEM block is not base64 between BEGIN and END lines)"
      ],
      [damaged, "certificate is not a PEM certificate (its PEM block is no X.509 certificate)"],
      [
        `${rsa.certificate.pem}${damaged}`,
        "certificate is not a PEM certificate (its PEM block #2 is no X.509 certificate)"
      ]
    ]
    for (const [text, problem] of cases) {
      const found = problemOf(Certificate.parse(text, false))
      assert.strictEqual(found, problem)
      assertShowsNone(found, text, key, rsa.certificate.pem)
    }
  })
})

describe("certificate: headerMembers", () => {
  it("x5t#S256 alone, or with x5c when the chain is sent", () => {
    const certificate = parsed(rsa.chain)
    assert.deepStrictEqual(Certificate.headerMembers(certificate, false), { "x5t#S256": rsa.certificate.thumbprint })
    assert.deepStrictEqual(Certificate.headerMembers(certificate, true), {
      "x5t#S256": rsa.certificate.thumbprint,
      x5c: [rsa.certificate.base64, rsa.authority.base64]
    })
  })
})
