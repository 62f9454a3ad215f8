import { AccessToken, type TokenService } from "@effect-oauth2/client-credentials"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/** A `TokenService` that always gives a Bearer token of value `token`, whatever it is made of. */
export const make = (token: string): TokenService.Service => {
  const accessToken = new AccessToken.AccessToken({
    value: Redacted.make(token),
    tokenType: "Bearer",
    scopes: [],
    issuedAt: DateTime.unsafeMake(0),
    expiresAt: DateTime.unsafeMake(3_600_000)
  })
  return {
    get: Effect.succeed(accessToken),
    getFor: () => Effect.succeed(accessToken),
    invalidate: () => Effect.void
  }
}
