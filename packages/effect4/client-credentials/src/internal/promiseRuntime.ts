/**
 * How the Promise API's calls run in a client's `ManagedRuntime` on this line (`promise.ts`, written once for both
 * lines, builds the runtime): how a call is started in it, how `close` ends it, and the clock the hot path reads. On
 * Effect 4, disposing of a runtime interrupts and awaits every fiber it started.
 */
import * as Clock from "effect/Clock"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import type * as TokenClient from "./tokenClient.js"

/** The default `Clock`, the service's: its monotonic time is the one the hot path compares with `refreshAt`. */
const systemClock = Clock.Clock.defaultValue()

/**
 * `runtime` as a client runs its calls: `close` disposes of it, which interrupts and awaits every fiber it started
 * (each call's, then the layers' own), before it closes the layers.
 */
export const runtimeOf = (
  runtime: ManagedRuntime.ManagedRuntime<TokenClient.Services, unknown>
): TokenClient.Runtime<TokenClient.Services> => ({
  fork: (effect, onExit) => {
    const fiber = runtime.runFork(effect)
    fiber.addObserver(onExit)
    return () => fiber.interruptUnsafe()
  },
  close: () => runtime.dispose(),
  context: () => runtime.context(),
  nowNanos: () => systemClock.monotonicTimeNanosUnsafe()
})
