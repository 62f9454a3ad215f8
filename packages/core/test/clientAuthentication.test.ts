/**
 * What each client authentication method sends: the Basic credentials (form-urlencoded first, RFC 6749 §2.3.1), the
 * form parameters, and an assertion's audience, header and claims (RFC 7523 §3).
 */
import { assert, describe, it } from "vitest"
import * as clientAuthentication from "../src/clientAuthentication.js"

describe("clientAuthentication: secrets", () => {
  it("formUrlEncode: a space is +, every reserved and non-ASCII character percent-encoded", () => {
    assert.strictEqual(clientAuthentication.formUrlEncode("a b"), "a+b")
    assert.strictEqual(clientAuthentication.formUrlEncode(":%+&=/?#"), "%3A%25%2B%26%3D%2F%3F%23")
    assert.strictEqual(clientAuthentication.formUrlEncode("é~*-._"), "%C3%A9%7E*-._")
    assert.strictEqual(clientAuthentication.formUrlEncode(""), "")
  })

  it("Basic credentials: id and secret form-urlencoded, then joined by : and base64-encoded", () => {
    const credentials = clientAuthentication.basicCredentials("client:1", "s3cr3t%+ é")
    assert.strictEqual(atob(credentials), "client%3A1:s3cr3t%25%2B+%C3%A9")
    assert.strictEqual(clientAuthentication.basicCredentials("id", "secret"), btoa("id:secret"))
  })

  it("client_secret_post's parameters, and an assertion's", () => {
    assert.deepStrictEqual(clientAuthentication.secretPostParams("id", "secret"), [
      ["client_id", "id"],
      ["client_secret", "secret"]
    ])
    assert.deepStrictEqual(clientAuthentication.assertionParams("id", "a.b.c"), [
      ["client_id", "id"],
      ["client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"],
      ["client_assertion", "a.b.c"]
    ])
  })
})

describe("clientAuthentication: assertions", () => {
  const tokenUrl = new URL("https://auth.example.com/tenant-7/oauth2/token?api-version=2")

  it("the audience: the token endpoint's URL, or the published issuer when asked and there is one", () => {
    const issuer = "https://auth.example.com/tenant-7/"
    assert.strictEqual(clientAuthentication.audienceOf("tokenEndpoint", { tokenUrl, issuer }), tokenUrl.href)
    assert.strictEqual(clientAuthentication.audienceOf("issuer", { tokenUrl, issuer }), issuer)
    assert.strictEqual(clientAuthentication.audienceOf("issuer", { tokenUrl, issuer: undefined }), tokenUrl.href)
  })

  it("the claims: iss and sub the client id, aud, jti, iat in whole seconds, exp 60 seconds later, in that order", () => {
    const claims = clientAuthentication.claimsOf({
      clientId: "client-1",
      audience: tokenUrl.href,
      now: 1_700_000_000_999,
      jti: "f3b8c3f0"
    })
    assert.strictEqual(
      JSON.stringify(claims),
      JSON.stringify({
        iss: "client-1",
        sub: "client-1",
        aud: tokenUrl.href,
        jti: "f3b8c3f0",
        iat: 1_700_000_000,
        exp: 1_700_000_060
      })
    )
    assert.strictEqual(clientAuthentication.assertionLifetimeSeconds, 60)
  })

  it("the header: alg and typ JWT, and kid only when there is a key id", () => {
    assert.deepStrictEqual(clientAuthentication.headerOf("HS256", undefined), { alg: "HS256", typ: "JWT" })
    assert.isFalse("kid" in clientAuthentication.headerOf("RS256", undefined))
    assert.deepStrictEqual(clientAuthentication.headerOf("ES256", "key-1"), { alg: "ES256", typ: "JWT", kid: "key-1" })
  })

  it("the header of a key with a certificate: its x5t#S256, and x5c when given, after alg, typ and kid", () => {
    const header = clientAuthentication.headerOf("PS256", "key-1", { "x5t#S256": "t", x5c: ["c1", "c2"] })
    assert.strictEqual(
      JSON.stringify(header),
      JSON.stringify({ alg: "PS256", typ: "JWT", kid: "key-1", "x5t#S256": "t", x5c: ["c1", "c2"] })
    )
    assert.deepStrictEqual(clientAuthentication.headerOf("RS256", undefined, { "x5t#S256": "t" }), {
      alg: "RS256",
      typ: "JWT",
      "x5t#S256": "t"
    })
  })
})
