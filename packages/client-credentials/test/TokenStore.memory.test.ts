/**
 * `TokenStore.makeMemory`: the reference store, its entries and leases expiring on `TestClock`.
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
      const first = yield* store.acquireLease("k", Duration.seconds(5))
      assert.isTrue(Option.isSome(first))
      assert.isTrue(Option.isNone(yield* store.acquireLease("k", Duration.seconds(5))))
      assert.isTrue(Option.isSome(yield* store.acquireLease("other", Duration.seconds(5))), "one lease per key")
      yield* store.releaseLease("k", "not-the-holder")
      assert.isTrue(Option.isNone(yield* store.acquireLease("k", Duration.seconds(5))))
      yield* store.releaseLease("k", Option.getOrThrow(first))
      const second = yield* store.acquireLease("k", Duration.seconds(5))
      assert.isTrue(Option.isSome(second))
      assert.notStrictEqual(Option.getOrThrow(second), Option.getOrThrow(first))
      yield* TestClock.adjust("5 seconds")
      assert.isTrue(Option.isSome(yield* store.acquireLease("k", Duration.seconds(5))), "ran out")
      // the holder whose lease ran out does not release the new holder's
      yield* store.releaseLease("k", Option.getOrThrow(second))
      assert.isTrue(Option.isNone(yield* store.acquireLease("k", Duration.seconds(5))))
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
