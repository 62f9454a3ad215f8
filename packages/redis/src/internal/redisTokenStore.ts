/**
 * The token store on Redis, the Effect 3 shell: the service, the client's acquisition and release, and the turning of
 * the core's plain results (`@effect-oauth2/core/redisClient`: the operations as commands on one client, and the
 * client opened for a URL) into `AccessToken`s, leases and `TokenStoreError`s.
 *
 * Every failure is a `TokenStoreError` with the core's reason and detail: `Unavailable` naming the kind of failure (an
 * error code or name, never a message that could quote a key or an entry), `InvalidEntry` with a fixed text. Nothing
 * here logs.
 */
import { TokenStore } from "@effect-oauth2/client-credentials"
import * as RedisClient from "@effect-oauth2/core/redisClient"
import * as RedisStore from "@effect-oauth2/core/redisStore"
import { invalidKeyMessage } from "@effect-oauth2/core/tokenEntry"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import type { Cluster } from "ioredis"
import type * as crypto from "node:crypto"
import type { Connection, Options } from "../RedisTokenStore.js"
import * as Entry from "./entry.js"

/** An operation of the core's store: its result, or its `Failure` as a `TokenStoreError`. */
const run = <A>(operation: () => Promise<A | RedisStore.Failure>): Effect.Effect<A, TokenStore.TokenStoreError> =>
  Effect.flatMap(
    Effect.promise(operation),
    (result) =>
      RedisClient.isFailure(result)
        ? Effect.fail(new TokenStore.TokenStoreError({ reason: result.reason, detail: result.detail }))
        : Effect.succeed(result)
  )

/** The service on `client`, given a valid key (or none). */
export const makeWithClient = (
  client: Redis | Cluster,
  keyPrefix: string,
  key: crypto.KeyObject | undefined
): TokenStore.Service => {
  const store = new RedisClient.StoreOnClient(client, keyPrefix, key, Entry.tokenTypes)
  return {
    get: (storeKey) =>
      Effect.map(run(() => store.get(storeKey)), (got) =>
        got._tag === "Missing"
          ? Option.none()
          : Option.some({ token: Entry.fromEntry(got.token), timeToLive: Duration.millis(got.timeLeftMillis) })),
    set: (storeKey, token, timeToLive) =>
      run(() => store.set(storeKey, Entry.toEntry(token), Duration.toMillis(timeToLive))),
    acquireLease: (storeKey, timeToLive) =>
      Effect.map(
        run(() => store.acquireLease(storeKey, Duration.toMillis(timeToLive))),
        (lease) => lease._tag === "Acquired" ? TokenStore.acquired(lease.id, lease) : TokenStore.held
      ),
    renewLease: (storeKey, id, timeToLive) => run(() => store.renewLease(storeKey, id, Duration.toMillis(timeToLive))),
    releaseLease: (storeKey, id) => run(() => store.releaseLease(storeKey, id)),
    deleteIf: (storeKey, tokenValue) => run(() => store.deleteIf(storeKey, Redacted.value(tokenValue)))
  }
}

/** The key, or a defect (an `IllegalArgumentException` that shows nothing of it). */
export const keyOrDie = (encryptionKey: Redacted.Redacted<string> | undefined) =>
  Effect.suspend(() => {
    if (encryptionKey === undefined) return Effect.succeed(undefined)
    const key = Entry.parseKey(encryptionKey)
    return key === undefined
      ? Effect.die(new Cause.IllegalArgumentException(`RedisTokenStore: ${invalidKeyMessage}`))
      : Effect.succeed(key)
  })

/**
 * The store's own client for `url` (see `RedisClient.open`), closed with the scope. An invalid `url` is a defect that
 * shows nothing of it.
 */
const acquireClient = (url: string | Redacted.Redacted<string>) =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const client = RedisClient.open(
        Redacted.isRedacted(url) ? Redacted.value(url) : url,
        (url, options) => new Redis(url, options)
      )
      return client === undefined
        ? Effect.die(new Cause.IllegalArgumentException(`RedisTokenStore: ${RedisStore.invalidUrlMessage}`))
        : Effect.succeed(client)
    }),
    (client) => Effect.sync(() => client.disconnect())
  )

/** The service as a scoped effect: `{ url }` opens a client that the scope closes, `{ client }` is used as is. */
export const make = (
  connection: Connection,
  options: Options = {}
): Effect.Effect<TokenStore.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const key = yield* keyOrDie(options.encryptionKey)
    const client = "client" in connection ? connection.client : yield* acquireClient(connection.url)
    return makeWithClient(client, options.keyPrefix ?? RedisStore.defaultKeyPrefix, key)
  })
