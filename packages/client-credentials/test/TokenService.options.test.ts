/**
 * Options that are not what they claim die when the layer is built (`docs/configuration.md#options`), naming the option
 * and never its value: `IllegalArgumentException` from `layer`/`make`, `ConfigError` from `layerConfig`. Every option a
 * JavaScript caller or a `Config` can get wrong is checked by type, and a resource must be an absolute URI of URI
 * characters, in the options as in `getFor` (`docs/behaviour.md#scopes-and-resources`).
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

/** In every string value below that may be shown: no error may repeat it. */
const marker = "VaLuE-MaRkEr"

/** Options as a JavaScript caller or a `Config` may give them: option name, value, what is wrong. */
const badOptions: ReadonlyArray<readonly [keyof TokenService.Options, unknown, string]> = [
  ["tokenUrl", 42, "a number"],
  ["tokenUrl", { href: Service.tokenUrl }, "an object"],
  ["allowInsecureHttp", "true", "a string"],
  ["allowInsecureHttp", 1, "a number"],
  ["clientId", 42, "a number"],
  ["clientId", ["client"], "an array"],
  ["clientSecret", Redacted.make(42), "a Redacted number"],
  ["clientSecret", Redacted.make(undefined), "a Redacted undefined (an unset environment variable)"],
  ["clientSecret", Redacted.make(null), "a Redacted null"],
  ["clientSecret", Redacted.make({ secret: marker }), "a Redacted object"],
  ["clientSecret", Redacted.make([marker]), "a Redacted array"],
  ["clientSecret", `${marker}-secret`, "a plain string"],
  ["authMethod", 1, "a number"],
  ["scopes", `read ${marker}`, "a string"],
  ["scopes", ["read", 42], "an array holding a number"],
  ["scopes", { read: true }, "an object"],
  ["audience", 42, "a number"],
  ["audience", [marker], "an array"],
  ["resource", "https://api.example.com/a b", "a space"],
  ["resource", `https://api.example.com/${marker}-caf\u00e9`, "a non-ASCII character"],
  ["resource", `https://api.example.com/${marker}"x"`, "a quote"],
  ["resource", `https://api.example.com/${marker}<x>`, "angle brackets"],
  ["resource", `https://api.example.com/${marker}%zz`, "a broken percent-encoding"],
  ["resource", `/relative/${marker}`, "a relative reference"],
  ["resource", 42, "a number"],
  ["resource", ["https://a.example.com/", 42], "an array holding a number"],
  ["extraParams", { tenant: 1 }, "a number value"],
  ["extraParams", { tenant: null }, "a null value"],
  ["extraParams", `tenant=${marker}`, "a string"],
  ["extraParams", [marker], "an array"],
  ["expiryLeeway", `soon-${marker}`, "a word"],
  ["expiryLeeway", true, "a boolean"],
  ["refreshAhead", "0.5", "a numeric string"],
  ["refreshAhead", true, "true"],
  ["refreshAhead", Number.NaN, "NaN"],
  ["defaultLifetime", {}, "an object"],
  ["defaultLifetime", "500 millis", "less than a second"],
  ["retry", 3, "a number"],
  ["retry", marker, "a string"],
  ["retry", { pipe: () => 0 }, "an object that is not a Schedule"],
  ["requestTimeout", "30", "a string without a unit"],
  ["terminalErrorCooldown", [5], "an array"],
  ["cacheCapacity", "10", "a numeric string"],
  ["cacheCapacity", 1.5, "a fraction"]
]

const exitOf = <E>(layer: Layer.Layer<TokenService.TokenService, E, never>) =>
  Effect.exit(Effect.scoped(Layer.build(layer)))

describe("TokenService options", () => {
  it.effect("every ill-typed option kills TokenService.layer when built, naming the option and not its value", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      // each option not refused as it should be, and why
      const accepted: Array<string> = []
      for (const [name, value, what] of badOptions) {
        const label = `${name}: ${what}`
        const options = { ...Service.options, [name]: value } as TokenService.Options
        const exit = yield* exitOf(Layer.provide(TokenService.layer(options), endpoint.layer))
        const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        if (Option.isNone(defect)) {
          accepted.push(label)
          continue
        }
        const message = Cause.isIllegalArgumentException(defect.value) ? defect.value.message : ""
        if (!message.includes(name) || message.includes(marker)) accepted.push(`${label}: said ${message}`)
      }
      assert.deepStrictEqual(accepted, [])
      assert.strictEqual(endpoint.requests.length, 0)
    }))

  it.effect("every ill-typed option fails TokenService.layerConfig with a ConfigError naming it, not its value", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      // each option not refused as it should be, and why
      const accepted: Array<string> = []
      for (const [name, value, what] of badOptions) {
        const label = `${name}: ${what}`
        const config = {
          tokenUrl: Config.succeed(Service.tokenUrl),
          clientId: Config.succeed(Service.clientId),
          clientSecret: Config.succeed(Redacted.make(Service.clientSecret)),
          [name]: Config.succeed(value)
        } as Config.Config.Wrap<TokenService.Options>
        const exit = yield* exitOf(Layer.provide(TokenService.layerConfig(config), endpoint.layer))
        const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        if (Option.isNone(failure)) {
          accepted.push(label)
          continue
        }
        const text = ConfigError.isConfigError(failure.value) ? String(failure.value) : ""
        if (!text.includes(name) || text.includes(marker)) accepted.push(`${label}: said ${text}`)
      }
      assert.deepStrictEqual(accepted, [])
      assert.strictEqual(endpoint.requests.length, 0)
    }))

  it.effect("Redacted.make(process.env.UNSET!) dies when built, saying the secret is undefined and how to find why", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const unset = `EFFECT_OAUTH2_UNSET_${Date.now()}`
      const layer = TokenService.layer({ ...Service.options, clientSecret: Redacted.make(process.env[unset]!) })
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(Layer.provide(layer, endpoint.layer))))
      const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
      assert.isTrue(Option.isSome(defect) && Cause.isIllegalArgumentException(defect.value))
      const message = (defect as Option.Some<Cause.IllegalArgumentException>).value.message
      assert.include(message, "clientSecret holds undefined")
      assert.include(message, "environment variable")
      assert.include(message, "Config.redacted")
      assert.strictEqual(endpoint.requests.length, 0, "nothing sent: no client_id:undefined on the wire")
    }))

  it.effect("retry: 3 dies when built, not at the first get", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const layer = TokenService.layer({ ...Service.options, retry: 3 as unknown as Schedule.Schedule<unknown> })
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(Layer.provide(layer, endpoint.layer))))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      assert.strictEqual(endpoint.requests.length, 0)
    }))

  it.scoped("well-typed options of every kind build and fetch", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, {
        tokenUrl: new URL(Service.tokenUrl),
        allowInsecureHttp: false,
        authMethod: "client_secret_post",
        scopes: ["read"],
        audience: "https://api.example.com",
        resource: ["https://api.example.com/a%20b?x=1&y=(2)", "urn:example:resource", "https://[::1]:8443/"],
        extraParams: { tenant: "t 1" },
        expiryLeeway: "30 seconds",
        refreshAhead: false,
        defaultLifetime: 60_000,
        retry: Schedule.recurs(1),
        requestTimeout: "5 seconds",
        terminalErrorCooldown: 0,
        cacheCapacity: 10
      })
      assert.strictEqual(Service.value(yield* service.get), "token-1")
      assert.deepStrictEqual(endpoint.requests[0]?.form.getAll("resource"), [
        "https://[::1]:8443/",
        "https://api.example.com/a%20b?x=1&y=(2)",
        "urn:example:resource"
      ])
    }))

  it.scoped("a request or extraParams built with Data.struct is as good as an object literal", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { extraParams: Data.struct({ tenant: "t1" }) })
      const token = yield* service.getFor(Data.struct({ scopes: ["a"], extraParams: Data.struct({ region: "eu" }) }))
      assert.strictEqual(Service.value(token), "token-1")
      assert.strictEqual(endpoint.requests[0]?.form.get("scope"), "a")
      assert.strictEqual(endpoint.requests[0]?.form.get("tenant"), "t1")
      assert.strictEqual(endpoint.requests[0]?.form.get("region"), "eu")
    }))

  it.scoped("getFor with a resource that is not an absolute URI of URI characters fails InvalidRequest, sending nothing", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const requests: ReadonlyArray<readonly [string, unknown]> = [
        ["a space", { resource: "https://api.example.com/a b" }],
        ["non-ASCII", { resource: `https://api.example.com/${marker}\u00e9` }],
        ["a broken percent-encoding", { resource: `https://api.example.com/${marker}%2` }],
        ["a relative reference", { resource: `${marker}/x` }],
        ["a number", { resource: 42 }],
        ["an array holding a number", { resource: ["https://a.example.com/", 42] }],
        ["scopes as a string", { scopes: `read ${marker}` }],
        ["a scope that is a number", { scopes: [42] }],
        ["an audience that is a number", { audience: 42 }],
        ["extraParams as a string", { extraParams: `a=${marker}` }],
        ["an extra parameter that is a number", { extraParams: { tenant: 42 } }]
      ]
      const wrong: Array<string> = []
      for (const [what, request] of requests) {
        const exit = yield* Effect.exit(Effect.suspend(() => service.getFor(request as TokenService.RequestOptions)))
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        if (Option.isNone(error) || error.value._tag !== "TokenError" || error.value.reason !== "InvalidRequest") {
          wrong.push(what)
          continue
        }
        assert.notInclude(error.value.message, marker, what)
      }
      assert.deepStrictEqual(wrong, [])
      assert.strictEqual(endpoint.requests.length, 0)
      // null still clears a configured value
      assert.strictEqual(
        Service.value(yield* service.getFor({ resource: null, extraParams: { tenant: null } })),
        "token-1"
      )
    }))
})
