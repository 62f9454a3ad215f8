/**
 * `TokenService`'s options, checked and completed with their defaults once, when the layer is built, and read from
 * the environment. What they are, their defaults, checks, texts and variables are the core's
 * (`@effect-oauth2/core/options`); this line reads its own values into the core's terms (a `Duration.Input` into
 * millis, `Redacted` and `Effect` credentials through `credentialOptions.ts`) and builds its types back: durations,
 * the default retry `Schedule`, the `Config`s of the variables, and `Config.ConfigError`s. The checks and the
 * `Config`s of the variables, which read the same on each line, are `optionsResolve.ts`'s and `optionsFromEnv.ts`'s,
 * given this line's values here.
 *
 * A `ConfigError` of this line holds a `SchemaError` whose one issue is at the variable (or the option) to blame and
 * carries the core's message: `SchemaError(TokenService: tokenUrl is not a URL\n  at ["OAUTH_TOKEN_URL"])`, what
 * Effect 4 itself says of a variable it finds wrong. A problem about no one option is its message alone.
 */
import { invalid, valid } from "@effect-oauth2/core/checked"
import * as Options from "@effect-oauth2/core/options"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as TokenService from "../TokenService.js"
import { toResult } from "./checked.js"
import * as credentialFile from "./credentialFile.js"
import * as FromEnv from "./optionsFromEnv.js"
import * as Resolve from "./optionsResolve.js"

export type { Endpoint, Resolved, ResolvedStore } from "./optionsResolve.js"

/** The default retry schedule (`Options.defaultRetry`): jittered exponential from 200 ms, at most 3 retries. */
const defaultRetry: Resolve.Retry = Schedule.exponential(
  Duration.millis(Options.defaultRetry.baseMillis),
  Options.defaultRetry.factor
).pipe(Schedule.jittered, Schedule.upTo({ times: Options.defaultRetry.retries }))

/** A duration option's millis (`Infinity` for an infinite one); `undefined` for a value that is no duration. */
const millisOf = (value: unknown): number | undefined => {
  const duration = Duration.fromInput(value as Duration.Input)
  return Option.isSome(duration) ? Duration.toMillis(duration.value) : undefined
}

/** The checks of this line's options (`optionsResolve.ts`). */
export const { resolveChecked, resolveStoreChecked } = Resolve.resolver({
  millisOf,
  defaultRetry
})

/** `resolveChecked`, its problem the failure. */
export const resolve = (options: TokenService.Options): Result.Result<Resolve.Resolved, string> =>
  toResult(resolveChecked(options))

/** A `ConfigError` of `issue` at `path` (the variable or the option; an empty path prints as none). */
const configError = (path: ReadonlyArray<string>, issue: SchemaIssue.Issue): Config.ConfigError =>
  new Config.ConfigError(new Schema.SchemaError(new SchemaIssue.Pointer(path, issue)))

/** Invalid data at `path`: what is wrong, never the value. */
const invalidData = (path: ReadonlyArray<string>, message: string): Config.ConfigError =>
  configError(path, new SchemaIssue.InvalidValue({ message }))

/** Missing data at `path`. */
const missingData = (path: ReadonlyArray<string>, message: string): Config.ConfigError =>
  configError(path, new SchemaIssue.MissingKey({ messageMissingKey: message }))

/**
 * The `ConfigError` of a problem found in `options`: at the variable the option was read from, when `options` came
 * from `fromEnvWithPrefix` (`SchemaError(TokenService: tokenUrl is not a URL\n  at ["OAUTH_TOKEN_URL"])`), else at the
 * option's name; a problem about no one option is its message alone, at no path.
 */
export const invalidOptions = (options: object, problem: string): Config.ConfigError => {
  const message = Options.invalidOptionsMessage(problem)
  const option = Options.optionOf(problem)
  return invalidData(option === undefined ? [] : [FromEnv.variableOf(options, option)], message)
}

/** What the variables make (`Options.FromEnv`), as a `Config` answer: the value, or a `ConfigError` at the variable. */
const fromEnvAnswer = <A>(answer: Options.FromEnv<A>): Effect.Effect<A, Config.ConfigError> => {
  switch (answer._tag) {
    case "Valid":
      return Effect.succeed(answer.value)
    case "InvalidData":
      return Effect.fail(invalidData([answer.variable], answer.message))
    case "MissingData":
      return Effect.fail(missingData([answer.variable], answer.message))
  }
}

/** How this line reads variables (`optionsFromEnv.ts`). */
const variables: FromEnv.Reader = {
  string: (name) => Config.String(name),
  redacted: (name) => Config.Redacted(name),
  literals: (literals, name) => Config.Literals(literals, name),
  answer: (config, answer) => Config.mapEffect(config, (value) => fromEnvAnswer(answer(value))),
  readFileSync: (path) => Result.match(credentialFile.node.readSync(path), { onFailure: invalid, onSuccess: valid })
}

/** The options read from the variables after `prefix` (`Options.variablesOf`). */
export const fromEnvWithPrefix = (prefix: string): Config.Config<TokenService.Options> =>
  FromEnv.fromEnvWithPrefix(variables, prefix)

/** `fromEnvWithPrefix("OAUTH_")`: `OAUTH_TOKEN_URL`, `OAUTH_CLIENT_ID`, … */
export const fromEnv: Config.Config<TokenService.Options> = fromEnvWithPrefix(Options.defaultPrefix)
