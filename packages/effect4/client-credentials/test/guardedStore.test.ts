/**
 * The store as a fleet calls it, on Effect 4, where `Effect.disconnect` is gone: an operation runs on a fiber of its
 * own, which a timeout stops without waiting for it (`internal/guardedStore.ts`).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as TestClock from "effect/testing/TestClock"
import { GuardedStore } from "../src/internal/guardedStore.js"
import type * as TokenStore from "../src/TokenStore.js"
import * as Endpoint from "./utils/endpoint.js"

/** A store whose every operation never answers and cannot be interrupted. */
const deaf: TokenStore.Service = {
  get: () => Effect.uninterruptible(Effect.never),
  set: () => Effect.uninterruptible(Effect.never),
  acquireLease: () => Effect.uninterruptible(Effect.never),
  renewLease: () => Effect.uninterruptible(Effect.never),
  releaseLease: () => Effect.uninterruptible(Effect.never),
  deleteIf: () => Effect.uninterruptible(Effect.never)
}

describe("GuardedStore on Effect 4", () => {
  it.effect("an operation that cannot be interrupted is abandoned at its timeout: a miss, and the store failing", () =>
    Effect.gen(function*() {
      const store = new GuardedStore(deaf, Duration.millis(250))
      const call = yield* Effect.forkChild(store.get("key"))
      yield* Endpoint.settle()
      yield* TestClock.adjust(250)
      yield* Endpoint.settle()
      const exit = call.pollUnsafe()
      assert.isTrue(exit !== undefined && Exit.isSuccess(exit) && Option.isNone(exit.value))
      assert.isTrue(store.isFailing())
    }))
})
