/**
 * Cases found in review: an invalidated token must not come back, the configured token must survive eviction from
 * the `Cache`, and a tiny `refreshAhead` must not refresh without end.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"
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
      yield* Fiber.join(waiting)
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
