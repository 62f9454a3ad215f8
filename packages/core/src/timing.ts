/**
 * When a token is used, refreshed and given up, and how long a failure or a shared entry is kept: the arithmetic, on
 * one timeline of milliseconds (the monotonic clock's, in the Effect lines), given the jitter draw.
 */

/**
 * How long before a token's expiry it stops being used: the leeway asked for, at most half its lifetime.
 *
 * @since 0.1.0
 * @category constructors
 */
export const leewayOf = (lifetimeMillis: number, leewayMillis: number): number =>
  Math.min(leewayMillis, lifetimeMillis / 2)

/**
 * A token's schedule: when the server's lifetime ends (`expiresAt`), when no caller gets it any more
 * (`hardExpiresAt`), and from when a call starts a background refresh (`refreshAt`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Schedule {
  readonly expiresAt: number
  readonly hardExpiresAt: number
  readonly refreshAt: number
}

/**
 * The schedule of a token whose lifetime began at `startedAt`. The refresh point is `refreshAhead` of its usable
 * life (issue to hard expiry), less a jitter of up to 10 % of it (never more than half `refreshAhead`: a token is
 * never refreshed before it is a moment old), `random` in [0, 1); with `refreshAhead` `false`, the hard expiry.
 * The jitter spreads the refreshes of many replicas that got their tokens at the same moment.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scheduleOf = (options: {
  readonly startedAt: number
  readonly lifetimeMillis: number
  readonly leewayMillis: number
  readonly refreshAhead: number | false
  readonly random: number
}): Schedule => {
  const { lifetimeMillis, refreshAhead, startedAt } = options
  const expiresAt = startedAt + lifetimeMillis
  const hardExpiresAt = expiresAt - leewayOf(lifetimeMillis, options.leewayMillis)
  const usable = hardExpiresAt - startedAt
  const refreshAt = refreshAhead === false
    ? hardExpiresAt
    : Math.min(
      hardExpiresAt,
      startedAt + refreshAhead * usable - options.random * Math.min(0.1, refreshAhead / 2) * usable
    )
  return { expiresAt, hardExpiresAt, refreshAt }
}

/**
 * When a refresh that failed at `now` tries again: after 10 % of the time left to the hard expiry, at least 1 s, and
 * never after the hard expiry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const refreshRetryAt = (hardExpiresAt: number, now: number): number =>
  Math.min(hardExpiresAt, now + Math.max(1000, 0.1 * (hardExpiresAt - now)))

/**
 * How long a `TokenError` that is not terminal (a 404, an HTML page, `invalid_grant`, …) is answered from memory, in
 * millis, at most.
 *
 * @since 0.1.0
 * @category models
 */
export const nonTerminalMemoryMillis = 1000

/**
 * How long a failure is answered from memory, in millis: a terminal one for the cool-down, another `TokenError` for
 * 1 s or the cool-down if shorter, anything else (a `NetworkError`, a defect) not at all.
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryOf = (failure: "terminal" | "tokenError" | "other", cooldownMillis: number): number =>
  failure === "terminal"
    ? cooldownMillis
    : failure === "tokenError"
    ? Math.min(nonTerminalMemoryMillis, cooldownMillis)
    : 0

/**
 * How far replicas' wall clocks may disagree, in millis: the slack allowed around the expiry a shared entry's writer
 * gave it.
 *
 * @since 0.1.0
 * @category models
 */
export const maxClockSkewMillis = 30_000

/**
 * How long a replica may hold a token read from a shared store, in millis from now: the time the entry has left in
 * the store, at most the token's usable lifetime, and at most what its writer's expiry allows (`maxClockSkewMillis`
 * of slack); `undefined` when its writer cannot have meant it to be live now: its expiry, on the writer's wall clock,
 * is past or further away than its lifetime, by more than the skew (a blob stored again with a longer time to live,
 * a clock far off).
 *
 * @since 0.1.0
 * @category constructors
 */
export const storedTimeToHold = (options: {
  readonly lifetimeMillis: number
  /** The time the entry has left in the store. */
  readonly timeToLiveMillis: number
  /** The token's expiry as its writer wrote it, on the wall clock. */
  readonly writerExpiresAt: number
  /** This replica's wall clock. */
  readonly wallNow: number
  readonly leewayMillis: number
}): number | undefined => {
  const lifetime = options.lifetimeMillis
  if (!(lifetime > 0)) return undefined
  const leeway = leewayOf(lifetime, options.leewayMillis)
  const writerTimeLeft = options.writerExpiresAt - options.wallNow
  if (writerTimeLeft < -maxClockSkewMillis || writerTimeLeft > lifetime + maxClockSkewMillis) return undefined
  const time = Math.min(options.timeToLiveMillis, lifetime - leeway, writerTimeLeft - leeway + maxClockSkewMillis)
  return time > 0 ? time : undefined
}
