/**
 * `npm run bench`: the library against the classic snippet (`baseline.ts`), side by side, in one run, on both Effect
 * lines: this process (Effect 3, the machine's Node) runs every scenario, then starts the Effect 4 line's process
 * (`packages/effect4/bench/index.ts`, on the Node 22 `scripts/node22.mjs` names), which runs the scenarios of
 * `lineScenarios.ts` again with the Effect 4 line's calls and sends back its rows.
 * Prints progress as it goes and a table at the end; exits 0 when every scenario ran, whether or not it met its goal.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Url from "node:url"
import * as EffectCalls from "./effectCalls.js"
import * as ExpiryBoundary from "./expiryBoundary.js"
import * as Fleet from "./fleet.js"
import * as LineScenarios from "./lineScenarios.js"
import * as Memory from "./memory.js"
import * as Report from "./report.js"
import * as TokenServer from "./tokenServer.js"

/** Every loop is bounded; this stops a run that hangs anyway. */
const watchdogMillis = 420_000
/** How long the Effect 4 process may take before it is stopped. */
const effect4Millis = 200_000

const effect3Only = "effect3 only"

const scenarios: ReadonlyArray<{
  readonly number: number
  readonly name: string
  readonly line: string
  readonly run: (server: TokenServer.TokenServer) => Promise<ReadonlyArray<Report.Row>>
}> = [
  ...LineScenarios.scenarios.map((scenario) => ({
    number: scenario.number,
    name: scenario.name,
    line: "effect3",
    run: (server: TokenServer.TokenServer) => scenario.run(server, EffectCalls.line, true, "effect3")
  })),
  { number: 2, name: "expiry boundary", line: effect3Only, run: ExpiryBoundary.run },
  { number: 5, name: "memory", line: effect3Only, run: Memory.run },
  { number: 6, name: "fleet of processes on Redis", line: effect3Only, run: Fleet.run }
].sort((a, b) => a.number - b.number)

const repoRoot = Path.resolve(Path.dirname(Url.fileURLToPath(import.meta.url)), "..")

/**
 * Runs the Effect 4 line's process for the scenario `numbers`, with `--preserve-symlinks` (its packages link modules
 * written once, whose imports must resolve from the link); stopped (by its PID) when it takes longer than
 * `effect4Millis`.
 */
const runEffect4 = (numbers: ReadonlyArray<number>): Promise<LineScenarios.Effect4Result> => {
  const node = ChildProcess.execFileSync(process.execPath, [Path.join(repoRoot, "scripts", "node22.mjs")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  }).trim()
  const child = ChildProcess.spawn(
    node,
    [
      "--expose-gc",
      "--conditions=@effect-oauth2/source",
      "--preserve-symlinks",
      "--preserve-symlinks-main",
      "--import",
      "tsx",
      Path.join("bench", "index.ts"),
      ...numbers.map(String)
    ],
    { cwd: Path.join(repoRoot, "packages", "effect4"), stdio: ["ignore", "inherit", "inherit", "ipc"] }
  )
  return new Promise((resolve, reject) => {
    let result: LineScenarios.Effect4Result | undefined
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, "SIGKILL")
      reject(new Error(`the Effect 4 process took more than ${effect4Millis / 1000} s; stopped`))
    }, effect4Millis)
    child.on("message", (message) => {
      result = message as LineScenarios.Effect4Result
    })
    child.once("error", reject)
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      if (result !== undefined && code === 0) resolve(result)
      else reject(new Error(`the Effect 4 process exited with ${code ?? signal} and no rows`))
    })
  })
}

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
    `effect3 versions: effect ${version("effect")}, @effect/platform ${version("@effect/platform")}, ` +
      `@effect/platform-node ${version("@effect/platform-node")}, axios ${version("axios")}`
  )
  console.log(`load average at the start: ${loadAverage()}`)
  const chosen = scenarios.filter((scenario) => selected.length === 0 || selected.includes(scenario.number))
  const server = await TokenServer.start()
  const rows: Array<Report.LineRow & { readonly number: number }> = []
  try {
    for (const scenario of chosen) {
      console.log(`[${scenario.number}/${scenarios.length}] ${scenario.name} (${scenario.line})`)
      for (const row of await scenario.run(server)) rows.push({ ...row, line: scenario.line, number: scenario.number })
    }
  } finally {
    await server.close()
  }
  const both = LineScenarios.scenarios.map((scenario) => scenario.number).filter((number) =>
    chosen.some((scenario) => scenario.number === number)
  )
  if (both.length > 0) {
    console.log(`Effect 4 line (scenarios ${both.join(", ")}), in its own process:`)
    const effect4 = await runEffect4(both)
    console.log(`  effect4 versions: ${effect4.versions}`)
    for (const row of effect4.rows) {
      rows.push({ ...row, line: "effect4", number: Number.parseInt(row.scenario, 10) })
    }
  }
  console.log("")
  // stable: within a scenario, the Effect 3 line's rows, then the Effect 4 line's
  Report.printTable(rows.sort((a, b) => a.number - b.number))
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
