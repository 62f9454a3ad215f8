/**
 * The few Effect functions whose names differ between Effect 3 and Effect 4, under Effect 4's names, as Effect 3
 * gives them. The modules written once for both lines (linked into the Effect 4 package, see
 * `docs/development.md`) call these; the Effect 4 line's `effectLine.ts` gives the same names from Effect 4.
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"

/** Recovers from a defect: Effect 3's `Effect.catchAllDefect`. */
export const catchDefect = Effect.catchAllDefect

/** A cause's first failure, if it has one: Effect 3's `Cause.failureOption`. */
export const causeFindErrorOption = Cause.failureOption

/** Whether a cause holds interruptions and nothing else: Effect 3's `Cause.isInterruptedOnly`. */
export const causeHasInterruptsOnly = Cause.isInterruptedOnly

/** An effect made from the fiber that runs it: Effect 3's `Effect.withFiberRuntime`. */
export const withFiber = Effect.withFiberRuntime

/** The fiber `withFiber` gives: Effect 3's `Fiber.RuntimeFiber`. */
export type FiberOf<A, E> = Fiber.RuntimeFiber<A, E>

/** `clock`'s monotonic time in nanoseconds: Effect 3's `unsafeCurrentTimeNanos`. */
export const clockMonotonicTimeNanosUnsafe = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/** An effect that waits for a callback to resume it: Effect 3's `Effect.async`. */
export const callback = Effect.async

/** An exit that is an interruption, by no fiber: Effect 3's `Exit.interrupt(FiberId.none)`. */
export const exitInterrupt = (): Exit.Exit<never> => Exit.interrupt(FiberId.none)

/** Interrupts `fiber` without waiting for it, by no fiber: Effect 3's `unsafeInterruptAsFork(FiberId.none)`. */
export const fiberInterruptUnsafe = (fiber: FiberOf<unknown, unknown>): void =>
  fiber.unsafeInterruptAsFork(FiberId.none)

/** The line's HTTP client. */
export type { HttpClient } from "@effect/platform/HttpClient"

/** What a duration may be given as: Effect 3's `Duration.DurationInput`. */
export type DurationInput = Duration.DurationInput
