/**
 * How the replicas of a fleet share one token through a `TokenStore` (`TokenService.layerWithStore`). It replaces the
 * fetch of every cell (`Engine.fetch`); the cells, and so the hot path, do not know it exists.
 *
 * A fetch, for a request key and the token it replaces (the rejected one, or the one being refreshed), if any:
 * 1. Reads the store. A token there is the answer when it is one this layer asks for (its token type), its writer
 *    meant it to be live now (below), it has another value than the one replaced, and, for a refresh, it expires
 *    later than the token renewed (a rejected token is worth nothing: any other answers). Its hard expiry on this
 *    replica is now + the time it has left in the store, on this replica's monotonic clock.
 * 2. Otherwise takes the key's lease (`lease.ts`). The holder reads the store once more (a previous holder may have
 *    written its token and released the lease in between), fetches from the token endpoint, writes the token with a
 *    time to live of the time left to its hard expiry, and releases the lease, also when it fails or is interrupted.
 * 3. A replica that does not get the lease polls the store every 50–150 ms (jittered), trying for the lease at each
 *    poll, so that the lease of a holder that died passes to one replica as soon as it runs out.
 *
 * Every store operation is bounded by `storeTimeout` (`guardedStore.ts`); a failure, a defect or no answer is a miss,
 * and a replica that finds the store failing fetches directly (and still tries to write its token).
 *
 * What the writer meant: an entry's token carries its writer's wall-clock `issuedAt` and `expiresAt`. An entry whose
 * `expiresAt` is past, or further away than the token's lifetime, by more than `Timing.maxClockSkewMillis`, was not
 * written as it is read (a blob stored again with a longer time to live, a clock far off): it is a miss. The time a
 * token is held is never longer than its writer's expiry allows, give or take that skew (`Timing.storedTimeToHold`).
 *
 * Which stored token answers, its times on this replica, the time to live of a token written, the poll delay, the
 * lease's renewal and the store's key of a request are decided in `@effect-oauth2/core` (`fleet`, `storeKey`); this
 * module does the store calls and builds the token.
 */
import * as FleetRules from "@effect-oauth2/core/fleet"
import * as StoreKey from "@effect-oauth2/core/storeKey"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as AccessToken from "../AccessToken.js"
import type * as TokenStore from "../TokenStore.js"
import * as EffectLine from "./effectLine.js"
import { GuardedStore } from "./guardedStore.js"
import * as Lease from "./lease.js"
import * as Monotonic from "./monotonic.js"
import type { Fetched, FetchError, Replacing } from "./tokenCell.js"
import type { Issued } from "./tokenEndpoint.js"
import type { RequestKey } from "./tokenRequest.js"

/** How the fleet uses its store. */
export interface Options extends Lease.Options {
  /** The limit on each store operation. */
  readonly storeTimeout: Duration.Duration
  /** How long before expiry a token stops being used (`expiryLeeway`), in millis. */
  readonly leewayMillis: number
  /** The token types the layer asks for: a stored token of another type is a miss. */
  readonly tokenTypes: ReadonlyArray<AccessToken.TokenType>
}

/** One token request to the token endpoint, retries included. */
export type RequestToken = (key: RequestKey) => Effect.Effect<Issued, FetchError>

/**
 * The store's key of a request (`@effect-oauth2/core/storeKey`): synchronous where Node's `crypto` is there (a fetch
 * then waits on nothing but the store), Web Crypto elsewhere.
 */
export const storeKeyOf = (key: RequestKey): Effect.Effect<string> =>
  Effect.suspend(() => {
    const hash = StoreKey.of(key.canonical)
    return typeof hash === "string" ? Effect.succeed(hash) : Effect.promise(() => hash)
  })

/** Polls wait between `pollDelayMinMillis` and `pollDelayMaxMillis`, both included, jittered. */
const pollDelay = Effect.map(
  EffectLine.randomNextIntBetween(FleetRules.pollDelayMinMillis, FleetRules.pollDelayMaxMillis),
  Duration.millis
)

/** Where a stored token is read: what it replaces, both clocks of this replica, and what the layer accepts. */
export interface ReadContext {
  readonly replacing: Replacing | undefined
  /** Monotonic millis. */
  readonly now: number
  /** Wall-clock millis. */
  readonly wallNow: number
  readonly leewayMillis: number
  readonly tokenTypes: ReadonlyArray<AccessToken.TokenType>
}

/**
 * The stored token as this replica holds it, when it answers the fetch: its lifetime, ending at its hard expiry plus
 * the leeway, on both clocks; `undefined` when it is a miss (see the module's comment).
 */
export const fetchedFromStore = (stored: TokenStore.StoredToken, context: ReadContext): Fetched | undefined => {
  const held = FleetRules.heldFromStore({
    token: stored.token,
    tokenType: stored.token.tokenType,
    lifetimeMillis: stored.token.lifetimeMillis,
    writerExpiresAt: DateTime.toEpochMillis(stored.token.expiresAt),
    timeToLiveMillis: Duration.toMillis(stored.timeToLive)
  }, {
    ...context,
    replacing: context.replacing === undefined ? undefined : {
      token: context.replacing.scheduled.token,
      hardExpiresAt: context.replacing.scheduled.hardExpiresAt,
      rejected: context.replacing.rejected
    },
    sameValue: AccessToken.sameValue
  })
  if (held === undefined) return undefined
  return {
    token: new AccessToken.AccessToken({
      value: stored.token.value,
      tokenType: held.tokenType,
      scopes: stored.token.scopes,
      issuedAt: EffectLine.dateTimeMakeUnsafe(held.issuedAt),
      expiresAt: EffectLine.dateTimeMakeUnsafe(held.expiresAt)
    }),
    startedAt: held.startedAt,
    fromStore: true
  }
}

/** A fleet's fetch (`Engine.fetch` through the store), and the clean-up after a rejection. */
export class Fleet {
  private readonly store: GuardedStore
  private readonly storeKeys = new WeakMap<RequestKey, string>()

  constructor(
    store: TokenStore.Service,
    private readonly options: Options,
    private readonly requestToken: RequestToken
  ) {
    this.store = new GuardedStore(store, options.storeTimeout)
  }

  /** A token for `key` from the store, or fetched under the key's lease and written to it. */
  readonly fetch = (key: RequestKey, replacing: Replacing | undefined): Effect.Effect<Fetched, FetchError> =>
    Effect.flatMap(this.storeKey(key), (hash) => this.readOrFetch(key, hash, replacing))

  /** Deletes the stored token of `key` if it still is `token`: called when an API rejected it. */
  readonly forget = (key: RequestKey, token: AccessToken.AccessToken): Effect.Effect<void> =>
    Effect.flatMap(this.storeKey(key), (hash) => Effect.asVoid(this.store.deleteIf(hash, token.value)))

  private storeKey(key: RequestKey): Effect.Effect<string> {
    const known = this.storeKeys.get(key)
    if (known !== undefined) return Effect.succeed(known)
    return Effect.map(storeKeyOf(key), (hash) => {
      this.storeKeys.set(key, hash)
      return hash
    })
  }

  /**
   * The stored token; or the lease and a fetch; or, while another replica holds the lease, a poll of both. A fetch
   * without the lease when the store fails.
   */
  private readOrFetch(
    key: RequestKey,
    hash: string,
    replacing: Replacing | undefined
  ): Effect.Effect<Fetched, FetchError> {
    const fetchUnlessStored = (found: Option.Option<Fetched>) =>
      Option.isSome(found) ? Effect.succeed(found.value) : this.fetchAndWrite(key, hash)
    return Effect.flatMap(this.read(hash, replacing), (found) => {
      if (Option.isSome(found) || this.store.isFailing()) return fetchUnlessStored(found)
      return Lease.withLease(this.store, this.options, hash, {
        // under the lease, the store once more: the previous holder may have written its token and released the
        // lease between this replica's read and its taking the lease
        holding: Effect.flatMap(this.read(hash, replacing), fetchUnlessStored),
        otherwise: Effect.suspend(() =>
          this.store.isFailing()
            ? this.fetchAndWrite(key, hash)
            : Effect.andThen(Effect.flatMap(pollDelay, Effect.sleep), this.readOrFetch(key, hash, replacing))
        )
      })
    })
  }

  private read(hash: string, replacing: Replacing | undefined): Effect.Effect<Option.Option<Fetched>> {
    return Effect.flatMap(
      this.store.get(hash),
      (stored) =>
        Effect.clockWith((clock) =>
          Effect.map(clock.currentTimeMillis, (wallNow) => {
            const found = Option.getOrUndefined(Option.flatten(stored))
            const fetched = found && fetchedFromStore(found, {
              replacing,
              now: Monotonic.nowUnsafe(clock),
              wallNow,
              leewayMillis: this.options.leewayMillis,
              tokenTypes: this.options.tokenTypes
            })
            return fetched === undefined ? Option.none() : Option.some(fetched)
          })
        )
    )
  }

  private fetchAndWrite(key: RequestKey, hash: string): Effect.Effect<Fetched, FetchError> {
    return this.requestToken(key).pipe(
      Effect.tap((issued) => this.write(hash, issued)),
      Effect.map((issued): Fetched => ({ ...issued, fromStore: false }))
    )
  }

  private write(hash: string, issued: Issued): Effect.Effect<void> {
    return Effect.flatMap(Monotonic.now, (now) => {
      const timeToLive = FleetRules.timeToLiveOf({
        startedAt: issued.startedAt,
        lifetimeMillis: issued.token.lifetimeMillis,
        leewayMillis: this.options.leewayMillis,
        now
      })
      return timeToLive === undefined
        ? Effect.void
        : Effect.asVoid(this.store.set(hash, issued.token, Duration.millis(timeToLive)))
    })
  }
}

/** A fleet fetching through `store`; `requestToken` is one token request to the token endpoint, retries included. */
export const make = (store: TokenStore.Service, options: Options, requestToken: RequestToken): Fleet =>
  new Fleet(store, options, requestToken)
