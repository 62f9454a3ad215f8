/**
 * Runs a Node program as a child process, from the repository's root, with only the environment it is given; a run
 * that outlives its time limit is killed by its process group's id.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"

/** The repository's root, where `npm start` runs. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))

/** How a run ended, and what it printed. */
export interface Outcome {
  readonly code: number | null
  readonly timedOut: boolean
  readonly stdout: string
  readonly stderr: string
}

const killGroup = (pid: number | undefined) => {
  if (pid === undefined) return
  try {
    process.kill(-pid, "SIGKILL")
  } catch {
    // already gone
  }
}

/**
 * `node <args>` with `PATH` and `env` only, killed after `timeout`; interrupting the effect kills it too. Never fails:
 * a spawn error shows in `stderr`.
 */
export const run = (
  args: ReadonlyArray<string>,
  options: { readonly env: Readonly<Record<string, string>>; readonly timeout: Duration.DurationInput }
): Effect.Effect<Outcome> =>
  Effect.async<Outcome>((resume) => {
    const child = ChildProcess.spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    let timedOut = false
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid)
    }, Duration.toMillis(options.timeout))
    child.on("error", (error) => {
      stderr += `\n${error.message}`
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code, timedOut, stdout, stderr }))
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      killGroup(child.pid)
    })
  })
