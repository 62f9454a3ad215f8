/**
 * Discovery: the token endpoint and client authentication methods of an `issuer`, from its authorization server
 * metadata (RFC 8414), or from its OpenID Connect configuration when it has none. Knows the models only.
 *
 * Where: for issuer `https://h/tenant`, first `https://h/.well-known/oauth-authorization-server/tenant` (RFC 8414
 * §3.1: the well-known segment between host and path), then, only when that answers 404,
 * `https://h/tenant/.well-known/openid-configuration` (OpenID Connect Discovery §4). A `/` that ends the issuer's
 * path is dropped first, so `https://h` and `https://h/` both ask `https://h/.well-known/oauth-authorization-server`.
 *
 * What is checked (`@effect-oauth2/core/metadata`: the answer, not a redirect; the document, a JSON object of at most
 * 1 MiB; its `issuer`; its `token_endpoint` under the https rule and, with `requireSameOriginTokenEndpoint`, on the
 * issuer's origin; the configured method among those it lists): each problem is a `TokenError` that is not retried,
 * `Discovery`, or `UnsupportedAuthMethod` for the method.
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
 *   callers wait for its outcome (`shared`).
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
import * as MetadataRules from "@effect-oauth2/core/metadata"
import * as Redactor from "@effect-oauth2/core/redactor"
import * as Urls from "@effect-oauth2/core/urls"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import * as Http from "./http.js"
import { withRetries } from "./retryPolicy.js"
import { type LayerFibers, layerFibers, Shared, start } from "./sharedWork.js"
import * as Telemetry from "./telemetry.js"

/** What discovery found: what the token request needs to know about the authorization server. */
export type Metadata = MetadataRules.Metadata

/** What discovery needs to know: what the metadata must fit, and how to read it. */
export interface Options extends MetadataRules.Expected {
  readonly retry: Schedule.Schedule<unknown, NetworkError.NetworkError>
  /** The timeout of each attempt of each metadata request. */
  readonly requestTimeout: Duration.Duration
  /** Counts the retries; absent, none are counted. */
  readonly telemetry?: Telemetry.Telemetry
}

/** What a discovery can fail with. */
export type DiscoveryError = TokenError.TokenError | NetworkError.NetworkError

/** How long metadata is kept when its response says nothing of it, and the most it is kept whatever it says. */
export const maxMetadataAge: Duration.Duration = Duration.seconds(MetadataRules.maxAgeSeconds)

/** The least metadata is kept, whatever its response says (`max-age=0`, `no-cache`, `no-store`). */
export const minMetadataAge: Duration.Duration = Duration.seconds(MetadataRules.minAgeSeconds)

/** The least time between the starts of two reads of the metadata. */
export const rereadCooldown: Duration.Duration = Duration.seconds(30)

/**
 * How long a metadata response may be kept: its `Cache-Control` `max-age`, held to [`minMetadataAge`,
 * `maxMetadataAge`]; `no-cache` or `no-store`, `minMetadataAge`; none, `maxMetadataAge`.
 */
export const maxAgeOf = (cacheControl: string | undefined): Duration.Duration =>
  Duration.seconds(MetadataRules.maxAgeSecondsOf(cacheControl))

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
export type Location = MetadataRules.Location

/** The URLs tried, in order: RFC 8414's, then OpenID Connect's (`@effect-oauth2/core/metadata`). */
export const locations: (issuer: URL) => readonly [Location, Location] = MetadataRules.locations

interface Unknown {
  readonly _tag: "Unknown"
}

interface Discovering {
  readonly _tag: "Discovering"
  readonly shared: Shared<Metadata, DiscoveryError>
  /** When this read started, in monotonic nanoseconds. */
  readonly startedAt: bigint
}

/** `Known`, or `Kept` after a re-read that failed: metadata served at once. */
interface Served {
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
  readonly from: Served
  readonly startedAt: bigint
}

type State = Unknown | Discovering | Served | Rereading

/** A read in flight, owned by the state it serves. */
type Reading = Discovering | Rereading

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

const originOf = (metadata: Metadata): string => Urls.origin(metadata.tokenEndpoint)

const known = (read: Read, startedAt: bigint): Served => ({
  _tag: "Known",
  metadata: read.metadata,
  succeed: Effect.succeed(read.metadata),
  readAt: startedAt,
  staleAt: startedAt + nanos(read.maxAge)
})

/** Where the token endpoint is, said when it is first known and when a re-read finds it moved. */
const logFound = (issuerOrigin: string, metadata: Metadata, before: Metadata | undefined): Effect.Effect<void> => {
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

/** A re-read that failed, logged: at warning after good metadata, at debug after a failure (once per run of them). */
const logRereadFailed = (
  issuerOrigin: string,
  from: Served,
  cause: Cause.Cause<DiscoveryError>
): Effect.Effect<void> => {
  const failure = Cause.squash(cause)
  const log = from._tag === "Known" ? Effect.logWarning : Effect.logDebug
  return log("effect-oauth2: reading the issuer's metadata again failed; keeping the metadata read before").pipe(
    Effect.annotateLogs({
      issuer: issuerOrigin,
      error: TokenError.isTokenError(failure) || NetworkError.isNetworkError(failure) ? failure.message : "a defect"
    })
  )
}

/** The issuer's metadata and the reads of it. See the module's comment for its states and transitions. */
class IssuerMetadata implements Discovery {
  private state: State = unknown
  private readonly issuerOrigin: string

  constructor(
    private readonly read: Effect.Effect<Read, DiscoveryError>,
    private readonly fibers: LayerFibers<Reading>,
    private readonly issuer: URL
  ) {
    this.issuerOrigin = Urls.origin(issuer)
  }

  // a read belongs to the trace of the caller that starts it (a token fetch)
  readonly metadata: Effect.Effect<Metadata, DiscoveryError> = Effect.clockWith((clock) =>
    Effect.withFiberRuntime<Metadata, DiscoveryError>((fiber) => {
      const current = this.state
      switch (current._tag) {
        case "Known":
        case "Kept": {
          const now = clock.unsafeCurrentTimeNanos()
          if (now >= current.staleAt) this.reread(current, now, Telemetry.traceOf(fiber))
          return current.succeed
        }
        case "Rereading":
          return current.from.succeed
        case "Discovering":
          return current.shared.await(() => {})
        case "Unknown": {
          const discovering: Discovering = {
            _tag: "Discovering",
            shared: new Shared(),
            startedAt: clock.unsafeCurrentTimeNanos()
          }
          this.startRead(discovering, Telemetry.traceOf(fiber))
          return discovering.shared.await(() => {})
        }
      }
    })
  )

  readonly endpointFailed = (failed: Metadata): Effect.Effect<void> =>
    Effect.clockWith((clock) =>
      Effect.withFiberRuntime((fiber) => {
        const current = this.state
        if ((current._tag === "Known" || current._tag === "Kept") && current.metadata === failed) {
          this.reread(current, clock.unsafeCurrentTimeNanos(), Telemetry.traceOf(fiber))
        }
        return Effect.void
      })
    )

  private reread(from: Served, now: bigint, trace: Telemetry.Trace): void {
    if (now - from.readAt >= nanos(rereadCooldown)) this.startRead({ _tag: "Rereading", from, startedAt: now }, trace)
  }

  /** Runs `reading` on a fiber of the scope; once it is closed, the read ends at once, interrupted. */
  private startRead(reading: Reading, trace: Telemetry.Trace): void {
    this.state = reading
    start(
      this.fibers,
      reading,
      Telemetry.discovery(this.read, { trace, host: this.issuer.hostname }),
      (exit) => Effect.suspend(() => this.readEnded(reading, exit))
    )
  }

  /** The transition at the end of `reading`, if it is still the state; what to log about it. */
  private readEnded(reading: Reading, exit: Exit.Exit<Read, DiscoveryError>): Effect.Effect<void> {
    const current = this.state === reading
    if (reading._tag === "Discovering") {
      if (current) this.state = Exit.isSuccess(exit) ? known(exit.value, reading.startedAt) : unknown
      reading.shared.complete(Exit.map(exit, (read) => read.metadata))
      return current && Exit.isSuccess(exit) ? logFound(this.issuerOrigin, exit.value.metadata, undefined) : Effect.void
    }
    if (!current) return Effect.void
    const { from } = reading
    if (Exit.isSuccess(exit)) {
      this.state = known(exit.value, reading.startedAt)
      const again = from._tag === "Kept"
        ? Effect.logInfo("effect-oauth2: the issuer's metadata was read again").pipe(
          Effect.annotateLogs({ issuer: this.issuerOrigin })
        )
        : Effect.void
      return Effect.zipRight(again, logFound(this.issuerOrigin, exit.value.metadata, from.metadata))
    }
    if (Exit.isInterrupted(exit)) {
      this.state = from
      return Effect.void
    }
    this.state = { ...from, _tag: "Kept", readAt: reading.startedAt }
    return logRereadFailed(this.issuerOrigin, from, exit.cause)
  }
}

/**
 * The issuer's metadata, discovered at the first call and kept, read again when stale or when the token endpoint
 * stops working, for the life of the scope `make` runs in (its reads run with the context `make` ran with, and stop
 * with its scope); failures are not kept. See the module's comment.
 */
export const make = (
  client: HttpClient.HttpClient,
  options: Options
): Effect.Effect<Discovery, never, Scope.Scope> =>
  Effect.map(
    layerFibers<Reading>(),
    (fibers): Discovery => new IssuerMetadata(discoverer(client, options), fibers, options.issuer)
  )

/** A metadata document as read: its body as JSON, and how long it may be kept. */
interface Fetched {
  readonly body: unknown
  readonly maxAge: Duration.Duration
}

const discoveryError = (call: Http.Call, detail: string, status?: number): TokenError.TokenError =>
  new TokenError.TokenError({
    reason: "Discovery",
    origin: call.origin,
    ...(status === undefined ? {} : { status }),
    detail
  })

/** The document at `location` as read, or `None` for a 404; one request, no retry. */
const fetchDocument = (
  client: HttpClient.HttpClient,
  call: Http.Call,
  location: Location
): Effect.Effect<Option.Option<Fetched>, DiscoveryError> =>
  Effect.gen(function*() {
    const request = HttpClientRequest.get(location.url).pipe(HttpClientRequest.acceptJson)
    const { followedRedirect, response } = yield* Http.send(client, request, call)
    const { status } = response
    const refused = (problem: Parameters<typeof MetadataRules.answerProblem>[1]) =>
      discoveryError(call, MetadataRules.answerProblem(location.document, problem), status)
    if (followedRedirect) return yield* refused("FollowedRedirect")
    const answer = MetadataRules.answerOf(status, location.document)
    switch (answer._tag) {
      case "NotFound":
        return Option.none()
      case "Retryable":
        return yield* Http.tryLater(response, call)
      case "Refused":
        return yield* discoveryError(call, answer.problem, status)
      case "Document": {
        const body = yield* Http.readJson(response, MetadataRules.maxDocumentBytes, call, {
          tooLarge: () => refused("TooLarge"),
          notJson: () => refused("NotJson")
        })
        return Option.some({ body, maxAge: maxAgeOf(response.headers["cache-control"]) })
      }
    }
  }).pipe(Effect.scoped)

/** The document's fields, checked (`@effect-oauth2/core/metadata`), with how long the metadata may be kept. */
const checkDocument = (
  fetched: Fetched,
  location: Location,
  options: Options,
  call: Http.Call
): Effect.Effect<Read, TokenError.TokenError> => {
  const checked = MetadataRules.check(fetched.body, options, location.document)
  switch (checked._tag) {
    case "Valid":
      return Effect.succeed({ metadata: checked.value, maxAge: fetched.maxAge })
    case "Invalid":
      return Effect.fail(discoveryError(call, checked.problem))
    case "UnsupportedAuthMethod":
      return Effect.fail(
        new TokenError.TokenError({ reason: "UnsupportedAuthMethod", origin: call.origin, detail: checked.problem })
      )
  }
}

/** One read, from the first URL to checked metadata: RFC 8414's document, then, on a 404, OpenID Connect's. */
const discoverer = (client: HttpClient.HttpClient, options: Options): Effect.Effect<Read, DiscoveryError> => {
  const origin = Urls.origin(options.issuer)
  // texts from the server go the one redaction path, with no value to hide here: cut to a bound
  const call: Http.Call = { source: "Discovery", origin, redactor: Redactor.make([]) }
  const attempt = (location: Location) =>
    withRetries(fetchDocument(client, call, location), {
      schedule: options.retry,
      timeout: options.requestTimeout,
      origin,
      source: "Discovery",
      ...(options.telemetry === undefined ? {} : { observer: options.telemetry.attempts(options.issuer.hostname) })
    })
  const [rfc8414, openId] = locations(options.issuer)
  return Effect.gen(function*() {
    const first = yield* attempt(rfc8414)
    if (Option.isSome(first)) return yield* checkDocument(first.value, rfc8414, options, call)
    const second = yield* attempt(openId)
    if (Option.isSome(second)) return yield* checkDocument(second.value, openId, options, call)
    return yield* discoveryError(call, MetadataRules.noMetadataProblem, 404)
  })
}
