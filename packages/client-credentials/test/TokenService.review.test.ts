/**
 * Cases found in review: an invalidated token must not come back, the configured token must survive eviction from
 * the `Cache`, and a tiny `refreshAhead` must not refresh without end.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"
import * as Logs from "./utils/logs.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

describe("TokenService, review cases", () => {
  it.scoped("a caller still waiting for a fetch does not bring back a token invalidated meanwhile", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("10 millis", Endpoint.token("first")))
      const service = yield* Service.make(endpoint)
      // one caller rejects the token as soon as it has it (as AuthorizedClient does on a 401); another waits too
      const rejecting = yield* Effect.fork(Effect.tap(service.get, (token) => service.invalidate(token)))
      const waiting = yield* Effect.fork(service.get)
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(Service.value(yield* Fiber.join(rejecting)), "first")
      // the waiter resumed after the rejection: it asked again instead of taking the dropped token
      assert.strictEqual(Service.value(yield* Fiber.join(waiting)), "token-2")
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
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

  it.effect("a first caller in an uninterruptible region does not make the shared fetch unstoppable", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.hang() })
      const scope = yield* Scope.make()
      const service = yield* Service.make(endpoint, { requestTimeout: "1 second", retry: Schedule.recurs(2) }).pipe(
        Scope.extend(scope)
      )
      const first = yield* Effect.fork(Effect.uninterruptible(Effect.either(service.get)))
      yield* Service.settle
      const second = yield* Effect.fork(Effect.either(service.get))
      yield* Service.settle
      for (let i = 0; i < 3; i++) yield* TestClock.adjust("1 second")
      const [a, b] = [yield* Fiber.join(first), yield* Fiber.join(second)]
      assert.strictEqual(a._tag === "Left" && a.left._tag === "NetworkError" ? a.left.reason : "", "Timeout")
      assert.strictEqual(b._tag === "Left" && b.left._tag === "NetworkError" ? b.left.reason : "", "Timeout")
      assert.strictEqual(endpoint.requests.length, 3)
      // and the scope closes
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      assert.isDefined(yield* Service.pollNow(closing))
    }))

  it.scoped("a background refresh that dies is logged without its text, and a later one is tried", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      const endpoint = Endpoint.make()
      // the refresh logs with the logger of the layer
      const service = yield* Service.make(endpoint, { refreshAhead: 0.5 }).pipe(Effect.provide(logs.layer))
      const first = yield* service.get
      endpoint.script(() => Effect.die(new Error("boom: Authorization: Basic c2VjcmV0")))
      yield* TestClock.setTime(1_800_000)
      yield* service.get
      yield* Service.settle
      assert.strictEqual(Service.value(yield* service.get), Service.value(first))
      const warnings = logs.entries.filter((entry) => entry.level === "WARN")
      assert.strictEqual(warnings.length, 1)
      assert.notInclude(warnings[0]!.text, "c2VjcmV0")
      // the flag was cleared: after the back-off a new refresh goes out
      yield* TestClock.adjust("3 minutes")
      yield* service.get
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 3)
      assert.notStrictEqual(Service.value(yield* service.get), Service.value(first))
    }))

  it.scoped("the configured token is refreshed in the background even after the Cache evicted it", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { cacheCapacity: 1, refreshAhead: 0.5 })
      const configured = yield* service.get
      // two other requests push the configured one out of a cache of one
      yield* service.getFor({ scopes: ["a"] })
      yield* service.getFor({ scopes: ["b"] })
      const requestsBefore = endpoint.requests.length
      endpoint.script(Endpoint.delayed("10 seconds", Endpoint.token("renewed")))
      yield* TestClock.setTime(2_000_000)
      const fiber = yield* Effect.fork(service.get)
      const served = yield* Service.pollNow(fiber)
      assert.isDefined(served, "the caller waited for the token endpoint")
      assert.strictEqual(Service.value(yield* Fiber.join(fiber)), Service.value(configured))
      assert.strictEqual(endpoint.requests.length, requestsBefore + 1)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(Service.value(yield* service.get), "renewed")
    }))

  it.scoped("a tiny refreshAhead refreshes once, not on every call", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { refreshAhead: 0.01 })
      yield* service.get
      for (let i = 0; i < 20; i++) {
        yield* service.get
        yield* Service.settle
      }
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(40_000)
      for (let i = 0; i < 20; i++) {
        yield* service.get
        yield* Service.settle
      }
      assert.strictEqual(endpoint.requests.length, 2)
    }))
})
