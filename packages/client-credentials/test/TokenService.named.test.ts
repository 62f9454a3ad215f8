/**
 * Named clients (`docs/configuration.md#named-clients`): `TokenService.Tag(id)` declares a token service of its own,
 * with the layers of `TokenService`; two live side by side with their own caches and credentials,
 * `layerConfig({ prefix })` reads prefixed variables, `layerPrefetched` fetches while it is built,
 * `AuthorizedClient.withTokens` takes one, and a program that needs one does not type-check when given another.
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

class Billing extends TokenService.Tag("test/Billing")<Billing>() {}
class Shipping extends TokenService.Tag("test/Shipping")<Shipping>() {}

const billingOptions: Service.SecretOptions = { ...Service.options, clientId: "billing-client" }
const shippingOptions: Service.SecretOptions = {
  ...Service.options,
  tokenUrl: "https://shipping-auth.example.com/token",
  clientId: "shipping-client",
  clientSecret: Redacted.make("shipping-secret")
}

/** The client id of a `client_secret_basic` request. */
const basicClientId = (request: Endpoint.RecordedRequest): string => {
  const basic = atob((request.headers.authorization ?? "").replace(/^Basic /, ""))
  return decodeURIComponent(basic.slice(0, basic.indexOf(":")))
}

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("TokenService.Tag: named clients", () => {
  it("is a Context.Tag with the id as its key, and the layers as statics", () => {
    assert.strictEqual(Billing.key, "test/Billing")
    assert.isTrue(Context.isTag(Billing))
    assert.strictEqual(typeof Billing.layer, "function")
    assert.strictEqual(typeof Billing.layerPrefetched, "function")
    assert.strictEqual(typeof Billing.layerConfig, "function")
  })

  it.effect("two clients side by side: each its own credentials and cache; a token for Billing is not Shipping's", () => {
    const endpoint = Endpoint.make()
    return Effect.gen(function*() {
      const billing = yield* Billing
      const shipping = yield* Shipping
      const b1 = yield* billing.get
      const s1 = yield* shipping.get
      const b2 = yield* billing.get
      const s2 = yield* shipping.get
      assert.deepStrictEqual([b1, b2, s1, s2].map(Service.value), ["token-1", "token-1", "token-2", "token-2"])
      assert.deepStrictEqual(endpoint.requests.map((r) => [r.url, basicClientId(r)]), [
        [Service.tokenUrl, "billing-client"],
        ["https://shipping-auth.example.com/token", "shipping-client"]
      ])
      // a token Shipping did not issue is ignored by it; Billing drops its own
      yield* shipping.invalidate(b1)
      assert.strictEqual(Service.value(yield* shipping.get), "token-2")
      assert.strictEqual(Service.value(yield* billing.get), "token-1")
      yield* billing.invalidate(b1)
      assert.strictEqual(Service.value(yield* billing.get), "token-3")
      assert.strictEqual(Service.value(yield* shipping.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 3)
    }).pipe(
      Effect.provide(Layer.merge(Billing.layer(billingOptions), Shipping.layer(shippingOptions))),
      Effect.provide(endpoint.layer)
    )
  })

  it.effect("a named client is not the default TokenService: the two have separate caches", () => {
    const endpoint = Endpoint.make()
    return Effect.gen(function*() {
      const billing = yield* Billing
      const plain = yield* TokenService.TokenService
      assert.strictEqual(Service.value(yield* billing.get), "token-1")
      assert.strictEqual(Service.value(yield* plain.get), "token-2")
    }).pipe(
      Effect.provide(Layer.merge(Billing.layer(billingOptions), TokenService.layer(billingOptions))),
      Effect.provide(endpoint.layer)
    )
  })

  it.effect("layerConfig({ prefix }) reads the variables with that prefix, and only those", () => {
    const endpoint = Endpoint.make()
    const env = {
      OAUTH_TOKEN_URL: "https://wrong.example.com/token",
      OAUTH_CLIENT_ID: "wrong-client",
      OAUTH_CLIENT_SECRET: "wrong-secret",
      BILLING_OAUTH_TOKEN_URL: "https://billing-auth.example.com/token",
      BILLING_OAUTH_CLIENT_ID: "billing-client",
      BILLING_OAUTH_CLIENT_SECRET: "billing-secret",
      BILLING_OAUTH_SCOPE: "invoices:read invoices:write",
      SHIPPING_OAUTH_ISSUER: "https://shipping-auth.example.com",
      SHIPPING_OAUTH_TOKEN_URL: "https://shipping-auth.example.com/token",
      SHIPPING_OAUTH_CLIENT_ID: "shipping-client",
      SHIPPING_OAUTH_CLIENT_SECRET: "shipping-secret",
      SHIPPING_OAUTH_AUTH_METHOD: "client_secret_post"
    }
    return Effect.gen(function*() {
      const billing = yield* Effect.either(Layer.build(Billing.layerConfig({ prefix: "BILLING_OAUTH_" })))
      assert.isTrue(Either.isRight(billing))
      yield* Effect.flatMap(Billing, (service) => service.get).pipe(
        Effect.provide(Billing.layerConfig({ prefix: "BILLING_OAUTH_" }))
      )
      const [request] = endpoint.requests
      assert.strictEqual(request?.url, "https://billing-auth.example.com/token")
      assert.strictEqual(basicClientId(request!), "billing-client")
      assert.strictEqual(request?.form.get("scope"), "invoices:read invoices:write")
      // SHIPPING_OAUTH_ sets both endpoint variables: the error names the prefixed variable
      const shipping = yield* Effect.exit(Layer.build(Shipping.layerConfig({ prefix: "SHIPPING_OAUTH_" })))
      assert.isTrue(Exit.isFailure(shipping))
      const message = Exit.isFailure(shipping) ? String(shipping.cause) : ""
      assert.include(message, "SHIPPING_OAUTH_ISSUER")
      assert.include(message, "set SHIPPING_OAUTH_TOKEN_URL or SHIPPING_OAUTH_ISSUER, not both")
    }).pipe(Effect.scoped, Effect.provide(endpoint.layer), withEnv(env))
  })

  it.effect("layerConfig({ prefix }) with a variable missing fails with a ConfigError naming it", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(Billing.layerConfig({ prefix: "BILLING_OAUTH_" })))
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause : undefined
      assert.include(String(error), "BILLING_OAUTH_CLIENT_SECRET")
      assert.notInclude(String(error), "billing-client")
    }).pipe(
      Effect.scoped,
      Effect.provide(Endpoint.make().layer),
      withEnv({ BILLING_OAUTH_TOKEN_URL: "https://billing-auth.example.com/token", BILLING_OAUTH_CLIENT_ID: "x" })
    ))

  it.effect("layerConfig() reads OAUTH_*: no prefix is derived from the id; a Config.Wrap works as for TokenService", () => {
    const endpoint = Endpoint.make()
    return Effect.gen(function*() {
      yield* Effect.flatMap(Billing, (service) => service.get).pipe(Effect.provide(Billing.layerConfig()))
      yield* Effect.flatMap(Billing, (service) => service.get).pipe(
        Effect.provide(Billing.layerConfig(TokenService.configWithPrefix("IDP_")))
      )
      assert.deepStrictEqual(endpoint.requests.map(basicClientId), ["plain-client", "idp-client"])
      assert.strictEqual(endpoint.requests[1]?.url, "https://idp.example.com/token")
    }).pipe(
      Effect.provide(endpoint.layer),
      withEnv({
        OAUTH_TOKEN_URL: Service.tokenUrl,
        OAUTH_CLIENT_ID: "plain-client",
        OAUTH_CLIENT_SECRET: "plain-secret",
        IDP_TOKEN_URL: "https://idp.example.com/token",
        IDP_CLIENT_ID: "idp-client",
        IDP_CLIENT_SECRET: "idp-secret"
      })
    )
  })

  it.effect("layerConfig with invalid options fails with a ConfigError, as TokenService.layerConfig does", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(Billing.layerConfig({ prefix: "B_" })))
      assert.isTrue(Exit.isFailure(exit))
      const failure = Exit.isFailure(exit) ? exit.cause : undefined
      assert.isTrue(failure !== undefined && failure._tag === "Fail" && ConfigError.isConfigError(failure.error))
      assert.include(String(failure), "tokenUrl must use https")
    }).pipe(
      Effect.scoped,
      Effect.provide(Endpoint.make().layer),
      withEnv({ B_TOKEN_URL: "http://auth.example.com/token", B_CLIENT_ID: "b", B_CLIENT_SECRET: "s" })
    ))

  it.effect("layerPrefetched fetches the named client's token while it is built, and fails the build on a refusal", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      yield* Effect.gen(function*() {
        const context = yield* Layer.build(Billing.layerPrefetched(billingOptions))
        assert.strictEqual(endpoint.requests.length, 1)
        assert.strictEqual(Service.value(yield* Context.get(context, Billing).get), "token-1")
        assert.strictEqual(endpoint.requests.length, 1)
      }).pipe(Effect.scoped, Effect.provide(endpoint.layer))

      const refusing = Endpoint.make()
      refusing.script(Endpoint.oauthError("invalid_client", 401))
      const exit = yield* Effect.exit(
        Layer.build(Billing.layerPrefetched(billingOptions)).pipe(Effect.scoped, Effect.provide(refusing.layer))
      )
      assert.isTrue(Exit.isFailure(exit))
      const failure = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.strictEqual(failure?._tag, "TokenError")
    }))

  it.effect("AuthorizedClient.withTokens(client, { tokens: yield* Billing }): each API gets its own client's token", () => {
    const endpoint = Endpoint.make()
    const seen: Array<readonly [string, string | undefined]> = []
    const api = HttpClient.make((request, url) =>
      Effect.sync(() => {
        seen.push([url.host, request.headers.authorization])
        return HttpClientResponse.fromWeb(request, new Response("ok", { status: 200 }))
      })
    )
    return Effect.gen(function*() {
      const billingApi = AuthorizedClient.withTokens(api, { tokens: yield* Billing })
      const shippingApi = AuthorizedClient.withTokens(api, { tokens: yield* Shipping })
      yield* billingApi.get("https://billing.example.com/invoices")
      yield* shippingApi.get("https://shipping.example.com/parcels")
      yield* billingApi.get("https://billing.example.com/invoices")
      assert.deepStrictEqual(seen, [
        ["billing.example.com", "Bearer token-1"],
        ["shipping.example.com", "Bearer token-2"],
        ["billing.example.com", "Bearer token-1"]
      ])
    }).pipe(
      Effect.provide(Layer.merge(Billing.layer(billingOptions), Shipping.layer(shippingOptions))),
      Effect.provide(endpoint.layer)
    )
  })

  it("types: a program that needs Billing does not type-check when given only Shipping", () => {
    const needsBilling = Effect.flatMap(Billing, (service) => service.get)
    const givenBilling = needsBilling.pipe(Effect.provide(Billing.layer(billingOptions)))
    const givenShipping = needsBilling.pipe(Effect.provide(Shipping.layer(shippingOptions)))
    const ok: Effect.Effect<unknown, unknown, HttpClient.HttpClient> = givenBilling
    // @ts-expect-error Billing is still required: Shipping is not Billing
    const wrong: Effect.Effect<unknown, unknown, HttpClient.HttpClient> = givenShipping
    // @ts-expect-error nor is the default TokenService
    const plain: Effect.Effect<unknown, unknown, HttpClient.HttpClient> = needsBilling.pipe(
      Effect.provide(TokenService.layer(billingOptions))
    )
    // @ts-expect-error a layer of Shipping does not provide Billing
    const layer: Layer.Layer<Billing, never, HttpClient.HttpClient> = Shipping.layer(shippingOptions)
    assert.isDefined([ok, wrong, plain, layer])
  })
})
