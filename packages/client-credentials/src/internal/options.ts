/**
 * `TokenService`'s options, checked and completed with their defaults once, when the layer is built, and read from
 * the environment. What they are, their defaults, checks, texts and variables are the core's
 * (`@effect-oauth2/core/options`); this line reads its own values into the core's terms (a `Duration` into millis,
 * `Redacted` and `Effect` credentials through `credentialOptions.ts`) and builds its types back: durations, the
 * default retry `Schedule`, the `Config`s of the variables, and `ConfigError`s. The checks and the `Config`s of the
 * variables, which read the same on each line, are `optionsResolve.ts`'s and `optionsFromEnv.ts`'s, given this line's
 * values here.
 */
import { invalid, valid } from "@effect-oauth2/core/checked"
import * as Options from "@effect-oauth2/core/options"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
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
).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(Options.defaultRetry.retries)))

/** A duration option's millis (`Infinity` for an infinite one); `undefined` for a value that is no duration. */
const millisOf = (value: unknown): number | undefined => {
  const duration = Duration.decodeUnknown(value)
  return duration._tag === "Some" ? Duration.toMillis(duration.value) : undefined
}

/** The checks of this line's options (`optionsResolve.ts`). */
export const { resolveChecked, resolveStoreChecked } = Resolve.resolver({
  millisOf,
  defaultRetry
})

/** `resolveChecked`, its problem the failure. */
export const resolve = (options: TokenService.Options): Either.Either<Resolve.Resolved, string> =>
  toResult(resolveChecked(options))

/**
 * The `ConfigError` of a problem found in `options`: at the variable the option was read from, when `options` came
 * from `fromEnvWithPrefix` (`(Invalid data at OAUTH_TOKEN_URL: "TokenService: tokenUrl is not a URL")`), else at the
 * option's name; a problem about no one option prints as its message alone, not after an empty path. For an effect
 * to fail with, not a `Config`: `Config.mapOrFail` makes its errors again, with Effect's `toString`.
 */
export const invalidOptions = (options: object, problem: string): ConfigError.ConfigError => {
  const message = Options.invalidOptionsMessage(problem)
  const option = Options.optionOf(problem)
  if (option !== undefined) return ConfigError.InvalidData([FromEnv.variableOf(options, option)], message)
  // Effect prints an empty path as `(Invalid data at : "…")`, with a `toString` it makes fixed: a copy with another
  // one (`String` and `Cause.pretty` both use it), the same in every other way
  const bare = ConfigError.InvalidData([], message)
  return Object.create(Object.getPrototypeOf(bare), {
    ...Object.getOwnPropertyDescriptors(bare),
    toString: { value: () => message, enumerable: false }
  }) as ConfigError.ConfigError
}

/** What the variables make (`Options.FromEnv`), as a `Config` answer: the value, or a `ConfigError` at the variable. */
const fromEnvAnswer = <A>(answer: Options.FromEnv<A>): Either.Either<A, ConfigError.ConfigError> => {
  if (answer._tag === "Valid") return Either.right(answer.value)
  return Either.left(
    answer._tag === "InvalidData"
      ? ConfigError.InvalidData([answer.variable], answer.message)
      : ConfigError.MissingData([answer.variable], answer.message)
  )
}

/** How this line reads variables (`optionsFromEnv.ts`). */
const variables: FromEnv.Reader = {
  string: (name) => Config.string(name),
  redacted: (name) => Config.redacted(name),
  literals: (literals, name) => Config.literal(...literals)(name),
  answer: (config, answer) => Config.mapOrFail(config, (value) => fromEnvAnswer(answer(value))),
  readFileSync: (path) => Either.match(credentialFile.node.readSync(path), { onLeft: invalid, onRight: valid })
}

/** The options read from the variables after `prefix` (`Options.variablesOf`). */
export const fromEnvWithPrefix = (prefix: string): Config.Config<TokenService.Options> =>
  FromEnv.fromEnvWithPrefix(variables, prefix)

/** `fromEnvWithPrefix("OAUTH_")`: `OAUTH_TOKEN_URL`, `OAUTH_CLIENT_ID`, … */
export const fromEnv: Config.Config<TokenService.Options> = fromEnvWithPrefix(Options.defaultPrefix)
