/**
 * The DPoP key (RFC 9449): generated (ES256 by default, its private key not extractable), or given as a pair or a
 * private JWK; its public JWK made of the required members only, so no private member ever reaches a proof; its
 * thumbprint; a key that cannot serve refused when it is made, in words that show none of it.
 */
import * as Crypto from "node:crypto"
import { assert, describe, it } from "vitest"
import type { Checked } from "../src/checked.js"
import * as dpopKey from "../src/dpopKey.js"
import { Jose } from "./jose.js"

const privateMembers = ["d", "p", "q", "dp", "dq", "qi"] as const

const validKey = (checked: Checked<dpopKey.DpopKey>): dpopKey.DpopKey => {
  if (checked._tag === "Invalid") assert.fail(checked.problem)
  return checked.value
}

const problemOf = (checked: { readonly _tag: string; readonly problem?: string }): string => {
  assert.strictEqual(checked._tag, "Invalid")
  return checked.problem ?? ""
}

const privateJwkOf = async (algorithm: string) =>
  Jose.exportJWK((await Jose.generateKeyPair(algorithm, { extractable: true })).privateKey)

describe("DPoP key: algorithms", () => {
  it("ES256 by default; ES256, PS256, RS256 and EdDSA", () => {
    assert.strictEqual(dpopKey.defaultAlgorithm, "ES256")
    assert.deepStrictEqual(dpopKey.algorithms, ["ES256", "PS256", "RS256", "EdDSA"])
    assert.isTrue(dpopKey.isAlgorithm("EdDSA"))
    assert.isFalse(dpopKey.isAlgorithm("HS256"))
    assert.isFalse(dpopKey.isAlgorithm(undefined))
  })

  it("which key type each algorithm takes, and the default of each type", () => {
    const rsa = { kty: "RSA", e: "AQAB", n: "nn" } as const
    const p256 = { kty: "EC", crv: "P-256", x: "xx", y: "yy" } as const
    const p384 = { kty: "EC", crv: "P-384", x: "xx", y: "yy" } as const
    const ed25519 = { kty: "OKP", crv: "Ed25519", x: "xx" } as const
    const x25519 = { kty: "OKP", crv: "X25519", x: "xx" } as const
    const table: ReadonlyArray<readonly [dpopKey.Algorithm, ReadonlyArray<unknown>]> = [
      ["ES256", [p256]],
      ["PS256", [rsa]],
      ["RS256", [rsa]],
      ["EdDSA", [ed25519]]
    ]
    for (const [algorithm, fitting] of table) {
      for (const jwk of [rsa, p256, p384, ed25519, x25519]) {
        assert.strictEqual(dpopKey.fits(algorithm, jwk), fitting.includes(jwk), `${algorithm} ${jwk.kty}`)
      }
    }
    assert.strictEqual(dpopKey.defaultAlgorithmOf(rsa), "RS256")
    assert.strictEqual(dpopKey.defaultAlgorithmOf(p256), "ES256")
    assert.strictEqual(dpopKey.defaultAlgorithmOf(ed25519), "EdDSA")
    assert.isUndefined(dpopKey.defaultAlgorithmOf(p384))
    assert.isUndefined(dpopKey.defaultAlgorithmOf(x25519))
  })
})

describe("DPoP key: generated", () => {
  it("ES256 by default: a P-256 key, its public JWK and thumbprint, its private key not extractable", async () => {
    const key = validKey(await dpopKey.generateKey(Jose))
    assert.strictEqual(key.algorithm, "ES256")
    assert.deepStrictEqual(Object.keys(key.publicJwk).sort(), ["crv", "kty", "x", "y"])
    assert.strictEqual(key.publicJwk.kty === "EC" && key.publicJwk.crv, "P-256")
    assert.strictEqual(key.thumbprint, await Jose.calculateJwkThumbprint(key.publicJwk))
    let exported: unknown = undefined
    try {
      exported = await Jose.exportJWK(key.privateKey as never)
    } catch {
      // not extractable
    }
    assert.isUndefined(exported)
  })

  it("each algorithm, with the key type that fits it", async () => {
    for (const algorithm of dpopKey.algorithms) {
      const key = validKey(await dpopKey.generateKey(Jose, algorithm))
      assert.strictEqual(key.algorithm, algorithm)
      assert.isTrue(dpopKey.fits(algorithm, key.publicJwk), algorithm)
    }
  })
})

describe("DPoP key: given", () => {
  it("a private RSA JWK: its public JWK has e, kty and n, never d, p, q, dp, dq or qi", async () => {
    const jwk = { ...(await privateJwkOf("PS256")), kid: "k1", alg: "PS256" }
    for (const name of privateMembers) assert.isString(jwk[name], name)
    const key = validKey(await dpopKey.keyOfJwk(Jose, jwk))
    assert.strictEqual(key.algorithm, "RS256")
    assert.deepStrictEqual(Object.keys(key.publicJwk).sort(), ["e", "kty", "n"])
    const text = JSON.stringify(key.publicJwk)
    for (const name of privateMembers) assert.notInclude(text, jwk[name] as string, name)
    assert.strictEqual(key.thumbprint, await Jose.calculateJwkThumbprint({ kty: "RSA", e: jwk.e!, n: jwk.n! }))
    assert.strictEqual(validKey(await dpopKey.keyOfJwk(Jose, jwk, "PS256")).algorithm, "PS256")
  })

  it("a private EC or OKP JWK: its public JWK without d", async () => {
    for (const algorithm of ["ES256", "EdDSA"] as const) {
      const jwk = await privateJwkOf(algorithm)
      const key = validKey(await dpopKey.keyOfJwk(Jose, jwk))
      assert.strictEqual(key.algorithm, algorithm)
      assert.notProperty(key.publicJwk, "d")
      assert.notInclude(JSON.stringify(key.publicJwk), jwk.d!)
    }
  })

  it("a key pair", async () => {
    const pair = await Jose.generateKeyPair("EdDSA", { extractable: false })
    const key = validKey(await dpopKey.keyOfPair(Jose, pair))
    assert.strictEqual(key.algorithm, "EdDSA")
    assert.strictEqual(key.privateKey, pair.privateKey)
    assert.strictEqual(key.thumbprint, await Jose.calculateJwkThumbprint(await Jose.exportJWK(pair.publicKey)))
  })

  it("what is wrong with a key, in words that show none of it", async () => {
    const ec = await privateJwkOf("ES256")
    const rsa = await privateJwkOf("RS256")
    // jose generates no RSA key under 2048 bits
    const weak = Crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "jwk" })
    const p384 = await privateJwkOf("ES384")
    const other = await Jose.generateKeyPair("ES256", { extractable: false })
    const mine = await Jose.generateKeyPair("ES256", { extractable: false })
    const problems = [
      [await dpopKey.keyOfJwk(Jose, ec, "RS256"), "the DPoP key (EC) does not fit RS256"],
      [await dpopKey.keyOfJwk(Jose, rsa, "EdDSA"), "the DPoP key (RSA) does not fit EdDSA"],
      [
        await dpopKey.keyOfJwk(Jose, p384),
        "the DPoP key is of a type with no default algorithm (RSA, EC P-256 or Ed25519); set its algorithm"
      ],
      [await dpopKey.keyOfJwk(Jose, { ...ec, d: undefined }), "the DPoP key is a JWK without its private part (d)"],
      [await dpopKey.keyOfJwk(Jose, { ...ec, y: 7 }), "the DPoP key: the EC JWK has no y (non-empty strings)"],
      [await dpopKey.keyOfJwk(Jose, { ...ec, x: rsa.n }), "the DPoP key cannot be imported for ES256"],
      [
        await dpopKey.keyOfJwk(Jose, weak),
        "the DPoP private key cannot sign with RS256 (an RSA key needs at least 2048 bits)"
      ],
      [
        await dpopKey.keyOfPair(Jose, { privateKey: mine.privateKey, publicKey: other.publicKey }),
        "the DPoP private key's signatures do not verify with its public key: they are not one pair"
      ],
      [
        await dpopKey.keyOfPair(Jose, { privateKey: mine.privateKey, publicKey: {} }),
        "the DPoP public key cannot be exported as a JWK"
      ]
    ] as const
    for (const [checked, expected] of problems) {
      const problem = problemOf(checked)
      assert.strictEqual(problem, expected)
      for (const jwk of [ec, rsa, weak]) {
        for (const name of privateMembers) if (jwk[name] !== undefined) assert.notInclude(problem, jwk[name])
      }
    }
  })
})

describe("DPoP key: given as text", () => {
  it("a private JWK in JSON, or a PKCS#8 PEM of each type, its algorithm by its type unless given", async () => {
    const ecJwk = await privateJwkOf("ES256")
    const fromJson = validKey(await dpopKey.keyOfText(Jose, ` ${JSON.stringify(ecJwk)}\n`))
    assert.strictEqual(fromJson.algorithm, "ES256")
    assert.strictEqual(fromJson.thumbprint, await Jose.calculateJwkThumbprint(ecJwk))
    for (
      const [type, options, algorithm] of [
        ["ec", { namedCurve: "P-256" }, "ES256"],
        ["rsa", { modulusLength: 2048 }, "RS256"],
        ["ed25519", {}, "EdDSA"]
      ] as const
    ) {
      const pair = Crypto.generateKeyPairSync(type as "ec", options as { namedCurve: string })
      const pem = pair.privateKey.export({ format: "pem", type: "pkcs8" }) as string
      const key = validKey(await dpopKey.keyOfText(Jose, pem))
      assert.strictEqual(key.algorithm, algorithm)
      const publicJwk = pair.publicKey.export({ format: "jwk" })
      assert.strictEqual(
        key.thumbprint,
        await Jose.calculateJwkThumbprint(publicJwk as Parameters<typeof Jose.calculateJwkThumbprint>[0])
      )
    }
    const rsa = Crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey
    const pss = validKey(await dpopKey.keyOfText(Jose, rsa.export({ format: "pem", type: "pkcs8" }) as string, "PS256"))
    assert.strictEqual(pss.algorithm, "PS256")
  })

  it("what is wrong with the text, in words that show none of it", async () => {
    const pem = Crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey
      .export({ format: "pem", type: "pkcs8" }) as string
    const problems = [
      ["{SECRET", "the DPoP private key is neither a JWK in JSON nor a PKCS#8 PEM"],
      ["SECRET", "the DPoP private key is neither a JWK in JSON nor a PKCS#8 PEM"],
      [pem, "the DPoP private key (PKCS#8 PEM) cannot be imported as an RSA, EC P-256 or Ed25519 key"]
    ] as const
    for (const [text, expected] of problems) {
      const problem = problemOf(await dpopKey.keyOfText(Jose, text))
      assert.strictEqual(problem, expected)
      assert.notInclude(problem, "SECRET")
    }
    assert.strictEqual(
      problemOf(await dpopKey.keyOfText(Jose, pem, "ES256")),
      "the DPoP private key (PKCS#8 PEM) cannot be imported for ES256"
    )
  })
})
