/**
 * `TokenService`'s options, checked and completed with their defaults once, when the layer is built, and read from
 * the environment. What they are, their defaults, checks, texts and variables are the core's
 * (`@effect-oauth2/core/options`); this line reads its own values into the core's terms (a `Duration.Input` into
 * millis, `Redacted` and `Effect` credentials through `credentialOptions.ts`) and builds its types back: durations,
 * the default retry `Schedule`, the `Config`s of the variables, and `Config.ConfigError`s.
 *
 * A `ConfigError` of this line holds a `SchemaError` whose one issue is at the variable (or the option) to blame and
 * carries the core's message: `SchemaError(TokenService: tokenUrl is not a URL\n  at ["OAUTH_TOKEN_URL"])`, what
 * Effect 4 itself says of a variable it finds wrong. A problem about no one option is its message alone.
 */
import { type Checked, invalid, valid } from "@effect-oauth2/core/checked"
import * as methods from "@effect-oauth2/core/methods"
import * as Options from "@effect-oauth2/core/options"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as NetworkError from "../NetworkError.js"
import type * as TokenService from "../TokenService.js"
import { toResult } from "./checked.js"
import * as clientAuthentication from "./clientAuthentication.js"
import * as credentialFile from "./credentialFile.js"
import * as credentialOptions from "./credentialOptions.js"

/** The retry schedule of `NetworkError`s. */
type Retry = Schedule.Schedule<unknown, NetworkError.NetworkError>

/** The default retry schedule (`Options.defaultRetry`): jittered exponential from 200 ms, at most 3 retries. */
const defaultRetry: Retry = Schedule.exponential(
  Duration.millis(Options.defaultRetry.baseMillis),
  Options.defaultRetry.factor
).pipe(Schedule.jittered, Schedule.upTo({ times: Options.defaultRetry.retries }))

/** Options checked, with every default filled in (`Options.ResolvedIn`, each field described there). */
export interface Resolved
  extends Options.ResolvedIn<clientAuthentication.Spec, Retry, Duration.Duration, Redacted.Redacted<string>>
{}

/** The token endpoint as configured: its URL, or the issuer whose metadata names it. */
export type Endpoint = Options.Endpoint

/** A duration option's millis (`Infinity` for an infinite one); `undefined` for a value that is no duration. */
const millisOf = (value: unknown): number | undefined => {
  const duration = Duration.fromInput(value as Duration.Input)
  return Option.isSome(duration) ? Duration.toMillis(duration.value) : undefined
}

/** How this line's values read in the core's terms. */
const reader: Options.Reader<clientAuthentication.Spec> = {
  millis: millisOf,
  isRetry: Schedule.isSchedule,
  credentials: (options, hasIssuer) =>
    Result.match(credentialOptions.check(options as TokenService.Credentials, hasIssuer), {
      onFailure: invalid,
      onSuccess: valid
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
export const resolve = (options: TokenService.Options): Result.Result<Resolved, string> =>
  toResult(resolveChecked(options))

/** The options of a shared store, checked, with every default filled in. */
export interface ResolvedStore extends Options.ResolvedStoreIn<Duration.Duration> {}

/** Checks the options of `layerWithStore` (`Options.resolveStore`). */
export const resolveStoreChecked = (options: TokenService.StoreOptions): Checked<ResolvedStore> =>
  Options.resolveStoreIn(options, millisOf, Duration.millis)

/** A `ConfigError` of `issue` at `path` (the variable or the option; an empty path prints as none). */
const configError = (path: ReadonlyArray<string>, issue: SchemaIssue.Issue): Config.ConfigError =>
  new Config.ConfigError(new Schema.SchemaError(new SchemaIssue.Pointer(path, issue)))

/** Invalid data at `path`: what is wrong, never the value. */
const invalidData = (path: ReadonlyArray<string>, message: string): Config.ConfigError =>
  configError(path, new SchemaIssue.InvalidValue({ message }))

/** Missing data at `path`. */
const missingData = (path: ReadonlyArray<string>, message: string): Config.ConfigError =>
  configError(path, new SchemaIssue.MissingKey({ messageMissingKey: message }))

/** For the options `fromEnvWithPrefix` read: the variable each option came from (`Options.optionVariables`). */
const variablesOfOptions = new WeakMap<object, Partial<Record<Options.OptionName, string>>>()

/**
 * The `ConfigError` of a problem found in `options`: at the variable the option was read from, when `options` came
 * from `fromEnvWithPrefix` (`SchemaError(TokenService: tokenUrl is not a URL\n  at ["OAUTH_TOKEN_URL"])`), else at the
 * option's name; a problem about no one option is its message alone, at no path.
 */
export const invalidOptions = (options: object, problem: string): Config.ConfigError => {
  const message = Options.invalidOptionsMessage(problem)
  const option = Options.optionOf(problem)
  return invalidData(option === undefined ? [] : [variablesOfOptions.get(options)?.[option] ?? option], message)
}

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> => Config.withDefault(config, undefined)

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

/**
 * The contents of the file a variable names, read now (a regular file of at most 64 KiB, see `credentialFile.ts`);
 * a `ConfigError` names the variable and what the file is, never its path or contents.
 */
const fileContents = (variable: string) =>
  Config.mapEffect(Config.String(variable), (path) =>
    Result.match(credentialFile.node.readSync(path), {
      onFailure: (problem) => Effect.fail(invalidData([variable], Options.fileProblem(variable, problem))),
      onSuccess: (text) => Effect.succeed(Redacted.make(Options.keyOfFile(text)))
    }))

/**
 * An assertion read from the file a variable names, again for every token request (projected tokens rotate): a
 * regular file of at most 64 KiB, read within 5 seconds, holding a compact JWS (`Options.assertionOfFile`). Its
 * failure names the variable and what is wrong, never the path or the contents.
 */
const assertionFile = (variable: string) =>
  Config.map(Config.String(variable), (path) =>
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
  return Config.mapEffect(
    Config.all({
      tokenUrl: optional(Config.String(variables.tokenUrl)),
      issuer: optional(Config.String(variables.issuer))
    }),
    (env) => fromEnvAnswer(Options.endpointFromEnv(prefix, env))
  )
}

/** The credentials the variables make (`Options.credentialsFromEnv`). */
const credentialsFromEnv = (prefix: string): Config.Config<TokenService.Credentials> => {
  const variables = Options.variablesOf(prefix)
  return Config.mapEffect(
    Config.all({
      clientId: Config.String(variables.clientId),
      authMethod: optional(Config.Literals(methods.authMethods, variables.authMethod)),
      clientSecret: optional(Config.Redacted(variables.clientSecret)),
      privateKey: optional(
        Config.orElse(Config.Redacted(variables.privateKey), () => fileContents(variables.privateKeyFile))
      ),
      keyId: optional(Config.String(variables.keyId)),
      signingAlgorithm: optional(Config.Literals(methods.signingAlgorithms, variables.signingAlgorithm)),
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
      scopes: optional(Config.map(Config.String(variables.scope), Options.scopesOf)),
      audience: optional(Config.String(variables.audience)),
      // which of the two variables a private key came from, for an error about it
      keyInVariable: Config.map(optional(Config.Redacted(variables.privateKey)), (key) => key !== undefined)
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
