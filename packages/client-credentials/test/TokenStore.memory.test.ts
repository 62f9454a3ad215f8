/**
 * `TokenStore.makeMemory` (`docs/fleet.md#tokenstore`): the reference store, its entries and leases expiring on
 * `TestClock`.
 */
import { TokenStore } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Store from "./utils/store.js"

const token = (value: string) => Store.tokenOf(value, 0, 3_600_000, ["a"])

describe("TokenStore.makeMemory", () => {
  it.effect("get gives a copy of the token with the time it has left, until it expires", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.makeMemory
      const written = token("t1")
      yield* store.set("k", written, Duration.seconds(10))
      yield* TestClock.adjust("4 seconds")
      const stored = Option.getOrThrow(yield* store.get("k"))
      assert.notStrictEqual(stored.token, written, "a new object, as across processes")
      assert.strictEqual(Redacted.value(stored.token.value), "t1")
      assert.deepStrictEqual(stored.token.scopes, ["a"])
      assert.strictEqual(Duration.toMillis(stored.timeToLive), 6_000)
      assert.isTrue(Option.isNone(yield* store.get("other")))
      yield* TestClock.adjust("6 seconds")
      assert.isTrue(Option.isNone(yield* store.get("k")))
    }))

  it.effect("a lease goes to one taker until it is released by its holder or runs out", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.makeMemory
      const idOf = (lease: TokenStore.LeaseResult) => lease._tag === "Acquired" ? lease.id : assert.fail(lease._tag)
      const first = yield* store.acquireLease("k", Duration.seconds(5))
      assert.deepStrictEqual(first, TokenStore.acquired(idOf(first)))
      assert.deepStrictEqual(yield* store.acquireLease("k", Duration.seconds(5)), TokenStore.held)
      assert.strictEqual((yield* store.acquireLease("other", Duration.seconds(5)))._tag, "Acquired", "one per key")
      yield* store.releaseLease("k", "not-the-holder")
      assert.deepStrictEqual(yield* store.acquireLease("k", Duration.seconds(5)), TokenStore.held)
      yield* store.releaseLease("k", idOf(first))
      const second = yield* store.acquireLease("k", Duration.seconds(5))
      assert.notStrictEqual(idOf(second), idOf(first))
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual((yield* store.acquireLease("k", Duration.seconds(5)))._tag, "Acquired", "ran out")
      // the holder whose lease ran out does not release the new holder's
      yield* store.releaseLease("k", idOf(second))
      assert.deepStrictEqual(yield* store.acquireLease("k", Duration.seconds(5)), TokenStore.held)
    }))

  it.effect("renewLease gives the holder's lease its time again; another id renews nothing", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.makeMemory
      const lease = yield* store.acquireLease("k", Duration.seconds(5))
      const id = lease._tag === "Acquired" ? lease.id : assert.fail("not acquired")
      yield* TestClock.adjust("4 seconds")
      assert.isFalse(yield* store.renewLease("k", "not-the-holder", Duration.seconds(5)))
      assert.isTrue(yield* store.renewLease("k", id, Duration.seconds(5)))
      yield* TestClock.adjust("4 seconds")
      assert.deepStrictEqual(yield* store.acquireLease("k", Duration.seconds(5)), TokenStore.held, "renewed at 4 s")
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* store.acquireLease("k", Duration.seconds(5)))._tag, "Acquired", "ran out at 9 s")
      assert.isFalse(yield* store.renewLease("k", id, Duration.seconds(5)), "no longer the holder's")
    }))

  it.effect("a lease with more time left than the taker asks for is stale: replaced, and said so", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.makeMemory
      yield* store.acquireLease("k", Duration.hours(1))
      const taken = yield* store.acquireLease("k", Duration.seconds(5))
      assert.isTrue(taken._tag === "Acquired" && taken.replacedStale)
      assert.deepStrictEqual(yield* store.acquireLease("k", Duration.seconds(5)), TokenStore.held)
    }))

  it.effect("deleteIf deletes only the token with that value", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.makeMemory
      yield* store.set("k", token("t1"), Duration.seconds(10))
      assert.isFalse(yield* store.deleteIf("k", Redacted.make("t0")))
      assert.isTrue(Option.isSome(yield* store.get("k")))
      assert.isTrue(yield* store.deleteIf("k", Redacted.make("t1")))
      assert.isTrue(Option.isNone(yield* store.get("k")))
      assert.isFalse(yield* store.deleteIf("k", Redacted.make("t1")))
    }))

  it("isTokenStoreError tells a store's error from others", () => {
    const error = new TokenStore.TokenStoreError({ reason: "Unavailable", detail: "ECONNREFUSED" })
    assert.isTrue(TokenStore.isTokenStoreError(error))
    assert.isFalse(TokenStore.isTokenStoreError(new Error("token store unavailable")))
    assert.isFalse(TokenStore.isTokenStoreError({ _tag: "TokenStoreError" }))
    assert.strictEqual(error.message, "token store unavailable: ECONNREFUSED")
  })
})
