/**
 * Schedules run on the monotonic clock: a step of the wall clock (an NTP step, a VM restored from a snapshot) neither
 * keeps a token past its lifetime nor drops one early. `TestClock` drives both clocks; the clock below lets the wall
 * clock step while the monotonic one runs on. Specified in `docs/behaviour.md#time`.
 */
import { TokenStore } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { steppedClock } from "./line/runtimes.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"
import * as Store from "./utils/store.js"

/**
 * Runs `effect` on a clock whose wall time can be stepped through `step`; `adjust` moves the `TestClock` under it
 * (`TestClock.adjust` needs the `TestClock` itself in context).
 */
const withSteppedClock = <A, E, R>(
  effect: (
    step: { millis: number },
    adjust: (duration: Duration.DurationInput) => Effect.Effect<void>
  ) => Effect.Effect<A, E, R>
) =>
  TestClock.testClockWith((base) => {
    const step = { millis: 0 }
    return Effect.withClock(
      effect(step, (duration) => base.adjust(duration)),
      steppedClock(base, step)
    )
  })

const hour = 3_600_000

describe("TokenService on a wall clock that steps", () => {
  it.scoped("stepped back an hour: a five-second token is still given up at its hard expiry", () =>
    withSteppedClock((step, adjust) =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make({ otherwise: Endpoint.token("short", { expires_in: 5 }) })
        endpoint.script(Endpoint.token("first", { expires_in: 5 }))
        const service = yield* Service.make(endpoint, { refreshAhead: false })
        assert.strictEqual(Service.value(yield* service.get), "first")
        step.millis = -hour
        // five seconds of life, half of it leeway: given up 2.5 s after it was sent
        yield* adjust("2499 millis")
        assert.strictEqual(Service.value(yield* service.get), "first")
        yield* adjust("1 millis")
        assert.strictEqual(Service.value(yield* service.get), "short")
        assert.strictEqual(endpoint.requests.length, 2)
      })
    ))

  it.scoped("stepped forward an hour: a one-hour token is not given up early", () =>
    withSteppedClock((step, adjust) =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const service = yield* Service.make(endpoint, { refreshAhead: false })
        const token = yield* service.get
        step.millis = hour
        yield* adjust("1 minute")
        assert.strictEqual(yield* service.get, token)
        assert.strictEqual(endpoint.requests.length, 1)
        // what users read stays on the wall clock: the token says when it was issued, as the wall clock read then
        assert.strictEqual(DateTime.toEpochMillis(token.issuedAt), 0)
      })
    ))

  it.scoped("a failure is remembered for its cool-down, not for the hour the wall clock went back", () =>
    withSteppedClock((step, adjust) =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.oauthError("invalid_client", 401))
        const service = yield* Service.make(endpoint)
        yield* Effect.flip(service.get)
        step.millis = -hour
        yield* adjust("5 seconds")
        assert.strictEqual(Service.value(yield* service.get), "token-2")
      })
    ))

  it.scoped("a token shared through a store is held for the time it has left, on the monotonic clock", () =>
    withSteppedClock((step, adjust) =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make({ otherwise: Endpoint.token("short", { expires_in: 5 }) })
        const store = yield* TokenStore.makeMemory
        const writer = yield* Store.replica(endpoint, store, { refreshAhead: false })
        yield* writer.get
        step.millis = -hour
        yield* adjust("2499 millis")
        assert.strictEqual(endpoint.requests.length, 1)
        yield* adjust("1 millis")
        yield* writer.get
        assert.strictEqual(endpoint.requests.length, 2, "expired in the store and in the replica at 2.5 s")
      })
    ))
})
