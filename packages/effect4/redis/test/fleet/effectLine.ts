/**
 * What the fleet replica (`worker.ts`, written once for both lines and linked from the Effect 3 package) makes
 * differently on each line, as Effect 4 makes it: the type of a duration's input and the logger that writes JSON
 * lines to stderr. The Effect 3 line's `test/fleet/effectLine.ts` gives the same names from Effect 3.
 */
import type * as Duration from "effect/Duration"
import type * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

/** What a duration option takes. */
export type DurationInput = Duration.Input

/** The loggers replaced by one that writes each line as JSON to stderr. */
export const jsonLogsToStderr: Layer.Layer<never> = Logger.layer([Logger.withConsoleError(Logger.formatJson)])

/**
 * The line these modules are (`Line.name`): what the replica says it runs, so that a replica that loaded another
 * line's modules (a link resolved from where its file is) is refused.
 */
export const lineName = "effect4"
