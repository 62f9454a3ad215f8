/**
 * The Effect functions and types whose names differ between Effect 3 and Effect 4, under Effect 4's names. The modules
 * written once for both lines (linked from the Effect 3 package, see `docs/development.md`) call these; the Effect 3
 * line's `effectLine.ts` gives the same names from Effect 3.
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

/** Recovers from a defect. */
export const catchDefect = Effect.catchDefect

/** The fiber an effect runs on. */
export type FiberOf<A, E> = Fiber.Fiber<A, E>

/** Whether a cause holds interruptions and nothing else. */
export const causeHasInterruptsOnly = Cause.hasInterruptsOnly

/** The first failure of a cause, if any. */
export const causeFindErrorOption = Cause.findErrorOption

/** A `DateTime` from an input known to be valid. */
export const dateTimeMakeUnsafe = DateTime.makeUnsafe

/** A `Deferred` made outside an effect. */
export const deferredMakeUnsafe = Deferred.makeUnsafe

/** Completes a `Deferred` outside an effect. */
export const deferredDoneUnsafe = Deferred.doneUnsafe

/** A random integer from `min` to `max`, both included. */
export const randomNextIntBetween = (min: number, max: number): Effect.Effect<number> => Random.nextIntBetween(min, max)

/** A span that is not entered (without a stack trace). */
export const makeSpan = Effect.makeSpan

/** `orElse` in place of `self` when `self` takes longer than `duration`. */
export const timeoutOrElse = Effect.timeoutOrElse

/**
 * `effect` on a fiber of its own, interruptible: the caller waits for its exit, and when the caller is interrupted
 * (its timeout), the fiber is interrupted without waiting for it to wind down. It runs to an `Exit`: a failure of
 * `effect` is never an unjoined fiber's failure.
 */
export const abandonable = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.flatMap(
    Effect.forkDetach(Effect.exit(effect), { startImmediately: true }),
    (fiber) => Effect.flatten(Effect.onInterrupt(Fiber.join(fiber), () => Effect.sync(() => fiber.interruptUnsafe())))
  )

/** A success or a failure, as a value. */
export type { Result } from "effect/Result"
/** A successful `Result`. */
export const resultSucceed = Result.succeed
/** A failed `Result`. */
export const resultFail = Result.fail
/** The effect that succeeds or fails as `result` says. */
export const fromResult = Effect.fromResult

/** Whether an exit's cause holds an interruption. */
export const exitHasInterrupts = Exit.hasInterrupts

/** Runs what the current fiber gives. */
export const withFiber = Effect.withFiber

/** Recovers from any failure. */
const catch_ = Effect.catch
export { catch_ as catch }

/** The HTTP client. */
export * as HttpClient from "effect/http/HttpClient"

/** The HTTP client's errors. */
export * as HttpClientError from "effect/http/HttpClientError"

/** A request of the HTTP client. */
export * as HttpClientRequest from "effect/http/HttpClientRequest"

/** An answer of the HTTP client. */
export type * as HttpClientResponse from "effect/http/HttpClientResponse"

/** A request's method. */
export type * as HttpMethod from "effect/http/HttpMethod"

/** The service of `tag` from the context. */
export const service = Effect.service

/** A schema of one of `literals`. */
export const schemaLiterals = Schema.Literals

/** A schema of any of `members`. */
export const schemaUnion = Schema.Union

/** A struct field whose key may be absent. */
export const schemaOptionalKey: typeof Schema.optionalKey = Schema.optionalKey

/** A schema of records from `key` to `value`. */
export const schemaRecord = Schema.Record

/** A tagged error class of schema `fields`, named by its tag (`String(error)` reads `NetworkError: …`). */
export const schemaTaggedError = Schema.TaggedError

/** `clock`'s monotonic time in nanoseconds. */
export const clockMonotonicTimeNanosUnsafe = (clock: Clock.Clock): bigint => clock.monotonicTimeNanosUnsafe()

/** The wall clock's time in nanoseconds, read outside an effect. */
export const clockCurrentTimeNanosUnsafe = (clock: Clock.Clock): bigint => clock.currentTimeNanosUnsafe()

/** An effect that waits for a callback to resume it. */
export const callback = Effect.callback

/** An exit that is an interruption, by no fiber. */
export const exitInterrupt = (): Exit.Exit<never> => Exit.interrupt()

/** Interrupts `fiber` without waiting for it, by no fiber. */
export const fiberInterruptUnsafe = (fiber: FiberOf<unknown, unknown>): void => fiber.interruptUnsafe()

/** What a duration may be given as. */
export type DurationInput = Duration.Input

/** The defect of an argument that is not what it must be. */
export { IllegalArgumentError } from "effect/Cause"

/** A layer of the service `effect` makes, in the layer's scope. */
export const layerEffect = Layer.effect

/** The layer an effect makes, that effect run in the layer's scope. */
export const layerUnwrap = Layer.unwrap
