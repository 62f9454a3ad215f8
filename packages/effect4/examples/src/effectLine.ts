/**
 * What the examples shared by both Effect lines (linked from `examples/`) take from their line where the two name it
 * differently, under Effect 4's names; the Effect 3 examples' `effectLine.ts` gives the same names.
 */
import * as Config from "effect/Config"

/** A configuration value as text. */
export const String: (name: string) => Config.Config<string> = Config.String
