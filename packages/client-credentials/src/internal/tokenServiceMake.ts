/**
 * How `TokenService` is made, on each line: the token endpoint with its retries, discovery, the engine every cell
 * shares, `getFor` and `invalidate`. When a token is fetched is the cells' business (`tokenCell.ts`); which cell a
 * call goes to is this module's, and where the cells are kept is each line's `tokenService.ts`'s (`Line.cells`).
 * Knows the token endpoint and the models; nothing of `AuthorizedClient`.
 *
 * The configured request's cell is held for the layer's life, and `get` goes straight to it: it is never dropped.
 * Every other request's cell is kept by the line's cache of `cacheCapacity` cells, the least recently used dropped
 * first: a request used again after its cell was dropped gets a new, empty one. While a cell is kept, every change of
 * its token happens inside it, so however often tokens are dropped and fetched again nothing accumulates;
 * `invalidate` drops a token in its cell, which stays (with the rejection that protects the next token:
 * `@effect-oauth2/core/tokenState`).
 */
import type { Checked } from "@effect-oauth2/core/checked"
import type * as CoreTelemetry from "@effect-oauth2/core/telemetry"
import * as TokenRequestRules from "@effect-oauth2/core/tokenRequest"
import * as TokenState from "@effect-oauth2/core/tokenState"
import * as Urls from "@effect-oauth2/core/urls"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import type * as AccessToken from "../AccessToken.js"
import type * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import type * as TokenRequest from "../TokenRequest.js"
import type * as TokenService from "../TokenService.js"
import type * as TokenStore from "../TokenStore.js"
import * as clientAuthentication from "./clientAuthentication.js"
import * as Discovery from "./discovery.js"
import * as Dpop from "./dpop.js"
import type * as EffectLine from "./effectLine.js"
import * as Fleet from "./fleet.js"
import * as Monotonic from "./monotonic.js"
import * as options_ from "./options.js"
import { withRetries } from "./retryPolicy.js"
import { layerFibers } from "./sharedWork.js"
import * as Telemetry from "./telemetry.js"
import type { Engine, Fetched, FetchError, RunningFetch, ScheduledToken, TokenCell } from "./tokenCell.js"
import * as tokenEndpoint from "./tokenEndpoint.js"
import * as tokenRequest from "./tokenRequest.js"

/** Where a token request goes, with the metadata that named it when it was discovered. */
interface Destination extends clientAuthentication.Destination {
  readonly metadata?: Discovery.Metadata
}

/** Where token requests go, and what to do when a token request there failed. */
interface Route {
  readonly destination: Effect.Effect<Destination, TokenError.TokenError | NetworkError.NetworkError>
  /** Tells discovery when the token endpoint it named seems to have moved (`Discovery.isEndpointGone`). */
  readonly failed: (to: Destination, error: FetchError) => Effect.Effect<void>
}

/**
 * Where token requests go: the configured `tokenUrl`, or the token endpoint the issuer's metadata names, discovered
 * at the first call and read again when it is stale or the token endpoint stops working (`discovery.ts`).
 */
const routeOf = (
  client: EffectLine.HttpClient.HttpClient,
  resolved: options_.Resolved,
  authMethod: string,
  telemetry: Telemetry.Telemetry
): Effect.Effect<Route, never, Scope.Scope> => {
  if (resolved.endpoint._tag === "TokenUrl") {
    const destination = Effect.succeed({ tokenUrl: resolved.endpoint.url, issuer: undefined })
    return Effect.succeed({ destination, failed: () => Effect.void })
  }
  return Effect.map(
    Discovery.make(client, {
      issuer: resolved.endpoint.url,
      authMethod,
      allowInsecureHttp: resolved.allowInsecureHttp,
      requireSameOriginTokenEndpoint: resolved.requireSameOriginTokenEndpoint,
      retry: resolved.retry,
      requestTimeout: resolved.requestTimeout,
      telemetry
    }),
    (discovery): Route => ({
      destination: Effect.map(
        discovery.metadata,
        (metadata) => ({ tokenUrl: metadata.tokenEndpoint, issuer: metadata.issuer, metadata })
      ),
      failed: (to, error) =>
        to.metadata !== undefined && Discovery.isEndpointGone(error)
          ? discovery.endpointFailed(to.metadata)
          : Effect.void
    })
  )
}

/**
 * Marks a `TokenServiceImpl`: a service `make` built, whose cells and telemetry the Promise API and `AuthorizedClient`
 * may read.
 */
export const TypeId: unique symbol = Symbol.for("@effect-oauth2/client-credentials/internal/TokenServiceImpl")

/** The cells of one service, kept as its line keeps them (`Line.cells`). */
export interface Cells {
  /** The configured request's cell, held for the layer's life. */
  readonly configured: TokenCell
  /**
   * The current token of `key`'s cell, a new one when there is none (never the configured key's: `getFor` goes to
   * that one itself).
   */
  readonly getOther: (key: tokenRequest.RequestKey) => Effect.Effect<AccessToken.AccessToken, FetchError>
  /** The cell that holds `token` now, the same value in any object (e.g. one the user decoded). */
  readonly holding: (token: AccessToken.AccessToken) => Effect.Effect<TokenCell | undefined>
}

/** What each line's `tokenService.ts` gives: where it keeps the cells, and its telemetry. */
export interface Line<C extends Cells> {
  /**
   * The cells of a service whose cells share `engine`: `configuredKey`'s, and at most `capacity` others. The line
   * completes the engine with `busyChanged`.
   */
  readonly cells: (
    configuredKey: tokenRequest.RequestKey,
    engine: Omit<Engine, "busyChanged">,
    capacity: number
  ) => Effect.Effect<C>
  /** The telemetry of a service with `labels`. */
  readonly telemetry: (labels: CoreTelemetry.Labels) => Effect.Effect<Telemetry.Telemetry>
}

/**
 * The service as `make` builds it: the public `Service`, and, for the Promise API and `AuthorizedClient`, which know
 * it through `isTokenServiceImpl`, its configured token read synchronously and its telemetry.
 */
export class TokenServiceImpl<C extends Cells = Cells> implements TokenService.Service {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly get: Effect.Effect<AccessToken.AccessToken, FetchError>

  constructor(
    readonly cells: C,
    private readonly owners: WeakMap<AccessToken.AccessToken, TokenCell>,
    private readonly keyOf: (request: TokenRequest.TokenRequest) => tokenRequest.RequestKey | TokenError.TokenError,
    private readonly fleet: Fleet.Fleet | undefined,
    readonly telemetry: Telemetry.Telemetry,
    /** What signs DPoP proofs for its tokens, when they are DPoP tokens: `AuthorizedClient` signs with it. */
    readonly dpop: Dpop.Prover | undefined
  ) {
    this.get = cells.configured.get
  }

  // the request is resolved once, when `getFor` is called: an effect built once and run often pays for it once
  readonly getFor = (request: TokenRequest.TokenRequest): Effect.Effect<AccessToken.AccessToken, FetchError> =>
    keyOrError(this.keyOf(request), {
      onError: Effect.fail,
      onKey: (key) => key.canonical === this.cells.configured.key.canonical ? this.get : this.cells.getOther(key)
    })

  readonly invalidate = (token: AccessToken.AccessToken): Effect.Effect<void> =>
    Effect.flatMap(
      Effect.suspend(() => {
        const owner = this.owners.get(token)
        return owner !== undefined ? Effect.succeed(owner) : this.cells.holding(token)
      }),
      (cell) =>
        cell === undefined ? Effect.void : Effect.flatMap(Monotonic.now, (now) =>
          // dropped from the cell: from the store too, if it still holds it
          cell.invalidate(token, now) && this.fleet !== undefined
            ? this.fleet.forget(cell.key, token)
            : Effect.void)
    )

  /**
   * The configured token while it is `Fresh`, read synchronously: the Promise API's hot path, which gives what this
   * finds (mostly), counted as a hit without reading the clock for the gauge.
   */
  peekConfigured(): ScheduledToken | undefined {
    const scheduled = this.cells.configured.peek()
    if (scheduled !== undefined) this.telemetry.countHit()
    return scheduled
  }
}

/** Whether `service` was built by `make` (a mock or a user's own service was not), with its line's cells `C`. */
export const isTokenServiceImpl = <C extends Cells = Cells>(
  service: TokenService.Service
): service is TokenServiceImpl<C> => Predicate.hasProperty(service, TypeId)

/**
 * The configured token of `service` read synchronously (`peekConfigured`), for the Promise API's hot path; `undefined`
 * for a service built elsewhere.
 */
export const peekOf = (service: TokenService.Service): (() => ScheduledToken | undefined) | undefined =>
  isTokenServiceImpl(service) ? () => service.peekConfigured() : undefined

/** The telemetry of `service`, or an unlabelled one for a service built elsewhere (a mock). */
export const telemetryOf = (service: TokenService.Service): Telemetry.Telemetry =>
  isTokenServiceImpl(service) ? service.telemetry : Telemetry.unlabelled

/**
 * What signs the DPoP proofs of `service`'s tokens, for `AuthorizedClient`; `undefined` without DPoP, or for a service
 * built elsewhere (a mock).
 */
export const dpopOf = (service: TokenService.Service): Dpop.Prover | undefined =>
  isTokenServiceImpl(service) ? service.dpop : undefined

/** The token types a layer asks for: `DPoP` with DPoP, `Bearer` without. */
const tokenTypesOf = (dpop: Dpop.Prover | undefined): ReadonlyArray<AccessToken.TokenType> =>
  dpop === undefined ? ["Bearer"] : ["DPoP"]

/**
 * One token request for a key, to wherever `route` says, with the retries and timeouts: discovery has retries of its
 * own, and runs once, before the token request's.
 */
const tokenRequester = (
  client: EffectLine.HttpClient.HttpClient,
  resolved: options_.Resolved,
  authentication: clientAuthentication.ClientAuthentication,
  dpop: Dpop.Prover | undefined,
  route: Route,
  telemetry: Telemetry.Telemetry
) => {
  const endpoint = tokenEndpoint.make(client, {
    authentication,
    defaultLifetime: resolved.defaultLifetime,
    tokenTypes: tokenTypesOf(dpop),
    secrets: resolved.secrets,
    dpop
  })
  return (key: tokenRequest.RequestKey): Effect.Effect<tokenEndpoint.Issued, FetchError> =>
    Effect.flatMap(route.destination, (to) =>
      withRetries(endpoint.request(to, key.request), {
        schedule: resolved.retry,
        timeout: resolved.requestTimeout,
        origin: Urls.origin(to.tokenUrl),
        observer: telemetry.attempts(to.tokenUrl.hostname)
      }).pipe(Effect.tapError((error) => route.failed(to, error))))
}

/** The key of a `TokenRequest` on top of the configured request, or the `TokenError` of one that is malformed. */
const keyResolver = (resolved: options_.Resolved, identity: tokenRequest.ClientIdentity) => {
  const origin = Urls.origin(resolved.endpoint.url)
  return (request: TokenRequest.TokenRequest): tokenRequest.RequestKey | TokenError.TokenError => {
    const merged = tokenRequest.resolveChecked(resolved.request, request, { nullable: true })
    return merged._tag === "Invalid"
      ? new TokenError.TokenError({ reason: "InvalidRequest", origin, detail: merged.problem })
      : tokenRequest.makeKey(identity, merged.value)
  }
}

/** What `keyResolver` found: a key, or the `TokenError` of a malformed request. */
const keyOrError = <A>(
  found: tokenRequest.RequestKey | TokenError.TokenError,
  cases: {
    readonly onError: (error: TokenError.TokenError) => A
    readonly onKey: (key: tokenRequest.RequestKey) => A
  }
): A => TokenError.isTokenError(found) ? cases.onError(found) : cases.onKey(found)

/** `checked`'s value, or `invalid`'s failure with its problem. */
const validOr = <A, E>(
  checked: Checked<A>,
  invalid: (problem: string) => Effect.Effect<never, E>
): Effect.Effect<A, E> => checked._tag === "Valid" ? Effect.succeed(checked.value) : invalid(checked.problem)

/**
 * The service on `client`, its cells kept by `line`; invalid options, a key found not to fit when it is imported
 * included, go to `invalid` (a defect for `make`, a `ConfigError` for `layerConfig`). With a `store`, fetches go
 * through it (`fleet.ts`), but for DPoP tokens bound to a key generated here, which no other replica could use.
 */
export const makeWith = <C extends Cells, E>(
  line: Line<C>,
  client: EffectLine.HttpClient.HttpClient,
  options: TokenService.Options & TokenService.StoreOptions,
  invalid: (problem: string) => Effect.Effect<never, E>,
  store?: TokenStore.Service
): Effect.Effect<TokenServiceImpl<C>, E, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* validOr(options_.resolveChecked(options), invalid)
    const storeOptions = yield* validOr(options_.resolveStoreChecked(options), invalid)
    const authentication = yield* Effect.matchEffect(
      clientAuthentication.make(resolved.clientId, resolved.credentials),
      { onFailure: invalid, onSuccess: Effect.succeed }
    )
    const dpop = resolved.dpop === undefined ? undefined : yield* Effect.matchEffect(
      Dpop.make(resolved.dpop),
      { onFailure: invalid, onSuccess: Effect.succeed }
    )
    const tokenTypes = tokenTypesOf(dpop)
    const telemetry = yield* line.telemetry({ clientId: resolved.clientId, host: resolved.endpoint.url.hostname })
    const route = yield* routeOf(client, resolved, authentication.method, telemetry)
    const requestToken = tokenRequester(client, resolved, authentication, dpop, route, telemetry)
    // the fleet's leases are taken and released on these; made first, so closed last: a fetch stopped by the layer's
    // closing can still send its release
    const housekeeping = yield* layerFibers<object>()
    // tokens bound to a key generated here are of use to no other replica: they stay in this process
    const fleet = store === undefined || dpop?.generated === true ? undefined : Fleet.make(store, {
      ...storeOptions,
      leewayMillis: Duration.toMillis(resolved.expiryLeeway),
      tokenTypes,
      background: (effect) => {
        housekeeping.run({}, effect)
      }
    }, requestToken)
    // fetches and refreshes run here, with the context the layer was built with, and stop with its scope
    const fibers = yield* layerFibers<RunningFetch>()
    const fetch = fleet?.fetch ??
      ((key: tokenRequest.RequestKey) =>
        Effect.map(requestToken(key), (issued): Fetched => ({ ...issued, fromStore: false })))
    const engine = makeEngine(resolved, { fetch, fibers, telemetry })
    const identity = TokenRequestRules.identityOf(
      resolved.endpoint,
      resolved.clientId,
      authentication,
      dpop?.thumbprint
    )
    const cells = yield* line.cells(tokenRequest.makeKey(identity, resolved.request), engine, resolved.cacheCapacity)
    telemetry.setConfiguredCell(cells.configured)
    return new TokenServiceImpl(cells, engine.owners, keyResolver(resolved, identity), fleet, telemetry, dpop)
  })

/** The engine of every cell, and `owners`: the cell each token was issued to, so `invalidate` finds it at once. */
const makeEngine = (
  resolved: options_.Resolved,
  parts: Pick<Engine, "fetch" | "fibers" | "telemetry">
): Omit<Engine, "busyChanged"> & { readonly owners: WeakMap<AccessToken.AccessToken, TokenCell> } => {
  const owners = new WeakMap<AccessToken.AccessToken, TokenCell>()
  const leewayMillis = Duration.toMillis(resolved.expiryLeeway)
  const refreshAhead = resolved.refreshAhead
  const jitter = refreshAhead === false ? Effect.succeed(0) : Random.next

  const schedule = (cell: TokenCell, fetched: Fetched, protectedUntil: number): Effect.Effect<ScheduledToken> =>
    Effect.map(Effect.zip(jitter, Monotonic.now), ([random, now]) => {
      const { startedAt, token } = fetched
      const scheduled = TokenState.scheduledOf({
        token,
        startedAt,
        lifetimeMillis: token.lifetimeMillis,
        leewayMillis,
        refreshAhead,
        random,
        protectedUntil
      })
      owners.set(token, cell)
      parts.telemetry.issued(cell, scheduled.expiresAt, now)
      return { ...scheduled, succeed: Effect.succeed(token) }
    })

  return {
    ...parts,
    schedule,
    cooldownMillis: Duration.toMillis(resolved.terminalErrorCooldown),
    rejected: new WeakSet(),
    owners
  }
}
