/**
 * How a run ends: its exit code, and for a failure the one line printed on stderr. The line is the error's own
 * message (the library's errors hold no secret or token, and say what is wrong without a value), on one line.
 *
 * | code | when |
 * | --- | --- |
 * | 0 | success |
 * | 2 | usage or configuration: a `CliError` of the command line, a `ConfigError`, invalid options |
 * | 3 | `TokenError`: the authorization server said no, or answered no usable token |
 * | 4 | `NetworkError`: no answer that could be used |
 * | 1 | anything else (a defect), with a line that quotes nothing of it |
 */
import { NetworkError, TokenError } from "@effect-oauth2/client-credentials"
import * as Cause from "effect/Cause"
import { CliError } from "effect/cli"
import * as Config from "effect/Config"
import * as Exit from "effect/Exit"
import { type Setting, settings, UsageProblem } from "./settings.js"

/** The exit codes. */
export const exitCodes = { success: 0, defect: 1, usage: 2, token: 3, network: 4 } as const

/** A failure as printed: its exit code and its line (none for a usage error the help already explains). */
export interface Ending {
  readonly code: number
  readonly line: string | undefined
}

/** `text` on one line: its lines joined, spaces collapsed. */
const oneLine = (text: string): string =>
  text.split(/\r?\n/).map((line) => line.trim()).filter((l) => l !== "").join(" ")

/**
 * A `ConfigError`'s message, on one line, without the `SchemaError(…)` around it, and with the flag of the variable
 * it names, when there is one: `… at ["OAUTH_CLIENT_ID"] (flag --client-id)`.
 */
const configLine = (message: string): string => {
  const line = oneLine(message.replace(/^SchemaError\(([\s\S]*)\)$/, "$1"))
  const variable = /at \["([A-Z_]+)"\]$/.exec(line)?.[1]
  const setting = Object.values(settings).find((setting: Setting) => setting.variable === variable)
  return setting === undefined ? line : `${line} (flag --${setting.flag})`
}

/** The ending of a failure with `error`. */
const endingOfError = (error: unknown): Ending => {
  if (TokenError.isTokenError(error)) return { code: exitCodes.token, line: oneLine(error.message) }
  if (NetworkError.isNetworkError(error)) return { code: exitCodes.network, line: oneLine(error.message) }
  if (error instanceof Config.ConfigError) return { code: exitCodes.usage, line: configLine(error.message) }
  if (error instanceof UsageProblem) return { code: exitCodes.usage, line: oneLine(error.message) }
  // the command line's own errors are shown with the help by `Command.run`
  if (CliError.isCliError(error)) return { code: exitCodes.usage, line: undefined }
  return { code: exitCodes.defect, line: "unexpected error" }
}

/** How a run that ended with `exit` ends the process. */
export const endingOf = (exit: Exit.Exit<unknown, unknown>): Ending => {
  if (Exit.isSuccess(exit)) return { code: exitCodes.success, line: undefined }
  const failure = exit.cause.reasons.find(Cause.isFailReason)
  if (failure !== undefined) return endingOfError(failure.error)
  const defect = exit.cause.reasons.find(Cause.isDieReason)
  // invalid options are a defect of the library's constructors (`Discovery.discover`)
  if (defect !== undefined && defect.defect instanceof Cause.IllegalArgumentError) {
    return { code: exitCodes.usage, line: oneLine(defect.defect.message) }
  }
  if (defect !== undefined && defect.defect instanceof UsageProblem) {
    return { code: exitCodes.usage, line: oneLine(defect.defect.message) }
  }
  if (Cause.hasInterruptsOnly(exit.cause)) return { code: 130, line: "interrupted" }
  return { code: exitCodes.defect, line: "unexpected error" }
}
