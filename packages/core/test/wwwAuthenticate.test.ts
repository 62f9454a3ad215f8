/**
 * Parsing `WWW-Authenticate` (RFC 9110 §11.6.1): what `AuthorizedClient` reads of a 401 to decide whether to get a new
 * token (`docs/api-client.md#401-recovery`), and keeps, parsed, in an `ApiError` (`docs/api-client.md#errors`).
 */
import { assert, describe, it } from "vitest"
import * as wwwAuthenticate from "../src/wwwAuthenticate.js"

describe("WWW-Authenticate parsing (RFC 9110 §11.6.1)", () => {
  it("reads several challenges, quoted and token values, escapes and lower-cased names", () => {
    const header =
      "Basic realm=\"a, b\", Bearer Realm=\"api\", error=invalid_token, error_description=\"say \\\"no\\\"\""
    assert.deepStrictEqual(wwwAuthenticate.parse(header), [
      { scheme: "Basic", params: { realm: "a, b" } },
      { scheme: "Bearer", params: { realm: "api", error: "invalid_token", error_description: "say \"no\"" } }
    ])
  })

  it("reads a bare scheme and a token68", () => {
    assert.deepStrictEqual(wwwAuthenticate.parse("Bearer"), [{ scheme: "Bearer", params: {} }])
    assert.deepStrictEqual(wwwAuthenticate.parse("Negotiate abc, Bearer error=\"x\""), [
      { scheme: "Negotiate", params: { token68: "abc" } },
      { scheme: "Bearer", params: { error: "x" } }
    ])
    assert.deepStrictEqual(wwwAuthenticate.parse("Basic, Bearer realm = \"a\""), [
      { scheme: "Basic", params: {} },
      { scheme: "Bearer", params: { realm: "a" } }
    ])
    assert.deepStrictEqual(wwwAuthenticate.parse("Negotiate abc==, Bearer error=\"x\""), [
      { scheme: "Negotiate", params: { token68: "abc==" } },
      { scheme: "Bearer", params: { error: "x" } }
    ])
  })

  it("finds the challenge of a scheme case-insensitively", () => {
    assert.deepStrictEqual(wwwAuthenticate.find("Basic realm=\"x\", bearer error=\"invalid_token\"", "Bearer"), {
      scheme: "bearer",
      params: { error: "invalid_token" }
    })
    assert.isUndefined(wwwAuthenticate.find(undefined, "Bearer"))
    assert.isUndefined(wwwAuthenticate.find("Basic realm=\"x\"", "Bearer"))
  })
})
