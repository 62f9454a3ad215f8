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
 * How long metadata is kept, when it is read again, and the states, transitions and invariants of the metadata held
 * (`Unknown`, `Discovering`, `Known`, `Kept`, `Rereading`): `@effect-oauth2/core/discoveryState`, whose transitions
 * `IssuerMetadata` applies, times on the `Clock`'s monotonic time (`monotonic.ts`). What this shell adds:
 * - A read runs on a fiber of the scope `make` ran in (`sharedWork.ts`), with the scope's context, and ends with its
 *   retries and timeouts, or with the scope; never with a caller. The waiters of a discovery are a `Shared`; a caller
 *   that is interrupted stops waiting at once, and the others still get the result. Once the scope is closed, a read
 *   is interrupted before it starts, and so are the callers that wait for one.
 * - A read belongs to the trace of the caller that starts it (a token fetch).
 * - At most one read at a time: one request per URL tried, plus retries.
 * - Every error names the issuer's origin, never its path or query; every log, origins only.
 */
import * as DiscoveryState from "@effect-oauth2/core/discoveryState"
import * as MetadataRules from "@effect-oauth2/core/metadata"
import * as Redactor from "@effect-oauth2/core/redactor"
import * as Urls from "@effect-oauth2/core/urls"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import * as EffectLine from "./effectLine.js"
import * as Http from "./http.js"
import * as HttpLine from "./httpLine.js"
import * as Monotonic from "./monotonic.js"
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

/** The least time between the starts of two reads of the metadata (`@effect-oauth2/core/discoveryState`). */
export const rereadCooldown: Duration.Duration = Duration.millis(DiscoveryState.rereadCooldownMillis)

/**
 * How long a metadata response may be kept: its `Cache-Control` `max-age`, held to [`minMetadataAge`,
 * `maxMetadataAge`]; `no-cache` or `no-store`, `minMetadataAge`; none, `maxMetadataAge`.
 */
export const maxAgeOf = (cacheControl: string | undefined): Duration.Duration =>
  Duration.seconds(MetadataRules.maxAgeSecondsOf(cacheControl))

/**
 * Whether `error`, from a token request to the token endpoint the metadata named, says that endpoint may have moved:
 * it answered 404 or 410, or no answer came (a `Transport` failure with no status, a `Timeout`) after the retries
 * (`@effect-oauth2/core/discoveryState`'s `endpointGone`).
 */
export const isEndpointGone = (error: unknown): boolean =>
  (TokenError.isTokenError(error) || NetworkError.isNetworkError(error)) && DiscoveryState.endpointGone(error)

/** One place metadata may be found. */
export type Location = MetadataRules.Location

/** The URLs tried, in order: RFC 8414's, then OpenID Connect's (`@effect-oauth2/core/metadata`). */
export const locations: (issuer: URL) => readonly [Location, Location] = MetadataRules.locations

/** The callers waiting for a discovery. */
type Waiters = Shared<Metadata, DiscoveryError>

/** The metadata held (`@effect-oauth2/core/discoveryState`): served as an effect built once per read. */
type State = DiscoveryState.State<Waiters, Effect.Effect<Metadata>>

/** A read in flight, owned by the state it serves. */
type Reading = DiscoveryState.Reading<Waiters, Effect.Effect<Metadata>>

/** A transition for a caller or `endpointFailed`. */
type CallStep = DiscoveryState.Step<
  Waiters,
  Effect.Effect<Metadata>,
  DiscoveryState.CallAction<Waiters, Effect.Effect<Metadata>>
>

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

const logAt = { Debug: Effect.logDebug, Info: Effect.logInfo, Warning: Effect.logWarning } as const

/** How a read ended, as the core's transition takes it. */
const readEndOf = (exit: Exit.Exit<Read, DiscoveryError>): DiscoveryState.ReadEnd<Effect.Effect<Metadata>> => {
  if (Exit.isSuccess(exit)) {
    const { maxAge, metadata } = exit.value
    return { _tag: "Success", metadata, maxAgeMillis: Duration.toMillis(maxAge), serve: Effect.succeed(metadata) }
  }
  if (EffectLine.exitHasInterrupts(exit)) return { _tag: "Interrupted" }
  const failure = Cause.squash(exit.cause)
  return {
    _tag: "Failure",
    failure: TokenError.isTokenError(failure) || NetworkError.isNetworkError(failure) ? failure.message : undefined
  }
}

const newWaiters = (): Waiters => new Shared()

/** What a caller would get from a step that gave it no answer: none does (`call` always serves or waits). */
const noAnswer = Effect.die(new Error("discovery: a caller was given no answer"))

/**
 * The issuer's metadata and the reads of it: the state, replaced by the core's transitions, and their actions done.
 * See the module's comment.
 */
class IssuerMetadata implements Discovery {
  private state: State = DiscoveryState.unknown
  private readonly issuerOrigin: string

  constructor(
    private readonly read: Effect.Effect<Read, DiscoveryError>,
    private readonly fibers: LayerFibers<Reading>,
    private readonly issuer: URL
  ) {
    this.issuerOrigin = Urls.origin(issuer)
  }

  readonly metadata: Effect.Effect<Metadata, DiscoveryError> = Effect.clockWith((clock) =>
    EffectLine.withFiber<Metadata, DiscoveryError>((fiber) =>
      this.apply(DiscoveryState.call(this.state, Monotonic.nowUnsafe(clock), newWaiters), fiber)
    )
  )

  readonly endpointFailed = (failed: Metadata): Effect.Effect<void> =>
    Effect.clockWith((clock) =>
      EffectLine.withFiber((fiber) => {
        this.apply(DiscoveryState.endpointFailed(this.state, failed, Monotonic.nowUnsafe(clock)), fiber)
        return Effect.void
      })
    )

  /** Takes `step`'s state, starts its read, and answers the caller as it says (a caller always has an answer). */
  private apply(
    step: CallStep,
    // a read belongs to the trace of the caller that starts it (a token fetch)
    fiber: EffectLine.FiberOf<unknown, unknown>
  ): Effect.Effect<Metadata, DiscoveryError> {
    this.state = step.state
    let answer: Effect.Effect<Metadata, DiscoveryError> = noAnswer
    for (const action of step.actions) {
      switch (action._tag) {
        case "StartRead":
          this.startRead(action.reading, Telemetry.traceOf(fiber))
          break
        case "Serve":
          answer = action.serve
          break
        case "Wait":
          answer = action.waiters.await(() => {})
          break
      }
    }
    return answer
  }

  /** Runs `reading` on a fiber of the scope; once it is closed, the read ends at once, interrupted. */
  private startRead(reading: Reading, trace: Telemetry.Trace): void {
    start(
      this.fibers,
      reading,
      Telemetry.discovery(this.read, { trace, host: this.issuer.hostname }),
      (exit) => Effect.suspend(() => this.readEnded(reading, exit))
    )
  }

  /** The transition at the end of `reading`: its waiters settled, and what to log. */
  private readEnded(reading: Reading, exit: Exit.Exit<Read, DiscoveryError>): Effect.Effect<void> {
    const step = DiscoveryState.readEnded(this.state, reading, readEndOf(exit))
    this.state = step.state
    let logs: Effect.Effect<void> = Effect.void
    for (const action of step.actions) {
      if (action._tag === "Settle") {
        action.waiters.complete(Exit.map(exit, (read) => read.metadata))
      } else {
        const entry = DiscoveryState.logOf(action, this.issuerOrigin)
        logs = Effect.andThen(logs, logAt[entry.level](entry.message).pipe(Effect.annotateLogs(entry.annotations)))
      }
    }
    return logs
  }
}

/**
 * The issuer's metadata, discovered at the first call and kept, read again when stale or when the token endpoint
 * stops working, for the life of the scope `make` runs in (its reads run with the context `make` ran with, and stop
 * with its scope); failures are not kept. See the module's comment.
 */
export const make = (
  client: EffectLine.HttpClient.HttpClient,
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
  client: EffectLine.HttpClient.HttpClient,
  call: Http.Call,
  location: Location
): Effect.Effect<Option.Option<Fetched>, DiscoveryError> =>
  Effect.gen(function*() {
    const request = HttpLine.getJson(location.url)
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
const discoverer = (
  client: EffectLine.HttpClient.HttpClient,
  options: Options
): Effect.Effect<Read, DiscoveryError> => {
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
