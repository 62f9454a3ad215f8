/**
 * How the replicas of a fleet share one token through a `TokenStore` (`TokenService.layerWithStore`). It replaces the
 * fetch of every cell (`Engine.fetch`); the cells, and so the hot path, do not know it exists.
 *
 * A fetch, for a request key and the token it replaces (the rejected one, or the one being refreshed), if any:
 * 1. Reads the store. A token there is the answer when it is one this layer asks for (its token type), its writer
 *    meant it to be live now (below), it has another value than the one replaced, and it expires later. Its hard
 *    expiry on this replica is now + the time it has left in the store, on this replica's monotonic clock.
 * 2. Otherwise takes the key's lease (`leaseTtl`). The holder reads the store once more (a previous holder may have
 *    written its token and released the lease in between), fetches from the token endpoint, writes the token with a
 *    time to live of the time left to its hard expiry, and releases the lease (on a fiber of the layer, so nobody waits
 *    for it), also when it fails or is interrupted.
 *    While its fetch runs it renews the lease every third of `leaseTtl`, so one replica fetches however long the fetch
 *    takes (a long `Retry-After`), and a holder that dies loses its lease within `leaseTtl`.
 * 3. A replica that does not get the lease polls the store every 50–150 ms (jittered), trying for the lease at each
 *    poll, so that the lease of a holder that died passes to one replica as soon as it runs out. A lease nobody renews
 *    (no expiry, or more time left than `leaseTtl`: made by hand or by a migration) is replaced by the store when it is
 *    tried for, and logged as a warning.
 *
 * Every store operation runs with `storeTimeout` and is abandoned when its time is up, whatever the store does (it is
 * made interruptible and disconnected from the caller); a failure, a defect or no answer is a miss, and a replica that
 * finds the store failing fetches directly (and still tries to write its token). An entry that cannot be read
 * (`InvalidEntry`: garbage, sealed with another key) is a miss too, but the store answered. The lease is taken on a
 * fiber of the layer: a fetch stopped while the lease is being taken stops waiting at once, and a lease granted after
 * that is released in the background.
 *
 * What the writer meant: an entry's token carries its writer's wall-clock `issuedAt` and `expiresAt`. An entry whose
 * `expiresAt` is past, or further away than the token's lifetime, by more than `maxClockSkew`, was not written as it is
 * read (a blob stored again with a longer time to live, a clock far off): it is a miss. The time a token is held is
 * never longer than its writer's expiry allows, give or take that skew.
 *
 * The store's health, for the logs (`Health`; every transition replaces the whole value). Operations are of two kinds,
 * reads (`get`) and writes (every other), since a store may fail one kind only (a full Redis refuses writes):
 * - `Answering` — an operation fails → `Failing` with its kind, logging one warning: one per outage, not per call.
 * - `Failing` — an operation of another kind fails → `Failing` with both kinds; of a failing kind answers → `Failing`
 *   without it, or `Answering` when no kind is left, logging that the store is used again.
 */
import { acceptedTokenType } from "@effect-oauth2/core/tokenResponse"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as AccessToken from "../AccessToken.js"
import * as TokenStore from "../TokenStore.js"
import { nodeModule } from "./builtins.js"
import * as Monotonic from "./monotonic.js"
import type { Fetched, FetchError, Held } from "./tokenCell.js"
import type { Issued } from "./tokenEndpoint.js"
import type { RequestKey } from "./tokenRequest.js"

/** How the fleet uses its store. */
export interface Options {
  /** The limit on each store operation. */
  readonly storeTimeout: Duration.Duration
  /** How long a lease lasts unless its holder renews it. */
  readonly leaseTtl: Duration.Duration
  /** How long before expiry a token stops being used (`expiryLeeway`), in millis. */
  readonly leewayMillis: number
  /** The token types the layer asks for: a stored token of another type is a miss. */
  readonly tokenTypes: ReadonlyArray<AccessToken.TokenType>
  /** Runs `effect` on a fiber of the layer, interrupted when the layer closes. */
  readonly background: (effect: Effect.Effect<void>) => void
}

/** A fleet's fetch, and the clean-up after a rejection. */
export interface Fleet {
  /** `Engine.fetch` through the store. */
  readonly fetch: (key: RequestKey, replacing: Held | undefined) => Effect.Effect<Fetched, FetchError>
  /** Deletes the stored token of `key` if it still is `token`: called when an API rejected it. */
  readonly forget: (key: RequestKey, token: AccessToken.AccessToken) => Effect.Effect<void>
}

/** How far replicas' wall clocks may disagree: the slack allowed around a writer's `expiresAt`. */
export const maxClockSkew: Duration.Duration = Duration.seconds(30)

/** Reads and writes fail apart: a full store answers reads and refuses writes. */
type OperationKind = "read" | "write"

/** The store's health, for one warning per outage. */
type Health = { readonly _tag: "Answering" } | {
  readonly _tag: "Failing"
  readonly kinds: ReadonlySet<OperationKind>
}

const answering: Health = { _tag: "Answering" }

const hex = (bytes: ArrayBuffer): string =>
  Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("")

interface NodeCrypto {
  readonly createHash: (algorithm: "sha256") => {
    update: (data: string) => { digest: (encoding: "hex") => string }
  }
}

const nodeCrypto = nodeModule<NodeCrypto>("node:crypto")

/**
 * The store's key of a request: the SHA-256 of its canonical form, in hex. Never a secret, never the clear form.
 * Synchronous where Node's `crypto` is there (a fetch then waits on nothing but the store), Web Crypto elsewhere.
 */
export const storeKeyOf = (key: RequestKey): Effect.Effect<string> =>
  nodeCrypto !== undefined
    ? Effect.sync(() => nodeCrypto.createHash("sha256").update(key.canonical).digest("hex"))
    : Effect.map(
      Effect.promise(() => crypto.subtle.digest("SHA-256", new TextEncoder().encode(key.canonical))),
      hex
    )

/** Polls wait 50 ms, plus up to 100 ms of jitter. */
const pollDelay = Effect.map(Random.nextIntBetween(50, 151), Duration.millis)

/**
 * How long this replica may hold `stored`, in millis from now: the time it has left in the store, at most the token's
 * usable lifetime, and at most what its writer's expiry allows (`maxClockSkew` of slack); `undefined` when its writer
 * cannot have meant it to be live now (see the module's comment).
 */
export const timeToHold = (
  stored: TokenStore.StoredToken,
  wallNow: number,
  leewayMillis: number
): number | undefined => {
  const lifetime = stored.token.lifetimeMillis
  if (!(lifetime > 0)) return undefined
  const leeway = Math.min(leewayMillis, lifetime / 2)
  const skew = Duration.toMillis(maxClockSkew)
  const writerExpiresAt = DateTime.toEpochMillis(stored.token.expiresAt)
  const writerTimeLeft = writerExpiresAt - wallNow
  if (writerTimeLeft < -skew || writerTimeLeft > lifetime + skew) return undefined
  const time = Math.min(Duration.toMillis(stored.timeToLive), lifetime - leeway, writerTimeLeft - leeway + skew)
  return time > 0 ? time : undefined
}

/** A fleet fetching through `store`; `direct` is one token request to the token endpoint, retries included. */
export const make = (
  store: TokenStore.Service,
  options: Options,
  direct: (key: RequestKey) => Effect.Effect<Issued, FetchError>
): Fleet => {
  let health: Health = answering
  const storeKeys = new WeakMap<RequestKey, string>()
  // read anew after each store call: a function, so that the type checker does not narrow it across them
  const storeFailing = (): boolean => health._tag === "Failing"
  const renewEvery = Duration.millis(Duration.toMillis(options.leaseTtl) / 3)

  const storeKey = (key: RequestKey): Effect.Effect<string> => {
    const known = storeKeys.get(key)
    return known !== undefined ? Effect.succeed(known) : Effect.tap(storeKeyOf(key), (hash) => {
      storeKeys.set(key, hash)
    })
  }

  const answered = (kind: OperationKind): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (health._tag === "Answering" || !health.kinds.has(kind)) return Effect.void
      const kinds = new Set(health.kinds)
      kinds.delete(kind)
      health = kinds.size === 0 ? answering : { _tag: "Failing", kinds }
      return health._tag === "Answering"
        ? Effect.logInfo("effect-oauth2: token store answering again; sharing tokens through it")
        : Effect.void
    })

  const failed = (kind: OperationKind, cause: Cause.Cause<TokenStore.TokenStoreError>): Effect.Effect<void> => {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure) && failure.value.reason === "InvalidEntry") {
      return Effect.zipRight(
        answered(kind),
        Effect.logDebug("effect-oauth2: token store entry unreadable; treated as a miss").pipe(
          Effect.annotateLogs({ detail: failure.value.detail })
        )
      )
    }
    if (health._tag === "Failing") {
      if (!health.kinds.has(kind)) health = { _tag: "Failing", kinds: new Set([...health.kinds, kind]) }
      return Effect.void
    }
    health = { _tag: "Failing", kinds: new Set([kind]) }
    // a defect's text is not logged: it comes from the store's code and may quote what it was given
    const detail = Option.isSome(failure) ? failure.value.message : "an unexpected defect"
    return Effect.logWarning("effect-oauth2: token store failing; fetching tokens directly until it answers").pipe(
      Effect.annotateLogs({ error: detail })
    )
  }

  /**
   * `operation` with the timeout: its value, or `None` when it failed in any way but an interruption of the caller.
   * The operation is interruptible and disconnected, so the timeout (and the caller's interruption) ends the wait at
   * once whatever the store does. It runs to an `Exit` on its own fiber: a fiber that fails logs its cause, and a
   * store's defect may quote what it was given.
   */
  const call = <A>(
    kind: OperationKind,
    operation: () => Effect.Effect<A, TokenStore.TokenStoreError>
  ): Effect.Effect<Option.Option<A>> =>
    Effect.suspend(operation).pipe(
      Effect.exit,
      Effect.interruptible,
      Effect.disconnect,
      Effect.flatten,
      Effect.timeoutFail({
        duration: options.storeTimeout,
        onTimeout: () =>
          new TokenStore.TokenStoreError({
            reason: "Unavailable",
            detail: `no answer within ${Duration.format(options.storeTimeout)}`
          })
      }),
      Effect.matchCauseEffect({
        onSuccess: (value) => Effect.as(answered(kind), Option.some(value)),
        onFailure: (cause) =>
          Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.as(failed(kind, cause), Option.none())
      })
    )

  /** The stored token as this replica holds it, when it is the answer to a fetch replacing `replacing`. */
  const usable = (
    stored: TokenStore.StoredToken,
    replacing: Held | undefined,
    now: number,
    wallNow: number
  ): Option.Option<Fetched> => {
    const tokenType = acceptedTokenType(options.tokenTypes, stored.token.tokenType)
    const time = timeToHold(stored, wallNow, options.leewayMillis)
    if (tokenType === undefined || time === undefined) return Option.none()
    const hardExpiresAt = now + time
    if (
      replacing !== undefined &&
      (AccessToken.sameValue(stored.token, replacing.token) || hardExpiresAt < replacing.hardExpiresAt)
    ) return Option.none()
    const lifetime = stored.token.lifetimeMillis
    const leeway = Math.min(options.leewayMillis, lifetime / 2)
    // the token as this replica sees it: its lifetime, ending at its hard expiry plus the leeway, on both clocks
    const startedAt = hardExpiresAt + leeway - lifetime
    const wallExpiresAt = wallNow + time + leeway
    return Option.some({
      token: AccessToken.AccessToken.make({
        value: stored.token.value,
        tokenType,
        scopes: stored.token.scopes,
        issuedAt: DateTime.unsafeMake(wallExpiresAt - lifetime),
        expiresAt: DateTime.unsafeMake(wallExpiresAt)
      }),
      startedAt,
      fromStore: true
    })
  }

  const read = (key: string, replacing: Held | undefined): Effect.Effect<Option.Option<Fetched>> =>
    Effect.flatMap(
      call("read", () => store.get(key)),
      (stored) =>
        Effect.clockWith((clock) =>
          Effect.sync(() =>
            Option.flatMap(
              Option.flatten(stored),
              (found) => usable(found, replacing, Monotonic.unsafeNow(clock), clock.unsafeCurrentTimeMillis())
            )
          )
        )
    )

  const write = (key: string, issued: Issued): Effect.Effect<void> =>
    Effect.flatMap(Monotonic.now, (now) => {
      const lifetime = issued.token.lifetimeMillis
      const hardExpiresAt = issued.startedAt + lifetime - Math.min(options.leewayMillis, lifetime / 2)
      const timeToLive = hardExpiresAt - now
      return timeToLive > 0
        ? Effect.asVoid(call("write", () => store.set(key, issued.token, Duration.millis(timeToLive))))
        : Effect.void
    })

  const fetchAndWrite = (key: RequestKey, hash: string): Effect.Effect<Fetched, FetchError> =>
    Effect.map(Effect.tap(direct(key), (issued) => write(hash, issued)), (issued) => ({ ...issued, fromStore: false }))

  /**
   * Under the lease: the store once more (the previous holder may have written its token and released the lease
   * between this replica's read and its `SET NX`), then a fetch.
   */
  const fetchHoldingLease = (key: RequestKey, hash: string, replacing: Held | undefined) =>
    Effect.flatMap(
      read(hash, replacing),
      Option.match({ onSome: Effect.succeed, onNone: () => fetchAndWrite(key, hash) })
    )

  /** Renews the lease every third of its time to live, until the store says it is no longer this holder's. */
  const keepRenewed = (hash: string, id: TokenStore.LeaseId): Effect.Effect<unknown> =>
    Effect.repeat(
      Effect.delay(call("write", () => store.renewLease(hash, id, options.leaseTtl)), renewEvery),
      // a store that failed is tried again; one that said no ends it
      { while: (renewed) => Option.getOrElse(renewed, () => true) }
    )

  /**
   * The store's answer to `acquireLease`, taken on a fiber of the layer. A caller interrupted while it waits stops
   * waiting at once; a lease granted after that is released by that fiber, or by the interrupted caller when the
   * answer came just before its interruption.
   */
  const acquireLease = (hash: string): Effect.Effect<Option.Option<TokenStore.LeaseResult>> =>
    Effect.suspend(() => {
      let abandoned = false
      let answer: Option.Option<TokenStore.LeaseResult> | undefined
      const result = Deferred.unsafeMake<Option.Option<TokenStore.LeaseResult>>(FiberId.none)
      const release = (lease: Option.Option<TokenStore.LeaseResult>): Effect.Effect<void> => {
        const found = Option.getOrUndefined(lease)
        return found?._tag === "Acquired"
          ? Effect.asVoid(call("write", () => store.releaseLease(hash, found.id)))
          : Effect.void
      }
      options.background(
        Effect.flatMap(call("write", () => store.acquireLease(hash, options.leaseTtl)), (found) => {
          if (abandoned) return release(found)
          answer = found
          Deferred.unsafeDone(result, Exit.succeed(found))
          return Effect.void
        })
      )
      return Effect.onInterrupt(Deferred.await(result), () =>
        Effect.suspend(() => {
          abandoned = true
          return answer === undefined ? Effect.void : release(answer)
        }))
    })

  /**
   * `holding` under the key's lease when this replica gets it, released however `holding` ends, and renewed while it
   * runs; `otherwise` when another holds it or the store did not answer. Taking the lease and registering its release
   * are one uninterruptible step. The release runs on a fiber of the layer: a layer that closes sends it and does not
   * wait for its answer (a lease whose release did not arrive runs out within `leaseTtl`).
   */
  const withLease = <A, E>(
    hash: string,
    holding: Effect.Effect<A, E>,
    otherwise: Effect.Effect<A, E>
  ): Effect.Effect<A, E> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(restore(acquireLease(hash)), (answer) => {
        if (Option.isNone(answer) || answer.value._tag === "Held") return restore(otherwise)
        const { id, replacedStale } = answer.value
        const stale = replacedStale
          ? Effect.logWarning(
            "effect-oauth2: replaced a token store lease that nobody renews (no expiry, or longer than leaseTtl)"
          )
          : Effect.void
        const renewed = Effect.scoped(Effect.zipRight(Effect.forkScoped(keepRenewed(hash, id)), holding))
        // released on a fiber of the layer: neither the caller nor the layer's closing waits for it
        return Effect.ensuring(
          restore(Effect.zipRight(stale, renewed)),
          Effect.sync(() => options.background(Effect.asVoid(call("write", () => store.releaseLease(hash, id)))))
        )
      })
    )

  /**
   * The stored token; or the lease and a fetch; or, while another replica holds the lease, a poll of both. A fetch
   * without the lease when the store fails.
   */
  const obtain = (key: RequestKey, hash: string, replacing: Held | undefined): Effect.Effect<Fetched, FetchError> =>
    Effect.flatMap(read(hash, replacing), (found) => {
      if (Option.isSome(found)) return Effect.succeed(found.value)
      if (storeFailing()) return fetchAndWrite(key, hash)
      return withLease(
        hash,
        fetchHoldingLease(key, hash, replacing),
        Effect.suspend(() =>
          storeFailing()
            ? fetchAndWrite(key, hash)
            : Effect.zipRight(Effect.flatMap(pollDelay, Effect.sleep), obtain(key, hash, replacing))
        )
      )
    })

  const fetch = (key: RequestKey, replacing: Held | undefined): Effect.Effect<Fetched, FetchError> =>
    Effect.flatMap(storeKey(key), (hash) => obtain(key, hash, replacing))

  const forget = (key: RequestKey, token: AccessToken.AccessToken): Effect.Effect<void> =>
    Effect.flatMap(storeKey(key), (hash) => Effect.asVoid(call("write", () => store.deleteIf(hash, token.value))))

  return { fetch, forget }
}
