/**
 * `npm run soak`: the fault-injection soak (`single.ts`), 60 s, in real time; `npm run soak -- --fleet`: the fleet
 * soak on Redis (`fleet.ts`); `--seconds N` for another length. Prints the figures and each check, writes the chart
 * to `soak/out/soak.svg` (`soak-fleet.svg`), and exits 1 when a check failed.
 * Run it with `--expose-gc` (the npm script does): the heap check needs it.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Url from "node:url"
import * as Charts from "./charts.js"
import * as Fleet from "./fleet.js"
import * as Single from "./single.js"

/** Every wait is bounded; this stops a run that hangs anyway. */
const watchdogMillis = 300_000

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(name)
  return index < 0 ? undefined : process.argv[index + 1]
}

const outDir = Path.join(Path.dirname(Url.fileURLToPath(import.meta.url)), "out")

const print = (line: string) => process.stdout.write(`${line}\n`)

const report = (result: Single.Result) => {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
  print("")
  print(`callers            ${result.options.callers}, ${result.seconds.toFixed(1)} s`)
  print(`calls              ${result.calls} (${(result.calls / result.seconds).toFixed(0)}/s)`)
  print(`caller failures    ${result.failures} ${JSON.stringify(result.failureKinds)}`)
  print(`  when             ${result.failureWindows.join(", ") || "never"}`)
  print(
    `token requests     ${result.tokenRequests} (tokens issued ${result.tokensIssued}); bound ${result.bound.formula}`
  )
  print(`faults injected    ${JSON.stringify(result.faultsByKind)}`)
  print(
    `heap               ${
      result.heap === undefined
        ? "not measured"
        : `${mb(result.heap.warmup)} after warm-up, ${mb(result.heap.end)} at the end`
    }`
  )
  print(`after close        ${result.fibersAlive} fiber(s), resources left ${JSON.stringify(result.resourcesLeft)}`)
  print("")
  for (const check of result.checks) print(`${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`)
}

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

const main = async () => {
  if (process.argv.includes("--fleet")) return mainFleet()
  const seconds = Number(argument("--seconds") ?? Single.full.seconds)
  const options: Single.Options = { ...Single.full, seconds, warmupSeconds: Math.min(10, seconds / 4) }
  print(`soak: ${options.callers} callers for ${seconds} s, ${options.faultRate * 100} % faults, seed ${options.seed}`)
  const result = await Single.run(options, print)
  report(result)
  Fs.mkdirSync(outDir, { recursive: true })
  const file = Path.join(outDir, "soak.svg")
  Fs.writeFileSync(file, Charts.render(Charts.single(result)))
  Fs.writeFileSync(Path.join(outDir, "soak.json"), `${JSON.stringify(result, null, 2)}\n`)
  print(`chart: ${Path.relative(process.cwd(), file)}`)
  return result.checks.every((check) => check.ok)
}

const watchdog = setTimeout(() => {
  process.stderr.write(`soak: no end after ${watchdogMillis / 1000} s; stopped\n`)
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
