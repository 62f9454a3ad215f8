/**
 * Each line's printings of a value (`Line.Printings`), and its errors, tokens and outcomes as plain data. Written once
 * for both lines (the Effect 4 package links it); the line's own loggers and formatters are in `rendering.ts`.
 */
import * as Driver from "@effect-oauth2/suites/Driver"
import type * as Line from "@effect-oauth2/suites/Line"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"
import { causeDefectOption, causeFindErrorOption } from "./effectLine.js"
import * as Rendering from "./rendering.js"

/** The log lines an application writes when it logs `cause` as it fails, and its error. */
const loggedAs = (cause: Cause.Cause<unknown>, error: unknown): Line.Printings => {
  const lines: Array<Line.LogLine> = []
  Effect.runSync(
    Effect.andThen(
      Effect.logError("the call failed", cause).pipe(Effect.annotateLogs({ error })),
      Effect.logWarning(error)
    ).pipe(Effect.provide(Rendering.captureLayer(lines)))
  )
  return lines.map((line) => [`logged at ${line.level}`, line.text] as const)
}

/** Every printing of a value and of the cause it failed with. */
export const printings = (value: unknown, cause: Cause.Cause<unknown>): Line.Printings => [
  ...Driver.valuePrintings(value),
  ...Rendering.printings(value, cause),
  ["Cause.pretty", Cause.pretty(cause)],
  ["JSON.stringify(cause)", JSON.stringify(cause)],
  ["util.inspect(cause)", util.inspect(cause, { depth: Infinity })],
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
  const failure = causeFindErrorOption(exit.cause)
  if (Option.isSome(failure)) {
    return { _tag: "Failure", error: failure.value, printings: () => printings(failure.value, exit.cause) }
  }
  const defect = causeDefectOption(exit.cause)
  if (Option.isSome(defect)) {
    return { _tag: "Defect", defect: defect.value, printings: () => printings(defect.value, exit.cause) }
  }
  return { _tag: "Interrupted" }
}

/** How an `Exit` ended, as plain data. */
export const outcomeOf = <A, B>(exit: Exit.Exit<A, unknown>, data: (value: A) => B): Line.Outcome<B> =>
  Driver.outcome(ended(exit), data, plain)
