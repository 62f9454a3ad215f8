/**
 * A fleet's lease on a request key: one replica at a time fetches its token. The holder renews it every third of
 * `leaseTtl` while its work runs, so one replica fetches however long that takes (a long `Retry-After`), and a holder
 * that dies loses its lease within `leaseTtl`. A lease nobody renews (no expiry, or more time left than `leaseTtl`:
 * made by hand or by a migration) is replaced by the store when it is tried for, and logged as a warning.
 *
 * The lease is taken on a fiber of the layer: work stopped while the lease is being taken stops waiting at once, and a
 * lease granted after that is released in the background. The release runs on a fiber of the layer too: neither the
 * holder nor a layer that closes waits for its answer (a lease whose release did not arrive runs out within
 * `leaseTtl`).
 */
import * as FleetRules from "@effect-oauth2/core/fleet"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as TokenStore from "../TokenStore.js"
import * as EffectLine from "./effectLine.js"
import type { GuardedStore } from "./guardedStore.js"

/** How leases are taken. */
export interface Options {
  /** How long a lease lasts unless its holder renews it. */
  readonly leaseTtl: Duration.Duration
  /** Runs `effect` on a fiber of the layer, interrupted when the layer closes. */
  readonly background: (effect: Effect.Effect<void>) => void
}

/** The lease `found` says this replica got, if it got one. */
const acquiredOf = (found: Option.Option<TokenStore.LeaseResult>): TokenStore.LeaseId | undefined =>
  Option.isSome(found) && found.value._tag === "Acquired" ? found.value.id : undefined

/** Releases the lease `found` says this replica got, if it got one. */
const releaseIfAcquired = (
  store: GuardedStore,
  key: string,
  found: Option.Option<TokenStore.LeaseResult>
): Effect.Effect<void> => {
  const id = acquiredOf(found)
  return id === undefined ? Effect.void : Effect.asVoid(store.releaseLease(key, id))
}

/**
 * The store's answer to `acquireLease`, taken on a fiber of the layer. A caller interrupted while it waits stops
 * waiting at once; a lease granted after that is released by that fiber, or by the interrupted caller when the answer
 * came just before its interruption.
 */
const acquire = (
  store: GuardedStore,
  options: Options,
  key: string
): Effect.Effect<Option.Option<TokenStore.LeaseResult>> =>
  Effect.suspend(() => {
    let abandoned = false
    let answer: Option.Option<TokenStore.LeaseResult> | undefined
    const result = EffectLine.deferredMakeUnsafe<Option.Option<TokenStore.LeaseResult>>()
    options.background(
      Effect.flatMap(store.acquireLease(key, options.leaseTtl), (found) => {
        if (abandoned) return releaseIfAcquired(store, key, found)
        answer = found
        EffectLine.deferredDoneUnsafe(result, Exit.succeed(found))
        return Effect.void
      })
    )
    return Effect.onInterrupt(Deferred.await(result), () =>
      Effect.suspend(() => {
        abandoned = true
        return answer === undefined ? Effect.void : releaseIfAcquired(store, key, answer)
      }))
  })

/** Renews the lease every third of its time to live, until the store says it is no longer this holder's. */
const keepRenewed = (
  store: GuardedStore,
  leaseTtl: Duration.Duration,
  key: string,
  id: TokenStore.LeaseId
): Effect.Effect<unknown> =>
  Effect.repeat(
    Effect.delay(
      store.renewLease(key, id, leaseTtl),
      Duration.millis(FleetRules.leaseRenewalMillis(Duration.toMillis(leaseTtl)))
    ),
    // a store that failed is tried again; one that said no ends it
    { while: (renewed) => Option.getOrElse(renewed, () => true) }
  )

/**
 * `holding` under `key`'s lease when this replica gets it, released however `holding` ends, and renewed while it
 * runs; `otherwise` when another holds it or the store did not answer. Taking the lease and registering its release
 * are one uninterruptible step.
 */
export const withLease = <A, E>(
  store: GuardedStore,
  options: Options,
  key: string,
  work: { readonly holding: Effect.Effect<A, E>; readonly otherwise: Effect.Effect<A, E> }
): Effect.Effect<A, E> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(restore(acquire(store, options, key)), (answer) => {
      const lease = Option.getOrUndefined(answer)
      if (lease?._tag !== "Acquired") return restore(work.otherwise)
      const { id, replacedStale } = lease
      const renewed = Effect.scoped(
        Effect.andThen(Effect.forkScoped(keepRenewed(store, options.leaseTtl, key, id)), work.holding)
      )
      return Effect.ensuring(
        restore(
          replacedStale ? Effect.andThen(Effect.logWarning(FleetRules.staleLeaseReplacedMessage), renewed) : renewed
        ),
        Effect.sync(() => options.background(Effect.asVoid(store.releaseLease(key, id))))
      )
    })
  )
