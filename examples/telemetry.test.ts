/**
 * `telemetry.ts` runs against the embedded fake server, and what it exports is what `docs/telemetry.md#spans` and
 * `docs/telemetry.md#metrics` name: read back with in-memory exporters in place of the console ones, before the SDK
 * shuts down (which empties them). Real time and sockets: the run is about two seconds.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { assert, describe, it } from "@effect/vitest"
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer } from "effect"
import * as telemetry from "./telemetry.js"

describe("examples/telemetry.ts", () => {
  it.live("exports the fetch, refresh and API spans and every metric it exercises", () => {
    const spans = new InMemorySpanExporter()
    const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
    const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 60_000 })
    const sdk = NodeSdk.layer(() => ({
      resource: { serviceName: "telemetry-example-test" },
      spanProcessor: new SimpleSpanProcessor(spans),
      metricReader: reader
    }))
    return Effect.gen(function*() {
      yield* telemetry.run(Layer.empty)
      yield* Effect.promise(() => reader.forceFlush())
      const finished = spans.getFinishedSpans()
      const fetches = finished.filter((span) => span.name === "oauth2.token.fetch")
      const triggers = fetches.map((span) => span.attributes["oauth2.token.trigger"])
      assert.includeMembers(triggers, ["caller", "refresh"])
      assert.strictEqual(fetches[0]?.attributes["oauth2.attempts"], 2)
      const names = new Set(
        metrics.getMetrics().flatMap((resource) =>
          resource.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name))
        )
      )
      for (
        const name of [
          "oauth2.client.token.requests",
          "oauth2.client.token.request.duration",
          "oauth2.client.token.retries",
          "oauth2.client.token.cache.lookups",
          "oauth2.client.token.rejections",
          "oauth2.client.token.recoveries",
          "oauth2.client.token.expires_in"
        ]
      ) assert.isTrue(names.has(name), name)
    }).pipe(Effect.provide(sdk), Effect.timeout("20 seconds"))
  }, 30_000)
})
