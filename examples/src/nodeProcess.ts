/**
 * Runs a Node program as a child process, from the repository's root, with only the environment it is given. The
 * child stays in the test runner's process group, so a Ctrl-C of `npm test` reaches it too; a run that outlives its
 * time limit, or whose effect is interrupted, is killed by its PID. That is enough for the programs run here: each is
 * one Node process (tsx loads in-process with `--import`, vitest's child runs with `--pool=threads`), and the esbuild
 * service tsx or vite may start exits when its parent's pipe closes.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"

/** The repository's root, where `npm start` runs. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))

/** How a run ended, and what it printed. */
export interface Outcome {
  /** The child's process id (`undefined` if it could not be started). */
  readonly pid: number | undefined
  readonly code: number | null
  readonly timedOut: boolean
  readonly stdout: string
  readonly stderr: string
}

/**
 * `node <args>` with `PATH` and `env` only (nothing else of the runner's environment, its proxy variables included),
 * killed after `timeout`; interrupting the effect kills it too, and completes once it has exited. Never fails: a spawn
 * error shows in `stderr`.
 */
export const run = (
  args: ReadonlyArray<string>,
  options: { readonly env: Readonly<Record<string, string>>; readonly timeout: Duration.DurationInput }
): Effect.Effect<Outcome> =>
  Effect.async<Outcome>((resume) => {
    const child = ChildProcess.spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    let timedOut = false
    let exited = false
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, Duration.toMillis(options.timeout))
    child.on("error", (error) => {
      stderr += `\n${error.message}`
    })
    child.on("exit", () => {
      exited = true
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resume(Effect.succeed({ pid: child.pid, code, timedOut, stdout, stderr }))
    })
    return Effect.async<void>((done) => {
      clearTimeout(timer)
      if (exited || child.pid === undefined) return done(Effect.void)
      child.once("exit", () => done(Effect.void))
      child.kill("SIGKILL")
    })
  })
