/**
 * `--json` of a token whose response was not kept as received: the fields as `AccessToken` holds them.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import * as DateTime from "effect/DateTime"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import * as Output from "../src/internal/output.js"

const token = (scopes: ReadonlyArray<string>) =>
  new AccessToken.AccessToken({
    value: Redacted.make("Kept-Token-1"),
    tokenType: "DPoP",
    scopes,
    issuedAt: DateTime.makeUnsafe(0),
    expiresAt: DateTime.makeUnsafe(90_400)
  })

describe("--json without the response as received", () => {
  it("prints access_token, token_type, expires_in in whole seconds and the scopes, space-separated", () => {
    const printed = Output.print(token(["read", "write"]), { json: true, noToken: false, decode: false }, undefined)
    expect("text" in printed && JSON.parse(printed.text)).toStrictEqual({
      access_token: "Kept-Token-1",
      token_type: "DPoP",
      expires_in: 90,
      scope: "read write"
    })
  })

  it("leaves scope out when there is none, and the token with --no-token", () => {
    const printed = Output.print(token([]), { json: true, noToken: true, decode: false }, undefined)
    expect("text" in printed && JSON.parse(printed.text)).toStrictEqual({ token_type: "DPoP", expires_in: 90 })
  })
})
