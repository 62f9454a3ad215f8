/**
 * A line's observed networks (`Line.Observed`): a scripted network whose runtime also has the line's
 * `@effect/opentelemetry` `NodeSdk` layer (0.64 on Effect 3, 4.1 on Effect 4) over the in-memory exporters of
 * `@effect-oauth2/suites/Collector`, and whose calls run in the caller's span while a suite is inside `inSpan`. The
 * code reads the same on both lines: the Effect 4 line's `test/line/telemetry.ts` is a link to this file.
 */
import * as Collector from "@effect-oauth2/suites/Collector"
import type * as Line from "@effect-oauth2/suites/Line"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Network from "./network.js"

/** What a scripted network takes to be observed: a layer more in its runtime, and a wrapper of its runner. */
export interface Extra {
  readonly layer: Layer.Layer<never>
  readonly runner: (runner: Network.Runner) => Network.Runner
}

/** Nothing more. */
export const none: Extra = { layer: Layer.empty, runner: (runner) => runner }

/** `Line.observed`, over the line's `scripted` that takes an `Extra`. */
export const observed = (
  scripted: (options: Line.ScriptedOptions, extra: Extra) => Promise<Line.Scripted>
) =>
async (options: Line.ScriptedOptions = {}): Promise<Line.Observed> => {
  const collector = Collector.make()
  const inCallerSpan = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    const name = collector.callerSpan()
    return name === undefined ? effect : Effect.withSpan(effect, name)
  }
  const network = await scripted(options, {
    layer: NodeSdk.layer(() => ({
      resource: { serviceName: "effect-oauth2-suites" },
      spanProcessor: collector.spanProcessor,
      metricReader: collector.metricReader
    })),
    runner: (runner) => ({
      ...runner,
      run: (effect) => runner.run(inCallerSpan(effect)),
      fork: (effect) => runner.fork(inCallerSpan(effect))
    })
  })
  return { ...network, spans: collector.spans, metrics: collector.metrics, inSpan: collector.inSpan }
}
