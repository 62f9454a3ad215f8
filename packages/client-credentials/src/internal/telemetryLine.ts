/**
 * The part of `telemetry.ts` that each line writes in its own words: Effect's metrics as the core's instruments, and
 * the tracer and span a fiber runs with.
 *
 * Effect 3 keeps metrics in its global registry. The cache hit is the hot path: it only bumps a counter (the registry's
 * hook, looked up once) and compares a time, through metrics built once with their tags, whose `unsafeUpdate` is a
 * property read and an addition. No span, no log, no allocation.
 */
import type * as Core from "@effect-oauth2/core/telemetry"
import type * as Context from "effect/Context"
import type * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import type * as Tracer from "effect/Tracer"

/** The one array of extra tags every update passes: empty, so each metric serves its hook from its own cache. */
const noTags: ReadonlyArray<MetricLabel.MetricLabel> = []

const metricLabels = (labels: ReadonlyArray<Core.Label>): Array<MetricLabel.MetricLabel> =>
  labels.map(([key, value]) => MetricLabel.make(key, value))

/** An instrument on `metric`, updated through its cached hook. */
const instrumentOf = <Type, Out>(metric: Metric.Metric<Type, number, Out>): Core.Instrument => ({
  update: (value) => metric.unsafeUpdate(value, noTags)
})

/** Effect's metrics as the core's instruments: each metric's unit travels as its `unit` label. */
const instruments: Core.Instruments = {
  counter: (spec, labels, { hot }) => {
    const key = MetricKey.counter(spec.name, { description: spec.description, incremental: true }).pipe(
      MetricKey.taggedWithLabels(metricLabels(labels))
    )
    // the hot path updates the registry's hook itself: one call, one addition
    return hot ? Metric.globalMetricRegistry.get(key) : instrumentOf(Metric.fromMetricKey(key))
  },
  histogram: (spec, labels) =>
    instrumentOf(Metric.fromMetricKey(
      MetricKey.histogram(spec.name, MetricBoundaries.fromIterable(spec.boundaries), spec.description).pipe(
        MetricKey.taggedWithLabels(metricLabels(labels))
      )
    )),
  gauge: (spec, labels) =>
    instrumentOf(Metric.fromMetricKey(
      MetricKey.gauge(spec.name, { description: spec.description }).pipe(
        MetricKey.taggedWithLabels(metricLabels(labels))
      )
    ))
}

/** Effect's metrics as the core's instruments, in the global registry whatever the context. */
export const instrumentsIn = (_context: Context.Context<never>): Core.Instruments => instruments

/** The tracer `fiber` runs with. */
export const tracerOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): Tracer.Tracer => fiber.currentTracer

/** The span `fiber` runs in, if any. */
export const spanOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>): Tracer.AnySpan | undefined => fiber.currentSpan
