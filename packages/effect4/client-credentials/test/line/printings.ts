/**
 * The Effect 4 line's printings of a value (`Line.Printings`), its errors and tokens as plain data, and the log lines
 * its loggers write.
 */
import * as Driver from "@effect-oauth2/suites/Driver"
import type * as Line from "@effect-oauth2/suites/Line"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Formatter from "effect/Formatter"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Result from "effect/Result"
import * as util from "node:util"

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

/** The log lines an application writes when it logs `cause` as it fails, and its error. */
const loggedAs = (cause: Cause.Cause<unknown>, error: unknown): Line.Printings => {
  const lines: Array<Line.LogLine> = []
  Effect.runSync(
    Effect.andThen(
      Effect.logError("the call failed", cause).pipe(Effect.annotateLogs({ error })),
      Effect.logWarning(error)
    ).pipe(Effect.provide(captureLayer(lines)))
  )
  return lines.map((line) => [`logged at ${line.level}`, line.text] as const)
}

/** Every printing of a value and of the cause it failed with. */
export const printings = (value: unknown, cause: Cause.Cause<unknown>): Line.Printings => [
  ...Driver.valuePrintings(value),
  ["Formatter.format", Formatter.format(value)],
  ["Cause.pretty", Cause.pretty(cause)],
  ["Cause.prettyErrors", Cause.prettyErrors(cause).map((error) => `${error.message}\n${error.stack}`).join("\n")],
  ["JSON.stringify(cause)", JSON.stringify(cause)],
  ["util.inspect(cause)", util.inspect(cause, { depth: Infinity })],
  ["Formatter.format(cause)", Formatter.format(cause)],
  ...loggedAs(cause, value)
]

/** A field of an error as plain data: durations in millis, options as their values, `Redacted` hidden. */
const plain = (value: unknown): unknown => {
  if (Duration.isDuration(value)) return Duration.toMillis(value)
  if (Option.isOption(value)) return Option.getOrUndefined(Option.map(value, plain))
  if (Redacted.isRedacted(value)) return "<redacted>"
  return value
}

/** An error of the library as plain data. */
export const errorData = (error: unknown, cause: Cause.Cause<unknown>): Line.ErrorData =>
  Driver.errorData(error, plain, () => printings(error, cause))

/** An `AccessToken` (or anything shaped like one) as plain data. */
export const tokenData = (token: {
  readonly value: Redacted.Redacted<string>
  readonly tokenType: string
  readonly scopes: ReadonlyArray<string>
  readonly issuedAt: DateTime.Utc
  readonly expiresAt: DateTime.Utc
  readonly authorization: Redacted.Redacted<string>
}): Line.TokenData =>
  Driver.tokenData({
    value: Redacted.value(token.value),
    tokenType: token.tokenType,
    scopes: token.scopes,
    issuedAt: DateTime.toEpochMillis(token.issuedAt),
    expiresAt: DateTime.toEpochMillis(token.expiresAt),
    authorization: Redacted.value(token.authorization)
  }, () => printings(token, Cause.empty))

/** How an `Exit` ended. */
const ended = <A>(exit: Exit.Exit<A, unknown>): Driver.Ended<A> => {
  if (Exit.isSuccess(exit)) return { _tag: "Success", value: exit.value }
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isSome(failure)) {
    return { _tag: "Failure", error: failure.value, printings: () => printings(failure.value, exit.cause) }
  }
  const defect = Cause.findDefect(exit.cause)
  if (Result.isSuccess(defect)) {
    return { _tag: "Defect", defect: defect.success, printings: () => printings(defect.success, exit.cause) }
  }
  return { _tag: "Interrupted" }
}

/** How an `Exit` ended, as plain data. */
export const outcomeOf = <A, B>(exit: Exit.Exit<A, unknown>, data: (value: A) => B): Line.Outcome<B> =>
  Driver.outcome(ended(exit), data, plain)
