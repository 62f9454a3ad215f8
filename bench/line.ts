/**
 * What a scenario measured on both Effect lines asks of a line: the line's calls, as plain functions that return
 * promises. The measuring (rounds, medians, ratios, goals, rows) is written once, in the scenario's module, with no
 * Effect in it; each line builds these calls with its own Effect in one shell written once
 * (`bench/effectCalls.ts`, linked into `packages/effect4/bench`; on Node 20 and on Node 22).
 */

/** Where the client gets its tokens, and as whom. */
export interface Endpoint {
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: string
}

/** The Promise API's client (`createTokenClient` of `@effect-oauth2/client-credentials/promise`). */
export interface TokenClient {
  readonly getToken: () => Promise<string>
  readonly fetch: (url: string) => Promise<Response>
  readonly close: () => Promise<void>
}

/** Something built for a measure, and how to release it. */
export interface Disposable {
  readonly dispose: () => Promise<void>
}

/** One call from Promise code, e.g. `runtime.runPromise(tokens.get)`. */
export interface Caller extends Disposable {
  readonly call: () => Promise<unknown>
}

/** Runs `n` calls; resolves when they are done. */
export type Loop = (n: number) => Promise<void>

/** The variants of the cost of a cached `get`. */
export interface CachedGet extends Disposable {
  /** `n` calls inside one `Effect.gen` loop, one `yield*` per call, run by one `runtime.runPromise`. */
  readonly inEffectLoop: {
    /** The floor: the line's prebuilt `Effect.succeed(1)`. */
    readonly floor: Loop
    readonly oneOp: Loop
    readonly branch: Loop
    readonly get: Loop
    readonly cacheGet: Loop
    readonly getFor: Loop
  }
  /** `runtime.runPromise(Effect.succeed(1))`. */
  readonly runPromiseFloor: () => Promise<unknown>
  /** `runtime.runPromise(tokens.get)`. */
  readonly runPromiseGet: () => Promise<unknown>
}

/** The clients compared by the request overhead: a fixed `Authorization` header, `AuthorizedClient`, a control. */
export type OverheadClient = "fixed" | "authorized" | "control"

/** The request overhead's batches: `n` GETs of a URL through each client, `inFlight` at a time, each body read. */
export interface RequestOverhead extends Disposable {
  /** Over loopback, through the line's undici `HttpClient`. */
  readonly overLoopback: Record<OverheadClient, (url: string, n: number) => Promise<void>>
  /** Through a transport that answers at once, without I/O. */
  readonly inMemory: Record<OverheadClient, (url: string, n: number) => Promise<void>>
}

/** A line's calls. */
export interface Line {
  readonly createTokenClient: (endpoint: Endpoint) => TokenClient
  /** A runtime with `TokenService` over the platform's `fetch`, built; `call` is `runtime.runPromise(tokens.get)`. */
  readonly stampede: (endpoint: Endpoint) => Promise<Caller>
  /**
   * The stampede's floor for Effect code: a built runtime; `call` is `runtime.runPromise` of an effect that awaits,
   * in a `Deferred`, the token `fetchToken` brings (started by the first call).
   */
  readonly stampedeFloor: (fetchToken: () => Promise<string>) => Promise<Caller>
  /** The cost of a cached `get`: a warm `TokenService` over undici, and Effect's own `Cache` for reference. */
  readonly cachedGet: (endpoint: Endpoint) => Promise<CachedGet>
  readonly requestOverhead: (endpoint: Endpoint, inFlight: number) => Promise<RequestOverhead>
}
