/**
 * The in-memory token store's atomic steps, on a clock the test gives (`docs/fleet.md#tokenstore`): entries live
 * until their time is up, a lease is taken by one, a stale lease is replaced, and only a holder renews or releases.
 */
import { assert, describe, it } from "vitest"
import { MemoryStore } from "../src/memoryStore.js"

const store = () => new MemoryStore<{ readonly value: string }>((token) => token.value)

describe("memory store: tokens", () => {
  it("gives a token with its time left until it expires, then nothing", () => {
    const tokens = store()
    tokens.set("k", { value: "a" }, 1_000, 10_000)
    assert.deepStrictEqual(tokens.get("k", 10_400), { token: { value: "a" }, timeToLiveMillis: 600 })
    assert.isDefined(tokens.get("k", 10_999))
    assert.isUndefined(tokens.get("k", 11_000))
    assert.isUndefined(tokens.get("other", 10_000))
  })

  it("replaces the token of a key", () => {
    const tokens = store()
    tokens.set("k", { value: "a" }, 1_000, 0)
    tokens.set("k", { value: "b" }, 5_000, 500)
    assert.deepStrictEqual(tokens.get("k", 2_000), { token: { value: "b" }, timeToLiveMillis: 3_500 })
  })

  it("deletes a token only while it lives and has the value given", () => {
    const tokens = store()
    tokens.set("k", { value: "a" }, 1_000, 0)
    assert.isFalse(tokens.deleteIf("k", "b", 100))
    assert.isDefined(tokens.get("k", 100))
    assert.isTrue(tokens.deleteIf("k", "a", 100))
    assert.isUndefined(tokens.get("k", 100))
    tokens.set("k", { value: "a" }, 1_000, 0)
    assert.isFalse(tokens.deleteIf("k", "a", 1_000))
  })
})

describe("memory store: leases", () => {
  it("gives a lease to one, answers Held to the next until it runs out", () => {
    const leases = store()
    const first = leases.acquireLease("k", 1_000, 0)
    assert.deepStrictEqual(first, { _tag: "Acquired", id: "lease-1", replacedStale: false })
    assert.deepStrictEqual(leases.acquireLease("k", 1_000, 999), { _tag: "Held" })
    assert.deepStrictEqual(leases.acquireLease("k", 1_000, 1_000), {
      _tag: "Acquired",
      id: "lease-2",
      replacedStale: false
    })
  })

  it("replaces a lease with more time left than the one asked for, saying so", () => {
    const leases = store()
    leases.acquireLease("k", 60_000, 0)
    assert.deepStrictEqual(leases.acquireLease("k", 10_000, 1_000), {
      _tag: "Acquired",
      id: "lease-2",
      replacedStale: true
    })
    // exactly the time asked for left is not stale
    leases.acquireLease("j", 10_000, 0)
    assert.deepStrictEqual(leases.acquireLease("j", 10_000, 0), { _tag: "Held" })
  })

  it("renews a lease only for its holder, and only while it lives", () => {
    const leases = store()
    leases.acquireLease("k", 1_000, 0)
    assert.isFalse(leases.renewLease("k", "lease-9", 1_000, 500))
    assert.isTrue(leases.renewLease("k", "lease-1", 1_000, 500))
    assert.deepStrictEqual(leases.acquireLease("k", 1_000, 1_400), { _tag: "Held" })
    assert.isFalse(leases.renewLease("k", "lease-1", 1_000, 1_500))
  })

  it("releases a lease only for its holder", () => {
    const leases = store()
    leases.acquireLease("k", 1_000, 0)
    leases.releaseLease("k", "lease-9")
    assert.deepStrictEqual(leases.acquireLease("k", 1_000, 10), { _tag: "Held" })
    leases.releaseLease("k", "lease-1")
    assert.deepStrictEqual(leases.acquireLease("k", 1_000, 10), {
      _tag: "Acquired",
      id: "lease-2",
      replacedStale: false
    })
  })
})
