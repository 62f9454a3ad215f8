/**
 * Telemetry (`docs/telemetry.md#spans`, `docs/telemetry.md#metrics`, `docs/telemetry.md#logs`,
 * `docs/telemetry.md#trace-headers`), read back through `@effect/opentelemetry`'s `NodeSdk.layer` with in-memory
 * exporters, as an operator's collector would see it: each span with its parent and attributes, each metric with its
 * labels and unit; nothing secret in any attribute, event, label or log line; nothing at all on a cache hit. Trace
 * headers on token requests, and `HttpClient.withTracerPropagation(false)` to turn them off.
 *
 * The token endpoint is in memory (`ScriptedEndpoint`) and time is `TestClock`'s. Effect's metrics are global, so
 * each test has a client id of its own and reads only the series that carry it.
 */
import { AuthorizedClient, TokenService, TokenStore } from "@effect-oauth2/client-credentials"
import { createTokenClient } from "@effect-oauth2/client-credentials/promise"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import type { DataPoint, Histogram, MetricData } from "@opentelemetry/sdk-metrics"
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { byUrl } from "../utils/byUrl.js"
import { assertNoStart } from "../utils/leaks.js"
import * as Logs from "../utils/logs.js"
import * as Endpoint from "../utils/ScriptedEndpoint.js"
import * as Service from "../utils/service.js"
import * as Store from "../utils/store.js"

const noJitter = Effect.withRandom(Random.fixed([0.5]))

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

const idOf = (span: ReadableSpan) => span.spanContext().spanId
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

/** Every text a collector receives from `spans`: attributes, events with theirs, status messages. */
const spanTexts = (spans: ReadonlyArray<ReadableSpan>): ReadonlyArray<readonly [string, string]> =>
  spans.flatMap((span) => [
    [`span ${span.name} attributes`, JSON.stringify(span.attributes)] as const,
    [`span ${span.name} events`, JSON.stringify(span.events)] as const,
    [`span ${span.name} status`, JSON.stringify(span.status)] as const
  ])

describe("Telemetry through @effect/opentelemetry", () => {
  it.scoped("a fetch is a span under the caller's, with its attributes; the HTTP request is under it", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { clientId: "telemetry-span", scopes: ["a", "b"] })
      yield* service.get.pipe(Effect.withSpan("caller"))
      const spans = sdk.spans()
      const [caller] = spanNamed(spans, "caller")
      const [fetch, ...more] = spanNamed(spans, "oauth2.token.fetch")
      assert.isDefined(caller)
      assert.isDefined(fetch)
      assert.strictEqual(more.length, 0)
      assert.strictEqual(parentOf(fetch!), idOf(caller!))
      assert.strictEqual(fetch!.spanContext().traceId, caller!.spanContext().traceId)
      assert.deepInclude(fetch!.attributes, {
        "oauth2.client.id": "telemetry-span",
        "server.address": "auth.example.com",
        "oauth2.scope.count": 2,
        "oauth2.attempts": 1,
        "oauth2.token.trigger": "caller",
        "oauth2.outcome": "token"
      })
      // the platform's span of the request itself is a child of the fetch
      const http = spans.filter((span) => parentOf(span) === idOf(fetch!))
      assert.isAtLeast(http.length, 1)
    }).pipe(Effect.provide(sdk.layer))
  })

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

  it.scoped("a fetch whose caller has no span is a root, not a child of the span the layer was built in", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { clientId: "telemetry-root" }).pipe(Effect.withSpan("build"))
      yield* service.get
      const [fetch] = spanNamed(sdk.spans(), "oauth2.token.fetch")
      assert.isDefined(fetch)
      assert.isUndefined(parentOf(fetch!))
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("a background refresh is a root span, though a caller's call started it", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      // built in a span of its own: the refresh runs with the layer's context, and must not hang under it
      const service = yield* Service.make(endpoint, { clientId: "telemetry-refresh" }).pipe(Effect.withSpan("build"))
      yield* service.get
      // past the refresh point (80 % of the usable hour, jitter fixed), before the hard expiry
      yield* TestClock.adjust("50 minutes")
      yield* service.get.pipe(Effect.withSpan("later caller"))
      yield* Service.settle
      const fetches = spanNamed(sdk.spans(), "oauth2.token.fetch")
      assert.strictEqual(fetches.length, 2)
      const refresh = fetches[1]!
      assert.strictEqual(refresh.attributes["oauth2.token.trigger"], "refresh")
      assert.isUndefined(parentOf(refresh))
      assert.strictEqual(endpoint.requests.length, 2)
      const metrics = yield* sdk.metrics("telemetry-refresh")
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "miss" }), 1)
      assert.strictEqual(
        valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "refreshed_ahead" }),
        1
      )
    }).pipe(noJitter, Effect.provide(sdk.layer))
  })

  it.scoped("an error code the registries do not know stays off the span: it is text from the server", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.oauthError("tenant_disabled_call_support", 400))
      const service = yield* Service.make(endpoint, { clientId: "telemetry-unregistered" })
      yield* Effect.flip(service.get)
      const [fetch] = spanNamed(sdk.spans(), "oauth2.token.fetch")
      assert.deepInclude(fetch!.attributes, { "oauth2.outcome": "TokenError", "oauth2.error.reason": "OAuth" })
      assert.notProperty(fetch!.attributes, "oauth2.error.code")
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("a failure: the error's tag, reason and OAuth code on the span; retries and requests counted", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(503), Endpoint.respond(429), Endpoint.oauthError("invalid_client", 401))
      const service = yield* Service.make(endpoint, { clientId: "telemetry-failure" })
      const fiber = yield* Effect.fork(Effect.flip(service.get))
      yield* TestClock.setTime(60_000)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TokenError")
      const [fetch] = spanNamed(sdk.spans(), "oauth2.token.fetch")
      assert.deepInclude(fetch!.attributes, {
        "oauth2.attempts": 3,
        "oauth2.outcome": "TokenError",
        "error.type": "TokenError",
        "oauth2.error.reason": "OAuth",
        "oauth2.error.code": "invalid_client"
      })
      assert.strictEqual(fetch!.status.code, 2) // ERROR
      const metrics = yield* sdk.metrics("telemetry-failure")
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.retries", { "oauth2.error.reason": "ServerError" }), 1)
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.retries", { "oauth2.error.reason": "RateLimited" }), 1)
      assert.strictEqual(
        valueOf(metrics, "oauth2.client.token.requests", {
          "oauth2.outcome": "TokenError",
          "oauth2.error.reason": "OAuth"
        }),
        1
      )
    }).pipe(noJitter, Effect.provide(sdk.layer))
  })

  it.scoped("cache hits: counted, the gauge follows the clock; no span, no log", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { clientId: "telemetry-hits" })
      yield* service.get
      const spansBefore = sdk.spans().length
      const logsBefore = sdk.logs.entries.length
      yield* TestClock.adjust("100 seconds")
      for (let i = 0; i < 100; i++) yield* service.get.pipe(Effect.withSpan("caller"))
      // the callers' spans, nothing of the library's
      assert.deepStrictEqual(new Set(sdk.spans().slice(spansBefore).map((span) => span.name)), new Set(["caller"]))
      assert.strictEqual(sdk.logs.entries.length, logsBefore)
      const metrics = yield* sdk.metrics("telemetry-hits")
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "hit" }), 100)
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.expires_in"), 3500)
      // the joined fetch: two callers on an empty cache
      const other = service.getFor({ scopes: ["other"] })
      yield* Effect.all([other, other], { concurrency: "unbounded" })
      const after = yield* sdk.metrics("telemetry-hits")
      assert.strictEqual(valueOf(after, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "joined" }), 1)
      assert.strictEqual(valueOf(after, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "miss" }), 2)
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("every metric is exported with its unit, its labels only, and the latency in seconds", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("250 millis", Endpoint.token("first")))
      const service = yield* Service.make(endpoint, { clientId: "telemetry-units" })
      const fiber = yield* Effect.fork(service.get)
      yield* TestClock.adjust("250 millis")
      yield* Fiber.join(fiber)
      yield* service.get
      const metrics = yield* sdk.metrics("telemetry-units")
      const units = Object.fromEntries(metrics.map((metric) => [metric.descriptor.name, metric.descriptor.unit]))
      assert.deepStrictEqual(units, {
        "oauth2.client.token.requests": "{request}",
        "oauth2.client.token.request.duration": "s",
        "oauth2.client.token.cache.lookups": "{lookup}",
        "oauth2.client.token.expires_in": "s"
      })
      // every series of a name has its unit
      for (const metric of metrics) {
        for (const point of metric.dataPoints) assert.strictEqual(point.attributes["unit"], metric.descriptor.unit)
      }
      const duration = valueOf(metrics, "oauth2.client.token.request.duration", { "oauth2.outcome": "token" })
      assert.strictEqual((duration as Histogram).count, 1)
      assert.strictEqual((duration as Histogram).sum, 0.25)
      const allowed = new Set([
        "oauth2.client.id",
        "server.address",
        "unit",
        "oauth2.outcome",
        "oauth2.error.reason",
        "oauth2.cache.result"
      ])
      for (const metric of metrics) {
        for (const point of metric.dataPoints) {
          assert.strictEqual(point.attributes["server.address"], "auth.example.com")
          for (const key of Object.keys(point.attributes)) {
            assert.isTrue(allowed.has(key), `${metric.descriptor.name}: ${key}`)
          }
        }
      }
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("a discovery is one span, under the fetch that needed it", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const issuer = "https://issuer.example.com/tenant-7"
      const endpoint = Endpoint.make({
        otherwise: byUrl({
          "https://issuer.example.com/.well-known/oauth-authorization-server/tenant-7": Endpoint.json({
            issuer,
            token_endpoint: "https://tokens.example.com/oauth2/token"
          }),
          "https://tokens.example.com/oauth2/token": Endpoint.token("discovered")
        })
      })
      const service = yield* TokenService.make({
        issuer,
        clientId: "telemetry-discovery",
        clientSecret: Redacted.make(Service.clientSecret)
      }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
      yield* service.get.pipe(Effect.withSpan("caller"))
      yield* service.invalidate(yield* service.get)
      yield* service.get
      const spans = sdk.spans()
      const discoveries = spanNamed(spans, "oauth2.discovery")
      const [fetch] = spanNamed(spans, "oauth2.token.fetch")
      assert.strictEqual(discoveries.length, 1)
      assert.strictEqual(parentOf(discoveries[0]!), idOf(fetch!))
      assert.deepInclude(discoveries[0]!.attributes, {
        "server.address": "issuer.example.com",
        "oauth2.attempts": 1,
        "oauth2.outcome": "token"
      })
      // the fetch names the host it called; its metrics, the configured one
      assert.strictEqual(fetch!.attributes["server.address"], "tokens.example.com")
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("a token an API rejects, and AuthorizedClient's recovery, are counted", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { clientId: "telemetry-rejections" })
      let calls = 0
      const api = HttpClient.make((request) =>
        Effect.sync(() =>
          HttpClientResponse.fromWeb(request, new Response(null, { status: calls++ === 0 ? 401 : 200 }))
        )
      )
      const client = AuthorizedClient.withTokens(api, { tokens: service })
      const response = yield* client.execute(HttpClientRequest.get("https://api.example.com/orders"))
      assert.strictEqual(response.status, 200)
      const metrics = yield* sdk.metrics("telemetry-rejections")
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.rejections"), 1)
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.recoveries"), 1)
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("a failed background refresh is counted, logged as a warning; the gauge goes to 0 without a token", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.oauthError("invalid_grant", 400) })
      endpoint.script(Endpoint.token("only"))
      const service = yield* Service.make(endpoint, { clientId: "telemetry-refresh-failure" })
      yield* service.get
      yield* TestClock.adjust("50 minutes")
      yield* service.get
      yield* Service.settle
      const metrics = yield* sdk.metrics("telemetry-refresh-failure")
      assert.strictEqual(
        valueOf(metrics, "oauth2.client.token.refresh.failures", { "oauth2.error.reason": "OAuth" }),
        1
      )
      assert.isTrue(sdk.logs.entries.some((entry) => entry.level === "WARN"))
      // past the hard expiry: no token, the fetch fails
      yield* TestClock.adjust("15 minutes")
      yield* Effect.flip(service.get)
      const after = yield* sdk.metrics("telemetry-refresh-failure")
      assert.strictEqual(valueOf(after, "oauth2.client.token.expires_in"), 0)
    }).pipe(noJitter, Effect.provide(sdk.layer))
  })

  it.scoped("refreshes that die, or do not finish before the hard expiry, are counted as failures too", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.hang() })
      endpoint.script(
        Endpoint.token("first"),
        () => Effect.die(new Error("a broken HttpClient")),
        Endpoint.token("second")
      )
      // no attempt timeout before the hard expiry: the last refresh hangs until then
      const service = yield* Service.make(endpoint, { clientId: "telemetry-refresh-defect", requestTimeout: "2 hours" })
      yield* service.get
      yield* TestClock.adjust("50 minutes")
      yield* service.get
      yield* Service.settle
      const metrics = yield* sdk.metrics("telemetry-refresh-defect")
      assert.strictEqual(
        valueOf(metrics, "oauth2.client.token.refresh.failures", { "oauth2.error.reason": "defect" }),
        1
      )
      // the next refresh gets a token; the one after it hangs until the hard expiry
      yield* TestClock.adjust("1 minute")
      yield* service.get
      yield* Service.settle
      assert.strictEqual(Service.value(yield* service.get), "second")
      yield* TestClock.adjust("50 minutes")
      yield* service.get
      yield* TestClock.adjust("15 minutes")
      const after = yield* sdk.metrics("telemetry-refresh-defect")
      assert.strictEqual(
        valueOf(after, "oauth2.client.token.refresh.failures", { "oauth2.error.reason": "Expired" }),
        1
      )
    }).pipe(noJitter, Effect.provide(sdk.layer))
  })

  it.live("the Promise API's cached getToken() is counted as a cache hit", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const client = createTokenClient({
        ...Service.options,
        clientId: "telemetry-promise",
        httpClient: endpoint.layer
      })
      for (let call = 0; call < 3; call++) yield* Effect.promise(() => client.getToken())
      yield* Effect.promise(() => client.close())
      const metrics = yield* sdk.metrics("telemetry-promise")
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "miss" }), 1)
      assert.strictEqual(valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "hit" }), 2)
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("no secret or token in any span, event, status, metric label or log line", () => {
    const sdk = makeSdk()
    const issued = "tok-8f2a9c41d7e6b305"
    return Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.token(issued) })
      // errors that quote the secret and the token back, a transport failure (the platform's own `http.client`
      // span records a transport error's text as it is: see the README's telemetry section)
      endpoint.script(
        Endpoint.oauthError("invalid_client", 401, { error_description: `bad secret ${Service.clientSecret}` }),
        Endpoint.json({ access_token: issued, token_type: "Bearer", expires_in: "soon" }),
        Endpoint.transportFailure()
      )
      const service = yield* Service.make(endpoint, { clientId: "telemetry-leaks", retry: Schedule.stop })
      for (let i = 0; i < 3; i++) {
        yield* Effect.exit(service.get.pipe(Effect.withSpan("caller")))
        // past any failure's memory
        yield* TestClock.adjust("1 hour")
      }
      const token = yield* service.get
      assert.strictEqual(endpoint.requests.length, 4)
      yield* TestClock.adjust("50 minutes")
      yield* service.get
      yield* Service.settle
      const api = HttpClient.make((request) =>
        Effect.sync(() => HttpClientResponse.fromWeb(request, new Response(null, { status: 401 })))
      )
      yield* Effect.exit(
        AuthorizedClient.withTokens(api, { tokens: service }).execute(HttpClientRequest.get("https://api.example.com/"))
      )
      const metrics = yield* sdk.metrics("telemetry-leaks")
      // no retry with this schedule: none counted, not even the transport failure's
      assert.isUndefined(valueOf(metrics, "oauth2.client.token.retries"))
      const values = { "the client secret": Service.clientSecret, "the token": Redacted.value(token.value) }
      assert.isAtLeast(sdk.spans().length, 5)
      for (const [what, text] of spanTexts(sdk.spans())) assertNoStart(what, text, values)
      for (const metric of metrics) assertNoStart(`metric ${metric.descriptor.name}`, JSON.stringify(metric), values)
      assert.isAtLeast(sdk.logs.entries.length, 4)
      for (const entry of sdk.logs.entries) assertNoStart(`the ${entry.level} log`, entry.text, values)
    }).pipe(Effect.provide(sdk.layer))
  })

  it.scoped("a defect's text is in none of the library's spans or log lines", () => {
    const sdk = makeSdk()
    return Effect.gen(function*() {
      // a custom HttpClient that dies quoting what it was sending
      const endpoint = Endpoint.make({ otherwise: () => Effect.die(new Error(`boom ${Service.clientSecret}`)) })
      const service = yield* Service.make(endpoint, { clientId: "telemetry-defect" })
      yield* Effect.exit(service.get.pipe(Effect.withSpan("caller")))
      const [fetch] = spanNamed(sdk.spans(), "oauth2.token.fetch")
      assert.strictEqual(fetch!.attributes["oauth2.outcome"], "defect")
      const values = { "the client secret": Service.clientSecret }
      // the platform's own http.client span records the defect as it is: see the README
      for (const [what, text] of spanTexts(spanNamed(sdk.spans(), "oauth2.token.fetch"))) {
        assertNoStart(what, text, values)
      }
      for (const entry of sdk.logs.entries) assertNoStart(`the ${entry.level} log`, entry.text, values)
    }).pipe(Effect.provide(sdk.layer))
  })
})

describe("Trace headers on token requests", () => {
  it.scoped("a token request carries the caller's trace context", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const span = yield* Effect.makeSpan("caller")
      yield* service.get.pipe(Effect.withParentSpan(span))
      const headers = endpoint.requests[0]!.headers
      assert.match(headers["traceparent"] ?? "", new RegExp(`^00-${span.traceId}-[0-9a-f]{16}-0[01]$`))
      assert.isDefined(headers["b3"])
    }))

  it.scoped("HttpClient.withTracerPropagation(false) on the client given to the layer turns them off", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* TokenService.make(Service.options).pipe(
        Effect.provideService(HttpClient.HttpClient, HttpClient.withTracerPropagation(endpoint.client, false))
      )
      yield* service.get.pipe(Effect.withSpan("caller"))
      const headers = endpoint.requests[0]!.headers
      assert.isUndefined(headers["traceparent"])
      assert.isUndefined(headers["b3"])
    }))
})
