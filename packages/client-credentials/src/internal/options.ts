/**
 * `TokenService`'s options, checked and completed with their defaults once, when the layer is built, and read from
 * the environment. What they are, their defaults, checks, texts and variables are the core's
 * (`@effect-oauth2/core/options`); this line reads its own values into the core's terms (a `Duration` into millis,
 * `Redacted` and `Effect` credentials through `credentialOptions.ts`) and builds its types back: durations, the
 * default retry `Schedule`, the `Config`s of the variables, and `ConfigError`s.
 */
import { type Checked, invalid, valid } from "@effect-oauth2/core/checked"
import * as methods from "@effect-oauth2/core/methods"
import * as Options from "@effect-oauth2/core/options"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as NetworkError from "../NetworkError.js"
import type * as TokenService from "../TokenService.js"
import { toEither } from "./checked.js"
import * as clientAuthentication from "./clientAuthentication.js"
import * as credentialFile from "./credentialFile.js"
import * as credentialOptions from "./credentialOptions.js"

/** The retry schedule of `NetworkError`s. */
type Retry = Schedule.Schedule<unknown, NetworkError.NetworkError>

/** The default retry schedule (`Options.defaultRetry`): jittered exponential from 200 ms, at most 3 retries. */
const defaultRetry: Retry = Schedule.exponential(
  Duration.millis(Options.defaultRetry.baseMillis),
  Options.defaultRetry.factor
).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(Options.defaultRetry.retries)))

/** Options checked, with every default filled in (`Options.ResolvedIn`, each field described there). */
export interface Resolved
  extends Options.ResolvedIn<clientAuthentication.Spec, Retry, Duration.Duration, Redacted.Redacted<string>>
{}

/** The token endpoint as configured: its URL, or the issuer whose metadata names it. */
export type Endpoint = Options.Endpoint

/** A duration option's millis (`Infinity` for an infinite one); `undefined` for a value that is no duration. */
const millisOf = (value: unknown): number | undefined => {
  const duration = Duration.decodeUnknown(value)
  return duration._tag === "Some" ? Duration.toMillis(duration.value) : undefined
}

/** How this line's values read in the core's terms. */
const reader: Options.Reader<clientAuthentication.Spec> = {
  millis: millisOf,
  isRetry: Schedule.isSchedule,
  credentials: (options, hasIssuer) =>
    Either.match(credentialOptions.check(options as TokenService.Credentials, hasIssuer), {
      onLeft: invalid,
      onRight: valid
    })
}

/** This line's durations, default retry schedule and secrets to redact. */
const terms: Options.LineTerms<clientAuthentication.Spec, Retry, Duration.Duration, Redacted.Redacted<string>> = {
  duration: Duration.millis,
  defaultRetry,
  secretsOf: clientAuthentication.secretsOf
}

/** Checks the options and fills in the defaults (`Options.resolve`); the problem says what is wrong without a value. */
export const resolveChecked = (options: TokenService.Options): Checked<Resolved> =>
  Options.resolveIn(options, reader, terms)

/** `resolveChecked`, its problem the failure. */
export const resolve = (options: TokenService.Options): Either.Either<Resolved, string> =>
  toEither(resolveChecked(options))

/** The options of a shared store, checked, with every default filled in. */
export interface ResolvedStore extends Options.ResolvedStoreIn<Duration.Duration> {}

/** Checks the options of `layerWithStore` (`Options.resolveStore`). */
export const resolveStoreChecked = (options: TokenService.StoreOptions): Checked<ResolvedStore> =>
  Options.resolveStoreIn(options, millisOf, Duration.millis)

/** For the options `fromEnvWithPrefix` read: the variable each option came from (`Options.optionVariables`). */
const variablesOfOptions = new WeakMap<object, Partial<Record<Options.OptionName, string>>>()

/**
 * The `ConfigError` of a problem found in `options`: at the variable the option was read from, when `options` came
 * from `fromEnvWithPrefix` (`(Invalid data at OAUTH_TOKEN_URL: "TokenService: tokenUrl is not a URL")`), else at the
 * option's name; a problem about no one option prints as its message alone, not after an empty path. For an effect
 * to fail with, not a `Config`: `Config.mapOrFail` makes its errors again, with Effect's `toString`.
 */
export const invalidOptions = (options: object, problem: string): ConfigError.ConfigError => {
  const message = Options.invalidOptionsMessage(problem)
  const option = Options.optionOf(problem)
  if (option !== undefined) {
    return ConfigError.InvalidData([variablesOfOptions.get(options)?.[option] ?? option], message)
  }
  // Effect prints an empty path as `(Invalid data at : "…")`, with a `toString` it makes fixed: a copy with another
  // one (`String` and `Cause.pretty` both use it), the same in every other way
  const bare = ConfigError.InvalidData([], message)
  return Object.create(Object.getPrototypeOf(bare), {
    ...Object.getOwnPropertyDescriptors(bare),
    toString: { value: () => message, enumerable: false }
  }) as ConfigError.ConfigError
}

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> => Config.withDefault(config, undefined)

/** What the variables make (`Options.FromEnv`), as a `Config` answer: the value, or a `ConfigError` at the variable. */
const fromEnvAnswer = <A>(answer: Options.FromEnv<A>): Either.Either<A, ConfigError.ConfigError> => {
  switch (answer._tag) {
    case "Valid":
      return Either.right(answer.value)
    case "InvalidData":
      return Either.left(ConfigError.InvalidData([answer.variable], answer.message))
    case "MissingData":
      return Either.left(ConfigError.MissingData([answer.variable], answer.message))
  }
}

/**
 * The contents of the file a variable names, read now (a regular file of at most 64 KiB, see `credentialFile.ts`);
 * a `ConfigError` names the variable and what the file is, never its path or contents.
 */
const fileContents = (variable: string) =>
  Config.mapOrFail(Config.string(variable), (path) =>
    Either.match(credentialFile.node.readSync(path), {
      onLeft: (problem) => Either.left(ConfigError.InvalidData([variable], Options.fileProblem(variable, problem))),
      onRight: (text) => Either.right(Redacted.make(Options.keyOfFile(text)))
    }))

/**
 * An assertion read from the file a variable names, again for every token request (projected tokens rotate): a
 * regular file of at most 64 KiB, read within 5 seconds, holding a compact JWS (`Options.assertionOfFile`). Its
 * failure names the variable and what is wrong, never the path or the contents.
 */
const assertionFile = (variable: string) =>
  Config.map(Config.string(variable), (path) =>
    credentialFile.node.read(path).pipe(
      Effect.mapError((problem) =>
        new clientAuthentication.AssertionRefused({ detail: Options.fileProblem(variable, problem) })
      ),
      Effect.flatMap((text) => {
        const assertion = Options.assertionOfFile(variable, text)
        return assertion._tag === "Valid"
          ? Effect.succeed(Redacted.make(assertion.value))
          : Effect.fail(new clientAuthentication.AssertionRefused({ detail: assertion.problem }))
      })
    ))

/** `<prefix>TOKEN_URL` or `<prefix>ISSUER`, one of them (`Options.endpointFromEnv`). */
const endpointFromEnv = (prefix: string) => {
  const variables = Options.variablesOf(prefix)
  return Config.mapOrFail(
    Config.all({
      tokenUrl: optional(Config.string(variables.tokenUrl)),
      issuer: optional(Config.string(variables.issuer))
    }),
    (env) => fromEnvAnswer(Options.endpointFromEnv(prefix, env))
  )
}

/** The credentials the variables make (`Options.credentialsFromEnv`). */
const credentialsFromEnv = (prefix: string): Config.Config<TokenService.Credentials> => {
  const variables = Options.variablesOf(prefix)
  return Config.mapOrFail(
    Config.all({
      clientId: Config.string(variables.clientId),
      authMethod: optional(Config.literal(...methods.authMethods)(variables.authMethod)),
      clientSecret: optional(Config.redacted(variables.clientSecret)),
      privateKey: optional(
        Config.orElse(Config.redacted(variables.privateKey), () => fileContents(variables.privateKeyFile))
      ),
      keyId: optional(Config.string(variables.keyId)),
      signingAlgorithm: optional(Config.literal(...methods.signingAlgorithms)(variables.signingAlgorithm)),
      clientAssertion: optional(assertionFile(variables.clientAssertionFile))
    }),
    (env) => fromEnvAnswer(Options.credentialsFromEnv(prefix, env))
  )
}

/** The options read from the variables after `prefix` (`Options.variablesOf`). */
export const fromEnvWithPrefix = (prefix: string): Config.Config<TokenService.Options> => {
  const variables = Options.variablesOf(prefix)
  return Config.map(
    Config.all({
      endpoint: endpointFromEnv(prefix),
      credentials: credentialsFromEnv(prefix),
      scopes: optional(Config.map(Config.string(variables.scope), Options.scopesOf)),
      audience: optional(Config.string(variables.audience)),
      // which of the two variables a private key came from, for an error about it
      keyInVariable: Config.map(optional(Config.redacted(variables.privateKey)), (key) => key !== undefined)
    }),
    ({ audience, credentials, endpoint, keyInVariable, scopes }) => {
      const options = { ...endpoint, ...credentials, scopes, audience } as TokenService.Options
      variablesOfOptions.set(options, Options.optionVariables(prefix, keyInVariable))
      return options
    }
  )
}

/** `fromEnvWithPrefix("OAUTH_")`: `OAUTH_TOKEN_URL`, `OAUTH_CLIENT_ID`, … */
export const fromEnv: Config.Config<TokenService.Options> = fromEnvWithPrefix(Options.defaultPrefix)
