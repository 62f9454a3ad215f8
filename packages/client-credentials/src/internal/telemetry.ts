/**
 * What the library tells operators, on this line's `Metric`, `Tracer` and logger: the spans, metrics and debug logs of
 * token fetches, refreshes and discovery. The names, labels, attributes, log texts, what each event counts and the
 * `expires_in` gauge's throttle are the core's (`@effect-oauth2/core/telemetry`, whose opening comment says what they
 * are); here are Effect's metrics as the core's instruments, the spans and the log lines. The modules that do the work
 * call in through small hooks.
 *
 * A span ends with the error the fetch failed with (the library's errors hold no secret), never with a defect's text:
 * a defect may come from a user's `HttpClient` and quote the request.
 *
 * The cache hit is the hot path: it only bumps a counter (the registry's hook, looked up once) and compares a time,
 * through metrics built once with their tags, whose `unsafeUpdate` is a property read and an addition. No span, no
 * log, no allocation.
 */
import * as Core from "@effect-oauth2/core/telemetry"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import type * as NetworkError from "../NetworkError.js"
import type * as TokenError from "../TokenError.js"

/** The names of every span and metric. */
export const names = Core.names

/** Attribute and label keys. */
export const keys = Core.keys

/** What a lookup of the cache found. */
export type LookupResult = Core.LookupResult

/** Who started a fetch: a caller that waits for it, or a call that found the token due for a refresh. */
export type Trigger = Core.Trigger

/** The labels every metric of one `TokenService` carries. */
export type Labels = Core.Labels

/** What a fetch can fail with. */
type FetchError = TokenError.TokenError | NetworkError.NetworkError

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

const opaqueDefect = Exit.die(new Error(Core.opaqueDefectMessage))

/** How a fetch ended, for attributes and labels, and the exit its span ends with: never a defect's own text. */
const outcomeOf = (
  exit: Exit.Exit<unknown, FetchError>
): { readonly outcome: Core.Outcome; readonly exit: Exit.Exit<unknown, unknown> } => {
  if (Exit.isSuccess(exit)) return { outcome: Core.outcomeOf({ _tag: "Success" }), exit: Exit.void }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) {
    return { outcome: Core.outcomeOf({ _tag: "Failure", error: failure.value }), exit: Exit.fail(failure.value) }
  }
  if (Cause.isInterruptedOnly(exit.cause)) return { outcome: Core.outcomeOf({ _tag: "Interrupted" }), exit: Exit.void }
  return { outcome: Core.outcomeOf({ _tag: "Defect" }), exit: opaqueDefect }
}

/** Ends `span` at the clock's time with `exit`, after the ending's attributes; then its debug log line. */
const end = (
  span: Tracer.Span,
  ending: Core.Ending,
  exit: Exit.Exit<unknown, unknown>,
  clock: Clock.Clock
): Effect.Effect<void> => {
  for (const [key, value] of Object.entries(ending.spanAttributes)) span.attribute(key, value)
  span.end(clock.unsafeCurrentTimeNanos(), exit)
  return Effect.logDebug(ending.log.message).pipe(Effect.annotateLogs(ending.log.annotations))
}

/**
 * Whose trace a piece of shared work belongs to: the tracer of the call that started it, and its span (the parent), or
 * none for work no caller waits for (a refresh: a root span). Shared work runs on a fiber of the layer, with the
 * layer's context (its logger, its clock); only the tracer and the parent are the caller's, since a tracer installed
 * beside the layer (`Layer.mergeAll(App, Otel)`) is not in the layer's context.
 */
export interface Trace {
  readonly tracer: Tracer.Tracer
  readonly parent: Tracer.AnySpan | undefined
}

/** The trace of the call running on `fiber`: its tracer, and its span unless the work is to be a `root`. */
export const traceOf = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  options?: { readonly root: boolean }
): Trace => ({ tracer: fiber.currentTracer, parent: options?.root === true ? undefined : fiber.currentSpan })

/**
 * Runs `effect` in a new span `name` with the trace's tracer (so are the spans inside it, the token request's
 * `http.client` among them), a child of the trace's parent, or a root span when there is none: work started for a
 * caller belongs to the caller's trace, never to the span the layer happened to be built in.
 */
const inSpan = <A, E>(
  effect: Effect.Effect<A, E>,
  name: string,
  trace: Trace,
  attributes: Record<string, unknown>,
  onEnd: (exit: Exit.Exit<A, E>, seconds: number, span: Tracer.Span, clock: Clock.Clock) => Effect.Effect<void>
): Effect.Effect<A, E> =>
  Effect.flatMap(
    Effect.makeSpan(name, {
      parent: trace.parent,
      root: trace.parent === undefined,
      attributes,
      kind: "internal",
      captureStackTrace: false
    }),
    (span) =>
      Effect.clockWith((clock) => {
        const started = clock.unsafeCurrentTimeNanos()
        return effect.pipe(
          Effect.withParentSpan(span),
          Effect.onExit((exit) =>
            Effect.suspend(() => onEnd(exit, Number(clock.unsafeCurrentTimeNanos() - started) / 1e9, span, clock))
          )
        )
      })
  ).pipe(Effect.withTracer(trace.tracer))

/** The metrics and spans of one `TokenService`, built once with its labels: the core's hooks, and spans. */
export interface Telemetry extends Core.Hooks {
  /** `effect`, one fetch with its retries, in an `oauth2.token.fetch` span, measured, counted and logged at Debug. */
  readonly fetch: <A extends { readonly fromStore: boolean }>(
    effect: Effect.Effect<A, FetchError>,
    flight: { readonly trigger: Trigger; readonly trace: Trace; readonly scopes: number }
  ) => Effect.Effect<A, FetchError>
  /**
   * What one request with retries reports to the span it runs in: the attempts, the host, and each retry (counted by
   * reason). Built afresh for each request, since it counts.
   */
  readonly attempts: (host: string) => RetryObserver
}

/** What `withRetries` reports: one call per attempt, one per retry, and the end. */
export interface RetryObserver {
  readonly attempt: () => void
  readonly retry: (error: NetworkError.NetworkError) => void
  /** Records the attempts and the host on the current span. */
  readonly done: Effect.Effect<void>
}

/** The telemetry of a `TokenService` with `labels`; without labels, for a service built elsewhere. */
export const make = (labels: Labels | undefined): Telemetry => {
  const recorder = new Core.Recorder(labels, instruments)
  const retried = (error: NetworkError.NetworkError) => recorder.retried(error.reason)
  return {
    ...Core.hooksOf(recorder),
    fetch: (effect, flight) =>
      inSpan(effect, names.fetchSpan, flight.trace, recorder.fetchAttributes(flight), (exit, seconds, span, clock) => {
        const ended = outcomeOf(exit)
        // a token another replica put in the shared store cost no token request
        const fromStore = Exit.isSuccess(exit) && exit.value.fromStore
        const ending = recorder.fetchEnded({ trigger: flight.trigger, outcome: ended.outcome, fromStore, seconds })
        return end(span, ending, ended.exit, clock)
      }),
    attempts: (host) => {
      let count = 0
      return {
        attempt: () => {
          count++
        },
        retry: retried,
        done: Effect.suspend(() => Effect.annotateCurrentSpan(Core.attemptsAttributes(count, host)))
      }
    }
  }
}

/** Discovery in an `oauth2.discovery` span, in the trace of the fetch that needed it. */
export const discovery = <A>(
  effect: Effect.Effect<A, FetchError>,
  options: { readonly trace: Trace; readonly host: string }
): Effect.Effect<A, FetchError> =>
  inSpan(
    effect,
    names.discoverySpan,
    options.trace,
    Core.discoveryAttributes(options.host),
    (exit, seconds, span, clock) => {
      const ended = outcomeOf(exit)
      return end(span, Core.discoveryEnded(options.host, ended.outcome, seconds), ended.exit, clock)
    }
  )

/** The telemetry of a service built elsewhere (a mock): unlabelled. */
export const unlabelled: Telemetry = make(undefined)
