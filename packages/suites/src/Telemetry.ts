/**
 * Telemetry (`docs/telemetry.md#spans`, `docs/telemetry.md#metrics`, `docs/telemetry.md#logs`,
 * `docs/telemetry.md#trace-headers`, `docs/telemetry.md#where-each-kind-of-output-goes`), read back through the line's
 * OpenTelemetry SDK with in-memory exporters (`Line.Telemetry`), as an operator's collector would see it: each span
 * with its parent and attributes, each metric with its labels and unit; nothing secret in any attribute, event,
 * status, label or log line; nothing at all on a cache hit; a token from a shared store said so on its fetch span,
 * counted as no token request, and its `expires_in` from the time it has left in the store; the caller's trace
 * context on a token request, and none when the application turned it off; spans that reach the tracer however the
 * application wires the SDK's layer with the service's.
 *
 * The network is scripted and time is the test clock's, but for the Promise API's client, which runs on its own
 * runtime against a `node:http` server on 127.0.0.1, and for the wirings, whose tokens live a second: those run in
 * real time. A line's metrics may be global to the process, so each test has a client id of its own and reads only
 * the series that carry it.
 *
 * @since 0.1.0
 */
import * as Server from "./fixtures/PromiseServer.js"
import * as Kit from "./internal/kit.js"
import { assertNoStart } from "./internal/leaks.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

const noJitter = { random: 0.5 }

const minutes = (count: number) => count * 60_000

/** Runs `body` with an observed network, closed after it. */
const withObserved = async (
  line: Line.Line,
  options: Line.ObservedOptions,
  body: (network: Line.Observed) => Promise<void>
): Promise<void> => {
  const network = await line.telemetry.observed(options)
  try {
    await body(network)
  } finally {
    await network.close()
  }
}

/** Every metric with only its series that carry `clientId`; metrics left with none are left out. */
const metricsOf = async (network: Line.Observed, clientId: string): Promise<ReadonlyArray<Line.MetricData>> =>
  (await network.metrics())
    .map((metric) => ({
      ...metric,
      points: metric.points.filter((point) => point.attributes["oauth2.client.id"] === clientId)
    }))
    .filter((metric) => metric.points.length > 0)

/** The value of the series of `name` whose attributes include `attributes`; `undefined` when there is none. */
const valueOf = (
  metrics: ReadonlyArray<Line.MetricData>,
  name: string,
  attributes: Readonly<Record<string, unknown>> = {}
): Line.MetricPoint["value"] | undefined =>
  metrics
    .find((metric) => metric.name === name)
    ?.points.find((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
    ?.value

const named = (spans: ReadonlyArray<Line.SpanData>, name: string): ReadonlyArray<Line.SpanData> =>
  spans.filter((span) => span.name === name)

/** Every text a collector receives from `spans`: attributes, events with theirs, status messages. */
const spanTexts = (spans: ReadonlyArray<Line.SpanData>): ReadonlyArray<readonly [string, string]> =>
  spans.flatMap((span) => [
    [`span ${span.name} attributes`, JSON.stringify(span.attributes)] as const,
    [`span ${span.name} events`, JSON.stringify(span.events)] as const,
    [`span ${span.name} status`, JSON.stringify(span.status)] as const
  ])

/** A call of `service` in a span `caller` of its own. */
const callerGet = (network: Line.Observed, service: Line.TokenService, request?: Line.TokenRequest) =>
  network.inSpan("caller", () => service.get(request))

/** An issuer whose tokens live one second: hard expiry at 0.5 s, refresh from 0.25 s. */
const wiredScenario = (): Line.WiredScenario => {
  const issuer = "https://issuer.example.com"
  return {
    options: { issuer, clientId: "telemetry-wiring", clientSecret: Kit.clientSecret, refreshAhead: 0.5 },
    fallback: Kit.byUrl({
      [`${issuer}/.well-known/oauth-authorization-server`]: Kit.json({
        issuer,
        token_endpoint: "https://tokens.example.com/oauth2/token"
      }),
      "https://tokens.example.com/oauth2/token": Kit.token("t", { expires_in: 1 })
    }),
    // a caller's fetch under its span, then, 300 ms later, a call that starts the refresh
    calls: [{ span: "caller", afterMillis: 0 }, { span: "refreshing caller", afterMillis: 300 }],
    settleMillis: 100
  }
}

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("telemetry through the line's OpenTelemetry SDK", () => {
    it("a fetch is a span under the caller's, with its attributes; the HTTP request is under it", () =>
      withObserved(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-span", scopes: ["a", "b"] }))
        await Kit.valueOf(await callerGet(net, service))
        const spans = net.spans()
        const [caller] = named(spans, "caller")
        const [fetch, ...more] = named(spans, "oauth2.token.fetch")
        assert.isDefined(caller)
        assert.isDefined(fetch)
        assert.strictEqual(more.length, 0)
        assert.strictEqual(fetch!.parentSpanId, caller!.spanId)
        assert.strictEqual(fetch!.traceId, caller!.traceId)
        assert.deepInclude(fetch!.attributes, {
          "oauth2.client.id": "telemetry-span",
          "server.address": "auth.example.com",
          "oauth2.scope.count": 2,
          "oauth2.attempts": 1,
          "oauth2.token.trigger": "caller",
          "oauth2.outcome": "token"
        })
        // from the token endpoint, not from a shared store
        assert.isUndefined(fetch!.attributes["oauth2.token.source"])
        // the HTTP client's span of the request itself is a child of the fetch
        assert.isAtLeast(spans.filter((span) => span.parentSpanId === fetch!.spanId).length, 1)
      }))

    it("a token request carries the caller's trace context", () =>
      withObserved(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-headers" }))
        await Kit.valueOf(await callerGet(net, service))
        const [caller] = named(net.spans(), "caller")
        const headers = net.requests()[0]!.headers
        assert.match(headers["traceparent"] ?? "", new RegExp(`^00-${caller!.traceId}-[0-9a-f]{16}-0[01]$`))
        assert.isDefined(headers["b3"])
      }))

    it("trace headers turned off on the HTTP client the service is given: a token request carries none", () =>
      withObserved(line, { tracerPropagation: false }, async (net) => {
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-no-headers" }))
        await Kit.valueOf(await callerGet(net, service))
        const headers = net.requests()[0]!.headers
        assert.isUndefined(headers["traceparent"])
        assert.isUndefined(headers["b3"])
      }))

    it("a fetch whose caller has no span is a root, not a child of the span the service was built in", () =>
      withObserved(line, {}, async (net) => {
        const service = await net.inSpan("build", () => net.service(Kit.optionsWith({ clientId: "telemetry-root" })))
        await Kit.valueOf(service.get())
        const [fetch] = named(net.spans(), "oauth2.token.fetch")
        assert.isDefined(fetch)
        assert.isUndefined(fetch!.parentSpanId)
      }))

    it("a background refresh is a root span, though a caller's call started it", () =>
      withObserved(line, noJitter, async (net) => {
        // built in a span of its own: the refresh must hang under neither it nor the caller's
        const service = await net.inSpan(
          "build",
          () => net.service(Kit.optionsWith({ clientId: "telemetry-refresh" }))
        )
        await Kit.valueOf(service.get())
        // past the refresh point (80 % of the usable hour, jitter fixed), before the hard expiry
        await net.advance(minutes(50))
        await Kit.valueOf(await net.inSpan("later caller", () => service.get()))
        await net.advance(0)
        const fetches = named(net.spans(), "oauth2.token.fetch")
        assert.strictEqual(fetches.length, 2)
        const refresh = fetches[1]!
        assert.strictEqual(refresh.attributes["oauth2.token.trigger"], "refresh")
        assert.isUndefined(refresh.parentSpanId)
        assert.strictEqual(net.requests().length, 2)
        const metrics = await metricsOf(net, "telemetry-refresh")
        assert.strictEqual(valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "miss" }), 1)
        assert.strictEqual(
          valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "refreshed_ahead" }),
          1
        )
      }))

    it("a token from a shared store: the fetch span says so, and no token request is counted", () =>
      withObserved(line, {}, async (net) => {
        const store = net.store()
        const options = Kit.optionsWith({ clientId: "telemetry-store" })
        const first = await store.service(options)
        const second = await store.service(options)
        const fetched = await Kit.valueOf(first.get())
        assert.strictEqual(await Kit.valueOf(second.get()), fetched)
        assert.strictEqual(net.requests().length, 1)
        const [fromEndpoint, fromStore, ...more] = named(net.spans(), "oauth2.token.fetch")
        assert.isDefined(fromStore)
        assert.strictEqual(more.length, 0)
        assert.isUndefined(fromEndpoint!.attributes["oauth2.token.source"])
        assert.deepInclude(fromStore!.attributes, { "oauth2.token.source": "store", "oauth2.outcome": "token" })
        const metrics = await metricsOf(net, "telemetry-store")
        assert.strictEqual(valueOf(metrics, "oauth2.client.token.requests", { "oauth2.outcome": "token" }), 1)
      }))

    it("expires_in is set when a token arrives; for a token from the store, from the time it has left there", () =>
      withObserved(line, {}, async (net) => {
        const fetching = await net.service(Kit.optionsWith({ clientId: "telemetry-gauge-fetch" }))
        await Kit.valueOf(fetching.get())
        assert.strictEqual(
          valueOf(await metricsOf(net, "telemetry-gauge-fetch"), "oauth2.client.token.expires_in"),
          3600
        )
        // another replica's one-hour token, with ten minutes left to its hard expiry in the store
        const store = net.store({
          holding: { value: "from-the-store", lifetimeMillis: minutes(60), timeToLiveMillis: minutes(10) }
        })
        const reading = await store.service(Kit.optionsWith({ clientId: "telemetry-gauge-store" }))
        assert.strictEqual(await Kit.valueOf(reading.get()), "from-the-store")
        assert.strictEqual(net.requests().length, 1, "no request: the token came from the store")
        // ten minutes to the hard expiry, plus the minute of leeway
        assert.strictEqual(
          valueOf(await metricsOf(net, "telemetry-gauge-store"), "oauth2.client.token.expires_in"),
          660
        )
      }))

    it("an error code the registries do not know stays off the span: it is text from the server", () =>
      withObserved(line, {}, async (net) => {
        net.script(Kit.oauthError("tenant_disabled_call_support", 400))
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-unregistered" }))
        await Kit.errorOf(service.get())
        const [fetch] = named(net.spans(), "oauth2.token.fetch")
        assert.deepInclude(fetch!.attributes, { "oauth2.outcome": "TokenError", "oauth2.error.reason": "OAuth" })
        assert.isUndefined(fetch!.attributes["oauth2.error.code"])
      }))

    it("a failure: the error's tag, reason and OAuth code on the span; retries and requests counted", () =>
      withObserved(line, noJitter, async (net) => {
        net.script(Kit.respond(503), Kit.respond(429), Kit.oauthError("invalid_client", 401))
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-failure" }))
        const call = service.get()
        await net.advance(60_000)
        const error = await Kit.errorOf(call)
        assert.strictEqual(error.tag, "TokenError")
        const [fetch] = named(net.spans(), "oauth2.token.fetch")
        assert.deepInclude(fetch!.attributes, {
          "oauth2.attempts": 3,
          "oauth2.outcome": "TokenError",
          "error.type": "TokenError",
          "oauth2.error.reason": "OAuth",
          "oauth2.error.code": "invalid_client"
        })
        assert.strictEqual(fetch!.status.code, "error")
        const metrics = await metricsOf(net, "telemetry-failure")
        assert.strictEqual(valueOf(metrics, "oauth2.client.token.retries", { "oauth2.error.reason": "ServerError" }), 1)
        assert.strictEqual(valueOf(metrics, "oauth2.client.token.retries", { "oauth2.error.reason": "RateLimited" }), 1)
        assert.strictEqual(
          valueOf(metrics, "oauth2.client.token.requests", {
            "oauth2.outcome": "TokenError",
            "oauth2.error.reason": "OAuth"
          }),
          1
        )
      }))

    it("cache hits: counted, the gauge follows the clock; no span, no log; a joined fetch is counted", () =>
      withObserved(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-hits" }))
        await Kit.valueOf(service.get())
        const spansBefore = net.spans().length
        const logsBefore = net.logs().length
        await net.advance(100_000)
        for (let i = 0; i < 100; i++) await Kit.valueOf(await callerGet(net, service))
        // the callers' spans, nothing of the library's
        assert.deepStrictEqual([...new Set(net.spans().slice(spansBefore).map((span) => span.name))], ["caller"])
        assert.strictEqual(net.logs().length, logsBefore)
        const metrics = await metricsOf(net, "telemetry-hits")
        assert.strictEqual(valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "hit" }), 100)
        assert.strictEqual(valueOf(metrics, "oauth2.client.token.expires_in"), 3500)
        // two callers on an empty cache: one fetch, which the second joins
        const other = { scopes: ["other"] }
        await Promise.all([Kit.valueOf(service.get(other)), Kit.valueOf(service.get(other))])
        const after = await metricsOf(net, "telemetry-hits")
        assert.strictEqual(valueOf(after, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "joined" }), 1)
        assert.strictEqual(valueOf(after, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "miss" }), 2)
      }))

    it("every metric is exported with its unit, its labels only, and the latency in seconds", () =>
      withObserved(line, {}, async (net) => {
        net.script(Kit.delayed(250, Kit.token("first")))
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-units" }))
        const call = service.get()
        await net.advance(250)
        await Kit.valueOf(call)
        await Kit.valueOf(service.get())
        const metrics = await metricsOf(net, "telemetry-units")
        assert.deepStrictEqual(Object.fromEntries(metrics.map((metric) => [metric.name, metric.unit])), {
          "oauth2.client.token.requests": "{request}",
          "oauth2.client.token.request.duration": "s",
          "oauth2.client.token.cache.lookups": "{lookup}",
          "oauth2.client.token.expires_in": "s"
        })
        // every series of a name has its unit
        for (const metric of metrics) {
          for (const point of metric.points) assert.strictEqual(point.attributes["unit"], metric.unit)
        }
        const duration = valueOf(metrics, "oauth2.client.token.request.duration", { "oauth2.outcome": "token" })
        assert.deepStrictEqual(duration, { count: 1, sum: 0.25 })
        const allowed = new Set([
          "oauth2.client.id",
          "server.address",
          "unit",
          "oauth2.outcome",
          "oauth2.error.reason",
          "oauth2.cache.result"
        ])
        for (const metric of metrics) {
          for (const point of metric.points) {
            assert.strictEqual(point.attributes["server.address"], "auth.example.com")
            for (const key of Object.keys(point.attributes)) {
              assert.isTrue(allowed.has(key), `${metric.name}: ${key}`)
            }
          }
        }
      }))

    it("a discovery is one span, under the fetch that needed it", () => {
      const issuer = "https://issuer.example.com/tenant-7"
      const fallback = Kit.byUrl({
        "https://issuer.example.com/.well-known/oauth-authorization-server/tenant-7": Kit.json({
          issuer,
          token_endpoint: "https://tokens.example.com/oauth2/token"
        }),
        "https://tokens.example.com/oauth2/token": Kit.token("discovered")
      })
      return withObserved(line, { fallback }, async (net) => {
        const service = await net.service({ issuer, clientId: "telemetry-discovery", clientSecret: Kit.clientSecret })
        await service.invalidate(await Kit.valueOf(await callerGet(net, service)))
        await Kit.valueOf(service.get())
        const spans = net.spans()
        const discoveries = named(spans, "oauth2.discovery")
        const [fetch] = named(spans, "oauth2.token.fetch")
        assert.strictEqual(discoveries.length, 1)
        assert.strictEqual(discoveries[0]!.parentSpanId, fetch!.spanId)
        assert.deepInclude(discoveries[0]!.attributes, {
          "server.address": "issuer.example.com",
          "oauth2.attempts": 1,
          "oauth2.outcome": "token"
        })
        // the fetch names the host it called
        assert.strictEqual(fetch!.attributes["server.address"], "tokens.example.com")
      })
    })

    it("a token an API rejects, and AuthorizedClient's recovery, are counted", () => {
      const fallback = Kit.byUrl({
        [Kit.tokenUrl]: Kit.token(),
        "https://api.example.com/orders": [Kit.respond(401), Kit.respond(200)]
      })
      return withObserved(line, { fallback }, async (net) => {
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-rejections" }))
        const client = await net.authorizedClient(service)
        const response = Kit.succeeded(await client.send({ url: "https://api.example.com/orders" }).outcome)
        assert.strictEqual(response.status, 200)
        const metrics = await metricsOf(net, "telemetry-rejections")
        assert.strictEqual(valueOf(metrics, "oauth2.client.token.rejections"), 1)
        assert.strictEqual(valueOf(metrics, "oauth2.client.token.recoveries"), 1)
      })
    })

    it("a failed background refresh is counted, logged as a warning; the gauge goes to 0 without a token", () =>
      withObserved(line, { ...noJitter, fallback: Kit.oauthError("invalid_grant", 400) }, async (net) => {
        net.script(Kit.token("only"))
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-refresh-failure" }))
        await Kit.valueOf(service.get())
        await net.advance(minutes(50))
        await Kit.valueOf(service.get())
        await net.advance(0)
        const metrics = await metricsOf(net, "telemetry-refresh-failure")
        assert.strictEqual(
          valueOf(metrics, "oauth2.client.token.refresh.failures", { "oauth2.error.reason": "OAuth" }),
          1
        )
        assert.isTrue(net.logs().some((log) => log.level === "Warning"))
        // past the hard expiry: no token, the fetch fails
        await net.advance(minutes(15))
        await Kit.errorOf(service.get())
        const after = await metricsOf(net, "telemetry-refresh-failure")
        assert.strictEqual(valueOf(after, "oauth2.client.token.expires_in"), 0)
      }))

    it("refreshes that die, or do not finish before the hard expiry, are counted as failures too", () =>
      withObserved(line, { ...noJitter, fallback: Kit.hang }, async (net) => {
        net.script(Kit.token("first"), Kit.die("a broken HttpClient"), Kit.token("second"))
        // no attempt timeout before the hard expiry: the last refresh hangs until then
        const service = await net.service(
          Kit.optionsWith({ clientId: "telemetry-refresh-defect", requestTimeout: minutes(120) })
        )
        await Kit.valueOf(service.get())
        await net.advance(minutes(50))
        await Kit.valueOf(service.get())
        await net.advance(0)
        const metrics = await metricsOf(net, "telemetry-refresh-defect")
        assert.strictEqual(
          valueOf(metrics, "oauth2.client.token.refresh.failures", { "oauth2.error.reason": "defect" }),
          1
        )
        // the next refresh gets a token; the one after it hangs until the hard expiry
        await net.advance(minutes(1))
        await Kit.valueOf(service.get())
        await net.advance(0)
        assert.strictEqual(await Kit.valueOf(service.get()), "second")
        await net.advance(minutes(50))
        await Kit.valueOf(service.get())
        await net.advance(minutes(15))
        const after = await metricsOf(net, "telemetry-refresh-defect")
        assert.strictEqual(
          valueOf(after, "oauth2.client.token.refresh.failures", { "oauth2.error.reason": "Expired" }),
          1
        )
      }))

    it("the Promise API's cached getToken() is counted as a cache hit", () =>
      withObserved(line, {}, (net) =>
        Server.withServer(undefined, async (server) => {
          const client = line.promise.createTokenClient({
            tokenUrl: server.tokenUrl,
            clientId: "telemetry-promise",
            clientSecret: Kit.clientSecret
          })
          try {
            for (let call = 0; call < 3; call++) await client.getToken()
          } finally {
            await client.close()
          }
          const metrics = await metricsOf(net, "telemetry-promise")
          assert.strictEqual(
            valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "miss" }),
            1
          )
          assert.strictEqual(valueOf(metrics, "oauth2.client.token.cache.lookups", { "oauth2.cache.result": "hit" }), 2)
        })))

    it("no secret or token in any span, event, status, metric label or log line", () => {
      const issued = "tok-8f2a9c41d7e6b305"
      const fallback = Kit.byUrl({ [Kit.tokenUrl]: Kit.token(issued), "https://api.example.com/": Kit.respond(401) })
      return withObserved(line, { fallback }, async (net) => {
        // errors that quote the secret and the token back, a transport failure (the HTTP client's own span records a
        // transport error's text as it is: see the README's telemetry section)
        net.script(
          Kit.oauthError("invalid_client", 401, { error_description: `bad secret ${Kit.clientSecret}` }),
          Kit.json({ access_token: issued, token_type: "Bearer", expires_in: "soon" }),
          Kit.transportError()
        )
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-leaks", retry: { times: 0 } }))
        for (let i = 0; i < 3; i++) {
          await (await callerGet(net, service)).outcome
          // past any failure's memory
          await net.advance(minutes(60))
        }
        assert.strictEqual(await Kit.valueOf(service.get()), issued)
        assert.strictEqual(net.requests().length, 4)
        await net.advance(minutes(50))
        await Kit.valueOf(service.get())
        await net.advance(0)
        const client = await net.authorizedClient(service)
        await client.send({ url: "https://api.example.com/" }).outcome
        const metrics = await metricsOf(net, "telemetry-leaks")
        // no retry with this schedule: none counted, not even the transport failure's
        assert.isUndefined(valueOf(metrics, "oauth2.client.token.retries"))
        const values = { "the client secret": Kit.clientSecret, "the token": issued }
        assert.isAtLeast(net.spans().length, 5)
        for (const [what, text] of spanTexts(net.spans())) assertNoStart(assert, what, text, values)
        for (const metric of metrics) assertNoStart(assert, `metric ${metric.name}`, JSON.stringify(metric), values)
        assert.isAtLeast(net.logs().length, 4)
        for (const log of net.logs()) assertNoStart(assert, `the ${log.level} log`, log.text, values)
      })
    })

    it("a defect's text is in none of the library's spans or log lines", () =>
      withObserved(line, { fallback: Kit.die(`boom ${Kit.clientSecret}`) }, async (net) => {
        const service = await net.service(Kit.optionsWith({ clientId: "telemetry-defect" }))
        await (await callerGet(net, service)).outcome
        const fetches = named(net.spans(), "oauth2.token.fetch")
        assert.strictEqual(fetches[0]!.attributes["oauth2.outcome"], "defect")
        const values = { "the client secret": Kit.clientSecret }
        // the HTTP client's own span records the defect as it is, and so does the runtime's report of the call that
        // died (the application's): see the README
        for (const [what, text] of spanTexts(fetches)) assertNoStart(assert, what, text, values)
        const library = net.logs().filter((log) => log.message.startsWith("effect-oauth2"))
        assert.isAtLeast(library.length, 1)
        for (const log of library) assertNoStart(assert, `the ${log.level} log`, log.text, values)
      }))
  })
  describe("spans reach the tracer however the application is wired", () => {
    /** A span of `name`: the first of them, failing when there is none. */
    const one = (spans: ReadonlyArray<Line.SpanData>, name: string): ReadonlyArray<Line.SpanData> => {
      const found = named(spans, name)
      assert.isAtLeast(found.length, 1, `no span ${name} among ${spans.map((span) => span.name).join(", ")}`)
      return found
    }

    for (const wiring of line.telemetry.wirings) {
      // real time: the token lives a second
      it(wiring, async () => {
        const spans = await line.telemetry.wired(wiring, wiredScenario())
        const [caller] = one(spans, "caller")
        const fetches = one(spans, "oauth2.token.fetch")
        const fetch = fetches.find((span) => span.attributes["oauth2.token.trigger"] === "caller")
        assert.isDefined(fetch, "the caller's fetch is traced")
        assert.strictEqual(fetch!.parentSpanId, caller!.spanId, "the fetch is under the caller's span")
        const [discovery] = one(spans, "oauth2.discovery")
        assert.strictEqual(discovery!.parentSpanId, fetch!.spanId, "the discovery is under the fetch")
        // the HTTP client's spans (named `http.client POST` on Effect 3, `POST` on Effect 4)
        const requests = spans.filter((span) => span.attributes["http.request.method"] !== undefined)
        assert.isTrue(
          requests.some((span) => span.parentSpanId === fetch!.spanId),
          "the token request is under the fetch"
        )
        const refresh = fetches.find((span) => span.attributes["oauth2.token.trigger"] === "refresh")
        assert.isDefined(refresh, "the refresh is traced")
        assert.isUndefined(refresh!.parentSpanId, "as a root span")
        assert.isTrue(requests.some((span) => span.parentSpanId === refresh!.spanId), "its token request under it")
      }, 10_000)
    }
  })
}
