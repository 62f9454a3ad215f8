import { AccessToken } from "@effect-oauth2/client-credentials"
import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"

const token = new AccessToken.AccessToken({
  value: Redacted.make("secret-token-value"),
  tokenType: "Bearer",
  scopes: ["read"],
  issuedAt: DateTime.makeUnsafe(0),
  expiresAt: DateTime.makeUnsafe(3_600_000)
})

describe("AccessToken", () => {
  it("never shows its value when printed", () => {
    for (const text of [String(token), JSON.stringify(token), util.inspect(token, { depth: 10 })]) {
      expect(text).not.toContain("secret-token-value")
    }
    expect(Redacted.value(token.value)).toBe("secret-token-value")
    expect(token.lifetimeMillis).toBe(3_600_000)
  })
})
