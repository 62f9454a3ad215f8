/**
 * What the single-process soak (`single.ts`, written once for both lines and linked from `soak/`) takes from its
 * Effect line where the two lines differ, as Effect 4 gives it; the Effect 3 line's `soak/effectLine.ts` gives the
 * same names from Effect 3.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"

/** The fibers an effect starts, followed until they end. */
export interface FiberTracker {
  /** `self`, with every fiber it forks, and every fiber those fork, tracked. */
  readonly track: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** How many of the tracked fibers are alive now. */
  readonly alive: () => number
}

/**
 * A tracker. Effect 4 has no `Supervisor`; the runtime tells the `Metric.FiberRuntimeMetrics` service of the context
 * each fiber is made in when that fiber starts and when it ends, and a fiber inherits its parent's context (a detached
 * fork as well, and the fibers a layer runs from a context it captured). Provided around `self`, a service that counts
 * both gives the fibers started inside `self` and not ended yet. `self`'s own fiber is not counted: it was made before
 * the service was provided.
 */
export const trackFibers = (): FiberTracker => {
  let started = 0
  let ended = 0
  const counter: Metric.FiberRuntimeMetricsService = {
    recordFiberStart: () => {
      started++
    },
    recordFiberEnd: () => {
      ended++
    }
  }
  return {
    track: (self) => Effect.provideService(self, Metric.FiberRuntimeMetrics, counter),
    alive: () => started - ended
  }
}

/** The error of `cause` when it is one failure, else the kind of cause it is (`Die`, `Interrupt`, `Composite`, …). */
export const failureOf = <E>(cause: Cause.Cause<E>): { readonly error: E } | { readonly kind: string } => {
  const [reason, ...others] = cause.reasons
  if (reason === undefined) return { kind: "Empty" }
  if (others.length > 0) return { kind: "Composite" }
  return Cause.isFailReason(reason) ? { error: reason.error } : { kind: reason._tag }
}
