/**
 * Captures every log line, at every level, in three formats (logfmt, JSON, plain), for assertions.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"

export interface CapturedLogs {
  /** One entry per log call: its level and the call rendered by each formatter. */
  readonly entries: ReadonlyArray<{ readonly level: string; readonly text: string }>
  /** Replaces the default logger and lets every level through. */
  readonly layer: Layer.Layer<never>
}

export const capture = (): CapturedLogs => {
  const entries: Array<{ level: string; text: string }> = []
  const logger = Logger.make((options) => {
    entries.push({
      level: options.logLevel.label,
      text: [Logger.logfmtLogger, Logger.jsonLogger, Logger.stringLogger].map((format) => format.log(options))
        .join("\n")
    })
  })
  return {
    entries,
    layer: Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All))
  }
}

/** Runs `effect` with captured logs, then logs its failure as an application would. */
export const runLogged = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const logs = capture()
    const exit = yield* Effect.exit(effect).pipe(
      Effect.tap((exit) =>
        Exit.isFailure(exit)
          ? Effect.zipRight(
            Effect.logError("the call failed", exit.cause).pipe(
              Effect.annotateLogs({ error: Option.getOrUndefined(Cause.failureOption(exit.cause)) })
            ),
            Effect.logWarning(Option.getOrUndefined(Cause.failureOption(exit.cause)))
          )
          : Effect.void
      ),
      Effect.provide(logs.layer)
    )
    return { exit, logs }
  })
