/**
 * Scenario 1, cold stampede: 1,000 callers ask for a token at the same moment, before any is cached. The library
 * should send one token request, and cost its callers little more than its floor, the same 1,000 callers awaiting one
 * plain `fetch` without the library: the request should leave at most 10 ms later than the floor's; once the answer
 * is in, the callers should all have their token at most 10 ms later than the floor's callers have theirs; and the
 * whole stampede should take at most 1.2 times the floor's. Measured for the Promise API (`createTokenClient(...).getToken()`) against a
 * plain `fetch` shared by a promise, and for Effect code (`runtime.runPromise(tokens.get)`) against its own floor: the
 * same shared `fetch` awaited by 1,000 `runtime.runPromise` of a `Deferred`. The goals are what the library adds to
 * its floor, not absolute times: starting 1,000 fibers from Promise code costs what it costs, library or not (on
 * Effect 3, 11 to 18 ms before the floor's own request can leave, depending on the machine).
 * A fresh client each round, the token endpoint in this process answering after 50 ms; each figure the median of the
 * rounds. The baseline (the classic snippet) sends one request per caller. Plain Promise code: the line's calls come
 * from its shell (`Line.Line`), so that both Effect lines are measured the same way.
 */
import * as Baseline from "./baseline.js"
import * as Charts from "./charts.js"
import type * as Line from "./line.js"
import * as Report from "./report.js"
import type * as TokenServer from "./tokenServer.js"

const callers = 1000
const rounds = 7
const delayMs = 50
/** The most the library may add to its floor's moments: the request leaving, the callers served after the answer. */
const maxAddedMs = 10

/** One stampede as the server saw it, in ms from the first call. */
interface Timeline {
  /** When the (first) token request reached the server. */
  readonly left: number
  /** When the (first) answer was sent. */
  readonly answered: number
  /** When the last caller had its token. */
  readonly last: number
  readonly requests: number
  readonly failures: number
  /** The whole of it, for the chart. */
  readonly trace: Charts.StampedeTrace
}

/**
 * `callers` promises of `get`, each noting when it settled in `settled` (preallocated: a store per caller, and one
 * reaction, the same for the library and its floors).
 */
const timed = (get: () => Promise<unknown>, settled: Float64Array): Array<Promise<unknown>> =>
  Array.from({ length: callers }, (_, i) =>
    get().then((value) => {
      settled[i] = performance.now()
      return value
    }, (error: unknown) => {
      settled[i] = performance.now()
      throw error
    }))

/** The server's token requests and answers, and the callers' settle times, in ms from `started`. */
const traceOf = (server: TokenServer.TokenServer, started: number, settled: Float64Array): Charts.StampedeTrace => ({
  requestsLeft: server.tokenRequestTimes.map((time) => time - started),
  answers: server.tokenAnswerTimes.map((time) => time - started),
  callersServed: Array.from(settled, (time) => time - started)
})

/** `callers` concurrent calls of `get`, on a server reset first. */
const stampede = async (server: TokenServer.TokenServer, get: () => Promise<unknown>): Promise<Timeline> => {
  const settled = new Float64Array(callers)
  server.reset()
  const started = performance.now()
  const results = await Promise.allSettled(timed(get, settled))
  const last = performance.now() - started
  return {
    left: (server.tokenRequestTimes[0] ?? NaN) - started,
    answered: (server.tokenAnswerTimes[0] ?? NaN) - started,
    last,
    requests: server.tokenRequests,
    failures: results.filter((result) => result.status === "rejected").length,
    trace: traceOf(server, started, settled)
  }
}

const endpoint = (server: TokenServer.TokenServer): Line.Endpoint => ({
  tokenUrl: server.tokenUrl,
  clientId: Report.clientId,
  clientSecret: Report.clientSecret
})

/** The Promise API: a fresh client, 1,000 `getToken()`. */
const promiseApi = async (server: TokenServer.TokenServer, line: Line.Line): Promise<Timeline> => {
  const client = line.createTokenClient(endpoint(server))
  try {
    return await stampede(server, () => client.getToken())
  } finally {
    await client.close()
  }
}

/** A fresh caller (a runtime built first, as an application's is), 1,000 calls. */
const withCaller = async (server: TokenServer.TokenServer, make: () => Promise<Line.Caller>): Promise<Timeline> => {
  const caller = await make()
  try {
    return await stampede(server, caller.call)
  } finally {
    await caller.dispose()
  }
}

/** One plain `fetch` of the token. */
const fetchToken = (server: TokenServer.TokenServer) => (): Promise<string> =>
  fetch(server.tokenUrl, {
    method: "POST",
    body: "grant_type=client_credentials",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${btoa(`${Report.clientId}:${Report.clientSecret}`)}`
    }
  }).then((response) => response.json()).then((json) => (json as { access_token: string }).access_token)

/** The floor: one plain `fetch` of the token, shared by a promise. */
const sharedPromise = (server: TokenServer.TokenServer): Promise<Timeline> => {
  let shared: Promise<string> | undefined
  return stampede(server, () => shared ??= fetchToken(server)())
}

/**
 * The median of each figure over `rounds` runs of `once`, after one to warm up; the trace is the median round's (the
 * one whose last caller is nearest the median).
 */
const medianOf = async (once: () => Promise<Timeline>): Promise<Timeline> => {
  await once()
  const runs: Array<Timeline> = []
  for (let round = 0; round < rounds; round++) runs.push(await once())
  const median = (field: "left" | "answered" | "last") => Report.median(runs.map((run) => run[field]))
  const last = median("last")
  const medianRound = runs.reduce((best, run) => Math.abs(run.last - last) < Math.abs(best.last - last) ? run : best)
  return {
    left: median("left"),
    answered: median("answered"),
    last,
    requests: Math.max(...runs.map((run) => run.requests)),
    failures: Math.max(...runs.map((run) => run.failures)),
    trace: medianRound.trace
  }
}

const ms = (value: number) => `${Report.format(value, 1)} ms`

const timelineOf = (timeline: Timeline) =>
  `left ${ms(timeline.left)}, answered ${ms(timeline.answered)}, last caller ${ms(timeline.last)}`

const runBaseline = async (server: TokenServer.TokenServer) => {
  Baseline.configure({ tokenUrl: server.tokenUrl, clientId: Report.clientId, clientSecret: Report.clientSecret })
  const settled = new Float64Array(callers)
  server.reset()
  const started = performance.now()
  const results = await Promise.allSettled(timed(() => Baseline.getToken(), settled))
  const ms = performance.now() - started
  return {
    requests: server.tokenRequests,
    failures: results.filter((result) => result.status === "rejected").length,
    ms,
    trace: traceOf(server, started, settled)
  }
}

/**
 * The rows of one way of calling: its timeline next to its floor's (what the same callers cost sharing one plain
 * `fetch`, before the library does anything), and the three goals: what the library adds to the floor.
 */
const rowsOf = (name: string, timeline: Timeline, floor: Timeline, floorName: string): ReadonlyArray<Report.Row> => {
  const afterAnswer = timeline.last - timeline.answered
  const floorAfterAnswer = floor.last - floor.answered
  const ratio = timeline.last / floor.last
  return [
    {
      scenario: "1 cold stampede",
      measure: `${name}: request left / answered / last caller (ms from the first call)`,
      library: `${Report.format(timeline.left, 1)} / ${Report.format(timeline.answered, 1)} / ${
        Report.format(timeline.last, 1)
      }`,
      baseline: `${floorName} ${Report.format(floor.left, 1)} / ${Report.format(floor.answered, 1)} / ${
        Report.format(floor.last, 1)
      }`,
      goal: "left <= floor's + 10",
      met: timeline.left - floor.left <= maxAddedMs && timeline.requests === 1 && timeline.failures === 0
    },
    {
      scenario: "1 cold stampede",
      measure: `${name}: every caller served after the answer`,
      library: ms(afterAnswer),
      baseline: `${floorName} ${ms(floorAfterAnswer)}`,
      goal: "<= floor's + 10 ms",
      met: afterAnswer - floorAfterAnswer <= maxAddedMs
    },
    {
      scenario: "1 cold stampede",
      measure: `${name}: whole stampede / ${floorName}'s`,
      library: `${Report.format(ratio, 2)}x`,
      baseline: "-",
      goal: "<= 1.2x",
      met: ratio <= 1.2
    }
  ]
}

/**
 * Runs the scenario for `line` (named `lineName`) against `server` (in this process), whose token endpoint takes 50 ms;
 * the baseline's rows only `withBaseline` (it needs no Effect, so one line's process runs it). Writes the timeline
 * chart `cold-stampede-<lineName>.svg`.
 */
export const run = async (
  server: TokenServer.TokenServer,
  line: Line.Line,
  withBaseline: boolean,
  lineName: string
): Promise<ReadonlyArray<Report.Row>> => {
  server.delayMs = delayMs
  server.lifetimeSeconds = 3600
  const floor = await medianOf(() => sharedPromise(server))
  Report.progress(`shared plain promise (the floor): ${timelineOf(floor)}`)
  const promise = await medianOf(() => promiseApi(server, line))
  Report.progress(
    `createTokenClient getToken(): ${timelineOf(promise)}; ${promise.requests} token request(s), ` +
      `${promise.failures} failed`
  )
  const effectBase = await medianOf(() => withCaller(server, () => line.stampedeFloor(fetchToken(server))))
  Report.progress(`1,000 runPromise awaiting the shared fetch (Effect's floor): ${timelineOf(effectBase)}`)
  const viaRuntime = await medianOf(() => withCaller(server, () => line.stampede(endpoint(server))))
  Report.progress(
    `runtime.runPromise(tokens.get): ${timelineOf(viaRuntime)}; ${viaRuntime.requests} token request(s), ` +
      `${viaRuntime.failures} failed`
  )
  const baseline = withBaseline ? await runBaseline(server) : undefined
  if (baseline !== undefined) {
    Report.progress(
      `baseline: ${baseline.requests} token request(s) for ${callers} callers, ${baseline.failures} failed, ` +
        `all served in ${ms(baseline.ms)}`
    )
  }
  const chart = Charts.write(
    `cold-stampede-${lineName}`,
    Charts.coldStampede({
      lineName,
      callers,
      delayMs,
      variants: [
        { name: "shared plain promise (floor of getToken())", trace: floor.trace },
        { name: "createTokenClient().getToken()", trace: promise.trace, ours: true },
        { name: "runPromise of a shared Deferred (Effect floor)", trace: effectBase.trace },
        { name: "runtime.runPromise(tokens.get)", trace: viaRuntime.trace, ours: true }
      ],
      baseline: baseline?.trace
    })
  )
  Report.progress(`chart: ${chart}`)
  return [
    {
      scenario: "1 cold stampede",
      measure: `token requests, ${Report.format(callers)} concurrent callers`,
      library: Report.format(Math.max(promise.requests, viaRuntime.requests)),
      baseline: baseline === undefined ? "-" : Report.format(baseline.requests),
      goal: "1",
      met: promise.requests === 1 && viaRuntime.requests === 1 && promise.failures === 0 && viaRuntime.failures === 0
    },
    ...rowsOf("getToken()", promise, floor, "shared promise"),
    ...rowsOf("runPromise(get)", viaRuntime, effectBase, "Effect floor"),
    {
      scenario: "1 cold stampede",
      measure: "runPromise(get) / shared plain promise (1,000 fibers started from Promise code)",
      library: `${Report.format(viaRuntime.last / floor.last, 2)}x`,
      baseline: `Effect floor / shared promise ${Report.format(effectBase.last / floor.last, 2)}x`,
      goal: ""
    },
    ...(baseline === undefined ? [] : [{
      scenario: "1 cold stampede",
      measure: "baseline: time until every caller has a token",
      library: "-",
      baseline: ms(baseline.ms),
      goal: ""
    }])
  ]
}
