/**
 * Scenario 4, the Promise API's `fetch`: requests/s through `createTokenClient(...).fetch` against the platform's
 * `fetch` with a fixed `Authorization` header, 50 in flight, against a protected API served by another process. As
 * for `AuthorizedClient`: many short rounds, the clients in every order in turn, ratios of the clients' medians over
 * the sets, and an identical fixed-header client as the control that shows the machine's noise; `oauth.fetch` is
 * measured against the mean of the two fixed-header clients.
 */
import type * as Line from "./line.js"
import * as Report from "./report.js"
import type * as TokenServer from "./tokenServer.js"

const inFlight = 50
const sets = 48
const requestsPerRound = 500

type Name = "fixed" | "oauth" | "control"

const orders: ReadonlyArray<ReadonlyArray<Name>> = [
  ["fixed", "oauth", "control"],
  ["oauth", "control", "fixed"],
  ["control", "fixed", "oauth"],
  ["control", "oauth", "fixed"],
  ["oauth", "fixed", "control"],
  ["fixed", "control", "oauth"]
]

/** `n` GETs through `call`, `inFlight` at a time, each body read: requests per second. */
const round = async (n: number, call: () => Promise<Response>): Promise<number> => {
  let started = 0
  const worker = async () => {
    while (started < n) {
      started++
      const response = await call()
      await response.text()
    }
  }
  const begun = performance.now()
  await Promise.all(Array.from({ length: inFlight }, worker))
  return n / ((performance.now() - begun) / 1000)
}

/** Runs the Promise API's rows for `line` against `server` (in another process). */
export const run = async (
  server: TokenServer.RemoteTokenServer,
  line: Line.Line
): Promise<ReadonlyArray<Report.Row>> => {
  const oauth = line.createTokenClient({
    tokenUrl: server.tokenUrl,
    clientId: Report.clientId,
    clientSecret: Report.clientSecret
  })
  try {
    const authorization = `Bearer ${await oauth.getToken()}`
    const calls: Record<Name, () => Promise<Response>> = {
      fixed: () => fetch(server.apiUrl, { headers: { authorization } }),
      oauth: () => oauth.fetch(server.apiUrl),
      control: () => fetch(server.apiUrl, { headers: { authorization } })
    }
    const rates: Record<Name, Array<number>> = { fixed: [], oauth: [], control: [] }
    for (let set = -1; set < sets; set++) {
      for (const name of orders[(set + orders.length) % orders.length]!) {
        const rate = await round(requestsPerRound, calls[name])
        if (set >= 0) rates[name].push(rate)
      }
    }
    // medians over the sets, not per-set ratios: one disturbed round does not move a client's median
    const medianRate = (name: Name) => Report.median(rates[name])
    const ratio = (name: Name) =>
      name === "control"
        ? medianRate("control") / medianRate("fixed")
        : medianRate(name) / ((medianRate("fixed") + medianRate("control")) / 2)
    const rate = (name: Name) => Report.format(Report.median(rates[name]))
    Report.progress(
      `Promise API, ${sets} sets of rounds of ${requestsPerRound} GETs, ${inFlight} in flight: fetch with a fixed ` +
        `header ${rate("fixed")} req/s, oauth.fetch ${rate("oauth")}, control ${rate("control")}; ratio to the ` +
        `fixed header: oauth.fetch ${Report.format(100 * ratio("oauth"), 1)} % (of the two fixed-header clients' ` +
        `mean), control ${Report.format(100 * ratio("control"), 1)} %`
    )
    return [
      {
        scenario: "4 request overhead",
        measure: `Promise API req/s (${inFlight} in flight): oauth.fetch vs fetch with a fixed header`,
        library: `${rate("oauth")} vs ${rate("fixed")} req/s`,
        baseline: "-",
        goal: ""
      },
      {
        scenario: "4 request overhead",
        measure: "oauth.fetch / fetch with a fixed header (mean of the two), median req/s (control in brackets)",
        library: `${Report.format(100 * ratio("oauth"), 1)} % (control ${Report.format(100 * ratio("control"), 1)} %)`,
        baseline: "-",
        goal: ">= 90 %",
        met: ratio("oauth") >= 0.9
      }
    ]
  } finally {
    await oauth.close()
  }
}
