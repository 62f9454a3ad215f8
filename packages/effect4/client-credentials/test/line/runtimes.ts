/**
 * How the Effect 4 line makes what its suites run on: a scripted network's runtime (its clock `TestClock`, with a
 * wall clock that can step away from it, its random fixed when asked, its loggers capturing every level), and how it
 * runs its fleet replica, `packages/effect4/redis/test/fleet/worker.ts`: with `--preserve-symlinks` (it links modules
 * written once). The driver put together from these is `test/line.ts`, written once (linked from the Effect 3
 * package).
 */
import * as Driver from "@effect-oauth2/suites/Driver"
import type * as Line from "@effect-oauth2/suites/Line"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Random from "effect/Random"
import * as TestClock from "effect/testing/TestClock"
import * as Network from "./network.js"
import * as Rendering from "./rendering.js"

/** `base`, with a wall clock `step.millis` off its monotonic one. */
const steppedClock = (base: Clock.Clock, step: { readonly millis: number }): Clock.Clock => ({
  currentTimeMillisUnsafe: () => base.currentTimeMillisUnsafe() + step.millis,
  currentTimeMillis: Effect.sync(() => base.currentTimeMillisUnsafe() + step.millis),
  currentTimeNanosUnsafe: () => base.currentTimeNanosUnsafe() + BigInt(step.millis) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => base.currentTimeNanosUnsafe() + BigInt(step.millis) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
  monotonicTimeNanos: base.monotonicTimeNanos,
  sleep: (duration) => base.sleep(duration)
})

/** A scripted network's runtime: its clock `TestClock`, stepped by `options.step`, its random fixed when asked. */
export const scriptedRuntime = async (options: Network.RuntimeOptions): Promise<Network.ScriptedRuntime> => {
  let base: TestClock.TestClock | undefined
  const clockLayer = Layer.effectContext(Effect.gen(function*() {
    const context = yield* Layer.build(TestClock.layer())
    base = Context.get(context, Clock.Clock) as TestClock.TestClock
    return Context.add(context, Clock.Clock, steppedClock(base, options.step))
  }))
  const fixed = options.random
  const randomLayer = fixed === undefined ? Layer.empty : Layer.succeed(Random.Random, {
    nextDoubleUnsafe: () => fixed,
    nextIntUnsafe: () => Math.floor(fixed * Number.MAX_SAFE_INTEGER)
  })
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(clockLayer, randomLayer, Rendering.captureLayer(options.logs), options.layer)
  )
  await runtime.context()
  return { runtime, clock: base! }
}

/** This line's name in the suites. */
export const name = "effect4"

/**
 * The line's fleet replica at `worker`, as the suites' fleet driver starts one: run from `packages/effect4`, with
 * `--preserve-symlinks`.
 */
export const fleetWorker = (worker: URL): Line.FleetWorker =>
  Driver.fleetWorker(worker, new URL("../../../", import.meta.url), name, { preserveSymlinks: true })
