/**
 * `TokenService.layerWithStore` when the store misbehaves: calls that never answer, leases nobody renews, holders that
 * take longer than a lease, rejected tokens from the store, entries not written as they are read, a store that
 * answers reads and refuses writes. On `TokenStore.makeMemory` (recorded and overridden) and `TestClock`. The same
 * faults on a real Redis are in `@effect-oauth2/redis`'s fleet suite. Specified in `docs/fleet.md#faults` and
 * `docs/fleet.md#the-protocol`.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Logs from "./utils/logs.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"
import * as Store from "./utils/store.js"

/** The key the replicas use for the configured token: the key of the first call. */
const configuredKey = (spy: Store.SpyStore): string => spy.calls[0]!.key

const operations = (spy: Store.SpyStore) => spy.calls.map((call) => call.operation)

const warnings = (logs: Logs.CapturedLogs) => logs.entries.filter((entry) => entry.level === "WARN")

describe("TokenService.layerWithStore: every store call is bounded by storeTimeout", () => {
  for (
    const [name, never] of [
      ["an interruptible", Effect.never],
      ["an uninterruptible", Effect.uninterruptible(Effect.never)]
    ] as const
  ) {
    it.scoped(`acquireLease with ${name} hang: the caller fetches directly after storeTimeout`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const spy = yield* Store.spy()
        spy.override({ acquireLease: () => never })
        const replica = yield* Store.replica(endpoint, spy.store, { storeTimeout: "100 millis" })
        const caller = yield* Effect.fork(replica.get)
        yield* TestClock.adjust("99 millis")
        assert.isUndefined(yield* Service.pollNow(caller))
        yield* TestClock.adjust("1 millis")
        const exit = yield* Service.pollNow(caller)
        assert.isDefined(exit, "no answer within storeTimeout is a miss")
        assert.strictEqual(Service.value(yield* exit!), "token-1")
      }))
  }

  it.scoped("releaseLease that never answers: the caller has its token at once", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      spy.override({ releaseLease: () => Effect.uninterruptible(Effect.never) })
      const replica = yield* Store.replica(endpoint, spy.store, { storeTimeout: "100 millis" })
      const caller = yield* Effect.fork(replica.get)
      const exit = yield* Service.pollNow(caller)
      assert.isDefined(exit, "nobody waits for the release")
      assert.strictEqual(Service.value(yield* exit!), "token-1")
      assert.include(operations(spy), "releaseLease")
    }))

  for (const operation of ["get", "acquireLease", "set", "renewLease", "releaseLease"] as const) {
    it.effect(`the layer closes at once while ${operation} hangs, without the clock moving`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make({ otherwise: Endpoint.delayed("20 seconds", Endpoint.token("slow")) })
        const spy = yield* Store.spy()
        spy.override({ [operation]: () => Effect.uninterruptible(Effect.never) })
        const scope = yield* Scope.make()
        const replica = yield* Scope.extend(
          Store.replica(endpoint, spy.store, { storeTimeout: "1 hour", leaseTtl: "3 seconds" }),
          scope
        )
        const caller = yield* Effect.fork(replica.get)
        // up to the point where the operation hangs: the fetch (20 s) runs and renews its lease (every second)
        yield* TestClock.adjust(operation === "renewLease" ? "1500 millis" : "25 seconds")
        assert.include(operations(spy), operation)
        const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
        assert.isDefined(yield* Service.pollNow(closing), "the layer closed without waiting for the store")
        yield* Fiber.interrupt(caller)
      }))
  }
})

describe("TokenService.layerWithStore: leases", () => {
  it.scoped("a stale lease (more time left than leaseTtl, or none) is replaced at once, with one warning", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const first = yield* Store.replica(endpoint, spy.store)
      const key = yield* Effect.map(first.get, (token) => ({ key: configuredKey(spy), token }))
      // its lease is released on a fiber of the layer
      yield* Service.settle
      yield* spy.store.deleteIf(key.key, key.token.value)
      // a lease made by hand, for a day
      yield* spy.store.acquireLease(key.key, Duration.days(1))
      const replica = yield* Effect.provide(Store.replica(endpoint, spy.store, { leaseTtl: "10 seconds" }), logs.layer)
      const caller = yield* Effect.fork(replica.get)
      const exit = yield* Service.pollNow(caller)
      assert.isDefined(exit, "no wait for a lease nobody renews")
      assert.strictEqual(Service.value(yield* exit!), "token-2")
      const stale = warnings(logs).filter((entry) => entry.text.includes("nobody renews"))
      assert.strictEqual(stale.length, 1)
    }))

  it.scoped(
    "a holder renews its lease while its fetch runs: a Retry-After longer than the lease costs one fetch",
    () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.json({ error: "slow_down" }, 429, { "retry-after": "20" }))
        const spy = yield* Store.spy()
        const options = { leaseTtl: "3 seconds" } as const
        const holder = yield* Store.replica(endpoint, spy.store, options)
        const waiter = yield* Store.replica(endpoint, spy.store, options)
        const first = yield* Effect.fork(holder.get)
        yield* Service.settle
        const second = yield* Effect.fork(waiter.get)
        yield* TestClock.adjust("19 seconds")
        assert.strictEqual(endpoint.requests.length, 1, "the waiter did not send a request of its own")
        assert.isAtLeast(spy.calls.filter((call) => call.operation === "renewLease").length, 18)
        yield* TestClock.adjust("2 seconds")
        const tokens = [yield* Fiber.join(first), yield* Fiber.join(second)].map(Service.value)
        assert.deepStrictEqual(tokens, ["token-2", "token-2"])
        assert.strictEqual(endpoint.requests.length, 2, "the holder's retry")
      }),
    20_000
  )
})

describe("TokenService.layerWithStore: tokens from the store", () => {
  it.scoped("a token taken from the store is not protected: its rejection drops it and deletes it from the store", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const a = yield* Store.replica(endpoint, spy.store)
      const b = yield* Store.replica(endpoint, spy.store)
      const token1 = yield* a.get
      assert.strictEqual(Service.value(yield* b.get), "token-1", "from the store")
      // the API rejects token-1: both replicas drop it; b fetches token-2 and stores it
      yield* a.invalidate(token1)
      yield* b.invalidate(yield* b.get)
      assert.strictEqual(Service.value(yield* b.get), "token-2")
      // a, after its rejection, takes token-2 from the store: no token request
      const token2 = yield* a.get
      assert.strictEqual(Service.value(token2), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
      // the API rejects token-2 too: a drops it at once, and it leaves the store
      yield* a.invalidate(token2)
      assert.isTrue(Option.isNone(yield* spy.store.get(configuredKey(spy))), "deleted from the store")
      assert.strictEqual(Service.value(yield* a.get), "token-3")
    }))

  it.scoped("an entry whose writer's expiry is past, or further than its lifetime, is a miss (a replayed blob)", () =>
    Effect.gen(function*() {
      const now = 10_000_000
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      yield* Effect.flatMap(Store.replica(endpoint, spy.store), (writer) => writer.get)
      const key = configuredKey(spy)
      for (
        const [value, issuedAt, taken] of [
          // issued 20 minutes ago: as its writer meant it, taken
          ["current", now - 1_200_000, true],
          // expired an hour ago, stored again for 50 minutes
          ["replayed", now - 7_200_000, false],
          // expires in three hours: more than its one-hour lifetime away
          ["future", now + 7_200_000, false]
        ] as const
      ) {
        yield* spy.store.set(key, Store.tokenOf(value, issuedAt, 3_600_000), Duration.minutes(50))
        const reader = yield* Store.replica(endpoint, spy.store)
        const token = yield* reader.get
        assert.strictEqual(Service.value(token) === value, taken, value)
      }
    }))

  it.scoped("an entry is held no longer than its writer's expiry allows, give or take 30 seconds of clock skew", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const writer = yield* Store.replica(endpoint, spy.store, { refreshAhead: false })
      yield* writer.get
      const key = configuredKey(spy)
      // its writer says 10 minutes are left; the store says 50
      yield* spy.store.set(key, Store.tokenOf("short", -3_000_000, 3_600_000), Duration.minutes(50))
      const reader = yield* Store.replica(endpoint, spy.store, { refreshAhead: false })
      assert.strictEqual(Service.value(yield* reader.get), "short")
      // held until 10 min − 60 s leeway + 30 s skew
      yield* TestClock.setTime(569_999)
      assert.strictEqual(Service.value(yield* reader.get), "short")
      yield* TestClock.setTime(570_000)
      assert.notStrictEqual(Service.value(yield* reader.get), "short")
    }))

  it.scoped("a stored token of a type the layer does not ask for is a miss", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const writer = yield* Store.replica(endpoint, spy.store)
      yield* writer.get
      const forged = AccessToken.AccessToken.make({ ...Store.tokenOf("FORGED", 0, 3_600_000), tokenType: "DPoP" })
      yield* spy.store.set(configuredKey(spy), forged, Duration.minutes(50))
      const reader = yield* Store.replica(endpoint, spy.store)
      const token = yield* reader.get
      assert.notStrictEqual(Service.value(token), "FORGED")
      assert.strictEqual(token.tokenType, "Bearer")
    }))
})

describe("TokenService.layerWithStore: the store's health", () => {
  it.scoped("a store that answers reads and refuses writes: one warning for the outage, not one per fetch", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      spy.override({
        set: () => Effect.fail(Store.unavailable),
        acquireLease: () => Effect.fail(Store.unavailable),
        releaseLease: () => Effect.fail(Store.unavailable),
        renewLease: () => Effect.fail(Store.unavailable),
        deleteIf: () => Effect.fail(Store.unavailable)
      })
      const replica = yield* Effect.provide(Store.replica(endpoint, spy.store), logs.layer)
      for (const scope of ["a", "b", "c", "d", "e"]) yield* replica.getFor({ scopes: [scope] })
      assert.strictEqual(endpoint.requests.length, 5)
      assert.strictEqual(warnings(logs).length, 1)
      assert.isFalse(logs.entries.some((entry) => entry.text.includes("answering again")), "no recovery between")
      spy.restore()
      yield* replica.getFor({ scopes: ["f"] })
      assert.isTrue(logs.entries.some((entry) => entry.text.includes("answering again")), "writes answer again")
    }))
})
