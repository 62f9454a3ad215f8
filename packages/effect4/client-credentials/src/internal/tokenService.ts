/**
 * `TokenService` put together, on Effect 4: the token endpoint with its retries, one `TokenCell` per request key, the
 * layer's fibers. When a token is fetched is the cells' business (`tokenCell.ts`); this module decides which cell a
 * call goes to. Knows the token endpoint and the models; nothing of `AuthorizedClient`.
 *
 * The configured request's cell is held here for the layer's life, and `get` goes straight to it: it is never
 * evicted. Every other request's cell is a value of Effect's `Cache`, keyed by its `RequestKey` (compared and hashed
 * by its canonical form), of `cacheCapacity` entries and no time to live (a cell keeps its own token's time): the
 * least recently used cell is dropped first, and a request used again after its cell was dropped gets a new, empty
 * one. While a cell is kept, every change of its token happens inside it, so however often tokens are dropped and
 * fetched again nothing accumulates; `invalidate` drops a token in its cell, which stays (with the rejection that
 * protects the next token: `@effect-oauth2/core/tokenState`).
 *
 * A cell with a fetch or a refresh in flight is in a registry of busy cells too, from the moment it starts that work
 * to the moment it ends it (`Engine.busyChanged`), and the Cache's `lookup` takes a cell from there before it makes a
 * new one. The Cache evicts by use alone; a busy cell it evicts is found again by the next call of its key, whose
 * callers then join the fetch in flight instead of starting another. The registry holds only cells whose work runs.
 *
 * How the Effect 3 line differs: there the cells live in its own `LruMap` (`lruMap.ts`), which passes over busy cells
 * when it drops. Effect 3.22's `Cache` drops the entry just used (capacity 3, `a b c a d` keeps `b c d`) and leaves a
 * node for good for every `invalidate`, `refresh` or `set` while under capacity; Effect 4.1.5's keeps the recently
 * used (`a b c a d` keeps `a c d`) and holds nothing per entry dropped, so this line uses it as it is. It cannot be
 * told which entries not to evict, hence the registry.
 */
import type * as CoreTelemetry from "@effect-oauth2/core/telemetry"
import * as TokenRequestRules from "@effect-oauth2/core/tokenRequest"
import * as TokenState from "@effect-oauth2/core/tokenState"
import * as Urls from "@effect-oauth2/core/urls"
import * as Cache from "effect/Cache"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import type * as AccessToken from "../AccessToken.js"
import type * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import type * as TokenRequest from "../TokenRequest.js"
import type * as TokenService from "../TokenService.js"
import type * as TokenStore from "../TokenStore.js"
import * as clientAuthentication from "./clientAuthentication.js"
import * as Discovery from "./discovery.js"
import * as Fleet from "./fleet.js"
import * as Monotonic from "./monotonic.js"
import * as options_ from "./options.js"
import { withRetries } from "./retryPolicy.js"
import { layerFibers } from "./sharedWork.js"
import * as Telemetry from "./telemetry.js"
import type { Engine, Fetched, FetchError, RunningFetch, ScheduledToken } from "./tokenCell.js"
import { TokenCell } from "./tokenCell.js"
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
  client: HttpClient.HttpClient,
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

/** The cells of one service: the configured request's, held for the layer's life, and the others' in a `Cache`. */
export class Cells {
  private constructor(
    readonly configured: TokenCell,
    readonly cache: Cache.Cache<tokenRequest.RequestKey, TokenCell>,
    readonly busy: ReadonlyMap<string, TokenCell>
  ) {}

  /**
   * The cells of `engine`'s service: `configuredKey`'s, and a `Cache` of `capacity` others. `engine` is told when a
   * cell starts or stops being busy by the registry made here.
   */
  static make(
    configuredKey: tokenRequest.RequestKey,
    engine: Omit<Engine, "busyChanged">,
    capacity: number
  ): Effect.Effect<Cells> {
    const busy = new Map<string, TokenCell>()
    const withRegistry: Engine = {
      ...engine,
      busyChanged: (cell, isBusy) => {
        if (isBusy) busy.set(cell.key.canonical, cell)
        else if (busy.get(cell.key.canonical) === cell) busy.delete(cell.key.canonical)
      }
    }
    return Effect.map(
      Cache.make({
        capacity,
        // a busy cell the Cache evicted comes back: its callers join its work, none starts it again
        lookup: (key: tokenRequest.RequestKey) =>
          Effect.sync(() => busy.get(key.canonical) ?? new TokenCell(key, withRegistry))
      }),
      (cache) => new Cells(new TokenCell(configuredKey, withRegistry), cache, busy)
    )
  }

  /** The current token of `key`'s cell (never the configured one's: `getFor` goes to that one itself). */
  getOther(key: tokenRequest.RequestKey): Effect.Effect<AccessToken.AccessToken, FetchError> {
    return Effect.flatMap(Cache.get(this.cache, key), cellGet)
  }

  /** The cell that holds `token` now, the same value in any object (e.g. one the user decoded). */
  holding(token: AccessToken.AccessToken): Effect.Effect<TokenCell | undefined> {
    if (this.configured.holds(token)) return Effect.succeed(this.configured)
    return Effect.map(Cache.values(this.cache), (cells) => {
      for (const cell of cells) if (cell.holds(token)) return cell
      return undefined
    })
  }
}

const cellGet = (cell: TokenCell) => cell.get

/**
 * The service as `make` builds it: the public `Service`, and, for the Promise API and `AuthorizedClient`, which know
 * it through `isTokenServiceImpl`, its configured token read synchronously and its telemetry.
 */
export class TokenServiceImpl implements TokenService.Service {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly get: Effect.Effect<AccessToken.AccessToken, FetchError>

  constructor(
    readonly cells: Cells,
    private readonly owners: WeakMap<AccessToken.AccessToken, TokenCell>,
    private readonly keyOf: (request: TokenRequest.TokenRequest) => Result.Result<tokenRequest.RequestKey, FetchError>,
    private readonly fleet: Fleet.Fleet | undefined,
    readonly telemetry: Telemetry.Telemetry
  ) {
    this.get = cells.configured.get
  }

  // the request is resolved once, when `getFor` is called: an effect built once and run often pays for it once
  readonly getFor = (request: TokenRequest.TokenRequest): Effect.Effect<AccessToken.AccessToken, FetchError> =>
    Result.match(this.keyOf(request), {
      onFailure: Effect.fail,
      onSuccess: (key) => key.canonical === this.cells.configured.key.canonical ? this.get : this.cells.getOther(key)
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

/** Whether `service` was built by `make` (a mock or a user's own service was not). */
export const isTokenServiceImpl = (service: TokenService.Service): service is TokenServiceImpl =>
  Predicate.hasProperty(service, TypeId)

/**
 * The configured token of `service` read synchronously (`peekConfigured`), for the Promise API's hot path; `undefined`
 * for a service built elsewhere.
 */
export const peekOf = (service: TokenService.Service): (() => ScheduledToken | undefined) | undefined =>
  isTokenServiceImpl(service) ? () => service.peekConfigured() : undefined

/** The telemetry of `service`, or an unlabelled one for a service built elsewhere (a mock). */
export const telemetryOf = (service: TokenService.Service): Telemetry.Telemetry =>
  isTokenServiceImpl(service) ? service.telemetry : Telemetry.unlabelled

/** The token types this layer asks for. */
const tokenTypes: ReadonlyArray<AccessToken.TokenType> = ["Bearer"]

/**
 * One token request for a key, to wherever `route` says, with the retries and timeouts: discovery has retries of its
 * own, and runs once, before the token request's.
 */
const tokenRequester = (
  client: HttpClient.HttpClient,
  resolved: options_.Resolved,
  authentication: clientAuthentication.ClientAuthentication,
  route: Route,
  telemetry: Telemetry.Telemetry
) => {
  const endpoint = tokenEndpoint.make(client, {
    authentication,
    defaultLifetime: resolved.defaultLifetime,
    tokenTypes,
    secrets: resolved.secrets
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
  return (request: TokenRequest.TokenRequest): Result.Result<tokenRequest.RequestKey, FetchError> => {
    const merged = tokenRequest.resolveChecked(resolved.request, request, { nullable: true })
    return merged._tag === "Invalid"
      ? Result.fail(new TokenError.TokenError({ reason: "InvalidRequest", origin, detail: merged.problem }))
      : Result.succeed(tokenRequest.makeKey(identity, merged.value))
  }
}

/**
 * The service; invalid options, a key found not to fit when it is imported included, go to `invalid` (a defect for
 * `make`, a `Config.ConfigError` for `layerConfig`). With a `store`, fetches go through it (`fleet.ts`).
 */
export const makeWith = Effect.fnUntraced(function*<E>(
  options: TokenService.Options & TokenService.StoreOptions,
  invalid: (problem: string) => Effect.Effect<never, E>,
  store?: TokenStore.Service
) {
  const resolved = yield* Result.match(options_.resolve(options), { onFailure: invalid, onSuccess: Effect.succeed })
  const storeOptions = yield* Result.match(options_.resolveStore(options), {
    onFailure: invalid,
    onSuccess: Effect.succeed
  })
  const client = yield* HttpClient.HttpClient
  const authentication = yield* Effect.catch(
    clientAuthentication.make(resolved.clientId, resolved.credentials),
    invalid
  )
  const labels: CoreTelemetry.Labels = { clientId: resolved.clientId, host: resolved.endpoint.url.hostname }
  const telemetry = Telemetry.make(labels, yield* Effect.context<never>())
  const route = yield* routeOf(client, resolved, authentication.method, telemetry)
  const requestToken = tokenRequester(client, resolved, authentication, route, telemetry)
  // the fleet's leases are taken and released on these; made first, so closed last: a fetch stopped by the layer's
  // closing can still send its release
  const housekeeping = yield* layerFibers<object>()
  const fleet = store === undefined ? undefined : Fleet.make(store, {
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
  const identity = TokenRequestRules.identityOf(resolved.endpoint, resolved.clientId, authentication)
  const cells = yield* Cells.make(tokenRequest.makeKey(identity, resolved.request), engine, resolved.cacheCapacity)
  telemetry.setConfiguredCell(cells.configured)
  return new TokenServiceImpl(cells, engine.owners, keyResolver(resolved, identity), fleet, telemetry)
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
