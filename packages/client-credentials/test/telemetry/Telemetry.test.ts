/**
 * Telemetry the behavioural suite (`@effect-oauth2/suites/Telemetry`, run by both lines) does not reach yet, on the
 * Effect 3 line: a token read from a shared token store (the fetch span's `oauth2.token.source`, the `expires_in`
 * gauge from the time the token has left there), since the suites' `Line` builds no service on a store. Nothing here
 * is specific to Effect 3: it waits for the `Line` to have a shared store. Read back through `@effect/opentelemetry`'s
 * `NodeSdk.layer` with in-memory exporters.
 *
 * The token endpoint is in memory (`ScriptedEndpoint`) and time is `TestClock`'s. Effect's metrics are global, so
 * each test has a client id of its own and reads only the series that carry it.
 */
import { TokenStore } from "@effect-oauth2/client-credentials"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { assert, describe, it } from "@effect/vitest"
import type { DataPoint, MetricData } from "@opentelemetry/sdk-metrics"
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Logs from "../utils/logs.js"
import * as Endpoint from "../utils/ScriptedEndpoint.js"
import * as Service from "../utils/service.js"
import * as Store from "../utils/store.js"

/** The SDK with in-memory exporters, and the captured logs. */
const makeSdk = () => {
  const spanExporter = new InMemorySpanExporter()
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // exports only when flushed: the test reads when it wants
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  const logs = Logs.capture()
  const layer = Layer.merge(
    NodeSdk.layer(() => ({
      resource: { serviceName: "effect-oauth2-telemetry-test" },
      spanProcessor: new SimpleSpanProcessor(spanExporter),
      metricReader: reader
    })),
    logs.layer
  )
  const spans = (): ReadonlyArray<ReadableSpan> => spanExporter.getFinishedSpans()
  /** Every metric series carrying `clientId` (or every series when absent). */
  const metrics = (clientId?: string) =>
    Effect.promise(() => reader.forceFlush()).pipe(
      Effect.map(() => {
        const last = metricExporter.getMetrics().at(-1)
        const all: Array<MetricData> = last?.scopeMetrics.flatMap((scope) => scope.metrics) ?? []
        return all
          .map((metric) => ({
            ...metric,
            dataPoints: (metric.dataPoints as Array<DataPoint<unknown>>).filter((point) =>
              clientId === undefined || point.attributes["oauth2.client.id"] === clientId
            )
          }))
          .filter((metric) => metric.dataPoints.length > 0)
      })
    )
  return { layer, spans, metrics, logs }
}

type Metrics = Effect.Effect.Success<ReturnType<ReturnType<typeof makeSdk>["metrics"]>>

/** The value of the series of `name` whose attributes include `attributes`; `undefined` when there is none. */
const valueOf = (metrics: Metrics, name: string, attributes: Record<string, unknown> = {}): unknown => {
  const metric = metrics.find((metric) => metric.descriptor.name === name)
  const point = metric?.dataPoints.find((point) =>
    Object.entries(attributes).every(([key, value]) => point.attributes[key] === value)
  )
  return point?.value
}

const spanNamed = (spans: ReadonlyArray<ReadableSpan>, name: string): ReadonlyArray<ReadableSpan> =>
  spans.filter((span) => span.name === name)

describe("Telemetry through @effect/opentelemetry", () => {
  it.scoped("a token from a shared store: the fetch span says so, and no token request is counted", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const store = yield* TokenStore.makeMemory
      const overrides = { clientId: "telemetry-store" }
      const first = yield* Store.replica(endpoint, store, overrides)
      const second = yield* Store.replica(endpoint, store, overrides)
      yield* first.get
      yield* second.get
      assert.strictEqual(endpoint.requests.length, 1)
      const [fetched, stored] = spanNamed(sdk.spans(), "oauth2.token.fetch")
      assert.isUndefined(fetched!.attributes["oauth2.token.source"])
      assert.deepInclude(stored!.attributes, { "oauth2.token.source": "store", "oauth2.outcome": "token" })
      const metrics = yield* sdk.metrics("telemetry-store")
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.requests", { "oauth2.outcome": "token" }), 1)
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("expires_in is set when a token arrives; for a token from the store, from the time it has left there", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const fetching = yield* Service.make(endpoint, { clientId: "telemetry-gauge-fetch" })
      yield* fetching.get
      assert.strictEqual(valueOf(yield* sdk.metrics("telemetry-gauge-fetch"), "oauth2.client.token.expires_in"), 3600)

      // another replica's one-hour token, with ten minutes left to its hard expiry in the store
      const spy = yield* Store.spy()
      const stored = Store.tokenOf("from-the-store", 0, 3_600_000)
      spy.override({ get: () => Effect.succeed(Option.some({ token: stored, timeToLive: Duration.minutes(10) })) })
      const reading = yield* Store.replica(endpoint, spy.store, { clientId: "telemetry-gauge-store" })
      yield* reading.get
      assert.strictEqual(endpoint.requests.length, 1, "no request: the token came from the store")
      // ten minutes to the hard expiry, plus the minute of leeway
      assert.strictEqual(valueOf(yield* sdk.metrics("telemetry-gauge-store"), "oauth2.client.token.expires_in"), 660)
    }).pipe(Effect.provide(sdk.layer))
  })
})
