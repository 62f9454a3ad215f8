/**
 * An `AccessToken` never shows its value when printed, only through `Redacted.value` (`docs/behaviour.md#secrets`), and
 * knows its lifetime. Written once for both lines (the Effect 4 package links it).
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Redacted from "effect/Redacted"
import { dateTimeMakeUnsafe } from "./line/effectLine.js"
import * as Printings from "./line/printings.js"

const token = new AccessToken.AccessToken({
  value: Redacted.make("secret-token-value"),
  tokenType: "Bearer",
  scopes: ["read"],
  issuedAt: dateTimeMakeUnsafe(0),
  expiresAt: dateTimeMakeUnsafe(3_600_000)
})

describe("AccessToken", () => {
  it("never shows its value when printed", () => {
    for (const [how, text] of Printings.printings(token, Cause.empty)) {
      expect(text, how).not.toContain("secret-token-value")
    }
    expect(Redacted.value(token.value)).toBe("secret-token-value")
    expect(token.lifetimeMillis).toBe(3_600_000)
  })
})
