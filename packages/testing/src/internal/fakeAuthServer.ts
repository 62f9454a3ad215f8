/**
 * The fake authorization server: the token endpoint's decision on a request (`decide`, plain data in and out), what
 * the server remembers between requests (`ServerState`, with its transitions), the handlers of the token endpoint and
 * the protected resource, and `make`, which serves them and returns the controls.
 */
import type { AccessToken } from "@effect-oauth2/client-credentials"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import type { Socket } from "node:net"
import type * as FakeAuthServer from "../FakeAuthServer.js"
import { lowerCaseKeys } from "./headers.js"
import { randomToken } from "./random.js"

/** @internal */
export const defaultClient: FakeAuthServer.Client = { clientId: "test-client", clientSecret: "test-secret" }

type AuthMethod = "client_secret_basic" | "client_secret_post"

/** A token this server issued. */
interface Issued {
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
  /** Epoch millis on the server's `Clock`; the token is dead from then on. */
  readonly expiresAt: number
  readonly revoked: boolean
}

/** Why the token endpoint says no (RFC 6749 §5.2). */
interface Refusal {
  readonly _tag: "Refusal"
  readonly status: number
  readonly error: string
  readonly description: string
  /** The client tried the `Authorization` header: a 401 must then carry `WWW-Authenticate` (RFC 6749 §5.2). */
  readonly challenge: boolean
}

interface Grant {
  readonly _tag: "Grant"
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
}

/** What the token endpoint would answer, and who authenticated on the way. */
interface Verdict {
  readonly clientId: string | undefined
  readonly authMethod: AuthMethod | undefined
  readonly outcome: Refusal | Grant
}

// the tokens a server keeps before it forgets the dead ones
const sweepThreshold = 10_000

const noStore = { "cache-control": "no-store", pragma: "no-cache" }

const wholeSeconds = (input: Duration.DurationInput): number => {
  const duration = Duration.decodeUnknown(input)
  if (Option.isNone(duration) || !Duration.isFinite(duration.value)) {
    throw new Cause.IllegalArgumentException("FakeAuthServer: a token lifetime must be a finite duration")
  }
  return Math.max(1, Math.round(Duration.toSeconds(duration.value)))
}

/** `application/x-www-form-urlencoded` decoding of one value: `+` is a space. `undefined` when malformed. */
const formUrlDecode = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return undefined
  }
}

/**
 * The credentials of an HTTP Basic `Authorization` header as RFC 6749 §2.3.1 encodes them: Base64 of the
 * form-urlencoded id, a colon, and the form-urlencoded secret. `undefined` when the header is not that.
 */
const basicCredentials = (
  authorization: string
): { readonly clientId: string; readonly clientSecret: string } | undefined => {
  const match = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(authorization)
  if (match === null) return undefined
  const decoded = Encoding.decodeBase64String(match[1]!)
  if (Either.isLeft(decoded)) return undefined
  const colon = decoded.right.indexOf(":")
  if (colon < 0) return undefined
  const clientId = formUrlDecode(decoded.right.slice(0, colon))
  const clientSecret = formUrlDecode(decoded.right.slice(colon + 1))
  return clientId === undefined || clientSecret === undefined ? undefined : { clientId, clientSecret }
}

const refuse = (status: number, error: string, description: string, challenge = false): Refusal => ({
  _tag: "Refusal",
  status,
  error,
  description,
  challenge
})

interface TokenEndpointOptions {
  readonly clients: ReadonlyArray<FakeAuthServer.Client>
  readonly authMethod: AuthMethod | undefined
  readonly scopes: ReadonlySet<string> | undefined
}

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
const authenticateBasic = (options: TokenEndpointOptions, authorization: string): Refusal | Authenticated => {
  if (options.authMethod === "client_secret_post") {
    return refuse(401, "invalid_client", "client_secret_basic is not accepted", true)
  }
  const credentials = basicCredentials(authorization)
  if (credentials === undefined) {
    return refuse(401, "invalid_client", "malformed Basic credentials", true)
  }
  const client = options.clients.find((client) => client.clientId === credentials.clientId)
  if (client === undefined || client.clientSecret !== credentials.clientSecret) {
    return refuse(401, "invalid_client", "client authentication failed", true)
  }
  return { _tag: "Authenticated", clientId: client.clientId, authMethod: "client_secret_basic" }
}

/** Client authentication by `client_id` and `client_secret` in the body (`client_secret_post`, RFC 6749 §2.3.1). */
const authenticateInBody = (
  options: TokenEndpointOptions,
  bodyId: string | undefined,
  bodySecret: string | undefined
): Refusal | Authenticated => {
  if (options.authMethod === "client_secret_basic") {
    return refuse(401, "invalid_client", "client_secret_post is not accepted")
  }
  const client = options.clients.find((client) => client.clientId === bodyId)
  if (client === undefined || bodySecret === undefined || client.clientSecret !== bodySecret) {
    return refuse(401, "invalid_client", "client authentication failed")
  }
  return { _tag: "Authenticated", clientId: client.clientId, authMethod: "client_secret_post" }
}

/** Client authentication (RFC 6749 §2.3.1): exactly one method, by the `Authorization` header or in the body. */
const authenticate = (
  options: TokenEndpointOptions,
  authorization: string | undefined,
  bodyId: string | undefined,
  bodySecret: string | undefined
): Refusal | Authenticated => {
  const inBody = bodyId !== undefined || bodySecret !== undefined
  if (authorization !== undefined && inBody) {
    return refuse(400, "invalid_request", "more than one client authentication method")
  }
  if (authorization !== undefined) return authenticateBasic(options, authorization)
  if (inBody) return authenticateInBody(options, bodyId, bodySecret)
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

/** Decides a token request: client authentication (RFC 6749 §2.3.1), then the grant (§4.4), then the scope (§3.3). */
const decide = (
  options: TokenEndpointOptions,
  request: {
    readonly method: string
    readonly headers: Readonly<Record<string, string>>
    readonly isForm: boolean
    readonly params: ReadonlyArray<readonly [string, string]>
  }
): Verdict => {
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

  const client = authenticate(options, request.headers["authorization"], param("client_id"), param("client_secret"))
  if (client._tag === "Refusal") return unauthenticated(client)
  return {
    clientId: client.clientId,
    authMethod: client.authMethod,
    outcome: grantFor(client.clientId, param("grant_type"), param("scope"), options.scopes)
  }
}

const oauthErrorResponse = (refusal: Refusal): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson({ error: refusal.error, error_description: refusal.description }, {
    status: refusal.status,
    headers: {
      ...noStore,
      ...(refusal.status === 401 && refusal.challenge ? { "www-authenticate": "Basic realm=\"fake\"" } : {}),
      ...(refusal.status === 405 ? { allow: "POST" } : {})
    }
  })

const scriptedResponse = (response: FakeAuthServer.Respond): HttpServerResponse.HttpServerResponse => {
  const { "content-type": contentType, ...headers } = response.headers
  return response.body === ""
    ? HttpServerResponse.empty({ status: response.status, headers: response.headers })
    : HttpServerResponse.text(response.body, { status: response.status, headers, contentType })
}

const bearerChallenge = (
  status: number,
  challenge: string,
  body: Record<string, unknown>
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson({ ok: false, ...body }, { status, headers: { "www-authenticate": challenge } })

/** A token lifetime in whole seconds; a duration that is not finite is a defect. */
const lifetimeSecondsOrDie = (lifetime: Duration.DurationInput): Effect.Effect<number> =>
  Effect.try({ try: () => wholeSeconds(lifetime), catch: (error) => error }).pipe(Effect.orDie)

/**
 * What a running fake server remembers between requests. Each field changes only through the methods here:
 * - `issued` — `issue` adds a token, first forgetting the revoked and expired ones once `sweepThreshold` are held;
 *   `revoke` replaces a token's entry with a revoked one, for good.
 * - `records` — `record` appends one per token request, in arrival order; never shortened.
 * - `script` — `appendScript` appends; `nextAnswer` takes the first one, or `Normal` when none is left.
 * - `apiRequests` — `countApiRequest` adds one per request to the protected resource.
 * - `lifetimeSeconds` — `setLifetimeSeconds` replaces it; the tokens issued from then on live that long.
 */
class ServerState {
  private readonly issued = new Map<string, Issued>()
  private readonly records: Array<FakeAuthServer.TokenRequestRecord> = []
  private readonly script: Array<FakeAuthServer.ScriptedResponse> = []
  private apiRequests = 0

  constructor(private lifetimeSeconds: number) {}

  /** Issues a new token for `grant` at `now`: its value and lifetime in seconds. */
  issue(grant: Grant, now: number): { readonly value: string; readonly lifetimeSeconds: number } {
    if (this.issued.size >= sweepThreshold) {
      for (const [value, token] of this.issued) if (token.revoked || token.expiresAt <= now) this.issued.delete(value)
    }
    const value = randomToken()
    this.issued.set(value, {
      clientId: grant.clientId,
      scopes: grant.scopes,
      expiresAt: now + this.lifetimeSeconds * 1000,
      revoked: false
    })
    return { value, lifetimeSeconds: this.lifetimeSeconds }
  }

  /** The token this server issued with this value, if it still remembers one. */
  issuedToken(value: string): Issued | undefined {
    return this.issued.get(value)
  }

  /** Marks the token with this value revoked; a value this server did not issue is ignored. */
  revoke(value: string): void {
    const entry = this.issued.get(value)
    if (entry !== undefined) this.issued.set(value, { ...entry, revoked: true })
  }

  /** Keeps one token request as it arrived. */
  record(request: FakeAuthServer.TokenRequestRecord): void {
    this.records.push(request)
  }

  /** Every token request so far, in order: a copy. */
  tokenRequests(): ReadonlyArray<FakeAuthServer.TokenRequestRecord> {
    return this.records.slice()
  }

  /** Appends answers for the next token requests, one each, in order. */
  appendScript(responses: ReadonlyArray<FakeAuthServer.ScriptedResponse>): void {
    this.script.push(...responses)
  }

  /** The answer for the next token request: the first scripted one, taken off the script, or `Normal`. */
  nextAnswer(): FakeAuthServer.ScriptedResponse {
    return this.script.shift() ?? normal
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
}

/** The connection a request came on. */
const socketOf = (request: HttpServerRequest.HttpServerRequest): Socket =>
  NodeHttpServerRequest.toIncomingMessage(request).socket

/** Issues a token for `grant` on the server's `Clock`: the token response (RFC 6749 §5.1). */
const issueToken = (state: ServerState, grant: Grant): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const { lifetimeSeconds, value } = state.issue(grant, now)
    return HttpServerResponse.unsafeJson({
      access_token: value,
      token_type: "Bearer",
      expires_in: lifetimeSeconds,
      ...(grant.scopes.length > 0 ? { scope: grant.scopes.join(" ") } : {})
    }, { headers: noStore })
  })

/** The token endpoint's answer to `request`: as `response` scripts it, the normal one following `verdict`. */
const answerTokenRequest = (
  state: ServerState,
  request: HttpServerRequest.HttpServerRequest,
  response: FakeAuthServer.ScriptedResponse,
  verdict: Verdict
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  switch (response._tag) {
    case "Normal":
      return verdict.outcome._tag === "Grant"
        ? issueToken(state, verdict.outcome)
        : Effect.succeed(oauthErrorResponse(verdict.outcome))
    case "Respond":
      return Effect.succeed(scriptedResponse(response))
    case "Hang":
      return Effect.never
    case "DropConnection":
      // closing the response interrupts this fiber
      return Effect.zipRight(Effect.sync(() => socketOf(request).destroy()), Effect.never)
    case "Delayed":
      return Effect.zipRight(
        Effect.sleep(response.delay),
        answerTokenRequest(state, request, response.response, verdict)
      )
  }
}

/** The token endpoint: every request is decided and recorded, then answered as the script says. */
const tokenEndpoint = (state: ServerState, endpointOptions: TokenEndpointOptions) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.orElseSucceed(request.text, () => "")
    const headers = lowerCaseKeys(request.headers)
    const mediaType = (headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
    const isForm = mediaType === "application/x-www-form-urlencoded"
    const params = isForm ? Array.from(new URLSearchParams(body)) : []
    const verdict = decide(endpointOptions, { method: request.method, headers, isForm, params })
    state.record({
      method: request.method,
      headers,
      params,
      clientId: verdict.clientId,
      authMethod: verdict.authMethod
    })
    return yield* answerTokenRequest(state, request, state.nextAnswer(), verdict)
  })

/** The token of an `Authorization: Bearer` header (RFC 6750 §2.1), or the answer to a request without one. */
const bearerToken = (authorization: string): Either.Either<string, HttpServerResponse.HttpServerResponse> => {
  const space = authorization.search(/[ \t]/)
  const scheme = space < 0 ? authorization : authorization.slice(0, space)
  if (scheme.toLowerCase() !== "bearer") {
    // RFC 6750 §3.1: a request without credentials gets a challenge without an error code
    return Either.left(bearerChallenge(401, "Bearer realm=\"fake\"", {}))
  }
  const value = space < 0 ? "" : authorization.slice(space).trim()
  if (value === "") {
    return Either.left(bearerChallenge(400, "Bearer error=\"invalid_request\"", { error: "invalid_request" }))
  }
  return Either.right(value)
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

/** Whether `path` is under `/api/admin`, which needs the `admin` scope. */
const isAdminPath = (path: string): boolean => path === "/api/admin" || path.startsWith("/api/admin/")

/** The protected resource: any path under `/api`, any method, for a live token this server issued. */
const protectedResource = (state: ServerState) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    state.countApiRequest()
    const bodyLength = yield* request.arrayBuffer.pipe(
      Effect.map((body) => body.byteLength),
      Effect.orElseSucceed(() => 0)
    )
    const path = new URL(request.url, "http://127.0.0.1").pathname
    const bearer = bearerToken((request.headers["authorization"] ?? "").trim())
    if (Either.isLeft(bearer)) return bearer.left
    const now = yield* Clock.currentTimeMillis
    const token = state.issuedToken(bearer.right)
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
    return HttpServerResponse.unsafeJson({
      ok: true,
      path,
      method: request.method,
      bodyLength,
      clientId: token.clientId,
      scopes: token.scopes
    })
  })

/** `http://host:port` of the running server; a defect when it does not listen on TCP. */
const listeningOrigin: Effect.Effect<string, never, HttpServer.HttpServer> = Effect.flatMap(
  HttpServer.HttpServer,
  (server) =>
    server.address._tag !== "TcpAddress"
      ? Effect.dieMessage("FakeAuthServer: the server is not listening on TCP")
      : Effect.succeed(`http://${server.address.hostname}:${server.address.port}`)
)

/** The controls and observations of a server at `origin` with this state. */
const serviceOf = (state: ServerState, origin: string): FakeAuthServer.Service => ({
  tokenUrl: `${origin}/oauth/token`,
  apiUrl: `${origin}/api`,
  tokenRequests: Effect.sync(() => state.tokenRequests()),
  apiRequests: Effect.sync(() => state.apiRequestCount()),
  setTokenLifetime: (lifetime) =>
    Effect.map(lifetimeSecondsOrDie(lifetime), (seconds) => {
      state.setLifetimeSeconds(seconds)
    }),
  revoke: (token: string | AccessToken.AccessToken) =>
    Effect.sync(() => {
      state.revoke(typeof token === "string" ? token : Redacted.value(token.value))
    }),
  script: (...responses) =>
    Effect.sync(() => {
      state.appendScript(responses)
    })
})

/** @internal */
export const make = (
  options: FakeAuthServer.Options,
  nodeServer: Http.Server
): Effect.Effect<FakeAuthServer.Service, never, HttpServer.HttpServer | Scope.Scope> =>
  Effect.gen(function*() {
    const state = new ServerState(yield* lifetimeSecondsOrDie(options.tokenLifetime ?? Duration.hours(1)))
    const endpointOptions: TokenEndpointOptions = {
      clients: options.clients ?? [defaultClient],
      authMethod: options.authMethod,
      scopes: options.scopes === undefined ? undefined : new Set(options.scopes)
    }
    const resource = protectedResource(state)
    const router = HttpRouter.empty.pipe(
      HttpRouter.all("/oauth/token", tokenEndpoint(state, endpointOptions)),
      HttpRouter.all("/api", resource),
      HttpRouter.all("/api/*", resource)
    )
    yield* HttpServer.serveEffect(router)
    // runs before the server closes (finalizers run in reverse): a hung or delayed request, or a client that
    // keeps its connection, would otherwise keep the server open
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    return serviceOf(state, yield* listeningOrigin)
  })

const normal: FakeAuthServer.Normal = { _tag: "Normal" }
