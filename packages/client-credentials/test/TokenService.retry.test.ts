/**
 * Retries (`docs/behaviour.md#retries-and-retry-after`): the default schedule (jittered exponential from 200 ms, at
 * most 3 retries), `Retry-After` in seconds or as an HTTP date and capped at 60 s, a custom schedule that replaces the
 * default, and a timeout per attempt. `Random.fixed([0.5])` makes the jitter factor exactly 1, so the default waits are
 * 200, 400 and 800 ms.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const noJitter = Effect.withRandom(Random.fixed([0.5]))

/**
 * Moves the clock to `millis`. `TestClock` wakes each sleep at its own instant and lets the woken fibers run (and
 * register their next sleep) before it moves on, so each retry happens at its exact time.
 */
const advanceTo = (millis: number) => TestClock.setTime(millis)

describe("TokenService retries", () => {
  it.scoped("the default schedule: exponential from 200 ms, at most 3 retries", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const service = yield* Service.make(endpoint)
      const fiber = yield* Effect.fork(Effect.flip(service.get))
      yield* advanceTo(60_000)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(error.reason, "ServerError")
      assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 200, 600, 1400])
    }).pipe(noJitter))

  it.scoped("the default schedule is jittered, within ±20 %", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const service = yield* Service.make(endpoint)
      const fiber = yield* Effect.fork(Effect.flip(service.get))
      yield* advanceTo(60_000)
      yield* Fiber.join(fiber)
      const times = endpoint.requests.map((request) => request.at)
      assert.strictEqual(times.length, 4)
      const waits = times.slice(1).map((at, i) => at - times[i]!)
      for (const [i, wait] of waits.entries()) {
        assert.isAtLeast(wait, 200 * 2 ** i * 0.8)
        assert.isAtMost(wait, 200 * 2 ** i * 1.2)
      }
    }))

  it.scoped("jittered to the top of its range, on a TestClock at a fraction of a millisecond: the NetworkError alone", () =>
    Effect.gen(function*() {
      // the waits are 239.2, 478.4 and 956.8 ms: the fetch's span ends at 1,674.4 ms, where Effect 3's TestClock
      // cannot give its time as nanoseconds in an effect (`currentTimeNanos`), only outside one
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const service = yield* Service.make(endpoint)
      const fiber = yield* Effect.fork(Effect.exit(service.get))
      yield* advanceTo(60_000)
      const exit = yield* Fiber.join(fiber)
      assert.deepStrictEqual(
        endpoint.requests.map((request) => request.at),
        [0, 239.2, 717.6, 1674.4].map((at) =>
          endpoint.requests.find((request) => Math.abs(request.at - at) < 0.01)?.at ?? at
        )
      )
      assert.isTrue(Exit.isFailure(exit) && Cause.isFailType(exit.cause), "one failure, nothing beside it")
    }).pipe(Effect.withRandom(Random.fixed([0.99]))))

  it.scoped("a retry that succeeds ends the retries", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(503), Endpoint.respond(502))
      const service = yield* Service.make(endpoint)
      const fiber = yield* Effect.fork(service.get)
      yield* advanceTo(10_000)
      assert.strictEqual(Service.value(yield* Fiber.join(fiber)), "token-3")
      assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 200, 600])
    }).pipe(noJitter))

  for (const status of [503, 429]) {
    it.scoped(`Retry-After in seconds on a ${status}: the retry does not happen before it`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.respond(status, null, { "retry-after": "5" }))
        const service = yield* Service.make(endpoint)
        const fiber = yield* Effect.fork(service.get)
        yield* advanceTo(4_999)
        assert.strictEqual(endpoint.requests.length, 1)
        yield* advanceTo(5_000)
        assert.strictEqual(Service.value(yield* Fiber.join(fiber)), "token-2")
        assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 5_000])
      }).pipe(noJitter))
  }

  it.scoped("Retry-After as an HTTP date", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      // the TestClock starts at the epoch
      endpoint.script(Endpoint.respond(503, null, { "retry-after": new Date(10_000).toUTCString() }))
      const service = yield* Service.make(endpoint)
      const fiber = yield* Effect.fork(service.get)
      yield* advanceTo(9_999)
      assert.strictEqual(endpoint.requests.length, 1)
      yield* advanceTo(10_000)
      assert.strictEqual(Service.value(yield* Fiber.join(fiber)), "token-2")
      assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 10_000])
    }).pipe(noJitter))

  it.scoped("Retry-After is capped at 60 s, in seconds and as a date", () =>
    Effect.gen(function*() {
      for (const retryAfter of ["3600", new Date(86_400_000).toUTCString()]) {
        yield* TestClock.setTime(0)
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.respond(429, null, { "retry-after": retryAfter }))
        const service = yield* Service.make(endpoint)
        const fiber = yield* Effect.fork(service.get)
        yield* advanceTo(59_999)
        assert.strictEqual(endpoint.requests.length, 1)
        yield* advanceTo(60_000)
        assert.strictEqual(Service.value(yield* Fiber.join(fiber)), "token-2")
        assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 60_000])
      }
    }).pipe(noJitter))

  it.scoped("the error carries Retry-After, capped", () =>
    Effect.gen(function*() {
      for (const [header, millis] of [["7", 7_000], ["3600", 60_000]] as const) {
        const endpoint = Endpoint.make({ otherwise: Endpoint.respond(429, null, { "retry-after": header }) })
        const service = yield* Service.make(endpoint, { retry: Schedule.stop })
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error._tag, "NetworkError")
        assert.strictEqual(error.reason, "RateLimited")
        assert.strictEqual(error._tag === "NetworkError" ? Duration.toMillis(error.retryAfter!) : 0, millis)
      }
    }))

  it.scoped("the schedule's delay wins when it is longer than Retry-After", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(503, null, { "retry-after": "1" }))
      const service = yield* Service.make(endpoint, { retry: Schedule.spaced("10 seconds") })
      const fiber = yield* Effect.fork(service.get)
      yield* advanceTo(10_000)
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 10_000])
    }))

  it.scoped("a custom schedule replaces the default", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const service = yield* Service.make(endpoint, {
        retry: Schedule.spaced("10 seconds").pipe(Schedule.intersect(Schedule.recurs(5)))
      })
      const fiber = yield* Effect.fork(Effect.flip(service.get))
      yield* advanceTo(100_000)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error.reason, "ServerError")
      assert.deepStrictEqual(
        endpoint.requests.map((request) => request.at),
        [0, 10_000, 20_000, 30_000, 40_000, 50_000]
      )
    }))

  it.scoped("Schedule.stop turns retries off", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const service = yield* Service.make(endpoint, { retry: Schedule.stop })
      yield* Effect.flip(service.get)
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("only NetworkErrors that may pass are retried, whatever the schedule", () =>
    Effect.gen(function*() {
      const answers = [Endpoint.respond(501), Endpoint.respond(200, "<html>"), Endpoint.oauthError("invalid_grant")]
      for (const answer of answers) {
        const endpoint = Endpoint.make({ otherwise: answer })
        const service = yield* Service.make(endpoint, { retry: Schedule.recurs(5) })
        yield* Effect.flip(service.get)
        assert.strictEqual(endpoint.requests.length, 1)
      }
    }))

  it.scoped("a hung endpoint ends in NetworkError Timeout once the retries are spent", () =>
    Effect.gen(function*() {
      let abandoned = 0
      const endpoint = Endpoint.make({ otherwise: Endpoint.hang(() => abandoned++) })
      const service = yield* Service.make(endpoint, { requestTimeout: "1 second" })
      const fiber = yield* Effect.fork(Effect.flip(service.get))
      // attempts at 0, 1.2 s, 2.6 s and 4.4 s, each given 1 s
      yield* advanceTo(5_399)
      assert.isUndefined(yield* Service.pollNow(fiber))
      yield* advanceTo(5_400)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(error.reason, "Timeout")
      assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 1_200, 2_600, 4_400])
      assert.strictEqual(abandoned, 4)
    }).pipe(noJitter))

  it.scoped("the default requestTimeout is 30 s", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.hang())
      const service = yield* Service.make(endpoint, { retry: Schedule.recurs(1) })
      const fiber = yield* Effect.fork(service.get)
      yield* advanceTo(29_999)
      assert.strictEqual(endpoint.requests.length, 1)
      yield* advanceTo(30_000)
      assert.strictEqual(Service.value(yield* Fiber.join(fiber)), "token-2")
    }))

  it.scoped("each attempt gets its own timeout", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.hang(), Endpoint.hang(), Endpoint.delayed("900 millis", Endpoint.token("third")))
      const service = yield* Service.make(endpoint, { requestTimeout: "1 second", retry: Schedule.recurs(3) })
      const fiber = yield* Effect.fork(service.get)
      yield* advanceTo(2_900)
      assert.strictEqual(Service.value(yield* Fiber.join(fiber)), "third")
      assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 1_000, 2_000])
    }))

  it.scoped("the timeout covers reading the body", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(() =>
        Effect.succeed(new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), { status: 200 }))
      )
      const service = yield* Service.make(endpoint, { requestTimeout: "1 second", retry: Schedule.recurs(1) })
      const fiber = yield* Effect.fork(service.get)
      yield* advanceTo(1_000)
      assert.strictEqual(Service.value(yield* Fiber.join(fiber)), "token-2")
    }))
})
