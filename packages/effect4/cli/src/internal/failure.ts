/**
 * How a run ends: its exit code, and for a failure the one line printed on stderr. The line is the error's own
 * message (the library's errors hold no secret or token, and say what is wrong without a value), on one line; a
 * variable that is missing is said plainly, with its flag, and the https rule is said as the command line keeps it
 * (it has no `allowInsecureHttp` to set).
 *
 * | code | when |
 * | --- | --- |
 * | 0 | success |
 * | 2 | usage or configuration: a `CliError` of the command line, a `ConfigError`, invalid options |
 * | 3 | `TokenError`: the authorization server said no, or answered no usable token |
 * | 4 | `NetworkError`: no answer that could be used |
 * | 1 | stdout could not be written (`StdoutProblem`), or anything else (a defect), with a line that quotes nothing of it |
 * | 130 | interrupted by SIGINT (128 + 2) |
 * | 143 | interrupted by SIGTERM (128 + 15) |
 */
import { NetworkError, TokenError } from "@effect-oauth2/client-credentials"
import * as Cause from "effect/Cause"
import { CliError } from "effect/cli"
import * as Config from "effect/Config"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { type Setting, settings, UsageProblem } from "./settings.js"

/** The exit codes: 1 also for stdout that could not be written, 130 and 143 for SIGINT and SIGTERM (128 + signal). */
export const exitCodes = {
  success: 0,
  defect: 1,
  stdout: 1,
  usage: 2,
  token: 3,
  network: 4,
  interrupted: 130,
  terminated: 143
} as const

/** A write to stdout that failed (a pipe closed by its reader, a full disk): the system's error code alone. */
export class StdoutProblem extends Error {
  override readonly name = "StdoutProblem"
  constructor(readonly code: string | undefined) {
    super("stdout could not be written")
  }
}

/** The system's code of a failed write (`EPIPE`, `ENOSPC`), when it has one: never anything that was written. */
const errorCode = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined
  return typeof error.code === "string" && /^E[A-Z0-9]+$/.test(error.code) ? error.code : undefined
}

/** The line of a failed write to stdout: `stdout could not be written (EPIPE)`. */
export const stdoutLine = (error: unknown): string => {
  const code = error instanceof StdoutProblem ? error.code : errorCode(error)
  return `stdout could not be written${code === undefined ? "" : ` (${code})`}`
}

/** A `StdoutProblem` for the error a write to stdout ended with. */
export const stdoutProblem = (error: unknown): StdoutProblem => new StdoutProblem(errorCode(error))

/** A failure as printed: its exit code and its line (none for a usage error the help already explains). */
export interface Ending {
  readonly code: number
  readonly line: string | undefined
}

/** Where the command line takes plain http: the loopback hosts of the library's https rule. */
const loopbackRule = "the command line takes plain http only on a loopback host (localhost, 127.0.0.0/8, [::1])"

/**
 * `line` with the https rule said as the command line keeps it, in place of the library's advice to set
 * `allowInsecureHttp`, an option the command line does not have: RFC 6749 §3.2 requires TLS.
 */
const withHttpsRule = (line: string): string => {
  const rfc = line.includes("RFC 6749 §3.2") ? "" : "RFC 6749 §3.2 requires TLS, and "
  return line
    .replace("set allowInsecureHttp to allow http", `${rfc}${loopbackRule}`)
    .replace(
      "set allowInsecureHttp to allow it",
      `${rfc}the command line takes a plain-http token endpoint only from a plain-http issuer on a loopback host`
    )
}

/** `text` on one line: its lines joined, spaces collapsed, with the https rule as the command line keeps it. */
const oneLine = (text: string): string =>
  withHttpsRule(text.split(/\r?\n/).map((line) => line.trim()).filter((l) => l !== "").join(" "))

/** `names` as a list read aloud: `a`, `a or b`, `a, b or c`. */
const either = (names: ReadonlyArray<string>): string =>
  names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`

/**
 * The variables any of which gives what a missing variable would, in the library's words: the endpoint is either
 * variable, a `private_key_jwt` credential a key (in the variable or a file) or an assertion file.
 */
const alternatives: Readonly<Record<string, ReadonlyArray<string>>> = {
  OAUTH_TOKEN_URL: ["OAUTH_TOKEN_URL", "OAUTH_ISSUER"],
  OAUTH_PRIVATE_KEY: ["OAUTH_PRIVATE_KEY", "OAUTH_PRIVATE_KEY_FILE", "OAUTH_CLIENT_ASSERTION_FILE"]
}

/**
 * Why DPoP (`OAUTH_DPOP`, `OAUTH_DPOP_*`) is refused: the token printed would be bound to a key that ends with the
 * process, and curl's `Authorization: Bearer` header cannot carry the proof each request needs.
 */
export const dpopLine = "the command line prints Bearer tokens only, and DPoP (OAUTH_DPOP, OAUTH_DPOP_*) is set: a " +
  "DPoP-bound token needs a proof made with its key for every request"

/** `missing OAUTH_CLIENT_ID (or --client-id)`: the variables that would give what `variable` would, and their flags. */
export const missingLine = (variable: string): string => {
  const variables = alternatives[variable] ?? [variable]
  const flags = variables.flatMap((name) =>
    Object.values(settings).filter((setting: Setting) => setting.variable === name).map((setting) =>
      `--${setting.flag}`
    )
  )
  return `missing ${either(variables)}${flags.length === 0 ? "" : ` (or ${either(flags)})`}`
}

/** The variable a `ConfigError` says is not set, when it says so: a missing key, or no string, at a variable unset. */
const missingVariable = (
  error: Config.ConfigError,
  env: Readonly<Record<string, string>> | undefined
): string | undefined => {
  if (!(error.cause instanceof Schema.SchemaError)) return undefined
  const issue = error.cause.issue
  if (issue._tag !== "Pointer" || issue.path.length !== 1 || typeof issue.path[0] !== "string") return undefined
  const variable = issue.path[0]
  // `Config.String` reports a variable that is not set as no string (`InvalidType`), the library as a missing key
  const missing = issue.issue._tag === "MissingKey" ||
    (issue.issue._tag === "InvalidType" && env !== undefined && env[variable] === undefined)
  return missing ? variable : undefined
}

/**
 * A `ConfigError`'s line: for a variable not set in `env` (the variables the library read), `missingLine`; else the
 * error's message, on one line, without the `SchemaError(…)` around it, and with the flag of the variable it names,
 * when there is one: `… at ["OAUTH_TOKEN_URL"] (flag --token-url)`.
 */
export const configLine = (error: Config.ConfigError, env?: Readonly<Record<string, string>>): string => {
  const missing = missingVariable(error, env)
  if (missing !== undefined) return missingLine(missing)
  const line = oneLine(error.message.replace(/^SchemaError\(([\s\S]*)\)$/, "$1"))
  const variable = /at \["([A-Z_]+)"\]$/.exec(line)?.[1]
  const setting = Object.values(settings).find((setting: Setting) => setting.variable === variable)
  return setting === undefined ? line : `${line} (flag --${setting.flag})`
}

/** The ending of a failure with `error`. */
const endingOfError = (error: unknown): Ending => {
  if (TokenError.isTokenError(error)) return { code: exitCodes.token, line: oneLine(error.message) }
  if (NetworkError.isNetworkError(error)) return { code: exitCodes.network, line: oneLine(error.message) }
  if (error instanceof Config.ConfigError) return { code: exitCodes.usage, line: configLine(error) }
  if (error instanceof UsageProblem) return { code: exitCodes.usage, line: oneLine(error.message) }
  if (error instanceof StdoutProblem) return { code: exitCodes.stdout, line: stdoutLine(error) }
  // the command line's own errors are shown with the help by `Command.run`
  if (CliError.isCliError(error)) return { code: exitCodes.usage, line: undefined }
  return { code: exitCodes.defect, line: "unexpected error" }
}

/** The signals that interrupt a run (`NodeRuntime.runMain` interrupts it on either). */
export type Signal = "SIGINT" | "SIGTERM"

/** How a run that ended with `exit` ends the process; `signal` is the one received, if any. */
export const endingOf = (exit: Exit.Exit<unknown, unknown>, signal?: Signal): Ending => {
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
  if (Cause.hasInterruptsOnly(exit.cause)) {
    return signal === "SIGTERM"
      ? { code: exitCodes.terminated, line: "terminated" }
      : { code: exitCodes.interrupted, line: "interrupted" }
  }
  return { code: exitCodes.defect, line: "unexpected error" }
}
