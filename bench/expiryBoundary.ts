/**
 * Scenario 2, expiry boundary: 50 callers keep asking for the token while it reaches the end of its life. The
 * token endpoint takes 100 ms and tokens live 2 s. The library should renew once per boundary, in the background,
 * so that no caller waits for the endpoint; the baseline's callers all see the stale token, all fetch, all wait.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as PerfHooks from "node:perf_hooks"
import * as Baseline from "./baseline.js"
import * as Charts from "./charts.js"
import * as Report from "./report.js"
import type * as TokenServer from "./tokenServer.js"

const callers = 50
const runMillis = 4000
const maxCallsPerCaller = 20_000
const endpointDelayMs = 100
const lifetimeSeconds = 2
/** The library's `expiryLeeway`, and the baseline's skew: 10 % of the lifetime, as 6 minutes are of 1 hour. */
const skewMs = 200
/** A pause longer than this between two token requests starts a new renewal. */
const burstGapMs = 300
/** The chart's time buckets: token requests and the slowest call in each. */
const bucketMs = 100
/** Enough buckets for the run and the last calls, which start before the deadline and may end after it. */
const bucketCount = runMillis / bucketMs + 2

interface Outcome {
  readonly calls: number
  readonly slowestMs: number
  /** Calls that waited longer than half the endpoint's delay. */
  readonly waitedCalls: number
  readonly distinctTokens: number
  readonly requests: number
  readonly renewals: number
  /** The longest the event loop was late during the run, whatever the cause (GC, the machine): a stall floor. */
  readonly stallMs: number
  /** Per `bucketMs` from the start of the run, by when a call started: the slowest call, and the token requests. */
  readonly slowestPerBucket: ReadonlyArray<number>
  readonly requestsPerBucket: ReadonlyArray<number>
}

const bucketOf = (msFromStart: number) => Math.min(Math.max(Math.floor(msFromStart / bucketMs), 0), bucketCount - 1)

class Tally {
  readonly loopDelay = PerfHooks.monitorEventLoopDelay({ resolution: 1 })
  calls = 0
  slowestMs = 0
  waitedCalls = 0
  readonly tokens = new Set<string>()
  /** Preallocated, so that recording a call allocates nothing in the timed loop. */
  readonly slowestPerBucket = new Float64Array(bucketCount)
  origin = 0
  record(started: number, waitedMs: number, token: string): void {
    this.calls++
    if (waitedMs > this.slowestMs) this.slowestMs = waitedMs
    const bucket = bucketOf(started - this.origin)
    if (waitedMs > this.slowestPerBucket[bucket]!) this.slowestPerBucket[bucket] = waitedMs
    if (waitedMs > endpointDelayMs / 2) this.waitedCalls++
    this.tokens.add(token)
  }
  start(): void {
    this.origin = performance.now()
    this.loopDelay.enable()
  }
  outcome(server: TokenServer.TokenServer): Outcome {
    this.loopDelay.disable()
    return {
      calls: this.calls,
      slowestMs: this.slowestMs,
      waitedCalls: this.waitedCalls,
      distinctTokens: this.tokens.size,
      requests: server.tokenRequests,
      renewals: Report.countBursts(server.tokenRequestTimes, burstGapMs),
      stallMs: this.loopDelay.max / 1e6,
      slowestPerBucket: Array.from(this.slowestPerBucket),
      requestsPerBucket: server.tokenRequestTimes.reduce((counts, time) => {
        const bucket = bucketOf(time - this.origin)
        counts[bucket] = counts[bucket]! + 1
        return counts
      }, Array.from({ length: bucketCount }, () => 0))
    }
  }
}

const runLibrary = (server: TokenServer.TokenServer) =>
  Effect.gen(function*() {
    const tokens = yield* TokenService.TokenService
    yield* tokens.get
    // start from a clean heap, so that a collection of earlier garbage does not land in the run
    yield* Effect.promise(Report.heapUsedAfterGc)
    server.reset()
    const tally = new Tally()
    tally.start()
    const deadline = performance.now() + runMillis
    const caller = Effect.gen(function*() {
      for (let i = 0; i < maxCallsPerCaller && performance.now() < deadline; i++) {
        const started = performance.now()
        const token = yield* tokens.get
        tally.record(started, performance.now() - started, Redacted.value(token.value))
        yield* Effect.sleep("1 millis")
      }
    })
    yield* Effect.all(Array.from({ length: callers }, () => caller), { concurrency: "unbounded", discard: true })
    return tally.outcome(server)
  }).pipe(
    Effect.provide(TokenService.layer({
      tokenUrl: server.tokenUrl,
      clientId: Report.clientId,
      clientSecret: Redacted.make(Report.clientSecret),
      expiryLeeway: `${skewMs} millis`
    })),
    Effect.provide(NodeHttpClient.layerUndici),
    Effect.runPromise
  )

const runBaseline = async (server: TokenServer.TokenServer) => {
  Baseline.configure({
    tokenUrl: server.tokenUrl,
    clientId: Report.clientId,
    clientSecret: Report.clientSecret,
    skewMs
  })
  await Baseline.getToken()
  await Report.heapUsedAfterGc()
  server.reset()
  const tally = new Tally()
  tally.start()
  const deadline = performance.now() + runMillis
  const caller = async () => {
    for (let i = 0; i < maxCallsPerCaller && performance.now() < deadline; i++) {
      const started = performance.now()
      const token = await Baseline.getToken()
      tally.record(started, performance.now() - started, token)
      await Report.sleep(1)
    }
  }
  await Promise.all(Array.from({ length: callers }, caller))
  return tally.outcome(server)
}

const describe = (name: string, outcome: Outcome) =>
  Report.progress(
    `${name}: ${Report.format(outcome.calls)} calls, ${outcome.requests} token request(s) in ${outcome.renewals} ` +
      `renewal(s), ${outcome.distinctTokens} distinct token(s) served, slowest call ` +
      `${Report.format(outcome.slowestMs, 1)} ms, ${outcome.waitedCalls} call(s) over ${endpointDelayMs / 2} ms; ` +
      `event loop at most ${Report.format(outcome.stallMs, 1)} ms late`
  )

const perRenewal = (outcome: Outcome) => outcome.renewals === 0 ? 0 : outcome.requests / outcome.renewals

/** Runs the scenario against `server`. */
export const run = async (server: TokenServer.TokenServer): Promise<ReadonlyArray<Report.Row>> => {
  server.delayMs = endpointDelayMs
  server.lifetimeSeconds = lifetimeSeconds
  const library = await runLibrary(server)
  describe("library", library)
  const baseline = await runBaseline(server)
  describe("baseline", baseline)
  const chart = Charts.write(
    "expiry-boundary",
    Charts.expiryBoundary({
      bucketMs,
      runMillis,
      callers,
      endpointDelayMs,
      lifetimeSeconds,
      goalMs: endpointDelayMs / 4,
      library,
      baseline
    })
  )
  Report.progress(`chart: ${chart}`)
  const cell = (outcome: Outcome) =>
    `${outcome.requests} in ${outcome.renewals} renewal(s) = ${Report.format(perRenewal(outcome), 1)}`
  return [
    {
      scenario: "2 expiry boundary",
      measure: `token requests per renewal, ${callers} callers, ${runMillis / 1000} s`,
      library: cell(library),
      baseline: cell(baseline),
      goal: "1 per renewal",
      met: library.renewals >= 1 && library.requests === library.renewals
    },
    {
      scenario: "2 expiry boundary",
      measure: `slowest single call (endpoint: ${endpointDelayMs} ms)`,
      library: `${Report.format(library.slowestMs, 1)} ms`,
      baseline: `${Report.format(baseline.slowestMs, 1)} ms`,
      goal: `< ${endpointDelayMs / 4} ms`,
      met: library.slowestMs < endpointDelayMs / 4
    },
    {
      scenario: "2 expiry boundary",
      measure: "reference: the event loop's longest delay in the run (GC, machine)",
      library: `${Report.format(library.stallMs, 1)} ms`,
      baseline: `${Report.format(baseline.stallMs, 1)} ms`,
      goal: ""
    },
    {
      scenario: "2 expiry boundary",
      measure: `calls that waited > ${endpointDelayMs / 2} ms`,
      library: `${Report.format(library.waitedCalls)} of ${Report.format(library.calls)}`,
      baseline: `${Report.format(baseline.waitedCalls)} of ${Report.format(baseline.calls)}`,
      goal: "0",
      met: library.waitedCalls === 0
    }
  ]
}
