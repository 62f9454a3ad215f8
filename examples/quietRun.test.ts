/**
 * `npm test` stays quiet while it passes: vitest takes its projects from the root `vitest.config.ts` (no banner
 * about `vitest.workspace.ts`), and the examples' tests capture what the examples print instead of echoing it.
 * Checked the way `npm test` runs: a child vitest at the root runs the test files whose examples print, and its output
 * is read. The child's proxy variables point at a closed port, so the check also shows those tests are hermetic: none
 * of them goes through whatever proxy the runner's environment names. Specified in `docs/development.md#tests`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Console, Effect, Fiber } from "effect"
import { capturedOutput } from "./src/capturedOutput.js"
import { closedPort } from "./src/closedPort.js"
import * as NodeProcess from "./src/nodeProcess.js"
import { withoutProxyVariables } from "./src/processEnv.js"

// set in the child run, where this file must not start another child
const childRunVariable = "EFFECT_OAUTH2_QUIET_RUN_CHILD"
const childTimeoutMs = 60_000
// the files whose examples print: `npm start` children (proxy.test.ts) and this file have nothing to show here
const printingFiles = ["examples/examples.test.ts", "examples/testing.test.ts"]

/**
 * The child's environment: the runner's, without vitest's worker settings (the parent's are not the child's), colours
 * (its output is read, not shown) or proxy variables; then `proxy` as every proxy variable.
 */
const childEnv = (proxy: string): Record<string, string> => {
  const env = withoutProxyVariables(process.env)
  for (const name of Object.keys(env)) if (name.startsWith("VITEST") || name === "FORCE_COLOR") delete env[name]
  return { ...env, [childRunVariable]: "1", NO_COLOR: "1", HTTP_PROXY: proxy, HTTPS_PROXY: proxy }
}

describe("a quiet test run", () => {
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

  it.live.skipIf(process.env[childRunVariable] === "1")(
    "vitest prints no deprecation and the examples' passing tests print nothing, whatever proxy the runner names",
    () =>
      Effect.gen(function*() {
        const proxy = `http://127.0.0.1:${yield* closedPort}`
        // threads: the child is one process, so killing it by its PID (on a timeout or an interrupted test) ends it all
        const run = yield* NodeProcess.run(
          [
            "node_modules/vitest/vitest.mjs",
            "run",
            "--pool=threads",
            "--project",
            "@effect-oauth2/examples",
            ...printingFiles
          ],
          { env: childEnv(proxy), timeout: childTimeoutMs }
        )
        const output = `${run.stdout}\n${run.stderr}`
        assert.isFalse(run.timedOut, output)
        assert.strictEqual(run.code, 0, output)
        assert.match(output, /Test Files\s+2 passed \(2\)/, output)
        const lines = output.split("\n")
        assert.deepStrictEqual(lines.filter((line) => /deprecat/i.test(line)), [], "no deprecation notice")
        // vitest heads what a test printed with `stdout |` or `stderr |`; ✔ and ✘ are the demo's report lines
        const printed = lines.filter((line) => /^(stdout|stderr) \|/.test(line) || /[✔✘]/.test(line))
        assert.deepStrictEqual(printed, [], "no test printed anything")
      }),
    childTimeoutMs + 10_000
  )
})
