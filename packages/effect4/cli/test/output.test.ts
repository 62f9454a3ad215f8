/**
 * What `token` prints for a token in hand: `--json` of a token whose response was not kept as received (the fields as
 * `AccessToken` holds them), and `--json --decode`.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import * as DateTime from "effect/DateTime"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import * as Output from "../src/internal/output.js"

const token = (scopes: ReadonlyArray<string>, value = "Kept-Token-1") =>
  new AccessToken.AccessToken({
    value: Redacted.make(value),
    tokenType: "DPoP",
    scopes,
    issuedAt: DateTime.makeUnsafe(0),
    expiresAt: DateTime.makeUnsafe(90_400)
  })

describe("--json without the response as received", () => {
  it("prints access_token and token_type only: the lifetime and scopes may be the defaults, not what was received", () => {
    const printed = Output.print(token(["read", "write"]), { json: true, noToken: false, decode: false }, undefined)
    expect("text" in printed && JSON.parse(printed.text)).toStrictEqual({
      access_token: "Kept-Token-1",
      token_type: "DPoP"
    })
  })

  it("leaves the token out with --no-token", () => {
    const printed = Output.print(token([]), { json: true, noToken: true, decode: false }, undefined)
    expect("text" in printed && JSON.parse(printed.text)).toStrictEqual({ token_type: "DPoP" })
  })
})

describe("--json --decode", () => {
  it("prints the fields with the decoded JWT under jwt; with --no-token, neither the token nor its signature", () => {
    const jwt =
      [{ alg: "ES256" }, { sub: "svc" }].map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
        .join(".") + ".c2ln"
    const printed = Output.print(token([], jwt), { json: true, noToken: true, decode: true }, {
      access_token: jwt,
      token_type: "Bearer"
    })
    expect("text" in printed && JSON.parse(printed.text)).toStrictEqual({
      token_type: "Bearer",
      jwt: { header: { alg: "ES256" }, claims: { sub: "svc" }, signature: Output.signatureNotVerified }
    })
    expect("text" in printed && printed.text).not.toContain("c2ln")
  })
})

describe("--decode of a JWT that cannot be printed", () => {
  it("claims nested deeper than JSON.stringify goes: the problem of a token that cannot be decoded, not a throw", () => {
    const deep = `{"a":${"[".repeat(6000)}${"]".repeat(6000)}}`
    const jwt = `${Buffer.from("{\"alg\":\"none\"}").toString("base64url")}.${
      Buffer.from(deep).toString("base64url")
    }.c2ln`
    expect(jwt.length).toBeLessThan(16 * 1024)
    for (const json of [false, true]) {
      expect(Output.print(token([], jwt), { json, noToken: false, decode: true }, undefined)).toStrictEqual({
        problem: Output.notAJwt
      })
    }
  })
})

describe("printable", () => {
  it("writes C0 and C1 controls, DEL, U+2028/U+2029 and the bidirectional controls as \\uXXXX, and nothing else", () => {
    expect(Output.printable("a\r\nissuer: x\u001b]0;t\u0007\u009b\u007f\u2028\u2029\u202a\u202e\u2066\u2069")).toBe(
      "a\\u000D\\u000Aissuer: x\\u001B]0;t\\u0007\\u009B\\u007F\\u2028\\u2029\\u202A\\u202E\\u2066\\u2069"
    )
    for (let code = 0; code <= 0x9f; code++) {
      const c = String.fromCharCode(code)
      const control = code < 0x20 || code >= 0x7f
      expect(Output.printable(c), code.toString(16)).toBe(
        control ? `\\u${code.toString(16).toUpperCase().padStart(4, "0")}` : c
      )
    }
    const kept = "https://login.example.com/é/日本 \u2027\u202f\u2065\u206a"
    expect(Output.printable(kept)).toBe(kept)
  })
})
