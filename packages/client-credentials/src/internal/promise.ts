/**
 * The Promise API put together: a `ManagedRuntime` holding a `TokenService` and the HTTP client, and a hot path for
 * the configured token that does not enter it.
 *
 * Hot path: once the service is built, `getToken()` reads the configured cell's token synchronously (`peek`, only
 * while `Fresh`) and serves it while the monotonic time is before its `refreshAt`. From then on, and whenever the cell
 * holds no fresh token (none yet, refreshing, invalidated, failed), the call goes to the service, which starts the
 * refresh or the fetch. The service's clock is the default `Clock`, whose monotonic time this path reads too: both
 * sides see the same time, and a step of the wall clock moves neither.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
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
import * as Monotonic from "./monotonic.js"
import * as Origin from "./origin.js"
import * as Redaction from "./redaction.js"
import type { Held } from "./tokenCell.js"
import { peekOf } from "./tokenService.js"

/** The default `Clock`, the service's: its monotonic time is the one the hot path compares with `refreshAt`. */
const systemClock = Clock.make()

/** A redactor with no values: a transport failure of an answer names its code, not a text that could hold a token. */
const noValues = Redaction.make([])

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

/** The web request as one the platform client sends; its body read whole, so that a 401 can send it again. */
const fromWeb = async (input: string | URL | Request, init: RequestInit | undefined) => {
  const web = new Request(input, init)
  const headers: Record<string, string> = {}
  web.headers.forEach((value, name) => {
    headers[name] = value
  })
  let request = HttpClientRequest.make(web.method as HttpMethod.HttpMethod)(web.url, { headers })
  if (web.body !== null) {
    const body = new Uint8Array(await web.arrayBuffer())
    request = HttpClientRequest.bodyUint8Array(request, body, headers["content-type"])
  }
  return request
}

/** The client's calls reject with what failed, the library's own errors as they are: never a `FiberFailure`. */
const settle = <A>(exit: Exit.Exit<A, unknown>): A | Promise<never> =>
  Exit.isSuccess(exit) ? exit.value : Promise.reject(Cause.squash(exit.cause))

/** @internal */
export const make = (
  options: TokenService.Options,
  httpClient: Layer.Layer<HttpClient.HttpClient>
): promise.TokenClient => {
  const runtime = ManagedRuntime.make(Layer.provideMerge(TokenService.layer(options), httpClient))
  let closed = false
  let peek: (() => Held | undefined) | undefined
  // the string of the token last served, so that the hot path reads it once per token
  let lastToken: AccessToken.AccessToken | undefined
  let lastValue = ""
  let authorized: HttpClient.HttpClient.With<AuthorizedClient.AuthorizedClientError> | undefined

  const valueOf = (token: AccessToken.AccessToken): string => {
    if (token !== lastToken) {
      lastValue = Redacted.value(token.value)
      lastToken = token
    }
    return lastValue
  }

  const closedError = () => Promise.reject(new Error("createTokenClient: the client is closed"))

  const run = <A>(
    effect: Effect.Effect<A, unknown, TokenService.TokenService | HttpClient.HttpClient>,
    signal?: AbortSignal | null
  ): Promise<A> => runtime.runPromiseExit(effect, signal ? { signal } : undefined).then(settle)

  const configured = Effect.flatMap(TokenService.TokenService, (service) => {
    peek ??= peekOf(service)
    return Effect.map(service.get, valueOf)
  })
  const other = (request: TokenRequest.TokenRequest) =>
    Effect.flatMap(TokenService.TokenService, (service) => Effect.map(service.getFor(request), valueOf))

  const getToken = (request?: TokenRequest.TokenRequest): Promise<string> => {
    if (request === undefined && peek !== undefined) {
      const held = peek()
      if (held !== undefined && Monotonic.unsafeNow(systemClock) < held.refreshAt) {
        return Promise.resolve(valueOf(held.token))
      }
    }
    if (closed) return closedError()
    return run(request === undefined ? configured : other(request))
  }

  const client = Effect.suspend(() => {
    if (authorized !== undefined) return Effect.succeed(authorized)
    return Effect.map(Effect.all([TokenService.TokenService, HttpClient.HttpClient]), ([tokens, http]) => {
      peek ??= peekOf(tokens)
      authorized = AuthorizedClient.withTokens(http, { tokens, failOnErrorStatus: false })
      return authorized
    })
  })

  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (closed) return closedError()
    const request = await fromWeb(input, init)
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined)
    return run(
      Effect.flatMap(client, (authorized) => Effect.flatMap(authorized.execute(request), toWeb)),
      signal
    )
  }

  const close = (): Promise<void> => {
    if (closed) return Promise.resolve()
    closed = true
    peek = undefined
    return runtime.dispose()
  }

  return { getToken, fetch, close }
}
