/**
 * Discovery: the token endpoint and client authentication methods of an `issuer`, from its authorization server
 * metadata (RFC 8414), or from its OpenID Connect configuration when it has none. Knows the models only.
 *
 * Where: for issuer `https://h/tenant`, first `https://h/.well-known/oauth-authorization-server/tenant` (RFC 8414
 * §3.1: the well-known segment between host and path), then, only when that answers 404,
 * `https://h/tenant/.well-known/openid-configuration` (OpenID Connect Discovery §4). A `/` that ends the issuer's
 * path is dropped first, so `https://h` and `https://h/` both ask `https://h/.well-known/oauth-authorization-server`.
 *
 * What is checked, each a `TokenError` that is not retried: the document is a JSON object of at most 1 MiB; its
 * `issuer` is the configured one (below); its `token_endpoint` is an absolute http(s) URL, with neither credentials
 * nor a fragment, that follows the https rule (https, or http on a loopback host, unless `allowInsecureHttp`), and
 * is on the issuer's origin when `requireSameOriginTokenEndpoint` is set — else `Discovery`; the configured method is among `token_endpoint_auth_methods_supported`, or is `client_secret_basic`
 * when that is absent (RFC 8414 §2) — else `UnsupportedAuthMethod`.
 *
 * The issuer: RFC 8414 §3.3 asks for the metadata's `issuer` to be identical to the issuer the well-known URL was
 * made from. The configured issuer is compared as the URL parser writes it (lower-case scheme and host, no default
 * port), and a single `/` at the end of either side is not significant: `https://h` and `https://h/` make the same
 * well-known URL, so the server can publish only one of them, and a `URL` object always writes the first as the
 * second. Anything else must be identical, byte for byte (case of the path, percent-encoding, a `/` more).
 * `Metadata.issuer` is the value the server published, as an assertion's audience must spell it.
 *
 * States (`state`; every transition replaces the whole value):
 * - `Unknown`: nothing known, nothing in flight.
 * - `Discovering`: a discovery runs on a fiber of the scope `make` ran in; callers wait for its `result`.
 * - `Known`: the metadata, served at once, for the life of the scope.
 *
 * Transitions:
 * - `Unknown` — a caller → `Discovering`.
 * - `Discovering` — good metadata → `Known`; any failure (a `TokenError`, a `NetworkError` after the retries, a
 *   defect, an interruption by the scope's end) → `Unknown`: nothing is kept, the next caller discovers again.
 * - `Known` is final.
 *
 * Invariants:
 * - At most one discovery at a time, whatever the number of callers: one request per URL tried, plus retries.
 * - The discovery runs with the scope's context and ends with its retries and timeouts, or with the scope; never with
 *   a caller. A caller that is interrupted stops waiting at once, and the others still get the result. Once the scope
 *   is closed, a discovery is interrupted before it starts, and so are its callers.
 * - Every error names the issuer's origin, never its path or query.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import { transportFailure } from "./describeCause.js"
import { answerOf, retryAfter, withoutRedirects } from "./http.js"
import * as Origin from "./origin.js"
import { readAtMost } from "./readAtMost.js"
import * as Redaction from "./redaction.js"
import { withRetries } from "./retryPolicy.js"
import * as Telemetry from "./telemetry.js"
import { isSecureOrLoopback } from "./urls.js"

/** What discovery found: what the token request needs to know about the authorization server. */
export interface Metadata {
  /** The `issuer` as the server published it (equal to the configured one, up to a final `/`). */
  readonly issuer: string
  readonly tokenEndpoint: URL
  /** `token_endpoint_auth_methods_supported`; RFC 8414 §2's default `["client_secret_basic"]` when absent. */
  readonly authMethodsSupported: ReadonlyArray<string>
  /** `token_endpoint_auth_signing_alg_values_supported`, when given. */
  readonly signingAlgorithmsSupported: ReadonlyArray<string> | undefined
}

/** What discovery needs to know. */
export interface Options {
  /** Already checked by the caller: http(s) under the https rule, no credentials, query or fragment. */
  readonly issuer: URL
  /** The configured client authentication method: it must be among `authMethodsSupported`. */
  readonly authMethod: string
  /** The https rule for the discovered token endpoint: https, or http on a loopback host, unless this is `true`. */
  readonly allowInsecureHttp: boolean
  /** Refuse a token endpoint on another origin than the issuer's; default `false`. */
  readonly requireSameOriginTokenEndpoint?: boolean | undefined
  readonly retry: Schedule.Schedule<unknown, NetworkError.NetworkError>
  /** The timeout of each attempt of each metadata request. */
  readonly requestTimeout: Duration.Duration
  /** Counts the retries; absent, none are counted. */
  readonly telemetry?: Telemetry.Telemetry
}

/** What a discovery can fail with. */
export type DiscoveryError = TokenError.TokenError | NetworkError.NetworkError

/** The largest metadata document read, as for a token response. */
export const maxDocumentBytes = 1024 * 1024

/** The most of a text from the server an error keeps, in UTF-8 bytes, as for an `error_description`. */
const maxServerTextBytes = 1024

/** RFC 8414 §2: the method a server supports when its metadata lists none. */
const defaultAuthMethods: ReadonlyArray<string> = ["client_secret_basic"]

/** One place metadata may be found. */
export interface Location {
  readonly url: string
  /** What the document is called in errors. */
  readonly document: "authorization server metadata" | "OpenID configuration"
}

/**
 * The URLs tried, in order: RFC 8414's (the well-known segment between host and path), then OpenID Connect's
 * (appended to the path). A final `/` of the issuer's path is dropped first; a query or fragment is not used.
 */
export const locations = (issuer: URL): readonly [Location, Location] => {
  const origin = Origin.ofUrl(issuer)
  const path = issuer.pathname.endsWith("/") ? issuer.pathname.slice(0, -1) : issuer.pathname
  return [
    { url: `${origin}/.well-known/oauth-authorization-server${path}`, document: "authorization server metadata" },
    { url: `${origin}${path}/.well-known/openid-configuration`, document: "OpenID configuration" }
  ]
}

const withoutFinalSlash = (text: string): string => text.endsWith("/") ? text.slice(0, -1) : text

/** RFC 8414 §3.3, with a final `/` not significant on either side (see the module's comment). */
export const sameIssuer = (configured: URL, published: string): boolean =>
  withoutFinalSlash(configured.href) === withoutFinalSlash(published)

interface Unknown {
  readonly _tag: "Unknown"
}

interface Discovering {
  readonly _tag: "Discovering"
  readonly result: Deferred.Deferred<Metadata, DiscoveryError>
}

interface Known {
  readonly _tag: "Known"
  /** The metadata, as an effect built once. */
  readonly succeed: Effect.Effect<Metadata>
}

type State = Unknown | Discovering | Known

const unknown: Unknown = { _tag: "Unknown" }

/**
 * The issuer's metadata, discovered at the first call and kept for the life of the scope `make` runs in; failures
 * are not kept. See the module's comment.
 */
export const make = (
  client: HttpClient.HttpClient,
  options: Options
): Effect.Effect<Effect.Effect<Metadata, DiscoveryError>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const discover = discoverer(client, options)
    // the discovery runs here, with the context `make` ran with, and stops with its scope
    const fibers = yield* FiberSet.make<void>()
    const run = yield* FiberSet.runtime(fibers)<never>()
    let state: State = unknown

    const settle = (discovering: Discovering, exit: Exit.Exit<Metadata, DiscoveryError>): void => {
      if (state === discovering) {
        state = Exit.isSuccess(exit) ? { _tag: "Known", succeed: Effect.succeed(exit.value) } : unknown
      }
      Deferred.unsafeDone(discovering.result, exit)
    }

    const start = (parent: Tracer.AnySpan | undefined): Discovering => {
      const discovering: Discovering = { _tag: "Discovering", result: Deferred.unsafeMake(FiberId.none) }
      state = discovering
      const fiber = run(
        Telemetry.discovery(discover, { parent, host: options.issuer.hostname }).pipe(
          Effect.onExit((exit) => Effect.sync(() => settle(discovering, exit))),
          Effect.exit,
          Effect.asVoid
        )
      )
      // the scope is closed: the fiber was interrupted before it ran, and so are the callers
      if (fiber.unsafePoll() !== null && state === discovering) settle(discovering, Exit.interrupt(FiberId.none))
      return discovering
    }

    // the span of the caller that starts a discovery (a token fetch) is the parent of the discovery's
    return Effect.withFiberRuntime((fiber) => {
      const current = state
      if (current._tag === "Known") return current.succeed
      return Deferred.await((current._tag === "Discovering" ? current : start(fiber.currentSpan)).result)
    })
  })

/** One discovery, from the first URL to checked metadata. */
const discoverer = (client: HttpClient.HttpClient, options: Options): Effect.Effect<Metadata, DiscoveryError> => {
  const origin = Origin.ofUrl(options.issuer)
  // texts from the server go the one redaction path, with no value to hide here: cut to a bound
  const scrub = Redaction.make([])
  // scoped: the request and its body are aborted when the attempt ends, read or not
  const scopedClient = HttpClient.withScope(client)
  const [rfc8414, openId] = locations(options.issuer)

  const discoveryError = (detail: string, status?: number) =>
    new TokenError.TokenError({
      reason: "Discovery",
      origin,
      ...(status === undefined ? {} : { status }),
      detail
    })

  const transportError = (error: HttpClientError.HttpClientError) =>
    new NetworkError.NetworkError({
      reason: "Transport",
      source: "Discovery",
      origin,
      ...transportFailure(error, scrub)
    })

  /** The document's body as JSON, or `None` for a 404. */
  const fetchDocument = (location: Location): Effect.Effect<Option.Option<unknown>, DiscoveryError> =>
    Effect.gen(function*() {
      const request = HttpClientRequest.get(location.url).pipe(HttpClientRequest.acceptJson)
      const response = yield* withoutRedirects(scopedClient.execute(request)).pipe(
        Effect.catchAll((error) => {
          const answer = answerOf(error)
          return answer === undefined ? Effect.fail(transportError(error)) : Effect.succeed(answer)
        })
      )
      const status = response.status
      if (response.request.url !== location.url) {
        return yield* discoveryError(
          `the HttpClient followed a redirect of the ${location.document} request; discovery does not follow redirects`,
          status
        )
      }
      if (status >= 300 && status < 400) {
        return yield* discoveryError(
          `the ${location.document} answered HTTP ${status}, a redirect; discovery does not follow redirects`,
          status
        )
      }
      if (status === 404) return Option.none()
      if (status >= 200 && status < 300) return Option.some(yield* readJson(response, location))
      if (NetworkError.retryableStatuses.has(status) || status >= 500) {
        const after = yield* retryAfter(response)
        return yield* new NetworkError.NetworkError({
          reason: status === 429 ? "RateLimited" : "ServerError",
          source: "Discovery",
          origin,
          status,
          ...(after === undefined ? {} : { retryAfter: after })
        })
      }
      return yield* discoveryError(`the ${location.document} answered HTTP ${status}`, status)
    }).pipe(Effect.scoped)

  /** At most `maxDocumentBytes` of the decoded body, whatever `Content-Length` says, parsed as JSON. */
  const readJson = (
    response: HttpClientResponse.HttpClientResponse,
    location: Location
  ): Effect.Effect<unknown, DiscoveryError> => {
    const tooLarge = () => discoveryError(`the ${location.document} is larger than 1 MiB`, response.status)
    const header = response.headers["content-length"]
    if (header !== undefined && /^\d+$/.test(header) && Number(header) > maxDocumentBytes) {
      return Effect.fail(tooLarge())
    }
    // mapped on the stream, not after: its runtime logs the error it fails with (at Debug), as it is
    const body = Stream.mapError(response.stream, transportError)
    return readAtMost(body, maxDocumentBytes).pipe(
      Effect.flatMap(({ text, truncated }) =>
        truncated ? Effect.fail(tooLarge()) : Effect.try({
          try: () => JSON.parse(text) as unknown,
          catch: () => discoveryError(`the ${location.document} is not JSON`, response.status)
        })
      )
    )
  }

  const attempt = (location: Location) =>
    withRetries(fetchDocument(location), {
      schedule: options.retry,
      timeout: options.requestTimeout,
      origin,
      source: "Discovery",
      ...(options.telemetry === undefined ? {} : { observer: options.telemetry.attempts(options.issuer.hostname) })
    })

  /** The document's fields, checked; see the module's comment. */
  const check = (body: unknown, location: Location): Effect.Effect<Metadata, TokenError.TokenError> => {
    const { document } = location
    const server = (text: string) => scrub.cut(text, maxServerTextBytes)
    if (!Predicate.isRecord(body)) return Effect.fail(discoveryError(`the ${document} is not a JSON object`))
    if (typeof body.issuer !== "string" || body.issuer === "") {
      return Effect.fail(discoveryError(`the ${document} has no issuer`))
    }
    if (!sameIssuer(options.issuer, body.issuer)) {
      return Effect.fail(
        discoveryError(
          `the ${document} is for another issuer, ${issuerDifference(options.issuer, body.issuer, server)}`
        )
      )
    }
    const tokenEndpoint = checkTokenEndpoint(body.token_endpoint, options, server)
    if (typeof tokenEndpoint === "string") return Effect.fail(discoveryError(`the ${document}'s ${tokenEndpoint}`))
    const authMethods = stringList(body.token_endpoint_auth_methods_supported)
    if (authMethods === "invalid") {
      return Effect.fail(
        discoveryError(`the ${document}'s token_endpoint_auth_methods_supported is not a list of strings`)
      )
    }
    const algorithms = stringList(body.token_endpoint_auth_signing_alg_values_supported)
    if (algorithms === "invalid") {
      return Effect.fail(
        discoveryError(`the ${document}'s token_endpoint_auth_signing_alg_values_supported is not a list of strings`)
      )
    }
    const authMethodsSupported = authMethods ?? defaultAuthMethods
    if (!authMethodsSupported.includes(options.authMethod)) {
      const listed = authMethods === undefined ? undefined : authMethods.length === 0 ? "none" : authMethods.join(", ")
      const supported = listed === undefined
        ? "lists no token_endpoint_auth_methods_supported, which means client_secret_basic only (RFC 8414 §2)"
        : `lists ${server(listed)} in token_endpoint_auth_methods_supported`
      return Effect.fail(
        new TokenError.TokenError({
          reason: "UnsupportedAuthMethod",
          origin,
          detail: `${options.authMethod} is configured, but the ${document} ${supported}`
        })
      )
    }
    return Effect.succeed({
      issuer: body.issuer,
      tokenEndpoint,
      authMethodsSupported,
      signingAlgorithmsSupported: algorithms
    })
  }

  return Effect.gen(function*() {
    const first = yield* attempt(rfc8414)
    if (Option.isSome(first)) return yield* check(first.value, rfc8414)
    const second = yield* attempt(openId)
    if (Option.isSome(second)) return yield* check(second.value, openId)
    return yield* discoveryError(
      `the issuer publishes no metadata: its ${rfc8414.document} and its ${openId.document} both answered HTTP 404`,
      404
    )
  })
}

/**
 * How a published issuer differs from the configured one, as an error may say it: its origin at most (a path or
 * query may hold a credential), and what differs — the scheme, host or port; the path, or only its case; a query or
 * fragment; or, the URL being the same once parsed, its spelling: the case of the scheme or host, a default port
 * written out, or another encoding.
 */
export const issuerDifference = (
  configured: URL,
  published: string,
  server: (text: string) => string = (text) => text
): string => {
  const rule = "it must be the configured issuer (RFC 8414 §3.3)"
  if (!URL.canParse(published)) return `not a URL: ${rule}`
  const url = new URL(published)
  if (url.protocol !== "https:" && url.protocol !== "http:") return `not an http(s) URL: ${rule}`
  const parts = [
    ["scheme", url.protocol !== configured.protocol],
    ["host", url.hostname !== configured.hostname],
    ["port", url.port !== configured.port]
  ] as const
  const differ = parts.filter(([, differs]) => differs).map(([part]) => part)
  if (differ.length > 0) {
    const which = differ.length === 1 ? `its ${differ[0]} differs` : `its ${differ.join(" and ")} differ`
    return `at ${server(Origin.ofUrl(url))}, where ${which}: ${rule}`
  }
  const path = withoutFinalSlash(url.pathname)
  const configuredPath = withoutFinalSlash(configured.pathname)
  if (path !== configuredPath) {
    const how = path.toLowerCase() === configuredPath.toLowerCase() ? "its path in another case" : "another path"
    return `at the same origin with ${how}: ${rule}`
  }
  if (url.search !== "" || url.hash !== "") return `at the same origin with a query or fragment: ${rule}`
  // the same URL once parsed: the text differs
  const authority = /^[^:]*:\/\/[^/?#]*/.exec(published)?.[0] ?? ""
  const how = authority !== authority.toLowerCase()
    ? "its scheme or host in another case"
    : /:(80|443)$/.test(authority)
    ? "the default port written out"
    : "another spelling (percent-encoding, or characters the URL parser rewrites)"
  return `the same URL written with ${how}: ${rule}`
}

/** The token endpoint, or what is wrong with it (the origin at most: a path or query may hold a credential). */
const checkTokenEndpoint = (
  value: unknown,
  { allowInsecureHttp, issuer, requireSameOriginTokenEndpoint }: Options,
  server: (text: string) => string
): URL | string => {
  if (typeof value !== "string" || value === "") return "token_endpoint is missing or not a string"
  if (!URL.canParse(value)) return "token_endpoint is not an absolute URL"
  const url = new URL(value)
  if (url.protocol !== "https:" && url.protocol !== "http:") return "token_endpoint is not an http(s) URL"
  if (url.username !== "" || url.password !== "") return "token_endpoint carries credentials"
  if (url.hash !== "") return "token_endpoint has a fragment (RFC 6749 §3.2)"
  if (!allowInsecureHttp && !isSecureOrLoopback(url)) {
    return `token_endpoint ${server(Origin.ofUrl(url))} does not use https (nor http on a loopback host); ` +
      "set allowInsecureHttp to allow http"
  }
  // plain http on this machine is for an issuer on this machine: an https issuer elsewhere must not send
  // credentials in clear to whatever listens here
  if (!allowInsecureHttp && url.protocol === "http:" && issuer.protocol === "https:") {
    return `token_endpoint ${server(Origin.ofUrl(url))} is plain http while the issuer uses https; ` +
      "set allowInsecureHttp to allow it"
  }
  if (requireSameOriginTokenEndpoint === true && Origin.ofUrl(url) !== Origin.ofUrl(issuer)) {
    return `token_endpoint is at ${server(Origin.ofUrl(url))}, not at the issuer's origin, ` +
      "and requireSameOriginTokenEndpoint is set"
  }
  return url
}

/** A list of strings, `undefined` when absent (or `null`), `"invalid"` when anything else. */
const stringList = (value: unknown): ReadonlyArray<string> | undefined | "invalid" => {
  if (value === undefined || value === null) return undefined
  return Array.isArray(value) && value.every(Predicate.isString) ? value : "invalid"
}
