/**
 * Retrying without an Effect line (`docs/behaviour.md#retries-and-retry-after`): the wait before a retry is the
 * schedule's, or the server's `Retry-After` when longer, capped; a per-attempt timeout as a `NetworkError`'s fields;
 * durations written as Effect's `Duration.format` writes them.
 */
import { assert, describe, it } from "vitest"
import * as RetryPolicy from "../src/retryPolicy.js"

describe("retryPolicy: the delay", () => {
  it("the schedule's delay when the failure carries no Retry-After", () => {
    assert.strictEqual(RetryPolicy.retryDelayMillis(200, undefined), 200)
    assert.strictEqual(RetryPolicy.retryDelayMillis(0, undefined), 0)
    assert.strictEqual(RetryPolicy.retryDelayMillis(90_000, undefined), 90_000)
  })

  it("never shorter than Retry-After, never shortened by it", () => {
    assert.strictEqual(RetryPolicy.retryDelayMillis(200, 5_000), 5_000)
    assert.strictEqual(RetryPolicy.retryDelayMillis(800, 500), 800)
    assert.strictEqual(RetryPolicy.retryDelayMillis(200, 0), 200)
    assert.strictEqual(RetryPolicy.retryDelayMillis(1_600.5, 1_600), 1_600.5)
  })

  it("Retry-After counts up to 60 s; the schedule's own delay is not capped", () => {
    assert.strictEqual(RetryPolicy.retryDelayMillis(200, 3_600_000), 60_000)
    assert.strictEqual(RetryPolicy.retryDelayMillis(90_000, 3_600_000), 90_000)
    assert.strictEqual(RetryPolicy.retryDelayMillis(Infinity, 1_000), Infinity)
  })
})

describe("retryPolicy: a timeout", () => {
  it("a Timeout NetworkError from the call's source and origin, saying how long it waited", () => {
    assert.deepStrictEqual(
      RetryPolicy.timedOut({ source: "TokenEndpoint", origin: "https://auth.example.com", timeoutMillis: 30_000 }),
      { reason: "Timeout", source: "TokenEndpoint", origin: "https://auth.example.com", detail: "no answer within 30s" }
    )
    assert.deepStrictEqual(
      RetryPolicy.timedOut({ source: "Discovery", origin: "https://issuer.example.com", timeoutMillis: 1_500 }),
      {
        reason: "Timeout",
        source: "Discovery",
        origin: "https://issuer.example.com",
        detail: "no answer within 1s 500ms"
      }
    )
  })

  it("durations as Duration.format writes them", () => {
    const cases: ReadonlyArray<readonly [number, string]> = [
      [30_000, "30s"],
      [1, "1ms"],
      [999, "999ms"],
      [1_001, "1s 1ms"],
      [90_000, "1m 30s"],
      [3_600_000, "1h"],
      [86_400_000 + 3_723_004, "1d 1h 2m 3s 4ms"],
      [49 * 86_400_000, "49d"],
      [1.5, "1ms 500000ns"],
      [0.000001, "1ns"],
      [0.0000009, "1ns"],
      [0.0000001, "0"],
      [0, "0"],
      [-5, "0"],
      [NaN, "0"],
      [Infinity, "Infinity"]
    ]
    for (const [millis, text] of cases) assert.strictEqual(RetryPolicy.formatMillis(millis), text, String(millis))
  })
})

describe("retryPolicy: a line's options", () => {
  it("timedOutOf: the token endpoint's unless the options name another call, the timeout read by the line", () => {
    const options = { schedule: "s", timeout: { seconds: 30 }, origin: "https://auth.example.com" }
    const toMillis = (duration: { readonly seconds: number }) => duration.seconds * 1000
    assert.deepStrictEqual(RetryPolicy.timedOutOf(options, toMillis), {
      reason: "Timeout",
      source: "TokenEndpoint",
      origin: "https://auth.example.com",
      detail: "no answer within 30s"
    })
    assert.strictEqual(RetryPolicy.timedOutOf({ ...options, source: "Discovery" }, toMillis).source, "Discovery")
  })
})
