/**
 * Telemetry with no extra code: `@effect/opentelemetry`'s `NodeSdk.layer` picks up the library's spans and metrics.
 * This program exports them to the console, against the embedded fake authorization server: a fetch that is retried
 * once, cached calls, a refresh ahead of expiry, and a token the API rejects and `AuthorizedClient` replaces. It
 * runs in about two seconds and exits by itself.
 *
 *   node --conditions=@effect-oauth2/source --import tsx examples/telemetry.ts
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { ConsoleMetricExporter, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Clock, DateTime, Duration, Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import { isMain } from "./src/isMain.js"

/** What the program does, in spans of its own: the library's spans hang under them. */
export const program = Effect.gen(function*() {
  const server = yield* FakeAuthServer.FakeAuthServer
  // a short lifetime, so that a refresh ahead of expiry comes quickly
  yield* server.setTokenLifetime("2 seconds")
  yield* server.script(FakeAuthServer.json(503, { error: "temporarily_unavailable" }))
  const tokens = yield* TokenService.TokenService
  const api = yield* AuthorizedClient.AuthorizedClient
  const callApi = api.get(`${server.apiUrl}/orders`).pipe(Effect.asVoid, Effect.withSpan("GET /orders handler"))

  // a fetch (retried after the 503) under the first handler's span, then cached calls: no span, counted
  for (let i = 0; i < 5; i++) yield* callApi
  // past the refresh point (at most 0.8 of the 1.9 s the token is used, issue to hard expiry) and well before the hard
  // expiry: a background refresh, a root span of its own
  const issuedAt = DateTime.toEpochMillis((yield* tokens.get).issuedAt)
  yield* Effect.sleep(Duration.millis(issuedAt + 1_600 - (yield* Clock.currentTimeMillis)))
  yield* callApi
  yield* Effect.sleep("100 millis")
  // the API stops accepting the token: AuthorizedClient drops it, fetches another and sends again
  yield* server.revoke(yield* tokens.get)
  yield* callApi
})

/** Token service and authorized client on the fake server. */
export const MainLayer = (server: FakeAuthServer.Service) =>
  AuthorizedClient.layer().pipe(
    Layer.provideMerge(
      TokenService.layer({
        tokenUrl: server.tokenUrl,
        clientId: FakeAuthServer.defaultClient.clientId,
        clientSecret: Redacted.make(FakeAuthServer.defaultClient.clientSecret),
        // the short lifetime's tokens are used until 100 ms before they expire
        expiryLeeway: "100 millis"
      })
    )
  )

/** The program with its layers, under `telemetry` (an SDK layer). */
export const run = <ROut>(telemetry: Layer.Layer<ROut>) =>
  Effect.gen(function*() {
    const server = yield* FakeAuthServer.FakeAuthServer
    yield* program.pipe(Effect.provide(MainLayer(server)))
  }).pipe(
    Effect.provide(Layer.mergeAll(FakeAuthServer.layer(), NodeHttpClient.layerUndici, telemetry))
  )

/** Console exporters: every span as it ends, the metrics once, when the SDK shuts down. */
export const ConsoleTelemetry = NodeSdk.layer(() => ({
  resource: { serviceName: "effect-oauth2-telemetry-example" },
  spanProcessor: new SimpleSpanProcessor(new ConsoleSpanExporter()),
  metricReader: new PeriodicExportingMetricReader({
    exporter: new ConsoleMetricExporter(),
    exportIntervalMillis: 60_000
  })
})).pipe(Layer.merge(Logger.minimumLogLevel(LogLevel.Debug)))

if (isMain(import.meta.url)) {
  NodeRuntime.runMain(run(ConsoleTelemetry))
}
