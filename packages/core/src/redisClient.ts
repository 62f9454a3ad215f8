/**
 * The token store on one ioredis client (a `Redis` or a `Cluster`), as promises of plain data: the client the store
 * opens for a URL, the wait for its first connection, and each operation as the commands it sends (`redisStore`'s
 * scripts) and what it reads (`tokenEntry`'s entries). Each Effect line's store runs these and turns their plain
 * results into its own types: `AccessToken`s, leases, `TokenStoreError`s.
 *
 * An operation never rejects: a refused command is a `Failure` `Unavailable` naming the kind of failure
 * (`redisStore.describeFailure`: an error code or name, never a message that could quote a key or an entry), a reply
 * the store does not know `Unavailable`, an entry that does not read `InvalidEntry` with a fixed text. Nothing here
 * logs. The entries and leases live in Redis; the only state here is whether the client has been ready once.
 */
import * as crypto from "node:crypto"
import * as RedisStore from "./redisStore.js"
import * as TokenEntry from "./tokenEntry.js"

/**
 * The part of an ioredis `Redis` or `Cluster` (5.4+ and 6) the store uses: its commands, its status and its events.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly status: string
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>
  get(key: string): Promise<string | null>
  set(key: string, value: string, expiryMode: "PX", millis: number): Promise<unknown>
  del(key: string): Promise<number>
  on(event: string, listener: () => void): unknown
  removeListener(event: string, listener: () => void): unknown
}

/**
 * How the store makes its own client for a URL: no offline queue (a command while there is no connection fails at
 * once instead of waiting for the library's timeout), and a name that `CLIENT LIST` shows.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  readonly enableOfflineQueue: false
  readonly connectionName: string
}

/**
 * A client for `url`, made by `create` (e.g. `(url, options) => new Redis(url, options)`) with `ClientOptions`; it
 * connects in the background and reconnects by itself. `undefined` when `url` is not a valid `redis://` or
 * `rediss://` URL (checked before `create` sees it) or when `create` throws: whatever it threw may quote the URL, and
 * none of it goes on. The client's `error` events are taken, so that ioredis does not print every reconnection
 * failure: the store reports an outage from the commands that fail.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open = <C extends Client>(
  url: string,
  create: (url: string, options: ClientOptions) => C
): C | undefined => {
  if (!RedisStore.isValidUrl(url)) return undefined
  let client: C
  try {
    client = create(url, { enableOfflineQueue: false, connectionName: RedisStore.connectionName })
  } catch {
    return undefined
  }
  client.on("error", () => {})
  return client
}

/** A connection attempt is under way: a command now would be refused (no offline queue), one a moment later not. */
const attempting = new Set(["connecting", "connect"])
const settling = ["ready", "error", "close", "end"] as const

/**
 * Sends commands on `client`. Until the client has been ready once, a command waits for the connection attempt under
 * way to end (a few milliseconds on a reachable or refusing host; the library's store timeout bounds the rest), so
 * that the first calls of a cold start are not refused for a connection being opened. After that, a command never
 * waits: during an outage, whatever the reconnection is doing, it fails at once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sender = (client: Client): <A>(command: () => Promise<A>) => Promise<A> => {
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
  return async (command) => {
    if (client.status === "ready") everReady = true
    else if (!everReady && attempting.has(client.status)) await attemptSettled()
    return command()
  }
}

/**
 * What `get` read: no entry, or the entry's token and its time left in millis (Redis's PTTL).
 *
 * @since 0.1.0
 * @category models
 */
export type Got<T extends string> =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Found"; readonly token: TokenEntry.EntryToken<T>; readonly timeLeftMillis: number }

/**
 * What `acquireLease` found: the lease, now this caller's under `id` (in place of a stale lease, or not), or another's.
 *
 * @since 0.1.0
 * @category models
 */
export type Lease =
  | { readonly _tag: "Acquired"; readonly id: string; readonly replacedStale: boolean }
  | { readonly _tag: "Held" }

/**
 * Whether an operation's result is a `Failure`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isFailure = (result: unknown): result is RedisStore.Failure =>
  typeof result === "object" && result !== null && (result as { readonly _tag?: unknown })._tag === "Failure"

const invalidEntry = (detail: string): RedisStore.Failure => ({ _tag: "Failure", reason: "InvalidEntry", detail })

/**
 * The store's operations as commands on one client: the entries under `keyPrefix`, sealed with `key` when there is
 * one, their tokens of one of `tokenTypes`. Every key given is a store key (the library's SHA-256); each operation
 * resolves with its result or a `Failure`, and never rejects.
 *
 * @since 0.1.0
 * @category constructors
 */
export class StoreOnClient<T extends string> {
  private readonly send: <A>(command: () => Promise<A>) => Promise<A>

  constructor(
    private readonly client: Client,
    private readonly keyPrefix: string,
    private readonly key: crypto.KeyObject | undefined,
    private readonly tokenTypes: ReadonlyArray<T>
  ) {
    this.send = sender(client)
  }

  /** The token stored under `storeKey`, with its time left. */
  get(storeKey: string): Promise<Got<T> | RedisStore.Failure> {
    const redisKey = RedisStore.tokenKey(this.keyPrefix, storeKey)
    return this.attempt(async () => {
      const got = RedisStore.readGetReply(await this.send(() => this.client.eval(RedisStore.getScript, 1, redisKey)))
      if (got._tag !== "Found") return got
      const entry = TokenEntry.decode(got.entry, redisKey, this.key, this.tokenTypes)
      return entry._tag === "Invalid"
        ? invalidEntry(entry.problem)
        : { _tag: "Found", token: entry.value, timeLeftMillis: got.timeLeftMillis }
    })
  }

  /** Stores `token` under `storeKey` for `timeToLiveMillis`; deletes the entry instead when that is under 1 whole milli. */
  set(
    storeKey: string,
    token: TokenEntry.EntryToken<T>,
    timeToLiveMillis: number
  ): Promise<undefined | RedisStore.Failure> {
    const redisKey = RedisStore.tokenKey(this.keyPrefix, storeKey)
    const ttl = RedisStore.entryMillis(timeToLiveMillis)
    return this.attempt(async () => {
      if (ttl < 1) await this.send(() => this.client.del(redisKey))
      else {
        const entry = TokenEntry.encode(token, redisKey, this.key)
        await this.send(() => this.client.set(redisKey, entry, "PX", ttl))
      }
      return undefined
    })
  }

  /** Takes the lease of `storeKey` under a new random id, unless another holds it. */
  acquireLease(storeKey: string, timeToLiveMillis: number): Promise<Lease | RedisStore.Failure> {
    const leaseKey = RedisStore.leaseKey(this.keyPrefix, storeKey)
    const ttl = RedisStore.leaseMillis(timeToLiveMillis)
    return this.attempt(async () => {
      const id = crypto.randomUUID()
      const lease = RedisStore.readAcquireReply(
        await this.send(() => this.client.eval(RedisStore.acquireLeaseScript, 1, leaseKey, id, ttl))
      )
      return lease._tag === "Acquired" ? { _tag: "Acquired", id, replacedStale: lease.replacedStale } : lease
    })
  }

  /** Extends the lease of `storeKey` if `id` still holds it; whether it did. */
  renewLease(storeKey: string, id: string, timeToLiveMillis: number): Promise<boolean | RedisStore.Failure> {
    const leaseKey = RedisStore.leaseKey(this.keyPrefix, storeKey)
    const ttl = RedisStore.leaseMillis(timeToLiveMillis)
    return this.attempt(async () =>
      RedisStore.acted(
        await this.send(() => this.client.eval(RedisStore.compareAndExpireScript, 1, leaseKey, id, ttl))
      )
    )
  }

  /** Releases the lease of `storeKey` if `id` still holds it. */
  releaseLease(storeKey: string, id: string): Promise<undefined | RedisStore.Failure> {
    const leaseKey = RedisStore.leaseKey(this.keyPrefix, storeKey)
    return this.attempt(async () => {
      await this.send(() => this.client.eval(RedisStore.compareAndDeleteScript, 1, leaseKey, id))
      return undefined
    })
  }

  /**
   * Deletes the entry of `storeKey` if it holds the token `tokenValue` and is unchanged since read (compared with the
   * exact text read, so that it works on sealed entries whose text differs on every write); whether it did.
   */
  deleteIf(storeKey: string, tokenValue: string): Promise<boolean | RedisStore.Failure> {
    const redisKey = RedisStore.tokenKey(this.keyPrefix, storeKey)
    return this.attempt(async () => {
      const text = await this.send(() => this.client.get(redisKey))
      if (text === null) return false
      const entry = TokenEntry.decode(text, redisKey, this.key, this.tokenTypes)
      if (entry._tag === "Invalid") return invalidEntry(entry.problem)
      if (entry.value.value !== tokenValue) return false
      return RedisStore.acted(
        await this.send(() => this.client.eval(RedisStore.compareAndDeleteScript, 1, redisKey, text))
      )
    })
  }

  /** `operation`'s result; a command it sent that failed, an `Unavailable` `Failure` naming the kind of failure. */
  private attempt<A>(operation: () => Promise<A>): Promise<A | RedisStore.Failure> {
    return operation().catch((error: unknown): RedisStore.Failure => ({
      _tag: "Failure",
      reason: "Unavailable",
      detail: RedisStore.describeFailure(error)
    }))
  }
}
