/**
 * The part of `telemetry.ts` that each line writes in its own words: Effect's metrics as the core's instruments, and
 * the tracer and span a fiber runs with.
 *
 * Effect 4 keeps metrics in the `MetricRegistry` of a context: the metrics of one `TokenService` are updated in the
 * context its layer was built with (`make`'s `context` in `telemetry.ts`), so a registry or metric attributes provided
 * to the layer are the ones used. The cache hit is the hot path: it bumps a counter built once with its attributes and
 * compares a time. No span, no log.
 */
import type * as Core from "@effect-oauth2/core/telemetry"
import * as Context from "effect/Context"
import type * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as Tracer from "effect/Tracer"

/** An instrument on `metric`, updated in `context` (its registry and metric attributes). */
const instrumentOf = (metric: Metric.Metric<number, unknown>, context: Context.Context<never>): Core.Instrument => ({
  update: (value) => metric.updateUnsafe(value, context)
})

/** Effect's metrics as the core's instruments, updated in `context`: each metric's unit travels as its `unit` label. */
export const instrumentsIn = (context: Context.Context<never>): Core.Instruments => ({
  counter: (spec, labels) =>
    instrumentOf(
      Metric.counter(spec.name, {
        description: spec.description,
        incremental: true,
        attributes: Object.fromEntries(labels)
      }),
      context
    ),
  histogram: (spec, labels) =>
    instrumentOf(
      Metric.histogram(spec.name, {
        description: spec.description,
        boundaries: spec.boundaries,
        attributes: Object.fromEntries(labels)
      }),
      context
    ),
  gauge: (spec, labels) =>
    instrumentOf(
      Metric.gauge(spec.name, { description: spec.description, attributes: Object.fromEntries(labels) }),
      context
    )
})

/** The tracer `fiber` runs with. */
export const tracerOf = (fiber: Fiber.Fiber<unknown, unknown>): Tracer.Tracer => fiber.getRef(Tracer.Tracer)

/** The span `fiber` runs in, if any. */
export const spanOf = (fiber: Fiber.Fiber<unknown, unknown>): Tracer.AnySpan | undefined =>
  Context.getOrUndefined(fiber.context, Tracer.ParentSpan)
