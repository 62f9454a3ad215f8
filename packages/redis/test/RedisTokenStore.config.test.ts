/**
 * `RedisTokenStore`'s set-up: a bad encryption key kills `layer` (an `IllegalArgumentException`) and fails
 * `layerConfig` (a `ConfigError`), showing nothing of the key; `layerConfig` reads the environment and works. Specified
 * in `docs/fleet.md#redistokenstore`.
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
import * as Fixtures from "./utils/fixtures.js"
import * as RedisServer from "./utils/redisServer.js"

/** Keys that are not 32 bytes in base64, each long enough that a piece of it would be recognised. */
const badKeys: ReadonlyArray<readonly [string, string]> = [
  ["16 bytes", crypto.randomBytes(16).toString("base64")],
  ["31 bytes", crypto.randomBytes(31).toString("base64")],
  ["33 bytes", crypto.randomBytes(33).toString("base64")],
  ["64 bytes", crypto.randomBytes(64).toString("base64")],
  ["32 bytes in hex", crypto.randomBytes(32).toString("hex")],
  ["a passphrase", "correct-horse-battery-staple-and-some-more words!"],
  ["32 bytes in base64 with a character that is not", `${crypto.randomBytes(32).toString("base64").slice(0, 40)}*AAA`],
  ["empty", ""]
]

/** Fails when the exit's cause, printed in any way, holds a piece of `key`. */
const assertHidden = (what: string, cause: Cause.Cause<unknown>, key: string) => {
  const error = Option.getOrUndefined(Cause.failureOption(cause)) ?? Option.getOrUndefined(Cause.dieOption(cause))
  for (const text of Fixtures.renderings(error, cause)) Fixtures.assertNoPiece(what, text, "the key", key)
}

const build = <E>(layer: Layer.Layer<TokenStore.TokenStore, E>) => Effect.exit(Effect.scoped(Layer.build(layer)))

const password = "S3cretRedisPassw0rd"

/** URLs ioredis would hand to Node's URL parser, whose error quotes the whole input in `input`; or not redis(s). */
const badUrls: ReadonlyArray<readonly [string, string]> = [
  ["a port out of range", `redis://:${password}@127.0.0.1:99999`],
  ["an IPv6 host not closed", `redis://default:${password}@[::1`],
  ["no scheme, an IPv6 host not closed", `:${password}@[::1`],
  ["a space in the host", `redis://default:${password}@redis internal:6379`],
  ["a space after the db", `redis://default:${password}@127.0.0.1:6379/0 `],
  ["another scheme", `http://default:${password}@127.0.0.1:6379`],
  ["no scheme", `default:${password}@127.0.0.1:6379`]
]

/** Fails when the exit's cause, printed in any way, holds a piece of the password or the URL. */
const assertUrlHidden = (what: string, cause: Cause.Cause<unknown>, url: string) => {
  assertHidden(what, cause, password)
  const error = Option.getOrUndefined(Cause.failureOption(cause)) ?? Option.getOrUndefined(Cause.dieOption(cause))
  for (const text of Fixtures.renderings(error, cause)) {
    assert.notInclude(text, url, what)
    assert.notInclude(text, "127.0.0.1", what)
  }
}

layer(RedisServer.layer, { excludeTestServices: true, timeout: 30_000 })("RedisTokenStore set-up", (it) => {
  it.effect("layer: an encryption key that is not 32 bytes in base64 dies at build, showing nothing of it", () =>
    Effect.gen(function*() {
      const redis = yield* RedisServer.RedisServer
      for (const [what, key] of badKeys) {
        const exit = yield* build(RedisTokenStore.layer({ url: redis.url }, { encryptionKey: Redacted.make(key) }))
        assert.isTrue(Exit.isFailure(exit), what)
        if (Exit.isSuccess(exit)) continue
        const defect = Option.getOrUndefined(Cause.dieOption(exit.cause))
        assert.isTrue(Cause.isIllegalArgumentException(defect), what)
        assert.include((defect as Error).message, "encryptionKey must be 32 bytes in base64", what)
        if (key.length >= 8) assertHidden(what, exit.cause, key)
      }
      // 32 bytes in base64, base64url, without padding: accepted
      const bytes = crypto.randomBytes(32)
      for (
        const key of [
          bytes.toString("base64"),
          bytes.toString("base64url"),
          bytes.toString("base64").replace(/=+$/, "")
        ]
      ) {
        assert.isTrue(
          Exit.isSuccess(yield* build(RedisTokenStore.layer({ url: redis.url }, { encryptionKey: Redacted.make(key) })))
        )
      }
    }))

  it.effect("layer: a url that is not a valid redis(s):// URL dies at build with its own words, showing none of it", () =>
    Effect.gen(function*() {
      for (const [what, url] of badUrls) {
        for (const given of [url, Redacted.make(url)]) {
          const exit = yield* build(RedisTokenStore.layer({ url: given }))
          assert.isTrue(Exit.isFailure(exit), what)
          if (Exit.isSuccess(exit)) continue
          const defect = Option.getOrUndefined(Cause.dieOption(exit.cause))
          assert.isTrue(Cause.isIllegalArgumentException(defect), `${what}: ${String(defect)}`)
          assert.include(
            (defect as Error).message,
            "RedisTokenStore: url is not a valid redis:// or rediss:// URL",
            what
          )
          assertUrlHidden(what, exit.cause, url)
        }
      }
    }))

  it.effect("layerConfig: a bad REDIS_URL is a ConfigError naming the variable, showing none of it", () =>
    Effect.gen(function*() {
      for (const [what, url] of badUrls) {
        const exit = yield* build(RedisTokenStore.layerConfig()).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["REDIS_URL", url]])))
        )
        assert.isTrue(Exit.isFailure(exit), what)
        if (Exit.isSuccess(exit)) continue
        const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
        assert.isDefined(error, `${what}: a failure, not a defect`)
        assert.strictEqual(
          String(error),
          `(Invalid data at REDIS_URL: "RedisTokenStore: url is not a valid redis:// or rediss:// URL ` +
            `(redis[s]://[[username]:password@]host[:port][/db], no spaces); its value is not shown")`,
          what
        )
        assertUrlHidden(what, exit.cause, url)

        // a Config.Wrap of the caller's own names: the same check, naming the option
        const wrappedExit = yield* build(RedisTokenStore.layerConfig({ url: Config.succeed(Redacted.make(url)) }))
        const wrapped = Exit.isFailure(wrappedExit)
          ? Option.getOrUndefined(Cause.failureOption(wrappedExit.cause))
          : undefined
        assert.include(String(wrapped), "Invalid data at url: \"RedisTokenStore: url is not a valid", what)
        if (Exit.isFailure(wrappedExit)) assertUrlHidden(what, wrappedExit.cause, url)
      }
    }))

  it.effect("layerConfig: a bad key is a ConfigError naming the variable, showing nothing of the key", () =>
    Effect.gen(function*() {
      const redis = yield* RedisServer.RedisServer
      for (const [what, key] of badKeys.filter(([, key]) => key !== "")) {
        const provider = ConfigProvider.fromMap(
          new Map([["REDIS_URL", redis.url], ["OAUTH_TOKEN_STORE_ENCRYPTION_KEY", key]])
        )
        const exit = yield* build(RedisTokenStore.layerConfig()).pipe(Effect.withConfigProvider(provider))
        assert.isTrue(Exit.isFailure(exit), what)
        if (Exit.isSuccess(exit)) continue
        const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
        assert.isDefined(error, `${what}: a failure, not a defect`)
        assert.include(String(error), "OAUTH_TOKEN_STORE_ENCRYPTION_KEY", what)
        assert.include(String(error), "encryptionKey must be 32 bytes in base64", what)
        assertHidden(what, exit.cause, key)

        // a Config.Wrap of the caller's own names: the same check
        const wrapped = RedisTokenStore.layerConfig({
          url: Config.succeed(redis.url),
          encryptionKey: Config.succeed(Redacted.make(key))
        })
        const wrappedExit = yield* build(wrapped)
        assert.isTrue(Exit.isFailure(wrappedExit) && Option.isSome(Cause.failureOption(wrappedExit.cause)), what)
        if (Exit.isFailure(wrappedExit)) assertHidden(what, wrappedExit.cause, key)
      }
    }))

  it.effect("layerConfig reads REDIS_URL, OAUTH_TOKEN_STORE_KEY_PREFIX and OAUTH_TOKEN_STORE_ENCRYPTION_KEY", () =>
    Effect.gen(function*() {
      const redis = yield* RedisServer.RedisServer
      const key = Fixtures.storeKey()
      const token = Fixtures.token()
      const provider = ConfigProvider.fromMap(
        new Map([
          ["REDIS_URL", redis.url],
          ["OAUTH_TOKEN_STORE_KEY_PREFIX", "from-env:"],
          ["OAUTH_TOKEN_STORE_ENCRYPTION_KEY", Redacted.value(Fixtures.encryptionKey())]
        ])
      )
      const stored = yield* Effect.scoped(Effect.gen(function*() {
        const store = Context.get(yield* Layer.build(RedisTokenStore.layerConfig()), TokenStore.TokenStore)
        yield* store.set(key, token, Duration.seconds(5))
        return yield* store.get(key)
      })).pipe(Effect.withConfigProvider(provider))
      assert.isTrue(Option.exists(stored, (s) => Redacted.value(s.token.value) === Redacted.value(token.value)))
      const raw = yield* redis.command("GET", `from-env:{${key}}:token`)
      assert.include(raw, "\"sealed\"")
      // no REDIS_URL: a ConfigError naming it
      const missing = yield* build(RedisTokenStore.layerConfig()).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
      )
      assert.isTrue(Exit.isFailure(missing))
      if (Exit.isFailure(missing)) assert.include(String(Cause.squash(missing.cause)), "REDIS_URL")
    }))
})
