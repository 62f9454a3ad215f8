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
 * How long metadata is kept: until its maximum age, the response's `Cache-Control: max-age` held to [1 minute,
 * 24 hours] (`no-cache` or `no-store`: 1 minute; none: 24 hours), measured on the `Clock`'s monotonic time from when
 * the read started; and until the token endpoint it names stops working (`endpointFailed`: it answered 404 or 410, or
 * no answer came, after the retries). Either reads the metadata again, in the background, at most once per
 * `rereadCooldown` (30 seconds) from the start of the last read: the token endpoint can move, and an issuer's metadata
 * is the place that says where to.
 *
 * States (`state`; every transition replaces the whole value):
 * - `Unknown`: nothing known, nothing in flight.
 * - `Discovering`: the first discovery (or the first after a failed one) runs on a fiber of the scope `make` ran in;
 *   callers wait for its `result`.
 * - `Known`: the metadata, from the last read, served at once; with when that read started and when it goes stale.
 * - `Kept`: the same, after a re-read that failed: the metadata served is the last good one.
 * - `Rereading`: a re-read runs on a fiber of the scope, from `Known` or `Kept` (`from`), whose metadata callers are
 *   served at once meanwhile.
 *
 * Transitions:
 * - `Unknown` — a caller → `Discovering`.
 * - `Discovering` — good metadata → `Known`; any failure (a `TokenError`, a `NetworkError` after the retries, a
 *   defect, an interruption by the scope's end) → `Unknown`: nothing is kept, the next caller discovers again.
 * - `Known` or `Kept` — a caller once the metadata is stale, or `endpointFailed` for its metadata, each only after the
 *   cool-down since its read started → `Rereading`.
 * - `Rereading` — good metadata → `Known` (a new `Metadata`); a failure → `Kept` (logged at warning from `Known`, at
 *   debug from `Kept`: once per run of failures), with the metadata of `from` and the time this read started, so the
 *   cool-down runs from it; an interruption by the scope's end → `from`.
 *
 * Invariants:
 * - At most one read at a time, whatever the number of callers: one request per URL tried, plus retries.
 * - Once metadata is known, no caller waits for discovery again, and a failed re-read never replaces it.
 * - Reads run with the scope's context and end with their retries and timeouts, or with the scope; never with a
 *   caller. A caller that is interrupted stops waiting at once, and the others still get the result. Once the scope is
 *   closed, a read is interrupted before it starts, and so are the callers that wait for one.
 * - `endpointFailed` about metadata that is no longer the one served changes nothing.
 * - Every error names the issuer's origin, never its path or query; every log, origins only.
 */
import * as Redactor from "@effect-oauth2/core/redactor"
import * as TokenResponse from "@effect-oauth2/core/tokenResponse"
import { isSecureOrLoopback } from "@effect-oauth2/core/urls"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import * as Http from "./http.js"
import * as Origin from "./origin.js"
import { withRetries } from "./retryPolicy.js"
import * as Telemetry from "./telemetry.js"

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

/** How long metadata is kept when its response says nothing of it, and the most it is kept whatever it says. */
export const maxMetadataAge: Duration.Duration = Duration.hours(24)

/** The least metadata is kept, whatever its response says (`max-age=0`, `no-cache`, `no-store`). */
export const minMetadataAge: Duration.Duration = Duration.minutes(1)

/** The least time between the starts of two reads of the metadata. */
export const rereadCooldown: Duration.Duration = Duration.seconds(30)

/**
 * How long a metadata response may be kept: its `Cache-Control` `max-age`, held to [`minMetadataAge`,
 * `maxMetadataAge`]; `no-cache` or `no-store`, `minMetadataAge`; none, `maxMetadataAge`.
 */
export const maxAgeOf = (cacheControl: string | undefined): Duration.Duration => {
  if (cacheControl === undefined) return maxMetadataAge
  const directives = cacheControl.split(",").map((directive) => directive.trim().toLowerCase())
  if (directives.some((directive) => directive === "no-cache" || directive === "no-store")) return minMetadataAge
  const seconds = directives.map((directive) => /^max-age\s*=\s*"?(\d+)"?$/.exec(directive)?.[1]).find(
    Predicate.isString
  )
  if (seconds === undefined) return maxMetadataAge
  return Duration.clamp(Duration.seconds(Number(seconds)), { minimum: minMetadataAge, maximum: maxMetadataAge })
}

/**
 * Whether `error`, from a token request to the token endpoint the metadata named, says that endpoint may have moved:
 * it answered 404 or 410, or no answer came (a `Transport` failure with no status, a `Timeout`) after the retries.
 */
export const isEndpointGone = (error: unknown): boolean =>
  TokenError.isTokenError(error)
    ? error.reason === "InvalidResponse" && (error.status === 404 || error.status === 410)
    : NetworkError.isNetworkError(error) && error.source === "TokenEndpoint" &&
      (error.reason === "Timeout" || error.reason === "Transport" && error.status === undefined)

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
  /** When this read started, in monotonic nanoseconds. */
  readonly startedAt: bigint
}

/** `Known`, or `Kept` after a re-read that failed: metadata served at once. */
interface Held {
  readonly _tag: "Known" | "Kept"
  readonly metadata: Metadata
  /** The metadata, as an effect built once. */
  readonly succeed: Effect.Effect<Metadata>
  /** When the last read started (good for `Known`, failed for `Kept`), in monotonic nanoseconds. */
  readonly readAt: bigint
  /** From when a caller starts a re-read, in monotonic nanoseconds. */
  readonly staleAt: bigint
}

interface Rereading {
  readonly _tag: "Rereading"
  readonly from: Held
  readonly startedAt: bigint
}

type State = Unknown | Discovering | Held | Rereading

const unknown: Unknown = { _tag: "Unknown" }

/** What one read found: the metadata, and how long it may be kept. */
interface Read {
  readonly metadata: Metadata
  readonly maxAge: Duration.Duration
}

/** The issuer's metadata, as `make` keeps it. */
export interface Discovery {
  /**
   * The metadata: at once when it is known (starting a re-read in the background when it is stale), else the result
   * of the discovery under way or started now. Failures are not kept.
   */
  readonly metadata: Effect.Effect<Metadata, DiscoveryError>
  /**
   * Says that the token endpoint `metadata` names has stopped working (`isEndpointGone`): reads the metadata again in
   * the background, unless `metadata` is no longer the one served or the last read started within the cool-down.
   */
  readonly endpointFailed: (metadata: Metadata) => Effect.Effect<void>
}

const nanos = (duration: Duration.Duration): bigint => Duration.unsafeToNanos(duration)

const originOf = (metadata: Metadata): string => Origin.ofUrl(metadata.tokenEndpoint)

/**
 * The issuer's metadata, discovered at the first call and kept, read again when stale or when the token endpoint
 * stops working, for the life of the scope `make` runs in; failures are not kept. See the module's comment.
 */
export const make = (
  client: HttpClient.HttpClient,
  options: Options
): Effect.Effect<Discovery, never, Scope.Scope> =>
  Effect.gen(function*() {
    const discover = discoverer(client, options)
    const issuerOrigin = Origin.ofUrl(options.issuer)
    // the discovery runs here, with the context `make` ran with, and stops with its scope
    const fibers = yield* FiberSet.make<void>()
    const run = yield* FiberSet.runtime(fibers)<never>()
    let state: State = unknown

    const known = (read: Read, startedAt: bigint): Held => ({
      _tag: "Known",
      metadata: read.metadata,
      succeed: Effect.succeed(read.metadata),
      readAt: startedAt,
      staleAt: startedAt + nanos(read.maxAge)
    })

    /** Where the token endpoint is, said when it is first known and when a re-read finds it moved. */
    const found = (metadata: Metadata, before: Metadata | undefined): Effect.Effect<void> => {
      const origin = originOf(metadata)
      const where = origin === issuerOrigin ? "the issuer's origin" : "another origin than the issuer's"
      if (before === undefined) {
        return Effect.logDebug(`effect-oauth2: the token endpoint is on ${where}`).pipe(
          Effect.annotateLogs({ issuer: issuerOrigin, tokenEndpoint: origin })
        )
      }
      return before.tokenEndpoint.href === metadata.tokenEndpoint.href
        ? Effect.void
        : Effect.logInfo(`effect-oauth2: the issuer's metadata names another token endpoint, on ${where}; using it`)
          .pipe(Effect.annotateLogs({ issuer: issuerOrigin, tokenEndpoint: origin, before: originOf(before) }))
    }

    /** The transition at the end of `reading`, if it is still the state; what to log about it. */
    const settle = (reading: Discovering | Rereading, exit: Exit.Exit<Read, DiscoveryError>): Effect.Effect<void> => {
      const current = state === reading
      if (reading._tag === "Discovering") {
        if (current) state = Exit.isSuccess(exit) ? known(exit.value, reading.startedAt) : unknown
        Deferred.unsafeDone(reading.result, Exit.map(exit, (read) => read.metadata))
        return current && Exit.isSuccess(exit) ? found(exit.value.metadata, undefined) : Effect.void
      }
      if (!current) return Effect.void
      const { from } = reading
      if (Exit.isSuccess(exit)) {
        state = known(exit.value, reading.startedAt)
        const again = from._tag === "Kept"
          ? Effect.logInfo("effect-oauth2: the issuer's metadata was read again").pipe(
            Effect.annotateLogs({ issuer: issuerOrigin })
          )
          : Effect.void
        return Effect.zipRight(again, found(exit.value.metadata, from.metadata))
      }
      if (Exit.isInterrupted(exit)) {
        state = from
        return Effect.void
      }
      state = { ...from, _tag: "Kept", readAt: reading.startedAt }
      const failure = Cause.squash(exit.cause)
      const log = from._tag === "Known" ? Effect.logWarning : Effect.logDebug
      return log("effect-oauth2: reading the issuer's metadata again failed; keeping the metadata read before").pipe(
        Effect.annotateLogs({
          issuer: issuerOrigin,
          error: TokenError.isTokenError(failure) || NetworkError.isNetworkError(failure)
            ? failure.message
            : "a defect"
        })
      )
    }

    const start = (reading: Discovering | Rereading, trace: Telemetry.Trace): void => {
      state = reading
      const fiber = run(
        Telemetry.discovery(discover, { trace, host: options.issuer.hostname }).pipe(
          Effect.onExit((exit) => Effect.suspend(() => settle(reading, exit))),
          Effect.exit,
          Effect.asVoid
        )
      )
      // the scope is closed: the fiber was interrupted before it ran, and so are the callers
      if (fiber.unsafePoll() !== null && state === reading) settle(reading, Exit.interrupt(FiberId.none))
    }

    const reread = (from: Held, now: bigint, trace: Telemetry.Trace): void => {
      if (now - from.readAt >= nanos(rereadCooldown)) start({ _tag: "Rereading", from, startedAt: now }, trace)
    }

    // a read belongs to the trace of the caller that starts it (a token fetch)
    const metadata = Effect.clockWith((clock) =>
      Effect.withFiberRuntime<Metadata, DiscoveryError>((fiber) => {
        const current = state
        switch (current._tag) {
          case "Known":
          case "Kept": {
            const now = clock.unsafeCurrentTimeNanos()
            if (now >= current.staleAt) reread(current, now, Telemetry.traceOf(fiber))
            return current.succeed
          }
          case "Rereading":
            return current.from.succeed
          case "Discovering":
            return Deferred.await(current.result)
          case "Unknown": {
            const discovering: Discovering = {
              _tag: "Discovering",
              result: Deferred.unsafeMake(FiberId.none),
              startedAt: clock.unsafeCurrentTimeNanos()
            }
            start(discovering, Telemetry.traceOf(fiber))
            return Deferred.await(discovering.result)
          }
        }
      })
    )

    const endpointFailed = (failed: Metadata): Effect.Effect<void> =>
      Effect.clockWith((clock) =>
        Effect.withFiberRuntime((fiber) => {
          const current = state
          if ((current._tag === "Known" || current._tag === "Kept") && current.metadata === failed) {
            reread(current, clock.unsafeCurrentTimeNanos(), Telemetry.traceOf(fiber))
          }
          return Effect.void
        })
      )

    return { metadata, endpointFailed }
  })

/** One read, from the first URL to checked metadata. */
const discoverer = (client: HttpClient.HttpClient, options: Options): Effect.Effect<Read, DiscoveryError> => {
  const origin = Origin.ofUrl(options.issuer)
  // texts from the server go the one redaction path, with no value to hide here: cut to a bound
  const redactor = Redactor.make([])
  const [rfc8414, openId] = locations(options.issuer)

  const discoveryError = (detail: string, status?: number) =>
    new TokenError.TokenError({
      reason: "Discovery",
      origin,
      ...(status === undefined ? {} : { status }),
      detail
    })

  const call: Http.Call = { source: "Discovery", origin, redactor }

  /** The document's body as JSON and how long it may be kept, or `None` for a 404. */
  const fetchDocument = (
    location: Location
  ): Effect.Effect<Option.Option<{ readonly body: unknown; readonly maxAge: Duration.Duration }>, DiscoveryError> =>
    Effect.gen(function*() {
      const request = HttpClientRequest.get(location.url).pipe(HttpClientRequest.acceptJson)
      const { followedRedirect, response } = yield* Http.send(client, request, call)
      const status = response.status
      if (followedRedirect) {
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
      if (status >= 200 && status < 300) {
        const body = yield* Http.readJson(response, maxDocumentBytes, call, {
          tooLarge: () => discoveryError(`the ${location.document} is larger than 1 MiB`, status),
          notJson: () => discoveryError(`the ${location.document} is not JSON`, status)
        })
        return Option.some({ body, maxAge: maxAgeOf(response.headers["cache-control"]) })
      }
      if (TokenResponse.classify(status) === "Retryable") return yield* Http.tryLater(response, call)
      return yield* discoveryError(`the ${location.document} answered HTTP ${status}`, status)
    }).pipe(Effect.scoped)

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
    const server = (text: string) => redactor.cut(text, maxServerTextBytes)
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

  const checked = (document: { readonly body: unknown; readonly maxAge: Duration.Duration }, location: Location) =>
    Effect.map(check(document.body, location), (metadata): Read => ({ metadata, maxAge: document.maxAge }))

  return Effect.gen(function*() {
    const first = yield* attempt(rfc8414)
    if (Option.isSome(first)) return yield* checked(first.value, rfc8414)
    const second = yield* attempt(openId)
    if (Option.isSome(second)) return yield* checked(second.value, openId)
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
