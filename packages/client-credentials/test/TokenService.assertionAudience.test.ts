/**
 * The assertion's `aud` with an issuer (`docs/configuration.md#client-authentication`,
 * `docs/configuration.md#discovery`): `assertionAudience: "issuer"` signs for the issuer identifier the metadata
 * confirmed, the default for the token endpoint the metadata named. Discovery itself is not under test here: it is
 * replaced by metadata given at once (`discovery.test.ts` tests it), so that only where an assertion is addressed is.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Jose from "jose"
import { vi } from "vitest"
import type * as Discovery from "../src/internal/discovery.js"
import * as Keys from "./utils/keys.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const issuer = "https://idp.example.com/tenant"
const discoveredTokenUrl = "https://login.idp.example.com/tenant/oauth2/v2/token"

vi.mock("../src/internal/discovery.js", async () => {
  const Effect = await import("effect/Effect")
  return {
    make: (_client: unknown, options: Discovery.Options) =>
      Effect.succeed<Discovery.Discovery>({
        metadata: Effect.succeed({
          issuer: options.issuer.href,
          tokenEndpoint: new URL(discoveredTokenUrl),
          authMethodsSupported: ["client_secret_jwt", "private_key_jwt"],
          signingAlgorithmsSupported: undefined
        }),
        endpointFailed: () => Effect.void
      }),
    isEndpointGone: () => false
  }
})

const make = (endpoint: Endpoint.ScriptedEndpoint, options: TokenService.Options) =>
  TokenService.make(options).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))

/** The `aud` of the assertion of the only request, which went to the discovered token endpoint. */
const audienceSent = (endpoint: Endpoint.ScriptedEndpoint) => {
  assert.strictEqual(endpoint.requests.length, 1)
  assert.strictEqual(endpoint.requests[0]!.url, discoveredTokenUrl)
  return Jose.decodeJwt(endpoint.requests[0]!.form.get("client_assertion")!).aud
}

describe("the assertion's audience with an issuer", () => {
  const methods: ReadonlyArray<
    readonly [string, (audience: TokenService.AssertionAudience | undefined) => TokenService.Options]
  > = [
    ["private_key_jwt", (assertionAudience) => ({
      issuer,
      clientId: Service.clientId,
      authMethod: "private_key_jwt",
      privateKey: Redacted.make(Keys.p256.pem),
      assertionAudience
    })],
    ["client_secret_jwt", (assertionAudience) => ({
      issuer,
      clientId: Service.clientId,
      authMethod: "client_secret_jwt",
      clientSecret: Redacted.make(Service.clientSecret),
      assertionAudience
    })]
  ]
  for (const [method, options] of methods) {
    it.scoped(`${method}: assertionAudience "issuer" is the issuer identifier`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const service = yield* make(endpoint, options("issuer"))
        yield* service.get
        assert.strictEqual(audienceSent(endpoint), issuer)
      }))

    it.scoped(`${method}: by default, the discovered token endpoint`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const service = yield* make(endpoint, options(undefined))
        yield* service.get
        assert.strictEqual(audienceSent(endpoint), discoveredTokenUrl)
      }))
  }
})
