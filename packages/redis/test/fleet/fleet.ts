/**
 * Runs replicas of a fleet (`worker.ts`) as child processes, from the repository's root, and talks to them: each
 * command is one JSON line on the worker's stdin, answered by the line on its stdout that carries the same `id`. A
 * worker is killed by its PID when its scope closes; every wait on one is bounded.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))
const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url))

/** What a worker answers: the fields of its answer, or a `defect`. */
export type Answer = Readonly<Record<string, unknown>> & {
  readonly fingerprints?: ReadonlyArray<string>
  readonly errors?: ReadonlyArray<string>
}

/** One replica. */
export interface Worker {
  readonly pid: number
  /** Sends `command` and waits (at most `timeout`) for its answer. */
  readonly send: (command: Readonly<Record<string, unknown>>, timeout?: Duration.DurationInput) => Effect.Effect<Answer>
  /** Kills it (SIGKILL) and waits until it has exited. */
  readonly kill: Effect.Effect<void>
  /**
   * Closes its stdin, so that it closes its layers and exits by itself, and waits (at most 30 s) for its exit: the
   * milliseconds that took, or a defect when it did not exit.
   */
  readonly close: Effect.Effect<number>
  /** Its log lines so far (JSON, from stderr). */
  readonly logs: () => ReadonlyArray<string>
}

/** Starts a worker with `env` (plus PATH) and waits, at most 60 s, until it is ready. */
export const spawn = (env: Readonly<Record<string, string>>): Effect.Effect<Worker, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(process.execPath, ["--conditions=@effect-oauth2/source", "--import", "tsx", workerPath], {
          cwd: repoRoot,
          env: { PATH: process.env.PATH ?? "", ...env },
          stdio: ["pipe", "pipe", "pipe"]
        })
      ),
      (child) => stop(child)
    )
    const waiting = new Map<number, (answer: Answer) => void>()
    const answers = new Map<number, Answer>()
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += chunk))
    createInterface({ input: child.stdout }).on("line", (line) => {
      let answer: Answer & { readonly id?: number }
      try {
        answer = JSON.parse(line)
      } catch {
        return
      }
      const id = answer.id ?? -1
      const resolve = waiting.get(id)
      if (resolve === undefined) answers.set(id, answer)
      else resolve(answer)
    })
    const awaitAnswer = (id: number, timeout: Duration.DurationInput) =>
      Effect.async<Answer>((resume) => {
        const ready = answers.get(id)
        if (ready !== undefined) return resume(Effect.succeed(ready))
        waiting.set(id, (answer) => resume(Effect.succeed(answer)))
        return Effect.sync(() => waiting.delete(id))
      }).pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new Error(`worker ${child.pid} gave no answer ${id} in time; its stderr:\n${stderr}`)
        }),
        Effect.orDie
      )
    yield* Effect.mapError(awaitAnswer(0, "60 seconds"), (error) => error as Error)
    let nextId = 1
    return {
      pid: child.pid!,
      send: (command, timeout = "60 seconds") =>
        Effect.suspend(() => {
          const id = nextId++
          child.stdin.write(`${JSON.stringify({ ...command, id })}\n`)
          return awaitAnswer(id, timeout)
        }),
      kill: stop(child),
      close: Effect.async<number>((resume) => {
        const started = performance.now()
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.succeed(0))
        child.once("exit", () => resume(Effect.succeed(performance.now() - started)))
        child.stdin.end()
      }).pipe(
        Effect.timeoutFail({ duration: "30 seconds", onTimeout: () => new Error(`worker ${child.pid} did not exit`) }),
        Effect.orDie
      ),
      logs: () => stderr.split("\n").filter((line) => line.startsWith("{"))
    }
  })

/** SIGKILL, then the exit, at most 10 s later. */
const stop = (child: ChildProcess.ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill("SIGKILL")
  }).pipe(Effect.timeout(Duration.seconds(10)), Effect.ignore)

/** Starts `count` workers side by side. */
export const spawnAll = (count: number, env: Readonly<Record<string, string>>) =>
  Effect.all(Array.from({ length: count }, () => spawn(env)), { concurrency: "unbounded" })
