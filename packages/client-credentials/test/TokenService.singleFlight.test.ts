/**
 * Single flight (`docs/behaviour.md#single-flight`): one fetch per request for any number of callers, retries
 * included, on one fiber; a caller that is interrupted or times out stops waiting at once, and the fetch goes on for
 * the others until the last of them leaves.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

describe("TokenService single flight", () => {
  it.scoped("1,000 concurrent get on a cold key make exactly one request", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("1 second", Endpoint.token("shared")))
      const service = yield* Service.make(endpoint)
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 1000 }, () => service.get), { concurrency: "unbounded" })
      )
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.adjust("1 second")
      const tokens = yield* Fiber.join(fiber)
      assert.strictEqual(tokens.length, 1000)
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["shared"])
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("1,000 concurrent getFor on a cold key make exactly one request", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const tokens = yield* Effect.all(
        Array.from({ length: 1000 }, (_, i) => service.getFor({ scopes: i % 2 === 0 ? ["x", "y"] : ["y", "x"] })),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["token-1"])
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("1,000 callers on a cold key share one fetch fiber, not one fork each", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const release = yield* Deferred.make<void>()
      endpoint.script((request) => Effect.zipRight(Deferred.await(release), Endpoint.token("shared")(request)))
      const service = yield* Service.make(endpoint)
      const supervisor = yield* Supervisor.track
      const callers = yield* Effect.fork(
        Effect.all(Array.from({ length: 1000 }, () => service.get), { concurrency: "unbounded" })
      ).pipe(Effect.supervised(supervisor))
      yield* Service.settle
      // 1,000 callers, the `Effect.all` fiber and one fetch fiber: not a second thousand
      const live = (yield* supervisor.value).length
      assert.isAtMost(live, 1010)
      yield* Deferred.succeed(release, void 0)
      const tokens = yield* Fiber.join(callers)
      assert.isTrue(tokens.every((token) => Service.value(token) === "shared"))
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("the callers share the fetch with its retries", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(503), Endpoint.transportFailure())
      const service = yield* Service.make(endpoint, { retry: Schedule.spaced("1 second") })
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 100 }, () => service.get), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("2 seconds")
      const tokens = yield* Fiber.join(fiber)
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["token-3"])
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("an interrupted caller is released at once and does not stop the fetch for the others", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("10 seconds", Endpoint.token("shared")))
      const service = yield* Service.make(endpoint)
      // the first caller starts the fetch
      const first = yield* Effect.fork(service.get)
      yield* Service.settle
      const others = yield* Effect.fork(
        Effect.all(Array.from({ length: 10 }, () => service.get), { concurrency: "unbounded" })
      )
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 1)
      // no clock time passes: the interruption does not wait for the fetch
      yield* Fiber.interrupt(first)
      assert.isTrue(Exit.isInterrupted(yield* Fiber.await(first)))
      assert.isUndefined(yield* Service.pollNow(others))
      yield* TestClock.adjust("10 seconds")
      const tokens = yield* Fiber.join(others)
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["shared"])
      assert.strictEqual(Service.value(yield* service.get), "shared")
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("when the last caller waiting for a fetch leaves, the fetch stops and the next caller starts another", () =>
    Effect.gen(function*() {
      let abandoned = 0
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.hang(() => abandoned++))
      const service = yield* Service.make(endpoint)
      const first = yield* Effect.fork(service.get)
      const second = yield* Effect.fork(service.get)
      yield* Service.settle
      yield* Fiber.interrupt(first)
      yield* Service.settle
      assert.strictEqual(abandoned, 0, "a caller still waits")
      yield* Fiber.interrupt(second)
      yield* Service.settle
      assert.strictEqual(abandoned, 1, "no caller waits: the request is abandoned")
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("a caller that times out is released at its timeout; the others get the token", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("10 seconds", Endpoint.token("shared")))
      const service = yield* Service.make(endpoint)
      const impatient = yield* Effect.fork(Effect.either(Effect.timeout(service.get, "1 second")))
      yield* Service.settle
      const patient = yield* Effect.fork(service.getFor({}))
      yield* TestClock.adjust("1 second")
      const timedOut = yield* Service.pollNow(impatient)
      assert.isDefined(timedOut)
      assert.isTrue(Exit.isSuccess(timedOut!) && timedOut.value._tag === "Left")
      assert.isUndefined(yield* Service.pollNow(patient))
      yield* TestClock.adjust("9 seconds")
      assert.strictEqual(Service.value(yield* Fiber.join(patient)), "shared")
      assert.strictEqual(endpoint.requests.length, 1)
    }))
})
