/**
 * Client authentication (RFC 6749 §2.3, RFC 7523 §2.2): what each method adds to one token request.
 *
 * The shared-secret methods send the secret; the JWT methods send a fresh assertion per request instead, signed with
 * HS256 over the secret (`client_secret_jwt`) or with the client's private key (`private_key_jwt`), or one made
 * elsewhere (`clientAssertion`: workload identity). Keys are imported once, when the layer is built, with `jose`.
 */
import * as AuthenticationRules from "@effect-oauth2/core/clientAuthentication"
import * as compactJws from "@effect-oauth2/core/compactJws"
import * as CredentialRules from "@effect-oauth2/core/credentials"
import { describeFailureName } from "@effect-oauth2/core/describeCause"
import type { SigningAlgorithm } from "@effect-oauth2/core/methods"
import * as urls from "@effect-oauth2/core/urls"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Jose from "jose"
import * as TokenError from "../TokenError.js"

/** Where one token request goes: what an assertion's `aud` is taken from. */
export type Destination = AuthenticationRules.Destination

/** What client authentication adds to one token request: headers and form parameters. */
export interface Credentials {
  readonly headers: Readonly<Record<string, string>>
  readonly params: ReadonlyArray<readonly [string, string]>
  /** Values sent with this request only (an assertion), which an error must not show. */
  readonly secrets: ReadonlyArray<string>
}

/**
 * A client authentication method. An effect per request, so that the methods that sign a fresh assertion for every
 * request fit the same shape.
 */
export interface ClientAuthentication {
  readonly method: string
  /**
   * What identifies the credentials in a cache key without revealing them: `""` for a secret, the JWK thumbprint
   * (RFC 7638) of the public key for a private key, `"assertion"` for an assertion made elsewhere.
   */
  readonly keyIdentity: string
  readonly credentials: (destination: Destination) => Effect.Effect<Credentials, TokenError.TokenError>
}

/**
 * The credentials as checked from the options (`@effect-oauth2/core/credentials`), before any key is imported; their
 * secrets `Redacted`.
 */
export type Spec =
  | {
    readonly _tag: "Secret"
    readonly method: "client_secret_basic" | "client_secret_post"
    readonly secret: Redacted.Redacted<string>
  }
  | {
    readonly _tag: "SecretJwt"
    readonly secret: Redacted.Redacted<string>
    readonly audience: CredentialRules.AssertionAudience
  }
  | {
    readonly _tag: "PrivateKey"
    readonly key: ParsedKey
    readonly algorithm: SigningAlgorithm | undefined
    readonly keyId: string | undefined
    readonly audience: CredentialRules.AssertionAudience
  }
  | { readonly _tag: "Assertion"; readonly assertion: Effect.Effect<Redacted.Redacted<string>, unknown> }

/** A private key as given: a PKCS#8 PEM, or a private JWK. */
export type ParsedKey =
  | { readonly _tag: "Pem"; readonly pem: Redacted.Redacted<string> }
  | { readonly _tag: "Jwk"; readonly jwk: Redacted.Redacted<Jose.JWK> }

/**
 * The failure of an assertion the library reads itself (from a file), with a detail safe to show: it names where the
 * assertion comes from, never what it holds.
 */
export class AssertionRefused extends Data.TaggedError("AssertionRefused")<{ readonly detail: string }> {}

/** The credentials in plain text, as the core reads them. */
const revealed = (spec: Spec): CredentialRules.Spec => {
  switch (spec._tag) {
    case "Secret":
    case "SecretJwt":
      return { ...spec, secret: Redacted.value(spec.secret) }
    case "PrivateKey":
      return {
        ...spec,
        key: spec.key._tag === "Pem"
          ? { _tag: "Pem", pem: Redacted.value(spec.key.pem) }
          : { _tag: "Jwk", jwk: Redacted.value(spec.key.jwk) as CredentialRules.Jwk }
      }
    case "Assertion":
      return spec
  }
}

/**
 * The values that must never show in an error, as configured (`credentials.secretsOf`: the secret and the Basic
 * credentials that hold it, or the private key's text and its private JWK members). The redactor removes each in all
 * its encoded forms. Assertions, made per request, are added per request (`Credentials.secrets`).
 */
export const secretsOf = (clientId: string, spec: Spec): ReadonlyArray<Redacted.Redacted<string>> =>
  CredentialRules.secretsOf(clientId, revealed(spec)).map((secret) => Redacted.make(secret))

const noSecrets: ReadonlyArray<string> = []

/**
 * `client_secret_basic`: HTTP Basic with the client id and secret form-urlencoded first (RFC 6749 §2.3.1), so that
 * a secret with `:`, `%`, `+` or non-ASCII characters arrives intact.
 */
const clientSecretBasic = (clientId: string, clientSecret: Redacted.Redacted<string>): ClientAuthentication => {
  const credentials = Effect.sync((): Credentials => ({
    headers: { authorization: `Basic ${AuthenticationRules.basicCredentials(clientId, Redacted.value(clientSecret))}` },
    params: [],
    secrets: noSecrets
  }))
  return { method: "client_secret_basic", keyIdentity: "", credentials: () => credentials }
}

/** `client_secret_post`: the client id and secret as form parameters in the body. */
const clientSecretPost = (clientId: string, clientSecret: Redacted.Redacted<string>): ClientAuthentication => {
  const credentials = Effect.sync((): Credentials => ({
    headers: {},
    params: AuthenticationRules.secretPostParams(clientId, Redacted.value(clientSecret)),
    secrets: noSecrets
  }))
  return { method: "client_secret_post", keyIdentity: "", credentials: () => credentials }
}

/** The form parameters that carry `assertion`, and the assertion as a value to redact. */
const assertionCredentials = (clientId: string, assertion: string): Credentials => ({
  headers: {},
  params: AuthenticationRules.assertionParams(clientId, assertion),
  secrets: [assertion]
})

/**
 * Signs one assertion (`clientAuthentication.claimsOf`: `iss` and `sub` the client id, `aud`, a random `jti`, `iat`
 * now and `exp` 60 seconds later), on Effect's `Clock`.
 */
const signAssertion = (
  clientId: string,
  audience: string,
  header: AuthenticationRules.Header,
  key: Jose.CryptoKey | Uint8Array
): Effect.Effect<string> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const claims = AuthenticationRules.claimsOf({ clientId, audience, now, jti: crypto.randomUUID() })
    const jwt = new Jose.SignJWT({ ...claims }).setProtectedHeader({ ...header })
    // the key signed once when the layer was built (`privateKeyJwt`), and an HMAC key always signs
    return Effect.promise(() => jwt.sign(key))
  })

/** `client_secret_jwt`: HS256 over the client secret. */
const clientSecretJwt = (
  clientId: string,
  secret: Redacted.Redacted<string>,
  audience: CredentialRules.AssertionAudience
): ClientAuthentication => {
  const key = new TextEncoder().encode(Redacted.value(secret))
  return {
    method: "client_secret_jwt",
    keyIdentity: "",
    credentials: (destination) =>
      Effect.map(
        signAssertion(
          clientId,
          AuthenticationRules.audienceOf(audience, destination),
          AuthenticationRules.headerOf("HS256", undefined),
          key
        ),
        (assertion) => assertionCredentials(clientId, assertion)
      )
  }
}

const importPem = (pem: string, algorithm: string) =>
  Effect.tryPromise(() => Jose.importPKCS8(pem, algorithm, { extractable: true }))

/**
 * The key, imported for its algorithm, and the JWK of its public part; fails with what is wrong, in words that show
 * nothing of the key.
 */
const importKey = (
  key: ParsedKey,
  configured: SigningAlgorithm | undefined
): Effect.Effect<
  { readonly key: Jose.CryptoKey; readonly algorithm: SigningAlgorithm; readonly jwk: Jose.JWK },
  string
> => {
  const misfit = (algorithm: string) => `privateKey does not fit signingAlgorithm ${algorithm}`
  if (key._tag === "Jwk") {
    const jwk = Redacted.value(key.jwk)
    const algorithm = configured ?? CredentialRules.defaultAlgorithmOf(jwk)
    if (algorithm === undefined) {
      return Effect.fail(
        "privateKey is a JWK of a type with no default algorithm (RSA, EC P-256 or Ed25519); set signingAlgorithm"
      )
    }
    return Effect.tryPromise(() => Jose.importJWK({ ...jwk, ext: true }, algorithm)).pipe(
      Effect.flatMap((imported) =>
        imported instanceof Uint8Array
          ? Effect.fail("privateKey is a symmetric JWK, not a private key")
          : Effect.succeed(imported)
      ),
      Effect.mapError(() => misfit(algorithm)),
      Effect.map((imported) => ({ key: imported, algorithm, jwk }))
    )
  }
  const pem = Redacted.value(key.pem)
  const imported = configured !== undefined
    ? Effect.map(importPem(pem, configured), (imported) => ({ key: imported, algorithm: configured }))
    : Effect.firstSuccessOf(
      CredentialRules.pemProbeOrder.map((algorithm) =>
        Effect.map(importPem(pem, algorithm), (imported) => ({ key: imported, algorithm }))
      )
    )
  return imported.pipe(
    Effect.mapError(() =>
      configured === undefined
        ? "privateKey is not a PKCS#8 RSA, EC P-256 or Ed25519 key (-----BEGIN PRIVATE KEY-----)"
        : misfit(configured)
    ),
    Effect.flatMap(({ algorithm, key }) =>
      Effect.map(Effect.promise(() => Jose.exportJWK(key)), (jwk) => ({ key, algorithm, jwk }))
    )
  )
}

/** The RFC 7638 thumbprint of the key's public part: an identity for cache keys that reveals nothing of the key. */
const thumbprintOf = (jwk: Jose.JWK): Effect.Effect<string> => {
  const publicJwk: Jose.JWK = { ...jwk }
  for (const name of CredentialRules.privateJwkMembers) delete publicJwk[name]
  return Effect.promise(() => Jose.calculateJwkThumbprint(publicJwk))
}

/** `private_key_jwt` with the client's key: imported once, here; fails with what is wrong with it. */
const privateKeyJwt = (
  clientId: string,
  spec: Extract<Spec, { readonly _tag: "PrivateKey" }>
): Effect.Effect<ClientAuthentication, string> =>
  Effect.gen(function*() {
    const { algorithm, jwk, key } = yield* importKey(spec.key, spec.algorithm)
    // jose checks some things only when it signs (an RSA key's 2048 bits): sign once now, so a key that cannot
    // sign kills the layer when it is built rather than every call
    yield* Effect.tryPromise(() => new Jose.SignJWT({}).setProtectedHeader({ alg: algorithm }).sign(key)).pipe(
      Effect.mapError(() => `privateKey cannot sign with ${algorithm} (an RSA key needs at least 2048 bits)`)
    )
    const keyIdentity = `jkt:${yield* thumbprintOf(jwk)}`
    // a JWK's own `kid` is the default: it is how the server that holds its public part names it
    const keyId = spec.keyId ?? (spec.key._tag === "Jwk" && typeof jwk.kid === "string" ? jwk.kid : undefined)
    const header = AuthenticationRules.headerOf(algorithm, keyId)
    return {
      method: "private_key_jwt",
      keyIdentity,
      credentials: (destination) =>
        Effect.map(
          signAssertion(clientId, AuthenticationRules.audienceOf(spec.audience, destination), header, key),
          (assertion) => assertionCredentials(clientId, assertion)
        )
    }
  })

/**
 * `private_key_jwt` with an assertion made elsewhere, run for every token request. Its failure, or an assertion that
 * is not a compact JWS, is a `TokenError` `ClientAssertion` that says what happened without quoting it.
 */
const clientAssertion = (
  clientId: string,
  assertion: Effect.Effect<Redacted.Redacted<string>, unknown>
): ClientAuthentication => {
  return {
    method: "private_key_jwt",
    keyIdentity: "assertion",
    credentials: (destination) => {
      const refused = (detail: string) =>
        new TokenError.TokenError({ reason: "ClientAssertion", origin: urls.origin(destination.tokenUrl), detail })
      return assertion.pipe(
        Effect.mapError((error) =>
          refused(
            error instanceof AssertionRefused
              ? error.detail
              : `the clientAssertion effect failed (${describeFailureName(error)})`
          )
        ),
        // a defect too: its text may quote what the effect read
        Effect.catchDefect((defect) =>
          Effect.fail(refused(`the clientAssertion effect died (${describeFailureName(defect)})`))
        ),
        Effect.flatMap((value) => {
          const text: unknown = Redacted.isRedacted(value) ? Redacted.value(value) : undefined
          if (typeof text !== "string" || text === "") {
            return Effect.fail(refused("the clientAssertion effect gave no assertion (a Redacted non-empty string)"))
          }
          const problem = compactJws.problem(text)
          return problem === undefined
            ? Effect.succeed(assertionCredentials(clientId, text))
            : Effect.fail(
              refused(`the clientAssertion effect gave an assertion that is no ${compactJws.described}: ${problem}`)
            )
        })
      )
    }
  }
}

/**
 * The client authentication of `spec`: keys imported, once. Fails with what is wrong with the options, in words that
 * name the option and show nothing of its value.
 */
export const make = (clientId: string, spec: Spec): Effect.Effect<ClientAuthentication, string> => {
  switch (spec._tag) {
    case "Secret":
      return Effect.succeed(
        spec.method === "client_secret_basic"
          ? clientSecretBasic(clientId, spec.secret)
          : clientSecretPost(clientId, spec.secret)
      )
    case "SecretJwt":
      return Effect.succeed(clientSecretJwt(clientId, spec.secret, spec.audience))
    case "PrivateKey":
      return privateKeyJwt(clientId, spec)
    case "Assertion":
      return Effect.succeed(clientAssertion(clientId, spec.assertion))
  }
}
