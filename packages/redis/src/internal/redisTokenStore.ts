/**
 * The token store on Redis: one entry per token request key, `<prefix>{<key>}:token`, and its lease,
 * `<prefix>{<key>}:lease`. The braces are the one hash tag of both, so on a Cluster every command and script of an
 * entry runs on one slot.
 *
 * - `get`: GET and PTTL in one script (atomic, one round trip); the time left is the entry's PTTL.
 * - `set`: `SET key entry PX ttl` (a ttl under 1 ms deletes the entry, as it would be gone at once).
 * - `acquireLease`: a script: `SET leaseKey <random UUID> NX PX ttl`; when another lease is there with no expiry or
 *   more time left than `ttl` (stale: a replica renews its lease for `ttl` at most), it is replaced in the same script.
 * - `renewLease`: compare-and-expire script (`PEXPIRE` if the lease still holds the id); `releaseLease`:
 *   compare-and-delete script.
 * - `deleteIf`: GET, open and compare the token in this process, then compare-and-delete against the exact string
 *   read, so it works on sealed entries whose ciphertext differs on every write.
 *
 * Every failure is a `TokenStoreError`: `Unavailable` naming the kind of failure (an error code or name, never a
 * message that could quote a key or an entry), `InvalidEntry` with a fixed text. Nothing here logs.
 */
import { TokenStore } from "@effect-oauth2/client-credentials"
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

/** The prefix of every key when none is given. */
export const defaultKeyPrefix = "effect-oauth2:"

/** The name the store's own connections give themselves (`CLIENT LIST` shows it). */
export const connectionName = "effect-oauth2-token-store"

const getScript = `local entry = redis.call("GET", KEYS[1])
if not entry then return false end
return {entry, redis.call("PTTL", KEYS[1])}`

const compareAndDeleteScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`

/** 1: acquired; 2: acquired in place of a stale lease (no expiry, or more than the ttl left); 0: held by another. */
const acquireLeaseScript = `if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end
local left = redis.call("PTTL", KEYS[1])
if left == -1 or left > tonumber(ARGV[2]) then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return 2
end
return 0`

const compareAndExpireScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`

const unavailable = (detail: string) => new TokenStore.TokenStoreError({ reason: "Unavailable", detail })
const invalidEntry = (detail: string) => new TokenStore.TokenStoreError({ reason: "InvalidEntry", detail })

const word = /^[A-Za-z][\w-]{0,63}$/

/**
 * The kind of an ioredis failure, in words that cannot hold a key or an entry: a system error's code
 * (`ECONNREFUSED`), a Redis error's leading code word (`ReplyError WRONGTYPE`), or the error's class name.
 */
export const describeFailure = (error: unknown): string => {
  if (!(error instanceof Error)) return "unknown failure"
  const code = (error as { readonly code?: unknown }).code
  if (typeof code === "string" && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) return code
  // ioredis' own messages (fixed texts, no arguments in them)
  if (error.message.includes("enableOfflineQueue")) return "not connected (offline queue off)"
  if (error.message.startsWith("Connection is closed")) return "connection closed"
  const name = word.test(error.name) ? error.name : "Error"
  if (name === "ReplyError") {
    const redisCode = /^([A-Z][A-Z_]{1,31})\b/.exec(error.message)
    if (redisCode !== null) return `${name} ${redisCode[1]}`
  }
  return name
}

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
      catch: (error) => unavailable(describeFailure(error))
    })
}

const millis = (duration: Duration.Duration): number => Math.floor(Duration.toMillis(duration))

/** The service on `client`, given a valid key (or none). */
export const makeWithClient = (
  client: Client,
  keyPrefix: string,
  key: crypto.KeyObject | undefined
): TokenStore.Service => {
  const send = sender(client)
  const tokenKey = (key: string) => `${keyPrefix}{${key}}:token`
  const leaseKey = (key: string) => `${keyPrefix}{${key}}:lease`

  const read = (redisKey: string, text: unknown) =>
    typeof text !== "string"
      ? Effect.fail(invalidEntry("not a string entry"))
      : Either.match(Entry.decode(text, redisKey, key), {
        onLeft: (detail) => Effect.fail(invalidEntry(detail)),
        onRight: (token) => Effect.succeed(token)
      })

  return {
    get: (storeKey) => {
      const redisKey = tokenKey(storeKey)
      return Effect.flatMap(send(() => client.eval(getScript, 1, redisKey)), (reply) => {
        if (reply === null) return Effect.succeed(Option.none())
        if (!Array.isArray(reply) || reply.length !== 2) return Effect.fail(unavailable("unexpected reply"))
        const [entry, pttl] = reply as [unknown, unknown]
        // PTTL is a number, or a string on a client made with `stringNumbers: true`
        const timeLeft = typeof pttl === "number" || typeof pttl === "string" && /^-?\d+$/.test(pttl)
          ? Number(pttl)
          : Number.NaN
        if (!Number.isSafeInteger(timeLeft)) return Effect.fail(unavailable("unexpected reply"))
        // -1: stored without an expiry, not by this store; every entry must end
        if (timeLeft < 0) return Effect.fail(invalidEntry("the entry has no expiry"))
        return Effect.map(
          read(redisKey, entry),
          (token) => Option.some({ token, timeToLive: Duration.millis(timeLeft) })
        )
      })
    },
    set: (storeKey, token, timeToLive) => {
      const redisKey = tokenKey(storeKey)
      const ttl = millis(timeToLive)
      if (ttl < 1) return Effect.asVoid(send(() => client.del(redisKey)))
      return Effect.suspend(() => {
        const entry = Entry.encode(token, redisKey, key)
        return Effect.asVoid(send(() => client.set(redisKey, entry, "PX", ttl)))
      })
    },
    acquireLease: (storeKey, timeToLive) =>
      Effect.suspend(() => {
        const id = crypto.randomUUID()
        const ttl = Math.max(1, millis(timeToLive))
        return Effect.flatMap(send(() => client.eval(acquireLeaseScript, 1, leaseKey(storeKey), id, ttl)), (reply) => {
          // a number, or a string on a client made with `stringNumbers: true`
          switch (Number(reply)) {
            case 1:
              return Effect.succeed(TokenStore.acquired(id))
            case 2:
              return Effect.succeed(TokenStore.acquired(id, { replacedStale: true }))
            case 0:
              return Effect.succeed(TokenStore.held)
            default:
              return Effect.fail(unavailable("unexpected reply"))
          }
        })
      }),
    renewLease: (storeKey, id, timeToLive) =>
      Effect.map(
        send(() => client.eval(compareAndExpireScript, 1, leaseKey(storeKey), id, Math.max(1, millis(timeToLive)))),
        (renewed) => Number(renewed) === 1
      ),
    releaseLease: (storeKey, id) =>
      Effect.asVoid(send(() => client.eval(compareAndDeleteScript, 1, leaseKey(storeKey), id))),
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
                send(() => client.eval(compareAndDeleteScript, 1, redisKey, text)),
                (deleted) => Number(deleted) === 1 // a string with `stringNumbers: true`
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
      ? Effect.die(new Cause.IllegalArgumentException(`RedisTokenStore: ${Entry.invalidKeyMessage}`))
      : Effect.succeed(key)
  })

/**
 * What an invalid `url` is called, in words that hold nothing of it: Node's URL parser (which ioredis uses) would
 * quote the whole URL, password included, in its error's `input`.
 */
export const invalidUrlMessage =
  "url is not a valid redis:// or rediss:// URL (redis[s]://[[username]:password@]host[:port][/db], no spaces); " +
  "its value is not shown"

/**
 * Whether `url` is a string the store can be given: `redis:` or `rediss:` as Node's URL parser reads it (a valid host
 * and port), with no whitespace or control character anywhere.
 */
export const isValidUrl = (url: unknown): boolean => {
  // eslint-disable-next-line no-control-regex
  if (typeof url !== "string" || /[\s\u0000-\u001f\u007f]/.test(url) || !URL.canParse(url)) return false
  const { protocol } = new URL(url)
  return protocol === "redis:" || protocol === "rediss:"
}

const invalidUrl = () => Effect.die(new Cause.IllegalArgumentException(`RedisTokenStore: ${invalidUrlMessage}`))

/**
 * A client for `url` that does not wait for Redis: it connects in the background and fails commands at once while
 * it has no connection (no offline queue), reconnecting by itself. Closed with the scope. An invalid `url` is a
 * defect that shows nothing of it, checked before ioredis sees it.
 */
const acquireClient = (url: string | Redacted.Redacted<string>) =>
  Effect.suspend(() => {
    const text = Redacted.isRedacted(url) ? Redacted.value(url) : url
    if (!isValidUrl(text)) return invalidUrl()
    return Effect.acquireRelease(
      Effect.suspend(() => {
        let client: Redis
        try {
          client = new Redis(text, { enableOfflineQueue: false, connectionName })
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
    return makeWithClient(client, options.keyPrefix ?? defaultKeyPrefix, key)
  })
