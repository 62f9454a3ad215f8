/**
 * How the Effect 3 line's Effect renders what the suites print: its loggers (capturing every line in each of its
 * formats) and its own formatters of a value and a cause. `printings.ts`, written once for both lines, adds what
 * both lines print alike.
 */
import type * as Line from "@effect-oauth2/suites/Line"
import * as Cause from "effect/Cause"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"

const levels: Readonly<Record<string, Line.LogLine["level"]>> = {
  TRACE: "Trace",
  DEBUG: "Debug",
  INFO: "Info",
  WARN: "Warning",
  ERROR: "Error",
  FATAL: "Fatal"
}

/** A logger that keeps every line, rendered by each of Effect's formatters (logfmt, JSON, plain). */
export const capturing = (lines: Array<Line.LogLine>): Logger.Logger<unknown, void> =>
  Logger.make((options) => {
    const message = Array.isArray(options.message) ? options.message.map(String).join(" ") : String(options.message)
    lines.push({
      level: levels[options.logLevel.label] ?? "Info",
      message,
      text: [Logger.logfmtLogger, Logger.jsonLogger, Logger.stringLogger].map((format) => format.log(options)).join(
        "\n"
      )
    })
  })

/** Replaces the default logger with `capturing(lines)` and lets every level through. */
export const captureLayer = (lines: Array<Line.LogLine>): Layer.Layer<never> =>
  Layer.merge(Logger.replace(Logger.defaultLogger, capturing(lines)), Logger.minimumLogLevel(LogLevel.All))

/** This line's own printings of a value and of the cause it failed with: its formatter's, its cause renderings. */
export const printings = (value: unknown, cause: Cause.Cause<unknown>): Line.Printings => [
  ["Inspectable.format", Inspectable.format(value)],
  ["Cause.pretty (renderErrorCause)", Cause.pretty(cause, { renderErrorCause: true })],
  ["Inspectable.format(cause)", Inspectable.format(cause)]
]
