/**
 * The JWK thumbprint (RFC 7638): the RFC's own example, the required members only and in order, and a public JWK taken
 * from a private one by the members it keeps; the same thumbprints as jose's for EC P-256, Ed25519 and RSA.
 */
import { assert, describe, it } from "vitest"
import * as jwkThumbprint from "../src/jwkThumbprint.js"
import { Jose } from "./jose.js"

// RFC 7638 §3.1
const rfcKey = {
  kty: "RSA",
  n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknj" +
    "hMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQ" +
    "vRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKn" +
    "qDKgw",
  e: "AQAB",
  alg: "RS256",
  kid: "2011-04-29"
}
const rfcThumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

const publicOf = (jwk: Readonly<Record<string, unknown>>): jwkThumbprint.PublicJwk => {
  const checked = jwkThumbprint.publicJwkOf(jwk)
  assert.strictEqual(checked._tag, "Valid")
  if (checked._tag !== "Valid") throw new Error("invalid JWK")
  return checked.value
}

describe("JWK thumbprint (RFC 7638)", () => {
  it("the RFC 7638 §3.1 example: its thumbprint, from its required members in order", async () => {
    const jwk = publicOf(rfcKey)
    assert.strictEqual(
      jwkThumbprint.canonicalJson(jwk),
      `{"e":"AQAB","kty":"RSA","n":"${rfcKey.n}"}`
    )
    assert.strictEqual(await jwkThumbprint.of(jwk), rfcThumbprint)
  })

  it("the members' order in the object does not matter", () => {
    const reordered = { y: "yy", x: "xx", kty: "EC", crv: "P-256" } as const
    assert.strictEqual(
      jwkThumbprint.canonicalJson(reordered),
      "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"xx\",\"y\":\"yy\"}"
    )
    assert.strictEqual(
      jwkThumbprint.canonicalJson({ x: "xx", kty: "OKP", crv: "Ed25519" }),
      "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"xx\"}"
    )
  })

  it("EC P-256, Ed25519 and RSA: the same thumbprints as jose's", async () => {
    for (const algorithm of ["ES256", "EdDSA", "PS256"]) {
      const pair = await Jose.generateKeyPair(algorithm, { extractable: true })
      const publicJwk = await Jose.exportJWK(pair.publicKey)
      const privateJwk = await Jose.exportJWK(pair.privateKey)
      const expected = await Jose.calculateJwkThumbprint(publicJwk)
      assert.strictEqual(await jwkThumbprint.of(publicOf(publicJwk)), expected, algorithm)
      assert.strictEqual(await jwkThumbprint.of(publicOf(privateJwk)), expected, algorithm)
    }
  })

  it("a public JWK keeps the required members only: no private member, no other member", async () => {
    const pair = await Jose.generateKeyPair("PS256", { extractable: true })
    const rsa = { ...(await Jose.exportJWK(pair.privateKey)), alg: "PS256", kid: "k", use: "sig", oth: [] }
    assert.deepStrictEqual(Object.keys(publicOf(rsa)).sort(), ["e", "kty", "n"])
    const ec = await Jose.exportJWK((await Jose.generateKeyPair("ES256", { extractable: true })).privateKey)
    assert.deepStrictEqual(Object.keys(publicOf(ec)).sort(), ["crv", "kty", "x", "y"])
    const okp = await Jose.exportJWK((await Jose.generateKeyPair("EdDSA", { extractable: true })).privateKey)
    assert.deepStrictEqual(Object.keys(publicOf(okp)).sort(), ["crv", "kty", "x"])
    // a JWK typed as public that still holds more
    assert.deepStrictEqual(jwkThumbprint.requiredMembersOf({ ...okp, kid: "k" } as never), {
      crv: okp.crv!,
      kty: "OKP",
      x: okp.x!
    })
  })

  it("what is wrong with a JWK, naming members and never a value", () => {
    assert.deepStrictEqual(jwkThumbprint.publicJwkOf({ kty: "oct", k: "c2VjcmV0" }), {
      _tag: "Invalid",
      problem: "the JWK's kty is not EC, RSA or OKP"
    })
    assert.deepStrictEqual(jwkThumbprint.publicJwkOf({ kty: "toString" }), {
      _tag: "Invalid",
      problem: "the JWK's kty is not EC, RSA or OKP"
    })
    assert.deepStrictEqual(jwkThumbprint.publicJwkOf({ kty: "EC", crv: "P-256", x: "xx", d: "private-d" }), {
      _tag: "Invalid",
      problem: "the EC JWK has no y (non-empty strings)"
    })
    assert.deepStrictEqual(jwkThumbprint.publicJwkOf({ kty: "RSA", n: 1, e: "", d: "private-d" }), {
      _tag: "Invalid",
      problem: "the RSA JWK has no e, n (non-empty strings)"
    })
  })
})
