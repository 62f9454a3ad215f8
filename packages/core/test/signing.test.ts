/**
 * Client assertions (`docs/authentication.md`): a private key imported for its algorithm, tried once, its identity
 * the thumbprint of its public part and its `kid` the configured one or the JWK's own; a key's certificate, which must
 * hold its public key, named in the header (`x5t#S256`, and `x5c` when the chain is sent); what is wrong with a key in
 * words that show none of it; an assertion signed and verified; an assertion made elsewhere checked without quoting it.
 */
import * as Certificates from "@effect-oauth2/suites/fixtures/Certificates"
import * as Crypto from "node:crypto"
import { assert, describe, it } from "vitest"
import * as Certificate from "../src/certificate.js"
import { claimsOf, headerOf } from "../src/clientAuthentication.js"
import type { Jwk } from "../src/credentials.js"
import * as Signing from "../src/signing.js"
import { Jose } from "./jose.js"

const es256 = await Jose.generateKeyPair("ES256", { extractable: true })
const es256Pem = await Jose.exportPKCS8(es256.privateKey)
const es256Jwk = await Jose.exportJWK(es256.privateKey)
const es256Thumbprint = await Jose.calculateJwkThumbprint(await Jose.exportJWK(es256.publicKey))

const problemOf = (checked: { readonly _tag: string; readonly problem?: string }) => {
  assert.strictEqual(checked._tag, "Invalid")
  return checked.problem
}

describe("privateKeySigner", () => {
  it("a PKCS#8 PEM: its algorithm probed, its identity the public part's thumbprint, the configured kid", async () => {
    const signer = await Signing.privateKeySigner(Jose, {
      key: { _tag: "Pem", pem: es256Pem },
      algorithm: undefined,
      keyId: "key-1"
    })
    assert.strictEqual(signer._tag, "Valid")
    if (signer._tag !== "Valid") return
    assert.deepStrictEqual(signer.value.header, { alg: "ES256", typ: "JWT", kid: "key-1" })
    assert.strictEqual(signer.value.keyIdentity, `jkt:${es256Thumbprint}`)
  })

  it("a private JWK: its default algorithm, its own kid unless one is configured, the same identity", async () => {
    const jwk = { ...es256Jwk, kid: "jwk-kid" } as Jwk
    const own = await Signing.privateKeySigner(Jose, {
      key: { _tag: "Jwk", jwk },
      algorithm: undefined,
      keyId: undefined
    })
    assert.strictEqual(own._tag, "Valid")
    if (own._tag !== "Valid") return
    assert.deepStrictEqual(own.value.header, { alg: "ES256", typ: "JWT", kid: "jwk-kid" })
    assert.strictEqual(own.value.keyIdentity, `jkt:${es256Thumbprint}`)
    const configured = await Signing.privateKeySigner(Jose, {
      key: { _tag: "Jwk", jwk },
      algorithm: "ES256",
      keyId: "k"
    })
    assert.strictEqual(configured._tag === "Valid" && configured.value.header.kid, "k")
  })

  it("what is wrong with a key, in words that show none of it", async () => {
    const pem = { _tag: "Pem", pem: es256Pem } as const
    assert.strictEqual(
      problemOf(await Signing.privateKeySigner(Jose, { key: pem, algorithm: "RS256", keyId: undefined })),
      "privateKey does not fit signingAlgorithm RS256"
    )
    assert.strictEqual(
      problemOf(
        await Signing.privateKeySigner(Jose, {
          key: { _tag: "Pem", pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" },
          algorithm: undefined,
          keyId: undefined
        })
      ),
      "privateKey is not a PKCS#8 RSA, EC P-256 or Ed25519 key (-----BEGIN PRIVATE KEY-----)"
    )
    const oct = { kty: "oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", d: "x" } as Jwk
    assert.strictEqual(
      problemOf(
        await Signing.privateKeySigner(Jose, { key: { _tag: "Jwk", jwk: oct }, algorithm: undefined, keyId: undefined })
      ),
      "privateKey is a JWK of a type with no default algorithm (RSA, EC P-256 or Ed25519); set signingAlgorithm"
    )
    assert.strictEqual(
      problemOf(
        await Signing.privateKeySigner(Jose, { key: { _tag: "Jwk", jwk: oct }, algorithm: "ES256", keyId: undefined })
      ),
      "privateKey does not fit signingAlgorithm ES256"
    )
    const rsa1024 = Crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey
    const rsa1024Pem = rsa1024.export({ type: "pkcs8", format: "pem" }).toString()
    assert.strictEqual(
      problemOf(
        await Signing.privateKeySigner(Jose, {
          key: { _tag: "Pem", pem: rsa1024Pem },
          algorithm: undefined,
          keyId: undefined
        })
      ),
      "privateKey cannot sign with RS256 (an RSA key needs at least 2048 bits)"
    )
  })
})

describe("privateKeySigner with a certificate", () => {
  const client = Certificates.client("rsa")
  const other = Certificates.client("rsa")
  const ec = Certificates.client("ec")
  const read = (text: string, chainInOrder = false) => {
    const parsed = Certificate.parse(text, chainInOrder)
    assert.strictEqual(parsed._tag, "Valid")
    return (parsed as { readonly value: Certificate.Certificate }).value
  }
  const signer = (
    privateKeyPem: string,
    certificate: Certificate.Certificate,
    more: { readonly keyId?: string; readonly sendCertificateChain?: boolean } = {}
  ) =>
    Signing.privateKeySigner(Jose, {
      key: { _tag: "Pem", pem: privateKeyPem },
      algorithm: "PS256",
      keyId: more.keyId,
      certificate,
      sendCertificateChain: more.sendCertificateChain
    })

  it("the header names the certificate by its x5t#S256; x5c only when the chain is sent; kid still", async () => {
    const alone = await signer(client.privateKeyPem, read(client.chain))
    assert.deepStrictEqual(alone._tag === "Valid" && alone.value.header, {
      alg: "PS256",
      typ: "JWT",
      "x5t#S256": client.certificate.thumbprint
    })
    const chained = await signer(client.privateKeyPem, read(client.chain, true), {
      keyId: "entra-key",
      sendCertificateChain: true
    })
    assert.deepStrictEqual(chained._tag === "Valid" && chained.value.header, {
      alg: "PS256",
      typ: "JWT",
      kid: "entra-key",
      "x5t#S256": client.certificate.thumbprint,
      x5c: [client.certificate.base64, client.authority.base64]
    })
    // the key's identity is its own, whatever names it
    const bare = await Signing.privateKeySigner(Jose, {
      key: { _tag: "Pem", pem: client.privateKeyPem },
      algorithm: "PS256",
      keyId: undefined
    })
    assert.strictEqual(
      chained._tag === "Valid" && chained.value.keyIdentity,
      bare._tag === "Valid" && bare.value.keyIdentity
    )
  })

  it("a key whose certificate is another key's (of its type or not), or one whose chain starts above it: refused", async () => {
    const problem = "privateKey does not match certificate: the public key of its first certificate is not privateKey's"
    for (
      const certificate of [
        read(other.certificate.pem),
        read(ec.certificate.pem),
        read(`${client.authority.pem}${client.certificate.pem}`)
      ]
    ) {
      const refused = await signer(client.privateKeyPem, certificate)
      assert.deepStrictEqual(refused, { _tag: "Invalid", problem })
    }
  })

  it("an assertion signed PS256 with the certificate's header, verified with the certificate's public key", async () => {
    const authentication = await Signing.authenticationOf(Jose, "c", {
      _tag: "PrivateKey",
      key: { _tag: "Pem", pem: client.privateKeyPem },
      algorithm: "PS256",
      keyId: undefined,
      audience: "tokenEndpoint",
      certificate: read(client.chain, true),
      sendCertificateChain: true
    })
    assert.strictEqual(authentication._tag, "Valid")
    if (authentication._tag !== "Valid") return
    const destination = { tokenUrl: new URL("https://login.example.com/t/oauth2/v2.0/token"), issuer: undefined }
    const assertion = (await authentication.value.credentials(destination, 1_700_000_000_000)).secrets[0] ?? ""
    const publicKey = await Jose.importX509(client.certificate.pem, "PS256")
    const { protectedHeader } = await Jose.jwtVerify(assertion, publicKey, {
      algorithms: ["PS256"],
      currentDate: new Date(1_700_000_000_000)
    })
    assert.strictEqual(protectedHeader["x5t#S256"], client.certificate.thumbprint)
    assert.deepStrictEqual(protectedHeader.x5c, [client.certificate.base64, client.authority.base64])
  })
})

describe("sign", () => {
  it("an assertion with the claims and header, verified with the public key; HS256 over a secret", async () => {
    const claims = claimsOf({ clientId: "c", audience: "https://as/token", now: 1_700_000_000_000, jti: "j" })
    const signer = await Signing.privateKeySigner(Jose, {
      key: { _tag: "Pem", pem: es256Pem },
      algorithm: undefined,
      keyId: undefined
    })
    assert.strictEqual(signer._tag, "Valid")
    if (signer._tag !== "Valid") return
    const jwt = await Signing.sign(Jose, signer.value.key, signer.value.header, claims)
    const verified = await Jose.jwtVerify(jwt, es256.publicKey, { currentDate: new Date(1_700_000_000_000) })
    assert.deepStrictEqual(verified.payload, { ...claims })
    assert.deepStrictEqual(verified.protectedHeader, { alg: "ES256", typ: "JWT" })
    const hs = await Signing.sign(Jose, Signing.secretKey("s3cr3t"), headerOf("HS256", undefined), claims)
    const hsVerified = await Jose.jwtVerify(hs, new TextEncoder().encode("s3cr3t"), {
      currentDate: new Date(1_700_000_000_000)
    })
    assert.strictEqual(hsVerified.payload.sub, "c")
  })
})

describe("an assertion made elsewhere", () => {
  it("a compact JWS passes; nothing, an empty text or no JWS: what is wrong, never the text", () => {
    assert.deepStrictEqual(Signing.checkAssertion("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjIn0.c2ln"), {
      _tag: "Valid",
      value: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjIn0.c2ln"
    })
    const none = "the clientAssertion effect gave no assertion (a Redacted non-empty string)"
    assert.strictEqual(problemOf(Signing.checkAssertion(undefined)), none)
    assert.strictEqual(problemOf(Signing.checkAssertion("")), none)
    const problem = problemOf(Signing.checkAssertion("SECRET.PART two"))
    assert.match(problem ?? "", /^the clientAssertion effect gave an assertion that is no /)
    assert.notInclude(problem, "SECRET")
  })

  it("a failure or a defect by its name; a refusal the library made, its own words", () => {
    const quoting = new TypeError("read SECRET")
    assert.strictEqual(Signing.assertionFailed(quoting, undefined), "the clientAssertion effect failed (TypeError)")
    assert.strictEqual(
      Signing.assertionFailed(quoting, "OAUTH_CLIENT_ASSERTION_FILE names a FIFO"),
      "OAUTH_CLIENT_ASSERTION_FILE names a FIFO"
    )
    assert.strictEqual(Signing.assertionDied(quoting), "the clientAssertion effect died (TypeError)")
  })
})

describe("authenticationOf", () => {
  const destination = { tokenUrl: new URL("https://as.example.com/token"), issuer: "https://as.example.com/" }

  it("a shared secret: the same credentials for every request, no identity", async () => {
    const basic = await Signing.authenticationOf(Jose, "c", {
      _tag: "Secret",
      method: "client_secret_basic",
      secret: "s"
    })
    assert.strictEqual(basic._tag, "Valid")
    if (basic._tag !== "Valid") return
    assert.strictEqual(basic.value.method, "client_secret_basic")
    assert.strictEqual(basic.value.keyIdentity, "")
    assert.deepStrictEqual((await basic.value.credentials(destination, 0)).headers, {
      authorization: `Basic ${btoa("c:s")}`
    })
    const post = await Signing.authenticationOf(Jose, "c", {
      _tag: "Secret",
      method: "client_secret_post",
      secret: "s"
    })
    assert.deepStrictEqual(post._tag === "Valid" && (await post.value.credentials(destination, 0)).params, [
      ["client_id", "c"],
      ["client_secret", "s"]
    ])
  })

  it("client_secret_jwt and private_key_jwt: an assertion signed at `now` for the destination, fresh each time", async () => {
    const jwt = await Signing.authenticationOf(Jose, "c", { _tag: "SecretJwt", secret: "s3cr3t", audience: "issuer" })
    assert.strictEqual(jwt._tag, "Valid")
    if (jwt._tag !== "Valid") return
    const first = await jwt.value.credentials(destination, 1_700_000_000_000)
    const assertion = first.secrets[0] ?? ""
    const { payload } = await Jose.jwtVerify(assertion, new TextEncoder().encode("s3cr3t"), {
      currentDate: new Date(1_700_000_000_000)
    })
    assert.strictEqual(payload.aud, destination.issuer)
    assert.strictEqual(payload.iat, 1_700_000_000)
    assert.notStrictEqual((await jwt.value.credentials(destination, 1_700_000_000_000)).secrets[0], assertion)
    const key = await Signing.authenticationOf(Jose, "c", {
      _tag: "PrivateKey",
      key: { _tag: "Pem", pem: es256Pem },
      algorithm: undefined,
      keyId: undefined,
      audience: "tokenEndpoint"
    })
    assert.strictEqual(key._tag, "Valid")
    if (key._tag !== "Valid") return
    assert.strictEqual(key.value.method, "private_key_jwt")
    assert.strictEqual(key.value.keyIdentity, `jkt:${es256Thumbprint}`)
    const signed = (await key.value.credentials(destination, 1_700_000_000_000)).secrets[0] ?? ""
    const verified = await Jose.jwtVerify(signed, es256.publicKey, { currentDate: new Date(1_700_000_000_000) })
    assert.strictEqual(verified.payload.aud, destination.tokenUrl.href)
    const misfit = await Signing.authenticationOf(Jose, "c", {
      _tag: "PrivateKey",
      key: { _tag: "Pem", pem: es256Pem },
      algorithm: "RS256",
      keyId: undefined,
      audience: "tokenEndpoint"
    })
    assert.deepStrictEqual(misfit, { _tag: "Invalid", problem: "privateKey does not fit signingAlgorithm RS256" })
  })
})
