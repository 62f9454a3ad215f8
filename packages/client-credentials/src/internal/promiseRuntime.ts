/**
 * How the Promise API's calls run in a client's `ManagedRuntime` on this line (`promise.ts`, written once for both
 * lines, builds the runtime): how a call is started in it, how `close` ends it, and the clock the hot path reads. On
 * Effect 3, disposing of a runtime does not interrupt the fibers it started: `close` interrupts the calls still
 * running first.
 */
import * as Clock from "effect/Clock"
import type * as Fiber from "effect/Fiber"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import type * as TokenClient from "./tokenClient.js"

/** The default `Clock`, the service's: its monotonic time is the one the hot path compares with `refreshAt`. */
const systemClock = Clock.make()

/** `runtime` as a client runs its calls: `close` interrupts the calls still running, then disposes of it. */
export const runtimeOf = (
  runtime: ManagedRuntime.ManagedRuntime<TokenClient.Services, unknown>
): TokenClient.Runtime<TokenClient.Services> => {
  const running = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  return {
    fork: (effect, onExit) => {
      const fiber = runtime.runFork(effect)
      running.add(fiber)
      fiber.addObserver((exit) => {
        running.delete(fiber)
        onExit(exit)
      })
      return () => fiber.unsafeInterruptAsFork(fiber.id())
    },
    close: () => {
      for (const fiber of running) fiber.unsafeInterruptAsFork(fiber.id())
      return runtime.dispose()
    },
    context: () => runtime.runtime().then((built) => built.context),
    nowNanos: () => systemClock.unsafeCurrentTimeNanos()
  }
}
