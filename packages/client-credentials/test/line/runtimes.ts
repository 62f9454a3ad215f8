/**
 * How the Effect 3 line makes what its suites run on: a scripted network's runtime (its clock `TestClock`, with a
 * wall clock that can step away from it, its random fixed when asked, its loggers capturing every level), and how it
 * runs its fleet replica, `packages/redis/test/fleet/worker.ts`. The driver put together from these is `test/line.ts`,
 * written once.
 */
import * as Driver from "@effect-oauth2/suites/Driver"
import type * as Line from "@effect-oauth2/suites/Line"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as Network from "./network.js"
import * as Rendering from "./rendering.js"

/** `base`, with a wall clock `step.millis` off its monotonic one (an NTP step, a VM restored from a snapshot). */
export const steppedClock = (base: Clock.Clock, step: { readonly millis: number }): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis() + step.millis,
  unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos(),
  currentTimeMillis: Effect.sync(() => base.unsafeCurrentTimeMillis() + step.millis),
  currentTimeNanos: base.currentTimeNanos,
  sleep: (duration) => base.sleep(duration)
})

/** A scripted network's runtime: its clock `TestClock`, stepped by `options.step`, its random fixed when asked. */
export const scriptedRuntime = async (options: Network.RuntimeOptions): Promise<Network.ScriptedRuntime> => {
  let base: TestClock.TestClock | undefined
  const clockLayer = Layer.unwrapEffect(TestClock.testClockWith((testClock) => {
    base = testClock
    return Effect.succeed(Layer.setClock(steppedClock(testClock, options.step)))
  }))
  const randomLayer = options.random === undefined ? Layer.empty : Layer.setRandom(Random.fixed([options.random]))
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(clockLayer, randomLayer, Rendering.captureLayer(options.logs), options.layer).pipe(
      Layer.provideMerge(TestContext.TestContext)
    )
  )
  await runtime.runtime()
  return { runtime, clock: base! }
}

/** This line's name in the suites. */
export const name = "effect3"

/** The line's fleet replica at `worker`, as the suites' fleet driver starts one: run from the repository's root. */
export const fleetWorker = (worker: URL): Line.FleetWorker =>
  Driver.fleetWorker(worker, new URL("../../../../", import.meta.url), name)
