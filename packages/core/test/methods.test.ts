/**
 * The client authentication methods and the algorithms `private_key_jwt` signs with, alone: the one list of each
 * (`docs/configuration.md#client-authentication`), the RFC 8414 §2 default and RFC 7523 §2.2's assertion type.
 */
import { assert, describe, it } from "vitest"
import * as Methods from "../src/methods.js"

describe("methods: client authentication", () => {
  it("lists the six methods", () => {
    assert.deepStrictEqual(Methods.authMethods, [
      "client_secret_basic",
      "client_secret_post",
      "client_secret_jwt",
      "private_key_jwt",
      "tls_client_auth",
      "self_signed_tls_client_auth"
    ])
  })

  it("recognises each of them, exactly", () => {
    for (const method of Methods.authMethods) {
      assert.isTrue(Methods.isAuthMethod(method), method)
    }
    for (const value of ["none", "tls_client_auth ", "CLIENT_SECRET_BASIC", "client_secret_basic ", "", 1, null]) {
      assert.isFalse(Methods.isAuthMethod(value), String(value))
    }
    assert.isFalse(Methods.isAuthMethod(undefined))
    assert.isFalse(Methods.isAuthMethod(["client_secret_basic"]))
  })

  it("tells the mutual-TLS methods apart", () => {
    assert.deepStrictEqual(Methods.tlsAuthMethods, ["tls_client_auth", "self_signed_tls_client_auth"])
    for (const method of Methods.authMethods) {
      assert.strictEqual(Methods.isTlsAuthMethod(method), method.includes("tls"), method)
    }
  })

  it("takes client_secret_basic alone as what a server supports when its metadata lists none (RFC 8414 §2)", () => {
    assert.deepStrictEqual(Methods.defaultSupportedAuthMethods, ["client_secret_basic"])
  })

  it("sends RFC 7523 §2.2's client_assertion_type", () => {
    assert.strictEqual(Methods.assertionType, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
  })
})

describe("methods: signing algorithms", () => {
  it("lists the four algorithms", () => {
    assert.deepStrictEqual(Methods.signingAlgorithms, ["RS256", "PS256", "ES256", "EdDSA"])
  })

  it("recognises each of them, exactly", () => {
    for (const algorithm of ["RS256", "PS256", "ES256", "EdDSA"]) {
      assert.isTrue(Methods.isSigningAlgorithm(algorithm), algorithm)
    }
    // HS256 signs client_secret_jwt's assertion, never private_key_jwt's; `none` signs nothing
    for (const value of ["HS256", "none", "rs256", "EDDSA", "ES384", "", 256, undefined]) {
      assert.isFalse(Methods.isSigningAlgorithm(value), String(value))
    }
  })
})
