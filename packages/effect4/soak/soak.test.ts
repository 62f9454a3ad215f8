/**
 * The short single-process soak of `npm run test:effect4`: `singleTest.ts` and `single.ts`, linked from `soak/`, on the
 * Effect 4 line (10 s, 200 callers, 20 % random faults, 3–5 s tokens, every check of `npm run soak` but the heap's).
 */
import { describe } from "vitest"
import * as SingleTest from "./singleTest.js"

describe("soak on Effect 4", () => {
  SingleTest.declare()
})
