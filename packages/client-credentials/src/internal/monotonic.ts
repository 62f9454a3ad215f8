/**
 * The time schedules are computed on: Effect's monotonic clock (`Clock.currentTimeNanos`), in milliseconds. It never
 * steps when the wall clock does (an NTP step, a VM restored), and `TestClock` drives it as it drives the wall clock.
 * Wall-clock time (`Clock.currentTimeMillis`) is only for what users read (`AccessToken.issuedAt`, `expiresAt`) and
 * for comparing with times other machines wrote.
 */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/** `clock`'s monotonic time in milliseconds (fractional). */
export const nowUnsafe = (clock: Clock.Clock): number => Number(clock.unsafeCurrentTimeNanos()) / 1_000_000

/** The monotonic time in milliseconds, from the `Clock` in context. */
export const now: Effect.Effect<number> = Effect.clockWith((clock) => Effect.sync(() => nowUnsafe(clock)))
