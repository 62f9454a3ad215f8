/**
 * Telemetry on Effect 4 (`docs/telemetry.md`): a service's metrics land in the `MetricRegistry` of the context it was
 * built with, with its labels; a fetch's span ends with the error the fetch failed with, and a defect's text never
 * reaches it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Tracer from "effect/Tracer"
import * as Telemetry from "../src/internal/telemetry.js"
import * as TokenError from "../src/TokenError.js"

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

  it.effect("a fetch's span: a child of the caller's, ending with the fetch's error; a defect ends it without its text", () =>
    Effect.gen(function*() {
      const ended: Array<{ readonly name: string; readonly exit: Exit.Exit<unknown, unknown> }> = []
      const base = yield* Tracer.Tracer
      const tracer = Tracer.make({
        span: (options) => {
          const span = base.span(options)
          const end = span.end.bind(span)
          span.end = (time, exit) => {
            ended.push({ name: span.name, exit })
            end(time, exit)
          }
          return span
        }
      })
      const { context } = isolated()
      const telemetry = Telemetry.make(labels, context)
      const trace: Telemetry.Trace = { tracer, parent: undefined }
      const refused = new TokenError.TokenError({ reason: "OAuth", origin: "https://auth.example.com", error: "x" })
      const flight = { trigger: "caller" as const, trace, scopes: 1 }
      yield* Effect.exit(telemetry.fetch(Effect.fail(refused), flight))
      yield* Effect.exit(telemetry.fetch(Effect.die(new Error("SECRET in a defect")), flight))
      assert.deepStrictEqual(ended.map(({ name }) => name), [Telemetry.names.fetchSpan, Telemetry.names.fetchSpan])
      assert.deepStrictEqual(ended[0]?.exit, Exit.fail(refused))
      const defect = ended[1]?.exit
      assert.isTrue(defect !== undefined && Exit.isFailure(defect))
      if (defect !== undefined && Exit.isFailure(defect)) {
        assert.notInclude(Cause.pretty(defect.cause), "SECRET")
        assert.include(Cause.pretty(defect.cause), "an unexpected defect (its text is not recorded)")
      }
      assert.strictEqual(counterOf(context, Telemetry.names.requests), 2)
    }))
})
