/**
 * Scenario 4, authorized request overhead: requests/s through `AuthorizedClient` against the same `HttpClient`
 * (undici) sending a fixed `Authorization` header, with the same number in flight, against a protected API served
 * by another process (so that the server does not share the client's event loop). Many short rounds, the clients in
 * every order in turn, so that they meet the same moments of a busy machine; a ratio is one of the clients' medians
 * over the sets. A second fixed-header client, identical to the first, is the control: its ratio to the first shows
 * how much of a difference the machine's noise alone makes, and `AuthorizedClient` is measured against the mean of
 * the two, the reference measured twice. The baseline (axios) is shown for reference: it is another
 * HTTP client, so it is not part of the ratio. Plain Promise code: the line's clients come from its shell
 * (`Line.Line`).
 */
import * as Baseline from "./baseline.js"
import type * as Line from "./line.js"
import * as PromiseFetch from "./promiseFetch.js"
import * as Report from "./report.js"
import * as TokenServer from "./tokenServer.js"

const inFlight = 32
const sets = 90
const requestsPerRound = 250
const baselineRounds = 5
const baselineRequestsPerRound = 500
const inMemorySets = 18

type Name = Line.OverheadClient

/** Every order of the three clients, used in turn: each client runs first, second and third equally often. */
const orders: ReadonlyArray<ReadonlyArray<Name>> = [
  ["fixed", "authorized", "control"],
  ["authorized", "control", "fixed"],
  ["control", "fixed", "authorized"],
  ["control", "authorized", "fixed"],
  ["authorized", "fixed", "control"],
  ["fixed", "control", "authorized"]
]

const baselineBatch = async (url: string, n: number) => {
  let next = 0
  const worker = async () => {
    while (next < n) {
      next++
      await Baseline.callApi(url)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
}

interface Sample {
  /** Requests per second, wall clock. */
  readonly rate: number
  /** µs of this process's CPU (user + system) per request: the client's own cost, whatever the server does. */
  readonly cpu: number
}

const sample = async (n: number, run: () => Promise<void>): Promise<Sample> => {
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  await run()
  const elapsed = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  return { rate: n / (elapsed / 1000), cpu: (cpu.user + cpu.system) / n }
}

/** `setCount` sets of one round per client, after one warm-up set. */
const alternate = async (
  setCount: number,
  n: number,
  run: (name: Name, n: number) => Promise<void>
): Promise<Record<Name, Array<Sample>>> => {
  const samples: Record<Name, Array<Sample>> = { fixed: [], authorized: [], control: [] }
  for (let set = -1; set < setCount; set++) {
    for (const name of orders[(set + orders.length) % orders.length]!) {
      const result = await sample(n, () => run(name, n))
      if (set >= 0) samples[name].push(result)
    }
  }
  return samples
}

const medianOf = (samples: ReadonlyArray<Sample>, field: keyof Sample): number =>
  Report.median(samples.map((sample) => sample[field]))

/** `name`'s median figure over the sets divided by the first fixed-header client's. */
const ratioToFixed = (samples: Record<Name, Array<Sample>>, name: Name, field: keyof Sample): number =>
  medianOf(samples[name], field) / medianOf(samples.fixed, field)

/**
 * `name`'s median figure over the sets divided by the mean of the two identical fixed-header clients' medians: the
 * reference measured twice. Medians, not per-set ratios: a round is short (tens of ms), so one disturbed round makes
 * a per-set ratio an outlier, while each client's median over many sets is not moved by it.
 */
const ratioToReference = (samples: Record<Name, Array<Sample>>, name: Name, field: keyof Sample): number =>
  medianOf(samples[name], field) / ((medianOf(samples.fixed, field) + medianOf(samples.control, field)) / 2)

/** Runs the scenario for `line` against a server in a child process; the baseline's figures only `withBaseline`. */
export const run = async (line: Line.Line, withBaseline: boolean): Promise<ReadonlyArray<Report.Row>> => {
  const server = await TokenServer.startInChildProcess()
  const endpoint = { tokenUrl: server.tokenUrl, clientId: Report.clientId, clientSecret: Report.clientSecret }
  const clients = await line.requestOverhead(endpoint, inFlight)
  try {
    const overLoopback = await alternate(
      sets,
      requestsPerRound,
      (name, n) => clients.overLoopback[name](server.apiUrl, n)
    )
    const rateRatio = ratioToReference(overLoopback, "authorized", "rate")
    const controlRatio = ratioToFixed(overLoopback, "control", "rate")
    const cpuRatio = ratioToReference(overLoopback, "authorized", "cpu")
    const controlCpuRatio = ratioToFixed(overLoopback, "control", "cpu")
    const loopbackLine = (name: Name) =>
      `${Report.format(medianOf(overLoopback[name], "rate"))} req/s ` +
      `(${Report.format(medianOf(overLoopback[name], "cpu"), 1)} µs CPU each)`
    Report.progress(
      `loopback, ${sets} sets of rounds of ${requestsPerRound} GETs: fixed header ${loopbackLine("fixed")}, ` +
        `AuthorizedClient ${loopbackLine("authorized")}, control ${loopbackLine("control")}; req/s: ` +
        `AuthorizedClient ${Report.format(100 * rateRatio, 1)} % of the two fixed-header clients' mean, control ` +
        `${Report.format(100 * controlRatio, 1)} % of the fixed header`
    )

    const withoutIo = await alternate(
      inMemorySets,
      requestsPerRound,
      (name, n) => clients.inMemory[name]("http://127.0.0.1/api", n)
    )
    const micros = (name: Name) => 1e6 / medianOf(withoutIo[name], "rate")
    Report.progress(
      `in-memory transport: fixed header ${Report.format(micros("fixed"), 1)} µs/request, AuthorizedClient ` +
        `${Report.format(micros("authorized"), 1)}, control ${Report.format(micros("control"), 1)}`
    )

    const baseline: Array<Sample> = []
    if (withBaseline) {
      Baseline.configure(endpoint)
      await baselineBatch(server.apiUrl, baselineRequestsPerRound / 2)
      for (let round = 0; round < baselineRounds; round++) {
        baseline.push(
          await sample(baselineRequestsPerRound, () => baselineBatch(server.apiUrl, baselineRequestsPerRound))
        )
      }
      Report.progress(
        `baseline (axios + getToken): ${Report.format(medianOf(baseline, "rate"))} req/s ` +
          `(${Report.format(medianOf(baseline, "cpu"), 1)} µs CPU each)`
      )
    }
    const baselineFigure = (field: keyof Sample, unit: string) =>
      withBaseline ? `${Report.format(medianOf(baseline, field), field === "cpu" ? 1 : 0)} ${unit} (axios)` : "-"

    const promiseRows = await PromiseFetch.run(server, line)

    const percent = (ratio: number) => `${Report.format(100 * ratio, 1)} %`
    return [
      {
        scenario: "4 request overhead",
        measure: `req/s over loopback (${inFlight} in flight): AuthorizedClient vs fixed header`,
        library: `${Report.format(medianOf(overLoopback.authorized, "rate"))} vs ${
          Report.format(medianOf(overLoopback.fixed, "rate"))
        } req/s`,
        baseline: baselineFigure("rate", "req/s"),
        goal: ""
      },
      {
        scenario: "4 request overhead",
        measure: "AuthorizedClient / fixed header (mean of the two), median req/s",
        library: percent(rateRatio),
        baseline: "-",
        goal: ">= 95 %",
        met: rateRatio >= 0.95
      },
      {
        scenario: "4 request overhead",
        measure: "control: identical fixed-header client / fixed header, median req/s",
        library: percent(controlRatio),
        baseline: "-",
        goal: ""
      },
      {
        scenario: "4 request overhead",
        measure: "client CPU per request over loopback: AuthorizedClient vs fixed header",
        library: `${Report.format(medianOf(overLoopback.authorized, "cpu"), 1)} vs ${
          Report.format(medianOf(overLoopback.fixed, "cpu"), 1)
        } µs (${percent(cpuRatio)}; control ${percent(controlCpuRatio)})`,
        baseline: baselineFigure("cpu", "µs"),
        goal: ""
      },
      {
        scenario: "4 request overhead",
        measure: "µs per request, in-memory transport (no I/O): AuthorizedClient vs fixed header",
        library: `${Report.format(micros("authorized"), 1)} vs ${Report.format(micros("fixed"), 1)} µs (control ${
          Report.format(micros("control"), 1)
        })`,
        baseline: "-",
        goal: ""
      },
      ...promiseRows
    ]
  } finally {
    await clients.dispose()
    await server.close()
  }
}
