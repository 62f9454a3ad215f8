/**
 * The child processes the examples' tests start (`npm start`, a child vitest): what environment they get, that a
 * Ctrl-C of the run reaches them, and that none outlives its time limit or an interrupted test. How the suites that
 * cross processes run: `docs/development.md#tests`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as NodeProcess from "./src/nodeProcess.js"
import { noProxySettings, withEnv, withoutProxyVariables } from "./src/processEnv.js"

/** The process group of the process whose `/proc/<pid>/stat` text this is (the field after state and parent). */
const processGroup = (stat: string): string => stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]!

/** Whether a process with this id exists (a child that exited and was reaped does not). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// a child that waits, and ends on its own after 30 s should a test fail to kill it
const waiting = "setTimeout(() => {}, 30_000)"

describe("child processes", () => {
  it.scopedLive("a child gets PATH and the environment it is given, none of the runner's proxy variables", () =>
    Effect.gen(function*() {
      yield* withEnv({ ...noProxySettings, HTTP_PROXY: "http://127.0.0.1:9", https_proxy: "http://127.0.0.1:9" })
      const outcome = yield* NodeProcess.run(["-e", "console.log(JSON.stringify(Object.keys(process.env).sort()))"], {
        env: { GIVEN: "1" },
        timeout: "10 seconds"
      })
      assert.strictEqual(outcome.code, 0, outcome.stderr)
      assert.deepStrictEqual(JSON.parse(outcome.stdout), ["GIVEN", "PATH"])
    }))

  it("withoutProxyVariables drops every proxy variable, in both spellings, and keeps the rest", () => {
    const env = {
      HTTP_PROXY: "a",
      http_proxy: "b",
      HTTPS_PROXY: "c",
      https_proxy: "d",
      NO_PROXY: "e",
      no_proxy: "f",
      PATH: "/bin",
      API_PROXY: "g",
      UNSET: undefined
    }
    assert.deepStrictEqual(withoutProxyVariables(env), { PATH: "/bin", API_PROXY: "g" })
  })

  it.live.skipIf(!Fs.existsSync("/proc/self/stat"))(
    "a child is in the runner's process group, so a Ctrl-C of the run reaches it",
    () =>
      Effect.gen(function*() {
        const outcome = yield* NodeProcess.run(
          ["-e", "process.stdout.write(require('node:fs').readFileSync('/proc/self/stat', 'utf8'))"],
          { env: {}, timeout: "10 seconds" }
        )
        assert.strictEqual(outcome.code, 0, outcome.stderr)
        assert.strictEqual(processGroup(outcome.stdout), processGroup(Fs.readFileSync("/proc/self/stat", "utf8")))
      })
  )

  it.live("a child that outlives its time limit is killed", () =>
    Effect.gen(function*() {
      const outcome = yield* NodeProcess.run(["-e", waiting], { env: {}, timeout: "300 millis" }).pipe(
        Effect.timeoutFail({ duration: "3 seconds", onTimeout: () => new Error("the child was not killed") })
      )
      assert.isTrue(outcome.timedOut)
      assert.isDefined(outcome.pid)
      assert.isFalse(alive(outcome.pid!))
    }))

  it.scopedLive("a child whose run is interrupted is killed, and the interruption waits for it to exit", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "node-process-"))),
        (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
      )
      const pidFile = Path.join(dir, "pid")
      const running = yield* Effect.fork(
        NodeProcess.run([
          "-e",
          `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); ${waiting}`
        ], {
          env: {},
          timeout: "20 seconds"
        })
      )
      const pid = yield* Effect.try(() => Number(Fs.readFileSync(pidFile, "utf8"))).pipe(
        Effect.filterOrFail((pid) => pid > 0),
        Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("3 seconds")))
      )
      assert.isTrue(alive(pid))
      yield* Fiber.interrupt(running).pipe(
        Effect.timeoutFail({ duration: "3 seconds", onTimeout: () => new Error("the interruption did not end") })
      )
      assert.isFalse(alive(pid))
    }))
})
