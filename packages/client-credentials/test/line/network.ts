/**
 * Each line's networks (`Line.Network`): the services, fixed tokens and `AuthorizedClient`s built on one runtime, a
 * service on a token store too; the scripted endpoint every request of a `Line.Scripted` goes to; scripted networks
 * (on the runtime the line's `runtimes.ts` makes) and live ones (on the line's socket clients); the token stores of
 * `Line.StoreOptions`. Written once for both lines (the Effect 4 package links it); what differs between them comes
 * from `effectLine.ts`.
 */
import { AccessToken, AuthorizedClient, TokenService, TokenStore } from "@effect-oauth2/client-credentials"
import { MtlsHttpClient } from "@effect-oauth2/client-credentials/node"
import * as Driver from "@effect-oauth2/suites/Driver"
import type * as Line from "@effect-oauth2/suites/Line"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Monotonic from "../../src/internal/monotonic.js"
import {
  causeDefectOption,
  causeFindErrorOption,
  dateTimeMakeUnsafe,
  FetchHttpClient,
  type FiberOf,
  fiberPollUnsafe,
  HttpClient,
  HttpClientRequest,
  HttpClientResponse,
  nodeHttpClientLayerNodeHttp,
  scheduleMax,
  scopeForkSequential,
  scopeProvide,
  service,
  transportError
} from "./effectLine.js"
import * as Printings from "./printings.js"
import * as Rendering from "./rendering.js"

/** How a network runs its effects: on its runtime, with what its calls need around them. */
export interface Runner {
  readonly run: <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient | Scope.Scope>) => Promise<Exit.Exit<A, E>>
  readonly fork: <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) => FiberOf<A, E>
  /** Lets every fiber run until it waits. */
  readonly settle: () => Promise<void>
  readonly logs: Array<Line.LogLine>
  readonly dispose: () => Promise<void>
}

/** This line's values for the suites' plain options. */
const optionValues: Driver.OptionValues = {
  secret: Redacted.make,
  assertion: (value) => Effect.succeed(Redacted.make(value)),
  millis: Duration.millis,
  schedules: {
    forever: Schedule.forever,
    recurs: Schedule.recurs,
    spaced: (millis) => Schedule.spaced(Duration.millis(millis)),
    both: (self, that) => scheduleMax([self as Schedule.Schedule<unknown>, that as Schedule.Schedule<unknown>])
  }
}

/** `Line.ServiceOptions` as `TokenService.Options`: millis as durations, secrets as `Redacted`, retry as a schedule. */
export const serviceOptions = (options: Line.ServiceOptions): TokenService.Options =>
  Driver.serviceOptions(optionValues, options) as unknown as TokenService.Options

const defectMessage = (cause: Cause.Cause<unknown>): string => {
  const defect = causeDefectOption(cause)
  if (Option.isNone(defect)) return Cause.pretty(cause)
  return defect.value instanceof Error ? defect.value.message : String(defect.value)
}

/** A call of `effect` on `runner`, its outcome as plain data. */
export const call = <A, E, B>(
  runner: Runner,
  effect: Effect.Effect<A, E, HttpClient.HttpClient>,
  data: (value: A) => B
): Line.Call<B> => {
  const fiber = runner.fork(effect)
  return Driver.call({
    onEnd: (observer) => fiber.addObserver(observer),
    poll: () => fiberPollUnsafe(fiber),
    interrupt: async () => {
      await runner.run(Fiber.interrupt(fiber))
    },
    settle: runner.settle
  }, (exit) => Printings.outcomeOf(exit, data))
}

/**
 * A token of `value` without scopes (Bearer unless said), issued at wall-clock 0 for `lifetimeMillis` (as `invalidate`
 * takes one).
 */
const tokenOf = (value: string, lifetimeMillis = 3_600_000, tokenType: "Bearer" | "DPoP" = "Bearer") =>
  new AccessToken.AccessToken({
    value: Redacted.make(value),
    tokenType,
    scopes: [],
    issuedAt: dateTimeMakeUnsafe(0),
    expiresAt: dateTimeMakeUnsafe(lifetimeMillis)
  })

/** `Line.StoreOptions`' store: the memory store, whose `get` finds the entry it holds, if any, whatever the key. */
export const tokenStore = (options: Line.StoreOptions = {}): TokenStore.Service => {
  const memory = Effect.runSync(TokenStore.makeMemory)
  const { holding } = options
  if (holding === undefined) return memory
  const stored: TokenStore.StoredToken = {
    token: tokenOf(holding.value, holding.lifetimeMillis, holding.tokenType),
    timeToLive: Duration.millis(holding.timeToLiveMillis)
  }
  return { ...memory, get: () => Effect.succeed(Option.some(stored)) }
}

/** `TokenService.make`, or `TokenService.makeWithStore` on `store` when given. */
const makeService = (options: Line.ServiceOptions, store: TokenStore.Service | undefined) =>
  store === undefined
    ? TokenService.make(serviceOptions(options))
    : Effect.provideService(TokenService.makeWithStore(serviceOptions(options)), TokenStore.TokenStore, store)

/** A service built in a scope of its own under `root` (on `store` when given), and its handle. */
const serviceIn = (runner: Runner, root: Scope.Scope) =>
async (
  options: Line.ServiceOptions,
  store?: TokenStore.Service
) => {
  const forked = await runner.run(scopeForkSequential(root))
  if (Exit.isFailure(forked)) throw new Error("the network is closed")
  const scope = forked.value
  const built = await runner.run(scopeProvide(makeService(options, store), scope))
  if (Exit.isFailure(built)) {
    await runner.run(Scope.close(scope, Exit.void))
    throw new Error(defectMessage(built.cause))
  }
  const service = built.value
  const handle: Line.TokenService = {
    get: (request) =>
      call(runner, request === undefined ? service.get : service.getFor(request as never), Printings.tokenData),
    invalidate: async (value) => {
      await runner.run(service.invalidate(tokenOf(value)))
    },
    close: async () => {
      await runner.run(Scope.close(scope, Exit.void))
    }
  }
  return { service, handle }
}

/** A token service that always gives `value`. */
const fixedService = (value: string, invalidated: Array<string>): TokenService.Service => {
  const token = tokenOf(value)
  return {
    get: Effect.succeed(token),
    getFor: () => Effect.succeed(token),
    invalidate: (rejected) => Effect.sync(() => invalidated.push(Redacted.value(rejected.value)))
  }
}

/** The client `options` ask for, on the runner's `HttpClient`. */
const clientOf = (tokens: TokenService.Service, options: Line.ClientOptions) =>
  Effect.gen(function*() {
    const { baseUrl, under = [], ...clientOptions } = options
    let client: HttpClient.HttpClient = yield* HttpClient.HttpClient
    for (const wrapper of under) {
      client = wrapper === "followRedirects"
        ? HttpClient.followRedirects(client)
        : HttpClient.filterStatusOk(client) as HttpClient.HttpClient
    }
    const authorized = yield* Effect.try(() =>
      AuthorizedClient.withTokens(
        client,
        { ...clientOptions, tokens } as AuthorizedClient.Options & {
          readonly tokens: TokenService.Service
        }
      )
    )
    return baseUrl === undefined
      ? authorized
      : authorized.pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl(baseUrl)))
  })

/** A suite's request as this line's. */
const requestOf = (request: Line.ApiRequest): HttpClientRequest.HttpClientRequest => {
  const made = HttpClientRequest.make((request.method ?? "GET") as Parameters<typeof HttpClientRequest.make>[0])(
    request.url
  )
  if (typeof request.body === "string") return HttpClientRequest.bodyText(made, request.body)
  if (request.body === undefined) return made
  return HttpClientRequest.bodyStream(made, Stream.make(new TextEncoder().encode(request.body.stream)))
}

/** An `AuthorizedClient` over `tokens`, its requests sent on `runner`. */
const authorizedClientOn =
  (runner: Runner) => async (tokens: TokenService.Service, options: Line.ClientOptions): Promise<Line.ApiClient> => {
    const built = await runner.run(clientOf(tokens, options))
    if (Exit.isFailure(built)) {
      const failure = Option.getOrUndefined(causeFindErrorOption(built.cause)) as { readonly cause?: unknown }
      const thrown = failure?.cause
      throw new Error(thrown instanceof Error ? thrown.message : defectMessage(built.cause))
    }
    const client = built.value
    return {
      send: (request) =>
        call(
          runner,
          Effect.scoped(Effect.flatMap(client.execute(requestOf(request)), (response) =>
            Effect.map(
              Effect.orDie(response.text),
              (body): Line.ApiResponse => ({ status: response.status, headers: { ...response.headers }, body })
            ))),
          (response) => response
        )
    }
  }

/**
 * The line's network over `runner`: services (on a token store too) and clients on the `HttpClient` the runner
 * provides.
 */
export const make = (runner: Runner): Driver.Network<TokenStore.Service> => {
  const root = Effect.runSync(Scope.make())
  return Driver.network({
    service: serviceIn(runner, root),
    fixedService,
    authorizedClient: authorizedClientOn(runner),
    logs: () => runner.logs.slice(),
    close: async () => {
      await runner.run(Scope.close(root, Exit.void))
      await runner.dispose()
    }
  })
}

/** The connection failed: the scripted client turns it into the line's transport error (`transportError`). */
class TransportFailure {
  constructor(readonly cause: unknown) {}
}

/** The body of a request as text. */
const bodyText = (body: HttpClientRequest.HttpClientRequest["body"]): Effect.Effect<string> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(new TextDecoder().decode(body.body))
    case "Raw":
      return Effect.succeed(String(body.body))
    case "FormData":
      return Effect.succeed(new URLSearchParams(body.formData as unknown as Record<string, string>).toString())
    case "Stream":
      return Effect.orDie(Stream.mkString(Stream.decodeText(body.stream)))
  }
}

/** The scripted endpoint of a `Line.Scripted`: the client every request goes to, and its state. */
export interface Endpoint {
  readonly client: HttpClient.HttpClient
  readonly state: Driver.Endpoint
}

const answerWith = (state: Driver.Endpoint) => {
  const answer = (given: Line.Answer, count: number): Effect.Effect<Response, TransportFailure> => {
    switch (given._tag) {
      case "Respond":
      case "Token":
        return Effect.sync(() => Driver.responseOf(given, count))
      case "Hang":
        return Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => state.abandonedCount++)))
      case "TransportError":
        return Effect.fail(new TransportFailure(Driver.transportCause(given)))
      case "Delayed":
        return Effect.andThen(Effect.sleep(Duration.millis(given.millis)), answer(given.answer, count))
      case "Die":
        return Effect.die(new Error(given.message))
    }
  }
  return answer
}

export const endpoint = (fallback: Line.Script | undefined): Endpoint => {
  const state = new Driver.Endpoint(fallback)
  const answer = answerWith(state)
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = yield* bodyText(request.body)
      const at = yield* Monotonic.now
      const contentType = "contentType" in request.body ? request.body.contentType : undefined
      const chosen = state.receive({
        method: request.method,
        url: url.toString(),
        headers: request.headers,
        contentType,
        body,
        at
      })
      const response = yield* Effect.mapError(
        answer(chosen, state.requests.length),
        (failure) => transportError(request, failure.cause)
      )
      return HttpClientResponse.fromWeb(request, response)
    })
  )
  return { client, state }
}

/** A runner on `runtime`, built, which provides `client` to what it runs. */
export const runner = (
  runtime: ManagedRuntime.ManagedRuntime<never, never>,
  client: HttpClient.HttpClient,
  logs: Array<Line.LogLine>,
  settle: () => Promise<void>
): Runner => ({
  run: (effect) => runtime.runPromiseExit(Effect.scoped(Effect.provideService(effect, HttpClient.HttpClient, client))),
  fork: (effect) => runtime.runFork(Effect.provideService(effect, HttpClient.HttpClient, client)),
  settle,
  logs,
  dispose: () => runtime.dispose()
})

/** What a line's scripted runtime is made with: its logs go to `logs`, its wall clock is `step.millis` off. */
export interface RuntimeOptions {
  readonly logs: Array<Line.LogLine>
  readonly step: { readonly millis: number }
  /** What every random draw gives, when fixed. */
  readonly random: number | undefined
  /** A layer more in the runtime (an OpenTelemetry SDK, `line/telemetry.ts`). */
  readonly layer: Layer.Layer<never>
}

/** What a scripted network takes to be observed: a layer more in its runtime, and a wrapper of its runner. */
export interface Extra {
  readonly layer: Layer.Layer<never>
  readonly runner: (runner: Runner) => Runner
}

/** Nothing more. */
export const noExtra: Extra = { layer: Layer.empty, runner: (runner) => runner }

/** What a scripted network runs on: a built runtime whose clock is the test clock `clock`. */
export interface ScriptedRuntime {
  readonly runtime: ManagedRuntime.ManagedRuntime<never, never>
  readonly clock: Clock.Clock & { readonly adjust: (millis: number) => Effect.Effect<void> }
}

/** A scripted network whose services may also be built on a token store (`serviceOn`). */
export interface Scripted extends Line.Scripted, Pick<Driver.Network<TokenStore.Service>, "serviceOn"> {}

/**
 * The line's scripted networks (`Line.Scripted`), each on a runtime of its own that `makeRuntime` makes: time moves
 * when a suite advances it, and every request goes to the scripted endpoint.
 */
export const scripted = (makeRuntime: (options: RuntimeOptions) => Promise<ScriptedRuntime>) =>
async (
  options: Line.ScriptedOptions = {},
  extra: Extra = noExtra
): Promise<Scripted> => {
  const logs: Array<Line.LogLine> = []
  const step = { millis: 0 }
  const scriptedEndpoint = endpoint(options.fallback)
  const { clock, runtime } = await makeRuntime({ logs, step, random: options.random, layer: extra.layer })
  const adjust = (millis: number) => runtime.runPromise(clock.adjust(millis))
  const network = make(extra.runner(runner(runtime, scriptedEndpoint.client, logs, () => adjust(0))))
  return {
    ...network,
    ...scriptedEndpoint.state.controls(),
    advance: adjust,
    now: () => Monotonic.nowUnsafe(clock),
    stepWallClock: (millis) => {
      step.millis += millis
    }
  }
}

/**
 * The line's socket clients, by the names the suites know them by (`Line.httpClients`): undici's, Node's `http`
 * module's and `fetch`'s; the first is the default.
 */
export const socketClients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["NodeHttpClient (undici)", NodeHttpClient.layerUndici],
  ["NodeHttpClient", nodeHttpClientLayerNodeHttp],
  ["FetchHttpClient", FetchHttpClient.layer]
]

/** `MtlsHttpClient.layer` of `certificate`, its key `Redacted`. */
const mtlsClientLayer = (certificate: Line.TlsClientCertificate): Layer.Layer<HttpClient.HttpClient> =>
  MtlsHttpClient.layer(
    { ...certificate, key: Redacted.make(certificate.key) } as TokenService.TlsClientCertificate
  )

/**
 * An HTTP client layer for the Promise API's `httpClient`: on Node's `http` module, which follows no redirect itself;
 * wrapped in `HttpClient.followRedirects` when `followRedirects` is set; with `tlsClientCertificate`, the
 * `MtlsHttpClient` that presents it.
 */
export const promiseHttpClient = (
  options: {
    readonly followRedirects?: boolean | undefined
    readonly tlsClientCertificate?: Line.TlsClientCertificate | undefined
  } = {}
): Layer.Layer<HttpClient.HttpClient> =>
  options.tlsClientCertificate !== undefined
    ? mtlsClientLayer(options.tlsClientCertificate)
    : options.followRedirects === true
    ? Layer.effect(
      HttpClient.HttpClient,
      Effect.map(service(HttpClient.HttpClient), (client) => HttpClient.followRedirects(client))
    ).pipe(Layer.provide(nodeHttpClientLayerNodeHttp))
    : nodeHttpClientLayerNodeHttp

/** A string as this line's secret (`Redacted`), for the Promise API's options. */
export const secret = (value: string): Redacted.Redacted<string> => Redacted.make(value)

/**
 * A live network: on a runtime of its own with the socket client a suite names (the first by default), or the
 * `MtlsHttpClient` of a client certificate, in real time.
 */
export const live = async (
  options: {
    readonly httpClient?: string | undefined
    readonly tlsClientCertificate?: Line.TlsClientCertificate | undefined
  } = {}
): Promise<Line.Network> => {
  const name = options.httpClient ?? socketClients[0]![0]
  const clientLayer = options.tlsClientCertificate !== undefined
    ? mtlsClientLayer(options.tlsClientCertificate)
    : socketClients.find(([candidate]) => candidate === name)?.[1]
  if (clientLayer === undefined) throw new Error(`no HTTP client ${name}`)
  const logs: Array<Line.LogLine> = []
  const runtime = ManagedRuntime.make(Layer.merge(clientLayer, Rendering.captureLayer(logs)))
  const client = await runtime.runPromise(service(HttpClient.HttpClient)).catch(async (error: unknown) => {
    await runtime.dispose()
    throw error
  })
  const yieldTimer = () => new Promise<void>((resolve) => setTimeout(resolve, 0))
  return make(runner(runtime as ManagedRuntime.ManagedRuntime<never, never>, client, logs, yieldTimer))
}
