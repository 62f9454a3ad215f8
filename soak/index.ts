/**
 * `npm run soak`: the fault-injection soak (`single.ts`), 60 s, in real time, on the Effect 3 line (this process);
 * `npm run soak -- --line effect4`: the same soak on the Effect 4 line, in its own process (`packages/effect4/soak`,
 * on the Node.js of `scripts/effect4.mjs`), which prints the same figures and writes them as JSON for this process to
 * chart; `npm run soak -- --fleet`: the fleet soak on Redis (`fleet.ts`, Effect 3 line); `--seconds N` for another
 * length. Prints the figures and each check, writes the chart to `soak/out/soak.svg` (`soak-effect4.svg`,
 * `soak-fleet.svg`), and exits 1 when a check failed.
 * Run it with `--expose-gc` (the npm script does): the heap check needs it.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Url from "node:url"
import * as Charts from "./charts.js"
import * as Fleet from "./fleet.js"
import * as Report from "./report.js"
import * as Single from "./single.js"

/** Every wait is bounded; this stops a run that hangs anyway. */
const watchdogMillis = 300_000

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(name)
  return index < 0 ? undefined : process.argv[index + 1]
}

const outDir = Path.join(Path.dirname(Url.fileURLToPath(import.meta.url)), "out")

const print = (line: string) => process.stdout.write(`${line}\n`)

const reportFleet = (result: Fleet.Result) => {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
  print("")
  print(
    `replicas × callers  ${result.options.replicas} × ${result.options.callers} (+${result.options.apiCallers} API callers each), ${
      result.seconds.toFixed(1)
    } s`
  )
  print(`calls               ${result.calls} (${(result.calls / result.seconds).toFixed(0)}/s)`)
  print(`caller errors       ${result.callerErrors} ${JSON.stringify(result.errorWords)}`)
  print(`token requests      ${result.tokenRequests}`)
  print(
    `faults              ${
      result.faults.map((fault) =>
        `${fault.kind} at ${((fault.begin - result.startAt) / 1000).toFixed(1)} s (${fault.end - fault.begin} ms)`
      ).join("; ")
    }`
  )
  print(
    `store warnings      per replica, per outage: ${result.warnings.map((counts) => `[${counts.join(",")}]`).join(" ")}`
  )
  print(`heaps               ${result.heaps.map((heap) => `${mb(heap.warmup)} → ${mb(heap.end)}`).join(", ")}`)
  print("")
  for (const check of result.checks) print(`${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`)
}

const mainFleet = async () => {
  const seconds = Number(argument("--seconds") ?? Fleet.full.seconds)
  const options: Fleet.Options = seconds < 30
    ? { ...Fleet.short, seconds, heapCheck: true }
    : { ...Fleet.full, seconds }
  print(`fleet soak: ${options.replicas} replicas × ${options.callers} callers for ${seconds} s on Redis`)
  const result = await Fleet.run(options, print)
  reportFleet(result)
  Fs.mkdirSync(outDir, { recursive: true })
  const file = Path.join(outDir, "soak-fleet.svg")
  Fs.writeFileSync(file, Charts.render(Charts.fleet(result)))
  Fs.writeFileSync(Path.join(outDir, "soak-fleet.json"), `${JSON.stringify(result, null, 2)}\n`)
  print(`chart: ${Path.relative(process.cwd(), file)}`)
  return result.checks.every((check) => check.ok)
}

const repoRoot = Path.resolve(Path.dirname(Url.fileURLToPath(import.meta.url)), "..")

const version = (name: string): string => {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
  return (JSON.parse(Fs.readFileSync(file, "utf8")) as { version: string }).version
}

/** The Effect 4 line's process, while it runs: stopped (by its PID) with this one. */
let effect4: ChildProcess.ChildProcess | undefined

/**
 * Runs the soak on the Effect 4 line: `packages/effect4/soak/index.ts` through `scripts/effect4.mjs`, with
 * `--preserve-symlinks` (the soak is a link there, whose imports must resolve from the link); it prints its figures,
 * and this process charts the JSON it writes.
 */
const mainEffect4 = async () => {
  const seconds = Number(argument("--seconds") ?? Single.full.seconds)
  const file = Path.join(outDir, "soak-effect4.json")
  Fs.rmSync(file, { force: true })
  const code = await new Promise<number>((resolve, reject) => {
    effect4 = ChildProcess.spawn(
      process.execPath,
      [
        Path.join(repoRoot, "scripts", "effect4.mjs"),
        "node",
        "--expose-gc",
        "--conditions=@effect-oauth2/source",
        "--preserve-symlinks",
        "--preserve-symlinks-main",
        "--import",
        "tsx",
        Path.join("soak", "index.ts"),
        "--seconds",
        String(seconds)
      ],
      { cwd: Path.join(repoRoot, "packages", "effect4"), stdio: "inherit" }
    )
    effect4.once("error", reject)
    effect4.once("exit", (code) => resolve(code ?? 2))
  })
  effect4 = undefined
  if (!Fs.existsSync(file)) throw new Error(`the Effect 4 process exited with ${code} and wrote no figures`)
  const result = JSON.parse(Fs.readFileSync(file, "utf8")) as Single.Result
  const chart = Path.join(outDir, "soak-effect4.svg")
  Fs.writeFileSync(chart, Charts.render(Charts.single(result)))
  print(`chart: ${Path.relative(process.cwd(), chart)}`)
  return code === 0 && result.checks.every((check) => check.ok)
}

const main = async () => {
  const line = argument("--line") ?? "effect3"
  if (line !== "effect3" && line !== "effect4") throw new Error(`--line ${line}: effect3 or effect4`)
  if (process.argv.includes("--fleet")) {
    if (line !== "effect3") throw new Error("the fleet soak runs on the Effect 3 line only")
    return mainFleet()
  }
  Fs.mkdirSync(outDir, { recursive: true })
  if (line === "effect4") return mainEffect4()
  const options = Single.forSeconds(Number(argument("--seconds") ?? Single.full.seconds))
  print(Report.header(options, `effect3: node ${process.version}, effect ${version("effect")}`))
  const result = await Single.run(options, print)
  Report.print(result, print)
  const file = Path.join(outDir, "soak.svg")
  Fs.writeFileSync(file, Charts.render(Charts.single(result)))
  Fs.writeFileSync(Path.join(outDir, "soak.json"), `${JSON.stringify(result, null, 2)}\n`)
  print(`chart: ${Path.relative(process.cwd(), file)}`)
  return result.checks.every((check) => check.ok)
}

const watchdog = setTimeout(() => {
  process.stderr.write(`soak: no end after ${watchdogMillis / 1000} s; stopped\n`)
  if (effect4?.pid !== undefined) process.kill(effect4.pid, "SIGTERM")
  process.exit(2)
}, watchdogMillis)
watchdog.unref()

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    process.stderr.write(`soak: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(2)
  }
)
