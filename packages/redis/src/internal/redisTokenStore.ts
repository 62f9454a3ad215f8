/**
 * The token store on Redis, the Effect 3 shell: the service, the client and its connection, and the turning of the
 * core's plain data (`@effect-oauth2/core/redisStore`: the key layout, the scripts and what their replies mean;
 * `@effect-oauth2/core/tokenEntry`: the entry) into `AccessToken`s, leases and `TokenStoreError`s.
 *
 * Every failure is a `TokenStoreError`: `Unavailable` naming the kind of failure (an error code or name, never a
 * message that could quote a key or an entry), `InvalidEntry` with a fixed text. Nothing here logs.
 */
import type { AccessToken } from "@effect-oauth2/client-credentials"
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

/** Sends one command, its failure an `Unavailable` `TokenStoreError` (see `sender`). */
type Send = ReturnType<typeof sender>

/** The lease result of an acquire script's `reply`, for the lease `id` this replica asked for. */
const leaseResult = (
  id: string,
  reply: unknown
): Effect.Effect<TokenStore.LeaseResult, TokenStore.TokenStoreError> => {
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

/**
 * The store's operations as commands on one client: the entries under `keyPrefix`, sealed with `key` when there is
 * one. The entries and leases live in Redis; the only state here is the sender's (whether the client has been ready
 * once: see `sender`).
 */
class StoreOnClient {
  private readonly send: Send

  constructor(
    private readonly client: Client,
    private readonly keyPrefix: string,
    private readonly key: crypto.KeyObject | undefined
  ) {
    this.send = sender(client)
  }

  /** The token stored under `storeKey`, with its time left. */
  get(storeKey: string): Effect.Effect<Option.Option<TokenStore.StoredToken>, TokenStore.TokenStoreError> {
    const redisKey = this.tokenKey(storeKey)
    return Effect.flatMap(this.send(() => this.client.eval(RedisStore.getScript, 1, redisKey)), (reply) => {
      const got = RedisStore.readGetReply(reply)
      switch (got._tag) {
        case "Missing":
          return Effect.succeed(Option.none())
        case "Failure":
          return fail(got)
        case "Found":
          return Effect.map(
            this.read(redisKey, got.entry),
            (token) => Option.some({ token, timeToLive: Duration.millis(got.timeLeftMillis) })
          )
      }
    })
  }

  /** Stores `token` under `storeKey` for `timeToLive`; deletes the entry instead when that is under 1 whole milli. */
  set(
    storeKey: string,
    token: AccessToken.AccessToken,
    timeToLive: Duration.Duration
  ): Effect.Effect<void, TokenStore.TokenStoreError> {
    const redisKey = this.tokenKey(storeKey)
    const ttl = RedisStore.entryMillis(Duration.toMillis(timeToLive))
    if (ttl < 1) return Effect.asVoid(this.send(() => this.client.del(redisKey)))
    return Effect.suspend(() => {
      const entry = Entry.encode(token, redisKey, this.key)
      return Effect.asVoid(this.send(() => this.client.set(redisKey, entry, "PX", ttl)))
    })
  }

  /** Takes the lease of `storeKey` under a new random id, unless another holds it. */
  acquireLease(
    storeKey: string,
    timeToLive: Duration.Duration
  ): Effect.Effect<TokenStore.LeaseResult, TokenStore.TokenStoreError> {
    return Effect.suspend(() => {
      const id = crypto.randomUUID()
      const ttl = RedisStore.leaseMillis(Duration.toMillis(timeToLive))
      return Effect.flatMap(
        this.send(() => this.client.eval(RedisStore.acquireLeaseScript, 1, this.leaseKey(storeKey), id, ttl)),
        (reply) => leaseResult(id, reply)
      )
    })
  }

  /** Extends the lease of `storeKey` if `id` still holds it; whether it did. */
  renewLease(
    storeKey: string,
    id: TokenStore.LeaseId,
    timeToLive: Duration.Duration
  ): Effect.Effect<boolean, TokenStore.TokenStoreError> {
    return Effect.map(
      this.send(() =>
        this.client.eval(
          RedisStore.compareAndExpireScript,
          1,
          this.leaseKey(storeKey),
          id,
          RedisStore.leaseMillis(Duration.toMillis(timeToLive))
        )
      ),
      RedisStore.acted
    )
  }

  /** Releases the lease of `storeKey` if `id` still holds it. */
  releaseLease(storeKey: string, id: TokenStore.LeaseId): Effect.Effect<void, TokenStore.TokenStoreError> {
    return Effect.asVoid(
      this.send(() => this.client.eval(RedisStore.compareAndDeleteScript, 1, this.leaseKey(storeKey), id))
    )
  }

  /** Deletes the entry of `storeKey` if it holds the token `tokenValue` and is unchanged since read; whether it did. */
  deleteIf(
    storeKey: string,
    tokenValue: Redacted.Redacted<string>
  ): Effect.Effect<boolean, TokenStore.TokenStoreError> {
    const redisKey = this.tokenKey(storeKey)
    return Effect.flatMap(this.send(() => this.client.get(redisKey)), (text) => {
      if (text === null) return Effect.succeed(false)
      return Effect.flatMap(
        this.read(redisKey, text),
        (token) =>
          Redacted.value(token.value) !== Redacted.value(tokenValue)
            ? Effect.succeed(false)
            : Effect.map(
              this.send(() => this.client.eval(RedisStore.compareAndDeleteScript, 1, redisKey, text)),
              RedisStore.acted
            )
      )
    })
  }

  private tokenKey(storeKey: string): string {
    return RedisStore.tokenKey(this.keyPrefix, storeKey)
  }

  private leaseKey(storeKey: string): string {
    return RedisStore.leaseKey(this.keyPrefix, storeKey)
  }

  /** The token in the entry `text` read at `redisKey`; `InvalidEntry` when it cannot be read. */
  private read(redisKey: string, text: string): Effect.Effect<AccessToken.AccessToken, TokenStore.TokenStoreError> {
    return Either.match(Entry.decode(text, redisKey, this.key), {
      onLeft: (detail) => Effect.fail(invalidEntry(detail)),
      onRight: (token) => Effect.succeed(token)
    })
  }
}

/** The service on `client`, given a valid key (or none). */
export const makeWithClient = (
  client: Client,
  keyPrefix: string,
  key: crypto.KeyObject | undefined
): TokenStore.Service => {
  const store = new StoreOnClient(client, keyPrefix, key)
  return {
    get: (storeKey) => store.get(storeKey),
    set: (storeKey, token, timeToLive) => store.set(storeKey, token, timeToLive),
    acquireLease: (storeKey, timeToLive) => store.acquireLease(storeKey, timeToLive),
    renewLease: (storeKey, id, timeToLive) => store.renewLease(storeKey, id, timeToLive),
    releaseLease: (storeKey, id) => store.releaseLease(storeKey, id),
    deleteIf: (storeKey, tokenValue) => store.deleteIf(storeKey, tokenValue)
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
