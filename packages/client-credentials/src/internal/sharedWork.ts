/**
 * Work shared by many callers — a token fetch, a read of the issuer's metadata —, the one way it runs: once, on a
 * fiber of the layer (the layer's context, never a caller's; stopped with its scope), its callers waiting for its
 * outcome (`Shared`). Once the layer's scope is closed, work is not started: its callers are answered at once, as
 * interrupted.
 *
 * The fibers are a `FiberSet` of the layer's scope, each owned by a key (the state it serves) in a `WeakMap`: the
 * states that own fibers are plain objects, equal in shape and never the same, which Effect 4's `FiberMap` (it
 * compares its keys structurally) would take for one key.
 */
import { SharedOutcome } from "@effect-oauth2/core/sharedOutcome"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import * as EffectLine from "./effectLine.js"

/** The fibers of a layer that run shared work, each owned by a key (the state it serves). */
export interface LayerFibers<K extends object> {
  /** Runs `effect` on a fiber of the layer owned by `key`; `false`, running nothing, once the layer is closed. */
  readonly run: (key: K, effect: Effect.Effect<void>) => boolean
  /** Interrupts the fiber owned by `key`, if it still runs. */
  readonly stop: (key: K) => void
}

/** Fibers of the layer whose scope this runs in: they stop when it closes. */
export const layerFibers = <K extends object>(): Effect.Effect<LayerFibers<K>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const fibers = yield* FiberSet.make<void>()
    const runFork = yield* FiberSet.runtime(fibers)<never>()
    const owners = new WeakMap<K, EffectLine.FiberOf<void, never>>()
    let closed = false
    // added after the set, so run before it closes: no work starts on a layer that is closing
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        closed = true
      })
    )
    return {
      run: (key, effect) => {
        if (closed) return false
        owners.set(key, runFork(effect))
        return true
      },
      stop: (key) => {
        const fiber = owners.get(key)
        if (fiber !== undefined) EffectLine.fiberInterruptUnsafe(fiber)
      }
    }
  })

/**
 * The outcome of one piece of shared work, and its waiters (`@effect-oauth2/core/sharedOutcome`). A waiter is counted
 * in and out by the wait itself: in when it suspends, out when it is interrupted, so no step can leave one uncounted;
 * a waiter that comes after the outcome has it at once.
 */
export class Shared<A, E> extends SharedOutcome<Exit.Exit<A, E>> {
  /** Waits for the outcome; `left` runs when an interrupted waiter leaves, told whether it was the last. */
  await(left: (last: boolean) => void): Effect.Effect<A, E> {
    return EffectLine.callback<A, E>((resume) => {
      const leave = this.wait(resume)
      if (leave !== undefined) return Effect.sync(() => left(leave()))
    })
  }
}

/**
 * Runs `work` on a fiber of the layer owned by `key`, then `onDone` with its exit; once the layer is closed, nothing
 * runs and `onDone` has an interruption at once.
 */
export const start = <K extends object, A, E>(
  fibers: LayerFibers<K>,
  key: K,
  work: Effect.Effect<A, E>,
  onDone: (exit: Exit.Exit<A, E>) => Effect.Effect<void>
): void => {
  const started = fibers.run(key, work.pipe(Effect.onExit(onDone), Effect.exit, Effect.asVoid))
  if (!started) Effect.runSync(onDone(EffectLine.exitInterrupt()))
}
