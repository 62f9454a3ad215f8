/**
 * The credential options checked (`@effect-oauth2/core/credentials`: which options each method takes, their types,
 * and what they hold, in words that name an option and never show its value), with this line's own: a secret is a
 * `Redacted` value, an assertion made elsewhere an `Effect`. The result is a `clientAuthentication.Spec`, its
 * secrets redacted again; keys are parsed here and imported (asynchronously) when the layer is built.
 */
import { type Checked, valid } from "@effect-oauth2/core/checked"
import * as CredentialRules from "@effect-oauth2/core/credentials"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Jose from "jose"
import type * as TokenService from "../TokenService.js"
import type * as clientAuthentication from "./clientAuthentication.js"

/** An assertion made elsewhere, as `clientAssertion` gives it. */
type AssertionSource = Effect.Effect<Redacted.Redacted<string>, unknown>

/** How this line holds what the core cannot read: secrets in `Redacted`, assertions from an `Effect`. */
export const reader = CredentialRules.readerOf<Redacted.Redacted<unknown>, AssertionSource>({
  isSecret: Redacted.isRedacted,
  reveal: Redacted.value,
  isAssertion: Effect.isEffect
})

/** The credentials checked by the core, their secrets redacted again. */
const redacted = (spec: CredentialRules.Spec<AssertionSource>): clientAuthentication.Spec =>
  CredentialRules.mapSecrets(spec, Redacted.make, (jwk) => Redacted.make(jwk as Jose.JWK))

/**
 * The credentials of `options`, checked: for each method the options it needs, of their types, and none of the
 * options of another method.
 */
export const check = (
  options: TokenService.Credentials,
  hasIssuer: boolean
): Checked<clientAuthentication.Spec> => {
  const checked = CredentialRules.check(options as unknown as Readonly<Record<string, unknown>>, hasIssuer, reader)
  return checked._tag === "Valid" ? valid(redacted(checked.value)) : checked
}
