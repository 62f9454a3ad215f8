/**
 * What a fleet's replicas decide about the token they share through a store, in plain data: which stored token
 * answers a fetch and its times on this replica, how long a token is written for, how long a replica waits between
 * polls, and how often a lease is renewed. Each Effect line's shell reads and writes the store, takes the lease and
 * builds its own token from the times given here.
 *
 * A stored token answers a fetch when it is of a type the layer asks for, its writer meant it to be live now
 * (`Timing.storedTimeToHold`: its writer's wall-clock expiry is neither past nor further away than its lifetime, by
 * more than `Timing.maxClockSkewMillis`), it has another value than the token it replaces, and, when that token is
 * being refreshed, it expires later (a rejected token is worth nothing: any other answers, though a server that
 * varies its tokens' lifetimes may have given it a shorter one). Its hard expiry on this replica is now + the time it
 * may be held, on this replica's monotonic clock.
 */
import * as Timing from "./timing.js"
import { acceptedTokenType } from "./tokenResponse.js"

/**
 * A token as a store gave it, its times read: `T` is the shell's token, which only `sameValue` looks into.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stored<T> {
  readonly token: T
  /** The token type as stored. */
  readonly tokenType: string
  /** The lifetime its writer gave it (expiry less issue). */
  readonly lifetimeMillis: number
  /** Its expiry as its writer wrote it, on the wall clock (epoch millis). */
  readonly writerExpiresAt: number
  /** The time the entry has left in the store. */
  readonly timeToLiveMillis: number
}

/**
 * Where a stored token is read: the token the fetch replaces with its hard expiry, if any, and whether it was
 * rejected (`rejected`) or is being refreshed; both clocks of this replica; the leeway; the token types the layer
 * asks for.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadContext<T, K extends string> {
  readonly replacing:
    | { readonly token: T; readonly hardExpiresAt: number; readonly rejected: boolean }
    | undefined
  /** Whether two tokens carry the same value. */
  readonly sameValue: (stored: T, replaced: T) => boolean
  /** Monotonic millis. */
  readonly now: number
  /** Wall-clock millis. */
  readonly wallNow: number
  readonly leewayMillis: number
  readonly tokenTypes: ReadonlyArray<K>
}

/**
 * A stored token as this replica holds it: its type as the layer spells it, its lifetime on the wall clock (what a
 * user reads: `issuedAt` and `expiresAt`, the same lifetime as its writer's, ending at this replica's hard expiry
 * plus the leeway), and when that lifetime began on the monotonic clock (`startedAt`, what its schedule is computed
 * from).
 *
 * @since 0.1.0
 * @category models
 */
export interface Held<K extends string> {
  readonly tokenType: K
  readonly issuedAt: number
  readonly expiresAt: number
  readonly startedAt: number
}

/**
 * The stored token as this replica holds it, when it answers the fetch; `undefined` when it is a miss (see the
 * module's comment).
 *
 * @since 0.1.0
 * @category constructors
 */
export const heldFromStore = <T, K extends string>(
  stored: Stored<T>,
  context: ReadContext<T, K>
): Held<K> | undefined => {
  const tokenType = acceptedTokenType(context.tokenTypes, stored.tokenType)
  const lifetime = stored.lifetimeMillis
  const time = Timing.storedTimeToHold({
    lifetimeMillis: lifetime,
    timeToLiveMillis: stored.timeToLiveMillis,
    writerExpiresAt: stored.writerExpiresAt,
    wallNow: context.wallNow,
    leewayMillis: context.leewayMillis
  })
  if (tokenType === undefined || time === undefined) return undefined
  const hardExpiresAt = context.now + time
  // never the token replaced; a refresh takes none that expires sooner than the one it renews, while a rejected
  // token is worth nothing: any other answers (tokens of varying lifetimes, as Entra ID's, may expire sooner)
  const replacing = context.replacing
  if (
    replacing !== undefined &&
    (context.sameValue(stored.token, replacing.token) ||
      (!replacing.rejected && hardExpiresAt < replacing.hardExpiresAt))
  ) return undefined
  const leeway = Timing.leewayOf(lifetime, context.leewayMillis)
  const expiresAt = context.wallNow + time + leeway
  return { tokenType, issuedAt: expiresAt - lifetime, expiresAt, startedAt: hardExpiresAt + leeway - lifetime }
}

/**
 * How long a token whose lifetime began at `startedAt` (monotonic millis) is written to a store for, in millis from
 * `now`: the time left to its hard expiry; `undefined` when none is left (it is not written).
 *
 * @since 0.1.0
 * @category constructors
 */
export const timeToLiveOf = (options: {
  readonly startedAt: number
  readonly lifetimeMillis: number
  readonly leewayMillis: number
  readonly now: number
}): number | undefined => {
  const lifetime = options.lifetimeMillis
  const time = options.startedAt + lifetime - Timing.leewayOf(lifetime, options.leewayMillis) - options.now
  return time > 0 ? time : undefined
}

/**
 * The shortest wait between two polls of a replica that did not get the lease, in millis.
 *
 * @since 0.1.0
 * @category models
 */
export const pollDelayMinMillis = 50

/**
 * The longest wait between two polls, in millis, included: each wait is drawn between the two, so that the replicas'
 * polls spread.
 *
 * @since 0.1.0
 * @category models
 */
export const pollDelayMaxMillis = 150

/**
 * How often the holder of a lease renews it, in millis: every third of its time to live, so that a renewal that is
 * late or lost once still comes before the lease runs out.
 *
 * @since 0.1.0
 * @category constructors
 */
export const leaseRenewalMillis = (leaseTtlMillis: number): number => leaseTtlMillis / 3

/**
 * The warning logged when a lease that nobody renews (no expiry, or more time left than `leaseTtl`: made by hand or by
 * a migration) was replaced.
 *
 * @since 0.1.0
 * @category models
 */
export const staleLeaseReplacedMessage =
  "effect-oauth2: replaced a token store lease that nobody renews (no expiry, or longer than leaseTtl)"
