/**
 * What a `TokenStore` is, the same on each line: the service's interface, its models (a stored token, the answer to a
 * lease) and the store in this process's memory. `TokenStore.ts` exports them, beside what each line writes in its own
 * words: the error, the service's key and the layer.
 */
import { MemoryStore } from "@effect-oauth2/core/memoryStore"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as AccessToken from "../AccessToken.js"
import type { TokenStoreError } from "../TokenStore.js"
import * as Monotonic from "./monotonic.js"

/**
 * A token read from a store, with the time it has left there. A reader takes its own expiry from `timeToLive`, on its
 * own clock, never from the writer's clock (`token.issuedAt` and `token.expiresAt` are the writer's; only their
 * difference, the lifetime, is used).
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredToken {
  readonly token: AccessToken.AccessToken
  /** How long the entry has left in the store: the time to the token's hard expiry, as its writer set it. */
  readonly timeToLive: Duration.Duration
}

/**
 * Names the holder of a lease: given by `acquireLease`, needed by `releaseLease`, so that a holder whose lease ran out
 * and passed to another never releases the other's.
 *
 * @since 0.1.0
 * @category models
 */
export type LeaseId = string

/**
 * What `acquireLease` found: the lease, now this caller's (`Acquired`), or another's (`Held`).
 *
 * `replacedStale` says the key held a lease that nobody renews — one without an expiry, or with more time left than
 * the `timeToLive` asked for (a holder renews its lease for that time at most) — which this one replaced: the library
 * logs a warning, as such a lease was made by hand or by a migration, not by a replica.
 *
 * @since 0.1.0
 * @category models
 */
export type LeaseResult =
  | { readonly _tag: "Acquired"; readonly id: LeaseId; readonly replacedStale: boolean }
  | { readonly _tag: "Held" }

/**
 * The lease is this caller's, under `id`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const acquired = (id: LeaseId, options?: { readonly replacedStale?: boolean }): LeaseResult => ({
  _tag: "Acquired",
  id,
  replacedStale: options?.replacedStale === true
})

/**
 * Another holds the lease.
 *
 * @since 0.1.0
 * @category constructors
 */
export const held: LeaseResult = { _tag: "Held" }

/**
 * What a token store does. Every `key` is 64 hexadecimal characters, the SHA-256 of one token request's canonical
 * form (token endpoint, client, authentication method, key thumbprint, scopes, audience, resources, extra
 * parameters): never a secret, never the request in clear. A store may prefix it. The token of a key and its lease
 * are separate entries.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The token stored under `key` with its time left, if there is one. */
  readonly get: (key: string) => Effect.Effect<Option.Option<StoredToken>, TokenStoreError>
  /** Stores `token` under `key` for `timeToLive`, replacing any token there. */
  readonly set: (
    key: string,
    token: AccessToken.AccessToken,
    timeToLive: Duration.Duration
  ) => Effect.Effect<void, TokenStoreError>
  /**
   * Takes the lease of `key` for `timeToLive` if nobody holds it (atomically: of all the replicas that try, one gets
   * it); `Held` when another holds it. A lease with no expiry, or with more time left than `timeToLive`, is stale: it
   * is replaced in the same atomic step (`Acquired` with `replacedStale`).
   */
  readonly acquireLease: (key: string, timeToLive: Duration.Duration) => Effect.Effect<LeaseResult, TokenStoreError>
  /**
   * Gives the lease of `key` `timeToLive` from now if `id` still holds it (compare and expire, atomically); whether it
   * did. The holder renews its lease while its fetch runs, so that the lease lasts as long as the fetch.
   */
  readonly renewLease: (key: string, id: LeaseId, timeToLive: Duration.Duration) => Effect.Effect<
    boolean,
    TokenStoreError
  >
  /** Releases the lease of `key` if `id` still holds it (compare and delete, atomically). */
  readonly releaseLease: (key: string, id: LeaseId) => Effect.Effect<void, TokenStoreError>
  /**
   * Deletes the token of `key` if it is still the one with this value (compare and delete), so that a token an API
   * rejected is not handed to the next replica; `true` when it was deleted.
   */
  readonly deleteIf: (key: string, tokenValue: Redacted.Redacted<string>) => Effect.Effect<boolean, TokenStoreError>
}

/**
 * A store in the memory of this process, its entries expiring on Effect's monotonic `Clock` (so `TestClock` drives
 * it, and a step of the wall clock does not). Hands out a new `AccessToken` object on every `get`, as a store across
 * processes does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.sync(() => {
  const store = new MemoryStore<AccessToken.AccessToken>((token) => Redacted.value(token.value))
  const atNow = <A>(step: (now: number) => A): Effect.Effect<A> => Effect.map(Monotonic.now, step)
  const service: Service = {
    get: (key) =>
      atNow((now) => {
        const found = store.get(key, now)
        return found === undefined
          ? Option.none()
          : Option.some({
            token: new AccessToken.AccessToken({ ...found.token }),
            timeToLive: Duration.millis(found.timeToLiveMillis)
          })
      }),
    set: (key, token, timeToLive) => atNow((now) => store.set(key, token, Duration.toMillis(timeToLive), now)),
    acquireLease: (key, timeToLive) => atNow((now) => store.acquireLease(key, Duration.toMillis(timeToLive), now)),
    renewLease: (key, id, timeToLive) => atNow((now) => store.renewLease(key, id, Duration.toMillis(timeToLive), now)),
    releaseLease: (key, id) => Effect.sync(() => store.releaseLease(key, id)),
    deleteIf: (key, tokenValue) => atNow((now) => store.deleteIf(key, Redacted.value(tokenValue), now))
  }
  return service
})
