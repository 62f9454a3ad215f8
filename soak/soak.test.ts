/**
 * The short soak of `npm test`: `single.ts` for 10 s (200 callers, 20 % random faults, 3–5 s tokens), every check of
 * `npm run soak` but the heap's.
 */
import { assert, describe, it } from "vitest"
import * as Single from "./single.js"

describe("soak", () => {
  it("200 callers, 10 s of faults: no failure with a usable token, requests in bound, nothing left", async () => {
    const result = await Single.run(Single.short)
    assert.isAbove(result.calls, 10_000)
    assert.isAbove(Object.keys(result.faultsByKind).length, 0, "some faults were injected")
    for (const check of result.checks) assert.isTrue(check.ok, `${check.name}: ${check.detail}`)
  }, 20_000)
})
