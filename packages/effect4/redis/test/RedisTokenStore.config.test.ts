/**
 * `RedisTokenStore`'s set-up on Effect 4: an encryption key that is not 32 bytes in base64, or a url that is not a
 * valid redis(s):// URL, kills `layer` (an `IllegalArgumentError`) and fails `layerConfig` (a `ConfigError` naming the
 * variable or option), showing nothing of either; `layerConfig` reads the environment. Specified in
 * `docs/fleet.md#redistokenstore`.
 */
import { TokenStore } from "@effect-oauth2/client-credentials"
import { RedisTokenStore } from "@effect-oauth2/redis"
import { assert, layer } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import * as Utils from "./utils.js"

const bytes = (n: number) => crypto.randomBytes(n)

/** Keys that are not 32 bytes in base64, each long enough that a piece of it would be recognised. */
const badKeys = [
  bytes(16).toString("base64"),
  bytes(31).toString("base64"),
  bytes(33).toString("base64"),
  bytes(32).toString("hex"),
  "correct-horse-battery-staple-and-some-more words!",
  `${bytes(32).toString("base64").slice(0, 40)}*AAA`
]

const password = "S3cretRedisPassw0rd"

/** URLs Node's URL parser would quote whole (password included) in its error, or that are not redis(s). */
const badUrls = [
  `redis://:${password}@127.0.0.1:99999`,
  `redis://default:${password}@[::1`,
  `redis://default:${password}@redis internal:6379`,
  `redis://default:${password}@127.0.0.1:6379/0 `,
  `http://default:${password}@127.0.0.1:6379`,
  `default:${password}@127.0.0.1:6379`
]

const urlProblem = "RedisTokenStore: url is not a valid redis:// or rediss:// URL"
const keyProblem = "encryptionKey must be 32 bytes in base64"

/** The cause a layer fails or dies with at build. */
const buildCause = <E>(store: Layer.Layer<TokenStore.TokenStore, E>) =>
  Effect.map(
    Effect.exit(Effect.scoped(Layer.build(store))),
    (exit) => Exit.isFailure(exit) ? exit.cause : assert.fail("the layer was built")
  )

const withEnv = (env: Record<string, string>) =>
  Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))

/** The defect's message; fails the test unless the cause is an `IllegalArgumentError` defect alone. */
const illegal = (cause: Cause.Cause<unknown>): string => {
  const defect = Cause.squash(cause)
  assert.isTrue(Cause.isIllegalArgumentError(defect) && !Cause.hasFails(cause), Cause.pretty(cause))
  return (defect as Error).message
}

/** The `ConfigError` the cause fails with, printed; fails the test on a defect. */
const configError = (cause: Cause.Cause<Config.ConfigError>): string => {
  const error = Cause.findErrorOption(cause)
  assert.isTrue(Option.isSome(error) && error.value instanceof Config.ConfigError, Cause.pretty(cause))
  return String(Option.getOrThrow(error))
}

layer(Utils.layer, { excludeTestServices: true, timeout: "30 seconds" })("RedisTokenStore set-up (Effect 4)", (it) => {
  it.effect("layer: a bad encryption key or url dies at build with the core's words, showing nothing of either", () =>
    Effect.gen(function*() {
      const { url } = yield* Utils.RedisServer
      for (const key of badKeys) {
        const cause = yield* buildCause(RedisTokenStore.layer({ url }, { encryptionKey: Redacted.make(key) }))
        assert.include(illegal(cause), `RedisTokenStore: ${keyProblem}`)
        Utils.assertHidden(Utils.printed(cause), key, "the key")
      }
      for (const bad of badUrls) {
        for (const given of [bad, Redacted.make(bad)]) {
          const cause = yield* buildCause(RedisTokenStore.layer({ url: given }))
          assert.include(illegal(cause), urlProblem)
          Utils.assertHidden(Utils.printed(cause), password, "the password")
          for (const text of Utils.printed(cause)) assert.notInclude(text, "127.0.0.1")
        }
      }
      // 32 bytes in base64, base64url, without padding
      const key = bytes(32)
      for (
        const text of [key.toString("base64"), key.toString("base64url"), key.toString("base64").replace(/=+$/, "")]
      ) {
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(
          RedisTokenStore.layer({ url }, { encryptionKey: Redacted.make(text) })
        )))
        assert.isTrue(Exit.isSuccess(exit))
      }
    }))

  it.effect("layerConfig: a bad REDIS_URL or key is a ConfigError naming the variable, or the option, showing none of it", () =>
    Effect.gen(function*() {
      const { url } = yield* Utils.RedisServer
      for (const bad of badUrls) {
        const fromEnv = yield* buildCause(RedisTokenStore.layerConfig()).pipe(withEnv({ REDIS_URL: bad }))
        const wrapped = yield* buildCause(RedisTokenStore.layerConfig({ url: Config.succeed(Redacted.make(bad)) }))
        for (const [cause, name] of [[fromEnv, "REDIS_URL"], [wrapped, "url"]] as const) {
          const printed = configError(cause)
          assert.include(printed, urlProblem)
          assert.include(printed, name)
          Utils.assertHidden(Utils.printed(cause), password, "the password")
          for (const text of Utils.printed(cause)) assert.notInclude(text, "127.0.0.1")
        }
      }
      for (const key of badKeys) {
        const fromEnv = yield* buildCause(RedisTokenStore.layerConfig()).pipe(
          withEnv({ REDIS_URL: url, OAUTH_TOKEN_STORE_ENCRYPTION_KEY: key })
        )
        const wrapped = yield* buildCause(RedisTokenStore.layerConfig({
          url: Config.succeed(url),
          encryptionKey: Config.succeed(Redacted.make(key))
        }))
        for (
          const [cause, name] of [[fromEnv, "OAUTH_TOKEN_STORE_ENCRYPTION_KEY"], [wrapped, "encryptionKey"]] as const
        ) {
          const printed = configError(cause)
          assert.include(printed, keyProblem)
          assert.include(printed, name)
          Utils.assertHidden(Utils.printed(cause), key, "the key")
        }
      }
      const missing = yield* buildCause(RedisTokenStore.layerConfig()).pipe(withEnv({}))
      assert.include(configError(missing), "REDIS_URL")
    }))

  it.effect("layerConfig reads REDIS_URL, OAUTH_TOKEN_STORE_KEY_PREFIX and OAUTH_TOKEN_STORE_ENCRYPTION_KEY", () =>
    Effect.gen(function*() {
      const server = yield* Utils.RedisServer
      const key = Utils.storeKey()
      const env = { REDIS_URL: server.url, OAUTH_TOKEN_STORE_KEY_PREFIX: "from-env:" }
      for (const sealed of [false, true]) {
        const stored = yield* Effect.scoped(Effect.gen(function*() {
          const store = Context.get(yield* Layer.build(RedisTokenStore.layerConfig()), TokenStore.TokenStore)
          yield* store.set(key, Utils.token("tok-from-env"), Duration.seconds(5))
          return yield* store.get(key)
        })).pipe(withEnv(sealed ? { ...env, OAUTH_TOKEN_STORE_ENCRYPTION_KEY: Utils.freshKey() } : env))
        assert.isTrue(Option.exists(stored, ({ token }) => Redacted.value(token.value) === "tok-from-env"))
        const raw = yield* Effect.promise(() => server.command("GET", `from-env:{${key}}:token`))
        assert.strictEqual(raw.includes("\"sealed\""), sealed)
      }
    }))
})
