/**
 * The short single-process soak of `npm test` as a vitest test, written once for both lines: `soak.test.ts` declares it
 * on the Effect 3 line, `packages/effect4/soak/soak.test.ts` on the Effect 4 line (this file and `single.ts` are links
 * there, and import that line's vitest and packages). `single.ts`'s `short`: 10 s, 200 callers, 20 % random faults,
 * 3–5 s tokens, every check of `npm run soak` but the heap's.
 */
import { assert, it } from "vitest"
import * as Single from "./single.js"

/** Declares the test in the `describe` that calls it. */
export const declare = (): void => {
  it("200 callers, 10 s of faults: no failure with a usable token, requests in bound, nothing left", async () => {
    const result = await Single.run(Single.short)
    assert.isAbove(result.calls, 10_000)
    assert.isAbove(Object.keys(result.faultsByKind).length, 0, "some faults were injected")
    for (const check of result.checks) assert.isTrue(check.ok, `${check.name}: ${check.detail}`)
  }, 20_000)
}
