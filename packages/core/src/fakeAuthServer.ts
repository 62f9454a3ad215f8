/**
 * The fake authorization server of each Effect line's test kit, as plain data: its options and records, the answers
 * a test can script, the token endpoint's decision on a request (client authentication as RFC 6749 §2.3.1 says, the
 * grant, the scope), the protected resource's answers (RFC 6750), and what a running server remembers between
 * requests (`ServerState`). Each line serves it over HTTP and sleeps, hangs and drops connections on its own.
 */
import {
  json as jsonAnswer,
  lowerCaseKeys,
  oauthErrorBody,
  randomToken,
  redirect as redirectAnswer,
  type Respond,
  text
} from "./scriptedAnswer.js"

/**
 * A registered client and its secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly clientId: string
  readonly clientSecret: string
}

/**
 * The client registered when `Options.clients` is not given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultClient: Client = { clientId: "test-client", clientSecret: "test-secret" }

/**
 * The client authentication methods the fake server knows.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthMethod = "client_secret_basic" | "client_secret_post"

/**
 * How the fake server authenticates clients and issues tokens; `DurationInput` is the line's duration input.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<DurationInput> {
  /** The registered clients. Default `[defaultClient]`. */
  readonly clients?: ReadonlyArray<Client> | undefined
  /** Accept only this client authentication method. Default: both `client_secret_basic` and `client_secret_post`. */
  readonly authMethod?: AuthMethod | undefined
  /** The lifetime of the tokens issued, in whole seconds (at least 1). Default one hour. */
  readonly tokenLifetime?: DurationInput | undefined
  /** The scopes a client may ask for; another one gets `invalid_scope`. Default: any scope. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * One request to the token endpoint, as it arrived.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenRequestRecord {
  readonly method: string
  /** The request headers, lower-cased (`authorization` included, in clear: this is a test server). */
  readonly headers: Readonly<Record<string, string>>
  /** The form parameters, in order, repeated ones included. */
  readonly params: ReadonlyArray<readonly [string, string]>
  /** The client that authenticated, or `undefined` when authentication failed or did not happen. */
  readonly clientId: string | undefined
  /** How the client authenticated, when it did. */
  readonly authMethod: AuthMethod | undefined
}

/**
 * The server's normal answer: authenticate the client and issue a token, or refuse.
 *
 * @since 0.1.0
 * @category models
 */
export interface Normal {
  readonly _tag: "Normal"
}

/**
 * No answer, ever. Closing the server destroys the connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hang {
  readonly _tag: "Hang"
}

/**
 * The connection is destroyed without an answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface DropConnection {
  readonly _tag: "DropConnection"
}

/**
 * Another answer after a delay on the server's clock; `Delay` is the line's duration.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delayed<Delay> {
  readonly _tag: "Delayed"
  readonly delay: Delay
  readonly response: ScriptedResponse<Delay>
}

/**
 * One scripted answer of the token endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export type ScriptedResponse<Delay> = Respond | Normal | Hang | DropConnection | Delayed<Delay>

/**
 * The server's normal answer; to place between other scripted ones.
 *
 * @since 0.1.0
 * @category constructors
 */
export const normal: Normal = { _tag: "Normal" }

/**
 * The request is read and never answered.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hang: Hang = { _tag: "Hang" }

/**
 * The server destroys the connection without answering.
 *
 * @since 0.1.0
 * @category constructors
 */
export const dropConnection: DropConnection = { _tag: "DropConnection" }

const noStore = { "cache-control": "no-store", pragma: "no-cache" }

/**
 * Any status with any body: `content-type: text/plain; charset=utf-8` unless `headers` set another.
 *
 * @since 0.1.0
 * @category constructors
 */
export const respond = (status: number, body: string = "", headers: Readonly<Record<string, string>> = {}): Respond =>
  text(status, body, headers)

/**
 * Any status with a JSON body, `cache-control: no-store` unless `headers` set another.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Respond =>
  jsonAnswer(status, body, { "cache-control": "no-store", ...headers })

/**
 * An RFC 6749 §5.2 error response `{ error, error_description? }`, status 400 unless told.
 *
 * @since 0.1.0
 * @category constructors
 */
export const oauthError = (error: string, description?: string, status: number = 400): Respond =>
  json(status, oauthErrorBody(error, description))

/**
 * 429 Too Many Requests with `Retry-After`: a number of seconds, or an HTTP date as a string.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rateLimited = (retryAfter: number | string = 1): Respond =>
  respond(429, "Too Many Requests", { "retry-after": String(retryAfter) })

/**
 * A 200 whose JSON body is cut short.
 *
 * @since 0.1.0
 * @category constructors
 */
export const malformedJson: Respond = {
  _tag: "Respond",
  status: 200,
  headers: { "content-type": "application/json" },
  body: "{\"access_token\": \"abc\", \"token_type\": "
}

/**
 * An HTML page with status 200 unless told, as a login page or a proxy's error page would be.
 *
 * @since 0.1.0
 * @category constructors
 */
export const html = (status: number = 200): Respond =>
  respond(status, "<!doctype html><html><body><h1>Sign in</h1></body></html>", {
    "content-type": "text/html; charset=utf-8"
  })

/**
 * A redirect to `location`, status 302 unless told.
 *
 * @since 0.1.0
 * @category constructors
 */
export const redirect: (location: string, status?: number) => Respond = redirectAnswer

/**
 * The faults a server in fault mode answers with: `unavailable` (503), `rateLimited` (429 with `Retry-After`),
 * `reset` (the connection destroyed), `hang` (no answer), `malformed` (a 200 with JSON cut short) and `html` (a 200
 * HTML page).
 *
 * @since 0.1.0
 * @category models
 */
export type FaultKind = "unavailable" | "rateLimited" | "reset" | "hang" | "malformed" | "html"

/**
 * Every fault kind, in the order `FaultMode.kinds` defaults to.
 *
 * @since 0.1.0
 * @category constructors
 */
export const faultKinds: ReadonlyArray<FaultKind> = ["unavailable", "rateLimited", "reset", "hang", "malformed", "html"]

/**
 * Random faults: each token request that no scripted answer is waiting for gets, with probability `rate`, a fault of
 * one of `kinds` (default all) instead of the normal answer. The kinds come in turn: each once in every
 * `kinds.length` faults, in a random order, so that a short run sees every kind. The draws come from a generator
 * seeded with `seed`, so a run with the same seed and the same requests injects the same faults.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultMode {
  /** The share of token requests answered with a fault, in [0, 1]. */
  readonly rate: number
  readonly seed: number
  readonly kinds?: ReadonlyArray<FaultKind> | undefined
  /** The `Retry-After` of a `rateLimited` fault, in seconds. Default 1. */
  readonly retryAfterSeconds?: number | undefined
}

/**
 * A fault injected, and when (epoch millis on the server's clock, as the request arrived).
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultRecord {
  readonly kind: FaultKind
  readonly at: number
}

/**
 * A token the server issued: its value, when (epoch millis on the server's clock) and until when it lives.
 *
 * @since 0.1.0
 * @category models
 */
export interface IssueRecord {
  readonly token: string
  readonly issuedAt: number
  readonly expiresAt: number
}

/**
 * A generator of numbers in [0, 1) from a 32-bit seed (mulberry32): the same seed gives the same numbers.
 *
 * @since 0.1.0
 * @category constructors
 */
export const seededRandom = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A copy of `items` in a random order (Fisher–Yates), drawn from `random`. */
const shuffled = <A>(items: ReadonlyArray<A>, random: () => number): Array<A> => {
  const copy = items.slice()
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1))
    const item = copy[index]!
    copy[index] = copy[other]!
    copy[other] = item
  }
  return copy
}

/**
 * The answer a fault of this kind is; `retryAfterSeconds` is the `Retry-After` of `rateLimited`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const faultAnswer = (kind: FaultKind, retryAfterSeconds: number = 1): Respond | Hang | DropConnection => {
  switch (kind) {
    case "unavailable":
      return respond(503, "Service Unavailable")
    case "rateLimited":
      return rateLimited(retryAfterSeconds)
    case "reset":
      return dropConnection
    case "hang":
      return hang
    case "malformed":
      return malformedJson
    case "html":
      return html()
  }
}

/**
 * A token lifetime in whole seconds, at least 1, from a number of seconds; `undefined` when it is not finite.
 *
 * @since 0.1.0
 * @category constructors
 */
export const wholeSeconds = (seconds: number): number | undefined =>
  Number.isFinite(seconds) ? Math.max(1, Math.round(seconds)) : undefined

/**
 * The text of the defect a lifetime that is not finite is.
 *
 * @since 0.1.0
 * @category models
 */
export const infiniteLifetimeMessage = "FakeAuthServer: a token lifetime must be a finite duration"

/**
 * Why the token endpoint says no (RFC 6749 §5.2).
 *
 * @since 0.1.0
 * @category models
 */
export interface Refusal {
  readonly _tag: "Refusal"
  readonly status: number
  readonly error: string
  readonly description: string
  /** The client tried the `Authorization` header: a 401 must then carry `WWW-Authenticate` (RFC 6749 §5.2). */
  readonly challenge: boolean
}

/**
 * A token the endpoint grants.
 *
 * @since 0.1.0
 * @category models
 */
export interface Grant {
  readonly _tag: "Grant"
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
}

/**
 * What the token endpoint would answer, and who authenticated on the way.
 *
 * @since 0.1.0
 * @category models
 */
export interface Verdict {
  readonly clientId: string | undefined
  readonly authMethod: AuthMethod | undefined
  readonly outcome: Refusal | Grant
}

/**
 * What the token endpoint checks a request against, from the server's options.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointRules {
  readonly clients: ReadonlyArray<Client>
  readonly authMethod: AuthMethod | undefined
  readonly scopes: ReadonlySet<string> | undefined
}

/**
 * The rules of a server with these options: `defaultClient` when no client is given, any scope when none are.
 *
 * @since 0.1.0
 * @category constructors
 */
export const endpointRules = (options: Options<unknown>): EndpointRules => ({
  clients: options.clients ?? [defaultClient],
  authMethod: options.authMethod,
  scopes: options.scopes === undefined ? undefined : new Set(options.scopes)
})

/**
 * A request to the token endpoint as the server reads it: its method, headers (lower-cased names), whether its body
 * is a form, and the form's parameters in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenRequestSeen {
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly isForm: boolean
  readonly params: ReadonlyArray<readonly [string, string]>
}

/**
 * Reads a request to the token endpoint from its method, headers and body text: the body is a form only when its
 * media type is `application/x-www-form-urlencoded`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readTokenRequest = (
  method: string,
  headers: Readonly<Record<string, string>>,
  body: string
): TokenRequestSeen => {
  const lowerCased = lowerCaseKeys(headers)
  const mediaType = (lowerCased["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
  const isForm = mediaType === "application/x-www-form-urlencoded"
  return { method, headers: lowerCased, isForm, params: isForm ? Array.from(new URLSearchParams(body)) : [] }
}

/** `application/x-www-form-urlencoded` decoding of one value: `+` is a space. `undefined` when malformed. */
const formUrlDecode = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return undefined
  }
}

const utf8 = new TextDecoder()

/** Base64 as RFC 4648 §4 writes it, padded to a multiple of 4, as UTF-8 text; `undefined` when it is not that. */
const decodeBase64Text = (encoded: string): string | undefined => {
  if (encoded.length % 4 !== 0) return undefined
  try {
    return utf8.decode(Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0)))
  } catch {
    return undefined
  }
}

/**
 * The credentials of an HTTP Basic `Authorization` header as RFC 6749 §2.3.1 encodes them: Base64 of the
 * form-urlencoded id, a colon, and the form-urlencoded secret; split at the first colon. `undefined` when the header
 * is not that.
 *
 * @since 0.1.0
 * @category constructors
 */
export const basicCredentials = (authorization: string): Client | undefined => {
  const match = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(authorization)
  if (match === null) return undefined
  const decoded = decodeBase64Text(match[1]!)
  if (decoded === undefined) return undefined
  const colon = decoded.indexOf(":")
  if (colon < 0) return undefined
  const clientId = formUrlDecode(decoded.slice(0, colon))
  const clientSecret = formUrlDecode(decoded.slice(colon + 1))
  return clientId === undefined || clientSecret === undefined ? undefined : { clientId, clientSecret }
}

const refuse = (status: number, error: string, description: string, challenge = false): Refusal => ({
  _tag: "Refusal",
  status,
  error,
  description,
  challenge
})

/** A client that proved who it is, and how. */
interface Authenticated {
  readonly _tag: "Authenticated"
  readonly clientId: string
  readonly authMethod: AuthMethod
}

/** The form parameters by name, each with its values in order. */
const groupByName = (params: ReadonlyArray<readonly [string, string]>): Map<string, Array<string>> => {
  const values = new Map<string, Array<string>>()
  for (const [name, value] of params) {
    const list = values.get(name)
    if (list === undefined) values.set(name, [value])
    else list.push(value)
  }
  return values
}

/** The first parameter given more than once where that is not allowed, if any. */
const repeatedParameter = (values: ReadonlyMap<string, ReadonlyArray<string>>): string | undefined => {
  for (const [name, list] of values) {
    // RFC 6749 §3.2: no parameter more than once; RFC 8707 makes `resource` the exception
    if (list.length > 1 && name !== "resource") return name
  }
  return undefined
}

/** Client authentication by HTTP Basic (`client_secret_basic`, RFC 6749 §2.3.1). A 401 here carries a challenge. */
const authenticateBasic = (rules: EndpointRules, authorization: string): Refusal | Authenticated => {
  if (rules.authMethod === "client_secret_post") {
    return refuse(401, "invalid_client", "client_secret_basic is not accepted", true)
  }
  const credentials = basicCredentials(authorization)
  if (credentials === undefined) {
    return refuse(401, "invalid_client", "malformed Basic credentials", true)
  }
  const client = rules.clients.find((client) => client.clientId === credentials.clientId)
  if (client === undefined || client.clientSecret !== credentials.clientSecret) {
    return refuse(401, "invalid_client", "client authentication failed", true)
  }
  return { _tag: "Authenticated", clientId: client.clientId, authMethod: "client_secret_basic" }
}

/** Client authentication by `client_id` and `client_secret` in the body (`client_secret_post`, RFC 6749 §2.3.1). */
const authenticateInBody = (
  rules: EndpointRules,
  bodyId: string | undefined,
  bodySecret: string | undefined
): Refusal | Authenticated => {
  if (rules.authMethod === "client_secret_basic") {
    return refuse(401, "invalid_client", "client_secret_post is not accepted")
  }
  const client = rules.clients.find((client) => client.clientId === bodyId)
  if (client === undefined || bodySecret === undefined || client.clientSecret !== bodySecret) {
    return refuse(401, "invalid_client", "client authentication failed")
  }
  return { _tag: "Authenticated", clientId: client.clientId, authMethod: "client_secret_post" }
}

/** Client authentication (RFC 6749 §2.3.1): exactly one method, by the `Authorization` header or in the body. */
const authenticate = (
  rules: EndpointRules,
  authorization: string | undefined,
  bodyId: string | undefined,
  bodySecret: string | undefined
): Refusal | Authenticated => {
  const inBody = bodyId !== undefined || bodySecret !== undefined
  if (authorization !== undefined && inBody) {
    return refuse(400, "invalid_request", "more than one client authentication method")
  }
  if (authorization !== undefined) return authenticateBasic(rules, authorization)
  if (inBody) return authenticateInBody(rules, bodyId, bodySecret)
  return refuse(401, "invalid_client", "no client authentication")
}

/** The grant for an authenticated client: the grant type (RFC 6749 §4.4), then the scope (§3.3). */
const grantFor = (
  clientId: string,
  grantType: string | undefined,
  scopeText: string | undefined,
  allowed: ReadonlySet<string> | undefined
): Refusal | Grant => {
  if (grantType === undefined) return refuse(400, "invalid_request", "grant_type is missing")
  if (grantType !== "client_credentials") {
    return refuse(400, "unsupported_grant_type", "only client_credentials is supported")
  }
  const scopes = Array.from(new Set((scopeText ?? "").split(" ").filter((scope) => scope !== "")))
  if (allowed !== undefined && scopes.some((scope) => !allowed.has(scope))) {
    return refuse(400, "invalid_scope", "a requested scope is unknown")
  }
  return { _tag: "Grant", clientId, scopes }
}

/**
 * Decides a token request: the method (POST) and the body (a form without repeated parameters but `resource`), then
 * client authentication (RFC 6749 §2.3.1), then the grant (§4.4), then the scope (§3.3).
 *
 * @since 0.1.0
 * @category constructors
 */
export const decide = (rules: EndpointRules, request: TokenRequestSeen): Verdict => {
  const unauthenticated = (outcome: Refusal): Verdict => ({ clientId: undefined, authMethod: undefined, outcome })
  if (request.method !== "POST") {
    return unauthenticated(refuse(405, "invalid_request", "the token endpoint accepts POST only"))
  }
  if (!request.isForm) {
    return unauthenticated(refuse(400, "invalid_request", "the body must be application/x-www-form-urlencoded"))
  }
  const values = groupByName(request.params)
  const repeated = repeatedParameter(values)
  if (repeated !== undefined) {
    return unauthenticated(refuse(400, "invalid_request", `the parameter ${repeated} is repeated`))
  }
  const param = (name: string): string | undefined => values.get(name)?.[0]

  const client = authenticate(rules, request.headers["authorization"], param("client_id"), param("client_secret"))
  if (client._tag === "Refusal") return unauthenticated(client)
  return {
    clientId: client.clientId,
    authMethod: client.authMethod,
    outcome: grantFor(client.clientId, param("grant_type"), param("scope"), rules.scopes)
  }
}

/**
 * The error response of a refusal (RFC 6749 §5.2): `no-store`, a Basic challenge on a 401 to a client that tried the
 * `Authorization` header, `Allow: POST` on a 405.
 *
 * @since 0.1.0
 * @category constructors
 */
export const refusalAnswer = (refusal: Refusal): Respond =>
  jsonAnswer(refusal.status, { error: refusal.error, error_description: refusal.description }, {
    ...noStore,
    ...(refusal.status === 401 && refusal.challenge ? { "www-authenticate": "Basic realm=\"fake\"" } : {}),
    ...(refusal.status === 405 ? { allow: "POST" } : {})
  })

/** An answer of the protected resource that refuses: a JSON body and its `WWW-Authenticate` challenge. */
const bearerChallenge = (status: number, challenge: string, body: Record<string, unknown>): Respond =>
  jsonAnswer(status, { ok: false, ...body }, { "www-authenticate": challenge })

/** A token this server issued. */
interface Issued {
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
  /** Epoch millis on the server's clock; the token is dead from then on. */
  readonly expiresAt: number
  readonly revoked: boolean
}

/** The token of an `Authorization: Bearer` header (RFC 6750 §2.1), or the answer to a request without one. */
const bearerToken = (authorization: string): { readonly token: string } | { readonly refused: Respond } => {
  const space = authorization.search(/[ \t]/)
  const scheme = space < 0 ? authorization : authorization.slice(0, space)
  if (scheme.toLowerCase() !== "bearer") {
    // RFC 6750 §3.1: a request without credentials gets a challenge without an error code
    return { refused: bearerChallenge(401, "Bearer realm=\"fake\"", {}) }
  }
  const value = space < 0 ? "" : authorization.slice(space).trim()
  if (value === "") {
    return { refused: bearerChallenge(400, "Bearer error=\"invalid_request\"", { error: "invalid_request" }) }
  }
  return { token: value }
}

/** What is wrong with a presented token at `now`, if anything. */
const tokenProblem = (token: Issued | undefined, now: number): string | undefined =>
  token === undefined
    ? "unknown token"
    : token.revoked
    ? "revoked token"
    : now >= token.expiresAt
    ? "expired token"
    : undefined

/**
 * Which part of the fake server a request's URL (an absolute path or an absolute URL) goes to: the token endpoint
 * (`/oauth/token`), the protected resource (`/api` and any path below it), or neither.
 *
 * @since 0.1.0
 * @category constructors
 */
export const endpointOf = (url: string): "token" | "api" | undefined => {
  const path = new URL(url, "http://127.0.0.1").pathname
  return path === "/oauth/token" ? "token" : path === "/api" || path.startsWith("/api/") ? "api" : undefined
}

/** Whether `path` is under `/api/admin`, which needs the `admin` scope. */
const isAdminPath = (path: string): boolean => path === "/api/admin" || path.startsWith("/api/admin/")

/**
 * A request to the protected resource, as the server reads it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiRequest {
  readonly method: string
  /** The request's URL, an absolute path with its query or an absolute URL. */
  readonly url: string
  /** The `Authorization` header, if any. */
  readonly authorization: string | undefined
  readonly bodyLength: number
}

// the tokens a server keeps before it forgets the dead ones
const sweepThreshold = 10_000

/**
 * What a running fake server remembers between requests, and what it answers. `Delay` is the line's duration, the
 * delay of a scripted `Delayed`. Each field changes only through the methods here:
 * - `issued` — `answer` adds a token when it grants one, first forgetting the revoked and expired ones once
 *   `sweepThreshold` are held; `revoke` replaces a token's entry with a revoked one, for good.
 * - `records` — `receive` appends one per token request, in arrival order; never shortened.
 * - `script` — `appendScript` appends; `nextAnswer` takes the first one, or `Normal` when none is left.
 * - `apiRequests` — `countApiRequest` adds one per request to the protected resource.
 * - `lifetimeSeconds` — `setLifetimeSeconds` replaces it; the tokens issued from then on live that long.
 * - `issueLog` — `answer` appends one per token it grants; never shortened.
 * - `faults` — `setFaults` replaces it (with a generator seeded anew and an empty deck of kinds), or removes it;
 *   `nextAnswer` deals its kinds from the deck, refilled with every kind, shuffled, when empty.
 * - `faultLog` — `nextAnswer` appends one per fault it draws; never shortened.
 *
 * Times are epoch millis on the server's clock, passed by the line's shell.
 *
 * @since 0.1.0
 * @category models
 */
export class ServerState<Delay> {
  private readonly issued = new Map<string, Issued>()
  private readonly records: Array<TokenRequestRecord> = []
  private readonly script: Array<ScriptedResponse<Delay>> = []
  private readonly issueLog: Array<IssueRecord> = []
  private readonly faultLog: Array<FaultRecord> = []
  private faults:
    | { readonly mode: FaultMode; readonly random: () => number; readonly deck: Array<FaultKind> }
    | undefined = undefined
  private apiRequests = 0

  constructor(private readonly rules: EndpointRules, private lifetimeSeconds: number) {}

  /**
   * Reads, decides and records a token request from its method, headers and body text: the verdict, which the
   * normal answer follows.
   */
  receive(method: string, headers: Readonly<Record<string, string>>, body: string): Verdict {
    const request = readTokenRequest(method, headers, body)
    const verdict = decide(this.rules, request)
    this.records.push({
      method: request.method,
      headers: request.headers,
      params: request.params,
      clientId: verdict.clientId,
      authMethod: verdict.authMethod
    })
    return verdict
  }

  /** The normal answer to a request with this verdict at `now`: a new token (RFC 6749 §5.1), or the refusal. */
  answer(verdict: Verdict, now: number): Respond {
    const outcome = verdict.outcome
    if (outcome._tag === "Refusal") return refusalAnswer(outcome)
    if (this.issued.size >= sweepThreshold) {
      for (const [value, token] of this.issued) if (token.revoked || token.expiresAt <= now) this.issued.delete(value)
    }
    const value = randomToken()
    const expiresAt = now + this.lifetimeSeconds * 1000
    this.issued.set(value, { clientId: outcome.clientId, scopes: outcome.scopes, expiresAt, revoked: false })
    this.issueLog.push({ token: value, issuedAt: now, expiresAt })
    return jsonAnswer(200, {
      access_token: value,
      token_type: "Bearer",
      expires_in: this.lifetimeSeconds,
      ...(outcome.scopes.length > 0 ? { scope: outcome.scopes.join(" ") } : {})
    }, noStore)
  }

  /** Marks the token with this value revoked; a value this server did not issue is ignored. */
  revoke(value: string): void {
    const entry = this.issued.get(value)
    if (entry !== undefined) this.issued.set(value, { ...entry, revoked: true })
  }

  /** Every token request so far, in order: a copy. */
  tokenRequests(): ReadonlyArray<TokenRequestRecord> {
    return this.records.slice()
  }

  /** Appends answers for the next token requests, one each, in order. */
  appendScript(responses: ReadonlyArray<ScriptedResponse<Delay>>): void {
    this.script.push(...responses)
  }

  /**
   * The answer for the next token request, arrived at `now`: the first scripted one, taken off the script; else, in
   * fault mode, a fault drawn at random (and recorded); else `Normal`.
   */
  nextAnswer(now: number): ScriptedResponse<Delay> {
    const scripted = this.script.shift()
    if (scripted !== undefined) return scripted
    const faults = this.faults
    if (faults === undefined || !(faults.random() < faults.mode.rate)) return normal
    if (faults.deck.length === 0) faults.deck.push(...shuffled(faults.mode.kinds ?? faultKinds, faults.random))
    const kind = faults.deck.pop()
    if (kind === undefined) return normal
    this.faultLog.push({ kind, at: now })
    return faultAnswer(kind, faults.mode.retryAfterSeconds)
  }

  /**
   * Switches fault mode on with `mode`, its generator seeded anew, or off with `undefined`. Throws a `RangeError` when
   * `mode.rate` is not a number in [0, 1].
   */
  setFaults(mode: FaultMode | undefined): void {
    if (mode !== undefined && !(mode.rate >= 0 && mode.rate <= 1)) {
      throw new RangeError("FakeAuthServer.setFaults: rate must be a number in [0, 1]")
    }
    this.faults = mode === undefined ? undefined : { mode, random: seededRandom(mode.seed), deck: [] }
  }

  /** Every fault injected so far, in order: a copy. */
  faultRecords(): ReadonlyArray<FaultRecord> {
    return this.faultLog.slice()
  }

  /** Every token issued so far, in order: a copy. */
  issueRecords(): ReadonlyArray<IssueRecord> {
    return this.issueLog.slice()
  }

  /** Counts one request to the protected resource, refused or not. */
  countApiRequest(): void {
    this.apiRequests++
  }

  /** How many requests reached the protected resource. */
  apiRequestCount(): number {
    return this.apiRequests
  }

  /** The lifetime, in whole seconds, of the tokens issued from now on. */
  setLifetimeSeconds(seconds: number): void {
    this.lifetimeSeconds = seconds
  }

  /**
   * The protected resource's answer at `now` (RFC 6750): for a live token this server issued, `ok` with the path, the
   * method, the body's length, the client and the scopes; `/api/admin` and below need the `admin` scope.
   */
  answerApiRequest(request: ApiRequest, now: number): Respond {
    const path = new URL(request.url, "http://127.0.0.1").pathname
    const bearer = bearerToken((request.authorization ?? "").trim())
    if ("refused" in bearer) return bearer.refused
    const token = this.issued.get(bearer.token)
    const problem = tokenProblem(token, now)
    if (token === undefined || problem !== undefined) {
      return bearerChallenge(401, "Bearer error=\"invalid_token\"", {
        error: "invalid_token",
        error_description: problem
      })
    }
    if (isAdminPath(path) && !token.scopes.includes("admin")) {
      return bearerChallenge(403, "Bearer error=\"insufficient_scope\", scope=\"admin\"", {
        error: "insufficient_scope"
      })
    }
    return jsonAnswer(200, {
      ok: true,
      path,
      method: request.method,
      bodyLength: request.bodyLength,
      clientId: token.clientId,
      scopes: token.scopes
    })
  }
}
