/**
 * The few Effect names that differ between Effect 3 and Effect 4, under Effect 4's names. The modules written once for
 * both lines (linked from the Effect 3 package, see `docs/development.md`) use these; the Effect 3 line's
 * `effectLine.ts` gives the same names from Effect 3.
 */
import type * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"

/** The key of a service. */
export type ContextKey<Id, Service> = Context.Key<Id, Service>

/** A `DateTime` of any input it takes, throwing on an invalid one. */
export const dateTimeMakeUnsafe = DateTime.makeUnsafe

/** A duration as options take it. */
export type DurationInput = Duration.Input
