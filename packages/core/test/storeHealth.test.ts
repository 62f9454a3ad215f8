/**
 * A store's health, alone: the transitions of `storeHealth.ts`'s opening comment, each with its next health and
 * change (`docs/fleet.md`).
 */
import { assert, describe, it } from "vitest"
import * as StoreHealth from "../src/storeHealth.js"

const failing = (...kinds: ReadonlyArray<StoreHealth.OperationKind>): StoreHealth.Health => ({
  _tag: "Failing",
  kinds: new Set(kinds)
})

describe("storeHealth", () => {
  it("answering, an operation answers: nothing changes", () => {
    const step = StoreHealth.healthAfter(StoreHealth.answering, "read", true)
    assert.strictEqual(step.health, StoreHealth.answering)
    assert.isUndefined(step.change)
  })

  it("answering, an operation fails: failing with its kind, and the store started failing", () => {
    assert.deepStrictEqual(StoreHealth.healthAfter(StoreHealth.answering, "write", false), {
      health: failing("write"),
      change: "startedFailing"
    })
  })

  it("failing, an operation of another kind fails: failing with both, no new warning", () => {
    assert.deepStrictEqual(StoreHealth.healthAfter(failing("write"), "read", false), {
      health: failing("write", "read"),
      change: undefined
    })
  })

  it("failing, an operation of a failing kind fails again, or of another kind answers: nothing changes", () => {
    const health = failing("write")
    for (const [kind, ok] of [["write", false], ["read", true]] as const) {
      const step = StoreHealth.healthAfter(health, kind, ok)
      assert.strictEqual(step.health, health)
      assert.isUndefined(step.change)
    }
  })

  it("failing both kinds (not reachable), either answers: answering again", () => {
    for (const kind of ["read", "write"] as const) {
      const step = StoreHealth.healthAfter(failing("write", "read"), kind, true)
      assert.strictEqual(step.health, StoreHealth.answering)
      assert.strictEqual(step.change, "answeringAgain")
    }
  })

  it("failing one kind, it answers: answering again", () => {
    const step = StoreHealth.healthAfter(failing("read"), "read", true)
    assert.strictEqual(step.health, StoreHealth.answering)
    assert.strictEqual(step.change, "answeringAgain")
  })

  it("a transition leaves the health it started from as it was", () => {
    const health = failing("write")
    StoreHealth.healthAfter(health, "read", false)
    StoreHealth.healthAfter(health, "write", true)
    assert.deepStrictEqual(health, failing("write"))
  })
})
