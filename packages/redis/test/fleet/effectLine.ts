/**
 * What the fleet replica (`worker.ts`, written once for both lines) makes differently on each line, as Effect 3
 * makes it: the type of a duration's input and the logger that writes JSON lines to stderr. The Effect 4 line's
 * `test/fleet/effectLine.ts` gives the same names from Effect 4.
 */
import type * as Duration from "effect/Duration"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/** What a duration option takes: Effect 3's `Duration.DurationInput`. */
export type DurationInput = Duration.DurationInput

/** The loggers replaced by one that writes each line as JSON to stderr. */
export const jsonLogsToStderr: Layer.Layer<never> = Logger.replace(
  Logger.defaultLogger,
  Logger.withConsoleError(Logger.jsonLogger)
)

/**
 * The line these modules are (`Line.name`): what the replica says it runs, so that a replica that loaded another
 * line's modules (a link resolved from where its file is) is refused.
 */
export const lineName = "effect3"
