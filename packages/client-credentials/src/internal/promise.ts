/**
 * The Promise API put together: a `ManagedRuntime` holding a `TokenService` and the HTTP client, and a hot path for
 * the configured token that does not enter it.
 *
 * Options: checked synchronously when the client is created (a `TypeError` naming the option); a private key is
 * imported when the service is built, at the first call, and one that cannot be imported fails that build with the
 * same kind of `TypeError`, which every call then rejects with.
 *
 * Hot path: once the service is built, `getToken()` reads the configured cell's token synchronously (`peek`, only
 * while `Fresh`) and serves it while the monotonic time is before its `refreshAt`. From then on, and whenever the cell
 * holds no fresh token (none yet, refreshing, invalidated, failed), the call goes to the service, which starts the
 * refresh or the fetch. The service's clock is the default `Clock`, whose monotonic time this path reads too: both
 * sides see the same time, and a step of the wall clock moves neither.
 *
 * Request bodies: read chunk by chunk up to `replayBodyLimit`. A body that ends within it is kept as bytes, which
 * `AuthorizedClient` sends again after a 401; a longer one is sent once as a stream (the chunks read, then the rest),
 * which it does not. The read stops at once when the caller's signal aborts or the client is closed.
 *
 * Cut calls: a call interrupted by its signal rejects with the signal's reason, one interrupted by `close()` with
 * `ClosedError`, as a call made after `close()` does.
 */
import { nodeModule } from "@effect-oauth2/core/builtins"
import { kindOf } from "@effect-oauth2/core/credentials"
import * as Redactor from "@effect-oauth2/core/redactor"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type * as AccessToken from "../AccessToken.js"
import * as AuthorizedClient from "../AuthorizedClient.js"
import * as NetworkError from "../NetworkError.js"
import type * as promise from "../promise.js"
import type * as TokenRequest from "../TokenRequest.js"
import * as TokenService from "../TokenService.js"
import { transportFailure } from "./describeCause.js"
import * as options_ from "./options.js"
import * as Origin from "./origin.js"
import * as PromiseFetch from "./promiseFetch.js"
import { ClosedError, type ReadBody, readUpTo } from "./requestBody.js"
import * as Telemetry from "./telemetry.js"
import type { ScheduledToken } from "./tokenCell.js"
import { makeWith, peekOf, telemetryOf } from "./tokenService.js"

/** The default `replayBodyLimit`: 1 MiB. */
export const defaultReplayBodyLimit = 1024 * 1024

export { ClosedError } from "./requestBody.js"

/** A `TypeError` for an option, as `createTokenClient` throws it and a call rejects with it. */
const invalidOption = (problem: string) => new TypeError(`createTokenClient: ${problem}`)

/** The option the configured method reads its secret from, when it needs one. */
const secretOption = (options: Record<string, unknown>): "clientSecret" | "privateKey" | undefined => {
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
 * What is wrong with a secret as the Promise API takes it (a string or a `Redacted`), in words that never show it:
 * `undefined` where one is needed most often comes from an environment variable that is not set.
 */
const secretProblem = (options: Record<string, unknown>): string | undefined => {
  const needed = secretOption(options)
  if (needed !== undefined && options[needed] === undefined) {
    return `${needed} is undefined: is the environment variable it is read from set?`
  }
  for (const name of ["clientSecret", "privateKey"] as const) {
    const value = options[name]
    if (value !== undefined && typeof value !== "string" && !Redacted.isRedacted(value)) {
      return `${name} must be a string or a Redacted value, not ${kindOf(value)}`
    }
  }
  return undefined
}

const reveal = (secret: unknown) => typeof secret === "string" ? Redacted.make(secret) : secret

/** The options checked, as the service and the client take them; throws a `TypeError` naming what is wrong. */
const check = (options: promise.Options) => {
  const { httpClient, replayBodyLimit, ...rest } = options
  const all = rest as Record<string, unknown>
  const problem = secretProblem(all)
  if (problem !== undefined) throw invalidOption(problem)
  const service = {
    ...rest,
    ...(all.clientSecret !== undefined ? { clientSecret: reveal(all.clientSecret) } : {}),
    ...(all.privateKey !== undefined ? { privateKey: reveal(all.privateKey) } : {})
  } as TokenService.Options
  const resolved = options_.resolve(service)
  if (Either.isLeft(resolved)) throw invalidOption(resolved.left)
  if (httpClient !== undefined && !Layer.isLayer(httpClient)) {
    throw invalidOption("httpClient must be a Layer that provides HttpClient (e.g. FetchHttpClient.layer)")
  }
  if (replayBodyLimit !== undefined && !(Number.isSafeInteger(replayBodyLimit) && replayBodyLimit >= 0)) {
    throw invalidOption("replayBodyLimit must be a whole number of bytes, 0 or more")
  }
  return { service, httpClient, replayBodyLimit: replayBodyLimit ?? defaultReplayBodyLimit }
}

/** The default `Clock`, the service's: its monotonic time is the one the hot path compares with `refreshAt`. */
const systemClock = Clock.make()

/** A redactor with no values: a transport failure of an answer names its code, not a text that could hold a token. */
const noValues = Redactor.make([])

/** Statuses whose `Response` cannot have a body. */
const nullBodyStatuses: ReadonlySet<number> = new Set([101, 103, 204, 205, 304])

/** The answer as a web `Response`; a body that breaks off errors its stream with a `NetworkError`, never the request. */
const toWeb = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Response> =>
  Effect.map(Effect.runtime<never>(), (runtime) => {
    const origin = Origin.ofRequest(response.request)
    const noBody = response.request.method === "HEAD" || nullBodyStatuses.has(response.status)
    const body = noBody ? null : Stream.toReadableStreamRuntime(
      Stream.mapError(response.stream, (error) =>
        new NetworkError.NetworkError({
          reason: "Transport",
          source: "Api",
          ...(origin === undefined ? {} : { origin }),
          // an answer's failure: its status and code, never the request it quotes (see `transportFailure`)
          ...transportFailure(error, noValues)
        })),
      runtime
    )
    return new Response(body, { status: response.status, headers: response.headers })
  })

/**
 * The web request as one the platform client sends: a body that ended within the limit as bytes (sent again after a
 * 401), a longer one as a stream of the chunks read and the rest (sent once).
 */
const toRequest = (web: Request, body: ReadBody | undefined): HttpClientRequest.HttpClientRequest => {
  const headers: Record<string, string> = {}
  web.headers.forEach((value, name) => {
    headers[name] = value
  })
  const request = HttpClientRequest.make(web.method as HttpMethod.HttpMethod)(web.url, { headers })
  if (body === undefined) return request
  const contentType = headers["content-type"]
  if (body._tag === "Kept") return HttpClientRequest.bodyUint8Array(request, body.bytes, contentType)
  if (body._tag === "Failed") return request
  const rest = Stream.fromReadableStream({ evaluate: () => body.rest, onError: (error) => error })
  return HttpClientRequest.bodyStream(request, Stream.concat(Stream.fromIterable(body.head), rest), { contentType })
}

/** The layers of a client's runtime: its `TokenService` and the HTTP client. */
type Services = TokenService.TokenService | HttpClient.HttpClient

/** The calls a client runs in its runtime; `close()` interrupts those still running. */
class RuntimeCalls {
  private readonly running = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  private closedNow = false

  constructor(private readonly runtime: ManagedRuntime.ManagedRuntime<Services, unknown>) {}

  get closed(): boolean {
    return this.closedNow
  }

  /** Runs `effect`; rejects with what failed (never a `FiberFailure`), or with what cut the call. */
  run<A>(effect: Effect.Effect<A, unknown, Services>, signal?: AbortSignal): Promise<A> {
    return new Promise<Exit.Exit<A, unknown>>((resolve) => {
      const fiber = this.runtime.runFork(effect)
      const interrupt = () => fiber.unsafeInterruptAsFork(fiber.id())
      this.running.add(fiber)
      signal?.addEventListener("abort", interrupt, { once: true })
      fiber.addObserver((exit) => {
        this.running.delete(fiber)
        signal?.removeEventListener("abort", interrupt)
        resolve(exit)
      })
    }).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      if (Cause.isInterruptedOnly(exit.cause)) {
        if (signal?.aborted) return Promise.reject(signal.reason)
        if (this.closedNow) return closedError()
      }
      return Promise.reject(Cause.squash(exit.cause))
    })
  }

  /** Interrupts every call still running and closes the runtime with the layers it built; new calls are refused. */
  close(): Promise<void> {
    this.closedNow = true
    for (const fiber of this.running) fiber.unsafeInterruptAsFork(fiber.id())
    return this.runtime.dispose()
  }
}

const closedError = () => Promise.reject(new ClosedError())

/** A call to the service for the configured token, and its value. */
interface SharedCall {
  readonly token: Promise<AccessToken.AccessToken>
  readonly value: Promise<string>
}

/**
 * The configured token: read synchronously while it is fresh (the hot path), else from the service in one call shared
 * by every caller meanwhile.
 */
class ConfiguredToken {
  private peek: (() => ScheduledToken | undefined) | undefined
  /** The service's counters, once it is built. */
  telemetry: Telemetry.Telemetry | undefined
  // the string of the token last served, so that the hot path reads it once per token
  private lastToken: AccessToken.AccessToken | undefined
  private lastValue = ""
  /**
   * The call to the service for the configured token that is under way, shared by every call made meanwhile: a
   * thousand callers on a cold client are one call into the runtime and a thousand joins of its promise, as the
   * service's own waiters are one fetch. Forgotten as soon as it settles, so a later caller asks the service again.
   */
  private call: SharedCall | undefined

  constructor(private readonly calls: RuntimeCalls) {}

  private readonly fromService = Effect.flatMap(TokenService.TokenService, (service) => {
    this.found(service)
    return service.get
  })

  /** Reads what the hot path needs of the service, once it is built. */
  found(service: TokenService.Service): void {
    this.peek ??= peekOf(service)
    this.telemetry ??= telemetryOf(service)
  }

  /** The hot path reads no more: the client is closed. */
  forget(): void {
    this.peek = undefined
  }

  readonly valueOf = (token: AccessToken.AccessToken): string => {
    if (token !== this.lastToken) {
      this.lastValue = Redacted.value(token.value)
      this.lastToken = token
    }
    return this.lastValue
  }

  /** The configured token while it is fresh: the hot path, without the runtime. */
  readonly fresh = (): AccessToken.AccessToken | undefined => {
    const held = this.peek?.()
    return held !== undefined && systemClock.unsafeCurrentTimeNanos() < held.refreshAtNanos ? held.token : undefined
  }

  /** The configured token: the hot path while it is fresh, else the shared call to the service. */
  readonly token = (): Promise<AccessToken.AccessToken> => {
    const fresh = this.fresh()
    if (fresh !== undefined) return Promise.resolve(fresh)
    return this.calls.closed ? closedError() : this.shared().token
  }

  /** The configured token's value, as `getToken()` gives it. */
  value(): Promise<string> {
    const fresh = this.fresh()
    if (fresh !== undefined) return Promise.resolve(this.valueOf(fresh))
    return this.calls.closed ? closedError() : this.shared().value
  }

  /** The shared call to the service for the configured token, started when none is under way. */
  private shared(): SharedCall {
    if (this.call === undefined) {
      const token = this.calls.run(this.fromService)
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

/** `fetch` through the `httpClient` given: `AuthorizedClient` on it, in the runtime. */
const clientFetchOf = (calls: RuntimeCalls, closing: AbortSignal, replayBodyLimit: number) => {
  let authorized: HttpClient.HttpClient.With<AuthorizedClient.AuthorizedClientError> | undefined
  const client = Effect.suspend(() => {
    if (authorized !== undefined) return Effect.succeed(authorized)
    return Effect.map(Effect.all([TokenService.TokenService, HttpClient.HttpClient]), ([tokens, http]) => {
      authorized = AuthorizedClient.withTokens(http, { tokens, failOnErrorStatus: false })
      return authorized
    })
  })
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (calls.closed) return closedError()
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined)
    const web = new Request(input, init)
    if (signal?.aborted) {
      // as the platform's fetch does: nothing is sent, and the body is cancelled
      web.body?.cancel(signal.reason).catch(() => {})
      return Promise.reject(signal.reason)
    }
    const body = web.body === null ? undefined : await readUpTo(web.body, replayBodyLimit, signal, closing)
    if (calls.closed || signal?.aborted) {
      // cut between the read and the call: the rest of the body is read by no one
      if (body?._tag === "Streamed") body.rest.cancel().catch(() => {})
      return calls.closed ? closedError() : Promise.reject(signal!.reason)
    }
    const request = toRequest(web, body)
    if (body?._tag === "Failed") return Promise.reject(unreadBody(request, body.error))
    return calls.run(Effect.flatMap(client, (authorized) => Effect.flatMap(authorized.execute(request), toWeb)), signal)
  }
}

/** A body that failed to be read: as when the rest of a streamed body fails, the platform client's error as ours. */
const unreadBody = (request: HttpClientRequest.HttpClientRequest, error: unknown): NetworkError.NetworkError => {
  const origin = Origin.ofRequest(request)
  return new NetworkError.NetworkError({
    reason: "Transport",
    source: "Api",
    ...(origin === undefined ? {} : { origin }),
    ...transportFailure(new HttpClientError.RequestError({ request, reason: "Transport", cause: error }), noValues)
  })
}

/** @internal */
export const make = (options: promise.Options): promise.TokenClient => {
  const { httpClient, replayBodyLimit, service } = check(options)
  // a key that cannot be imported is found when the service is built: the same kind of error as a checked option
  const tokens = Layer.scoped(
    TokenService.TokenService,
    makeWith(service, (problem) => Effect.die(invalidOption(problem)))
  )
  const runtime = ManagedRuntime.make(Layer.provideMerge(tokens, httpClient ?? FetchHttpClient.layer))
  const calls = new RuntimeCalls(runtime)
  const configured = new ConfiguredToken(calls)
  const closing = new AbortController()
  // every body being read for a call listens to it: as many listeners as such calls in flight
  nodeModule<{ setMaxListeners: (n: number, ...targets: ReadonlyArray<EventTarget>) => void }>("node:events")
    ?.setMaxListeners(0, closing.signal)
  /** How to cut each call of the native `fetch` in flight: `close()` does. */
  const nativeCalls = new Set<() => void>()

  const getToken = (request?: TokenRequest.TokenRequest): Promise<string> => {
    if (request === undefined) return configured.value()
    if (calls.closed) return closedError()
    return calls.run(
      Effect.flatMap(TokenService.TokenService, (service) => Effect.map(service.getFor(request), configured.valueOf))
    )
  }

  const fetch = httpClient !== undefined ? clientFetchOf(calls, closing.signal, replayBodyLimit) : PromiseFetch.make({
    isClosed: () => calls.closed,
    closing: closing.signal,
    track: (cut) => {
      nativeCalls.add(cut)
      return () => nativeCalls.delete(cut)
    },
    freshToken: configured.fresh,
    token: configured.token,
    invalidate: (token) => calls.run(Effect.flatMap(TokenService.TokenService, (service) => service.invalidate(token))),
    telemetry: () => configured.telemetry,
    replayBodyLimit
  })

  const close = (): Promise<void> => {
    if (calls.closed) return Promise.resolve()
    const disposed = calls.close()
    configured.forget()
    closing.abort()
    for (const cut of nativeCalls) cut()
    return disposed
  }

  // built now, at once when no key is to be imported: the first call finds the service ready (a build that fails,
  // fails the calls instead, each with the same error)
  runtime.runtime().then((built) => configured.found(Context.get(built.context, TokenService.TokenService)), () => {})

  return { getToken, fetch, close }
}
