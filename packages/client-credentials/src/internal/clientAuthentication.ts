/**
 * Client authentication (RFC 6749 §2.3, RFC 7523 §2.2): what each method adds to one token request.
 *
 * The shared-secret methods send the secret; the JWT methods send a fresh assertion per request instead, signed with
 * HS256 over the secret (`client_secret_jwt`) or with the client's private key (`private_key_jwt`), or one made
 * elsewhere (`clientAssertion`: workload identity). What each sends, the keys' import and checks, the signing and the
 * checks of an assertion made elsewhere are the core's (`@effect-oauth2/core/clientAuthentication`,
 * `@effect-oauth2/core/signing`, with this line's `jose`); here they run as effects, on Effect's `Clock`, with secrets
 * `Redacted`. Keys are imported once, when the layer is built.
 */
import * as AuthenticationRules from "@effect-oauth2/core/clientAuthentication"
import * as CredentialRules from "@effect-oauth2/core/credentials"
import * as Signing from "@effect-oauth2/core/signing"
import * as urls from "@effect-oauth2/core/urls"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Jose from "jose"
import * as TokenError from "../TokenError.js"
import * as EffectLine from "./effectLine.js"

/** Where one token request goes: what an assertion's `aud` is taken from. */
export type Destination = AuthenticationRules.Destination

/** What client authentication adds to one token request: headers, form parameters, and the values to redact. */
export type Credentials = AuthenticationRules.Credentials

/**
 * A client authentication method (`Signing.Authentication`, `"assertion"` the identity of an assertion made
 * elsewhere), an effect per request.
 */
export interface ClientAuthentication extends Omit<Signing.Authentication, "credentials"> {
  readonly credentials: (destination: Destination) => Effect.Effect<Credentials, TokenError.TokenError>
}

/** An assertion made elsewhere, as `clientAssertion` gives it. */
export type AssertionSource = Effect.Effect<Redacted.Redacted<string>, unknown>

/**
 * The credentials as checked from the options (`@effect-oauth2/core/credentials`), before any key is imported; their
 * secrets `Redacted`.
 */
export type Spec = CredentialRules.Spec<AssertionSource, Redacted.Redacted<string>, Redacted.Redacted<Jose.JWK>>

/** A private key as given: a PKCS#8 PEM, or a private JWK. */
export type ParsedKey = CredentialRules.KeyOf<Redacted.Redacted<string>, Redacted.Redacted<Jose.JWK>>

/**
 * The failure of an assertion the library reads itself (from a file), with a detail safe to show: it names where the
 * assertion comes from, never what it holds.
 */
export class AssertionRefused extends Data.TaggedError("AssertionRefused")<{ readonly detail: string }> {}

/** The credentials in plain text, as the core reads them. */
const revealed = (spec: Spec): CredentialRules.Spec =>
  CredentialRules.mapSecrets(spec, Redacted.value, (jwk) => Redacted.value(jwk) as CredentialRules.Jwk)

/**
 * The values that must never show in an error, as configured (`credentials.secretsOf`: the secret and the Basic
 * credentials that hold it, or the private key's text and its private JWK members). The redactor removes each in all
 * its encoded forms. Assertions, made per request, are added per request (`Credentials.secrets`).
 */
export const secretsOf = (clientId: string, spec: Spec): ReadonlyArray<Redacted.Redacted<string>> =>
  CredentialRules.secretsOf(clientId, revealed(spec)).map((secret) => Redacted.make(secret))

/**
 * `private_key_jwt` with an assertion made elsewhere, run for every token request. Its failure, or an assertion that
 * is not a compact JWS, is a `TokenError` `ClientAssertion` that says what happened without quoting it.
 */
const clientAssertion = (clientId: string, assertion: AssertionSource): ClientAuthentication => ({
  method: "private_key_jwt",
  keyIdentity: "assertion",
  credentials: (destination) => {
    const refused = (detail: string) =>
      new TokenError.TokenError({ reason: "ClientAssertion", origin: urls.origin(destination.tokenUrl), detail })
    return assertion.pipe(
      Effect.mapError((error) =>
        refused(Signing.assertionFailed(error, error instanceof AssertionRefused ? error.detail : undefined))
      ),
      // a defect too: its text may quote what the effect read
      EffectLine.catchDefect((defect) => Effect.fail(refused(Signing.assertionDied(defect)))),
      Effect.flatMap((value) => {
        const checked = Signing.checkAssertion(Redacted.isRedacted(value) ? Redacted.value(value) : undefined)
        return checked._tag === "Valid"
          ? Effect.succeed(AuthenticationRules.assertionCredentials(clientId, checked.value))
          : Effect.fail(refused(checked.problem))
      })
    )
  }
})

/**
 * The client authentication of `spec`: keys imported, once. Fails with what is wrong with the options, in words that
 * name the option and show nothing of its value.
 */
export const make = (clientId: string, spec: Spec): Effect.Effect<ClientAuthentication, string> => {
  const plain = revealed(spec)
  if (plain._tag === "Assertion") return Effect.succeed(clientAssertion(clientId, plain.assertion as AssertionSource))
  return Effect.flatMap(
    Effect.promise(() => Signing.authenticationOf(Jose, clientId, plain)),
    (checked) =>
      checked._tag === "Invalid" ? Effect.fail(checked.problem) : Effect.succeed({
        method: checked.value.method,
        keyIdentity: checked.value.keyIdentity,
        credentials: (destination) =>
          Effect.flatMap(
            Clock.currentTimeMillis,
            (now) => Effect.promise(() => checked.value.credentials(destination, now))
          )
      })
  )
}
