/**
 * The few Effect functions whose names differ between Effect 3 and Effect 4, under Effect 4's names, as Effect 3
 * gives them. The modules written once for both lines (linked into the Effect 4 package, see
 * `docs/development.md`) call these; the Effect 4 line's `effectLine.ts` gives the same names from Effect 4.
 */
import * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { dual, type LazyArg } from "effect/Function"

/** Recovers from a defect: Effect 3's `Effect.catchAllDefect`. */
export const catchDefect = Effect.catchAllDefect

/** A success or a failure, as a value: Effect 3's `Either`. */
export type Result<A, E = never> = Either.Either<A, E>
/** A successful `Result`: Effect 3's `Either.right`. */
export const resultSucceed: <A>(value: A) => Result<A> = Either.right
/** A failed `Result`: Effect 3's `Either.left`. */
export const resultFail: <E>(error: E) => Result<never, E> = Either.left
/** The effect that succeeds or fails as `result` says: an `Either` is an effect on Effect 3. */
export const fromResult = <A, E>(result: Result<A, E>): Effect.Effect<A, E> => result

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

/** A `DateTime` of `input`, throwing when it is no date: Effect 3's `DateTime.unsafeMake`. */
export const dateTimeMakeUnsafe = DateTime.unsafeMake

/** Whether an exit's cause holds an interruption: Effect 3's `Exit.isInterrupted`. */
export const exitHasInterrupts = Exit.isInterrupted

/** A running fiber, as `withFiber` gives it: Effect 3's `Fiber.RuntimeFiber`. */
export type FiberOf<A, E> = Fiber.RuntimeFiber<A, E>

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
