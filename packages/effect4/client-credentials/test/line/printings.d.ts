import type * as Line from "@effect-oauth2/suites/Line"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
/** A logger that keeps every line, rendered by each of Effect's formatters (logfmt, JSON, plain). */
export declare const capturing: (lines: Array<Line.LogLine>) => Logger.Logger<unknown, void>
/** Replaces the loggers with `capturing(lines)` and lets every level through. */
export declare const captureLayer: (lines: Array<Line.LogLine>) => Layer.Layer<never>
/** Every printing of a value and of the cause it failed with. */
export declare const printings: (value: unknown, cause: Cause.Cause<unknown>) => Line.Printings
/** An error of the library as plain data. */
export declare const errorData: (error: unknown, cause: Cause.Cause<unknown>) => Line.ErrorData
/** An `AccessToken` (or anything shaped like one) as plain data. */
export declare const tokenData: (token: {
  readonly value: Redacted.Redacted<string>
  readonly tokenType: string
  readonly scopes: ReadonlyArray<string>
  readonly issuedAt: DateTime.Utc
  readonly expiresAt: DateTime.Utc
  readonly authorization: Redacted.Redacted<string>
}) => Line.TokenData
/** How an `Exit` ended, as plain data. */
export declare const outcomeOf: <A, B>(exit: Exit.Exit<A, unknown>, data: (value: A) => B) => Line.Outcome<B>
// # sourceMappingURL=printings.d.ts.map
