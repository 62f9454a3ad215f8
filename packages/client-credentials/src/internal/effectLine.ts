/**
 * The few Effect functions whose names differ between Effect 3 and Effect 4, under Effect 4's names, as Effect 3
 * gives them. The modules written once for both lines (linked into the Effect 4 package, see
 * `docs/development.md`) call these; the Effect 4 line's `effectLine.ts` gives the same names from Effect 4.
 */
import * as Effect from "effect/Effect"

/** Recovers from a defect: Effect 3's `Effect.catchAllDefect`. */
export const catchDefect = Effect.catchAllDefect
