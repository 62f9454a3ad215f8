/**
 * How the Effect 4 line's Effect renders what the suites print: its loggers (capturing every line in each of its
 * formats) and its own formatters of a value and a cause. `printings.ts`, written once for both lines, adds what
 * both lines print alike.
 */
import type * as Line from "@effect-oauth2/suites/Line"
import * as Cause from "effect/Cause"
import * as Formatter from "effect/Formatter"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"

const levels: Readonly<Record<LogLevel.LogLevel, Line.LogLine["level"]>> = {
  All: "Trace",
  Trace: "Trace",
  Debug: "Debug",
  Info: "Info",
  Warn: "Warning",
  Error: "Error",
  Fatal: "Fatal",
  None: "Info"
}

const formats = [Logger.formatLogFmt, Logger.formatJson, Logger.formatSimple]

/** A logger that keeps every line, rendered by each of Effect's formatters (logfmt, JSON, plain). */
export const capturing = (lines: Array<Line.LogLine>): Logger.Logger<unknown, void> =>
  Logger.make((options) => {
    const message = Array.isArray(options.message) ? options.message.map(String).join(" ") : String(options.message)
    lines.push({
      level: levels[options.logLevel],
      message,
      text: formats.map((format) => String(format.log(options))).join("\n")
    })
  })

/** Replaces the loggers with `capturing(lines)` and lets every level through. */
export const captureLayer = (lines: Array<Line.LogLine>): Layer.Layer<never> =>
  Layer.merge(Logger.layer([capturing(lines)]), Layer.succeed(References.MinimumLogLevel, "All"))

/** This line's own printings of a value and of the cause it failed with: its formatter's, its cause renderings. */
export const printings = (value: unknown, cause: Cause.Cause<unknown>): Line.Printings => [
  ["Formatter.format", Formatter.format(value)],
  ["Cause.prettyErrors", Cause.prettyErrors(cause).map((error) => `${error.message}\n${error.stack}`).join("\n")],
  ["Formatter.format(cause)", Formatter.format(cause)]
]
