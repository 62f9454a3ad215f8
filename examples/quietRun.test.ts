/**
 * `npm test` stays quiet while it passes: vitest takes its projects from the root `vitest.config.ts` (no banner
 * about `vitest.workspace.ts`), and the examples' tests capture what the examples print instead of echoing it.
 * Checked the way `npm test` runs: a child vitest at the root runs the examples project, and its output is read.
 */
import { assert, describe, it } from "@effect/vitest"
import { Console, Effect, Fiber } from "effect"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { capturedOutput } from "./src/capturedOutput.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
// set in the child run, where this file must not start another child
const childRunVariable = "EFFECT_OAUTH2_QUIET_RUN_CHILD"
const childTimeoutMs = 90_000

interface Run {
  readonly code: number | null
  readonly output: string
}

/** Runs vitest at the root in its own process group, killed with it when it outlives `childTimeoutMs`. */
const runVitest = (args: ReadonlyArray<string>, onStart: (stop: () => void) => void): Promise<Run> =>
  new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, [childRunVariable]: "1", NO_COLOR: "1" }
    // the parent's worker settings are not the child's, and its output is read, not shown: no colours
    for (const name of Object.keys(env)) if (name.startsWith("VITEST") || name === "FORCE_COLOR") delete env[name]
    const child = spawn(process.execPath, [path.join(repoRoot, "node_modules/vitest/vitest.mjs"), ...args], {
      cwd: repoRoot,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    let exited = false
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    const stop = () => {
      if (exited || child.pid === undefined) return
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
    onStart(stop)
    const timer = setTimeout(() => {
      output += `\n(killed after ${childTimeoutMs / 1000} s)`
      stop()
    }, childTimeoutMs)
    child.on("close", (code) => {
      exited = true
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

describe("a quiet test run", () => {
  // runs in the child too, where anything it let through would be seen by the check below
  it.effect("Console output and Effect logs, from any fiber, are captured", (ctx) => {
    const output = capturedOutput(ctx)
    return Effect.gen(function*() {
      yield* Console.log("The API answered:", { ok: true })
      yield* Effect.logWarning("background token refresh failed")
      yield* Fiber.join(yield* Effect.fork(Console.error("from another fiber")))
      const text = yield* output.text
      assert.include(text, "The API answered: { ok: true }\n")
      assert.match(text, /level=WARN .*message="background token refresh failed"/)
      assert.include(text, "from another fiber\n")
    }).pipe(output.capture)
  })

  it.skipIf(process.env[childRunVariable] === "1")(
    "vitest prints no deprecation and the examples' passing tests print nothing",
    async (ctx) => {
      const run = await runVitest(["run", "--project", "@effect-oauth2/examples"], (stop) => ctx.onTestFinished(stop))
      assert.strictEqual(run.code, 0, run.output)
      assert.match(run.output, /Tests\s+[1-9]\d* passed/, run.output)
      const lines = run.output.split("\n")
      assert.deepStrictEqual(lines.filter((line) => /deprecat/i.test(line)), [], "no deprecation notice")
      // vitest heads what a test printed with `stdout |` or `stderr |`; ✔ and ✘ are the demo's report lines
      const printed = lines.filter((line) => /^(stdout|stderr) \|/.test(line) || /[✔✘]/.test(line))
      assert.deepStrictEqual(printed, [], "no test printed anything")
    },
    childTimeoutMs + 30_000
  )
})
