/**
 * How the Effect 3 line makes what its suites run on: a scripted network's runtime (its clock `TestClock`, with a
 * wall clock that can step away from it, its random fixed when asked, its loggers capturing every level), the socket
 * clients of its live networks (undici, Node's `http`, `fetch`) and its fleet replica,
 * `packages/redis/test/fleet/worker.ts`. The driver put together from these is `test/line.ts`, written once.
 */
import * as Driver from "@effect-oauth2/suites/Driver"
import type * as Line from "@effect-oauth2/suites/Line"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as Network from "./network.js"
import * as Rendering from "./rendering.js"

/** `base`, with a wall clock `step.millis` off its monotonic one. */
const steppedClock = (base: Clock.Clock, step: { millis: number }): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis() + step.millis,
  unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos(),
  currentTimeMillis: Effect.sync(() => base.unsafeCurrentTimeMillis() + step.millis),
  currentTimeNanos: base.currentTimeNanos,
  sleep: (duration) => base.sleep(duration)
})

/** A scripted network (`Line.Scripted`) on a runtime of its own. */
export const scripted = async (options: Line.ScriptedOptions = {}): Promise<Line.Scripted> => {
  const logs: Array<Line.LogLine> = []
  const step = { millis: 0 }
  const endpoint = Network.endpoint(options.fallback)
  let base: TestClock.TestClock | undefined
  const clockLayer = Layer.unwrapEffect(TestClock.testClockWith((testClock) => {
    base = testClock
    return Effect.succeed(Layer.setClock(steppedClock(testClock, step)))
  }))
  const randomLayer = options.random === undefined ? Layer.empty : Layer.setRandom(Random.fixed([options.random]))
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(clockLayer, randomLayer, Rendering.captureLayer(logs)).pipe(
      Layer.provideMerge(TestContext.TestContext)
    )
  )
  await runtime.runtime()
  return Network.scripted({ runtime, clock: base!, endpoint, logs, step })
}

/** The socket clients of the live networks, by name; the first is the default. */
export const httpClientLayers: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["NodeHttpClient (undici)", NodeHttpClient.layerUndici],
  ["NodeHttpClient", NodeHttpClient.layer],
  ["FetchHttpClient", FetchHttpClient.layer]
]

/** This line's name in the suites. */
export const name = "effect3"

/** The line's fleet replica, as the suites' fleet driver starts one. */
export const fleetWorker = Driver.fleetWorker(
  new URL("../../../redis/test/fleet/worker.ts", import.meta.url),
  new URL("../../../../", import.meta.url)
)
