/**
 * The line against a real authorization server, panva's oidc-provider 8, in-process on 127.0.0.1
 * (`fixtures/OidcProvider`, `docs/development.md#tests`). Every client authentication method
 * (`docs/configuration.md#client-authentication`) gets a token through discovery from the `issuer`
 * (`docs/configuration.md#discovery`: OpenID Connect Discovery after RFC 8414's 404, and RFC 8414 when served), and the
 * token is checked with the provider itself (introspection, or JWT verification against its JWKS). DPoP
 * (`docs/dpop.md`): a token bound to the line's key (`cnf.jkt`), the provider's nonces answered, and a protected
 * resource that verifies the proofs `AuthorizedClient` sends. Real time, short and bounded.
 *
 * @since 0.1.0
 */
import * as Jose from "jose"
import * as Certificates from "./fixtures/Certificates.js"
import * as Provider from "./fixtures/OidcProvider.js"
import * as Kit from "./internal/kit.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

type Client =
  | Provider.SecretClient<"client_secret_basic" | "client_secret_post" | "client_secret_jwt">
  | Provider.KeyClient

/** The options of `client`, with the key in the form `keyForm` when it has one. */
const credentialsOf = (client: Client, keyForm: "pem" | "jwk" = "pem"): Line.ServiceOptions =>
  client.authMethod === "private_key_jwt"
    ? {
      clientId: client.clientId,
      authMethod: "private_key_jwt",
      privateKey: keyForm === "pem" ? client.privateKeyPem : client.privateKeyJwk
    }
    : { clientId: client.clientId, authMethod: client.authMethod, clientSecret: client.clientSecret }

const timeout = 30_000

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  /** A token (or the error) for `credentials` from the harness's issuer, through the line, with no retries. */
  const tokenFor = (harness: Provider.Harness, credentials: Line.ServiceOptions, resource?: string) =>
    Kit.withLive(line, {}, async (net) => {
      const service = await net.service({
        issuer: harness.issuer,
        retry: { times: 0 },
        ...credentials,
        ...(resource === undefined ? {} : { resource })
      })
      return service.get().outcome
    })

  /** The discovery requests the provider received, in order. */
  const discoveryPaths = (harness: Provider.Harness) =>
    harness.received().map((hit) => hit.path).filter((path) => path.includes("/.well-known/"))

  describe("interop with oidc-provider 8, through OpenID discovery (no RFC 8414 metadata)", () => {
    const methods: ReadonlyArray<
      readonly [string, (clients: Provider.Clients) => Line.ServiceOptions, Provider.SeenTokenRequest["authentication"]]
    > = [
      ["client_secret_basic", (clients) => credentialsOf(clients.basic), "client_secret_basic"],
      ["client_secret_post", (clients) => credentialsOf(clients.post), "client_secret_post"],
      ["client_secret_jwt", (clients) => credentialsOf(clients.secretJwt), "client_assertion"],
      ["private_key_jwt, RSA PEM (RS256)", (clients) => credentialsOf(clients.rsa), "client_assertion"],
      [
        "private_key_jwt, RSA JWK with PS256",
        (clients) => ({ ...credentialsOf(clients.rsa, "jwk"), signingAlgorithm: "PS256" }),
        "client_assertion"
      ],
      ["private_key_jwt, EC PEM (ES256)", (clients) => credentialsOf(clients.ec), "client_assertion"],
      ["private_key_jwt, EC JWK (ES256)", (clients) => credentialsOf(clients.ec, "jwk"), "client_assertion"],
      ["private_key_jwt, Ed25519 PEM (EdDSA)", (clients) => credentialsOf(clients.ed25519), "client_assertion"],
      ["private_key_jwt, Ed25519 JWK (EdDSA)", (clients) => credentialsOf(clients.ed25519, "jwk"), "client_assertion"]
    ]
    for (const [name, credentials, authentication] of methods) {
      it(`${name}: a token the provider says is active`, () =>
        Provider.withProvider({}, async (harness) => {
          const chosen = credentials(harness.clients)
          const token = Kit.succeeded(await tokenFor(harness, chosen))
          const introspection = await harness.introspect(token.value)
          assert.isTrue(introspection.active, "the provider issued it")
          assert.strictEqual(introspection.clientId, chosen.clientId)
          const seen = harness.tokenRequests().at(-1)
          assert.strictEqual(seen?.status, 200)
          assert.strictEqual(seen?.authentication, authentication, "the method the line was asked for")
          assert.deepStrictEqual(harness.refusals(), [])
        }), timeout)
    }

    it("discovery asks RFC 8414 first, then OpenID after its 404", () =>
      Provider.withProvider({}, async (harness) => {
        Kit.succeeded(await tokenFor(harness, credentialsOf(harness.clients.basic)))
        assert.deepStrictEqual(discoveryPaths(harness), [
          "/.well-known/oauth-authorization-server/tenant-a",
          "/tenant-a/.well-known/openid-configuration"
        ])
      }), timeout)

    it(
      "a resource indicator: a JWT for the resource, verified against the provider's JWKS",
      () =>
        Provider.withProvider({}, async (harness) => {
          const token = Kit.succeeded(await tokenFor(harness, credentialsOf(harness.clients.ec), Provider.resource))
          const claims = await harness.verifyJwt(token.value)
          assert.strictEqual(claims.aud, Provider.resource)
          assert.strictEqual(claims.client_id, harness.clients.ec.clientId)
        }),
      timeout
    )

    it(
      "a key the provider does not know, or a wrong secret for client_secret_jwt: TokenError OAuth invalid_client",
      () =>
        Provider.withProvider({}, async (harness) => {
          const stranger = await Jose.generateKeyPair("ES256", { extractable: true })
          const unknownKey = Kit.failed(
            await tokenFor(harness, {
              clientId: harness.clients.ec.clientId,
              authMethod: "private_key_jwt",
              privateKey: await Jose.exportPKCS8(stranger.privateKey)
            })
          )
          assert.deepStrictEqual([unknownKey.tag, unknownKey.reason, unknownKey.fields.error], [
            "TokenError",
            "OAuth",
            "invalid_client"
          ])
          const wrongSecret = Kit.failed(
            await tokenFor(harness, {
              clientId: harness.clients.secretJwt.clientId,
              authMethod: "client_secret_jwt",
              clientSecret: "x".repeat(64)
            })
          )
          assert.strictEqual(wrongSecret.fields.error, "invalid_client")
        }),
      timeout
    )

    it(
      "assertionAudience issuer: the provider accepts an assertion addressed to the issuer",
      () =>
        Provider.withProvider({}, async (harness) => {
          const token = Kit.succeeded(
            await tokenFor(harness, { ...credentialsOf(harness.clients.rsa), assertionAudience: "issuer" })
          )
          assert.isTrue((await harness.introspect(token.value)).active)
          assert.strictEqual(harness.tokenRequests().at(-1)?.assertion?.claims.aud, harness.issuer)
        }),
      timeout
    )
  })

  describe("interop with oidc-provider 8, through RFC 8414 metadata", () => {
    it(
      "the token endpoint comes from RFC 8414's URL, and OpenID's is not asked",
      () =>
        Provider.withProvider({ rfc8414: true }, async (harness) => {
          const token = Kit.succeeded(await tokenFor(harness, credentialsOf(harness.clients.post)))
          assert.isTrue((await harness.introspect(token.value)).active)
          assert.deepStrictEqual(discoveryPaths(harness), ["/.well-known/oauth-authorization-server/tenant-a"])
        }),
      timeout
    )
  })

  describe("interop with oidc-provider 8, DPoP (RFC 9449): tokens bound to the client's key", () => {
    /** A private key of the test's (ES256, as a JWK in JSON) and its JWK thumbprint (RFC 7638). */
    const dpopKey = async () => {
      const { privateKey, publicKey } = await Jose.generateKeyPair("ES256", { extractable: true })
      return {
        privateKey: JSON.stringify(await Jose.exportJWK(privateKey)),
        thumbprint: await Jose.calculateJwkThumbprint(await Jose.exportJWK(publicKey))
      }
    }

    /**
     * Gets a token for the harness's DPoP client with `key`, then calls the protected resource through an
     * `AuthorizedClient` on the same service: the token, the API's answer (or the errors).
     */
    const tokenAndCall = (harness: Provider.Harness, key: { readonly privateKey: string }) =>
      Kit.withLive(line, {}, async (net) => {
        const service = await net.service({
          issuer: harness.issuer,
          ...credentialsOf(harness.dpopClient!),
          dpop: { privateKey: key.privateKey },
          retry: { times: 0 }
        })
        const token = await service.get().outcome
        const client = await net.authorizedClient(service)
        const answer = await client.send({ url: harness.resourceUrl }).outcome
        return { token, answer }
      })

    it(
      "a token bound to the key (cnf.jkt at introspection), and a resource that verifies the proof answers 200",
      () =>
        Provider.withProvider({ dpop: {} }, async (harness) => {
          const key = await dpopKey()
          const { answer, token: outcome } = await tokenAndCall(harness, key)
          assert.deepStrictEqual(harness.serverErrors(), [])
          const token = Kit.succeeded(outcome)
          assert.strictEqual(token.tokenType, "DPoP")
          const introspection = await harness.introspect(token.value)
          assert.isTrue(introspection.active)
          assert.strictEqual(introspection.clientId, harness.dpopClient!.clientId)
          assert.deepStrictEqual(introspection.cnf, { jkt: key.thumbprint })
          assert.deepStrictEqual(harness.resourceVerdicts(), ["ok"])
          assert.strictEqual(Kit.succeeded(answer).status, 200)
          assert.deepStrictEqual(harness.refusals(), [])
        }),
      timeout
    )

    it(
      "a provider that requires nonces: the first token request gets use_dpop_nonce, the second has the nonce",
      () =>
        Provider.withProvider({ dpop: { nonce: true } }, async (harness) => {
          const key = await dpopKey()
          const { answer, token: outcome } = await tokenAndCall(harness, key)
          assert.deepStrictEqual(harness.serverErrors(), [])
          const token = Kit.succeeded(outcome)
          assert.deepStrictEqual((await harness.introspect(token.value)).cnf, { jkt: key.thumbprint })
          assert.deepStrictEqual(harness.tokenRequests().map((seen) => seen.status), [400, 200])
          assert.deepStrictEqual(harness.refusals().map((refusal) => refusal.error), ["use_dpop_nonce"])
          assert.strictEqual(Kit.succeeded(answer).status, 200)
        }),
      timeout
    )
  })

  describe("interop with oidc-provider 8 over mutual TLS (RFC 8705), certificate-bound tokens", () => {
    const authority = Certificates.tlsAuthority()
    for (const which of ["tls", "selfSigned"] as const) {
      it(
        `${which === "tls" ? "tls_client_auth" : "self_signed_tls_client_auth"}: a token bound to the certificate ` +
          "(cnf.x5t#S256 at introspection), through discovery over https",
        () =>
          Provider.withProvider({ mtls: authority }, async (harness) => {
            const client = harness.mtlsClients![which]
            const tlsClientCertificate = { cert: client.cert, key: client.key, ca: authority.ca }
            const outcome = await Kit.withLive(line, { tlsClientCertificate }, async (net) => {
              const service = await net.service({
                issuer: harness.issuer,
                clientId: client.clientId,
                authMethod: client.authMethod,
                tlsClientCertificate,
                retry: { times: 0 }
              })
              return service.get().outcome
            })
            assert.deepStrictEqual(harness.serverErrors(), [])
            const token = Kit.succeeded(outcome)
            const introspection = await harness.introspect(token.value)
            assert.isTrue(introspection.active)
            assert.strictEqual(introspection.clientId, client.clientId)
            assert.deepStrictEqual(introspection.cnf, { "x5t#S256": client.thumbprint })
            assert.strictEqual(harness.tokenRequests().at(-1)?.authentication, "none")
          }),
        timeout
      )
    }
  })
}
