/**
 * `npm run bench`: the library against the classic snippet (`baseline.ts`), side by side, in one run.
 * Prints progress as it goes and a table at the end; exits 0 when every scenario ran, whether or not it met its goal.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as CachedGet from "./cachedGet.js"
import * as ColdStampede from "./coldStampede.js"
import * as ExpiryBoundary from "./expiryBoundary.js"
import * as Fleet from "./fleet.js"
import * as Memory from "./memory.js"
import * as Report from "./report.js"
import * as RequestOverhead from "./requestOverhead.js"
import * as TokenServer from "./tokenServer.js"

/** Every loop is bounded; this stops a run that hangs anyway. */
const watchdogMillis = 170_000

const scenarios: ReadonlyArray<{
  readonly name: string
  readonly run: (server: TokenServer.TokenServer) => Promise<ReadonlyArray<Report.Row>>
}> = [
  { name: "cold stampede", run: ColdStampede.run },
  { name: "expiry boundary", run: ExpiryBoundary.run },
  { name: "cost of a cached get", run: CachedGet.run },
  { name: "authorized request overhead", run: () => RequestOverhead.run() },
  { name: "memory", run: Memory.run },
  { name: "fleet of processes on Redis", run: Fleet.run }
]

/** `npm run bench -- 3 5` runs scenarios 3 and 5 only. */
const selected = process.argv.slice(2).map(Number).filter(Number.isInteger)

const version = (name: string): string => {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
  return (JSON.parse(Fs.readFileSync(file, "utf8")) as { version: string }).version
}

const cpuModel = (): string => {
  const info = Fs.readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)
  return info?.[1] ?? Os.cpus()[0]?.model ?? "unknown"
}

/** The 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
const loadAverage = (): string => Os.loadavg().map((load) => load.toFixed(2)).join(", ")

const main = async () => {
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${watchdogMillis / 1000} s; stopping`)
    process.exit(1)
  }, watchdogMillis)
  watchdog.unref()
  const started = performance.now()
  console.log(`machine: ${Os.availableParallelism()} CPU(s), ${cpuModel()}; node ${process.version}`)
  console.log(
    `versions: effect ${version("effect")}, @effect/platform ${version("@effect/platform")}, ` +
      `@effect/platform-node ${version("@effect/platform-node")}, axios ${version("axios")}`
  )
  console.log(`load average at the start: ${loadAverage()}`)
  const server = await TokenServer.start()
  const rows: Array<Report.Row> = []
  try {
    for (const [index, scenario] of scenarios.entries()) {
      if (selected.length > 0 && !selected.includes(index + 1)) continue
      console.log(`[${index + 1}/${scenarios.length}] ${scenario.name}`)
      rows.push(...await scenario.run(server))
    }
  } finally {
    await server.close()
  }
  console.log("")
  Report.printTable(rows)
  const missed = rows.filter((row) => row.met === false)
  console.log("")
  console.log(`load average at the end: ${loadAverage()}`)
  console.log(
    `${missed.length === 0 ? "every goal met" : `${missed.length} goal(s) missed`}; ` +
      `${Report.format((performance.now() - started) / 1000, 1)} s`
  )
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("bench failed:", error)
    process.exit(1)
  }
)
