/**
 * A token response to a DPoP token request (RFC 9449 §5): `token_type` `DPoP` in any case is a token, `Bearer` is
 * refused in words of its own, any other as any unaccepted type is; the refusal is `tokenResponse`'s `NotAToken` (a
 * `TokenError` `InvalidResponse`) and never quotes the token.
 */
import { assert, describe, it } from "vitest"
import * as dpopTokenResponse from "../src/dpopTokenResponse.js"
import * as Redactor from "../src/redactor.js"

const accessToken = "eyJhbGciOiJFUzI1NiJ9.c2VjcmV0LXRva2Vu.sig"
const options = { defaultLifetimeMillis: 3_600_000, requestedScopes: ["read"], redactor: Redactor.make(["s3cret"]) }
const read = (body: unknown) => dpopTokenResponse.readSuccess(body, options)

describe("DPoP token response: token_type", () => {
  it("the token type DPoP, and the types accepted: DPoP alone", () => {
    assert.strictEqual(dpopTokenResponse.tokenType, "DPoP")
    assert.deepStrictEqual(dpopTokenResponse.tokenTypes, ["DPoP"])
  })

  it("DPoP in any case: a token of type DPoP", () => {
    for (const tokenType of ["DPoP", "dpop", "DPOP"]) {
      assert.deepStrictEqual(read({ access_token: accessToken, token_type: tokenType, expires_in: 60 }), {
        _tag: "Token",
        token: { value: accessToken, tokenType: "DPoP", scopes: ["read"], lifetimeMillis: 60_000 }
      }, tokenType)
      assert.isUndefined(dpopTokenResponse.tokenTypeProblem(tokenType))
    }
  })

  it("Bearer in any case: refused, saying the token is not bound to the key", () => {
    for (const tokenType of ["Bearer", "bearer", "BEARER"]) {
      const result = read({ access_token: accessToken, token_type: tokenType, expires_in: 60 })
      assert.deepStrictEqual(result, { _tag: "NotAToken", detail: dpopTokenResponse.details.bearer }, tokenType)
      assert.strictEqual(dpopTokenResponse.tokenTypeProblem(tokenType), dpopTokenResponse.details.bearer)
    }
    assert.strictEqual(
      dpopTokenResponse.details.bearer,
      "token_type is Bearer, not DPoP: the server did not bind the token to the DPoP key"
    )
  })

  it("another type or none: refused as any type not accepted", () => {
    for (const tokenType of ["MAC", "N_A", "", 7, null, undefined, ["DPoP"]]) {
      assert.deepStrictEqual(read({ access_token: accessToken, token_type: tokenType }), {
        _tag: "NotAToken",
        detail: "token_type is missing or not one of DPoP"
      }, JSON.stringify(tokenType))
      assert.strictEqual(dpopTokenResponse.tokenTypeProblem(tokenType), dpopTokenResponse.details.notDpop)
    }
  })

  it("the rest is tokenResponse's: an error response in a 2xx, a body that is no object, a bad access_token", () => {
    assert.deepStrictEqual(read({ error: "invalid_dpop_proof", token_type: "Bearer" }), {
      _tag: "ErrorResponse",
      error: { error: "invalid_dpop_proof" }
    })
    assert.deepStrictEqual(read("DPoP"), { _tag: "NotAToken", detail: "the response is not a JSON object" })
    assert.deepStrictEqual(read({ access_token: "a b", token_type: "DPoP" }), {
      _tag: "NotAToken",
      detail: "access_token is not visible ASCII without spaces (it has a control, space or non-ASCII character)"
    })
  })

  it("a refusal never quotes the token", () => {
    for (const tokenType of ["Bearer", "MAC", accessToken]) {
      const result = read({ access_token: accessToken, token_type: tokenType })
      assert.strictEqual(result._tag, "NotAToken")
      assert.notInclude(JSON.stringify(result), accessToken)
    }
  })
})
