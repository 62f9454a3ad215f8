/**
 * The Promise API put together: a `ManagedRuntime` holding a `TokenService` and the HTTP client, and a hot path for
 * the configured token that does not enter it. The client on the runtime is `tokenClient.ts`'s, the same on each
 * line; this module builds the runtime, says how calls run in it, and sends `fetch` through the HTTP client.
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
import type * as AuthorizedFetch from "@effect-oauth2/core/authorizedFetch"
import * as PromiseClient from "@effect-oauth2/core/promiseClient"
import * as Redactor from "@effect-oauth2/core/redactor"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as AuthorizedClient from "../AuthorizedClient.js"
import * as NetworkError from "../NetworkError.js"
import type * as promise from "../promise.js"
import * as TokenService from "../TokenService.js"
import { transportFailure } from "./describeCause.js"
import * as options_ from "./options.js"
import * as Origin from "./origin.js"
import * as TokenClient from "./tokenClient.js"
import { makeWith } from "./tokenService.js"

/** The default `replayBodyLimit`: 1 MiB. */
export const defaultReplayBodyLimit = PromiseClient.defaultReplayBodyLimit

export { ClosedError } from "@effect-oauth2/core/promiseClient"

/** How this line's values read in the Promise API's check (`PromiseClient.check`). */
const line: PromiseClient.Line<TokenService.Options> = {
  isSecret: Redacted.isRedacted,
  secret: Redacted.make,
  problem: (service) =>
    Either.match(options_.resolve(service), { onLeft: (problem) => problem, onRight: () => undefined }),
  isLayer: Layer.isLayer
}

/** The options checked, as the service and the client take them; throws a `TypeError` naming what is wrong. */
const check = (options: promise.Options) =>
  PromiseClient.check<TokenService.Options, Layer.Layer<HttpClient.HttpClient>>(options, line)

/** A redactor with no values: a transport failure of an answer names its code, not a text that could hold a token. */
const noValues = Redactor.make([])

/** The answer as a web `Response`; a body that breaks off errors its stream with a `NetworkError`, never the request. */
const toWeb = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Response> =>
  Effect.map(Effect.runtime<never>(), (runtime) => {
    const origin = Origin.ofRequest(response.request)
    const body = PromiseClient.hasNoBody(response.request.method, response.status) ?
      null :
      Stream.toReadableStreamRuntime(
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
const toRequest = ({ body, headers, web }: PromiseClient.ReadRequest): HttpClientRequest.HttpClientRequest => {
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

/** The default `Clock`, the service's: its monotonic time is the one the hot path compares with `refreshAt`. */
const systemClock = Clock.make()

/**
 * A client's runtime: `close` interrupts the calls still running (disposing of a runtime does not), then closes the
 * runtime with the layers it built.
 */
const runtimeOf = (runtime: ManagedRuntime.ManagedRuntime<Services, unknown>): TokenClient.Runtime<Services> => {
  const running = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  return {
    fork: (effect, onExit) => {
      const fiber = runtime.runFork(effect)
      running.add(fiber)
      fiber.addObserver((exit) => {
        running.delete(fiber)
        onExit(exit)
      })
      return () => fiber.unsafeInterruptAsFork(fiber.id())
    },
    close: () => {
      for (const fiber of running) fiber.unsafeInterruptAsFork(fiber.id())
      return runtime.dispose()
    },
    context: () => runtime.runtime().then((built) => built.context),
    nowNanos: () => systemClock.unsafeCurrentTimeNanos()
  }
}

/** `fetch` through the `httpClient` given: `AuthorizedClient` on it, in the runtime. */
const clientFetchOf = (calls: TokenClient.Calls<Services>, reading: PromiseClient.Reading): AuthorizedFetch.Fetch => {
  let authorized: HttpClient.HttpClient.With<AuthorizedClient.AuthorizedClientError> | undefined
  const client = Effect.suspend(() => {
    if (authorized !== undefined) return Effect.succeed(authorized)
    return Effect.map(Effect.all([TokenService.TokenService, HttpClient.HttpClient]), ([tokens, http]) => {
      authorized = AuthorizedClient.withTokens(http, { tokens, failOnErrorStatus: false })
      return authorized
    })
  })
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const read = await PromiseClient.readRequest(input, init, reading)
    const { body, signal } = read
    const request = toRequest(read)
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
    makeWith(service, (problem) => Effect.die(PromiseClient.invalidOption(problem)))
  )
  const runtime = ManagedRuntime.make(Layer.provideMerge(tokens, httpClient ?? FetchHttpClient.layer))
  return TokenClient.make(runtimeOf(runtime), {
    replayBodyLimit,
    clientFetch: httpClient === undefined ? undefined : clientFetchOf
  })
}
