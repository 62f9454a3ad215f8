/**
 * The Promise API put together: a `ManagedRuntime` holding a `TokenService` and the HTTP client (how a call runs in
 * it and how `close` ends it are each line's own, `promiseRuntime.ts`), and a hot path for the configured token that
 * does not enter it (`@effect-oauth2/core/promiseClient`: the options' check, the hot path and the shared call, the
 * request read for `fetch`, what `close()` cuts). The client on the runtime is `tokenClient.ts`'s; this module checks
 * the options, builds the runtime and sends `fetch` through the HTTP client given.
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
 * Request bodies (with an `httpClient`): read chunk by chunk up to `replayBodyLimit`. A body that ends within it is
 * kept as bytes, which `AuthorizedClient` sends again after a 401; a longer one is sent once as a stream (the chunks
 * read, then the rest), which it does not. The read stops at once when the caller's signal aborts or the client is
 * closed. Without one, `fetch` is the platform's own (`@effect-oauth2/core/authorizedFetch`), but with DPoP: a proof
 * is signed per request with the service's key, so a DPoP client's `fetch` is `AuthorizedClient` on the line's
 * fetch-based HTTP client.
 *
 * Failures of `fetch` through the HTTP client given: a request body that fails, and an answer's body that breaks off,
 * are a `NetworkError` naming the origin `fetch` was called with, as on the platform's `fetch`.
 *
 * Cut calls: a call interrupted by its signal rejects with the signal's reason, one interrupted by `close()` with
 * `ClosedError`, as a call made after `close()` does.
 */
import type * as AuthorizedFetch from "@effect-oauth2/core/authorizedFetch"
import * as HttpCall from "@effect-oauth2/core/httpCall"
import * as PromiseClient from "@effect-oauth2/core/promiseClient"
import * as Redactor from "@effect-oauth2/core/redactor"
import { streamOf } from "@effect-oauth2/core/requestBody"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as AuthorizedClient from "../AuthorizedClient.js"
import * as NetworkError from "../NetworkError.js"
import type * as promise from "../promise.js"
import * as TokenService from "../TokenService.js"
import { clientFailureOf } from "./describeCause.js"
import * as EffectLine from "./effectLine.js"
import { HttpClientRequest, type HttpClientResponse, type HttpMethod } from "./effectLine.js"
import * as HttpLine from "./httpLine.js"
import * as options_ from "./options.js"
import * as PromiseRuntime from "./promiseRuntime.js"
import * as TokenClient from "./tokenClient.js"
import { makeWith } from "./tokenService.js"

/** How this line's values read in the Promise API's check (`PromiseClient.check`). */
const line: PromiseClient.Line<TokenService.Options> = {
  isSecret: Redacted.isRedacted,
  secret: (value) => Redacted.make(value),
  problem: (service) => {
    const checked = options_.resolveChecked(service)
    return checked._tag === "Invalid" ? checked.problem : undefined
  },
  isLayer: Layer.isLayer
}

/** A redactor with no values: a transport failure of an answer names its code, not a text that could hold a token. */
const noValues = Redactor.make([])

/** A failure of a call `fetch` made through the HTTP client: an answer's body, or a request body that failed. */
const apiFailure = (origin: string, failure: HttpCall.ClientFailure): NetworkError.NetworkError =>
  new NetworkError.NetworkError({
    reason: "Transport",
    source: "Api",
    origin,
    // its status and code, never the request it quotes
    ...HttpCall.transportFailure(failure, noValues)
  })

/**
 * The answer as a web `Response`; a body that breaks off errors its stream with a `NetworkError` naming `origin`, the
 * origin `fetch` was called with, never the request.
 */
const toWeb = (response: HttpClientResponse.HttpClientResponse, origin: string): Effect.Effect<Response> => {
  const init = { status: response.status, headers: response.headers }
  if (PromiseClient.hasNoBody(response.request.method, response.status)) {
    return Effect.succeed(new Response(null, init))
  }
  const body = Stream.mapError(response.stream, (error) => apiFailure(origin, clientFailureOf(error)))
  return Effect.map(Stream.toReadableStreamEffect(body), (stream) => new Response(stream, init))
}

/**
 * The web request as one the HTTP client sends: a body that ended within the limit as bytes (sent again after a 401),
 * a longer one as a stream of the chunks read and the rest (sent once).
 */
const toRequest = ({ body, headers, web }: PromiseClient.ReadRequest): HttpClientRequest.HttpClientRequest => {
  const request = HttpClientRequest.make(web.method as HttpMethod.HttpMethod)(web.url, { headers })
  const contentType = headers["content-type"]
  if (body?._tag === "Kept") return HttpClientRequest.bodyUint8Array(request, body.bytes, contentType)
  if (body?._tag !== "Streamed") return request
  const stream = Stream.fromReadableStream({ evaluate: () => streamOf(body), onError: (error) => error })
  return HttpClientRequest.bodyStream(request, stream, { contentType })
}

/** `fetch` through the `httpClient` given: `AuthorizedClient` on it, in the runtime. */
const clientFetchOf = (
  calls: TokenClient.Calls<TokenClient.Services>,
  reading: PromiseClient.Reading
): AuthorizedFetch.Fetch => {
  let authorized: AuthorizedClient.Service | undefined
  // built at the first call, once: the runtime's services are not there before
  const client = Effect.suspend(() => {
    if (authorized !== undefined) return Effect.succeed(authorized)
    return Effect.map(
      Effect.all([EffectLine.service(TokenService.TokenService), EffectLine.service(EffectLine.HttpClient.HttpClient)]),
      ([tokens, http]) => {
        const made = AuthorizedClient.withTokens(http, { tokens, failOnErrorStatus: false })
        authorized = made
        return made
      }
    )
  })
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const read = await PromiseClient.readRequest(input, init, reading)
    const { body, origin, signal, web } = read
    if (body?._tag === "Failed") {
      // as when the rest of a streamed body fails: the HTTP client's failure to send, as ours
      return Promise.reject(apiFailure(origin, { _tag: "Unanswered", url: web.url, cause: body.error }))
    }
    const request = toRequest(read)
    return calls.run(
      Effect.flatMap(client, (made) => Effect.flatMap(made.execute(request), (response) => toWeb(response, origin))),
      signal
    )
  }
}

/** @internal */
export const make = (options: promise.Options): promise.TokenClient => {
  const { httpClient, replayBodyLimit, service } = PromiseClient.check<
    TokenService.Options,
    Layer.Layer<EffectLine.HttpClient.HttpClient>
  >(options, line)
  // a key that cannot be imported is found when the service is built: the same kind of error as a checked option
  const tokens = EffectLine.layerEffect(
    TokenService.TokenService,
    makeWith(service, (problem: string) => Effect.die(PromiseClient.invalidOption(problem)))
  )
  const runtime = ManagedRuntime.make(Layer.provideMerge(tokens, httpClient ?? HttpLine.fetchLayer))
  return TokenClient.make(PromiseRuntime.runtimeOf(runtime), {
    replayBodyLimit,
    // a DPoP proof is signed per request by the service's key: `AuthorizedClient` does it, on the platform's fetch
    // when no HTTP client is given
    clientFetch: httpClient === undefined && (service.dpop ?? false) === false
      ? undefined
      : clientFetchOf
  })
}
