/**
 * What a line's Promise API (`createTokenClient`) does without its Effect runtime: the options checked and the
 * secrets wrapped in the line's own type, the error of a closed client, the configured token served from the service's
 * cell while it is fresh (the hot path) or through one call shared by every caller meanwhile, and a request for a
 * `fetch` through the line's HTTP client read up to the replay limit.
 *
 * How a line uses it: `check(options, line)` when the client is created (a `TypeError` naming the option, never its
 * value); one `ConfiguredToken` per client, given the line's monotonic clock and its call into the runtime;
 * `readRequest` before it turns the web request into its own.
 */
import * as AuthorizedFetch from "./authorizedFetch.js"
import { nodeModule } from "./builtins.js"
import { kindOf } from "./credentials.js"
import { closedMessage, type ReadBody, readUpTo } from "./requestBody.js"
import { origin } from "./urls.js"

/**
 * A call made after `close()`, or cut short by it: every call of a closed client rejects with this class, message
 * `requestBody.closedMessage`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClosedError extends Error {
  constructor() {
    super(closedMessage)
    this.name = "ClosedError"
  }
}

/**
 * A `ClosedError`, as the core's reads and calls make it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const closedError = (): ClosedError => new ClosedError()

/**
 * The `dpop` option as the Promise API takes it: its `privateKey` a plain string too.
 *
 * @since 0.1.0
 * @category models
 */
export type DpopWithStringKey<Dpop> = Dpop extends { readonly privateKey?: infer Secret } ?
    & Omit<Dpop, "privateKey">
    & { readonly privateKey?: Secret | string }
  : Dpop

/**
 * A line's credential options as the Promise API takes them: where one has a secret (`clientSecret`, `privateKey`,
 * `dpop.privateKey`), a plain string too.
 *
 * @since 0.1.0
 * @category models
 */
export type WithStringSecrets<Credentials> = Credentials extends unknown ? {
    readonly [K in keyof Credentials]: K extends "clientSecret" | "privateKey"
      ? Exclude<Credentials[K], undefined> extends never ? Credentials[K] : Credentials[K] | string
      : K extends "dpop" ? DpopWithStringKey<Credentials[K]>
      : Credentials[K]
  }
  : never

/**
 * The default `replayBodyLimit`: 1 MiB.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultReplayBodyLimit = 1024 * 1024

/**
 * A `TypeError` for an option, as `createTokenClient` throws it and a call rejects with it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidOption = (problem: string): TypeError => new TypeError(`createTokenClient: ${problem}`)

/** The option the configured method reads its secret from, when it needs one. */
const secretOption = (options: Readonly<Record<string, unknown>>): "clientSecret" | "privateKey" | undefined => {
  switch (options.authMethod) {
    case undefined:
    case "client_secret_basic":
    case "client_secret_post":
    case "client_secret_jwt":
      return "clientSecret"
    case "private_key_jwt":
      return options.clientAssertion === undefined ? "privateKey" : undefined
    default:
      return undefined
  }
}

/**
 * What is wrong with a secret as the Promise API takes it (a string or the line's secret type, `isSecret`), in words
 * that never show it: `undefined` where one is needed most often comes from an environment variable that is not set.
 *
 * @since 0.1.0
 * @category constructors
 */
export const secretProblem = (
  options: Readonly<Record<string, unknown>>,
  isSecret: (value: unknown) => boolean
): string | undefined => {
  const needed = secretOption(options)
  if (needed !== undefined && options[needed] === undefined) {
    return `${needed} is undefined: is the environment variable it is read from set?`
  }
  for (const name of ["clientSecret", "privateKey"] as const) {
    const value = options[name]
    if (value !== undefined && typeof value !== "string" && !isSecret(value)) {
      return `${name} must be a string or a Redacted value, not ${kindOf(value)}`
    }
  }
  return undefined
}

/**
 * What the check needs of a line: its secret type, its own check of `TokenService`'s options, and its HTTP client
 * layers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Line<Service> {
  /** Whether a value is the line's secret type (`Redacted`). */
  readonly isSecret: (value: unknown) => boolean
  /** A plain-string secret as the line's secret type. */
  readonly secret: (value: string) => unknown
  /** What is wrong with `TokenService`'s options, in the line's check (the core's `options.resolve`). */
  readonly problem: (service: Service) => string | undefined
  /** Whether a value is one of the line's layers (an `httpClient`). */
  readonly isLayer: (value: unknown) => boolean
}

/**
 * The options of the Promise API that are not `TokenService`'s.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions<HttpClient> {
  /** The HTTP client, for the token endpoint and `fetch`; default `FetchHttpClient.layer` (the global `fetch`). */
  readonly httpClient?: HttpClient | undefined
  /**
   * The largest request body, in bytes, that `fetch` keeps in memory to send again after a 401 that rejects the
   * token; default 1 MiB (1048576). A larger body, or a stream that goes on past it, is sent once, streamed as it
   * is read: after a 401 the call resolves with that 401. A whole number, 0 or more.
   */
  readonly replayBodyLimit?: number | undefined
}

/**
 * What `createTokenClient` takes: a line's `TokenService` options, secrets as plain strings allowed, the HTTP client
 * (one of the line's layers), and how large a request body `fetch` keeps to send again after a 401.
 *
 * @since 0.1.0
 * @category models
 */
export type Options<Service, HttpClient> = WithStringSecrets<Service> & ClientOptions<HttpClient>

/**
 * What `createTokenClient` returns; `TokenRequest` is the line's.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenClient<TokenRequest> {
  /**
   * The access token itself (the one place the library hands a token out in clear): the configured one, or one for
   * `request`. A still-valid configured token is served without entering the Effect runtime. Rejects with
   * `TokenError` or `NetworkError`; with `ClosedError` after `close()` or when `close()` cuts it; with the options'
   * `TypeError` when the private key cannot be imported.
   */
  readonly getToken: (request?: TokenRequest) => Promise<string>
  /**
   * `fetch`, with the configured token in `Authorization`. On a 401 that rejects the token, the token is dropped and
   * the request sent once more with a fresh one when its body allows: no body, or one of at most `replayBodyLimit`
   * bytes (read into memory first); a larger body or a longer stream is sent once, streamed, and the 401 is the
   * answer. With the default HTTP client the request is the platform's own `fetch` and the answer its `Response`,
   * a streamed body following no redirect (the platform would follow only a 303 with one, at the cost of holding the
   * whole body): a redirect rejects with `NetworkError`. Resolves with the response whatever its status; rejects with
   * `NetworkError` when no answer came, `TokenError` when no token could be had, `ClosedError` as `getToken` does,
   * and, when `init.signal` (or the `Request`'s signal) aborts, with the signal's `reason` (an `AbortError`
   * `DOMException` unless another was given) at once, even while the body is being read. A request body stream that
   * fails rejects with `NetworkError`, and the answer's body fails with one. A malformed `input` or `init` rejects
   * with the platform's `TypeError`, as `fetch` does.
   */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
  /**
   * Stops background work, cuts the calls in flight and releases the client's resources. The calls it cuts and every
   * call after it reject with `ClosedError`: a call waiting for a token stops waiting, and a `fetch` whose request has
   * gone out rejects at once while that request ends on its own (its `signal` aborts it). Idempotent.
   */
  readonly close: () => Promise<void>
}

/**
 * The options checked, as the service and the client take them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Checked<Service, HttpClient> {
  readonly service: Service
  readonly httpClient: HttpClient | undefined
  readonly replayBodyLimit: number
}

/** The private key of a `dpop` option, if it has one. */
const dpopKeyOf = (dpop: unknown): unknown =>
  typeof dpop === "object" && dpop !== null ? (dpop as { readonly privateKey?: unknown }).privateKey : undefined

/**
 * Checks the Promise API's options in this order: the secrets (`secretProblem`), `TokenService`'s options (the line's
 * `problem`, secrets given as strings wrapped first), `httpClient`, `replayBodyLimit`. Throws the first problem as an
 * `invalidOption`; never repeats a value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const check = <Service, HttpClient>(
  options: ClientOptions<HttpClient>,
  line: Line<Service>
): Checked<Service, HttpClient> => {
  const { httpClient, replayBodyLimit, ...rest } = options
  const all = rest as Readonly<Record<string, unknown>>
  const problem = secretProblem(all, line.isSecret)
  if (problem !== undefined) throw invalidOption(problem)
  const wrap = (secret: unknown) => typeof secret === "string" ? line.secret(secret) : secret
  const service = {
    ...rest,
    ...(all.clientSecret !== undefined ? { clientSecret: wrap(all.clientSecret) } : {}),
    ...(all.privateKey !== undefined ? { privateKey: wrap(all.privateKey) } : {}),
    ...(dpopKeyOf(all.dpop) !== undefined
      ? { dpop: { ...(all.dpop as object), privateKey: wrap(dpopKeyOf(all.dpop)) } }
      : {})
  } as Service
  const resolved = line.problem(service)
  if (resolved !== undefined) throw invalidOption(resolved)
  if (httpClient !== undefined && !line.isLayer(httpClient)) {
    throw invalidOption("httpClient must be a Layer that provides HttpClient (e.g. FetchHttpClient.layer)")
  }
  if (replayBodyLimit !== undefined && !(Number.isSafeInteger(replayBodyLimit) && replayBodyLimit >= 0)) {
    throw invalidOption("replayBodyLimit must be a whole number of bytes, 0 or more")
  }
  return { service, httpClient, replayBodyLimit: replayBodyLimit ?? defaultReplayBodyLimit }
}

/** Statuses whose `Response` cannot have a body. */
const nullBodyStatuses: ReadonlySet<number> = new Set([101, 103, 204, 205, 304])

/**
 * Whether the answer to a request of `method` with `status` has no body (a web `Response` refuses one).
 *
 * @since 0.1.0
 * @category constructors
 */
export const hasNoBody = (method: string, status: number): boolean => method === "HEAD" || nullBodyStatuses.has(status)

/**
 * The configured token with its refresh point, as the service's cell holds it (`tokenState.Scheduled`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Scheduled<T> {
  readonly token: T
  readonly refreshAtNanos: bigint
}

/**
 * What `ConfiguredToken` needs of its line.
 *
 * @since 0.1.0
 * @category models
 */
export interface Source<T> {
  /** The monotonic time in nanoseconds, the clock the service schedules `refreshAtNanos` on. */
  readonly nowNanos: () => bigint
  /** A token's value, in clear. */
  readonly reveal: (token: T) => string
  /** The configured token from the service, through the line's runtime (which may call `found`). */
  readonly fromService: () => Promise<T>
  readonly isClosed: () => boolean
}

/** A call to the service for the configured token, and its value. */
interface SharedCall<T> {
  readonly token: Promise<T>
  readonly value: Promise<string>
}

/**
 * The configured token: read synchronously while it is fresh (the hot path), else from the service in one call shared
 * by every caller meanwhile. The hot path reads the service's cell (`found`, once the service is built) and serves
 * its token while the monotonic time is before its `refreshAtNanos`; from then on, and whenever the cell holds no
 * fresh token, the call goes to the service, which starts the refresh or the fetch.
 *
 * @since 0.1.0
 * @category models
 */
export class ConfiguredToken<T> {
  private peek: (() => Scheduled<T> | undefined) | undefined
  // the string of the token last served, so that the hot path reads it once per token
  private lastToken: T | undefined
  private lastValue = ""
  /**
   * The call to the service for the configured token that is under way, shared by every call made meanwhile: a
   * thousand callers on a cold client are one call into the runtime and a thousand joins of its promise, as the
   * service's own waiters are one fetch. Forgotten as soon as it settles, so a later caller asks the service again.
   */
  private call: SharedCall<T> | undefined

  constructor(private readonly source: Source<T>) {}

  /** Reads the service's cell from now on (`undefined` for a service without one, e.g. a mock): once. */
  found(peek: (() => Scheduled<T> | undefined) | undefined): void {
    this.peek ??= peek
  }

  /** The hot path reads no more: the client is closed. */
  forget(): void {
    this.peek = () => undefined
  }

  readonly valueOf = (token: T): string => {
    if (token !== this.lastToken) {
      this.lastValue = this.source.reveal(token)
      this.lastToken = token
    }
    return this.lastValue
  }

  /** The configured token while it is fresh: the hot path, without the runtime. */
  readonly fresh = (): T | undefined => {
    const held = this.peek?.()
    return held !== undefined && this.source.nowNanos() < held.refreshAtNanos ? held.token : undefined
  }

  /** The configured token: the hot path while it is fresh, else the shared call to the service. */
  readonly token = (): Promise<T> => {
    const fresh = this.fresh()
    if (fresh !== undefined) return Promise.resolve(fresh)
    return this.source.isClosed() ? Promise.reject(closedError()) : this.shared().token
  }

  /** The configured token's value, as `getToken()` gives it. */
  value(): Promise<string> {
    const fresh = this.fresh()
    if (fresh !== undefined) return Promise.resolve(this.valueOf(fresh))
    return this.source.isClosed() ? Promise.reject(closedError()) : this.shared().value
  }

  /** The shared call to the service for the configured token, started when none is under way. */
  private shared(): SharedCall<T> {
    if (this.call === undefined) {
      const token = this.source.fromService()
      // its value too is shared: a thousand callers join one promise, not a thousand derived ones
      const call = { token, value: token.then(this.valueOf) }
      // a call that needs the token only (`fetch`) leaves `value` unawaited: its rejection is not unhandled
      call.value.catch(() => {})
      this.call = call
      const forget = () => {
        if (this.call === call) this.call = undefined
      }
      token.then(forget, forget)
    }
    return this.call
  }
}

/**
 * A request for `fetch` through the line's HTTP client, read: the web `Request`, its body read up to the limit, and
 * the signal that cuts the call.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadRequest {
  readonly web: Request
  /** Its headers as a record, lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** The `scheme://host[:port]` it goes to. */
  readonly origin: string
  readonly body: ReadBody | undefined
  readonly signal: AbortSignal | undefined
}

/**
 * What `readRequest` needs of its client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reading {
  readonly isClosed: () => boolean
  /** Aborts when the client closes. */
  readonly closing: AbortSignal
  readonly replayBodyLimit: number
}

/**
 * The request `fetch` was given, its body read up to `replayBodyLimit` (`requestBody.readUpTo`). Rejects with
 * `ClosedError` when the client is closed before or while it is read, with the signal's reason when the signal aborts
 * (the body then cancelled, as the platform's `fetch` does), and with the platform's `TypeError` for a malformed
 * `input` or `init`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readRequest = async (
  input: string | URL | Request,
  init: RequestInit | undefined,
  client: Reading
): Promise<ReadRequest> => {
  if (client.isClosed()) throw closedError()
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined)
  const web = new Request(input, init)
  if (signal?.aborted) {
    // as the platform's fetch does: nothing is sent, and the body is cancelled
    web.body?.cancel(signal.reason).catch(() => {})
    throw signal.reason
  }
  const body = web.body === null
    ? undefined
    : await readUpTo(web.body, client.replayBodyLimit, signal, client.closing, closedError)
  if (client.isClosed() || signal?.aborted) {
    // cut between the read and the call: the rest of the body is read by no one
    if (body?._tag === "Streamed") body.rest.cancel().catch(() => {})
    throw client.isClosed() ? closedError() : signal!.reason
  }
  const headers: Record<string, string> = {}
  web.headers.forEach((value, name) => {
    headers[name] = value
  })
  return { web, headers, origin: origin(new URL(web.url)), body, signal: signal ?? undefined }
}

/**
 * What a client's `close()` stops besides its runtime: the reads and waits that listen to `closing`, and the calls of
 * the platform's `fetch` it keeps (`track`), each cut once.
 *
 * @since 0.1.0
 * @category models
 */
export class Lifecycle {
  private readonly controller = new AbortController()
  private readonly cuts = new Set<() => void>()

  constructor() {
    // every body being read for a call listens to it: as many listeners as such calls in flight
    nodeModule<{ setMaxListeners: (n: number, ...targets: ReadonlyArray<EventTarget>) => void }>("node:events")
      ?.setMaxListeners(0, this.controller.signal)
  }

  /** Aborts when the client closes. */
  readonly closing: AbortSignal = this.controller.signal

  /** Keeps `cut` until the returned function is called: `close()` calls the ones it keeps. */
  readonly track = (cut: () => void): () => void => {
    this.cuts.add(cut)
    return () => this.cuts.delete(cut)
  }

  /** Aborts `closing` and cuts every call kept. */
  close(): void {
    this.controller.abort()
    for (const cut of this.cuts) cut()
  }
}

/**
 * How a call into a line's runtime ended: its value, an interruption (with the error the line makes of it, for one
 * that neither the caller's signal nor `close()` made), or a failure.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Interrupted"; readonly error: unknown }
  | { readonly _tag: "Failure"; readonly error: unknown }

/**
 * A call into a line's runtime as a promise. `start` starts it, reports its outcome once through `done`, and returns
 * how to interrupt it, which `signal` does when it aborts. Rejects with what failed, or with what cut the call: the
 * signal's reason, or `ClosedError` when the client `isClosed`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const runCall = <A>(
  start: (done: (outcome: Outcome<A>) => void) => () => void,
  signal: AbortSignal | undefined,
  isClosed: () => boolean
): Promise<A> =>
  new Promise<Outcome<A>>((resolve) => {
    // `done` may come before `start` returns: the listener is added first, and interrupts once `start` has returned
    let interrupt = () => {}
    const onAbort = () => interrupt()
    signal?.addEventListener("abort", onAbort, { once: true })
    interrupt = start((outcome) => {
      signal?.removeEventListener("abort", onAbort)
      resolve(outcome)
    })
  }).then((outcome) => {
    if (outcome._tag === "Success") return outcome.value
    if (outcome._tag === "Interrupted") {
      if (signal?.aborted) return Promise.reject(signal.reason)
      if (isClosed()) return Promise.reject(closedError())
    }
    return Promise.reject(outcome.error)
  })

/**
 * What a line gives its Promise API's client: its runtime's calls as promises, and how its tokens and errors read.
 *
 * @since 0.1.0
 * @category models
 */
export interface Parts<T extends AuthorizedFetch.Token, TokenRequest> {
  /** Whether the runtime refuses calls: after `close`. */
  readonly isClosed: () => boolean
  /** Refuses new calls, cuts those running and releases the runtime with its layers. */
  readonly close: () => Promise<void>
  /** The configured token from the service (the line calls `Client.found` once it has the service). */
  readonly fromService: () => Promise<T>
  readonly getFor: (request: TokenRequest) => Promise<T>
  readonly invalidate: (token: T) => Promise<void>
  /** The monotonic time in nanoseconds, the clock the service schedules `refreshAtNanos` on. */
  readonly nowNanos: () => bigint
  /** A token's value, in clear. */
  readonly reveal: (token: T) => string
  /** The line's `NetworkError` for a failure of the platform's `fetch`. */
  readonly networkError: (failure: AuthorizedFetch.Failure) => unknown
  readonly replayBodyLimit: number
  /** `fetch` through the line's HTTP client, when one was given; else the platform's (`authorizedFetch`). */
  readonly clientFetch: ((reading: Reading) => AuthorizedFetch.Fetch) | undefined
}

/**
 * A Promise API's client put together from a line's `Parts`: `getToken` (the configured token's hot path and shared
 * call, `getFor` through the runtime), `fetch` (the platform's, authorized, or the line's), and `close` (the runtime,
 * the hot path, the reads and the platform's calls in flight).
 *
 * @since 0.1.0
 * @category constructors
 */
export class Client<T extends AuthorizedFetch.Token, TokenRequest> implements TokenClient<TokenRequest> {
  private readonly configured: ConfiguredToken<T>
  private readonly lifecycle = new Lifecycle()
  /** The service's counters, once it is built. */
  private counters: AuthorizedFetch.Counters | undefined

  constructor(private readonly parts: Parts<T, TokenRequest>) {
    this.configured = new ConfiguredToken(parts)
    const reading = {
      isClosed: parts.isClosed,
      closing: this.lifecycle.closing,
      replayBodyLimit: parts.replayBodyLimit
    }
    this.fetch = parts.clientFetch?.(reading) ?? AuthorizedFetch.make({
      ...reading,
      track: this.lifecycle.track,
      freshToken: this.configured.fresh,
      token: this.configured.token,
      invalidate: parts.invalidate,
      telemetry: () => this.counters,
      reveal: parts.reveal,
      closedError,
      networkError: parts.networkError
    })
  }

  /** The service, once built: the hot path reads its cell (`peek`, if it has one), `fetch` counts on its counters. */
  found(peek: (() => Scheduled<T> | undefined) | undefined, counters: AuthorizedFetch.Counters): void {
    this.configured.found(peek)
    this.counters ??= counters
  }

  readonly getToken = (request?: TokenRequest): Promise<string> => {
    if (request === undefined) return this.configured.value()
    if (this.parts.isClosed()) return Promise.reject(closedError())
    return this.parts.getFor(request).then(this.configured.valueOf)
  }

  readonly fetch: AuthorizedFetch.Fetch

  readonly close = (): Promise<void> => {
    if (this.parts.isClosed()) return Promise.resolve()
    const closed = this.parts.close()
    this.configured.forget()
    this.lifecycle.close()
    return closed
  }
}
