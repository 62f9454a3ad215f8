/**
 * The short soaks of `npm test`: `single.ts` for 10 s (200 callers, 20 % random faults, 3–5 s tokens) and `fleet.ts`
 * for 15 s (4 replicas × 100 callers on a real Redis, its faults shortened), every check of `npm run soak` but the
 * heap's.
 */
import { assert, describe, it } from "vitest"
import * as Fleet from "./fleet.js"
import * as Single from "./single.js"

describe("soak", () => {
  it("200 callers, 10 s of faults: no failure with a usable token, requests in bound, nothing left", async () => {
    const result = await Single.run(Single.short)
    assert.isAbove(result.calls, 10_000)
    assert.isAbove(Object.keys(result.faultsByKind).length, 0, "some faults were injected")
    for (const check of result.checks) assert.isTrue(check.ok, `${check.name}: ${check.detail}`)
  }, 20_000)

  it(
    "fleet: 4 replicas × 100 callers, 15 s of Redis faults: no error, no token past its life, requests in bound",
    async () => {
      const result = await Fleet.run(Fleet.short)
      assert.isAbove(result.calls, 10_000)
      assert.strictEqual(result.faults.length, 8)
      for (const check of result.checks) assert.isTrue(check.ok, `${check.name}: ${check.detail}`)
    },
    60_000
  )
})
