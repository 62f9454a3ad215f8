/**
 * `TokenService`'s options: their shapes and what each means (generic over how a line holds a secret, an assertion
 * made elsewhere, a duration and a retry schedule), their defaults, and their checks, in words that name an option and
 * never repeat a value; and the options read from the environment (`OAUTH_*`): the variables, what each holds, and
 * which combinations make which credentials.
 *
 * How a line uses it:
 * - `resolve(options, reader)` checks the options in a fixed order (the types first; the endpoint; the client id; the
 *   credentials, through the line's own check; the request; the durations; their bounds) and fills in the defaults.
 *   Durations are millis here: the line's `Reader` reads its duration values into millis, says whether `retry` is
 *   one of its schedules, and checks the credentials; the line builds its own types back from the result (a retry
 *   schedule from `defaultRetry` when none is given).
 * - A problem begins with the option it is about (`optionOf`), so a line that read the options from the
 *   environment can say which variable it came from (`optionVariables`).
 * - `endpointFromEnv` and `credentialsFromEnv` decide what the variables make, as `FromEnv` (the options, or
 *   the variable to blame and the message); the line reads the variables and turns a problem into its config error.
 */
import { type Checked, invalid, valid } from "./checked.js"
import { described as compactJwsDescribed, problem as compactJwsProblem } from "./compactJws.js"
import type { AssertionAudience } from "./credentials.js"
import { type Algorithm as DpopAlgorithm, algorithms as dpopAlgorithms } from "./dpopKey.js"
import type { AuthMethod, SigningAlgorithm } from "./methods.js"
import { controlCharacter } from "./text.js"
import {
  empty as emptyRequest,
  resolveChecked as resolveRequest,
  type ResolvedRequest,
  type TokenRequest
} from "./tokenRequest.js"
import { checkEndpointOption } from "./urls.js"

// the shapes

/**
 * The token endpoint, given as is.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenUrlOptions {
  /** The token endpoint URL. `https`, or `http` on a loopback address, unless `allowInsecureHttp`. */
  readonly tokenUrl: string | URL
  readonly issuer?: undefined
  /** Allows plain `http` on a non-loopback host. RFC 6749 §3.2 requires TLS; default `false`. */
  readonly allowInsecureHttp?: boolean | undefined
  readonly requireSameOriginTokenEndpoint?: undefined
}

/**
 * The token endpoint, discovered from the issuer's metadata at the first call: RFC 8414
 * (`https://h/.well-known/oauth-authorization-server/tenant` for `https://h/tenant`), then OpenID Connect
 * Discovery (`https://h/tenant/.well-known/openid-configuration`) when that is not found. The metadata must name
 * the same issuer and list the configured `authMethod`. It is kept for its `Cache-Control: max-age`, held to
 * [1 minute, 24 hours] (24 hours without one), and read again, in the background, once it is older, or when the token
 * endpoint it names answers 404 or 410 or cannot be reached after the retries; at most once per 30 seconds. Callers
 * are served the metadata known meanwhile, and a re-read that fails keeps it (logged at warning).
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuerOptions {
  /** The authorization server's issuer identifier. `https`, or `http` on a loopback address, unless `allowInsecureHttp`. */
  readonly issuer: string | URL
  readonly tokenUrl?: undefined
  /** Allows plain `http` on a non-loopback host, for the issuer and the endpoints it names; default `false`. */
  readonly allowInsecureHttp?: boolean | undefined
  /**
   * Refuses a `token_endpoint` on another origin (scheme, host and port) than the issuer's, with `TokenError`
   * `Discovery`: the client's credentials then go nowhere but the issuer's origin. Default `false`: RFC 8414 allows
   * the token endpoint elsewhere, and some providers put it there (Google's is on another host).
   */
  readonly requireSameOriginTokenEndpoint?: boolean | undefined
}

/**
 * Where the token endpoint is: `tokenUrl`, or an `issuer` whose metadata names it.
 *
 * @since 0.1.0
 * @category models
 */
export type EndpointOptions = TokenUrlOptions | IssuerOptions

/**
 * Client authentication with a shared secret sent to the server (RFC 6749 §2.3.1); `Secret` is how a line holds a
 * secret (`Redacted<string>`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretCredentials<Secret> {
  readonly clientId: string
  readonly clientSecret: Secret
  /** `client_secret_basic` (HTTP Basic, the default) or `client_secret_post` (in the form body). */
  readonly authMethod?: "client_secret_basic" | "client_secret_post" | undefined
  readonly privateKey?: undefined
  readonly clientAssertion?: undefined
  readonly certificate?: undefined
  readonly sendCertificateChain?: undefined
  readonly tlsClientCertificate?: undefined
}

/**
 * `client_secret_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): a JWT signed with HS256 over the client secret,
 * per token request; the secret itself is never sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretJwtCredentials<Secret> {
  readonly clientId: string
  readonly clientSecret: Secret
  readonly authMethod: "client_secret_jwt"
  /** The assertion's `aud`; default `"tokenEndpoint"`. */
  readonly assertionAudience?: AssertionAudience | undefined
  readonly privateKey?: undefined
  readonly clientAssertion?: undefined
  readonly certificate?: undefined
  readonly sendCertificateChain?: undefined
  readonly tlsClientCertificate?: undefined
}

/**
 * `private_key_jwt` (RFC 7523 §2.2): a JWT signed with the client's private key, per token request.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrivateKeyJwtCredentials<Secret> {
  readonly clientId: string
  readonly authMethod: "private_key_jwt"
  /**
   * A PKCS#8 PEM (one `-----BEGIN PRIVATE KEY-----` block, no certificate) or a private JWK as JSON (an RSA JWK with
   * its CRT parameters, an EC or OKP JWK with its public part). Imported once, when the layer is built.
   */
  readonly privateKey: Secret
  /** Default the JWK's own `alg`, else from the key: RSA → `RS256`, EC P-256 → `ES256`, Ed25519 → `EdDSA`. */
  readonly signingAlgorithm?: SigningAlgorithm | undefined
  /** The `kid` header, when the server needs it to pick the key; default the JWK's own `kid`. */
  readonly keyId?: string | undefined
  /**
   * The X.509 certificate of `privateKey`, as PEM (`-----BEGIN CERTIFICATE-----`), then the chain above it if any:
   * each assertion names it in an `x5t#S256` header (the SHA-256 of its DER, base64url), as Microsoft Entra ID's
   * certificate credentials require (with `signingAlgorithm: "PS256"`, which Entra ID recommends; `RS256` is
   * accepted). Read when the layer is built: a text that holds no PEM certificate, or a certificate whose public key
   * is not `privateKey`'s, is refused.
   */
  readonly certificate?: string | undefined
  /**
   * Also sends `certificate`'s chain in the `x5c` header (RFC 7515 §4.1.6: each certificate's DER in base64, the key's
   * own first, each then issued by the next); default `false`.
   */
  readonly sendCertificateChain?: boolean | undefined
  /** The assertion's `aud`; default `"tokenEndpoint"`. */
  readonly assertionAudience?: AssertionAudience | undefined
  readonly clientSecret?: undefined
  readonly clientAssertion?: undefined
  readonly tlsClientCertificate?: undefined
}

/**
 * `private_key_jwt` with an assertion made elsewhere (workload identity: a Kubernetes projected service-account
 * token, a cloud identity JWT): the effect runs again for every token request, so a rotating assertion is read fresh.
 * `Assertion` is how a line gives one (an `Effect` of a `Redacted` assertion).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientAssertionCredentials<Assertion> {
  readonly clientId: string
  readonly authMethod: "private_key_jwt"
  /**
   * The assertion, a JWS in compact form (three base64url parts separated by dots); its failure, or anything else, is
   * a `TokenError` `ClientAssertion`, and nothing is sent.
   */
  readonly clientAssertion: Assertion
  readonly clientSecret?: undefined
  readonly privateKey?: undefined
  readonly certificate?: undefined
  readonly sendCertificateChain?: undefined
  readonly tlsClientCertificate?: undefined
}

/**
 * The client certificate of mutual TLS, as PEM texts; `Secret` is how a line holds its key.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsClientCertificateOptions<Secret> {
  /** The client's certificate (`-----BEGIN CERTIFICATE-----`), then the chain above it if any. */
  readonly cert: string
  /** The certificate's private key (`-----BEGIN PRIVATE KEY-----`, or a PKCS#1 or SEC1 key), unencrypted. */
  readonly key: Secret
  /** The certificates the server's certificate is checked against; default the runtime's own. */
  readonly ca?: string | undefined
}

/**
 * Mutual TLS (RFC 8705 §2): `tls_client_auth` (a certificate from a certificate authority the server trusts) or
 * `self_signed_tls_client_auth` (a certificate registered with the server). The certificate is presented in the TLS
 * handshake, by an `HttpClient` that holds it (`MtlsHttpClient` of `@effect-oauth2/client-credentials/node`); the token
 * request carries `client_id` and no secret. With an issuer, the token endpoint is the metadata's
 * `mtls_endpoint_aliases.token_endpoint` when it names one (RFC 8705 §5). Tokens are cached, and shared through a
 * store, per certificate (its SHA-256 thumbprint). Read when the layer is built: texts that are not PEM, or a key that
 * is not the certificate's, are refused.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsClientCredentials<Secret> {
  readonly clientId: string
  readonly authMethod: "tls_client_auth" | "self_signed_tls_client_auth"
  readonly tlsClientCertificate: TlsClientCertificateOptions<Secret>
  readonly clientSecret?: undefined
  readonly privateKey?: undefined
  readonly clientAssertion?: undefined
  readonly certificate?: undefined
  readonly sendCertificateChain?: undefined
}

/**
 * How the client authenticates, discriminated by `authMethod`.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials<Secret, Assertion> =
  | ClientSecretCredentials<Secret>
  | ClientSecretJwtCredentials<Secret>
  | PrivateKeyJwtCredentials<Secret>
  | ClientAssertionCredentials<Assertion>
  | TlsClientCredentials<Secret>

/**
 * What the configured token asks for; `getFor` can ask for others.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** Sent space-separated as `scope`; left out when empty. */
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly audience?: string | undefined
  /** RFC 8707 resource indicators, one `resource` parameter each. */
  readonly resource?: string | ReadonlyArray<string> | undefined
  /** Further form parameters. The names the protocol reserves (`TokenRequest.reservedParams`) are refused. */
  readonly extraParams?: Readonly<Record<string, string>> | undefined
}

/**
 * When tokens are renewed, retried and forgotten; `Duration` is what a line takes as a duration, `Retry` its retry
 * schedule of `NetworkError`s.
 *
 * @since 0.1.0
 * @category models
 */
export interface PolicyOptions<Duration, Retry> {
  /** How long before expiry a token stops being used; never more than half its lifetime. Default 60 seconds. */
  readonly expiryLeeway?: Duration | undefined
  /**
   * The fraction of a token's usable lifetime after which the next call starts a background refresh, in (0, 1);
   * `false` renews only at expiry. Default 0.8.
   */
  readonly refreshAhead?: number | false | undefined
  /** The lifetime assumed when the response has no `expires_in`; at least 1 second. Default 5 minutes. */
  readonly defaultLifetime?: Duration | undefined
  /**
   * When to retry a transient `NetworkError`; replaces the default: jittered exponential from 200 ms, at most
   * 3 retries. A server's `Retry-After` lengthens a wait, up to 60 seconds. Make it finite: a fetch stops anyway when
   * its last caller stops waiting, and a background refresh at its token's hard expiry.
   */
  readonly retry?: Retry | undefined
  /** The limit on each attempt, answer body included. Default 30 seconds. */
  readonly requestTimeout?: Duration | undefined
  /**
   * How long a terminal `TokenError` (`invalid_client`, `unauthorized_client`, `unsupported_grant_type`,
   * `invalid_scope`) is remembered per request; calls inside it fail at once. Every other `TokenError` from the token
   * endpoint (a 404, an HTML page, `invalid_grant`, …) is remembered for 1 second, or this if shorter. Also how long
   * a token that replaced a rejected one survives further rejections. Default 5 seconds; 0 turns all of it off.
   */
  readonly terminalErrorCooldown?: Duration | undefined
  /**
   * How many requests other than the configured one have their tokens kept; beyond it, the least recently used is
   * dropped. Default 1000.
   */
  readonly cacheCapacity?: number | undefined
}

/**
 * DPoP (RFC 9449): tokens bound to a key the client proves it holds. `true` generates one key pair per layer (ES256),
 * held in memory only; `privateKey` (a private JWK in JSON, or a PKCS#8 PEM) is a key of your own, which replicas
 * sharing a token store must share for their tokens to be shared; `signingAlgorithm` defaults to ES256 for a
 * generated key and to the key type's algorithm for a given one (RS256 for RSA, ES256 for EC P-256, EdDSA for
 * Ed25519).
 *
 * @since 0.1.0
 * @category models
 */
export interface DpopOptions<Secret> {
  readonly dpop?: true | {
    readonly privateKey?: Secret | undefined
    readonly signingAlgorithm?: DpopAlgorithm | undefined
  } | undefined
}

/**
 * Everything `TokenService` needs, as a line instantiates it: how it holds a secret, an assertion made elsewhere, a
 * duration and a retry schedule.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenServiceOptions<Secret, Assertion, Duration, Retry> =
  & EndpointOptions
  & Credentials<Secret, Assertion>
  & RequestOptions
  & PolicyOptions<Duration, Retry>
  & DpopOptions<Secret>

/**
 * How a token service uses a shared `TokenStore` (`layerWithStore`); `Duration` as in `PolicyOptions`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreOptions<Duration> {
  /**
   * The limit on each call to the store: a call that takes longer is abandoned and is a miss, whatever the store does,
   * so a hung store costs a caller this much per call at most, and the layer closes within it. Default 250
   * milliseconds.
   */
  readonly storeTimeout?: Duration | undefined
  /**
   * How long the lease that makes the other replicas wait for the one that fetches lasts unless renewed. The holder
   * renews it every third of this while its fetch runs, however long that takes (a long `Retry-After`), so this
   * bounds how long the fleet waits for a holder that died. Use the same value on every replica: a lease with more
   * time left than this, or none, is taken as stale and replaced. Default 10 seconds.
   */
  readonly leaseTtl?: Duration | undefined
}

// the defaults

/**
 * The defaults of the options that have one, durations in millis.
 *
 * @since 0.1.0
 * @category models
 */
export const defaults = {
  expiryLeewayMillis: 60_000,
  refreshAhead: 0.8,
  defaultLifetimeMillis: 5 * 60_000,
  requestTimeoutMillis: 30_000,
  terminalErrorCooldownMillis: 5_000,
  cacheCapacity: 1000,
  storeTimeoutMillis: 250,
  leaseTtlMillis: 10_000
} as const

/**
 * The default retry schedule: exponential from `baseMillis`, each wait `factor` times the last, jittered, at most
 * `retries` retries.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultRetry = { baseMillis: 200, factor: 2, retries: 3 } as const

/**
 * The shortest `defaultLifetime`, in millis, as for a lifetime the server grants: a shorter one would make every call
 * fetch.
 *
 * @since 0.1.0
 * @category models
 */
export const minDefaultLifetimeMillis = 1000

// the checks

/**
 * The token endpoint as configured: its URL, or the issuer whose metadata names it.
 *
 * @since 0.1.0
 * @category models
 */
export type Endpoint = { readonly _tag: "TokenUrl"; readonly url: URL } | { readonly _tag: "Issuer"; readonly url: URL }

/**
 * The name of every option of `TokenServiceOptions` and `StoreOptions`, whatever the variant.
 *
 * @since 0.1.0
 * @category models
 */
export type OptionName =
  | (TokenServiceOptions<unknown, unknown, unknown, unknown> extends infer O ? O extends unknown ? keyof O : never
    : never)
  | keyof StoreOptions<unknown>

/**
 * The options as given, any of them of any type (a JavaScript caller, a `Config`).
 *
 * @since 0.1.0
 * @category models
 */
export type Input = { readonly [Name in OptionName]?: unknown }

/**
 * Exactly one of `tokenUrl` and `issuer`, checked (`urls.checkEndpointOption`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkEndpoint = (options: Input): Checked<Endpoint> => {
  const allowInsecureHttp = options.allowInsecureHttp === true
  if (options.tokenUrl !== undefined && options.issuer !== undefined) {
    return invalid("tokenUrl and issuer are exclusive: give the issuer to discover the token endpoint, or tokenUrl")
  }
  if (options.issuer !== undefined) {
    const url = checkEndpointOption("issuer", options.issuer, allowInsecureHttp)
    return url._tag === "Valid" ? valid({ _tag: "Issuer", url: url.value }) : url
  }
  if (options.tokenUrl === undefined) return invalid("tokenUrl or issuer is required")
  const url = checkEndpointOption("tokenUrl", options.tokenUrl, allowInsecureHttp)
  return url._tag === "Valid" ? valid({ _tag: "TokenUrl", url: url.value }) : url
}

/** The problem of `refreshAhead`, of its type or of its value. */
const refreshAheadProblem = "refreshAhead must be a number between 0 and 1 (exclusive), or false"

/**
 * What is wrong with the types of the options that are not durations or part of the request (those have their own
 * checks), as a JavaScript caller or a `Config` may give them; never a value. `isRetry` says whether a value is one
 * of the line's retry schedules.
 *
 * @since 0.1.0
 * @category constructors
 */
export const optionTypesProblem = (options: Input, isRetry: (value: unknown) => boolean): string | undefined => {
  const absentOr = (value: unknown, type: "boolean" | "number") => value === undefined || typeof value === type
  if (!absentOr(options.allowInsecureHttp, "boolean")) return "allowInsecureHttp must be a boolean"
  if (!absentOr(options.requireSameOriginTokenEndpoint, "boolean")) {
    return "requireSameOriginTokenEndpoint must be a boolean"
  }
  if (typeof options.clientId !== "string") return "clientId must be a string"
  if (options.refreshAhead !== false && !absentOr(options.refreshAhead, "number")) return refreshAheadProblem
  if (options.retry !== undefined && !isRetry(options.retry)) {
    return "retry must be a Schedule (e.g. Schedule.recurs(3)), not a number of retries"
  }
  return undefined
}

/**
 * A duration option in millis: `fallback` when absent, else what `millis` reads from it, which must be finite.
 * `millis` gives `undefined` for a value that is no duration.
 *
 * @since 0.1.0
 * @category constructors
 */
export const durationMillis = (
  name: OptionName,
  value: unknown,
  fallback: number,
  millis: (value: unknown) => number | undefined
): Checked<number> => {
  if (value === undefined) return valid(fallback)
  const read = millis(value)
  return Number.isFinite(read) ? valid(read as number) : invalid(`${name} is not a finite duration`)
}

/**
 * How a line reads what the core cannot: its durations, its retry schedules, its credentials (`credentials.check`
 * with its own `Reader`, secrets wrapped again). `Credentials` is what its check gives.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reader<Credentials> {
  /** A duration's millis (`Infinity` for an infinite one), `undefined` for a value that is no duration. */
  readonly millis: (value: unknown) => number | undefined
  /** Whether a value is one of the line's retry schedules. */
  readonly isRetry: (value: unknown) => boolean
  /** The credential options checked; `hasIssuer` when the token endpoint is discovered from an issuer. */
  readonly credentials: (options: Input, hasIssuer: boolean) => Checked<Credentials>
}

/**
 * The options checked, every default filled in but the retry schedule's (`retry` is the line's schedule as given,
 * or `undefined` for the line's `defaultRetry`); durations in millis.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolved<Credentials, Retry> {
  readonly endpoint: Endpoint
  /** Whether `http` is allowed on a non-loopback host, for the endpoint and, with an issuer, what it names. */
  readonly allowInsecureHttp: boolean
  /** With an issuer: whether the token endpoint its metadata names must be on its origin. */
  readonly requireSameOriginTokenEndpoint: boolean
  readonly clientId: string
  readonly credentials: Credentials
  readonly request: ResolvedRequest
  readonly expiryLeewayMillis: number
  readonly refreshAhead: number | false
  readonly defaultLifetimeMillis: number
  readonly retry: Retry | undefined
  readonly requestTimeoutMillis: number
  readonly terminalErrorCooldownMillis: number
  readonly cacheCapacity: number
  readonly dpop: ResolvedDpop | undefined
}

/**
 * DPoP as asked for: the private key as given (the line's secret, checked by the line), or `undefined` for one
 * generated per layer; the algorithm, or `undefined` for the default.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedDpop {
  readonly privateKey: unknown
  readonly signingAlgorithm: DpopAlgorithm | undefined
}

const dpopAlgorithmsText = dpopAlgorithms.join(", ")

/**
 * The `dpop` option checked: absent, `true`, or an object with an optional `privateKey` and an optional
 * `signingAlgorithm` (one of `dpopKey.algorithms`); what is wrong with it otherwise, never a value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkDpop = (dpop: unknown): Checked<ResolvedDpop | undefined> => {
  if (dpop === undefined || dpop === false) return valid(undefined)
  if (dpop === true) return valid({ privateKey: undefined, signingAlgorithm: undefined })
  if (typeof dpop !== "object" || dpop === null || Array.isArray(dpop)) {
    return invalid("dpop must be true or an object with privateKey and signingAlgorithm")
  }
  const { privateKey, signingAlgorithm, ...rest } = dpop as Readonly<Record<string, unknown>>
  const unknownMembers = Object.keys(rest)
  if (unknownMembers.length > 0) {
    return invalid(`dpop has members other than privateKey and signingAlgorithm (${unknownMembers.length})`)
  }
  if (
    signingAlgorithm !== undefined &&
    (typeof signingAlgorithm !== "string" || !(dpopAlgorithms as ReadonlyArray<string>).includes(signingAlgorithm))
  ) return invalid(`dpop.signingAlgorithm must be one of ${dpopAlgorithmsText}`)
  return valid({ privateKey, signingAlgorithm: signingAlgorithm as DpopAlgorithm | undefined })
}

/**
 * Checks the options and fills in the defaults, in this order: the types (`optionTypesProblem`), the endpoint
 * (`checkEndpoint`), `requireSameOriginTokenEndpoint` only with an issuer, the client id (non-empty, no control
 * character), the credentials (`reader.credentials`), the request (`tokenRequest.resolveChecked`, no `null`), the
 * durations (`expiryLeeway`, `defaultLifetime`, `requestTimeout`, `terminalErrorCooldown`), then their bounds:
 * `defaultLifetime` at least 1 second, `requestTimeout` positive, `refreshAhead` in (0, 1) or `false`,
 * `cacheCapacity` a positive whole number. The first problem found is the answer; it never repeats a value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = <Credentials, Retry>(
  options: Input,
  reader: Reader<Credentials>
): Checked<Resolved<Credentials, Retry>> => {
  const wrongType = optionTypesProblem(options, reader.isRetry)
  if (wrongType !== undefined) return invalid(wrongType)
  const endpoint = checkEndpoint(options)
  if (endpoint._tag === "Invalid") return endpoint
  const requireSameOriginTokenEndpoint = options.requireSameOriginTokenEndpoint === true
  if (requireSameOriginTokenEndpoint && endpoint.value._tag !== "Issuer") {
    return invalid("requireSameOriginTokenEndpoint needs the issuer option: it is about discovery")
  }
  const clientId = options.clientId as string
  if (clientId === "" || controlCharacter.test(clientId)) {
    return invalid("clientId is empty or contains a control character")
  }
  const credentials = reader.credentials(options, endpoint.value._tag === "Issuer")
  if (credentials._tag === "Invalid") return credentials
  // checked for their types by `resolveChecked`
  const requestOptions = {
    scopes: options.scopes,
    audience: options.audience,
    resource: options.resource,
    extraParams: options.extraParams
  } as TokenRequest
  // no null here: an option is absent or of its type
  const request = resolveRequest(emptyRequest, requestOptions, { nullable: false })
  if (request._tag === "Invalid") return request
  const duration = (name: OptionName, fallback: number) => durationMillis(name, options[name], fallback, reader.millis)
  const expiryLeeway = duration("expiryLeeway", defaults.expiryLeewayMillis)
  if (expiryLeeway._tag === "Invalid") return expiryLeeway
  const defaultLifetime = duration("defaultLifetime", defaults.defaultLifetimeMillis)
  if (defaultLifetime._tag === "Invalid") return defaultLifetime
  const requestTimeout = duration("requestTimeout", defaults.requestTimeoutMillis)
  if (requestTimeout._tag === "Invalid") return requestTimeout
  const terminalErrorCooldown = duration("terminalErrorCooldown", defaults.terminalErrorCooldownMillis)
  if (terminalErrorCooldown._tag === "Invalid") return terminalErrorCooldown
  if (defaultLifetime.value < minDefaultLifetimeMillis) return invalid("defaultLifetime must be at least 1 second")
  if (requestTimeout.value <= 0) return invalid("requestTimeout must be positive")
  const refreshAhead = (options.refreshAhead as number | false | undefined) ?? defaults.refreshAhead
  if (refreshAhead !== false && !(refreshAhead > 0 && refreshAhead < 1)) return invalid(refreshAheadProblem)
  const cacheCapacity = options.cacheCapacity ?? defaults.cacheCapacity
  if (!Number.isSafeInteger(cacheCapacity) || (cacheCapacity as number) < 1) {
    return invalid("cacheCapacity must be a positive whole number")
  }
  const dpop = checkDpop(options.dpop)
  if (dpop._tag === "Invalid") return dpop
  return valid({
    endpoint: endpoint.value,
    allowInsecureHttp: options.allowInsecureHttp === true,
    requireSameOriginTokenEndpoint,
    clientId,
    credentials: credentials.value,
    request: request.value,
    expiryLeewayMillis: expiryLeeway.value,
    refreshAhead,
    defaultLifetimeMillis: defaultLifetime.value,
    retry: options.retry as Retry | undefined,
    requestTimeoutMillis: requestTimeout.value,
    terminalErrorCooldownMillis: terminalErrorCooldown.value,
    cacheCapacity: cacheCapacity as number,
    dpop: dpop.value
  })
}

/**
 * The options of a shared store, checked, with every default filled in, in millis.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedStore {
  readonly storeTimeoutMillis: number
  readonly leaseTtlMillis: number
}

/**
 * Checks the options of `layerWithStore`: `storeTimeout` (250 ms) and `leaseTtl` (10 s), finite and positive.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveStore = (
  options: StoreOptions<unknown>,
  millis: (value: unknown) => number | undefined
): Checked<ResolvedStore> => {
  const storeTimeout = durationMillis("storeTimeout", options.storeTimeout, defaults.storeTimeoutMillis, millis)
  if (storeTimeout._tag === "Invalid") return storeTimeout
  const leaseTtl = durationMillis("leaseTtl", options.leaseTtl, defaults.leaseTtlMillis, millis)
  if (leaseTtl._tag === "Invalid") return leaseTtl
  if (storeTimeout.value <= 0) return invalid("storeTimeout must be positive")
  if (leaseTtl.value <= 0) return invalid("leaseTtl must be positive")
  return valid({ storeTimeoutMillis: storeTimeout.value, leaseTtlMillis: leaseTtl.value })
}

/**
 * The options as a line holds them once resolved: durations as its `D`, its default retry schedule filled in, and
 * the secrets to redact as its `S`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedIn<Credentials, Retry, D, S> {
  readonly endpoint: Endpoint
  /** Whether `http` is allowed on a non-loopback host, for the endpoint and, with an issuer, what it names. */
  readonly allowInsecureHttp: boolean
  /** With an issuer: whether the token endpoint its metadata names must be on its origin. */
  readonly requireSameOriginTokenEndpoint: boolean
  readonly clientId: string
  readonly credentials: Credentials
  readonly secrets: ReadonlyArray<S>
  readonly request: ResolvedRequest
  readonly expiryLeeway: D
  readonly refreshAhead: number | false
  readonly defaultLifetime: D
  readonly retry: Retry
  readonly requestTimeout: D
  readonly terminalErrorCooldown: D
  readonly cacheCapacity: number
  readonly dpop: ResolvedDpop | undefined
}

/**
 * A line's terms for the options it resolves: its durations, its default retry schedule, its secrets to redact.
 *
 * @since 0.1.0
 * @category models
 */
export interface LineTerms<Credentials, Retry, D, S> {
  readonly duration: (millis: number) => D
  readonly defaultRetry: Retry
  readonly secretsOf: (clientId: string, credentials: Credentials) => ReadonlyArray<S>
}

/**
 * `resolve`, in a line's terms.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveIn = <Credentials, Retry, D, S>(
  options: Input,
  reader: Reader<Credentials>,
  terms: LineTerms<Credentials, Retry, D, S>
): Checked<ResolvedIn<Credentials, Retry, D, S>> => {
  const resolved = resolve<Credentials, Retry>(options, reader)
  if (resolved._tag === "Invalid") return resolved
  const { defaultLifetimeMillis, expiryLeewayMillis, requestTimeoutMillis, terminalErrorCooldownMillis, ...rest } =
    resolved.value
  return valid({
    ...rest,
    secrets: terms.secretsOf(rest.clientId, rest.credentials),
    expiryLeeway: terms.duration(expiryLeewayMillis),
    defaultLifetime: terms.duration(defaultLifetimeMillis),
    retry: rest.retry ?? terms.defaultRetry,
    requestTimeout: terms.duration(requestTimeoutMillis),
    terminalErrorCooldown: terms.duration(terminalErrorCooldownMillis)
  })
}

/**
 * The options of a shared store, checked, with every default filled in, as a line's durations.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedStoreIn<D> {
  readonly storeTimeout: D
  readonly leaseTtl: D
}

/**
 * `resolveStore`, in a line's durations.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveStoreIn = <D>(
  options: StoreOptions<unknown>,
  millis: (value: unknown) => number | undefined,
  duration: (millis: number) => D
): Checked<ResolvedStoreIn<D>> => {
  const resolved = resolveStore(options, millis)
  return resolved._tag === "Invalid"
    ? resolved
    : valid({
      storeTimeout: duration(resolved.value.storeTimeoutMillis),
      leaseTtl: duration(resolved.value.leaseTtlMillis)
    })
}

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
  certificate: true,
  sendCertificateChain: true,
  clientAssertion: true,
  tlsClientCertificate: true,
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
  dpop: true,
  storeTimeout: true,
  leaseTtl: true
}

/**
 * The option a problem is about: every problem found in the options begins with the option's name (`tokenUrl is not
 * a URL`), or, for the request's lists, with one of its items (`scope #2 …`, `extra parameter "x" …`). `undefined`
 * when it begins with none (`private_key_jwt needs privateKey or clientAssertion`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const optionOf = (problem: string): OptionName | undefined => {
  if (/^(an )?extra parameter\b/.test(problem)) return "extraParams"
  const word = /^(\w+)\b/.exec(problem)?.[1]
  if (word === "scope") return "scopes"
  return word !== undefined && Object.hasOwn(optionNames, word) ? word as OptionName : undefined
}

/**
 * A problem found in the options, as a line's error says it: `TokenService: tokenUrl is not a URL`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidOptionsMessage = (problem: string): string => `TokenService: ${problem}`

// the environment

/**
 * The prefix of the variables `TokenService`'s options are read from by default.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultPrefix = "OAUTH_"

/**
 * The variables the options are read from, after `prefix` (`OAUTH_` by default): `TOKEN_URL` or `ISSUER`;
 * `CLIENT_ID`; `AUTH_METHOD` (one of `methods.authMethods`); then `CLIENT_SECRET`, or for `private_key_jwt`
 * `PRIVATE_KEY` or `PRIVATE_KEY_FILE` (the path of a file that holds it; with `KEY_ID`, `SIGNING_ALGORITHM`, one of
 * `methods.signingAlgorithms`, `CERTIFICATE_FILE`, the path of a file that holds the key's certificate, and
 * `SEND_CERTIFICATE_CHAIN`, `true` or `false`) or `CLIENT_ASSERTION_FILE` (the path of a file that holds an assertion,
 * read again for every token request), or for `tls_client_auth` and `self_signed_tls_client_auth`
 * `TLS_CERTIFICATE_FILE` and `TLS_KEY_FILE` (the paths of the files that hold the client certificate and its key;
 * with `TLS_CA_FILE`, the certificates the server's is checked against); `SCOPE` (space-separated), `AUDIENCE`;
 * `DPOP` (`true` or `false`), `DPOP_PRIVATE_KEY` or `DPOP_PRIVATE_KEY_FILE`, `DPOP_SIGNING_ALGORITHM`
 * (`dpopFromEnv`). The prefix is used as given: nothing is added to it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const variablesOf = (prefix: string) => ({
  tokenUrl: `${prefix}TOKEN_URL`,
  issuer: `${prefix}ISSUER`,
  clientId: `${prefix}CLIENT_ID`,
  authMethod: `${prefix}AUTH_METHOD`,
  clientSecret: `${prefix}CLIENT_SECRET`,
  privateKey: `${prefix}PRIVATE_KEY`,
  privateKeyFile: `${prefix}PRIVATE_KEY_FILE`,
  keyId: `${prefix}KEY_ID`,
  signingAlgorithm: `${prefix}SIGNING_ALGORITHM`,
  certificateFile: `${prefix}CERTIFICATE_FILE`,
  sendCertificateChain: `${prefix}SEND_CERTIFICATE_CHAIN`,
  clientAssertionFile: `${prefix}CLIENT_ASSERTION_FILE`,
  tlsCertificateFile: `${prefix}TLS_CERTIFICATE_FILE`,
  tlsKeyFile: `${prefix}TLS_KEY_FILE`,
  tlsCaFile: `${prefix}TLS_CA_FILE`,
  scope: `${prefix}SCOPE`,
  audience: `${prefix}AUDIENCE`,
  dpop: `${prefix}DPOP`,
  dpopPrivateKey: `${prefix}DPOP_PRIVATE_KEY`,
  dpopPrivateKeyFile: `${prefix}DPOP_PRIVATE_KEY_FILE`,
  dpopSigningAlgorithm: `${prefix}DPOP_SIGNING_ALGORITHM`
} as const)

/**
 * The variable each option read from the environment came from, for an error about it: the private key's from
 * `PRIVATE_KEY` when `keyInVariable`, else from `PRIVATE_KEY_FILE`; `dpop`'s from the variable or the file its key
 * came from (`dpopKey`), else from `DPOP`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const optionVariables = (
  prefix: string,
  keyInVariable: boolean,
  dpopKey?: "variable" | "file" | undefined
): Partial<Record<OptionName, string>> => {
  const variables = variablesOf(prefix)
  return {
    dpop: dpopKey === "variable"
      ? variables.dpopPrivateKey
      : dpopKey === "file"
      ? variables.dpopPrivateKeyFile
      : variables.dpop,
    tokenUrl: variables.tokenUrl,
    issuer: variables.issuer,
    clientId: variables.clientId,
    authMethod: variables.authMethod,
    clientSecret: variables.clientSecret,
    privateKey: keyInVariable ? variables.privateKey : variables.privateKeyFile,
    keyId: variables.keyId,
    signingAlgorithm: variables.signingAlgorithm,
    certificate: variables.certificateFile,
    sendCertificateChain: variables.sendCertificateChain,
    clientAssertion: variables.clientAssertionFile,
    tlsClientCertificate: variables.tlsCertificateFile,
    scopes: variables.scope,
    audience: variables.audience
  }
}

/**
 * What the variables make: the options, or the variable to blame and what is wrong, as invalid (`InvalidData`) or
 * missing (`MissingData`) data.
 *
 * @since 0.1.0
 * @category models
 */
export type FromEnv<A> =
  | { readonly _tag: "Valid"; readonly value: A }
  | { readonly _tag: "InvalidData"; readonly variable: string; readonly message: string }
  | { readonly _tag: "MissingData"; readonly variable: string; readonly message: string }

/**
 * The message of a variable that must be set and is not.
 *
 * @since 0.1.0
 * @category constructors
 */
export const missingMessage = (variable: string): string => `Expected ${variable} to exist in the process context`

const missing = <A>(variable: string): FromEnv<A> => ({
  _tag: "MissingData",
  variable,
  message: missingMessage(variable)
})

/**
 * The `dpop` option the variables make: on with `DPOP=true`, a DPoP key (`DPOP_PRIVATE_KEY` or
 * `DPOP_PRIVATE_KEY_FILE`, read as `privateKey`) or `DPOP_SIGNING_ALGORITHM` (`signingAlgorithm`); off with none of
 * them, or `DPOP=false` and no key or algorithm (with one, `DPOP=false` is invalid).
 *
 * @since 0.1.0
 * @category constructors
 */
export const dpopFromEnv = <Secret>(
  prefix: string,
  env: {
    readonly dpop: "true" | "false" | undefined
    readonly privateKey: Secret | undefined
    readonly signingAlgorithm: DpopAlgorithm | undefined
  }
): FromEnv<DpopOptions<Secret>["dpop"]> => {
  const configured = env.privateKey !== undefined || env.signingAlgorithm !== undefined
  if (env.dpop === "false" && configured) {
    return {
      _tag: "InvalidData",
      variable: variablesOf(prefix).dpop,
      message: "is false, and a DPoP private key or signing algorithm is set"
    }
  }
  if (env.dpop !== "true" && !configured) return { _tag: "Valid", value: undefined }
  if (!configured) return { _tag: "Valid", value: true }
  return {
    _tag: "Valid",
    value: {
      ...(env.privateKey === undefined ? {} : { privateKey: env.privateKey }),
      ...(env.signingAlgorithm === undefined ? {} : { signingAlgorithm: env.signingAlgorithm })
    }
  }
}

/**
 * `TOKEN_URL` or `ISSUER`, one of them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const endpointFromEnv = (
  prefix: string,
  env: { readonly tokenUrl: string | undefined; readonly issuer: string | undefined }
): FromEnv<EndpointOptions> => {
  const variables = variablesOf(prefix)
  if (env.tokenUrl !== undefined && env.issuer !== undefined) {
    return {
      _tag: "InvalidData",
      variable: variables.issuer,
      message: `set ${variables.tokenUrl} or ${variables.issuer}, not both`
    }
  }
  if (env.tokenUrl !== undefined) return { _tag: "Valid", value: { tokenUrl: env.tokenUrl } }
  if (env.issuer !== undefined) return { _tag: "Valid", value: { issuer: env.issuer } }
  return {
    _tag: "MissingData",
    variable: variables.tokenUrl,
    message: `Expected ${variables.tokenUrl} or ${variables.issuer} to exist`
  }
}

/**
 * The credential variables as read: `privateKey` from `PRIVATE_KEY` or else the file `PRIVATE_KEY_FILE` names,
 * `certificate` from the file `CERTIFICATE_FILE` names, `clientAssertion` from the file `CLIENT_ASSERTION_FILE` names;
 * `Secret` and `Assertion` as in `Credentials`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialsEnv<Secret, Assertion> {
  readonly clientId: string
  readonly authMethod: AuthMethod | undefined
  readonly clientSecret: Secret | undefined
  readonly privateKey: Secret | undefined
  readonly keyId: string | undefined
  readonly signingAlgorithm: SigningAlgorithm | undefined
  readonly certificate: string | undefined
  readonly sendCertificateChain: boolean | undefined
  readonly clientAssertion: Assertion | undefined
  readonly tlsCertificate: string | undefined
  readonly tlsKey: Secret | undefined
  readonly tlsCa: string | undefined
}

/**
 * The credentials the variables make: `CLIENT_SECRET` for the shared-secret methods, or for `private_key_jwt` a key
 * or an assertion file, not both. Without `AUTH_METHOD`, a key or an assertion file and no secret mean
 * `private_key_jwt`, anything else a shared secret (`client_secret_basic`, the default). `CERTIFICATE_FILE` and
 * `SEND_CERTIFICATE_CHAIN` go with a key only. The mutual-TLS methods take `TLS_CERTIFICATE_FILE` and `TLS_KEY_FILE`
 * (and `TLS_CA_FILE`), which go with them only.
 *
 * @since 0.1.0
 * @category constructors
 */
export const credentialsFromEnv = <Secret, Assertion>(
  prefix: string,
  env: CredentialsEnv<Secret, Assertion>
): FromEnv<Credentials<Secret, Assertion>> => {
  const variables = variablesOf(prefix)
  const { clientId } = env
  const hasKeyOrAssertion = env.privateKey !== undefined || env.clientAssertion !== undefined
  // a key or an assertion and no secret say which method is meant
  const authMethod = env.authMethod ??
    (hasKeyOrAssertion && env.clientSecret === undefined ? "private_key_jwt" : undefined)
  // a certificate names a key: with a secret or an assertion file it would be left unused
  const certificateVariable = env.certificate !== undefined
    ? variables.certificateFile
    : env.sendCertificateChain !== undefined
    ? variables.sendCertificateChain
    : undefined
  if (certificateVariable !== undefined && (authMethod !== "private_key_jwt" || env.privateKey === undefined)) {
    return {
      _tag: "InvalidData",
      variable: certificateVariable,
      message:
        `${certificateVariable} goes with a private key (${variables.privateKey} or ${variables.privateKeyFile}) ` +
        "of private_key_jwt"
    }
  }
  const tlsVariable = env.tlsCertificate !== undefined
    ? variables.tlsCertificateFile
    : env.tlsKey !== undefined
    ? variables.tlsKeyFile
    : env.tlsCa !== undefined
    ? variables.tlsCaFile
    : undefined
  if (authMethod === "tls_client_auth" || authMethod === "self_signed_tls_client_auth") {
    if (env.tlsCertificate === undefined) return missing(variables.tlsCertificateFile)
    if (env.tlsKey === undefined) return missing(variables.tlsKeyFile)
    const tlsClientCertificate = { cert: env.tlsCertificate, key: env.tlsKey, ca: env.tlsCa }
    return { _tag: "Valid", value: { clientId, authMethod, tlsClientCertificate } }
  }
  if (tlsVariable !== undefined) {
    return {
      _tag: "InvalidData",
      variable: tlsVariable,
      message: `${tlsVariable} goes with ${variables.authMethod} tls_client_auth or self_signed_tls_client_auth`
    }
  }
  if (authMethod !== "private_key_jwt") {
    if (env.clientSecret === undefined) return missing(variables.clientSecret)
    return {
      _tag: "Valid",
      value: authMethod === "client_secret_jwt"
        ? { clientId, clientSecret: env.clientSecret, authMethod }
        : { clientId, clientSecret: env.clientSecret, authMethod }
    }
  }
  if (env.privateKey !== undefined && env.clientAssertion !== undefined) {
    return {
      _tag: "InvalidData",
      variable: variables.clientAssertionFile,
      message: `set a private key (${variables.privateKey} or ${variables.privateKeyFile}) or ` +
        `${variables.clientAssertionFile}, not both`
    }
  }
  if (env.privateKey !== undefined) {
    const { certificate, keyId, privateKey, sendCertificateChain, signingAlgorithm } = env
    return {
      _tag: "Valid",
      value: { clientId, authMethod, privateKey, keyId, signingAlgorithm, certificate, sendCertificateChain }
    }
  }
  if (env.clientAssertion !== undefined) {
    return { _tag: "Valid", value: { clientId, authMethod, clientAssertion: env.clientAssertion } }
  }
  return missing(variables.privateKey)
}

/**
 * `SCOPE` as scopes: split on spaces, empty entries dropped.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scopesOf = (text: string): ReadonlyArray<string> => text.split(" ").filter((scope) => scope !== "")

/**
 * What is wrong with the file a variable names, as a line's error says it: `OAUTH_PRIVATE_KEY_FILE names a
 * directory`, the problem naming what the file is, never its path or contents.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fileProblem = (variable: string, problem: string): string => `${variable} names ${problem}`

/**
 * `SEND_CERTIFICATE_CHAIN`'s values.
 *
 * @since 0.1.0
 * @category models
 */
export const booleanValues = ["true", "false"] as const

/**
 * The text a private key file or a certificate file holds, as the option's value: trimmed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keyOfFile = (text: string): string => text.trim()

/**
 * The text an assertion file holds, as an assertion: trimmed, a JWS in compact form; else what is wrong, naming the
 * variable and never the text.
 *
 * @since 0.1.0
 * @category constructors
 */
export const assertionOfFile = (variable: string, text: string): Checked<string> => {
  const assertion = text.trim()
  const problem = compactJwsProblem(assertion)
  return problem === undefined
    ? valid(assertion)
    : invalid(`${variable} names a file that holds no ${compactJwsDescribed}: ${problem}`)
}
