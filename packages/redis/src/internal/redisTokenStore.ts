/**
 * The token store on Redis, the Effect 3 shell: the service, the client and its connection, and the turning of the
 * core's plain data (`@effect-oauth2/core/redisStore`: the key layout, the scripts and what their replies mean;
 * `@effect-oauth2/core/tokenEntry`: the entry) into `AccessToken`s, leases and `TokenStoreError`s.
 *
 * Every failure is a `TokenStoreError`: `Unavailable` naming the kind of failure (an error code or name, never a
 * message that could quote a key or an entry), `InvalidEntry` with a fixed text. Nothing here logs.
 */
import { TokenStore } from "@effect-oauth2/client-credentials"
import * as RedisStore from "@effect-oauth2/core/redisStore"
import { invalidKeyMessage } from "@effect-oauth2/core/tokenEntry"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import type { Cluster } from "ioredis"
import * as crypto from "node:crypto"
import type { Connection, Options } from "../RedisTokenStore.js"
import * as Entry from "./entry.js"

/** The commands the store sends, common to ioredis 5.4+ and 6, to a `Redis` and a `Cluster` alike. */
type Client = Redis | Cluster

const unavailable = (detail: string) => new TokenStore.TokenStoreError({ reason: "Unavailable", detail })
const invalidEntry = (detail: string) => new TokenStore.TokenStoreError({ reason: "InvalidEntry", detail })
const fail = ({ detail, reason }: RedisStore.Failure) => Effect.fail(new TokenStore.TokenStoreError({ reason, detail }))

/** A connection attempt is under way: a command now would be refused (no offline queue), one a moment later not. */
const attempting = new Set(["connecting", "connect"])
const settling = ["ready", "error", "close", "end"] as const

/**
 * Sends commands on `client`. Until the client has been ready once, a command waits for the connection attempt under
 * way to end (a few milliseconds on a reachable or refusing host; the library's store timeout bounds the rest), so
 * that the first calls of a cold start are not refused for a connection being opened. After that, a command never
 * waits: during an outage, whatever the reconnection is doing, it fails at once.
 */
const sender = (client: Client) => {
  let everReady = client.status === "ready"
  let settled: Promise<void> | undefined
  const attemptSettled = (): Promise<void> => {
    if (settled === undefined) {
      // one set of listeners for every waiting command, removed at the first of the events
      settled = new Promise<void>((resolve) => {
        const done = () => {
          for (const event of settling) client.removeListener(event, done)
          if (client.status === "ready") everReady = true
          settled = undefined
          resolve()
        }
        for (const event of settling) client.on(event, done)
      })
    }
    return settled
  }
  return <A>(command: () => Promise<A>): Effect.Effect<A, TokenStore.TokenStoreError> =>
    Effect.tryPromise({
      try: async () => {
        if (client.status === "ready") everReady = true
        else if (!everReady && attempting.has(client.status)) await attemptSettled()
        return command()
      },
      catch: (error) => unavailable(RedisStore.describeFailure(error))
    })
}

/** The service on `client`, given a valid key (or none). */
export const makeWithClient = (
  client: Client,
  keyPrefix: string,
  key: crypto.KeyObject | undefined
): TokenStore.Service => {
  const send = sender(client)
  const tokenKey = (storeKey: string) => RedisStore.tokenKey(keyPrefix, storeKey)
  const leaseKey = (storeKey: string) => RedisStore.leaseKey(keyPrefix, storeKey)

  const read = (redisKey: string, text: string) =>
    Either.match(Entry.decode(text, redisKey, key), {
      onLeft: (detail) => Effect.fail(invalidEntry(detail)),
      onRight: (token) => Effect.succeed(token)
    })

  return {
    get: (storeKey) => {
      const redisKey = tokenKey(storeKey)
      return Effect.flatMap(send(() => client.eval(RedisStore.getScript, 1, redisKey)), (reply) => {
        const got = RedisStore.readGetReply(reply)
        switch (got._tag) {
          case "Missing":
            return Effect.succeed(Option.none())
          case "Failure":
            return fail(got)
          case "Found":
            return Effect.map(
              read(redisKey, got.entry),
              (token) => Option.some({ token, timeToLive: Duration.millis(got.timeLeftMillis) })
            )
        }
      })
    },
    set: (storeKey, token, timeToLive) => {
      const redisKey = tokenKey(storeKey)
      const ttl = RedisStore.entryMillis(Duration.toMillis(timeToLive))
      if (ttl < 1) return Effect.asVoid(send(() => client.del(redisKey)))
      return Effect.suspend(() => {
        const entry = Entry.encode(token, redisKey, key)
        return Effect.asVoid(send(() => client.set(redisKey, entry, "PX", ttl)))
      })
    },
    acquireLease: (storeKey, timeToLive) =>
      Effect.suspend(() => {
        const id = crypto.randomUUID()
        const ttl = RedisStore.leaseMillis(Duration.toMillis(timeToLive))
        return Effect.flatMap(
          send(() => client.eval(RedisStore.acquireLeaseScript, 1, leaseKey(storeKey), id, ttl)),
          (reply) => {
            const lease = RedisStore.readAcquireReply(reply)
            switch (lease._tag) {
              case "Acquired":
                return Effect.succeed(TokenStore.acquired(id, { replacedStale: lease.replacedStale }))
              case "Held":
                return Effect.succeed(TokenStore.held)
              case "Failure":
                return fail(lease)
            }
          }
        )
      }),
    renewLease: (storeKey, id, timeToLive) =>
      Effect.map(
        send(() =>
          client.eval(
            RedisStore.compareAndExpireScript,
            1,
            leaseKey(storeKey),
            id,
            RedisStore.leaseMillis(Duration.toMillis(timeToLive))
          )
        ),
        RedisStore.acted
      ),
    releaseLease: (storeKey, id) =>
      Effect.asVoid(send(() => client.eval(RedisStore.compareAndDeleteScript, 1, leaseKey(storeKey), id))),
    deleteIf: (storeKey, tokenValue) => {
      const redisKey = tokenKey(storeKey)
      return Effect.flatMap(send(() => client.get(redisKey)), (text) => {
        if (text === null) return Effect.succeed(false)
        return Effect.flatMap(
          read(redisKey, text),
          (token) =>
            Redacted.value(token.value) !== Redacted.value(tokenValue)
              ? Effect.succeed(false)
              : Effect.map(
                send(() => client.eval(RedisStore.compareAndDeleteScript, 1, redisKey, text)),
                RedisStore.acted
              )
        )
      })
    }
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

const invalidUrl = () =>
  Effect.die(new Cause.IllegalArgumentException(`RedisTokenStore: ${RedisStore.invalidUrlMessage}`))

/**
 * A client for `url` that does not wait for Redis: it connects in the background and fails commands at once while
 * it has no connection (no offline queue), reconnecting by itself. Closed with the scope. An invalid `url` is a
 * defect that shows nothing of it, checked before ioredis sees it.
 */
const acquireClient = (url: string | Redacted.Redacted<string>) =>
  Effect.suspend(() => {
    const text = Redacted.isRedacted(url) ? Redacted.value(url) : url
    if (!RedisStore.isValidUrl(text)) return invalidUrl()
    return Effect.acquireRelease(
      Effect.suspend(() => {
        let client: Redis
        try {
          client = new Redis(text, { enableOfflineQueue: false, connectionName: RedisStore.connectionName })
        } catch {
          // whatever ioredis refused, its error may quote the URL: none of it goes on
          return invalidUrl()
        }
        // the library reports an outage once, from the failed commands; ioredis would print every reconnect failure
        client.on("error", () => {})
        return Effect.succeed(client)
      }),
      (client) => Effect.sync(() => client.disconnect())
    )
  })

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
