/**
 * What the single-process soak (`single.ts`, written once for both lines and linked into `packages/effect4/soak`)
 * takes from its Effect line where the two lines differ, as Effect 3 gives it; the Effect 4 line's
 * `packages/effect4/soak/effectLine.ts` gives the same names from Effect 4.
 */
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Supervisor from "effect/Supervisor"

/** The fibers an effect starts, followed until they end. */
export interface FiberTracker {
  /** `self`, with every fiber it forks, and every fiber those fork, tracked. */
  readonly track: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** How many of the tracked fibers are alive now. */
  readonly alive: () => number
}

/** A tracker: `Supervisor.track`, which keeps the supervised fibers that have not ended. */
export const trackFibers = (): FiberTracker => {
  const supervisor = Effect.runSync(Supervisor.track)
  return {
    track: (self) => Effect.supervised(self, supervisor),
    alive: () => Effect.runSync(supervisor.value).length
  }
}

/** The error of `cause` when it is one failure, else the kind of cause it is (`Die`, `Interrupt`, `Sequential`, …). */
export const failureOf = <E>(cause: Cause.Cause<E>): { readonly error: E } | { readonly kind: string } =>
  cause._tag === "Fail" ? { error: cause.error } : { kind: cause._tag }
