/**
 * The library against a real authorization server, panva's oidc-provider 8, in-process on 127.0.0.1
 * (`docs/development.md#tests`). Every client authentication method (`docs/configuration.md#client-authentication`)
 * gets a token through discovery from the `issuer` (`docs/configuration.md#discovery`: OpenID Connect Discovery after
 * RFC 8414's 404, and RFC 8414 when served), and the token is checked with the provider itself (introspection, or JWT
 * verification against its JWKS): a refused request fails the test. Real time, short and bounded.
 */
import { TokenError, TokenService } from "@effect-oauth2/client-credentials"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Jose from "jose"
import * as Interop from "./provider.js"

/** The options of `client`, with the key in the form `keyForm` when it has one. */
const credentialsOf = (
  client: Interop.SecretClient<"client_secret_basic" | "client_secret_post" | "client_secret_jwt"> | Interop.KeyClient,
  keyForm: "pem" | "jwk" = "pem"
): TokenService.Credentials =>
  client.authMethod === "private_key_jwt"
    ? {
      clientId: client.clientId,
      authMethod: "private_key_jwt",
      privateKey: keyForm === "pem" ? client.privateKeyPem : client.privateKeyJwk
    }
    : client.authMethod === "client_secret_jwt"
    ? { clientId: client.clientId, authMethod: "client_secret_jwt", clientSecret: client.clientSecret }
    : { clientId: client.clientId, authMethod: client.authMethod, clientSecret: client.clientSecret }

/** A token for `credentials` from the harness's issuer, through the library, with no retries. */
const tokenFor = (harness: Interop.Harness, credentials: TokenService.Credentials, resource?: string) =>
  Effect.gen(function*() {
    const options = { issuer: harness.issuer, retry: Schedule.stop, ...credentials }
    const service = yield* TokenService.make(
      (resource === undefined ? options : { ...options, resource }) as TokenService.Options
    )
    return yield* service.get
  }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici))

/** The discovery requests the provider received, in order. */
const discoveryPaths = (harness: Interop.Harness) =>
  harness.received().map((hit) => hit.path).filter((path) => path.includes("/.well-known/"))

describe("interop with oidc-provider 8", () => {
  layer(Interop.layer(), { timeout: 30_000, excludeTestServices: true })(
    "through OpenID discovery (no RFC 8414 metadata)",
    (it) => {
      const methods: ReadonlyArray<
        readonly [
          string,
          (clients: Interop.Clients) => TokenService.Credentials,
          Interop.SeenTokenRequest["authentication"]
        ]
      > = [
        ["client_secret_basic", (clients) => credentialsOf(clients.basic), "client_secret_basic"],
        ["client_secret_post", (clients) => credentialsOf(clients.post), "client_secret_post"],
        ["client_secret_jwt", (clients) => credentialsOf(clients.secretJwt), "client_assertion"],
        ["private_key_jwt, RSA PEM (RS256)", (clients) => credentialsOf(clients.rsa), "client_assertion"],
        [
          "private_key_jwt, RSA JWK with PS256",
          (clients) =>
            ({ ...credentialsOf(clients.rsa, "jwk"), signingAlgorithm: "PS256" }) as TokenService.Credentials,
          "client_assertion"
        ],
        ["private_key_jwt, EC PEM (ES256)", (clients) => credentialsOf(clients.ec), "client_assertion"],
        ["private_key_jwt, EC JWK (ES256)", (clients) => credentialsOf(clients.ec, "jwk"), "client_assertion"],
        ["private_key_jwt, Ed25519 PEM (EdDSA)", (clients) => credentialsOf(clients.ed25519), "client_assertion"],
        ["private_key_jwt, Ed25519 JWK (EdDSA)", (clients) => credentialsOf(clients.ed25519, "jwk"), "client_assertion"]
      ]
      for (const [name, credentials, authentication] of methods) {
        it.effect(`${name}: a token the provider says is active`, () =>
          Effect.gen(function*() {
            const harness = yield* Interop.InteropProvider
            const chosen = credentials(harness.clients)
            const token = yield* tokenFor(harness, chosen)
            const introspection = yield* harness.introspect(token.value)
            assert.isTrue(introspection.active, "the provider issued it")
            assert.strictEqual(introspection.clientId, chosen.clientId)
            const seen = harness.tokenRequests().at(-1)
            assert.strictEqual(seen?.status, 200)
            assert.strictEqual(seen?.authentication, authentication, "the method the library was asked for")
            assert.deepStrictEqual(harness.refusals(), [])
          }))
      }

      it.effect("discovery asks RFC 8414 first, then OpenID after its 404", () =>
        Effect.gen(function*() {
          const harness = yield* Interop.InteropProvider
          const before = discoveryPaths(harness).length
          yield* tokenFor(harness, credentialsOf(harness.clients.basic))
          assert.deepStrictEqual(discoveryPaths(harness).slice(before), [
            "/.well-known/oauth-authorization-server/tenant-a",
            "/tenant-a/.well-known/openid-configuration"
          ])
        }))

      it.effect("a resource indicator: a JWT for the resource, verified against the provider's JWKS", () =>
        Effect.gen(function*() {
          const harness = yield* Interop.InteropProvider
          const token = yield* tokenFor(harness, credentialsOf(harness.clients.ec), Interop.resource)
          const claims = yield* harness.verifyJwt(token.value)
          assert.strictEqual(claims.aud, Interop.resource)
          assert.strictEqual(claims.client_id, harness.clients.ec.clientId)
        }))

      it.effect("a key the provider does not know: TokenError OAuth invalid_client", () =>
        Effect.gen(function*() {
          const harness = yield* Interop.InteropProvider
          const stranger = yield* Effect.promise(() => Jose.generateKeyPair("ES256", { extractable: true }))
          const pem = yield* Effect.promise(() => Jose.exportPKCS8(stranger.privateKey))
          const error = yield* Effect.flip(tokenFor(harness, {
            clientId: harness.clients.ec.clientId,
            authMethod: "private_key_jwt",
            privateKey: Redacted.make(pem)
          }))
          assert.isTrue(TokenError.isTokenError(error))
          const tokenError = error as TokenError.TokenError
          assert.strictEqual(tokenError.reason, "OAuth")
          assert.strictEqual(tokenError.error, "invalid_client")
        }))

      it.effect("a wrong secret for client_secret_jwt: invalid_client", () =>
        Effect.gen(function*() {
          const harness = yield* Interop.InteropProvider
          const error = yield* Effect.flip(tokenFor(harness, {
            clientId: harness.clients.secretJwt.clientId,
            authMethod: "client_secret_jwt",
            clientSecret: Redacted.make("x".repeat(64))
          }))
          assert.strictEqual((error as TokenError.TokenError).error, "invalid_client")
        }))

      it.effect("assertionAudience issuer: the provider accepts an assertion addressed to the issuer", () =>
        Effect.gen(function*() {
          const harness = yield* Interop.InteropProvider
          const token = yield* tokenFor(harness, {
            ...credentialsOf(harness.clients.rsa),
            assertionAudience: "issuer"
          } as TokenService.Credentials)
          assert.isTrue((yield* harness.introspect(token.value)).active)
          assert.strictEqual(harness.tokenRequests().at(-1)?.assertion?.claims.aud, harness.issuer)
        }))
    }
  )

  layer(Interop.layer({ rfc8414: true }), { timeout: 30_000, excludeTestServices: true })(
    "through RFC 8414 metadata",
    (it) => {
      it.effect("the token endpoint comes from RFC 8414's URL, and OpenID's is not asked", () =>
        Effect.gen(function*() {
          const harness = yield* Interop.InteropProvider
          const token = yield* tokenFor(harness, credentialsOf(harness.clients.post))
          assert.isTrue((yield* harness.introspect(token.value)).active)
          assert.deepStrictEqual(discoveryPaths(harness), ["/.well-known/oauth-authorization-server/tenant-a"])
        }))
    }
  )
})
