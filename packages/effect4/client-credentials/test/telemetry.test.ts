/**
 * Telemetry on Effect 4 (`docs/telemetry.md`) that only this line has: a service's metrics land in the
 * `MetricRegistry` of the context it was built with (Effect 3's metrics are global), with its labels. The spans,
 * metrics and logs both lines write are the telemetry suite's (`@effect-oauth2/suites/Telemetry`).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Metric from "effect/Metric"
import * as Telemetry from "../src/internal/telemetry.js"

const labels: Telemetry.Labels = { clientId: "svc", host: "auth.example.com" }

/** A registry of its own, in a context as a layer would pass it. */
const isolated = () => {
  const registry: Metric.MetricRegistry = new Map()
  return { registry, context: Context.make(Metric.MetricRegistry, registry) }
}

/** The sum of the counters named `name` in `context`'s registry (one series per set of labels). */
const counterOf = (context: Context.Context<never>, name: string): number | undefined => {
  const counters = Metric.snapshotUnsafe(context).filter((metric) => metric.id === name && metric.type === "Counter")
  return counters.length === 0
    ? undefined
    : counters.reduce((sum, metric) => sum + (metric.type === "Counter" ? Number(metric.state.count) : 0), 0)
}

describe("telemetry on Effect 4", () => {
  it("updates land in the registry of the context given to make, with the service's labels", () => {
    const { context } = isolated()
    const telemetry = Telemetry.make(labels, context)
    telemetry.rejected()
    telemetry.rejected()
    telemetry.countHit()
    assert.strictEqual(counterOf(context, Telemetry.names.rejections), 2)
    assert.strictEqual(counterOf(context, Telemetry.names.lookups), 1)
    const rejections = Metric.snapshotUnsafe(context).find((metric) => metric.id === Telemetry.names.rejections)
    assert.include(rejections?.attributes, {
      [Telemetry.keys.clientId]: "svc",
      [Telemetry.keys.host]: "auth.example.com"
    })
    assert.isUndefined(counterOf(Context.make(Metric.MetricRegistry, new Map()), Telemetry.names.rejections))
  })
})
