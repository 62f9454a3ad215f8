/**
 * What an operator's collector would receive from a line, in memory: the span processor and metric reader a line's
 * `NodeSdk` layer is given, their spans and metrics read back as plain data (`Line.SpanData`, `Line.MetricData`),
 * and the caller's span a driver puts around the calls of `Line.Observed.inSpan`. The OpenTelemetry SDK needs no
 * Effect: both lines' drivers take it from here.
 *
 * @since 0.1.0
 */
import type { DataPoint, Histogram, MetricData } from "@opentelemetry/sdk-metrics"
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type * as Line from "./Line.js"

/**
 * In-memory exporters, and what they hold.
 *
 * @since 0.1.0
 * @category models
 */
export interface Collector {
  /** The `spanProcessor` of the line's `NodeSdk` layer. */
  readonly spanProcessor: SimpleSpanProcessor
  /** The `metricReader` of the line's `NodeSdk` layer: it exports only when `metrics` flushes it. */
  readonly metricReader: PeriodicExportingMetricReader
  readonly spans: () => ReadonlyArray<Line.SpanData>
  readonly metrics: () => Promise<ReadonlyArray<Line.MetricData>>
  /** The name of the caller's span the calls started now run in; `undefined` outside `inSpan`. */
  readonly callerSpan: () => string | undefined
  readonly inSpan: Line.Observed["inSpan"]
}

const statusCodes = { 0: "unset", 1: "ok", 2: "error" } as const

const spanData = (span: ReadableSpan): Line.SpanData => ({
  name: span.name,
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
  attributes: { ...span.attributes },
  status: span.status.message === undefined
    ? { code: statusCodes[span.status.code] }
    : { code: statusCodes[span.status.code], message: span.status.message },
  events: span.events.map((event) => ({ name: event.name, attributes: { ...event.attributes } }))
})

const pointValue = (value: unknown): Line.MetricPoint["value"] =>
  typeof value === "number" ? value : { count: (value as Histogram).count, sum: (value as Histogram).sum ?? Number.NaN }

const metricData = (metric: MetricData): Line.MetricData => ({
  name: metric.descriptor.name,
  unit: metric.descriptor.unit,
  points: (metric.dataPoints as Array<DataPoint<unknown>>).map((point) => ({
    attributes: { ...point.attributes },
    value: pointValue(point.value)
  }))
})

/**
 * Fresh exporters: spans as they end, metrics cumulative.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): Collector => {
  const spanExporter = new InMemorySpanExporter()
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
  let caller: string | undefined
  return {
    spanProcessor: new SimpleSpanProcessor(spanExporter),
    metricReader,
    spans: () => spanExporter.getFinishedSpans().map(spanData),
    metrics: async () => {
      await metricReader.forceFlush()
      const last = metricExporter.getMetrics().at(-1)
      return (last?.scopeMetrics ?? []).flatMap((scope) => scope.metrics.map(metricData))
    },
    callerSpan: () => caller,
    inSpan: async (name, body) => {
      caller = name
      try {
        return await body()
      } finally {
        caller = undefined
      }
    }
  }
}
