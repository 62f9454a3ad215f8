/**
 * DPoP nonces (RFC 9449 §8, §9): the `DPoP-Nonce` header's syntax (`1*NQCHAR`), a token endpoint's 400
 * `use_dpop_nonce` and a resource's 401 `DPoP error="use_dpop_nonce"`, each with the nonce it gives or without one.
 */
import { assert, describe, it } from "vitest"
import * as dpopNonce from "../src/dpopNonce.js"

describe("DPoP-Nonce: syntax (RFC 9449 §8.1)", () => {
  it("1 to 4096 of %x21, %x23-5B, %x5D-7E", () => {
    assert.strictEqual(dpopNonce.maxNonceLength, 4096)
    const every = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))
      .filter((c) => c !== "\"" && c !== "\\")
      .join("")
    for (const nonce of ["eyJ7S_zG.eyJH0-Z.HX4w-7v", "!", "~", every, "a".repeat(4096)]) {
      assert.isTrue(dpopNonce.isNonce(nonce), nonce)
      assert.strictEqual(dpopNonce.nonceOf(nonce), nonce)
    }
  })

  it("not empty, too long, a quote, a backslash, a space, a control or non-ASCII character, two joined", () => {
    for (const value of ["", "a".repeat(4097), "a\"b", "a\\b", "a b", " a", "a\tb", "a\nb", "\x7f", "é", "a, b"]) {
      assert.isFalse(dpopNonce.isNonce(value), JSON.stringify(value))
      assert.isUndefined(dpopNonce.nonceOf(value))
    }
    assert.isUndefined(dpopNonce.nonceOf(null))
    assert.isUndefined(dpopNonce.nonceOf(undefined))
  })
})

describe("a token endpoint asks for a nonce (RFC 9449 §8)", () => {
  const body = { error: "use_dpop_nonce", error_description: "Authorization server requires nonce in DPoP proof" }

  it("a 400 with error use_dpop_nonce and a DPoP-Nonce header: use that nonce", () => {
    assert.deepStrictEqual(dpopNonce.ofTokenEndpoint({ status: 400, body, dpopNonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v" }), {
      _tag: "UseNonce",
      nonce: "eyJ7S_zG.eyJH0-Z.HX4w-7v"
    })
  })

  it("without a DPoP-Nonce header, or with one that is no nonce: the nonce is missing", () => {
    for (const header of [undefined, null, "", "a b", "x\"y"]) {
      assert.deepStrictEqual(dpopNonce.ofTokenEndpoint({ status: 400, body, dpopNonce: header }), {
        _tag: "NonceMissing"
      })
    }
  })

  it("another status, another error or no error response: no challenge, whatever the header", () => {
    const answers: ReadonlyArray<{ readonly status: number; readonly body: unknown }> = [
      { status: 401, body },
      { status: 200, body },
      { status: 400, body: { error: "invalid_dpop_proof" } },
      { status: 400, body: { error: "USE_DPOP_NONCE" } },
      { status: 400, body: undefined },
      { status: 400, body: "use_dpop_nonce" },
      { status: 400, body: ["use_dpop_nonce"] },
      { status: 400, body: null }
    ]
    for (const answer of answers) {
      assert.deepStrictEqual(dpopNonce.ofTokenEndpoint({ ...answer, dpopNonce: "n" }), { _tag: "None" })
    }
  })
})

describe("a resource asks for a nonce (RFC 9449 §9)", () => {
  const challenge = "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\""

  it("a 401 whose DPoP challenge says use_dpop_nonce, with a DPoP-Nonce header: use that nonce", () => {
    for (
      const header of [
        challenge,
        `Bearer realm="api", ${challenge}`,
        "dpop algs=\"ES256 PS256\", error=use_dpop_nonce"
      ]
    ) {
      assert.deepStrictEqual(dpopNonce.ofResource({ status: 401, wwwAuthenticate: header, dpopNonce: "n-1" }), {
        _tag: "UseNonce",
        nonce: "n-1"
      }, header)
    }
  })

  it("without a usable DPoP-Nonce header: the nonce is missing", () => {
    for (const header of [undefined, null, "n 1"]) {
      assert.deepStrictEqual(dpopNonce.ofResource({ status: 401, wwwAuthenticate: challenge, dpopNonce: header }), {
        _tag: "NonceMissing"
      })
    }
  })

  it("another status, another error or scheme, or no challenge: none", () => {
    const answers: ReadonlyArray<{ readonly status: number; readonly wwwAuthenticate: string | null | undefined }> = [
      { status: 403, wwwAuthenticate: challenge },
      { status: 400, wwwAuthenticate: challenge },
      { status: 401, wwwAuthenticate: "DPoP error=\"invalid_token\"" },
      { status: 401, wwwAuthenticate: "Bearer error=\"use_dpop_nonce\"" },
      { status: 401, wwwAuthenticate: "DPoP" },
      { status: 401, wwwAuthenticate: null },
      { status: 401, wwwAuthenticate: undefined }
    ]
    for (const answer of answers) {
      assert.deepStrictEqual(dpopNonce.ofResource({ ...answer, dpopNonce: "n" }), { _tag: "None" })
    }
  })
})
