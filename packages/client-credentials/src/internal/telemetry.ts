/**
 * What the library tells operators: the spans, metrics and debug logs of token fetches, refreshes and discovery.
 * Every name is here; the modules that do the work call in through small hooks.
 *
 * Names follow the OpenTelemetry conventions: dot-separated namespaces under `oauth2.client`, UCUM units (`s`, and
 * `{request}`-style annotations for counts), no `_total` suffix, `server.address` for the host called. The unit of a
 * metric travels as its `unit` tag, which is how `@effect/opentelemetry` gives an instrument its unit.
 *
 * Labels are the client id and the host of the configured token endpoint (or issuer), plus the one dimension each
 * counter is about (an outcome, a result, a reason): a bounded set, never a scope, a URL path or any text from a
 * server. Span attributes may add the OAuth error code, but only a registered one (RFC 6749, RFC 6750, RFC 8628).
 *
 * Nothing here reads a secret: attributes and labels come from the configuration (client id, host), counts, and the
 * tags and reasons of the library's errors. A span ends with the error the fetch failed with (the library's errors
 * hold no secret), never with a defect's text: a defect may come from a user's `HttpClient` and quote the request.
 *
 * The cache hit is the hot path: it only bumps a counter and sets a gauge through metrics built once, with their
 * tags, whose `unsafeUpdate` is a property read and an addition. No span, no log, no allocation.
 */
import { isRegisteredErrorCode } from "@effect-oauth2/core/errorCodes"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
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

/** The names of every span and metric, and of their attributes. */
export const names = {
  fetchSpan: "oauth2.token.fetch",
  discoverySpan: "oauth2.discovery",
  requests: "oauth2.client.token.requests",
  duration: "oauth2.client.token.request.duration",
  retries: "oauth2.client.token.retries",
  lookups: "oauth2.client.token.cache.lookups",
  refreshFailures: "oauth2.client.token.refresh.failures",
  rejections: "oauth2.client.token.rejections",
  recoveries: "oauth2.client.token.recoveries",
  expiresIn: "oauth2.client.token.expires_in"
} as const

/** Attribute and label keys. */
export const keys = {
  clientId: "oauth2.client.id",
  host: "server.address",
  scopes: "oauth2.scope.count",
  attempts: "oauth2.attempts",
  trigger: "oauth2.token.trigger",
  outcome: "oauth2.outcome",
  reason: "oauth2.error.reason",
  errorType: "error.type",
  errorCode: "oauth2.error.code",
  result: "oauth2.cache.result",
  /** On a fetch whose token came from a shared `TokenStore` (`layerWithStore`): `store`. */
  source: "oauth2.token.source",
  unit: "unit"
} as const

/** Seconds: what a token request may take, retries included (the OpenTelemetry HTTP client advice, up to 60 s). */
const durationBoundaries = MetricBoundaries.fromIterable([
  0.005,
  0.01,
  0.025,
  0.05,
  0.075,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10,
  30,
  60
])

/** The one array of extra tags every update passes: empty, so each metric serves its hook from its own cache. */
const noTags: ReadonlyArray<MetricLabel.MetricLabel> = []

/** What a lookup of the cache found. */
export type LookupResult = "hit" | "miss" | "joined" | "refreshed_ahead" | "failure"

/** Who started a fetch: a caller that waits for it, or a call that found the token due for a refresh. */
export type Trigger = "caller" | "refresh"

/** The labels every metric of one `TokenService` carries. */
export interface Labels {
  readonly clientId: string
  /** The host of the configured `tokenUrl`, or of the issuer when the token endpoint is discovered. */
  readonly host: string
}

/** What a fetch can fail with. */
type FetchError = TokenError.TokenError | NetworkError.NetworkError

type Counter = Metric.Metric.Counter<number>

const counterKey = (name: string, description: string, unit: string, tags: ReadonlyArray<MetricLabel.MetricLabel>) =>
  MetricKey.counter(name, { description, incremental: true }).pipe(
    MetricKey.taggedWithLabels([...tags, MetricLabel.make(keys.unit, unit)])
  )

const counterOf = (name: string, description: string, unit: string, tags: ReadonlyArray<MetricLabel.MetricLabel>) =>
  Metric.fromMetricKey(counterKey(name, description, unit, tags))

const labelsOf = (labels: Labels | undefined): ReadonlyArray<MetricLabel.MetricLabel> =>
  labels === undefined
    ? []
    : [MetricLabel.make(keys.clientId, labels.clientId), MetricLabel.make(keys.host, labels.host)]

/** How a fetch ended, for attributes and labels: a bounded set of values, none of them text from a server. */
interface Outcome {
  readonly outcome: "token" | "TokenError" | "NetworkError" | "defect" | "interrupted"
  readonly reason: string | undefined
  readonly errorCode: string | undefined
  /** The exit the span ends with: the failure, or a defect with no text of its own. */
  readonly exit: Exit.Exit<unknown, unknown>
}

const opaqueDefect = Exit.die(new Error("an unexpected defect (its text is not recorded)"))

const outcomeOf = (exit: Exit.Exit<unknown, FetchError>): Outcome => {
  if (Exit.isSuccess(exit)) return { outcome: "token", reason: undefined, errorCode: undefined, exit: Exit.void }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    const code = error._tag === "TokenError" && error.error !== undefined && isRegisteredErrorCode(error.error)
      ? error.error
      : undefined
    return { outcome: error._tag, reason: error.reason, errorCode: code, exit: Exit.fail(error) }
  }
  if (Cause.isInterruptedOnly(exit.cause)) {
    return { outcome: "interrupted", reason: undefined, errorCode: undefined, exit: Exit.void }
  }
  return { outcome: "defect", reason: undefined, errorCode: undefined, exit: opaqueDefect }
}

/** Ends `span` at the clock's time with `outcome`. */
const endSpan = (span: Tracer.Span, outcome: Outcome, clock: Clock.Clock): void => {
  span.attribute(keys.outcome, outcome.outcome)
  if (outcome.outcome !== "token" && outcome.outcome !== "interrupted") span.attribute(keys.errorType, outcome.outcome)
  if (outcome.reason !== undefined) span.attribute(keys.reason, outcome.reason)
  if (outcome.errorCode !== undefined) span.attribute(keys.errorCode, outcome.errorCode)
  span.end(clock.unsafeCurrentTimeNanos(), outcome.exit)
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

/** The metrics and spans of one `TokenService`, built once with its labels. */
export interface Telemetry {
  /**
   * A token served from the cache by `cell`: the hot path. When `cell` is the configured request's, sets the
   * `expires_in` gauge too, at most once a second. `expiresAt` is the token's expiry in monotonic millis, `now` the
   * monotonic time in nanoseconds, as the hot path reads it.
   */
  readonly hit: (cell: object, expiresAt: number, now: bigint) => void
  /**
   * Any other lookup, with the token still served (`refreshed_ahead`, with its `expiresAt`) or none (the others: the
   * gauge of the configured request's cell goes to 0, since it holds no usable token).
   */
  readonly lookup: (
    cell: object,
    result: Exclude<LookupResult, "hit">,
    expiresAt: number | undefined,
    now: number
  ) => void
  /** `count` callers joined fetches other callers started: counted once per fetch, when it settles. */
  readonly joined: (count: number) => void
  /** A hit counted and nothing else: the Promise API's hot path, which leaves the gauge to the other calls. */
  readonly countHit: () => void
  /** Makes `cell` the configured request's: its tokens set the `expires_in` gauge. */
  readonly setConfiguredCell: (cell: object) => void
  /**
   * A token expiring at `expiresAt` was issued to `cell` (or taken from a shared store) at `now` (monotonic millis):
   * sets the gauge for the configured request.
   */
  readonly issued: (cell: object, expiresAt: number, now: number) => void
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
  /** A background refresh given up at its token's hard expiry: a refresh failure, reason `Expired`. */
  readonly refreshExpired: () => void
  /** A token an API rejected. */
  readonly rejected: () => void
  /** A rejected token `AuthorizedClient` replaced, the request then not refused for its token. */
  readonly recovered: () => void
}

/** What `withRetries` reports: one call per attempt, one per retry, and the end. */
export interface RetryObserver {
  readonly attempt: () => void
  readonly retry: (error: NetworkError.NetworkError) => void
  /** Records the attempts and the host on the current span. */
  readonly done: Effect.Effect<void>
}

/** Built on first use for each key, then kept: one metric per outcome, reason, …, a bounded set. */
const memoized = <A>(build: (key: string) => A): (key: string) => A => {
  const built = new Map<string, A>()
  return (key) => {
    let found = built.get(key)
    if (found === undefined) {
      found = build(key)
      built.set(key, found)
    }
    return found
  }
}

/** The metrics of one `TokenService`, each series with its labels. */
const metricsOf = (tags: ReadonlyArray<MetricLabel.MetricLabel>) => {
  const counter =
    (name: string, description: string, unit: string) => (extra: ReadonlyArray<MetricLabel.MetricLabel>) =>
      counterOf(name, description, unit, [...tags, ...extra])
  const lookupsBy = counter(names.lookups, "Token lookups by what the cache had", "{lookup}")
  const requestsBy = counter(names.requests, "Token requests (each with its retries) by outcome", "{request}")
  const retriesBy = counter(names.retries, "Retries of token and discovery requests by reason", "{retry}")
  const refreshFailuresBy = counter(names.refreshFailures, "Background refreshes that failed, by reason", "{failure}")
  const durationOf = (outcome: ReadonlyArray<MetricLabel.MetricLabel>) =>
    Metric.fromMetricKey(
      MetricKey.histogram(names.duration, durationBoundaries, "Duration of token requests, retries included").pipe(
        MetricKey.taggedWithLabels([...tags, ...outcome, MetricLabel.make(keys.unit, "s")])
      )
    )
  const byReason = (key: string) => [MetricLabel.make(keys.reason, key)]
  return {
    lookups: {
      miss: lookupsBy([MetricLabel.make(keys.result, "miss")]),
      joined: lookupsBy([MetricLabel.make(keys.result, "joined")]),
      refreshed_ahead: lookupsBy([MetricLabel.make(keys.result, "refreshed_ahead")]),
      failure: lookupsBy([MetricLabel.make(keys.result, "failure")])
    } satisfies Record<Exclude<LookupResult, "hit">, Counter>,
    // the hot path updates the registry's hook of the hit counter itself: one call, one addition
    hits: Metric.globalMetricRegistry.get(
      counterKey(names.lookups, "Token lookups by what the cache had", "{lookup}", [
        ...tags,
        MetricLabel.make(keys.result, "hit")
      ])
    ),
    expiresIn: Metric.fromMetricKey(
      MetricKey.gauge(names.expiresIn, { description: "Seconds until the configured request's token expires" }).pipe(
        MetricKey.taggedWithLabels([...tags, MetricLabel.make(keys.unit, "s")])
      )
    ),
    // keyed by `outcome/reason`
    requests: memoized((key) => {
      const [outcome, reason] = key.split("/") as [string, string]
      const outcomeTags = [MetricLabel.make(keys.outcome, outcome), ...(reason === "" ? [] : byReason(reason))]
      return { count: requestsBy(outcomeTags), duration: durationOf(outcomeTags) }
    }),
    retries: memoized((reason) => retriesBy(byReason(reason))),
    refreshFailures: memoized((reason) => refreshFailuresBy(byReason(reason))),
    rejections: counter(names.rejections, "Tokens an API rejected (401 invalid_token)", "{token}")([]),
    recoveries: counter(
      names.recoveries,
      "Rejected tokens AuthorizedClient replaced, the request then accepted",
      "{token}"
    )(
      []
    )
  }
}

type Metrics = ReturnType<typeof metricsOf>

/**
 * The `expires_in` gauge of the configured request's cell: set when it gets a token or has none, and from hits at
 * most once a second (a comparison per hit).
 */
class ExpiresInGauge {
  private configured: object | undefined
  private dueAt = 0n

  constructor(private readonly metrics: Metrics) {}

  setConfigured(cell: object): void {
    this.configured = cell
  }

  hit(cell: object, expiresAt: number, now: bigint): void {
    if (cell !== this.configured || now < this.dueAt) return
    this.dueAt = now + 1_000_000_000n
    this.set(expiresAt, Number(now) / 1_000_000)
  }

  /** The cell's token (or none, `undefined`) as of `now`, in millis. */
  changed(cell: object, expiresAt: number | undefined, now: number): void {
    if (cell !== this.configured) return
    this.dueAt = 0n
    if (expiresAt === undefined) this.metrics.expiresIn.unsafeUpdate(0, noTags)
    else this.set(expiresAt, now)
  }

  private set(expiresAt: number, now: number): void {
    this.metrics.expiresIn.unsafeUpdate((expiresAt - now) / 1000, noTags)
  }
}

/** A fetch's span, metrics and debug log, once it ended. */
const fetchEnded = (
  metrics: Metrics,
  baseAttributes: Record<string, unknown>,
  trigger: Trigger
) =>
<A extends { readonly fromStore: boolean }>(
  exit: Exit.Exit<A, FetchError>,
  seconds: number,
  span: Tracer.Span,
  clock: Clock.Clock
): Effect.Effect<void> => {
  const outcome = outcomeOf(exit)
  // a token another replica put in the shared store cost no token request
  const fromStore = Exit.isSuccess(exit) && exit.value.fromStore
  if (fromStore) span.attribute(keys.source, "store")
  else {
    const requests = metrics.requests(`${outcome.outcome}/${outcome.reason ?? ""}`)
    requests.count.unsafeUpdate(1, noTags)
    requests.duration.unsafeUpdate(seconds, noTags)
  }
  if (trigger === "refresh" && outcome.outcome !== "token" && outcome.outcome !== "interrupted") {
    metrics.refreshFailures(outcome.reason ?? outcome.outcome).unsafeUpdate(1, noTags)
  }
  endSpan(span, outcome, clock)
  return Effect.logDebug(trigger === "refresh" ? "effect-oauth2: token refresh" : "effect-oauth2: token fetch").pipe(
    Effect.annotateLogs({
      ...baseAttributes,
      [keys.outcome]: outcome.outcome,
      ...(fromStore ? { [keys.source]: "store" } : {}),
      ...(outcome.reason === undefined ? {} : { [keys.reason]: outcome.reason }),
      ...(outcome.errorCode === undefined ? {} : { [keys.errorCode]: outcome.errorCode }),
      seconds
    })
  )
}

/** The telemetry of a `TokenService` with `labels`; without labels, for a service built elsewhere. */
export const make = (labels: Labels | undefined): Telemetry => {
  const metrics = metricsOf(labelsOf(labels))
  const gauge = new ExpiresInGauge(metrics)
  const baseAttributes: Record<string, unknown> = labels === undefined
    ? {}
    : { [keys.clientId]: labels.clientId, [keys.host]: labels.host }
  const retried = (error: NetworkError.NetworkError) => metrics.retries(error.reason).unsafeUpdate(1, noTags)
  return {
    hit: (cell, expiresAt, now) => {
      metrics.hits.update(1)
      gauge.hit(cell, expiresAt, now)
    },
    countHit: () => metrics.hits.update(1),
    joined: (count) => {
      if (count > 0) metrics.lookups.joined.unsafeUpdate(count, noTags)
    },
    lookup: (cell, result, expiresAt, now) => {
      metrics.lookups[result].unsafeUpdate(1, noTags)
      gauge.changed(cell, expiresAt, now)
    },
    setConfiguredCell: (cell) => gauge.setConfigured(cell),
    issued: (cell, expiresAt, now) => gauge.changed(cell, expiresAt, now),
    fetch: (effect, flight) =>
      inSpan(
        effect,
        names.fetchSpan,
        flight.trace,
        { ...baseAttributes, [keys.scopes]: flight.scopes, [keys.trigger]: flight.trigger },
        fetchEnded(metrics, baseAttributes, flight.trigger)
      ),
    attempts: (host) => {
      let count = 0
      return {
        attempt: () => {
          count++
        },
        retry: retried,
        done: Effect.suspend(() => Effect.annotateCurrentSpan({ [keys.attempts]: count, [keys.host]: host }))
      }
    },
    refreshExpired: () => metrics.refreshFailures("Expired").unsafeUpdate(1, noTags),
    rejected: () => metrics.rejections.unsafeUpdate(1, noTags),
    recovered: () => metrics.recoveries.unsafeUpdate(1, noTags)
  }
}

/** Discovery in an `oauth2.discovery` span, in the trace of the fetch that needed it. */
export const discovery = <A>(
  effect: Effect.Effect<A, FetchError>,
  options: { readonly trace: Trace; readonly host: string }
): Effect.Effect<A, FetchError> =>
  inSpan(effect, names.discoverySpan, options.trace, { [keys.host]: options.host }, (exit, seconds, span, clock) => {
    const outcome = outcomeOf(exit)
    endSpan(span, outcome, clock)
    return Effect.logDebug("effect-oauth2: discovery").pipe(
      Effect.annotateLogs({ [keys.host]: options.host, [keys.outcome]: outcome.outcome, seconds })
    )
  })

/** The telemetry of a service built elsewhere (a mock): unlabelled. */
export const unlabelled: Telemetry = make(undefined)
