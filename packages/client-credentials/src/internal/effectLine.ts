/**
 * The Effect functions and types whose names differ between Effect 3 and Effect 4, under Effect 4's names, as Effect 3
 * gives them. The modules written once for both lines (linked into the Effect 4 package, see
 * `docs/development.md`) call these; the Effect 4 line's `effectLine.ts` gives the same names from Effect 4.
 */
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { dual, type LazyArg } from "effect/Function"
import * as Random from "effect/Random"
import type * as Tracer from "effect/Tracer"

/** Recovers from a defect: Effect 3's `Effect.catchAllDefect`. */
export const catchDefect = Effect.catchAllDefect

/** The fiber an effect runs on: Effect 3's `Fiber.RuntimeFiber`. */
export type FiberOf<A, E> = Fiber.RuntimeFiber<A, E>

/** Whether a cause holds interruptions and nothing else: Effect 3's `Cause.isInterruptedOnly`. */
export const causeHasInterruptsOnly = Cause.isInterruptedOnly

/** The first failure of a cause, if any: Effect 3's `Cause.failureOption`. */
export const causeFindErrorOption = Cause.failureOption

/** A `DateTime` from an input known to be valid: Effect 3's `DateTime.unsafeMake`. */
export const dateTimeMakeUnsafe = DateTime.unsafeMake

/** A `Deferred` made outside an effect: Effect 3's `Deferred.unsafeMake`, made by no fiber. */
export const deferredMakeUnsafe = <A, E = never>(): Deferred.Deferred<A, E> => Deferred.unsafeMake<A, E>(FiberId.none)

/** Completes a `Deferred` outside an effect: Effect 3's `Deferred.unsafeDone`. */
export const deferredDoneUnsafe = Deferred.unsafeDone

/** A random integer from `min` to `max`, both included: Effect 3's `Random.nextIntBetween` leaves `max` out. */
export const randomNextIntBetween = (min: number, max: number): Effect.Effect<number> =>
  Random.nextIntBetween(min, max + 1)

/** A span that is not entered, without a stack trace (as Effect 4's `Effect.makeSpan` makes it). */
export const makeSpan = (name: string, options?: Tracer.SpanOptions): Effect.Effect<Tracer.Span> =>
  Effect.makeSpan(name, { ...options, captureStackTrace: false })

/** What `timeoutOrElse` takes: how long to wait, and what to run instead. */
interface TimeoutOptions<A, E, R> {
  readonly duration: Duration.DurationInput
  readonly orElse: LazyArg<Effect.Effect<A, E, R>>
}

/** Runs `orElse` instead when the effect takes longer than `duration`: Effect 3's `Effect.timeoutTo`, flattened. */
export const timeoutOrElse: {
  <A2, E2, R2>(
    options: TimeoutOptions<A2, E2, R2>
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E | E2, R | R2>
  <A, E, R, A2, E2, R2>(
    self: Effect.Effect<A, E, R>,
    options: TimeoutOptions<A2, E2, R2>
  ): Effect.Effect<A | A2, E | E2, R | R2>
} = dual(2, <A, E, R, A2, E2, R2>(self: Effect.Effect<A, E, R>, options: TimeoutOptions<A2, E2, R2>) =>
  Effect.flatten(
    Effect.timeoutTo(self, {
      duration: options.duration,
      onSuccess: (value): Effect.Effect<A | A2, E2, R2> => Effect.succeed(value),
      onTimeout: options.orElse
    })
  ))

/**
 * `effect` on a fiber of its own, interruptible and disconnected from the caller (`Effect.disconnect`): when the
 * caller is interrupted (its timeout), it stops waiting at once and the fiber is interrupted in the background. It runs
 * to an `Exit`: a failure of `effect` is never the failure of a fiber, which would log its cause.
 */
export const abandonable = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.flatten(Effect.disconnect(Effect.exit(effect)))

/** A success or a failure, as a value: Effect 3's `Either`. */
export type Result<A, E = never> = Either.Either<A, E>
/** A successful `Result`: Effect 3's `Either.right`. */
export const resultSucceed: <A>(value: A) => Result<A> = Either.right
/** A failed `Result`: Effect 3's `Either.left`. */
export const resultFail: <E>(error: E) => Result<never, E> = Either.left
/** The effect that succeeds or fails as `result` says: an `Either` is an effect on Effect 3. */
export const fromResult = <A, E>(result: Result<A, E>): Effect.Effect<A, E> => result

/** Whether an exit's cause holds an interruption: Effect 3's `Exit.isInterrupted`. */
export const exitHasInterrupts = Exit.isInterrupted

/** Runs what the current fiber gives: Effect 3's `Effect.withFiberRuntime`. */
export const withFiber: <A, E = never, R = never>(
  evaluate: (fiber: FiberOf<unknown, unknown>) => Effect.Effect<A, E, R>
) => Effect.Effect<A, E, R> = Effect.withFiberRuntime

/** Recovers from any failure: Effect 3's `Effect.catchAll`. */
const catch_ = Effect.catchAll
export { catch_ as catch }

/** The HTTP client's service: `@effect/platform`'s on Effect 3. */
export type { HttpClient } from "@effect/platform/HttpClient"
/** What the HTTP client fails with. */
export type { HttpClientError } from "@effect/platform/HttpClientError"
/** A request of the HTTP client. */
export type { HttpClientRequest } from "@effect/platform/HttpClientRequest"
/** An answer of the HTTP client. */
export type { HttpClientResponse } from "@effect/platform/HttpClientResponse"
