/**
 * The oidc-provider 8 harness of the behavioural suites (`@effect-oauth2/suites/fixtures/OidcProvider`, where its
 * setup and what oidc-provider expects of a client assertion are written), for this line's own tests: started and
 * stopped with a scope, its secrets and keys `Redacted`, its checks effects.
 */
import * as Provider from "@effect-oauth2/suites/fixtures/OidcProvider"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Jose from "jose"

export const { resource, resourceScope, tenantPath } = Provider

export type Options = Provider.Options
export type SigningAlgorithm = Provider.SigningAlgorithm
export type Introspection = Provider.Introspection
export type Received = Provider.Received
export type Refusal = Provider.Refusal
export type SeenTokenRequest = Provider.SeenTokenRequest

/** A client that authenticates with a shared secret. */
export interface SecretClient<Method extends "client_secret_basic" | "client_secret_post" | "client_secret_jwt">
  extends Omit<Provider.SecretClient<Method>, "clientSecret">
{
  readonly clientSecret: Redacted.Redacted<string>
}

/** A `private_key_jwt` client; the provider knows its public key under `keyId`. */
export interface KeyClient extends Omit<Provider.KeyClient, "privateKeyPem" | "privateKeyJwk"> {
  readonly privateKeyPem: Redacted.Redacted<string>
  readonly privateKeyJwk: Redacted.Redacted<string>
}

/** The registered clients, one per method. */
export interface Clients {
  readonly basic: SecretClient<"client_secret_basic">
  readonly post: SecretClient<"client_secret_post">
  readonly secretJwt: SecretClient<"client_secret_jwt">
  readonly rsa: KeyClient
  readonly ec: KeyClient
  readonly ed25519: KeyClient
}

/** A JWT access token the provider's keys do not verify, or that is not one of its access tokens. */
export class JwtRejected extends Data.TaggedError("JwtRejected")<{
  /** jose's error code, e.g. `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`. */
  readonly code: string
}> {}

/** A running provider. */
export interface Harness extends Omit<Provider.Harness, "clients" | "introspect" | "verifyJwt" | "close"> {
  readonly clients: Clients
  readonly introspect: (token: string | Redacted.Redacted<string>) => Effect.Effect<Introspection>
  readonly verifyJwt: (token: string | Redacted.Redacted<string>) => Effect.Effect<Jose.JWTPayload, JwtRejected>
}

/** The harness as a service, for `layer(Interop.layer(...))` in tests. */
export class InteropProvider extends Context.Tag("test/interop/InteropProvider")<InteropProvider, Harness>() {}

const text = (token: string | Redacted.Redacted<string>) => typeof token === "string" ? token : Redacted.value(token)

const keyClient = (client: Provider.KeyClient): KeyClient => ({
  ...client,
  privateKeyPem: Redacted.make(client.privateKeyPem),
  privateKeyJwk: Redacted.make(client.privateKeyJwk)
})

const secretClient = <Method extends "client_secret_basic" | "client_secret_post" | "client_secret_jwt">(
  client: Provider.SecretClient<Method>
): SecretClient<Method> => ({ ...client, clientSecret: Redacted.make(client.clientSecret) })

/** Starts oidc-provider 8; stopped, with every connection, when the scope closes. */
export const start = (options: Options = {}): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(Effect.promise(() => Provider.start(options)), (harness) => Effect.promise(harness.close)),
    (harness): Harness => ({
      ...harness,
      clients: {
        basic: secretClient(harness.clients.basic),
        post: secretClient(harness.clients.post),
        secretJwt: secretClient(harness.clients.secretJwt),
        rsa: keyClient(harness.clients.rsa),
        ec: keyClient(harness.clients.ec),
        ed25519: keyClient(harness.clients.ed25519)
      },
      introspect: (token) => Effect.promise(() => harness.introspect(text(token))),
      verifyJwt: (token) =>
        Effect.tryPromise({
          try: () => harness.verifyJwt(text(token)),
          catch: (error) =>
            new JwtRejected({ code: error instanceof Provider.JwtRejected ? error.code : "ERR_NOT_A_JWT" })
        })
    })
  )

/** The harness as a layer: started when the layer is built, stopped when it is released. */
export const layer = (options: Options = {}): Layer.Layer<InteropProvider> =>
  Layer.scoped(InteropProvider, start(options))
