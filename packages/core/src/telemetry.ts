/**
 * What the library tells operators, short of the calls that tell it: the names of the spans, metrics and logs of token
 * fetches, refreshes and discovery, their attribute and label keys and values, how a fetch's end reads, which counters
 * each event adds to, and the `expires_in` gauge's throttle. Each Effect line supplies the instruments (its `Metric`
 * module) through `Instruments`, and writes the spans and logs from what the functions here return.
 *
 * Names follow the OpenTelemetry conventions: dot-separated namespaces under `oauth2.client`, UCUM units (`s`, and
 * `{request}`-style annotations for counts), no `_total` suffix, `server.address` for the host called. The unit of a
 * metric travels as its `unit` label, which is how `@effect/opentelemetry` (on both Effect lines) gives an instrument
 * its unit.
 *
 * Labels are the client id and the host of the configured token endpoint (or issuer), plus the one dimension each
 * counter is about (an outcome, a result, a reason): a bounded set, never a scope, a URL path or any text from a
 * server. Span attributes may add the OAuth error code, but only a registered one (RFC 6749, RFC 6750, RFC 8628).
 *
 * Nothing here reads a secret: attributes and labels come from the configuration (client id, host), counts, and the
 * tags and reasons of the library's errors.
 *
 * The `Recorder`'s state is the `expires_in` gauge's: which cell is the configured request's, and from when a hit may
 * set the gauge again (monotonic nanos). A hit of that cell at or after that time sets the gauge and moves the time a
 * second on; a token issued to it, or a lookup that found none usable, sets the gauge at once and lets the next hit set
 * it too. The cache hit is the hot path: a counter's update, a comparison, no allocation.
 */
import { isRegisteredErrorCode } from "./errorCodes.js"

/**
 * The names of every span and metric.
 *
 * @since 0.1.0
 * @category models
 */
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

/**
 * Attribute and label keys.
 *
 * @since 0.1.0
 * @category models
 */
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
  /** On a fetch whose token came from a shared token store: `store`. */
  source: "oauth2.token.source",
  unit: "unit"
} as const

/**
 * The texts of the debug logs: one line per fetch, refresh and discovery.
 *
 * @since 0.1.0
 * @category models
 */
export const logMessages = {
  fetch: "effect-oauth2: token fetch",
  refresh: "effect-oauth2: token refresh",
  discovery: "effect-oauth2: discovery"
} as const

/**
 * What a span that ended in a defect records instead of the defect: a defect may come from a user's HTTP client and
 * quote the request.
 *
 * @since 0.1.0
 * @category models
 */
export const opaqueDefectMessage = "an unexpected defect (its text is not recorded)"

/**
 * The reason a background refresh given up at its token's hard expiry is counted under.
 *
 * @since 0.1.0
 * @category models
 */
export const expiredReason = "Expired"

/**
 * How often a cache hit may set the `expires_in` gauge, in nanos: once a second.
 *
 * @since 0.1.0
 * @category models
 */
export const gaugeIntervalNanos = 1_000_000_000n

/**
 * What a lookup of the cache found.
 *
 * @since 0.1.0
 * @category models
 */
export type LookupResult = "hit" | "miss" | "joined" | "refreshed_ahead" | "failure"

/**
 * Who started a fetch: a caller that waits for it, or a call that found the token due for a refresh.
 *
 * @since 0.1.0
 * @category models
 */
export type Trigger = "caller" | "refresh"

/**
 * The labels every metric of one token service carries.
 *
 * @since 0.1.0
 * @category models
 */
export interface Labels {
  readonly clientId: string
  /** The host of the configured `tokenUrl`, or of the issuer when the token endpoint is discovered. */
  readonly host: string
}

/**
 * One metric label or attribute: its key and value.
 *
 * @since 0.1.0
 * @category models
 */
export type Label = readonly [key: string, value: string]

/**
 * A metric as an instrument is made: its name, what it measures, its unit.
 *
 * @since 0.1.0
 * @category models
 */
export interface MetricSpec {
  readonly name: string
  readonly description: string
  readonly unit: string
}

/**
 * A histogram: a metric with the upper bounds of its buckets.
 *
 * @since 0.1.0
 * @category models
 */
export interface HistogramSpec extends MetricSpec {
  readonly boundaries: ReadonlyArray<number>
}

/**
 * Every metric.
 *
 * @since 0.1.0
 * @category models
 */
export const metrics = {
  lookups: { name: names.lookups, description: "Token lookups by what the cache had", unit: "{lookup}" },
  requests: {
    name: names.requests,
    description: "Token requests (each with its retries) by outcome",
    unit: "{request}"
  },
  duration: {
    name: names.duration,
    description: "Duration of token requests, retries included",
    unit: "s",
    // what a token request may take, retries included (the OpenTelemetry HTTP client advice, up to 60 s)
    boundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60]
  },
  retries: { name: names.retries, description: "Retries of token and discovery requests by reason", unit: "{retry}" },
  refreshFailures: {
    name: names.refreshFailures,
    description: "Background refreshes that failed, by reason",
    unit: "{failure}"
  },
  rejections: { name: names.rejections, description: "Tokens an API rejected (401 invalid_token)", unit: "{token}" },
  recoveries: {
    name: names.recoveries,
    description: "Rejected tokens AuthorizedClient replaced, the request then accepted",
    unit: "{token}"
  },
  expiresIn: {
    name: names.expiresIn,
    description: "Seconds until the configured request's token expires",
    unit: "s"
  }
} as const satisfies Record<string, MetricSpec | HistogramSpec>

/**
 * How a fetch or a discovery ended, as the Effect line reads it from its exit: a success, the library's error it
 * failed with (its tag, reason and OAuth `error`), an interruption, or a defect.
 *
 * @since 0.1.0
 * @category models
 */
export type Ended =
  | { readonly _tag: "Success" }
  | {
    readonly _tag: "Failure"
    readonly error: {
      readonly _tag: "TokenError" | "NetworkError"
      readonly reason: string
      readonly error?: string | undefined
    }
  }
  | { readonly _tag: "Interrupted" }
  | { readonly _tag: "Defect" }

/**
 * How a fetch or a discovery ended, for attributes and labels: a bounded set of values, none of them text from a
 * server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Outcome {
  readonly outcome: "token" | "TokenError" | "NetworkError" | "defect" | "interrupted"
  readonly reason: string | undefined
  /** The OAuth `error`, when it is a registered code. */
  readonly errorCode: string | undefined
}

/**
 * The outcome of `ended`: `token`, the error's tag with its reason (and its OAuth `error` when registered),
 * `interrupted` or `defect`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const outcomeOf = (ended: Ended): Outcome => {
  switch (ended._tag) {
    case "Success":
      return { outcome: "token", reason: undefined, errorCode: undefined }
    case "Failure": {
      const { error } = ended
      const code = error._tag === "TokenError" && error.error !== undefined && isRegisteredErrorCode(error.error)
        ? error.error
        : undefined
      return { outcome: error._tag, reason: error.reason, errorCode: code }
    }
    case "Interrupted":
      return { outcome: "interrupted", reason: undefined, errorCode: undefined }
    case "Defect":
      return { outcome: "defect", reason: undefined, errorCode: undefined }
  }
}

/** Whether `outcome` is a failure: neither a token nor an interruption. */
const isFailure = (outcome: Outcome): boolean => outcome.outcome !== "token" && outcome.outcome !== "interrupted"

/**
 * The attributes a span gets when it ends with `outcome`: the outcome; on a failure, `error.type`; the reason and the
 * registered error code when there are.
 *
 * @since 0.1.0
 * @category constructors
 */
export const endAttributes = (outcome: Outcome): Record<string, string> => ({
  [keys.outcome]: outcome.outcome,
  ...(isFailure(outcome) ? { [keys.errorType]: outcome.outcome } : {}),
  ...(outcome.reason === undefined ? {} : { [keys.reason]: outcome.reason }),
  ...(outcome.errorCode === undefined ? {} : { [keys.errorCode]: outcome.errorCode })
})

/**
 * What the Effect line writes when a span ends: the attributes it adds to the span before ending it, and the debug log
 * line, its message and annotations.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ending {
  readonly spanAttributes: Record<string, string>
  readonly log: { readonly message: string; readonly annotations: Record<string, unknown> }
}

/**
 * The attributes an `oauth2.discovery` span starts with.
 *
 * @since 0.1.0
 * @category constructors
 */
export const discoveryAttributes = (host: string): Record<string, unknown> => ({ [keys.host]: host })

/**
 * How an `oauth2.discovery` span of the issuer at `host` ends after `seconds` with `outcome`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const discoveryEnded = (host: string, outcome: Outcome, seconds: number): Ending => ({
  spanAttributes: endAttributes(outcome),
  log: {
    message: logMessages.discovery,
    annotations: { [keys.host]: host, [keys.outcome]: outcome.outcome, seconds }
  }
})

/**
 * What one request with its retries adds to the span it runs in: how many attempts it made, and the host called.
 *
 * @since 0.1.0
 * @category constructors
 */
export const attemptsAttributes = (attempts: number, host: string): Record<string, unknown> => ({
  [keys.attempts]: attempts,
  [keys.host]: host
})

/**
 * One instrument of the Effect line's metrics, with its labels: `update` adds to a counter, records in a histogram,
 * sets a gauge.
 *
 * @since 0.1.0
 * @category models
 */
export interface Instrument {
  readonly update: (value: number) => void
}

/**
 * How an Effect line makes its instruments. `labels` are all the instrument's labels, its `unit` last. A counter made
 * `hot` is updated on every cache hit: what an update needs is looked up when it is made, not on first use.
 *
 * @since 0.1.0
 * @category models
 */
export interface Instruments {
  readonly counter: (spec: MetricSpec, labels: ReadonlyArray<Label>, options: { readonly hot: boolean }) => Instrument
  readonly histogram: (spec: HistogramSpec, labels: ReadonlyArray<Label>) => Instrument
  readonly gauge: (spec: MetricSpec, labels: ReadonlyArray<Label>) => Instrument
}

/**
 * The labels of one token service's metrics: its client id and host; none for a service built elsewhere (a mock).
 *
 * @since 0.1.0
 * @category constructors
 */
export const labelsOf = (labels: Labels | undefined): ReadonlyArray<Label> =>
  labels === undefined ? [] : [[keys.clientId, labels.clientId], [keys.host, labels.host]]

/** Built on first use for each key, then kept: one instrument per outcome, reason, …, a bounded set. */
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

/** The lookups that are not hits, each with its counter. */
type Lookups = Record<Exclude<LookupResult, "hit">, Instrument>

/**
 * The metrics of one token service, and what each of its events adds to them; the attributes of its fetch spans and
 * their debug logs. Built once per service, with its labels, on the Effect line's `Instruments`.
 *
 * @since 0.1.0
 * @category models
 */
export class Recorder {
  /** The attributes every span and log line of the service carries: its labels. */
  readonly attributes: Record<string, string>
  private readonly hits: Instrument
  private readonly lookups: Lookups
  private readonly expiresIn: Instrument
  private readonly rejections: Instrument
  private readonly recoveries: Instrument
  private readonly requests: (key: string) => { readonly count: Instrument; readonly duration: Instrument }
  private readonly retries: (reason: string) => Instrument
  private readonly refreshFailures: (reason: string) => Instrument
  private configured: object | undefined
  /** From when a hit may set the gauge again, in monotonic nanos. */
  private dueAt = 0n

  constructor(labels: Labels | undefined, instruments: Instruments) {
    const tags = labelsOf(labels)
    this.attributes = Object.fromEntries(tags)
    const unit = (spec: MetricSpec): Label => [keys.unit, spec.unit]
    const counter = (spec: MetricSpec, extra: ReadonlyArray<Label> = [], hot = false) =>
      instruments.counter(spec, [...tags, ...extra, unit(spec)], { hot })
    const lookup = (result: LookupResult) => counter(metrics.lookups, [[keys.result, result]], result === "hit")
    const byReason = (reason: string): ReadonlyArray<Label> => [[keys.reason, reason]]
    this.hits = lookup("hit")
    this.lookups = {
      miss: lookup("miss"),
      joined: lookup("joined"),
      refreshed_ahead: lookup("refreshed_ahead"),
      failure: lookup("failure")
    }
    this.expiresIn = instruments.gauge(metrics.expiresIn, [...tags, unit(metrics.expiresIn)])
    this.rejections = counter(metrics.rejections)
    this.recoveries = counter(metrics.recoveries)
    // keyed by `outcome/reason`
    this.requests = memoized((key) => {
      const [outcome, reason] = key.split("/") as [string, string]
      const outcomeTags: ReadonlyArray<Label> = [[keys.outcome, outcome], ...(reason === "" ? [] : byReason(reason))]
      return {
        count: counter(metrics.requests, outcomeTags),
        duration: instruments.histogram(metrics.duration, [...tags, ...outcomeTags, unit(metrics.duration)])
      }
    })
    this.retries = memoized((reason) => counter(metrics.retries, byReason(reason)))
    this.refreshFailures = memoized((reason) => counter(metrics.refreshFailures, byReason(reason)))
  }

  /**
   * A token served from the cache by `cell`: the hot path. When `cell` is the configured request's, sets the
   * `expires_in` gauge too, at most once a second. `expiresAt` is the token's expiry in monotonic millis, `now` the
   * monotonic time in nanos.
   */
  hit(cell: object, expiresAt: number, now: bigint): void {
    this.hits.update(1)
    if (cell !== this.configured || now < this.dueAt) return
    this.dueAt = now + gaugeIntervalNanos
    this.setGauge(expiresAt, Number(now) / 1_000_000)
  }

  /** A hit counted and nothing else: for a path that leaves the gauge to the other calls. */
  countHit(): void {
    this.hits.update(1)
  }

  /**
   * Any other lookup, with the token still served (`refreshed_ahead`, with its `expiresAt`) or none (the others: the
   * gauge of the configured request's cell goes to 0, since it holds no usable token). `now` in monotonic millis.
   */
  lookup(cell: object, result: Exclude<LookupResult, "hit">, expiresAt: number | undefined, now: number): void {
    this.lookups[result].update(1)
    this.changed(cell, expiresAt, now)
  }

  /** `count` callers joined fetches other callers started: counted once per fetch, when it settles. */
  joined(count: number): void {
    if (count > 0) this.lookups.joined.update(count)
  }

  /** Makes `cell` the configured request's: its tokens set the `expires_in` gauge. */
  setConfiguredCell(cell: object): void {
    this.configured = cell
  }

  /** A token expiring at `expiresAt` was issued to `cell` (or taken from a shared store) at `now` (monotonic millis). */
  issued(cell: object, expiresAt: number, now: number): void {
    this.changed(cell, expiresAt, now)
  }

  /** A retry of a token or discovery request, after a `NetworkError` with `reason`. */
  retried(reason: string): void {
    this.retries(reason).update(1)
  }

  /** A background refresh given up at its token's hard expiry. */
  refreshExpired(): void {
    this.refreshFailures(expiredReason).update(1)
  }

  /** A token an API rejected. */
  rejected(): void {
    this.rejections.update(1)
  }

  /** A rejected token replaced, the request then not refused for its token. */
  recovered(): void {
    this.recoveries.update(1)
  }

  /** The attributes an `oauth2.token.fetch` span starts with. */
  fetchAttributes(flight: { readonly trigger: Trigger; readonly scopes: number }): Record<string, unknown> {
    return { ...this.attributes, [keys.scopes]: flight.scopes, [keys.trigger]: flight.trigger }
  }

  /**
   * A fetch that ended after `seconds` with `outcome`, its token `fromStore` when it came from a shared store: counts
   * and times the token request (a token from a store cost none), counts a refresh that failed, and tells how the
   * span ends and what the debug log says.
   */
  fetchEnded(ended: {
    readonly trigger: Trigger
    readonly outcome: Outcome
    readonly fromStore: boolean
    readonly seconds: number
  }): Ending {
    const { fromStore, outcome, seconds, trigger } = ended
    if (!fromStore) {
      const requests = this.requests(`${outcome.outcome}/${outcome.reason ?? ""}`)
      requests.count.update(1)
      requests.duration.update(seconds)
    }
    if (trigger === "refresh" && isFailure(outcome)) this.refreshFailures(outcome.reason ?? outcome.outcome).update(1)
    const source = fromStore ? { [keys.source]: "store" } : {}
    return {
      spanAttributes: { ...source, ...endAttributes(outcome) },
      log: {
        message: trigger === "refresh" ? logMessages.refresh : logMessages.fetch,
        annotations: {
          ...this.attributes,
          [keys.outcome]: outcome.outcome,
          ...source,
          ...(outcome.reason === undefined ? {} : { [keys.reason]: outcome.reason }),
          ...(outcome.errorCode === undefined ? {} : { [keys.errorCode]: outcome.errorCode }),
          seconds
        }
      }
    }
  }

  /** The cell's token (or none, `undefined`) as of `now`, in monotonic millis. */
  private changed(cell: object, expiresAt: number | undefined, now: number): void {
    if (cell !== this.configured) return
    this.dueAt = 0n
    if (expiresAt === undefined) this.expiresIn.update(0)
    else this.setGauge(expiresAt, now)
  }

  private setGauge(expiresAt: number, now: number): void {
    this.expiresIn.update((expiresAt - now) / 1000)
  }
}

/**
 * What the work of a token service tells its telemetry, short of spans: each line's `Telemetry` offers these as the
 * `Recorder` does them (`hooksOf`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Hooks {
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
  /** A background refresh given up at its token's hard expiry: a refresh failure, reason `Expired`. */
  readonly refreshExpired: () => void
  /** A token an API rejected. */
  readonly rejected: () => void
  /** A rejected token `AuthorizedClient` replaced, the request then not refused for its token. */
  readonly recovered: () => void
}

/**
 * The hooks of `recorder`, as functions a caller may pass around.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hooksOf = (recorder: Recorder): Hooks => ({
  hit: (cell, expiresAt, now) => recorder.hit(cell, expiresAt, now),
  countHit: () => recorder.countHit(),
  joined: (count) => recorder.joined(count),
  lookup: (cell, result, expiresAt, now) => recorder.lookup(cell, result, expiresAt, now),
  setConfiguredCell: (cell) => recorder.setConfiguredCell(cell),
  issued: (cell, expiresAt, now) => recorder.issued(cell, expiresAt, now),
  refreshExpired: () => recorder.refreshExpired(),
  rejected: () => recorder.rejected(),
  recovered: () => recorder.recovered()
})
