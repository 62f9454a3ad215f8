/**
 * Requests are checked before anything is sent (`docs/behaviour.md#scopes-and-resources`): a reserved parameter name or
 * a control character in static options kills the layer when it is built, in `layerConfig` fails it with a
 * `ConfigError`, in `getFor` fails with `TokenError` `InvalidRequest`. Also the layers' other promises
 * (`docs/configuration.md#the-service-and-its-layers`): `layerConfig` reads the environment, takes a schedule as
 * `Config.succeed`, and `layerPrefetched` fails the build on a wrong secret.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Jose from "jose"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const reserved = [
  "grant_type",
  "client_id",
  "client_secret",
  "client_assertion",
  "client_assertion_type",
  "scope",
  "audience",
  "resource"
]

const controlCharacters = ["\r", "\n", "\r\n", "\u0000", "\t", "\u001b", "\u007f", "\u0085"]

/** Requests that must never be sent, each with what is wrong with it. */
const badRequests: ReadonlyArray<readonly [string, TokenService.RequestOptions]> = [
  ...reserved.map((name) => [`reserved extra parameter ${name}`, { extraParams: { [name]: "x" } }] as const),
  ...controlCharacters.flatMap((c) => {
    const shown = JSON.stringify(c)
    return [
      [`${shown} in a scope`, { scopes: ["read", `write${c}admin`] }],
      [`${shown} in the audience`, { audience: `https://api.example.com/${c}x` }],
      [`${shown} in a resource`, { resource: ["https://a.example.com/", `https://b.example.com/${c}`] }],
      [`${shown} in an extra parameter value`, { extraParams: { tenant: `t${c}Injected: yes` } }],
      [`${shown} in an extra parameter name`, { extraParams: { [`ten${c}ant`]: "t" } }]
    ] as const
  })
]

/** Builds `layer` on the endpoint and returns the build's exit. */
const buildExit = <E>(layer: Layer.Layer<TokenService.TokenService, E, never>) =>
  Effect.exit(Effect.scoped(Layer.build(layer)))

describe("TokenService input checks", () => {
  it.effect("static options with a reserved name or a control character kill the layer when built, sending nothing", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      for (const [what, request] of badRequests) {
        const exit = yield* buildExit(
          Layer.provide(TokenService.layer({ ...Service.options, ...request }), endpoint.layer)
        )
        assert.isTrue(Exit.isFailure(exit), what)
        const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        assert.isTrue(Option.isSome(defect), what)
        assert.instanceOf(Option.getOrThrow(defect), Cause.IllegalArgumentException, what)
      }
      assert.strictEqual(endpoint.requests.length, 0)
    }))

  it.effect("the same options without the fault build and fetch", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const layer = TokenService.layer({
        ...Service.options,
        scopes: ["read", "write:all"],
        audience: "https://api.example.com/",
        resource: ["https://a.example.com/"],
        extraParams: { tenant: "t 1", "x-scope": "ok" }
      })
      const token = yield* Effect.flatMap(TokenService.TokenService, (service) => service.get).pipe(
        Effect.provide(Layer.provide(layer, endpoint.layer))
      )
      assert.strictEqual(Service.value(token), "token-1")
    }))

  it.scoped("getFor with a reserved name or a control character fails with InvalidRequest and sends nothing", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      for (const [what, request] of badRequests) {
        const error = yield* Effect.flip(service.getFor(request))
        assert.strictEqual(error._tag, "TokenError", what)
        assert.strictEqual(error.reason, "InvalidRequest", what)
        assert.isUndefined(error.status, what)
      }
      assert.strictEqual(endpoint.requests.length, 0)
      // the service still works
      const token = yield* service.getFor({ scopes: ["read"], extraParams: { tenant: "t" } })
      assert.strictEqual(Service.value(token), "token-1")
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("getFor refuses a reserved name even when the configured options are valid and the value is harmless", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { scopes: ["read"] })
      const error = yield* Effect.flip(service.getFor({ extraParams: { scope: "admin" } }))
      assert.strictEqual(error.reason, "InvalidRequest")
      assert.strictEqual(endpoint.requests.length, 0)
    }))
})

describe("TokenService.layerConfig", () => {
  const environment = {
    OAUTH_TOKEN_URL: Service.tokenUrl,
    OAUTH_CLIENT_ID: Service.clientId,
    OAUTH_CLIENT_SECRET: Service.clientSecret
  }

  const fromEnvironment = (env: Record<string, string>, endpoint: Endpoint.ScriptedEndpoint) =>
    Layer.provide(TokenService.layerConfig(), endpoint.layer).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )

  it.effect("reads OAUTH_* from the environment", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const layer = fromEnvironment({
        ...environment,
        OAUTH_SCOPE: "read  write",
        OAUTH_AUDIENCE: "https://api.example.com",
        OAUTH_AUTH_METHOD: "client_secret_post"
      }, endpoint)
      const token = yield* Effect.flatMap(TokenService.TokenService, (service) => service.get).pipe(
        Effect.provide(layer)
      )
      assert.strictEqual(Service.value(token), "token-1")
      const request = endpoint.requests[0]!
      assert.strictEqual(request.url, Service.tokenUrl)
      assert.strictEqual(request.form.get("scope"), "read write")
      assert.strictEqual(request.form.get("audience"), "https://api.example.com")
      assert.strictEqual(request.form.get("client_id"), Service.clientId)
      assert.strictEqual(request.form.get("client_secret"), Service.clientSecret)
    }))

  for (
    const [what, overrides] of [
      ["a CR in OAUTH_SCOPE", { OAUTH_SCOPE: "read\rwrite" }],
      ["an LF in OAUTH_AUDIENCE", { OAUTH_AUDIENCE: "https://api.example.com\nX-Injected: 1" }],
      ["an unknown OAUTH_AUTH_METHOD", { OAUTH_AUTH_METHOD: "private_key_jwt" }],
      ["a missing OAUTH_CLIENT_SECRET", { OAUTH_CLIENT_SECRET: undefined }]
    ] as const
  ) {
    it.effect(`fails with a ConfigError on ${what}, sending nothing`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const env: Record<string, string> = {}
        const merged: Record<string, string | undefined> = { ...environment, ...overrides }
        for (const [name, value] of Object.entries(merged)) {
          if (value !== undefined) env[name] = value
        }
        const exit = yield* buildExit(fromEnvironment(env, endpoint))
        assert.isTrue(Exit.isFailure(exit))
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        assert.isTrue(Option.isSome(error) && ConfigError.isConfigError(error.value))
        assert.strictEqual(endpoint.requests.length, 0)
      }))
  }

  it.effect("fails with a ConfigError on a reserved name or a control character in a Config.Wrap, sending nothing", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      for (const [what, request] of badRequests) {
        const layer = TokenService.layerConfig({
          tokenUrl: Config.succeed(Service.tokenUrl),
          clientId: Config.succeed(Service.clientId),
          clientSecret: Config.succeed(Redacted.make(Service.clientSecret)),
          ...Object.fromEntries(Object.entries(request).map(([name, value]) => [name, Config.succeed(value)]))
        })
        const exit = yield* buildExit(Layer.provide(layer, endpoint.layer))
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        assert.isTrue(Option.isSome(error) && ConfigError.isConfigError(error.value), what)
      }
      assert.strictEqual(endpoint.requests.length, 0)
    }))

  it.effect("reads DPoP from OAUTH_DPOP, OAUTH_DPOP_PRIVATE_KEY and OAUTH_DPOP_SIGNING_ALGORITHM", () =>
    Effect.gen(function*() {
      const pair = yield* Effect.promise(() => Jose.generateKeyPair("ES256", { extractable: true }))
      const jwk = yield* Effect.promise(() => Jose.exportJWK(pair.privateKey))
      const thumbprint = yield* Effect.promise(() => Jose.calculateJwkThumbprint(jwk))
      const endpoint = Endpoint.make({ otherwise: Endpoint.token("bound", { token_type: "DPoP" }) })
      const layer = fromEnvironment({
        ...environment,
        OAUTH_DPOP: "true",
        OAUTH_DPOP_PRIVATE_KEY: JSON.stringify(jwk),
        OAUTH_DPOP_SIGNING_ALGORITHM: "ES256"
      }, endpoint)
      const token = yield* Effect.flatMap(TokenService.TokenService, (service) => service.get).pipe(
        Effect.provide(layer)
      )
      assert.strictEqual(token.tokenType, "DPoP")
      const proof = endpoint.requests[0]!.headers["dpop"]!
      const verified = yield* Effect.promise(() => Jose.jwtVerify(proof, Jose.EmbeddedJWK, { typ: "dpop+jwt" }))
      assert.strictEqual(
        yield* Effect.promise(() => Jose.calculateJwkThumbprint(verified.protectedHeader.jwk!)),
        thumbprint
      )
      for (
        const [env, variable] of [
          [{ OAUTH_DPOP: "false", OAUTH_DPOP_PRIVATE_KEY: JSON.stringify(jwk) }, "OAUTH_DPOP"],
          [{ OAUTH_DPOP_PRIVATE_KEY: JSON.stringify({ ...jwk, x: "AAAA" }) }, "OAUTH_DPOP_PRIVATE_KEY"],
          [{ OAUTH_DPOP: "yes" }, "OAUTH_DPOP"]
        ] as const
      ) {
        const exit = yield* buildExit(fromEnvironment({ ...environment, ...env }, endpoint))
        assert.isTrue(Exit.isFailure(exit))
        const text = Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
        assert.include(text, variable)
        assert.notInclude(text, String(jwk.d))
      }
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.effect("takes a retry schedule as Config.succeed", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const layer = TokenService.layerConfig({
        tokenUrl: Config.succeed(Service.tokenUrl),
        clientId: Config.succeed(Service.clientId),
        clientSecret: Config.redacted("SECRET"),
        retry: Config.succeed(Schedule.recurs(5))
      }).pipe(
        Layer.provide(endpoint.layer),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["SECRET", Service.clientSecret]]))))
      )
      const error = yield* Effect.flip(Effect.flatMap(TokenService.TokenService, (service) => service.get)).pipe(
        Effect.provide(layer)
      )
      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(endpoint.requests.length, 6)
    }))
})

describe("TokenService.layerPrefetched", () => {
  it.effect("fetches while the layer is built and serves that token", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const token = yield* Effect.gen(function*() {
        assert.strictEqual(endpoint.requests.length, 1)
        const service = yield* TokenService.TokenService
        return yield* service.get
      }).pipe(Effect.provide(Layer.provide(TokenService.layerPrefetched(Service.options), endpoint.layer)))
      assert.strictEqual(Service.value(token), "token-1")
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.effect("a wrong secret fails the build with the TokenError", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.oauthError("invalid_client", 401) })
      const exit = yield* buildExit(Layer.provide(TokenService.layerPrefetched(Service.options), endpoint.layer))
      const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      assert.isTrue(Option.isSome(error))
      const failure = Option.getOrThrow(error)
      assert.strictEqual(failure._tag, "TokenError")
      assert.strictEqual(failure._tag === "TokenError" ? failure.error : undefined, "invalid_client")
    }))
})
