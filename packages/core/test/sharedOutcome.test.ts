/**
 * The outcome of shared work, alone: its waiters, counted in and out, and the first outcome.
 */
import { assert, describe, it } from "vitest"
import { SharedOutcome } from "../src/sharedOutcome.js"

describe("sharedOutcome", () => {
  it("resumes every waiter with the outcome, once", () => {
    const shared = new SharedOutcome<string>()
    const seen: Array<string> = []
    shared.wait((outcome) => seen.push(`a:${outcome}`))
    shared.wait((outcome) => seen.push(`b:${outcome}`))
    assert.isFalse(shared.isDone)
    shared.complete("token")
    assert.isTrue(shared.isDone)
    assert.deepStrictEqual(seen, ["a:token", "b:token"])
    shared.complete("other")
    assert.deepStrictEqual(seen, ["a:token", "b:token"])
  })

  it("answers a waiter that comes after the outcome at once, with the first outcome", () => {
    const shared = new SharedOutcome<string>()
    shared.complete("first")
    shared.complete("second")
    const seen: Array<string> = []
    assert.isUndefined(shared.wait((outcome) => seen.push(outcome)))
    assert.deepStrictEqual(seen, ["first"])
  })

  it("tells a waiter that leaves whether it was the last, and does not resume it", () => {
    const shared = new SharedOutcome<string>()
    const seen: Array<string> = []
    const leaveA = shared.wait((outcome) => seen.push(`a:${outcome}`))
    const leaveB = shared.wait((outcome) => seen.push(`b:${outcome}`))
    assert.isFalse(leaveA!())
    assert.isTrue(leaveB!())
    shared.complete("token")
    assert.deepStrictEqual(seen, [])
  })
})
