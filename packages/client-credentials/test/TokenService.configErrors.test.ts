/**
 * Where `layerConfig`'s errors say the problem is (`docs/configuration.md#environment-variables`): at the variable an
 * option was read from (`OAUTH_TOKEN_URL`, `BILLING_OAUTH_TOKEN_URL`, `OAUTH_PRIVATE_KEY_FILE`), at the option's name
 * for a `Config.Wrap`, and, for a problem about no one option, as the message alone: never Effect's
 * `(Invalid data at : "…")`.
 */
import { TokenService, TokenStore } from "@effect-oauth2/client-credentials"
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
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Keys from "./utils/keys.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

class Billing extends TokenService.Tag("test/Billing")<Billing>() {}

/** The `ConfigError` `layer` fails to build with, after reading `env`; nothing is sent. */
const configErrorOf = <I>(layer: Layer.Layer<I, ConfigError.ConfigError>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer))).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )
    assert.isTrue(Exit.isFailure(exit), "the layer is not built")
    const cause = (exit as Exit.Failure<unknown, ConfigError.ConfigError>).cause
    const error = Option.getOrThrowWith(Cause.failureOption(cause), () => new Error(Cause.pretty(cause)))
    assert.isTrue(ConfigError.isConfigError(error))
    return { error, text: String(error), pretty: Cause.pretty(cause).split("\n")[0] }
  })

const endpoint = Endpoint.make()

const base = {
  OAUTH_TOKEN_URL: Service.tokenUrl,
  OAUTH_CLIENT_ID: Service.clientId,
  OAUTH_CLIENT_SECRET: Service.clientSecret
}

const fromEnv = TokenService.layerConfig().pipe(Layer.provide(endpoint.layer))

describe("layerConfig errors name the variable or the option", () => {
  it.effect("an invalid value read from OAUTH_*: at the variable", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Record<string, string>, string, string]> = [
        [{ OAUTH_TOKEN_URL: "not a url" }, "OAUTH_TOKEN_URL", "tokenUrl is not a URL"],
        [{ OAUTH_CLIENT_ID: "client\u0001" }, "OAUTH_CLIENT_ID", "clientId is empty or contains a control character"],
        [{ OAUTH_SCOPE: "read \"write\"" }, "OAUTH_SCOPE", "scope #"],
        [{ OAUTH_AUDIENCE: "api\u0000" }, "OAUTH_AUDIENCE", "audience is empty or contains a control character"],
        [
          { OAUTH_AUTH_METHOD: "private_key_jwt", OAUTH_PRIVATE_KEY: "not a key" },
          "OAUTH_PRIVATE_KEY",
          "privateKey is neither a PKCS#8 PEM nor a JWK in JSON"
        ],
        // found wrong only when the key is imported, after the options were read
        [
          { OAUTH_AUTH_METHOD: "private_key_jwt", OAUTH_PRIVATE_KEY: Keys.p384.pem },
          "OAUTH_PRIVATE_KEY",
          "privateKey"
        ]
      ]
      for (const [env, variable, message] of cases) {
        const { pretty, text } = yield* configErrorOf(fromEnv, { ...base, ...env })
        assert.isTrue(text.startsWith(`(Invalid data at ${variable}: "TokenService: ${message}`), text)
        assert.strictEqual(pretty, `Error: ${text}`)
      }
    }))

  it.scoped("a key read from OAUTH_PRIVATE_KEY_FILE: at that variable", () =>
    Effect.gen(function*() {
      const directory = yield* Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth2-"))),
        (directory) => Effect.sync(() => Fs.rmSync(directory, { recursive: true, force: true }))
      )
      const file = Path.join(directory, "key.pem")
      // found wrong when the options are checked (PKCS#1), and when the key is imported (P-384)
      const keys = [[Keys.rsaPkcs1Pem, "privateKey must be PKCS#8"], [Keys.p384.pem, "privateKey"]] as const
      for (const [text, message] of keys) {
        Fs.writeFileSync(file, text, { mode: 0o600 })
        const error = yield* configErrorOf(fromEnv, {
          OAUTH_TOKEN_URL: Service.tokenUrl,
          OAUTH_CLIENT_ID: Service.clientId,
          OAUTH_PRIVATE_KEY_FILE: file
        })
        assert.isTrue(
          error.text.startsWith(`(Invalid data at OAUTH_PRIVATE_KEY_FILE: "TokenService: ${message}`),
          error.text
        )
      }
    }))

  it.effect("a prefix: at the prefixed variable", () =>
    Effect.gen(function*() {
      const { text } = yield* configErrorOf(
        Billing.layerConfig({ prefix: "BILLING_OAUTH_" }).pipe(
          Layer.provide(endpoint.layer)
        ),
        {
          BILLING_OAUTH_ISSUER: "https://idp.example.com/?tenant=1",
          BILLING_OAUTH_CLIENT_ID: Service.clientId,
          BILLING_OAUTH_CLIENT_SECRET: Service.clientSecret
        }
      )
      assert.strictEqual(
        text,
        "(Invalid data at BILLING_OAUTH_ISSUER: \"TokenService: issuer must not have a query (RFC 8414 §2)\")"
      )
    }))

  it.effect("a Config.Wrap: at the option's name, the store's options included", () =>
    Effect.gen(function*() {
      const wrap = {
        tokenUrl: Config.succeed(Service.tokenUrl),
        clientId: Config.succeed(Service.clientId),
        clientSecret: Config.succeed(Redacted.make(Service.clientSecret))
      }
      const badUrl = yield* configErrorOf(
        TokenService.layerConfig({ ...wrap, tokenUrl: Config.succeed("not a url") }).pipe(
          Layer.provide(endpoint.layer)
        )
      )
      assert.strictEqual(badUrl.text, "(Invalid data at tokenUrl: \"TokenService: tokenUrl is not a URL\")")
      const badParam = yield* configErrorOf(
        TokenService.layerConfig({ ...wrap, extraParams: Config.succeed({ scope: "admin" }) }).pipe(
          Layer.provide(endpoint.layer)
        )
      )
      assert.isTrue(badParam.text.startsWith("(Invalid data at extraParams: \"TokenService: extra parameter"))
      const badStore = yield* configErrorOf(
        TokenService.layerConfigWithStore({ ...wrap, storeTimeout: Config.succeed("0 millis") }).pipe(
          Layer.provide(Layer.merge(endpoint.layer, TokenStore.layerMemory))
        )
      )
      assert.strictEqual(
        badStore.text,
        "(Invalid data at storeTimeout: \"TokenService: storeTimeout must be positive\")"
      )
    }))

  it.effect("a problem about no one option: the message alone, printed by String and Cause.pretty", () =>
    Effect.gen(function*() {
      const { error, pretty, text } = yield* configErrorOf(
        TokenService.layerConfig(
          {
            tokenUrl: Config.succeed(Service.tokenUrl),
            clientId: Config.succeed(Service.clientId),
            authMethod: Config.succeed("private_key_jwt")
          } as unknown as Config.Config.Wrap<TokenService.Options>
        ).pipe(Layer.provide(endpoint.layer))
      )
      assert.strictEqual(text, "TokenService: private_key_jwt needs privateKey or clientAssertion")
      assert.strictEqual(pretty, `Error: ${text}`)
      assert.strictEqual(error.message, text)
    }))
})
