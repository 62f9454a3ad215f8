/**
 * `TokenService`'s options: checked (types first, then values, in words that never repeat a value) and completed
 * with their defaults, once, when the layer is built; and the options read from the environment.
 */
import * as compactJws from "@effect-oauth2/core/compactJws"
import * as methods from "@effect-oauth2/core/methods"
import { controlCharacter } from "@effect-oauth2/core/text"
import * as urls from "@effect-oauth2/core/urls"
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
import * as tokenRequest from "./tokenRequest.js"

/** How many times the default schedule retries. */
const defaultRetries = 3

/** The default retry schedule: jittered exponential from 200 ms, at most 3 retries. */
export const defaultRetry: Schedule.Schedule<unknown, NetworkError.NetworkError> = Schedule.exponential(
  "200 millis",
  2
).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(defaultRetries)))

/** Options checked, with every default filled in. */
export interface Resolved {
  readonly endpoint: Endpoint
  /** Whether `http` is allowed on a non-loopback host, for the endpoint and, with an issuer, what it names. */
  readonly allowInsecureHttp: boolean
  /** With an issuer: whether the token endpoint its metadata names must be on its origin. */
  readonly requireSameOriginTokenEndpoint: boolean
  readonly clientId: string
  readonly credentials: clientAuthentication.Spec
  readonly secrets: ReadonlyArray<Redacted.Redacted<string>>
  readonly request: tokenRequest.ResolvedRequest
  readonly expiryLeeway: Duration.Duration
  readonly refreshAhead: number | false
  readonly defaultLifetime: Duration.Duration
  readonly retry: Schedule.Schedule<unknown, NetworkError.NetworkError>
  readonly requestTimeout: Duration.Duration
  readonly terminalErrorCooldown: Duration.Duration
  readonly cacheCapacity: number
}

/** The token endpoint as configured: its URL, or the issuer whose metadata names it. */
export type Endpoint = { readonly _tag: "TokenUrl"; readonly url: URL } | { readonly _tag: "Issuer"; readonly url: URL }

/** Exactly one of `tokenUrl` and `issuer`, checked. */
const checkEndpoint = (options: TokenService.Options): Either.Either<Endpoint, string> => {
  const allowInsecureHttp = options.allowInsecureHttp === true
  if (options.tokenUrl !== undefined && options.issuer !== undefined) {
    return Either.left("tokenUrl and issuer are exclusive: give the issuer to discover the token endpoint, or tokenUrl")
  }
  if (options.issuer !== undefined) {
    return Either.map(
      toEither(urls.checkEndpointOption("issuer", options.issuer, allowInsecureHttp)),
      (url) => ({ _tag: "Issuer", url })
    )
  }
  if (options.tokenUrl === undefined) return Either.left("tokenUrl or issuer is required")
  return Either.map(
    toEither(urls.checkEndpointOption("tokenUrl", options.tokenUrl, allowInsecureHttp)),
    (url) => ({ _tag: "TokenUrl", url })
  )
}

/** The shortest `defaultLifetime`, as for a lifetime the server grants: a shorter one would make every call fetch. */
const minDefaultLifetime = Duration.seconds(1)

/**
 * What is wrong with the types of the options that are not durations or part of the request (those have their own
 * checks), as a JavaScript caller or a `Config` may give them; never a value.
 */
const checkOptionTypes = (options: TokenService.Options): string | undefined => {
  const absentOr = (value: unknown, type: "boolean" | "number") => value === undefined || typeof value === type
  if (!absentOr(options.allowInsecureHttp, "boolean")) return "allowInsecureHttp must be a boolean"
  if (!absentOr(options.requireSameOriginTokenEndpoint, "boolean")) {
    return "requireSameOriginTokenEndpoint must be a boolean"
  }
  if (typeof options.clientId !== "string") return "clientId must be a string"
  if (options.refreshAhead !== false && !absentOr(options.refreshAhead, "number")) {
    return "refreshAhead must be a number between 0 and 1 (exclusive), or false"
  }
  if (options.retry !== undefined && !Schedule.isSchedule(options.retry)) {
    return "retry must be a Schedule (e.g. Schedule.recurs(3)), not a number of retries"
  }
  return undefined
}

const decodeDuration = (name: string, input: Duration.DurationInput | undefined, fallback: Duration.Duration) => {
  if (input === undefined) return Either.right(fallback)
  const duration = Duration.decodeUnknown(input)
  return duration._tag === "Some" && Duration.isFinite(duration.value)
    ? Either.right(duration.value)
    : Either.left(`${name} is not a finite duration`)
}

/** Checks the options and fills in the defaults; the `Left` says what is wrong without repeating a value. */
export const resolve = (options: TokenService.Options): Either.Either<Resolved, string> =>
  Either.gen(function*() {
    const wrongType = checkOptionTypes(options)
    if (wrongType !== undefined) return yield* Either.left(wrongType)
    const endpoint = yield* checkEndpoint(options)
    const requireSameOriginTokenEndpoint = options.requireSameOriginTokenEndpoint === true
    if (requireSameOriginTokenEndpoint && endpoint._tag !== "Issuer") {
      return yield* Either.left("requireSameOriginTokenEndpoint needs the issuer option: it is about discovery")
    }
    if (options.clientId === "" || controlCharacter.test(options.clientId)) {
      return yield* Either.left("clientId is empty or contains a control character")
    }
    const credentials = yield* credentialOptions.check(options, endpoint._tag === "Issuer")
    const requestOptions = {
      scopes: options.scopes,
      audience: options.audience,
      resource: options.resource,
      extraParams: options.extraParams
    }
    // no null here: an option is absent or of its type
    const request = yield* toEither(
      tokenRequest.resolveChecked(tokenRequest.empty, requestOptions, { nullable: false })
    )
    const expiryLeeway = yield* decodeDuration("expiryLeeway", options.expiryLeeway, Duration.seconds(60))
    const defaultLifetime = yield* decodeDuration("defaultLifetime", options.defaultLifetime, Duration.minutes(5))
    const requestTimeout = yield* decodeDuration("requestTimeout", options.requestTimeout, Duration.seconds(30))
    const terminalErrorCooldown = yield* decodeDuration(
      "terminalErrorCooldown",
      options.terminalErrorCooldown,
      Duration.seconds(5)
    )
    if (Duration.lessThan(defaultLifetime, minDefaultLifetime)) {
      return yield* Either.left("defaultLifetime must be at least 1 second")
    }
    if (Duration.toMillis(requestTimeout) <= 0) return yield* Either.left("requestTimeout must be positive")
    const refreshAhead = options.refreshAhead ?? 0.8
    if (refreshAhead !== false && !(refreshAhead > 0 && refreshAhead < 1)) {
      return yield* Either.left("refreshAhead must be a number between 0 and 1 (exclusive), or false")
    }
    const cacheCapacity = options.cacheCapacity ?? 1000
    if (!Number.isSafeInteger(cacheCapacity) || cacheCapacity < 1) {
      return yield* Either.left("cacheCapacity must be a positive whole number")
    }
    return {
      endpoint,
      allowInsecureHttp: options.allowInsecureHttp === true,
      requireSameOriginTokenEndpoint,
      clientId: options.clientId,
      credentials,
      secrets: clientAuthentication.secretsOf(options.clientId, credentials),
      request,
      expiryLeeway,
      refreshAhead,
      defaultLifetime,
      retry: options.retry ?? defaultRetry,
      requestTimeout,
      terminalErrorCooldown,
      cacheCapacity
    }
  })

/** The options of a shared store, checked, with every default filled in. */
export interface ResolvedStore {
  readonly storeTimeout: Duration.Duration
  readonly leaseTtl: Duration.Duration
}

/** Checks the options of `layerWithStore`: `storeTimeout` (250 ms), `leaseTtl` (10 s). */
export const resolveStore = (options: TokenService.StoreOptions): Either.Either<ResolvedStore, string> =>
  Either.gen(function*() {
    const storeTimeout = yield* decodeDuration("storeTimeout", options.storeTimeout, Duration.millis(250))
    const leaseTtl = yield* decodeDuration("leaseTtl", options.leaseTtl, Duration.seconds(10))
    if (Duration.toMillis(storeTimeout) <= 0) return yield* Either.left("storeTimeout must be positive")
    if (Duration.toMillis(leaseTtl) <= 0) return yield* Either.left("leaseTtl must be positive")
    return { storeTimeout, leaseTtl }
  })

/** The name of every option of `TokenService.Options` and `StoreOptions`, whatever the variant. */
type OptionName =
  | (TokenService.Options extends infer O ? O extends unknown ? keyof O : never : never)
  | keyof TokenService.StoreOptions

const optionNames: Readonly<Record<OptionName, true>> = {
  tokenUrl: true,
  issuer: true,
  allowInsecureHttp: true,
  requireSameOriginTokenEndpoint: true,
  clientId: true,
  clientSecret: true,
  authMethod: true,
  assertionAudience: true,
  privateKey: true,
  signingAlgorithm: true,
  keyId: true,
  clientAssertion: true,
  scopes: true,
  audience: true,
  resource: true,
  extraParams: true,
  expiryLeeway: true,
  refreshAhead: true,
  defaultLifetime: true,
  retry: true,
  requestTimeout: true,
  terminalErrorCooldown: true,
  cacheCapacity: true,
  storeTimeout: true,
  leaseTtl: true
}

/**
 * The option a problem is about: every problem found in the options begins with the option's name (`tokenUrl is not
 * a URL`), or, for the request's lists, with one of its items (`scope #2 …`, `extra parameter "x" …`). `undefined`
 * when it begins with none (`private_key_jwt needs privateKey or clientAssertion`).
 */
export const optionOf = (problem: string): OptionName | undefined => {
  if (/^(an )?extra parameter\b/.test(problem)) return "extraParams"
  const word = /^(\w+)\b/.exec(problem)?.[1]
  if (word === "scope") return "scopes"
  return word !== undefined && Object.hasOwn(optionNames, word) ? word as OptionName : undefined
}

/** For the options `fromEnvWithPrefix` read: the variable each option came from. */
const variablesOf = new WeakMap<object, Partial<Record<OptionName, string>>>()

/**
 * The `ConfigError` of a problem found in `options`: at the variable the option was read from, when `options` came
 * from `fromEnvWithPrefix` (`(Invalid data at OAUTH_TOKEN_URL: "TokenService: tokenUrl is not a URL")`), else at the
 * option's name; a problem about no one option prints as its message alone, not after an empty path. For an effect
 * to fail with, not a `Config`: `Config.mapOrFail` makes its errors again, with Effect's `toString`.
 */
export const invalidOptions = (options: object, problem: string): ConfigError.ConfigError => {
  const message = `TokenService: ${problem}`
  const option = optionOf(problem)
  if (option !== undefined) return ConfigError.InvalidData([variablesOf.get(options)?.[option] ?? option], message)
  // Effect prints an empty path as `(Invalid data at : "…")`, with a `toString` it makes fixed: a copy with another
  // one (`String` and `Cause.pretty` both use it), the same in every other way
  const bare = ConfigError.InvalidData([], message)
  return Object.create(Object.getPrototypeOf(bare), {
    ...Object.getOwnPropertyDescriptors(bare),
    toString: { value: () => message, enumerable: false }
  }) as ConfigError.ConfigError
}

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> => Config.withDefault(config, undefined)

/**
 * The contents of the file a variable names, read now (a regular file of at most 64 KiB, see `credentialFile.ts`);
 * a `ConfigError` names the variable and what the file is, never its path or contents.
 */
const fileContents = (variable: string) =>
  Config.mapOrFail(Config.string(variable), (path) =>
    Either.match(credentialFile.node.readSync(path), {
      onLeft: (problem) => Either.left(ConfigError.InvalidData([variable], `${variable} names ${problem}`)),
      onRight: (text) => Either.right(Redacted.make(text.trim()))
    }))

/**
 * An assertion read from the file a variable names, again for every token request (projected tokens rotate): a
 * regular file of at most 64 KiB, read within 5 seconds, holding a compact JWS. Its failure names the variable and
 * what is wrong, never the path or the contents.
 */
const assertionFile = (variable: string) =>
  Config.map(Config.string(variable), (path) =>
    credentialFile.node.read(path).pipe(
      Effect.mapError((problem) =>
        new clientAuthentication.AssertionRefused({ detail: `${variable} names ${problem}` })
      ),
      Effect.flatMap((text) => {
        const assertion = text.trim()
        const problem = compactJws.problem(assertion)
        return problem === undefined
          ? Effect.succeed(Redacted.make(assertion))
          : Effect.fail(
            new clientAuthentication.AssertionRefused({
              detail: `${variable} names a file that holds no ${compactJws.described}: ${problem}`
            })
          )
      })
    ))

/** `<prefix>TOKEN_URL` or `<prefix>ISSUER`, one of them. */
const endpointFromEnv = (prefix: string) =>
  Config.mapOrFail(
    Config.all({
      tokenUrl: optional(Config.string(`${prefix}TOKEN_URL`)),
      issuer: optional(Config.string(`${prefix}ISSUER`))
    }),
    ({ issuer, tokenUrl }): Either.Either<TokenService.EndpointOptions, ConfigError.ConfigError> =>
      tokenUrl !== undefined && issuer !== undefined
        ? Either.left(
          ConfigError.InvalidData([`${prefix}ISSUER`], `set ${prefix}TOKEN_URL or ${prefix}ISSUER, not both`)
        )
        : tokenUrl !== undefined
        ? Either.right({ tokenUrl })
        : issuer !== undefined
        ? Either.right({ issuer })
        : Either.left(
          ConfigError.MissingData([`${prefix}TOKEN_URL`], `Expected ${prefix}TOKEN_URL or ${prefix}ISSUER to exist`)
        )
  )

const missing = (variable: string) =>
  ConfigError.MissingData([variable], `Expected ${variable} to exist in the process context`)

/**
 * The credentials `<prefix>AUTH_METHOD` asks for: `<prefix>CLIENT_SECRET`, or for `private_key_jwt` a key from
 * `<prefix>PRIVATE_KEY` or `<prefix>PRIVATE_KEY_FILE`, else an assertion from `<prefix>CLIENT_ASSERTION_FILE`.
 */
const credentialsFromEnv = (prefix: string): Config.Config<TokenService.Credentials> =>
  Config.mapOrFail(
    Config.all({
      clientId: Config.string(`${prefix}CLIENT_ID`),
      authMethod: optional(Config.literal(...methods.authMethods)(`${prefix}AUTH_METHOD`)),
      clientSecret: optional(Config.redacted(`${prefix}CLIENT_SECRET`)),
      privateKey: optional(
        Config.orElse(Config.redacted(`${prefix}PRIVATE_KEY`), () => fileContents(`${prefix}PRIVATE_KEY_FILE`))
      ),
      keyId: optional(Config.string(`${prefix}KEY_ID`)),
      signingAlgorithm: optional(Config.literal(...methods.signingAlgorithms)(`${prefix}SIGNING_ALGORITHM`)),
      clientAssertion: optional(assertionFile(`${prefix}CLIENT_ASSERTION_FILE`))
    }),
    (env): Either.Either<TokenService.Credentials, ConfigError.ConfigError> => {
      const { clientId } = env
      const hasKeyOrAssertion = env.privateKey !== undefined || env.clientAssertion !== undefined
      // a key or an assertion and no secret say which method is meant
      const authMethod = env.authMethod ??
        (hasKeyOrAssertion && env.clientSecret === undefined ? "private_key_jwt" : undefined)
      if (authMethod !== "private_key_jwt") {
        if (env.clientSecret === undefined) return Either.left(missing(`${prefix}CLIENT_SECRET`))
        return Either.right(
          authMethod === "client_secret_jwt"
            ? { clientId, clientSecret: env.clientSecret, authMethod }
            : { clientId, clientSecret: env.clientSecret, authMethod }
        )
      }
      if (env.privateKey !== undefined && env.clientAssertion !== undefined) {
        return Either.left(ConfigError.InvalidData(
          [`${prefix}CLIENT_ASSERTION_FILE`],
          `set a private key (${prefix}PRIVATE_KEY or ${prefix}PRIVATE_KEY_FILE) or ${prefix}CLIENT_ASSERTION_FILE, not both`
        ))
      }
      if (env.privateKey !== undefined) {
        const { keyId, privateKey, signingAlgorithm } = env
        return Either.right({ clientId, authMethod, privateKey, keyId, signingAlgorithm })
      }
      if (env.clientAssertion !== undefined) {
        return Either.right({ clientId, authMethod, clientAssertion: env.clientAssertion })
      }
      return Either.left(missing(`${prefix}PRIVATE_KEY`))
    }
  )

/**
 * The variables after `prefix` (`OAUTH_` by default): `TOKEN_URL` or `ISSUER`; `CLIENT_ID`; `AUTH_METHOD`; then
 * `CLIENT_SECRET`, or for `private_key_jwt` `PRIVATE_KEY` / `PRIVATE_KEY_FILE` (with `KEY_ID`, `SIGNING_ALGORITHM`) or
 * `CLIENT_ASSERTION_FILE`; `SCOPE`, `AUDIENCE`. Without `AUTH_METHOD`, a key or an assertion file and no secret mean
 * `private_key_jwt`.
 */
export const fromEnvWithPrefix = (prefix: string): Config.Config<TokenService.Options> =>
  Config.map(
    Config.all({
      endpoint: endpointFromEnv(prefix),
      credentials: credentialsFromEnv(prefix),
      scopes: optional(
        Config.map(Config.string(`${prefix}SCOPE`), (scope) => scope.split(" ").filter((scope) => scope !== ""))
      ),
      audience: optional(Config.string(`${prefix}AUDIENCE`)),
      // which of the two variables a private key came from, for an error about it
      keyInVariable: Config.map(optional(Config.redacted(`${prefix}PRIVATE_KEY`)), (key) => key !== undefined)
    }),
    ({ audience, credentials, endpoint, keyInVariable, scopes }) => {
      const options = { ...endpoint, ...credentials, scopes, audience } as TokenService.Options
      variablesOf.set(options, {
        tokenUrl: `${prefix}TOKEN_URL`,
        issuer: `${prefix}ISSUER`,
        clientId: `${prefix}CLIENT_ID`,
        authMethod: `${prefix}AUTH_METHOD`,
        clientSecret: `${prefix}CLIENT_SECRET`,
        privateKey: keyInVariable ? `${prefix}PRIVATE_KEY` : `${prefix}PRIVATE_KEY_FILE`,
        keyId: `${prefix}KEY_ID`,
        signingAlgorithm: `${prefix}SIGNING_ALGORITHM`,
        clientAssertion: `${prefix}CLIENT_ASSERTION_FILE`,
        scopes: `${prefix}SCOPE`,
        audience: `${prefix}AUDIENCE`
      })
      return options
    }
  )

/** `fromEnvWithPrefix("OAUTH_")`: `OAUTH_TOKEN_URL`, `OAUTH_CLIENT_ID`, … */
export const fromEnv: Config.Config<TokenService.Options> = fromEnvWithPrefix("OAUTH_")
