/**
 * How the replicas of a fleet share one token through a `TokenStore` (`TokenService.layerWithStore`). It replaces the
 * fetch of every cell (`Engine.fetch`); the cells, and so the hot path, do not know it exists.
 *
 * A fetch, for a request key and the token it replaces (the rejected one, or the one being refreshed), if any:
 * 1. Reads the store. A token there with another value than the one replaced, expiring later, is the answer. Its hard
 *    expiry on this replica is now + the time it has left in the store: this replica's clock, never the writer's.
 * 2. Otherwise takes the key's lease (`leaseTtl`). The holder reads the store once more (a previous holder may have
 *    written its token and released the lease in between), fetches from the token endpoint, writes the token with a
 *    time to live of the time left to its hard expiry, and releases the lease, also when it fails or is interrupted.
 * 3. A replica that does not get the lease polls the store every 50–150 ms (jittered), trying for the lease at each
 *    poll, so that the lease of a holder that died passes to one replica as soon as it runs out. After twice the
 *    lease's TTL it fetches directly: nobody waits on the fleet longer than that.
 *
 * Every store operation runs with `storeTimeout`; a failure, a defect or no answer is a miss, and a replica that
 * finds the store failing fetches directly (and still tries to write its token). An entry that cannot be read
 * (`InvalidEntry`: garbage, sealed with another key) is a miss too, but the store answered.
 *
 * The store's health, for the logs (`Health`; every transition replaces the whole value):
 * - `Answering` — an operation fails → `Failing`, logging one warning: one per outage, not per call.
 * - `Failing` — an operation answers → `Answering`, logging that the store is used again.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as AccessToken from "../AccessToken.js"
import * as TokenStore from "../TokenStore.js"
import { nodeModule } from "./builtins.js"
import type { Fetched, FetchError, Held } from "./tokenCell.js"
import { hardExpiryOf } from "./tokenCell.js"
import type { RequestKey } from "./tokenRequest.js"

/** How the fleet uses its store. */
export interface Options {
  /** The limit on each store operation. */
  readonly storeTimeout: Duration.Duration
  /** How long a lease holds: the longest a fetch from the token endpoint may take. */
  readonly leaseTtl: Duration.Duration
  /** How long before expiry a token stops being used (`expiryLeeway`), in millis. */
  readonly leewayMillis: number
}

/** A fleet's fetch, and the clean-up after a rejection. */
export interface Fleet {
  /** `Engine.fetch` through the store. */
  readonly fetch: (key: RequestKey, replacing: Held | undefined) => Effect.Effect<Fetched, FetchError>
  /** Deletes the stored token of `key` if it still is `token`: called when an API rejected it. */
  readonly forget: (key: RequestKey, token: AccessToken.AccessToken) => Effect.Effect<void>
}

/** The store's health, for one warning per outage. */
type Health = { readonly _tag: "Answering" } | { readonly _tag: "Failing" }

const answering: Health = { _tag: "Answering" }
const failing: Health = { _tag: "Failing" }

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

/** A fleet fetching through `store`; `direct` is one token request to the token endpoint, retries included. */
export const make = (
  store: TokenStore.Service,
  options: Options,
  direct: (key: RequestKey) => Effect.Effect<AccessToken.AccessToken, FetchError>
): Fleet => {
  let health: Health = answering
  const storeKeys = new WeakMap<RequestKey, string>()
  // read anew after each store call: a function, so that the type checker does not narrow it across them
  const storeFailing = (): boolean => health._tag === "Failing"

  const storeKey = (key: RequestKey): Effect.Effect<string> => {
    const known = storeKeys.get(key)
    return known !== undefined ? Effect.succeed(known) : Effect.tap(storeKeyOf(key), (hash) => {
      storeKeys.set(key, hash)
    })
  }

  const answered: Effect.Effect<void> = Effect.suspend(() => {
    if (health._tag === "Answering") return Effect.void
    health = answering
    return Effect.logInfo("effect-oauth2: token store answering again; sharing tokens through it")
  })

  const failed = (cause: Cause.Cause<TokenStore.TokenStoreError>): Effect.Effect<void> => {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure) && failure.value.reason === "InvalidEntry") {
      return Effect.zipRight(
        answered,
        Effect.logDebug("effect-oauth2: token store entry unreadable; treated as a miss").pipe(
          Effect.annotateLogs({ detail: failure.value.detail })
        )
      )
    }
    if (storeFailing()) return Effect.void
    health = failing
    // a defect's text is not logged: it comes from the store's code and may quote what it was given
    const detail = Option.isSome(failure) ? failure.value.message : "an unexpected defect"
    return Effect.logWarning("effect-oauth2: token store failing; fetching tokens directly until it answers").pipe(
      Effect.annotateLogs({ error: detail })
    )
  }

  /** `operation` with the timeout: its value, or `None` when it failed in any way but an interruption. */
  const call = <A>(operation: () => Effect.Effect<A, TokenStore.TokenStoreError>): Effect.Effect<Option.Option<A>> =>
    Effect.suspend(operation).pipe(
      Effect.timeoutFail({
        duration: options.storeTimeout,
        onTimeout: () =>
          new TokenStore.TokenStoreError({
            reason: "Unavailable",
            detail: `no answer within ${Duration.format(options.storeTimeout)}`
          })
      }),
      Effect.matchCauseEffect({
        onSuccess: (value) => Effect.as(answered, Option.some(value)),
        onFailure: (cause) =>
          Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.as(failed(cause), Option.none())
      })
    )

  /** The stored token as this replica holds it, when it is the answer to a fetch replacing `replacing`. */
  const usable = (
    stored: TokenStore.StoredToken,
    replacing: Held | undefined,
    now: number
  ): Option.Option<AccessToken.AccessToken> => {
    const lifetime = stored.token.lifetimeMillis
    const leeway = Math.min(options.leewayMillis, lifetime / 2)
    // never longer than the token's own usable life, whatever the store says
    const timeToLive = Math.min(Duration.toMillis(stored.timeToLive), lifetime - leeway)
    if (!(lifetime > 0 && timeToLive > 0)) return Option.none()
    const hardExpiresAt = now + timeToLive
    if (
      replacing !== undefined &&
      (AccessToken.sameValue(stored.token, replacing.token) || hardExpiresAt < replacing.hardExpiresAt)
    ) return Option.none()
    const expiresAt = hardExpiresAt + leeway
    return Option.some(AccessToken.AccessToken.make({
      value: stored.token.value,
      tokenType: stored.token.tokenType,
      scopes: stored.token.scopes,
      issuedAt: DateTime.unsafeMake(expiresAt - lifetime),
      expiresAt: DateTime.unsafeMake(expiresAt)
    }))
  }

  const read = (key: string, replacing: Held | undefined): Effect.Effect<Option.Option<AccessToken.AccessToken>> =>
    Effect.flatMap(
      call(() => store.get(key)),
      (stored) =>
        Effect.map(
          Clock.currentTimeMillis,
          (now) => Option.flatMap(Option.flatten(stored), (found) => usable(found, replacing, now))
        )
    )

  const write = (key: string, token: AccessToken.AccessToken): Effect.Effect<void> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const timeToLive = hardExpiryOf(token, options.leewayMillis) - now
      return timeToLive > 0
        ? Effect.asVoid(call(() => store.set(key, token, Duration.millis(timeToLive))))
        : Effect.void
    })

  const fromStore = (token: AccessToken.AccessToken): Fetched => ({ token, fromStore: true })
  const fromEndpoint = (token: AccessToken.AccessToken): Fetched => ({ token, fromStore: false })

  const fetchAndWrite = (key: RequestKey, hash: string): Effect.Effect<Fetched, FetchError> =>
    Effect.map(Effect.tap(direct(key), (token) => write(hash, token)), fromEndpoint)

  /**
   * Under the lease: the store once more (the previous holder may have written its token and released the lease
   * between this replica's read and its `SET NX`), then a fetch.
   */
  const fetchHoldingLease = (key: RequestKey, hash: string, replacing: Held | undefined) =>
    Effect.flatMap(
      read(hash, replacing),
      Option.match({ onSome: (token) => Effect.succeed(fromStore(token)), onNone: () => fetchAndWrite(key, hash) })
    )

  /**
   * `holding` under the key's lease when this replica gets it, released however `holding` ends; `otherwise` when
   * another holds it. Taking the lease and registering its release are one uninterruptible step (the store call is
   * bounded by `storeTimeout`), so that an interruption never leaves a lease nobody releases.
   */
  const withLease = <A, E>(
    hash: string,
    holding: Effect.Effect<A, E>,
    otherwise: Effect.Effect<A, E>
  ): Effect.Effect<A, E> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(call(() => store.acquireLease(hash, options.leaseTtl)), (answer) => {
        const lease = Option.flatten(answer)
        return Option.isSome(lease)
          ? Effect.ensuring(restore(holding), call(() => store.releaseLease(hash, lease.value)))
          : restore(otherwise)
      })
    )

  /**
   * The stored token; or the lease and a fetch; or, while another replica holds the lease, a poll of both until
   * `deadline`, then a fetch. A fetch without the lease when the store fails.
   */
  const obtain = (
    key: RequestKey,
    hash: string,
    replacing: Held | undefined,
    deadline: number
  ): Effect.Effect<Fetched, FetchError> =>
    Effect.flatMap(read(hash, replacing), (found) => {
      if (Option.isSome(found)) return Effect.succeed(fromStore(found.value))
      if (storeFailing()) return fetchAndWrite(key, hash)
      return withLease(
        hash,
        fetchHoldingLease(key, hash, replacing),
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          storeFailing() || now >= deadline
            ? fetchAndWrite(key, hash)
            : Effect.zipRight(Effect.flatMap(pollDelay, Effect.sleep), obtain(key, hash, replacing, deadline)))
      )
    })

  const fetch = (key: RequestKey, replacing: Held | undefined): Effect.Effect<Fetched, FetchError> =>
    Effect.gen(function*() {
      const hash = yield* storeKey(key)
      const deadline = (yield* Clock.currentTimeMillis) + 2 * Duration.toMillis(options.leaseTtl)
      return yield* obtain(key, hash, replacing, deadline)
    })

  const forget = (key: RequestKey, token: AccessToken.AccessToken): Effect.Effect<void> =>
    Effect.flatMap(storeKey(key), (hash) => Effect.asVoid(call(() => store.deleteIf(hash, token.value))))

  return { fetch, forget }
}
