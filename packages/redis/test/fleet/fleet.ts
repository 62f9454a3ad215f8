/**
 * Runs replicas of this line's fleet (`worker.ts`) as child processes, from the repository's root, and talks to them:
 * the behavioural suites' fleet driver (`@effect-oauth2/suites/fixtures/Fleet`, where the protocol is written), with a
 * worker killed by its PID when its scope closes.
 */
import * as Driver from "@effect-oauth2/suites/Driver"
import * as Fleet from "@effect-oauth2/suites/fixtures/Fleet"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** This line's replica, as the suites' fleet driver starts one. */
export const worker = Driver.fleetWorker(
  new URL("./worker.ts", import.meta.url),
  new URL("../../../../", import.meta.url),
  "effect3"
)

/** What a worker answers: the fields of its answer, or a `defect`. */
export type Answer = Fleet.Answer

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
  Effect.map(
    Effect.acquireRelease(
      Effect.tryPromise({ try: () => Fleet.spawn(worker, env), catch: (error) => error as Error }),
      (running) => Effect.promise(running.kill)
    ),
    (running): Worker => ({
      pid: running.pid,
      send: (command, timeout = "60 seconds") =>
        Effect.promise(() => running.send(command, Duration.toMillis(Duration.decode(timeout)))),
      kill: Effect.promise(running.kill),
      close: Effect.promise(running.close),
      logs: running.logs
    })
  )

/** Starts `count` workers side by side. */
export const spawnAll = (count: number, env: Readonly<Record<string, string>>) =>
  Effect.all(Array.from({ length: count }, () => spawn(env)), { concurrency: "unbounded" })
