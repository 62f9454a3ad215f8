/**
 * A `TokenStore` on Redis, so that every replica of a service shares one token: give its layer to
 * `TokenService.layerWithStore`. Takes an ioredis `Redis` or `Cluster` you already have, or a URL.
 *
 * Each token request has two keys, `<keyPrefix>{<key>}:token` and `<keyPrefix>{<key>}:lease`, where `<key>` is the
 * SHA-256 the library computes (never a secret, never the request in clear) and the braces are a hash tag, so that
 * both live on one Cluster slot. With `encryptionKey`, entries are sealed with AES-256-GCM: whoever reads Redis
 * without the key sees no token, and a store with another key reads a miss.
 *
 * @since 0.1.0
 */
import { TokenStore } from "@effect-oauth2/client-credentials"
import * as RedisStore from "@effect-oauth2/core/redisStore"
import { invalidKeyMessage } from "@effect-oauth2/core/tokenEntry"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Cluster, Redis } from "ioredis"
import * as Entry from "./internal/entry.js"
import * as internal from "./internal/redisTokenStore.js"

/**
 * How the store reaches Redis:
 * - `{ client }`: an ioredis `Redis` or `Cluster` of yours, used as it is and not closed with the layer. Created with
 *   `enableOfflineQueue: false`, its commands fail at once while Redis is away instead of queueing until the
 *   library's timeout.
 * - `{ url }`: a `redis://` or `rediss://` URL (a `Redacted` when it holds a password). The layer creates the
 *   client with `enableOfflineQueue: false`, does not wait for it to connect, and closes it when the layer closes.
 *
 * @since 0.1.0
 * @category models
 */
export type Connection = RedisStore.Connection<Redis | Cluster, Redacted.Redacted<string>>

/**
 * - `keyPrefix`: put before every key; default `"effect-oauth2:"`.
 * - `encryptionKey`: 32 random bytes in base64 (`openssl rand -base64 32`), the same on every replica; entries are
 *   then sealed with AES-256-GCM, the Redis key authenticated with them. Recommended: without it, anyone who can
 *   read the Redis database can read the tokens.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends RedisStore.StoreOptions<Redacted.Redacted<string>> {}

/**
 * The prefix of every key when `keyPrefix` is not given: `"effect-oauth2:"`.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultKeyPrefix: string = RedisStore.defaultKeyPrefix

/**
 * The store as a scoped effect. Does not wait for Redis: while it is away, every operation fails with
 * `TokenStoreError` `Unavailable` (the library then fetches on its own), and the store works again when it is back.
 * Until the client has connected once, an operation waits for the connection being opened (the library's store
 * timeout bounds it), so that the first calls of a cold start are not misses.
 * Dies with an `IllegalArgumentException` when `encryptionKey` is not 32 bytes in base64, or when `url` is not a
 * valid `redis://` or `rediss://` URL (checked before ioredis sees it); the message shows nothing of either.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  connection: Connection,
  options?: Options
) => Effect.Effect<TokenStore.Service, never, Scope.Scope> = internal.make

/**
 * The store as a layer for `TokenService.layerWithStore`.
 *
 * @example
 * ```ts
 * import { TokenService } from "@effect-oauth2/client-credentials"
 * import { RedisTokenStore } from "@effect-oauth2/redis"
 * import { Config, Layer, Redacted } from "effect"
 *
 * const Store = RedisTokenStore.layer(
 *   { url: Redacted.make("redis://redis.internal:6379") },
 *   { encryptionKey: Redacted.make("bXkgMzIgcmFuZG9tIGJ5dGVzIGluIGJhc2U2NCEhISE=") }
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (connection: Connection, options?: Options): Layer.Layer<TokenStore.TokenStore> =>
  Layer.scoped(TokenStore.TokenStore, make(connection, options))

/**
 * What `layerConfig` reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions extends RedisStore.ConfigOptions<Redacted.Redacted<string>> {}

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> => Config.withDefault(config, undefined)

const validKey =
  (path: ReadonlyArray<string>) =>
  <A extends Redacted.Redacted<string> | undefined>(key: A): Either.Either<A, ConfigError.ConfigError> =>
    key === undefined || Entry.parseKey(key) !== undefined
      ? Either.right(key)
      : Either.left(ConfigError.InvalidData([...path], invalidKeyMessage))

const validUrl =
  (path: ReadonlyArray<string>) =>
  <A extends string | Redacted.Redacted<string>>(url: A): Either.Either<A, ConfigError.ConfigError> =>
    RedisStore.isValidUrl(Redacted.isRedacted(url) ? Redacted.value(url) : url)
      ? Either.right(url)
      : Either.left(ConfigError.InvalidData([...path], `RedisTokenStore: ${RedisStore.invalidUrlMessage}`))

/**
 * The environment: `REDIS_URL` (redacted: it may hold a password; a `redis://` or `rediss://` URL, or a `ConfigError`
 * naming the variable and showing nothing of it), optionally `OAUTH_TOKEN_STORE_KEY_PREFIX` and
 * `OAUTH_TOKEN_STORE_ENCRYPTION_KEY` (redacted; 32 bytes in base64, or a `ConfigError` naming the variable).
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<ConfigOptions> = Config.all({
  url: Config.mapOrFail(Config.redacted("REDIS_URL"), validUrl(["REDIS_URL"])),
  keyPrefix: optional(Config.string("OAUTH_TOKEN_STORE_KEY_PREFIX")),
  encryptionKey: optional(
    Config.mapOrFail(
      Config.redacted("OAUTH_TOKEN_STORE_ENCRYPTION_KEY"),
      validKey(["OAUTH_TOKEN_STORE_ENCRYPTION_KEY"])
    )
  )
})

/**
 * The store as a layer from `Config`: by default `config` (the environment), or any `Config.Wrap<ConfigOptions>`,
 * e.g. `{ url: Config.redacted("CACHE_URL"), encryptionKey: Config.redacted("CACHE_KEY") }`. An `encryptionKey`
 * that is not 32 bytes in base64, or a `url` that is not a valid `redis://` or `rediss://` URL, fails the layer with a
 * `ConfigError` that names it (the variable, for `config`) and shows nothing of it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config.Wrap<ConfigOptions> = config
): Layer.Layer<TokenStore.TokenStore, ConfigError.ConfigError> =>
  Layer.scoped(
    TokenStore.TokenStore,
    Effect.flatMap(
      Config.unwrap(options),
      ({ encryptionKey, keyPrefix, url }) =>
        Effect.flatMap(
          Effect.all([validUrl(["url"])(url), validKey(["encryptionKey"])(encryptionKey)]),
          ([url, encryptionKey]) => make({ url }, { keyPrefix, encryptionKey })
        )
    )
  )
