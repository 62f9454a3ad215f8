/**
 * The short soaks of `npm test` on the Effect 3 line: `single.ts` for 10 s (200 callers, 20 % random faults, 3–5 s
 * tokens; `singleTest.ts`, which the Effect 4 line declares too) and `fleet.ts` for 15 s (4 replicas × 100 callers on a
 * real Redis, its faults shortened), every check of `npm run soak` but the heap's.
 */
import { assert, describe, it } from "vitest"
import * as Fleet from "./fleet.js"
import * as SingleTest from "./singleTest.js"

describe("soak", () => {
  SingleTest.declare()

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
