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
 * Each line writes its metrics and the reading of a fiber's tracer and span in its own words (`telemetryLine.ts`,
 * which says where the line keeps metrics). The cache hit is the hot path: it bumps a counter built once with its
 * labels and compares a time. No span, no log.
 */
import * as Core from "@effect-oauth2/core/telemetry"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import type * as NetworkError from "../NetworkError.js"
import type * as TokenError from "../TokenError.js"
import * as EffectLine from "./effectLine.js"
import * as Monotonic from "./monotonic.js"
import * as TelemetryLine from "./telemetryLine.js"

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

const opaqueDefect = Exit.die(new Error(Core.opaqueDefectMessage))

/** How a fetch ended, for attributes and labels, and the exit its span ends with: never a defect's own text. */
const outcomeOf = (
  exit: Exit.Exit<unknown, FetchError>
): { readonly outcome: Core.Outcome; readonly exit: Exit.Exit<unknown, unknown> } => {
  if (Exit.isSuccess(exit)) return { outcome: Core.outcomeOf({ _tag: "Success" }), exit: Exit.void }
  const failure = EffectLine.causeFindErrorOption(exit.cause)
  if (Option.isSome(failure)) {
    return { outcome: Core.outcomeOf({ _tag: "Failure", error: failure.value }), exit: Exit.fail(failure.value) }
  }
  if (EffectLine.causeHasInterruptsOnly(exit.cause)) {
    return { outcome: Core.outcomeOf({ _tag: "Interrupted" }), exit: Exit.void }
  }
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
  span.end(EffectLine.clockCurrentTimeNanosUnsafe(clock), exit)
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
  fiber: EffectLine.FiberOf<unknown, unknown>,
  options?: { readonly root: boolean }
): Trace => ({
  tracer: TelemetryLine.tracerOf(fiber),
  parent: options?.root === true ? undefined : TelemetryLine.spanOf(fiber)
})

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
    EffectLine.makeSpan(name, {
      parent: trace.parent,
      root: trace.parent === undefined,
      attributes,
      kind: "internal"
    }),
    (span) =>
      Effect.clockWith((clock) => {
        const started = Monotonic.nowUnsafe(clock)
        return effect.pipe(
          Effect.withParentSpan(span),
          Effect.onExit((exit) =>
            Effect.suspend(() => onEnd(exit, (Monotonic.nowUnsafe(clock) - started) / 1000, span, clock))
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

/**
 * The telemetry of a `TokenService` with `labels` (without labels, for a service built elsewhere), its metrics
 * updated in `context` where the line keeps metrics in one: the context the layer is built with, Effect's default
 * registry when absent.
 */
export const make = (labels: Labels | undefined, context: Context.Context<never> = Context.empty()): Telemetry => {
  const recorder = new Core.Recorder(labels, TelemetryLine.instrumentsIn(context))
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
