/**
 * The Effect 4 line's bench process: runs the scenarios measured on both lines (`bench/lineScenarios.ts`) with the
 * Effect 4 line's calls, against the same token server code in this process, and sends its rows to the parent
 * (`bench/index.ts`, which starts it on Node 22 from `packages/effect4`). Arguments: the scenario numbers to run.
 */
import * as Fs from "node:fs"
import * as LineScenarios from "../../../bench/lineScenarios.js"
import * as Report from "../../../bench/report.js"
import * as TokenServer from "../../../bench/tokenServer.js"
import * as EffectCalls from "./effectCalls.js"

const version = (name: string): string => {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
  return (JSON.parse(Fs.readFileSync(file, "utf8")) as { version: string }).version
}

const main = async () => {
  const selected = process.argv.slice(2).map(Number)
  const server = await TokenServer.start()
  const rows: Array<Report.Row> = []
  try {
    for (const scenario of LineScenarios.scenarios) {
      if (!selected.includes(scenario.number)) continue
      console.log(`[effect4] ${scenario.name}`)
      rows.push(...await scenario.run(server, EffectCalls.line, false, "effect4"))
    }
  } finally {
    await server.close()
  }
  const result: LineScenarios.Effect4Result = {
    versions: `node ${process.version}, effect ${version("effect")}, @effect/platform-node ${
      version("@effect/platform-node")
    }`,
    rows
  }
  await new Promise<void>((resolve, reject) =>
    process.send!(result, (error: Error | null) => error === null ? resolve() : reject(error))
  )
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("bench (effect4) failed:", error)
    process.exit(1)
  }
)
