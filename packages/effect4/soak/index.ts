/**
 * The Effect 4 line's soak process: the single-process soak (`single.ts`, linked from `soak/`) with the Effect 4 line's
 * packages, started on Node.js 22 by `npm run soak -- --line effect4` (`soak/index.ts`, through `scripts/effect4.mjs`,
 * with `--preserve-symlinks` and `--expose-gc`). `--seconds N` for another length than 60 s. Prints the figures and
 * each check as the Effect 3 run does, writes them as JSON to `soak/out/soak-effect4.json` (the parent charts them),
 * and exits 1 when a check failed.
 */
import * as Fs from "node:fs"
import * as Report from "./report.js"
import * as Single from "./single.js"

/** Every wait is bounded; this stops a run that hangs anyway. */
const watchdogMillis = 300_000

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(name)
  return index < 0 ? undefined : process.argv[index + 1]
}

const outDir = new URL("../../../soak/out/", import.meta.url)

const print = (line: string) => process.stdout.write(`${line}\n`)

const version = (name: string): string => {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
  return (JSON.parse(Fs.readFileSync(file, "utf8")) as { version: string }).version
}

const main = async () => {
  const options = Single.forSeconds(Number(argument("--seconds") ?? Single.full.seconds))
  print(Report.header(options, `effect4: node ${process.version}, effect ${version("effect")}`))
  const result = await Single.run(options, print)
  Report.print(result, print)
  Fs.mkdirSync(outDir, { recursive: true })
  Fs.writeFileSync(new URL("soak-effect4.json", outDir), `${JSON.stringify(result, null, 2)}\n`)
  return result.checks.every((check) => check.ok)
}

const watchdog = setTimeout(() => {
  process.stderr.write(`soak (effect4): no end after ${watchdogMillis / 1000} s; stopped\n`)
  process.exit(2)
}, watchdogMillis)
watchdog.unref()

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    process.stderr.write(`soak (effect4): ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(2)
  }
)
