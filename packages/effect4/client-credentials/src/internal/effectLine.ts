/**
 * The few Effect functions whose names differ between Effect 3 and Effect 4, under Effect 4's names. The modules
 * written once for both lines (linked from the Effect 3 package, see `docs/development.md`) call these; the Effect 3
 * line's `effectLine.ts` gives the same names from Effect 3.
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"

/** Recovers from a defect. */
export const catchDefect = Effect.catchDefect

/** A cause's first failure, if it has one. */
export const causeFindErrorOption = Cause.findErrorOption

/** Whether a cause holds interruptions and nothing else. */
export const causeHasInterruptsOnly = Cause.hasInterruptsOnly

/** An effect made from the fiber that runs it. */
export const withFiber = Effect.withFiber

/** The fiber `withFiber` gives. */
export type FiberOf<A, E> = Fiber.Fiber<A, E>

/** `clock`'s monotonic time in nanoseconds. */
export const clockMonotonicTimeNanosUnsafe = (clock: Clock.Clock): bigint => clock.monotonicTimeNanosUnsafe()

/** An effect that waits for a callback to resume it. */
export const callback = Effect.callback

/** An exit that is an interruption, by no fiber. */
export const exitInterrupt = (): Exit.Exit<never> => Exit.interrupt()

/** Interrupts `fiber` without waiting for it, by no fiber. */
export const fiberInterruptUnsafe = (fiber: FiberOf<unknown, unknown>): void => fiber.interruptUnsafe()

/** The line's HTTP client. */
export type { HttpClient } from "effect/http/HttpClient"

/** What a duration may be given as. */
export type DurationInput = Duration.Input
