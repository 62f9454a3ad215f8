/**
 * Telemetry without an Effect line (`docs/telemetry.md`): how a fetch's end reads, the attributes and log lines a
 * span's end writes, what each event adds to which series (read back through instruments that write every update
 * down), and the `expires_in` gauge's throttle.
 */
import { assert, describe, it } from "vitest"
import * as Telemetry from "../src/telemetry.js"

/** One update of an instrument: its kind, its metric's name, its labels as `key=value`, the value. */
interface Update {
  readonly kind: "counter" | "histogram" | "gauge"
  readonly name: string
  readonly labels: string
  readonly value: number
}

/** Instruments that write each update down, and each instrument they made. */
const recording = () => {
  const updates: Array<Update> = []
  const made: Array<{ readonly kind: string; readonly spec: Telemetry.MetricSpec; readonly labels: string }> = []
  const hot: Array<string> = []
  const instrument = (kind: Update["kind"], spec: Telemetry.MetricSpec, labels: ReadonlyArray<Telemetry.Label>) => {
    const text = labels.map(([key, value]) => `${key}=${value}`).join(",")
    made.push({ kind, spec, labels: text })
    return { update: (value: number) => void updates.push({ kind, name: spec.name, labels: text, value }) }
  }
  const instruments: Telemetry.Instruments = {
    counter: (spec, labels, options) => {
      if (options.hot) hot.push(labels.map(([key, value]) => `${key}=${value}`).join(","))
      return instrument("counter", spec, labels)
    },
    histogram: (spec, labels) => instrument("histogram", spec, labels),
    gauge: (spec, labels) => instrument("gauge", spec, labels)
  }
  /** The updates since the last call. */
  const taken = (): Array<Update> => updates.splice(0)
  return { instruments, made, hot, taken }
}

const labels: Telemetry.Labels = { clientId: "svc", host: "auth.example.com" }
const base = "oauth2.client.id=svc,server.address=auth.example.com"

const failure = (
  tag: "TokenError" | "NetworkError",
  reason: string,
  error?: string
): Telemetry.Ended => ({
  _tag: "Failure",
  error: error === undefined ? { _tag: tag, reason } : { _tag: tag, reason, error }
})

describe("telemetry: names", () => {
  it("spans, metrics, keys and log texts", () => {
    assert.deepStrictEqual(Telemetry.names, {
      fetchSpan: "oauth2.token.fetch",
      discoverySpan: "oauth2.discovery",
      requests: "oauth2.client.token.requests",
      duration: "oauth2.client.token.request.duration",
      retries: "oauth2.client.token.retries",
      lookups: "oauth2.client.token.cache.lookups",
      refreshFailures: "oauth2.client.token.refresh.failures",
      rejections: "oauth2.client.token.rejections",
      recoveries: "oauth2.client.token.recoveries",
      expiresIn: "oauth2.client.token.expires_in"
    })
    assert.deepStrictEqual(Telemetry.keys, {
      clientId: "oauth2.client.id",
      host: "server.address",
      scopes: "oauth2.scope.count",
      attempts: "oauth2.attempts",
      trigger: "oauth2.token.trigger",
      outcome: "oauth2.outcome",
      reason: "oauth2.error.reason",
      errorType: "error.type",
      errorCode: "oauth2.error.code",
      result: "oauth2.cache.result",
      source: "oauth2.token.source",
      unit: "unit"
    })
    assert.deepStrictEqual(Telemetry.logMessages, {
      fetch: "effect-oauth2: token fetch",
      refresh: "effect-oauth2: token refresh",
      discovery: "effect-oauth2: discovery"
    })
    assert.strictEqual(Telemetry.opaqueDefectMessage, "an unexpected defect (its text is not recorded)")
  })

  it("each metric's description and unit; the duration's buckets in seconds, up to 60", () => {
    const described = Object.values(Telemetry.metrics).map((spec) => [spec.name, spec.description, spec.unit])
    assert.deepStrictEqual(described, [
      ["oauth2.client.token.cache.lookups", "Token lookups by what the cache had", "{lookup}"],
      ["oauth2.client.token.requests", "Token requests (each with its retries) by outcome", "{request}"],
      ["oauth2.client.token.request.duration", "Duration of token requests, retries included", "s"],
      ["oauth2.client.token.retries", "Retries of token and discovery requests by reason", "{retry}"],
      ["oauth2.client.token.refresh.failures", "Background refreshes that failed, by reason", "{failure}"],
      ["oauth2.client.token.rejections", "Tokens an API rejected (401 invalid_token)", "{token}"],
      [
        "oauth2.client.token.recoveries",
        "Rejected tokens AuthorizedClient replaced, the request then accepted",
        "{token}"
      ],
      ["oauth2.client.token.expires_in", "Seconds until the configured request's token expires", "s"]
    ])
    assert.deepStrictEqual(
      Telemetry.metrics.duration.boundaries,
      [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60]
    )
  })
})

describe("telemetry: outcomes", () => {
  it("a token, an interruption, a defect: no reason, no code", () => {
    const none = { reason: undefined, errorCode: undefined }
    assert.deepStrictEqual(Telemetry.outcomeOf({ _tag: "Success" }), { outcome: "token", ...none })
    assert.deepStrictEqual(Telemetry.outcomeOf({ _tag: "Interrupted" }), { outcome: "interrupted", ...none })
    assert.deepStrictEqual(Telemetry.outcomeOf({ _tag: "Defect" }), { outcome: "defect", ...none })
  })

  it("an error: its tag and reason, and its OAuth error only when registered", () => {
    assert.deepStrictEqual(Telemetry.outcomeOf(failure("TokenError", "OAuth", "invalid_client")), {
      outcome: "TokenError",
      reason: "OAuth",
      errorCode: "invalid_client"
    })
    assert.deepStrictEqual(Telemetry.outcomeOf(failure("TokenError", "OAuth", "my_vendor_secret_error")), {
      outcome: "TokenError",
      reason: "OAuth",
      errorCode: undefined
    })
    assert.deepStrictEqual(Telemetry.outcomeOf(failure("TokenError", "InvalidResponse")), {
      outcome: "TokenError",
      reason: "InvalidResponse",
      errorCode: undefined
    })
    // only a TokenError's `error` is an OAuth code
    assert.deepStrictEqual(Telemetry.outcomeOf(failure("NetworkError", "Timeout", "invalid_client")), {
      outcome: "NetworkError",
      reason: "Timeout",
      errorCode: undefined
    })
  })

  it("a span's end: the outcome, error.type on a failure, the reason and code when there are", () => {
    const attributes = (ended: Telemetry.Ended) => Telemetry.endAttributes(Telemetry.outcomeOf(ended))
    assert.deepStrictEqual(attributes({ _tag: "Success" }), { "oauth2.outcome": "token" })
    assert.deepStrictEqual(attributes({ _tag: "Interrupted" }), { "oauth2.outcome": "interrupted" })
    assert.deepStrictEqual(attributes({ _tag: "Defect" }), { "oauth2.outcome": "defect", "error.type": "defect" })
    assert.deepStrictEqual(attributes(failure("TokenError", "OAuth", "invalid_scope")), {
      "oauth2.outcome": "TokenError",
      "error.type": "TokenError",
      "oauth2.error.reason": "OAuth",
      "oauth2.error.code": "invalid_scope"
    })
    assert.deepStrictEqual(attributes(failure("NetworkError", "RateLimited")), {
      "oauth2.outcome": "NetworkError",
      "error.type": "NetworkError",
      "oauth2.error.reason": "RateLimited"
    })
  })
})

describe("telemetry: discovery and attempts", () => {
  it("a discovery span starts with the host and ends with the outcome and a log line", () => {
    assert.deepStrictEqual(Telemetry.discoveryAttributes("issuer.example.com"), {
      "server.address": "issuer.example.com"
    })
    const ending = Telemetry.discoveryEnded(
      "issuer.example.com",
      Telemetry.outcomeOf(failure("TokenError", "Discovery")),
      0.25
    )
    assert.deepStrictEqual(ending, {
      spanAttributes: {
        "oauth2.outcome": "TokenError",
        "error.type": "TokenError",
        "oauth2.error.reason": "Discovery"
      },
      log: {
        message: "effect-oauth2: discovery",
        annotations: { "server.address": "issuer.example.com", "oauth2.outcome": "TokenError", seconds: 0.25 }
      }
    })
  })

  it("a request's attempts and host", () => {
    assert.deepStrictEqual(Telemetry.attemptsAttributes(3, "auth.example.com"), {
      "oauth2.attempts": 3,
      "server.address": "auth.example.com"
    })
  })
})

describe("telemetry: what each event counts", () => {
  it("the labels: client id and host, none without; the unit last", () => {
    assert.deepStrictEqual(Telemetry.labelsOf(labels), [["oauth2.client.id", "svc"], [
      "server.address",
      "auth.example.com"
    ]])
    assert.deepStrictEqual(Telemetry.labelsOf(undefined), [])
    const { instruments, made } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    assert.deepStrictEqual(recorder.attributes, { "oauth2.client.id": "svc", "server.address": "auth.example.com" })
    assert.deepStrictEqual(made.map(({ kind, labels, spec }) => [kind, spec.name, labels]), [
      ["counter", "oauth2.client.token.cache.lookups", `${base},oauth2.cache.result=hit,unit={lookup}`],
      ["counter", "oauth2.client.token.cache.lookups", `${base},oauth2.cache.result=miss,unit={lookup}`],
      ["counter", "oauth2.client.token.cache.lookups", `${base},oauth2.cache.result=joined,unit={lookup}`],
      ["counter", "oauth2.client.token.cache.lookups", `${base},oauth2.cache.result=refreshed_ahead,unit={lookup}`],
      ["counter", "oauth2.client.token.cache.lookups", `${base},oauth2.cache.result=failure,unit={lookup}`],
      ["gauge", "oauth2.client.token.expires_in", `${base},unit=s`],
      ["counter", "oauth2.client.token.rejections", `${base},unit={token}`],
      ["counter", "oauth2.client.token.recoveries", `${base},unit={token}`]
    ])
    const unlabelled = recording()
    assert.deepStrictEqual(new Telemetry.Recorder(undefined, unlabelled.instruments).attributes, {})
    assert.strictEqual(unlabelled.made[0]?.labels, "oauth2.cache.result=hit,unit={lookup}")
  })

  it("only the hit counter is hot", () => {
    const { hot, instruments } = recording()
    new Telemetry.Recorder(labels, instruments)
    assert.deepStrictEqual(hot, [`${base},oauth2.cache.result=hit,unit={lookup}`])
  })

  it("lookups, joins, retries, rejections, recoveries, a refresh given up", () => {
    const { instruments, taken } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    const cell = {}
    recorder.countHit()
    recorder.lookup(cell, "miss", undefined, 0)
    recorder.lookup(cell, "refreshed_ahead", 5_000, 0)
    recorder.lookup(cell, "failure", undefined, 0)
    recorder.joined(0)
    recorder.joined(7)
    recorder.retried("Timeout")
    recorder.retried("Timeout")
    recorder.retried("RateLimited")
    recorder.rejected()
    recorder.recovered()
    recorder.refreshExpired()
    const lookups = "oauth2.client.token.cache.lookups"
    assert.deepStrictEqual(taken(), [
      { kind: "counter", name: lookups, labels: `${base},oauth2.cache.result=hit,unit={lookup}`, value: 1 },
      { kind: "counter", name: lookups, labels: `${base},oauth2.cache.result=miss,unit={lookup}`, value: 1 },
      {
        kind: "counter",
        name: lookups,
        labels: `${base},oauth2.cache.result=refreshed_ahead,unit={lookup}`,
        value: 1
      },
      { kind: "counter", name: lookups, labels: `${base},oauth2.cache.result=failure,unit={lookup}`, value: 1 },
      { kind: "counter", name: lookups, labels: `${base},oauth2.cache.result=joined,unit={lookup}`, value: 7 },
      {
        kind: "counter",
        name: "oauth2.client.token.retries",
        labels: `${base},oauth2.error.reason=Timeout,unit={retry}`,
        value: 1
      },
      {
        kind: "counter",
        name: "oauth2.client.token.retries",
        labels: `${base},oauth2.error.reason=Timeout,unit={retry}`,
        value: 1
      },
      {
        kind: "counter",
        name: "oauth2.client.token.retries",
        labels: `${base},oauth2.error.reason=RateLimited,unit={retry}`,
        value: 1
      },
      { kind: "counter", name: "oauth2.client.token.rejections", labels: `${base},unit={token}`, value: 1 },
      { kind: "counter", name: "oauth2.client.token.recoveries", labels: `${base},unit={token}`, value: 1 },
      {
        kind: "counter",
        name: "oauth2.client.token.refresh.failures",
        labels: `${base},oauth2.error.reason=Expired,unit={failure}`,
        value: 1
      }
    ])
  })

  it("one instrument per series, made on first use", () => {
    const { instruments, made } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    const before = made.length
    recorder.retried("Timeout")
    recorder.retried("Timeout")
    const token = Telemetry.outcomeOf({ _tag: "Success" })
    recorder.fetchEnded({ trigger: "caller", outcome: token, fromStore: false, seconds: 1 })
    recorder.fetchEnded({ trigger: "caller", outcome: token, fromStore: false, seconds: 2 })
    assert.deepStrictEqual(made.slice(before).map(({ kind, spec }) => [kind, spec.name]), [
      ["counter", "oauth2.client.token.retries"],
      ["counter", "oauth2.client.token.requests"],
      ["histogram", "oauth2.client.token.request.duration"]
    ])
    assert.strictEqual(made.at(-1)?.spec, Telemetry.metrics.duration)
  })
})

describe("telemetry: a fetch", () => {
  it("starts with the labels, the scope count and the trigger", () => {
    const recorder = new Telemetry.Recorder(labels, recording().instruments)
    assert.deepStrictEqual(recorder.fetchAttributes({ trigger: "refresh", scopes: 2 }), {
      "oauth2.client.id": "svc",
      "server.address": "auth.example.com",
      "oauth2.scope.count": 2,
      "oauth2.token.trigger": "refresh"
    })
  })

  it("a token request that got a token: counted and timed by outcome, logged", () => {
    const { instruments, taken } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    const ending = recorder.fetchEnded({
      trigger: "caller",
      outcome: Telemetry.outcomeOf({ _tag: "Success" }),
      fromStore: false,
      seconds: 0.125
    })
    assert.deepStrictEqual(taken(), [
      {
        kind: "counter",
        name: "oauth2.client.token.requests",
        labels: `${base},oauth2.outcome=token,unit={request}`,
        value: 1
      },
      {
        kind: "histogram",
        name: "oauth2.client.token.request.duration",
        labels: `${base},oauth2.outcome=token,unit=s`,
        value: 0.125
      }
    ])
    assert.deepStrictEqual(ending, {
      spanAttributes: { "oauth2.outcome": "token" },
      log: {
        message: "effect-oauth2: token fetch",
        annotations: {
          "oauth2.client.id": "svc",
          "server.address": "auth.example.com",
          "oauth2.outcome": "token",
          seconds: 0.125
        }
      }
    })
  })

  it("a token from the shared store: no token request counted, its source on the span and the log", () => {
    const { instruments, taken } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    const ending = recorder.fetchEnded({
      trigger: "refresh",
      outcome: Telemetry.outcomeOf({ _tag: "Success" }),
      fromStore: true,
      seconds: 0.5
    })
    assert.deepStrictEqual(taken(), [])
    assert.deepStrictEqual(ending, {
      spanAttributes: { "oauth2.token.source": "store", "oauth2.outcome": "token" },
      log: {
        message: "effect-oauth2: token refresh",
        annotations: {
          "oauth2.client.id": "svc",
          "server.address": "auth.example.com",
          "oauth2.outcome": "token",
          "oauth2.token.source": "store",
          seconds: 0.5
        }
      }
    })
  })

  it("a refresh that failed: the request by outcome and reason, and a refresh failure by reason", () => {
    const { instruments, taken } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    const ending = recorder.fetchEnded({
      trigger: "refresh",
      outcome: Telemetry.outcomeOf(failure("TokenError", "OAuth", "invalid_client")),
      fromStore: false,
      seconds: 2
    })
    const outcome = "oauth2.outcome=TokenError,oauth2.error.reason=OAuth"
    assert.deepStrictEqual(taken(), [
      { kind: "counter", name: "oauth2.client.token.requests", labels: `${base},${outcome},unit={request}`, value: 1 },
      {
        kind: "histogram",
        name: "oauth2.client.token.request.duration",
        labels: `${base},${outcome},unit=s`,
        value: 2
      },
      {
        kind: "counter",
        name: "oauth2.client.token.refresh.failures",
        labels: `${base},oauth2.error.reason=OAuth,unit={failure}`,
        value: 1
      }
    ])
    assert.deepStrictEqual(ending.log, {
      message: "effect-oauth2: token refresh",
      annotations: {
        "oauth2.client.id": "svc",
        "server.address": "auth.example.com",
        "oauth2.outcome": "TokenError",
        "oauth2.error.reason": "OAuth",
        "oauth2.error.code": "invalid_client",
        seconds: 2
      }
    })
  })

  it("a refresh that died counts under `defect`; an interrupted one and a caller's failure are no refresh failure", () => {
    const { instruments, taken } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    const refreshFailures = () => taken().filter((update) => update.name === "oauth2.client.token.refresh.failures")
    recorder.fetchEnded({
      trigger: "refresh",
      outcome: Telemetry.outcomeOf({ _tag: "Defect" }),
      fromStore: false,
      seconds: 1
    })
    assert.deepStrictEqual(refreshFailures(), [{
      kind: "counter",
      name: "oauth2.client.token.refresh.failures",
      labels: `${base},oauth2.error.reason=defect,unit={failure}`,
      value: 1
    }])
    recorder.fetchEnded({
      trigger: "refresh",
      outcome: Telemetry.outcomeOf({ _tag: "Interrupted" }),
      fromStore: false,
      seconds: 1
    })
    recorder.fetchEnded({
      trigger: "caller",
      outcome: Telemetry.outcomeOf(failure("NetworkError", "Timeout")),
      fromStore: false,
      seconds: 1
    })
    assert.deepStrictEqual(refreshFailures(), [])
  })
})

describe("telemetry: the expires_in gauge", () => {
  const gaugeUpdates = (updates: ReadonlyArray<Update>) =>
    updates.filter((update) => update.kind === "gauge").map((update) => update.value)
  const second = 1_000_000_000n

  it("set from hits of the configured cell at most once a second, in seconds left", () => {
    const { instruments, taken } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    const configured = {}
    const other = {}
    recorder.setConfiguredCell(configured)
    // expiry at 100 s (monotonic millis); now in nanos
    recorder.hit(configured, 100_000, 10n * second)
    recorder.hit(configured, 100_000, 10n * second + 999_999_999n)
    recorder.hit(configured, 100_000, 11n * second)
    recorder.hit(other, 100_000, 20n * second)
    recorder.hit(configured, 100_000, 11n * second + 500_000_000n)
    recorder.hit(configured, 100_000, 12n * second + 250_000_000n)
    const updates = taken()
    assert.deepStrictEqual(gaugeUpdates(updates), [90, 89, 87.75])
    // every hit is counted, whichever cell
    assert.strictEqual(updates.filter((update) => update.kind === "counter").length, 6)
  })

  it("a token issued or a lookup sets it at once, and lets the next hit set it too", () => {
    const { instruments, taken } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    const configured = {}
    recorder.setConfiguredCell(configured)
    recorder.hit(configured, 100_000, 10n * second)
    recorder.issued(configured, 200_000, 10_500)
    recorder.hit(configured, 200_000, 10n * second + 600_000_000n)
    recorder.lookup(configured, "miss", undefined, 10_700)
    recorder.hit(configured, 200_000, 10n * second + 800_000_000n)
    recorder.lookup(configured, "refreshed_ahead", 200_000, 12_000)
    assert.deepStrictEqual(gaugeUpdates(taken()), [90, 189.5, 189.4, 0, 189.2, 188])
  })

  it("another cell's tokens and lookups leave it alone; so does every cell before one is configured", () => {
    const { instruments, taken } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    const cell = {}
    recorder.hit(cell, 100_000, 10n * second)
    recorder.issued(cell, 100_000, 10_000)
    recorder.lookup(cell, "miss", undefined, 10_000)
    recorder.setConfiguredCell({})
    recorder.issued(cell, 100_000, 10_000)
    recorder.lookup(cell, "failure", undefined, 10_000)
    assert.deepStrictEqual(gaugeUpdates(taken()), [])
  })

  it("a countHit counts and never sets the gauge", () => {
    const { instruments, taken } = recording()
    const recorder = new Telemetry.Recorder(labels, instruments)
    recorder.setConfiguredCell({})
    recorder.countHit()
    assert.deepStrictEqual(taken().map((update) => update.kind), ["counter"])
  })
})

describe("telemetry: hooksOf", () => {
  it("each hook does what the recorder does, detached from it", () => {
    const viaHooks = recording()
    const viaRecorder = recording()
    const hooks = Telemetry.hooksOf(new Telemetry.Recorder(labels, viaHooks.instruments))
    const recorder = new Telemetry.Recorder(labels, viaRecorder.instruments)
    const cell = {}
    const calls: ReadonlyArray<readonly [keyof Telemetry.Hooks, (target: Telemetry.Hooks) => void]> = [
      ["setConfiguredCell", (target) => target.setConfiguredCell(cell)],
      ["issued", (target) => target.issued(cell, 5_000, 1_000)],
      ["hit", (target) => target.hit(cell, 5_000, 2_000_000_000n)],
      ["countHit", (target) => target.countHit()],
      ["lookup", (target) => target.lookup(cell, "refreshed_ahead", 5_000, 3_000)],
      ["joined", (target) => target.joined(2)],
      ["refreshExpired", (target) => target.refreshExpired()],
      ["rejected", (target) => target.rejected()],
      ["recovered", (target) => target.recovered()]
    ]
    assert.sameMembers(calls.map(([name]) => name), Object.keys(hooks))
    for (const [name, call] of calls) {
      call(hooks)
      call(recorder)
      const updates = viaHooks.taken()
      assert.deepStrictEqual(updates, viaRecorder.taken(), name)
      if (name !== "setConfiguredCell") assert.isAbove(updates.length, 0, name)
    }
  })
})
