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
  revoked: boolean
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

/** @internal */
export const make = (
  options: FakeAuthServer.Options,
  nodeServer: Http.Server
): Effect.Effect<FakeAuthServer.Service, never, HttpServer.HttpServer | Scope.Scope> =>
  Effect.gen(function*() {
    let lifetimeSeconds = yield* Effect.try({
      try: () => wholeSeconds(options.tokenLifetime ?? Duration.hours(1)),
      catch: (error) => error
    }).pipe(Effect.orDie)
    const endpointOptions: TokenEndpointOptions = {
      clients: options.clients ?? [defaultClient],
      authMethod: options.authMethod,
      scopes: options.scopes === undefined ? undefined : new Set(options.scopes)
    }
    const issued = new Map<string, Issued>()
    const records: Array<FakeAuthServer.TokenRequestRecord> = []
    const script: Array<FakeAuthServer.ScriptedResponse> = []
    let apiRequests = 0
    const socketOf = (request: HttpServerRequest.HttpServerRequest): Socket =>
      NodeHttpServerRequest.toIncomingMessage(request).socket

    const issue = (grant: Grant) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (issued.size >= sweepThreshold) {
          for (const [value, token] of issued) if (token.revoked || token.expiresAt <= now) issued.delete(value)
        }
        const value = randomToken()
        issued.set(value, {
          clientId: grant.clientId,
          scopes: grant.scopes,
          expiresAt: now + lifetimeSeconds * 1000,
          revoked: false
        })
        return HttpServerResponse.unsafeJson({
          access_token: value,
          token_type: "Bearer",
          expires_in: lifetimeSeconds,
          ...(grant.scopes.length > 0 ? { scope: grant.scopes.join(" ") } : {})
        }, { headers: noStore })
      })

    const answer = (
      request: HttpServerRequest.HttpServerRequest,
      response: FakeAuthServer.ScriptedResponse,
      verdict: Verdict
    ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
      switch (response._tag) {
        case "Normal":
          return verdict.outcome._tag === "Grant"
            ? issue(verdict.outcome)
            : Effect.succeed(oauthErrorResponse(verdict.outcome))
        case "Respond":
          return Effect.succeed(scriptedResponse(response))
        case "Hang":
          return Effect.never
        case "DropConnection":
          // closing the response interrupts this fiber
          return Effect.zipRight(Effect.sync(() => socketOf(request).destroy()), Effect.never)
        case "Delayed":
          return Effect.zipRight(Effect.sleep(response.delay), answer(request, response.response, verdict))
      }
    }

    const tokenEndpoint = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.text, () => "")
      const headers = lowerCaseKeys(request.headers)
      const mediaType = (headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
      const isForm = mediaType === "application/x-www-form-urlencoded"
      const params = isForm ? Array.from(new URLSearchParams(body)) : []
      const verdict = decide(endpointOptions, { method: request.method, headers, isForm, params })
      records.push({
        method: request.method,
        headers,
        params,
        clientId: verdict.clientId,
        authMethod: verdict.authMethod
      })
      return yield* answer(request, script.shift() ?? normal, verdict)
    })

    const protectedResource = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      apiRequests++
      const bodyLength = yield* request.arrayBuffer.pipe(
        Effect.map((body) => body.byteLength),
        Effect.orElseSucceed(() => 0)
      )
      const path = new URL(request.url, "http://127.0.0.1").pathname
      const authorization = (request.headers["authorization"] ?? "").trim()
      const space = authorization.search(/[ \t]/)
      const scheme = space < 0 ? authorization : authorization.slice(0, space)
      if (scheme.toLowerCase() !== "bearer") {
        // RFC 6750 §3.1: a request without credentials gets a challenge without an error code
        return bearerChallenge(401, "Bearer realm=\"fake\"", {})
      }
      const value = space < 0 ? "" : authorization.slice(space).trim()
      if (value === "") {
        return bearerChallenge(400, "Bearer error=\"invalid_request\"", { error: "invalid_request" })
      }
      const now = yield* Clock.currentTimeMillis
      const token = issued.get(value)
      const problem = token === undefined
        ? "unknown token"
        : token.revoked
        ? "revoked token"
        : now >= token.expiresAt
        ? "expired token"
        : undefined
      if (token === undefined || problem !== undefined) {
        return bearerChallenge(401, "Bearer error=\"invalid_token\"", {
          error: "invalid_token",
          error_description: problem
        })
      }
      if ((path === "/api/admin" || path.startsWith("/api/admin/")) && !token.scopes.includes("admin")) {
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

    const router = HttpRouter.empty.pipe(
      HttpRouter.all("/oauth/token", tokenEndpoint),
      HttpRouter.all("/api", protectedResource),
      HttpRouter.all("/api/*", protectedResource)
    )
    yield* HttpServer.serveEffect(router)
    // runs before the server closes (finalizers run in reverse): a hung or delayed request, or a client that
    // keeps its connection, would otherwise keep the server open
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))

    const server = yield* HttpServer.HttpServer
    if (server.address._tag !== "TcpAddress") {
      return yield* Effect.dieMessage("FakeAuthServer: the server is not listening on TCP")
    }
    const origin = `http://${server.address.hostname}:${server.address.port}`

    return {
      tokenUrl: `${origin}/oauth/token`,
      apiUrl: `${origin}/api`,
      tokenRequests: Effect.sync(() => records.slice()),
      apiRequests: Effect.sync(() => apiRequests),
      setTokenLifetime: (lifetime) =>
        Effect.try({ try: () => wholeSeconds(lifetime), catch: (error) => error }).pipe(
          Effect.orDie,
          Effect.map((seconds) => {
            lifetimeSeconds = seconds
          })
        ),
      revoke: (token: string | AccessToken.AccessToken) =>
        Effect.sync(() => {
          const entry = issued.get(typeof token === "string" ? token : Redacted.value(token.value))
          if (entry !== undefined) entry.revoked = true
        }),
      script: (...responses) =>
        Effect.sync(() => {
          script.push(...responses)
        })
    }
  })

const normal: FakeAuthServer.Normal = { _tag: "Normal" }
