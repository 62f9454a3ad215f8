/**
 * What the examples shared by both Effect lines (`packages/effect4/examples` links them) take from their line where
 * the two name it differently, under Effect 4's names; the Effect 4 examples' `effectLine.ts` gives the same names.
 */
import * as Config from "effect/Config"

/** A configuration value as text (Effect 3's `Config.string`). */
export const String: (name: string) => Config.Config<string> = Config.string
