/**
 * One wiring of the application's tracer that only the Effect 3 line has: `App.pipe(Layer.provide(Otel))`, the
 * tracer installed below the layer and hidden from the program. On Effect 3 the tracer is a fiber ref the runtime keeps
 * whatever layer set it, so a fetch a caller started is traced by the caller's tracer under the caller's span, the
 * token request's `http.client` span under it and a discovery too, and a background refresh as a root span. On
 * Effect 4 the tracer is a service of the layer's context, which `Layer.provide` does not pass on: neither the
 * program's spans nor the library's reach the SDK. The wirings both lines share (the tracer provided after the
 * layer, below it with `Layer.provideMerge`, beside it with `Layer.mergeAll`) are the telemetry suite's
 * (`@effect-oauth2/suites/Telemetry`). Real time, an in-memory token endpoint, `@effect/opentelemetry` with an
 * in-memory exporter. Specified in `docs/telemetry.md#where-each-kind-of-output-goes`.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { assert, describe, it } from "@effect/vitest"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { byUrl } from "../utils/byUrl.js"
import * as Endpoint from "../utils/ScriptedEndpoint.js"
import * as Service from "../utils/service.js"

const issuer = "https://issuer.example.com"

/** An issuer whose tokens live one second: hard expiry at 0.5 s, refresh from 0.25 s. */
const endpoint = () =>
  Endpoint.make({
    otherwise: byUrl({
      [`${issuer}/.well-known/oauth-authorization-server`]: Endpoint.json({
        issuer,
        token_endpoint: "https://tokens.example.com/oauth2/token"
      }),
      "https://tokens.example.com/oauth2/token": Endpoint.token("t", { expires_in: 1 })
    })
  })

/** A caller's fetch under its span, then, 300 ms later, a call that starts the refresh; the spans as exported. */
const run = (runPromise: <A, E>(effect: Effect.Effect<A, E, TokenService.TokenService>) => Promise<A>) =>
  runPromise(
    Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      yield* Effect.withSpan(tokens.get, "caller")
      yield* Effect.sleep("300 millis")
      yield* Effect.withSpan(tokens.get, "refreshing caller")
      yield* Effect.sleep("100 millis")
    })
  )

const setup = () => {
  const exporter = new InMemorySpanExporter()
  const Otel = NodeSdk.layer(() => ({
    resource: { serviceName: "effect-oauth2-wiring-test" },
    spanProcessor: new SimpleSpanProcessor(exporter)
  }))
  const App = TokenService.layer({
    issuer,
    clientId: "wiring",
    clientSecret: Redacted.make(Service.clientSecret),
    refreshAhead: 0.5
  }).pipe(Layer.provide(endpoint().layer))
  return { exporter, Otel, App }
}

const named = (spans: ReadonlyArray<ReadableSpan>, name: string) => {
  const found = spans.filter((span) => span.name === name)
  assert.isNotEmpty(found, `no span ${name} among ${spans.map((span) => span.name).join(", ")}`)
  return found
}
const idOf = (span: ReadableSpan) => span.spanContext().spanId
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

/** What every wiring must export. */
const assertTraced = (spans: ReadonlyArray<ReadableSpan>) => {
  const [caller] = named(spans, "caller")
  const fetches = named(spans, "oauth2.token.fetch")
  const fetch = fetches.find((span) => span.attributes["oauth2.token.trigger"] === "caller")!
  assert.strictEqual(parentOf(fetch), idOf(caller!), "the fetch is under the caller's span")
  const [discovery] = named(spans, "oauth2.discovery")
  assert.strictEqual(parentOf(discovery!), idOf(fetch), "the discovery is under the fetch")
  const requests = named(spans, "http.client POST")
  assert.isTrue(requests.some((span) => parentOf(span) === idOf(fetch)), "the token request is under the fetch")
  const refresh = fetches.find((span) => span.attributes["oauth2.token.trigger"] === "refresh")
  assert.isDefined(refresh, "the refresh is traced")
  assert.isUndefined(parentOf(refresh!), "as a root span")
  assert.isTrue(requests.some((span) => parentOf(span) === idOf(refresh!)), "its token request under it")
}

describe("spans reach the tracer however the application is wired", () => {
  it("ManagedRuntime.make(App.pipe(Layer.provide(Otel)))", async () => {
    const { App, exporter, Otel } = setup()
    const runtime = ManagedRuntime.make(App.pipe(Layer.provide(Otel)))
    try {
      await run((effect) => runtime.runPromise(effect))
      // read before the runtime closes: closing the SDK empties the in-memory exporter
      assertTraced(exporter.getFinishedSpans())
    } finally {
      await runtime.dispose()
    }
  })
})
