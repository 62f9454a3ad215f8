/**
 * A DPoP proof (RFC 9449 §4.2): its header (`typ` `dpop+jwt`, `alg`, the public `jwk` and never a private member), its
 * claims (`jti` from the random source given in, `htm`, `htu` without query and fragment, `iat` from the time given in,
 * `nonce`, `ath`), and its signature, verified with jose against the `jwk` it carries, for each algorithm.
 */
import { assert, describe, it } from "vitest"
import type { Checked } from "../src/checked.js"
import * as dpopKey from "../src/dpopKey.js"
import * as dpopProof from "../src/dpopProof.js"
import { Jose } from "./jose.js"

const privateMembers = ["d", "p", "q", "dp", "dq", "qi"] as const

const validKey = (checked: Checked<dpopKey.DpopKey>): dpopKey.DpopKey => {
  if (checked._tag === "Invalid") assert.fail(checked.problem)
  return checked.value
}

/** A random source that gives 0, 1, 2, …: a known `jti`. */
const counting: dpopProof.RandomSource = (bytes) => {
  bytes.forEach((_, index) => bytes[index] = index)
  return bytes
}
const countingJti = "AAECAwQFBgcICQoLDA0ODw"

// RFC 9449 §7.1's access token; its `ath` hashed by hand
// (printf '%s' "$token" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='), the RFC's value too
const rfcToken = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
const rfcAth = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"

const decodePart = (jwt: string, index: 0 | 1): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(Jose.base64url.decode(jwt.split(".")[index]!)))

describe("DPoP proof: header", () => {
  it("typ dpop+jwt, the key's algorithm, its public JWK's required members and never a private member", async () => {
    const rsa = await Jose.exportJWK((await Jose.generateKeyPair("PS256", { extractable: true })).privateKey)
    // a key whose public JWK, typed as one, still holds the private members
    const header = dpopProof.headerOf({ algorithm: "PS256", publicJwk: rsa as never })
    assert.deepStrictEqual(header, { typ: "dpop+jwt", alg: "PS256", jwk: { e: rsa.e!, kty: "RSA", n: rsa.n! } })
    const text = JSON.stringify(header)
    for (const name of privateMembers) {
      assert.isString(rsa[name], name)
      assert.notInclude(text, rsa[name]!, name)
    }
  })
})

describe("DPoP proof: claims", () => {
  it("htu: the URI without query, fragment and credentials, as the URL parser writes it", () => {
    const table: ReadonlyArray<readonly [string, string]> = [
      ["https://api.example.com/resource?a=1&b=2#part", "https://api.example.com/resource"],
      ["https://api.example.com/resource?", "https://api.example.com/resource"],
      ["https://api.example.com/resource#", "https://api.example.com/resource"],
      ["HTTPS://API.Example.COM:443/a/../token", "https://api.example.com/token"],
      ["http://user:pass@127.0.0.1:8080/token?x#y", "http://127.0.0.1:8080/token"],
      ["https://as.example.com", "https://as.example.com/"]
    ]
    for (const [url, htu] of table) assert.strictEqual(dpopProof.htuOf(new URL(url)), htu, url)
  })

  it("htu leaves the URL it is given as it is", () => {
    const url = new URL("https://user:pass@api.example.com/r?a=1#f")
    dpopProof.htuOf(url)
    assert.strictEqual(url.href, "https://user:pass@api.example.com/r?a=1#f")
  })

  it("htm: the method as fetch sends it", () => {
    const table: ReadonlyArray<readonly [string, string]> = [
      ["POST", "POST"],
      ["post", "POST"],
      ["Get", "GET"],
      ["delete", "DELETE"],
      ["head", "HEAD"],
      ["options", "OPTIONS"],
      ["put", "PUT"],
      ["patch", "patch"],
      ["PATCH", "PATCH"],
      ["Query", "Query"]
    ]
    for (const [method, htm] of table) assert.strictEqual(dpopProof.htmOf(method), htm, method)
  })

  it("ath: the base64url SHA-256 of the access token's ASCII bytes", async () => {
    assert.strictEqual(await dpopProof.athOf(rfcToken), rfcAth)
  })

  it("jti: 16 bytes of the random source given in, in base64url; a new one each time from a real source", () => {
    assert.strictEqual(dpopProof.jtiBytes, 16)
    assert.strictEqual(dpopProof.jtiOf(counting), countingJti)
    const random: dpopProof.RandomSource = (bytes) => crypto.getRandomValues(bytes)
    const seen = new Set(Array.from({ length: 100 }, () => dpopProof.jtiOf(random)))
    assert.strictEqual(seen.size, 100)
    for (const jti of seen) assert.match(jti, /^[A-Za-z0-9_-]{22}$/)
  })

  it("iat in seconds from the time given in, rounded down; nonce and ath only when there are", () => {
    const url = new URL("https://as.example.com/token?x=1")
    assert.deepStrictEqual(
      dpopProof.claimsOf({ jti: "j", method: "post", url, now: 1_700_000_000_999, nonce: "n-1", ath: "a" }),
      { jti: "j", htm: "POST", htu: "https://as.example.com/token", iat: 1_700_000_000, nonce: "n-1", ath: "a" }
    )
    const bare = dpopProof.claimsOf({ jti: "j", method: "GET", url, now: 0, nonce: undefined, ath: undefined })
    assert.deepStrictEqual(bare, { jti: "j", htm: "GET", htu: "https://as.example.com/token", iat: 0 })
    assert.deepStrictEqual(Object.keys(bare), ["jti", "htm", "htu", "iat"])
  })
})

describe("DPoP proof: signed", () => {
  it("each algorithm: verified by jose with the jwk it carries, with the claims of its request", async () => {
    for (const algorithm of dpopKey.algorithms) {
      const key = validKey(await dpopKey.generateKey(Jose, algorithm))
      const proof = await dpopProof.sign(Jose, key, {
        method: "get",
        url: new URL("https://api.example.com/things/1?page=2#top"),
        now: 1_700_000_123_456,
        nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v",
        accessToken: rfcToken
      }, counting)
      const verified = await Jose.jwtVerify(proof, Jose.EmbeddedJWK, { typ: "dpop+jwt", algorithms: [algorithm] })
      assert.deepStrictEqual(verified.protectedHeader, { typ: "dpop+jwt", alg: algorithm, jwk: key.publicJwk })
      assert.deepStrictEqual(verified.payload, {
        jti: countingJti,
        htm: "GET",
        htu: "https://api.example.com/things/1",
        iat: 1_700_000_123,
        nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v",
        ath: rfcAth
      })
      assert.strictEqual(await Jose.calculateJwkThumbprint(verified.protectedHeader.jwk!), key.thumbprint)
    }
  })

  it("a token request: no ath and no nonce", async () => {
    const key = validKey(await dpopKey.generateKey(Jose))
    const proof = await dpopProof.sign(Jose, key, {
      method: "POST",
      url: new URL("https://as.example.com/token"),
      now: 0
    }, counting)
    const verified = await Jose.jwtVerify(proof, Jose.EmbeddedJWK, { typ: "dpop+jwt" })
    assert.deepStrictEqual(verified.payload, {
      jti: countingJti,
      htm: "POST",
      htu: "https://as.example.com/token",
      iat: 0
    })
  })

  it("a key from a private RSA JWK: the proof holds none of d, p, q, dp, dq, qi, nor the access token", async () => {
    const rsa = await Jose.exportJWK((await Jose.generateKeyPair("RS256", { extractable: true })).privateKey)
    const key = validKey(await dpopKey.keyOfJwk(Jose, rsa))
    const proof = await dpopProof.sign(Jose, key, {
      method: "POST",
      url: new URL("https://api.example.com/r"),
      now: 1_000,
      accessToken: rfcToken
    }, (bytes) => crypto.getRandomValues(bytes))
    const header = decodePart(proof, 0)
    assert.deepStrictEqual(Object.keys(header.jwk as object).sort(), ["e", "kty", "n"])
    const decoded = JSON.stringify([header, decodePart(proof, 1)])
    for (const name of privateMembers) assert.notInclude(decoded, rsa[name]!, name)
    assert.notInclude(decoded, rfcToken)
    assert.notInclude(proof, rfcToken)
  })
})
