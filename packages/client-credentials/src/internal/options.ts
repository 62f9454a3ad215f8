/**
 * `TokenService`'s options: checked (types first, then values, in words that never repeat a value) and completed
 * with their defaults, once, when the layer is built; and the options read from the environment.
 */
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as NetworkError from "../NetworkError.js"
import type * as TokenService from "../TokenService.js"
import type { ClientAuthentication } from "./clientAuthentication.js"
import { clientSecretBasic, clientSecretPost, secretForms } from "./clientAuthentication.js"
import { controlCharacter } from "./text.js"
import * as tokenRequest from "./tokenRequest.js"

/** The default retry schedule: jittered exponential from 200 ms, at most 3 retries. */
export const defaultRetry: Schedule.Schedule<unknown, NetworkError.NetworkError> = Schedule.exponential(
  "200 millis",
  2
).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(3)))

/** Options checked, with every default filled in. */
export interface Resolved {
  readonly tokenUrl: URL
  readonly clientId: string
  readonly authentication: ClientAuthentication
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

// the URL parser normalises IPv4 forms (127.1, 0x7f.1) to dotted decimal
const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname)

const checkTokenUrl = (options: TokenService.Options): Either.Either<URL, string> => {
  if (typeof options.tokenUrl !== "string" && !(options.tokenUrl instanceof URL)) {
    return Either.left("tokenUrl must be a string or a URL")
  }
  if (!URL.canParse(options.tokenUrl)) return Either.left("tokenUrl is not a URL")
  const url = new URL(options.tokenUrl)
  if (url.protocol !== "https:" && url.protocol !== "http:") return Either.left("tokenUrl must be http(s)")
  if (url.username !== "" || url.password !== "") return Either.left("tokenUrl must not carry credentials")
  if (url.hash !== "") return Either.left("tokenUrl must not have a fragment (RFC 6749 §3.2)")
  if (url.protocol === "http:" && !isLoopback(url.hostname) && options.allowInsecureHttp !== true) {
    return Either.left("tokenUrl must use https (RFC 6749 §3.2); set allowInsecureHttp to allow http")
  }
  return Either.right(url)
}

/** The shortest `defaultLifetime`, as for a lifetime the server grants: a shorter one would make every call fetch. */
const minDefaultLifetime = Duration.seconds(1)

/** What kind of value `value` is, in words that never show it. */
const kindOf = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : typeof value === "object"
    ? "an object"
    : `a ${typeof value}`

/**
 * What is wrong with the types of the options that are not durations or part of the request (those have their own
 * checks), as a JavaScript caller or a `Config` may give them; never a value.
 */
const checkOptionTypes = (options: TokenService.Options): string | undefined => {
  const absentOr = (value: unknown, type: "boolean" | "number") => value === undefined || typeof value === type
  if (!absentOr(options.allowInsecureHttp, "boolean")) return "allowInsecureHttp must be a boolean"
  if (typeof options.clientId !== "string") return "clientId must be a string"
  if (!Redacted.isRedacted(options.clientSecret)) {
    return "clientSecret must be a Redacted value (Redacted.make or Config.redacted)"
  }
  const secret: unknown = Redacted.value(options.clientSecret)
  if (secret === undefined) {
    return "clientSecret holds undefined, not a string: is the environment variable it was read from set? Read it " +
      "with Config.redacted (or use TokenService.layerConfig()) to be told which variable is missing"
  }
  if (typeof secret !== "string") return `clientSecret must hold a string, not ${kindOf(secret)}`
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
    const tokenUrl = yield* checkTokenUrl(options)
    const wrongType = checkOptionTypes(options)
    if (wrongType !== undefined) return yield* Either.left(wrongType)
    if (options.clientId === "" || controlCharacter.test(options.clientId)) {
      return yield* Either.left("clientId is empty or contains a control character")
    }
    if (Redacted.value(options.clientSecret) === "") return yield* Either.left("clientSecret is empty")
    const method = options.authMethod ?? "client_secret_basic"
    if (method !== "client_secret_basic" && method !== "client_secret_post") {
      return yield* Either.left(`authMethod must be client_secret_basic or client_secret_post`)
    }
    const requestOptions = {
      scopes: options.scopes,
      audience: options.audience,
      resource: options.resource,
      extraParams: options.extraParams
    }
    // no null here: an option is absent or of its type
    const request = yield* tokenRequest.resolveChecked(tokenRequest.empty, requestOptions, { nullable: false })
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
      tokenUrl,
      clientId: options.clientId,
      authentication: method === "client_secret_basic"
        ? clientSecretBasic(options.clientId, options.clientSecret)
        : clientSecretPost(options.clientId, options.clientSecret),
      secrets: secretForms(options.clientId, options.clientSecret),
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

/** `resolve`, or death with an `IllegalArgumentException` naming what is wrong. */
export const resolveOrDie = (options: TokenService.Options): Effect.Effect<Resolved> =>
  Either.match(resolve(options), {
    onLeft: (problem) => Effect.die(new Cause.IllegalArgumentException(`TokenService: ${problem}`)),
    onRight: Effect.succeed
  })

/** Fails the config with `ConfigError.InvalidData` when the options are invalid. */
export const validatedConfig = (config: Config.Config<TokenService.Options>): Config.Config<TokenService.Options> =>
  Config.mapOrFail(config, (options) =>
    Either.match(resolve(options), {
      onLeft: (problem) => Either.left(ConfigError.InvalidData([], `TokenService: ${problem}`)),
      onRight: () => Either.right(options)
    }))

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> => Config.withDefault(config, undefined)

/** `OAUTH_TOKEN_URL`, `OAUTH_CLIENT_ID`, `OAUTH_CLIENT_SECRET`, `OAUTH_SCOPE`, `OAUTH_AUDIENCE`, `OAUTH_AUTH_METHOD`. */
export const fromEnv: Config.Config<TokenService.Options> = Config.all({
  tokenUrl: Config.string("OAUTH_TOKEN_URL"),
  clientId: Config.string("OAUTH_CLIENT_ID"),
  clientSecret: Config.redacted("OAUTH_CLIENT_SECRET"),
  scopes: optional(
    Config.map(Config.string("OAUTH_SCOPE"), (scope) => scope.split(" ").filter((scope) => scope !== ""))
  ),
  audience: optional(Config.string("OAUTH_AUDIENCE")),
  authMethod: optional(Config.literal("client_secret_basic", "client_secret_post")("OAUTH_AUTH_METHOD"))
})
