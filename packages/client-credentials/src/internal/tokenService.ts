/**
 * `TokenService` put together: the token endpoint with its retries, one `TokenCell` per request key, the layer's
 * fibers. When a token is fetched is the cells' business (`tokenCell.ts`); this module decides which cell a call
 * goes to. Knows the token endpoint and the models; nothing of `AuthorizedClient`.
 *
 * The configured request's cell is held here for the layer's life, and `get` goes straight to it. Every other
 * request's cell lives in an `LruMap` of `cacheCapacity` cells, the least recently used dropped first (a request
 * used again after its cell was dropped gets a new, empty one). While a cell is kept, every change of its token
 * happens inside it, so however often tokens are dropped and fetched again nothing accumulates. (Why not Effect's
 * `Cache`: see `lruMap.ts`.)
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberId from "effect/FiberId"
import * as FiberMap from "effect/FiberMap"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
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
import * as Fleet from "./fleet.js"
import { LruMap } from "./lruMap.js"
import * as Monotonic from "./monotonic.js"
import * as options_ from "./options.js"
import * as Origin from "./origin.js"
import { withRetries } from "./retryPolicy.js"
import * as Telemetry from "./telemetry.js"
import type { Engine, Fetched, FetchError, Flight, Held } from "./tokenCell.js"
import { TokenCell } from "./tokenCell.js"
import * as tokenEndpoint from "./tokenEndpoint.js"
import * as tokenRequest from "./tokenRequest.js"

/** How long a `TokenError` that is not terminal (a 404, an HTML page, `invalid_grant`, …) is answered from memory. */
const nonTerminalMemoryMillis = 1000

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
  const issuer = resolved.endpoint.url
  return Effect.map(
    Discovery.make(client, {
      issuer,
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
 * @internal The key of `peek` on a service built by `make`: the configured token's `Held` while it is `Fresh`, read
 * synchronously (`TokenCell.peek`). Not on the public `Service` type; a service built elsewhere has none.
 */
export const peekKey: unique symbol = Symbol.for("@effect-oauth2/client-credentials/internal/TokenService/peek")

/** @internal The synchronous `peek` of `service`, when it was built by `make`. */
export const peekOf = (service: TokenService.Service): (() => Held | undefined) | undefined => {
  const peek = (service as { readonly [peekKey]?: unknown })[peekKey]
  return typeof peek === "function" ? peek as () => Held | undefined : undefined
}

/** @internal The service, sharing its tokens through `store` when one is given. */
export const make = (
  options: TokenService.Options & TokenService.StoreOptions,
  store?: TokenStore.Service
): Effect.Effect<TokenService.Service, never, HttpClient.HttpClient | Scope.Scope> =>
  makeWith(options, (problem) => Effect.die(new Cause.IllegalArgumentException(`TokenService: ${problem}`)), store)

/**
 * @internal The service; invalid options, a key found not to fit when it is imported included, go to `invalid` (a
 * defect for `make`, a `ConfigError` for `layerConfig`). With a `store`, fetches go through it (`fleet.ts`).
 */
export const makeWith = <E>(
  options: TokenService.Options & TokenService.StoreOptions,
  invalid: (problem: string) => Effect.Effect<never, E>,
  store?: TokenStore.Service
): Effect.Effect<TokenService.Service, E, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* Either.match(options_.resolve(options), { onLeft: invalid, onRight: Effect.succeed })
    const client = yield* HttpClient.HttpClient
    const authentication = yield* Effect.catchAll(
      clientAuthentication.make(resolved.clientId, resolved.credentials),
      invalid
    )
    const tokenTypes: ReadonlyArray<AccessToken.TokenType> = ["Bearer"]
    const telemetry = Telemetry.make({ clientId: resolved.clientId, host: resolved.endpoint.url.hostname })
    const route = yield* routeOf(client, resolved, authentication.method, telemetry)
    const endpoint = tokenEndpoint.make(client, {
      authentication,
      defaultLifetime: resolved.defaultLifetime,
      tokenTypes,
      secrets: resolved.secrets
    })
    const identity: tokenRequest.ClientIdentity = {
      endpoint: `${resolved.endpoint._tag}:${resolved.endpoint.url.href}`,
      clientId: resolved.clientId,
      authMethod: authentication.method,
      keyIdentity: authentication.keyIdentity
    }
    const origin = Origin.ofUrl(resolved.endpoint.url)
    // fetches and refreshes run here, with the context the layer was built with, and stop with its scope
    // the fleet's leases are taken and released here; made first, so closed last: a fetch stopped by the layer's
    // closing can still send its release
    const runHousekeeping = yield* FiberSet.runtime(yield* FiberSet.make())<never>()
    const fibers = yield* FiberMap.make<Flight>()
    const runInLayer = yield* FiberMap.runtime(fibers)<never>()
    // discovery has retries of its own: it runs once, before the token request's
    const direct = (key: tokenRequest.RequestKey) =>
      Effect.flatMap(route.destination, (to) =>
        withRetries(endpoint.request(to, key.request), {
          schedule: resolved.retry,
          timeout: resolved.requestTimeout,
          origin: Origin.ofUrl(to.tokenUrl),
          observer: telemetry.attempts(to.tokenUrl.hostname)
        }).pipe(Effect.tapError((error) => route.failed(to, error))))
    const fromEndpoint = (key: tokenRequest.RequestKey) =>
      Effect.map(direct(key), (issued): Fetched => ({ ...issued, fromStore: false }))
    const fleet = store === undefined ? undefined : Fleet.make(store, {
      ...(yield* Either.match(options_.resolveStore(options), { onLeft: invalid, onRight: Effect.succeed })),
      leewayMillis: Duration.toMillis(resolved.expiryLeeway),
      tokenTypes,
      background: (effect) => {
        runHousekeeping(effect)
      }
    }, direct)
    const engine = makeEngine(resolved, {
      fetch: fleet === undefined ? fromEndpoint : fleet.fetch,
      // once the map is closed, `FiberMap.runtime` hands back a fiber already interrupted, having run nothing
      run: (flight, effect) => runInLayer(flight, effect).unsafePoll() === null,
      stop: (flight) => {
        const fiber = FiberMap.unsafeGet(fibers, flight)
        if (Option.isSome(fiber)) fiber.value.unsafeInterruptAsFork(FiberId.none)
      },
      telemetry
    })

    const configuredKey = tokenRequest.makeKey(identity, resolved.request)
    const configured = new TokenCell(configuredKey, engine)
    telemetry.watch(configured)
    // a cell with a fetch or a refresh in flight is not dropped: its callers and the next ones share that work
    const cells = new LruMap<string, TokenCell>(resolved.cacheCapacity, (cell) => !cell.isBusy())
    const cellOf = (key: tokenRequest.RequestKey): TokenCell =>
      cells.getOrCreate(key.canonical, () => new TokenCell(key, engine))

    const get = configured.serve

    // the request is resolved once, when `getFor` is called: an effect built once and run often pays for it once
    const getFor = (request: TokenRequest.TokenRequest): Effect.Effect<AccessToken.AccessToken, FetchError> => {
      const merged = tokenRequest.resolveChecked(resolved.request, request, { nullable: true })
      if (merged._tag === "Invalid") {
        return Effect.fail(new TokenError.TokenError({ reason: "InvalidRequest", origin, detail: merged.problem }))
      }
      const key = tokenRequest.makeKey(identity, merged.value)
      return key.canonical === configuredKey.canonical ? get : Effect.suspend(() => cellOf(key).serve)
    }

    /** Drops `token` from `cell`; when it did, also from the store, if it still holds it. */
    const drop = (cell: TokenCell, token: AccessToken.AccessToken, now: number): Effect.Effect<void> =>
      cell.invalidate(token, now) && fleet !== undefined ? fleet.forget(cell.key, token) : Effect.void

    const invalidate = (token: AccessToken.AccessToken): Effect.Effect<void> =>
      Effect.clockWith((clock) =>
        Effect.suspend(() => {
          const now = Monotonic.unsafeNow(clock)
          const owner = engine.owners.get(token)
          if (owner !== undefined) return drop(owner, token, now)
          // the same value in another object (e.g. one the user decoded): look for the cell that holds it
          for (const cell of [configured, ...cells.values()]) {
            if (cell.holds(token)) return drop(cell, token, now)
          }
          return Effect.void
        })
      )

    const service: TokenService.Service & {
      readonly [peekKey]: () => Held | undefined
      readonly [Telemetry.telemetryKey]: Telemetry.Telemetry
    } = {
      get,
      getFor,
      invalidate,
      // the Promise API serves what this finds (mostly): counted as a hit, without reading the clock for the gauge
      [peekKey]: () => {
        const held = configured.peek()
        if (held !== undefined) telemetry.counted()
        return held
      },
      [Telemetry.telemetryKey]: telemetry
    }
    return service
  })

/** The engine of every cell, and `owners`: the cell each token was issued to, so `invalidate` finds it at once. */
const makeEngine = (
  resolved: options_.Resolved,
  parts: Pick<Engine, "fetch" | "run" | "stop" | "telemetry">
): Engine & { readonly owners: WeakMap<AccessToken.AccessToken, TokenCell> } => {
  const owners = new WeakMap<AccessToken.AccessToken, TokenCell>()
  const rejected = new WeakSet<AccessToken.AccessToken>()
  const leewayMillis = Duration.toMillis(resolved.expiryLeeway)
  const cooldownMillis = Duration.toMillis(resolved.terminalErrorCooldown)
  const refreshAhead = resolved.refreshAhead

  const hold = (cell: TokenCell, fetched: Fetched, protectedUntil: number): Effect.Effect<Held> =>
    Effect.map(Effect.zip(refreshAhead === false ? Effect.succeed(0) : Random.next, Monotonic.now), ([
      random,
      now
    ]) => {
      const { startedAt, token } = fetched
      const lifetime = token.lifetimeMillis
      const expiresAt = startedAt + lifetime
      const hardExpiresAt = expiresAt - Math.min(leewayMillis, lifetime / 2)
      const usable = hardExpiresAt - startedAt
      // the jitter spreads the refreshes of many replicas that got their tokens at the same moment; never so much
      // that the refresh point comes before the token is a moment old
      const refreshAt = refreshAhead === false
        ? hardExpiresAt
        : Math.min(
          hardExpiresAt,
          startedAt + refreshAhead * usable - random * Math.min(0.1, refreshAhead / 2) * usable
        )
      owners.set(token, cell)
      parts.telemetry.issued(cell, expiresAt, now)
      return {
        token,
        succeed: Effect.succeed(token),
        expiresAt,
        hardExpiresAt,
        refreshAt,
        refreshAtNanos: BigInt(Math.floor(refreshAt * 1_000_000)),
        protectedUntil
      }
    })

  const rememberFor = (error: FetchError): number => {
    if (!TokenError.isTokenError(error)) return 0
    return error.isTerminal ? cooldownMillis : Math.min(nonTerminalMemoryMillis, cooldownMillis)
  }

  return { ...parts, hold, rememberFor, cooldownMillis, rejected, owners }
}
