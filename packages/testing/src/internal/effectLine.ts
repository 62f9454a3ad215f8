/**
 * The few Effect names that differ between Effect 3 and Effect 4, under Effect 4's names, as Effect 3 gives them.
 * The modules written once for both lines (linked into the Effect 4 package, see `docs/development.md`) use these;
 * the Effect 4 line's `effectLine.ts` gives the same names from Effect 4.
 */
import type * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"

/** The key of a service: Effect 3's `Context.Tag`. */
export type ContextKey<Id, Service> = Context.Tag<Id, Service>

/** A `DateTime` of any input it takes, throwing on an invalid one: Effect 3's `DateTime.unsafeMake`. */
export const dateTimeMakeUnsafe = DateTime.unsafeMake

/** A duration as options take it: Effect 3's `Duration.DurationInput`. */
export type DurationInput = Duration.DurationInput
