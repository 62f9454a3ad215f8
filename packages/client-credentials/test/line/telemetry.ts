/**
 * A line's OpenTelemetry SDK around its token services (`Line.Telemetry`): the line's `@effect/opentelemetry`
 * `NodeSdk` layer (0.64 on Effect 3, 4.1 on Effect 4) over the in-memory exporters of
 * `@effect-oauth2/suites/Collector`.
 *
 * - An observed network is a scripted one whose runtime also has the SDK, and whose calls run in the caller's span
 *   while a suite is inside `inSpan`, with an `HttpClient` that sends no trace context when asked; its services may
 *   share a token store (`Network.tokenStore`).
 * - A wiring puts a token service's layer (`App`, over the scripted endpoint, in real time) and the SDK's (`Otel`)
 *   together as an application's code would, and runs a scenario on them.
 *
 * The code reads the same on both lines: the Effect 4 line's `test/line/telemetry.ts` is a link to this file, and
 * what differs comes from each line's `test/line/effectLine.ts`.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as Collector from "@effect-oauth2/suites/Collector"
import type * as Line from "@effect-oauth2/suites/Line"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { HttpClient, withoutTracerPropagation } from "./effectLine.js"
import * as Network from "./network.js"

const sdkOf = (collector: Collector.Collector, withMetrics: boolean) =>
  NodeSdk.layer(() => ({
    resource: { serviceName: "effect-oauth2-suites" },
    spanProcessor: collector.spanProcessor,
    ...(withMetrics ? { metricReader: collector.metricReader } : {})
  }))

/** `Line.Telemetry.observed`, over the line's `scripted` that takes a `Network.Extra`. */
const observed = (
  scripted: (options: Line.ScriptedOptions, extra: Network.Extra) => Promise<Network.Scripted>
) =>
async (options: Line.ObservedOptions = {}): Promise<Line.Observed> => {
  const { tracerPropagation = true, ...scriptedOptions } = options
  const collector = Collector.make()
  const inCallerSpan = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | HttpClient.HttpClient> => {
    const name = collector.callerSpan()
    const propagated = tracerPropagation ? effect : withoutTracerPropagation(effect)
    return name === undefined ? propagated : Effect.withSpan(propagated, name)
  }
  const network = await scripted(scriptedOptions, {
    layer: sdkOf(collector, true),
    runner: (runner) => ({
      ...runner,
      run: (effect) => runner.run(inCallerSpan(effect)),
      fork: (effect) => runner.fork(inCallerSpan(effect))
    })
  })
  const { serviceOn, ...observedNetwork } = network
  return {
    ...observedNetwork,
    spans: collector.spans,
    metrics: collector.metrics,
    inSpan: collector.inSpan,
    store: (storeOptions) => {
      const store = Network.tokenStore(storeOptions)
      return { service: (serviceOptions) => serviceOn(store, serviceOptions) }
    }
  }
}

/** The scenario's calls on the `TokenService` in the context; then the spans exported so far. */
const scenarioOf = (scenario: Line.WiredScenario, collector: Collector.Collector) =>
  Effect.gen(function*() {
    const tokens = yield* TokenService.TokenService
    for (const call of scenario.calls) {
      yield* Effect.sleep(Duration.millis(call.afterMillis))
      yield* Effect.withSpan(tokens.get, call.span)
    }
    yield* Effect.sleep(Duration.millis(scenario.settleMillis))
    // read before the SDK closes: closing it empties the in-memory exporter
    return collector.spans()
  })

type Wiring = (
  program: ReturnType<typeof scenarioOf>,
  App: Layer.Layer<TokenService.TokenService>,
  Otel: ReturnType<typeof sdkOf>
) => Promise<ReadonlyArray<Line.SpanData>>

/** On a runtime of `layer`, disposed after. */
const onRuntime = async <A, E>(
  layer: Layer.Layer<TokenService.TokenService, E>,
  program: Effect.Effect<A, unknown, TokenService.TokenService>
): Promise<A> => {
  const runtime = ManagedRuntime.make(layer)
  try {
    return await runtime.runPromise(program)
  } finally {
    await runtime.dispose()
  }
}

const wirings: ReadonlyArray<readonly [string, Wiring]> = [
  [
    "program.pipe(Effect.provide(App), Effect.provide(Otel))",
    (program, App, Otel) => Effect.runPromise(program.pipe(Effect.provide(App), Effect.provide(Otel)))
  ],
  [
    "ManagedRuntime.make(App.pipe(Layer.provideMerge(Otel)))",
    (program, App, Otel) => onRuntime(App.pipe(Layer.provideMerge(Otel)), program)
  ],
  [
    "ManagedRuntime.make(Layer.mergeAll(App, Otel)): the layer is built without the tracer",
    (program, App, Otel) => onRuntime(Layer.mergeAll(App, Otel), program)
  ]
]

const wired = (name: string, scenario: Line.WiredScenario): Promise<ReadonlyArray<Line.SpanData>> => {
  const wiring = wirings.find(([candidate]) => candidate === name)?.[1]
  if (wiring === undefined) throw new Error(`no wiring ${name}`)
  const collector = Collector.make()
  const endpoint = Network.endpoint(scenario.fallback)
  const App = TokenService.layer(Network.serviceOptions(scenario.options)).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, endpoint.client))
  )
  return wiring(scenarioOf(scenario, collector), App, sdkOf(collector, false))
}

/** `Line.Telemetry`, over the line's `scripted` that takes a `Network.Extra`. */
export const make = (
  scripted: (options: Line.ScriptedOptions, extra: Network.Extra) => Promise<Network.Scripted>
): Line.Telemetry => ({
  observed: observed(scripted),
  wirings: wirings.map(([name]) => name),
  wired
})
