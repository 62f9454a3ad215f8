/**
 * The single-process soak: `callers` concurrent callers of `TokenService.get` (real time) for `seconds`, against
 * `FakeAuthServer` in fault mode (`faultRate` of the token requests answered, at random, with a 503, a 429 with
 * `Retry-After: 1`, a reset, a hang, a malformed or an HTML body), its token lifetime changed every second to 3, 4 or
 * 5 s. It checks:
 *
 * - no caller fails while a token the server issued is usable: a call that failed counts when a token was issued
 *   before the call began and was still usable (before its expiry less the leeway) when it ended, with
 *   `windowMarginMillis` kept at each end for the time the answer travels;
 * - token requests ≤ `tokenRequestBound` (the retry schedule's worst case, see there);
 * - refresh ahead: each token the server issued (its issue log) was issued at least `windowMarginMillis` before the
 *   token it follows stopped being usable, unless a fault was injected between the two issues (a failed refresh tries
 *   again later). Without refresh ahead the next token is fetched when the current one stops being usable;
 * - the heap after the run (forced GC) within 10 % of the heap after the warm-up (when `heapCheck`);
 * - after the layer is closed, no fiber it started is alive (`effectLine.ts`'s `trackFibers`: `Supervisor.track` on
 *   Effect 3, the fiber start and end hooks of `Metric.FiberRuntimeMetrics` on Effect 4), and once the fake server is
 *   closed too, no timer, socket or other handle more than once the fake server had started
 *   (`process.getActiveResourcesInfo()`).
 *
 * Written once for both Effect lines: `packages/effect4/soak` links it and runs it with `--preserve-symlinks`, so that
 * its imports are the Effect 4 line's; what the lines name differently comes from `effectLine.ts`.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as FakeAuthServerRules from "@effect-oauth2/core/fakeAuthServer"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { failureOf, trackFibers } from "./effectLine.js"

/** What a run does. */
export interface Options {
  readonly seconds: number
  readonly callers: number
  /** When the heap is measured the first time, in seconds from the start. */
  readonly warmupSeconds: number
  readonly heapCheck: boolean
  readonly faultRate: number
  readonly seed: number
  /** Each caller's pause between two calls, in millis. */
  readonly pauseMillis: number
}

/** The run of `npm run soak`. */
export const full: Options = {
  seconds: 60,
  callers: 200,
  warmupSeconds: 10,
  heapCheck: true,
  faultRate: 0.2,
  seed: 20261207,
  pauseMillis: 20
}

/** `full` for `seconds` (`npm run soak -- --seconds N`), warmed up for a quarter of them, at most 10 s. */
export const forSeconds = (seconds: number): Options => ({
  ...full,
  seconds,
  warmupSeconds: Math.min(10, seconds / 4)
})

/** The run of `npm test`: 10 s, no heap check. */
export const short: Options = { ...full, seconds: 10, warmupSeconds: 3, heapCheck: false }

/** The token lifetimes the server draws from, in seconds. */
export const lifetimesSeconds: ReadonlyArray<number> = [3, 4, 5]

/** The library's options in the soak (each default of `@effect-oauth2/core/options` but these). */
export const policy = {
  expiryLeewayMillis: 500,
  requestTimeoutMillis: 1000,
  /** The defaults: refresh at 0.8 of the usable life, jittered by up to 10 % of it. */
  refreshAhead: 0.8,
  refreshJitter: 0.1,
  /** The default retry schedule: 3 retries, exponential from 200 ms, factor 2, jittered ×0.8–1.2. */
  retries: 3,
  retryBaseMillis: 200,
  retryFactor: 2,
  jitterMin: 0.8,
  /** A non-terminal `TokenError` (HTML, malformed body) is answered from memory for 1 s. */
  tokenErrorMemoryMillis: 1000,
  /** A failed background refresh tries again after at least 1 s (or at the token's hard expiry, if sooner). */
  refreshRetryMillis: 1000,
  /** The `Retry-After` of the injected 429s. */
  retryAfterSeconds: 1
} as const

/** Slack at each end of a token's usable window, for the time its answer travels and the callers' clocks. */
export const windowMarginMillis = 100

/**
 * The most token requests the library's schedule allows in `seconds`:
 *
 *   B = (1 + R) × (S + F), S = T / g_ok + 1, F = T / g_fail + S
 *
 * - R: retries per fetch (each fetch is one single-flight request and its retries: at most 1 + R requests);
 * - S: successful fetches. After one, the next starts at the new token's refresh point, at least
 *   g_ok = (a − min(j, a/2)) × U_min after it: a the refresh-ahead fraction, j its jitter, U_min = L_min −
 *   min(leeway, L_min/2) the shortest usable life (3 s tokens, 0.5 s leeway: 2.5 s; g_ok = 1.75 s);
 * - F: failed fetches. After one, the next starts at least g_fail = 1 s later: a TokenError is answered from memory
 *   for 1 s, a failed refresh tries again after at least 1 s, a `Retry-After` is 1 s, and a fetch that spent its
 *   retries waited at least jitterMin × base × (2^R − 1) = 1.12 s; the exception is a failed refresh whose retry the
 *   token's hard expiry cuts short, at most once per token: hence + S.
 */
export const tokenRequestBound = (seconds: number): { readonly bound: number; readonly formula: string } => {
  const minLifetime = Math.min(...lifetimesSeconds) * 1000
  const usable = minLifetime - Math.min(policy.expiryLeewayMillis, minLifetime / 2)
  const gapOk = (policy.refreshAhead - Math.min(policy.refreshJitter, policy.refreshAhead / 2)) * usable
  const backoffs = policy.jitterMin * policy.retryBaseMillis * (policy.retryFactor ** policy.retries - 1)
  const gapFail = Math.min(
    policy.tokenErrorMemoryMillis,
    policy.refreshRetryMillis,
    policy.retryAfterSeconds * 1000,
    backoffs
  )
  const millis = seconds * 1000
  const successes = millis / gapOk + 1
  const failures = millis / gapFail + successes
  const bound = Math.floor((1 + policy.retries) * (successes + failures))
  return {
    bound,
    formula: `(1 + ${policy.retries}) × (S + F), S = ${seconds.toFixed(1)} s / ${(gapOk / 1000).toFixed(2)} s + 1 = ${
      successes.toFixed(1)
    }, F = ${seconds.toFixed(1)} s / ${(gapFail / 1000).toFixed(2)} s + S = ${failures.toFixed(1)} → ${bound}`
  }
}

/** One assertion of the run and what it saw. */
export interface Check {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
}

/** The run's figures, per second from the start. */
export interface Timeline {
  readonly calls: ReadonlyArray<number>
  readonly failures: ReadonlyArray<number>
  readonly tokenRequests: ReadonlyArray<number>
  /** Each fault injected: its kind and its time in seconds from the start. */
  readonly faults: ReadonlyArray<{ readonly kind: string; readonly at: number }>
}

/** What a run reports. */
export interface Result {
  readonly options: Options
  readonly seconds: number
  readonly calls: number
  readonly failures: number
  readonly failuresWithValidToken: ReadonlyArray<{ readonly at: number; readonly error: string }>
  /** Tokens that followed another, and the times (s) of those issued late with no fault before them. */
  readonly successions: { readonly count: number; readonly late: ReadonlyArray<number> }
  readonly failureWindows: ReadonlyArray<string>
  readonly failureKinds: Readonly<Record<string, number>>
  readonly tokenRequests: number
  readonly tokensIssued: number
  readonly bound: { readonly bound: number; readonly formula: string }
  readonly faultsByKind: Readonly<Record<string, number>>
  readonly heap: { readonly warmup: number; readonly end: number } | undefined
  readonly fibersAlive: number
  readonly resourcesLeft: Readonly<Record<string, number>>
  readonly timeline: Timeline
  readonly checks: ReadonlyArray<Check>
}

/** Handles by kind (`Timeout`, `TCPSocketWrap`, …), counted. */
export const activeResources = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

/** The kinds of which `after` holds more than `before`, and how many more. */
export const resourcesAdded = (
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>
): Record<string, number> =>
  Object.fromEntries(
    Object.entries(after).flatMap(([kind, count]) =>
      count > (before[kind] ?? 0) ? [[kind, count - (before[kind] ?? 0)]] : []
    )
  )

/** The heap in use after a full GC, in bytes; `undefined` without `--expose-gc`. */
const heapAfterGc = (): number | undefined => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) return undefined
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** `Tag` or `Tag:reason` of a failure. */
const errorWord = (error: unknown): string => {
  const tagged = error as { readonly _tag?: string; readonly reason?: string }
  return tagged.reason === undefined ? String(tagged._tag) : `${tagged._tag}:${tagged.reason}`
}

/** The most failures a run records (the count goes on). */
const maxFailures = 2_000_000

const wait = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

/** Runs the soak; resolves with its figures and checks (it does not throw on a failed check). */
export const run = async (options: Options, log: (line: string) => void = () => {}): Promise<Result> => {
  const serverScope = Effect.runSync(Scope.make())
  const serverContext = await Effect.runPromise(Layer.buildWithScope(FakeAuthServer.layer(), serverScope))
  const server = Context.get(serverContext, FakeAuthServer.FakeAuthServer)
  // counted once the fake server runs: what it holds for good (its platform layer opens stdin) is not the library's;
  // the handles it holds while it runs are gone once it is closed. Node opens stdout at its first use (a warning)
  void process.stdout.writable
  const resourcesBefore = activeResources()
  const random = FakeAuthServerRules.seededRandom(options.seed)
  const lifetime = () => lifetimesSeconds[Math.floor(random() * lifetimesSeconds.length)]!
  await Effect.runPromise(server.setTokenLifetime(Duration.seconds(lifetime())))
  await Effect.runPromise(
    server.setFaults({ rate: options.faultRate, seed: options.seed, retryAfterSeconds: policy.retryAfterSeconds })
  )

  const bins = Math.ceil(options.seconds) + 2
  const calls: Array<number> = Array.from({ length: bins }, () => 0)
  const failuresPerSecond: Array<number> = Array.from({ length: bins }, () => 0)
  // typed arrays: their memory is off the JS heap, so many failures do not move the heap check
  const failureTimes = new Float64Array(maxFailures)
  const failureStarts = new Float64Array(maxFailures)
  const failureErrors = new Uint8Array(maxFailures)
  const errorWords: Array<string> = []
  let failureCount = 0
  let heapWarmup: number | undefined
  let heapEnd: number | undefined

  const fibers = trackFibers()
  const tokenLayer = TokenService.layer({
    tokenUrl: server.tokenUrl,
    clientId: FakeAuthServer.defaultClient.clientId,
    clientSecret: Redacted.make(FakeAuthServer.defaultClient.clientSecret),
    expiryLeeway: Duration.millis(policy.expiryLeewayMillis),
    requestTimeout: Duration.millis(policy.requestTimeoutMillis)
  }).pipe(Layer.provide(NodeHttpClient.layerUndici))

  const startedAt = Date.now()
  const stopAt = startedAt + options.seconds * 1000
  const binOf = (at: number) => Math.min(bins - 1, Math.max(0, Math.floor((at - startedAt) / 1000)))

  const library = Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(tokenLayer, scope)
    const tokens = Context.get(context, TokenService.TokenService)
    const caller = Effect.gen(function*() {
      while (Date.now() < stopAt) {
        const started = Date.now()
        const exit = yield* Effect.exit(tokens.get)
        const at = Date.now()
        calls[binOf(at)]!++
        if (Exit.isFailure(exit)) {
          failuresPerSecond[binOf(at)]!++
          const failure = failureOf(exit.cause)
          const error = "error" in failure ? errorWord(failure.error) : failure.kind
          if (!errorWords.includes(error)) errorWords.push(error)
          if (failureCount < maxFailures) {
            failureTimes[failureCount] = at
            failureStarts[failureCount] = started
            failureErrors[failureCount] = errorWords.indexOf(error)
            failureCount++
          }
        }
        yield* Effect.sleep(Duration.millis(options.pauseMillis * (0.5 + random())))
      }
    })
    const lifetimes = Effect.gen(function*() {
      while (Date.now() < stopAt - 1000) {
        yield* Effect.sleep(Duration.seconds(1))
        yield* server.setTokenLifetime(Duration.seconds(lifetime()))
      }
    })
    const heapProbe = Effect.gen(function*() {
      yield* Effect.sleep(Duration.seconds(options.warmupSeconds))
      if (options.heapCheck) heapWarmup = heapAfterGc()
      log(
        `warm-up done at ${options.warmupSeconds} s; heap ${heapWarmup === undefined ? "not measured" : mb(heapWarmup)}`
      )
    })
    yield* Effect.all(
      [...Array.from({ length: options.callers }, () => caller), lifetimes, heapProbe],
      { concurrency: "unbounded", discard: true }
    )
    if (options.heapCheck) heapEnd = heapAfterGc()
    yield* Scope.close(scope, Exit.void)
  })
  await Effect.runPromise(fibers.track(library))
  const endedAt = Date.now()
  // fibers of the layer still alive once its scope has closed
  await wait(50)
  const fibersAlive = fibers.alive()

  const tokenRequests = (await Effect.runPromise(server.tokenRequests)).length
  const issued = await Effect.runPromise(server.issuedTokens)
  const faults = await Effect.runPromise(server.faults)
  await Effect.runPromise(Scope.close(serverScope, Exit.void))

  // handles close a moment after their owner: wait (at most 1 s) for the count to come back
  let resourcesLeft = resourcesAdded(resourcesBefore, activeResources())
  for (let tries = 0; tries < 20 && Object.keys(resourcesLeft).length > 0; tries++) {
    await wait(50)
    resourcesLeft = resourcesAdded(resourcesBefore, activeResources())
  }

  const failures = Array.from({ length: failureCount }, (_, index) => ({
    started: failureStarts[index]!,
    at: failureTimes[index]!,
    error: errorWords[failureErrors[index]!]!
  }))
  const usableUntil = (token: { readonly issuedAt: number; readonly expiresAt: number }) =>
    token.expiresAt - Math.min(policy.expiryLeewayMillis, (token.expiresAt - token.issuedAt) / 2)
  const failuresWithValidToken = failures.filter((failure) =>
    issued.some((token) =>
      token.issuedAt + windowMarginMillis <= failure.started && failure.at < usableUntil(token) - windowMarginMillis
    )
  ).map((failure) => ({ at: (failure.at - startedAt) / 1000, error: failure.error }))

  // refresh ahead: the next token comes well before the current one stops being usable, unless a fault held it up
  const byIssue = [...issued].sort((a, b) => a.issuedAt - b.issuedAt)
  const pairs = byIssue.slice(1).map((next, index) => [byIssue[index]!, next] as const)
  const lateSuccessors = pairs.filter(([previous, next]) =>
    next.issuedAt > usableUntil(previous) - windowMarginMillis &&
    !faults.some((fault) => previous.issuedAt < fault.at && fault.at < next.issuedAt)
  ).map(([, next]) => (next.issuedAt - startedAt) / 1000)

  const seconds = (endedAt - startedAt) / 1000
  const bound = tokenRequestBound(seconds)
  const faultsByKind: Record<string, number> = {}
  for (const fault of faults) faultsByKind[fault.kind] = (faultsByKind[fault.kind] ?? 0) + 1
  const failureKinds: Record<string, number> = {}
  for (const failure of failures) failureKinds[failure.error] = (failureKinds[failure.error] ?? 0) + 1
  const tokenRequestsPerSecond: Array<number> = Array.from({ length: bins }, () => 0)
  for (const at of [...issued.map((token) => token.issuedAt), ...faults.map((fault) => fault.at)]) {
    tokenRequestsPerSecond[binOf(at)]!++
  }

  const checks: Array<Check> = [
    {
      name: "no caller failure while a valid token was cached",
      ok: failuresWithValidToken.length === 0,
      detail: `${failuresWithValidToken.length} of ${failures.length} failures had a usable token` +
        (failuresWithValidToken.length > 0
          ? ` (first at ${failuresWithValidToken[0]!.at.toFixed(2)} s: ${failuresWithValidToken[0]!.error})`
          : "")
    },
    {
      name: "token requests within the schedule's bound",
      ok: tokenRequests <= bound.bound,
      detail: `${tokenRequests} ≤ ${bound.bound}`
    },
    {
      name: "each token issued before the one it follows stopped being usable, unless a fault came between",
      ok: lateSuccessors.length === 0,
      detail: `${lateSuccessors.length} of ${pairs.length} later` +
        (lateSuccessors.length > 0 ? ` (first at ${lateSuccessors[0]!.toFixed(2)} s)` : "")
    },
    ...(options.heapCheck
      ? [{
        name: "heap after the run within 10 % of the heap after warm-up",
        ok: heapWarmup !== undefined && heapEnd !== undefined && heapEnd <= heapWarmup * 1.1,
        detail: heapWarmup === undefined || heapEnd === undefined
          ? "not measured: run node with --expose-gc"
          : `${mb(heapWarmup)} → ${mb(heapEnd)} (${percent(heapEnd / heapWarmup - 1)})`
      }]
      : []),
    { name: "no fiber of the layer alive after it closed", ok: fibersAlive === 0, detail: `${fibersAlive} alive` },
    {
      name: "no timer, socket or handle left after close",
      ok: Object.keys(resourcesLeft).length === 0,
      detail: Object.keys(resourcesLeft).length === 0 ? "none" : JSON.stringify(resourcesLeft)
    }
  ]

  return {
    options,
    seconds,
    calls: calls.reduce((sum, count) => sum + count, 0),
    failures: failuresPerSecond.reduce((sum, count) => sum + count, 0),
    failuresWithValidToken,
    successions: { count: pairs.length, late: lateSuccessors },
    failureWindows: windows(failures.map((failure) => (failure.at - startedAt) / 1000)),
    failureKinds,
    tokenRequests,
    tokensIssued: issued.length,
    bound,
    faultsByKind,
    heap: heapWarmup === undefined || heapEnd === undefined ? undefined : { warmup: heapWarmup, end: heapEnd },
    fibersAlive,
    resourcesLeft,
    timeline: {
      calls,
      failures: failuresPerSecond,
      tokenRequests: tokenRequestsPerSecond,
      faults: faults.map((fault) => ({ kind: fault.kind, at: (fault.at - startedAt) / 1000 }))
    },
    checks
  }
}

/** Times (s) grouped into windows of failures at most 0.5 s apart: `12.31–13.40 s (57)`. */
const windows = (times: ReadonlyArray<number>): ReadonlyArray<string> => {
  const sorted = [...times].sort((a, b) => a - b)
  const out: Array<string> = []
  let start = sorted[0]
  let last = sorted[0]
  let count = 0
  for (const time of sorted) {
    if (last !== undefined && start !== undefined && time - last > 0.5) {
      out.push(`${start.toFixed(2)}–${last.toFixed(2)} s (${count})`)
      start = time
      count = 0
    }
    last = time
    count++
  }
  if (start !== undefined && last !== undefined) out.push(`${start.toFixed(2)}–${last.toFixed(2)} s (${count})`)
  return out
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const percent = (ratio: number) => `${ratio >= 0 ? "+" : ""}${(ratio * 100).toFixed(1)} %`
