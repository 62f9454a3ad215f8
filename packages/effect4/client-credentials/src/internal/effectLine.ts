/**
 * The few Effect functions whose names differ between Effect 3 and Effect 4, under Effect 4's names. The modules
 * written once for both lines (linked from the Effect 3 package, see `docs/development.md`) call these; the Effect 3
 * line's `effectLine.ts` gives the same names from Effect 3.
 */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Result from "effect/Result"

/** Recovers from a defect. */
export const catchDefect = Effect.catchDefect

/** A success or a failure, as a value. */
export type { Result } from "effect/Result"
/** A successful `Result`. */
export const resultSucceed = Result.succeed
/** A failed `Result`. */
export const resultFail = Result.fail
/** The effect that succeeds or fails as `result` says. */
export const fromResult = Effect.fromResult

/** Runs `orElse` instead when the effect takes longer than `duration`. */
export const timeoutOrElse = Effect.timeoutOrElse

/** A `DateTime` of `input`, throwing when it is no date. */
export const dateTimeMakeUnsafe = DateTime.makeUnsafe

/** Whether an exit's cause holds an interruption. */
export const exitHasInterrupts = Exit.hasInterrupts

/** A running fiber, as `withFiber` gives it. */
export type FiberOf<A, E> = Fiber.Fiber<A, E>

/** Runs what the current fiber gives. */
export const withFiber = Effect.withFiber

/** Recovers from any failure. */
const catch_ = Effect.catch
export { catch_ as catch }

/** The HTTP client's service. */
export type { HttpClient } from "effect/http/HttpClient"
/** What the HTTP client fails with. */
export type { HttpClientError } from "effect/http/HttpClientError"
/** A request of the HTTP client. */
export type { HttpClientRequest } from "effect/http/HttpClientRequest"
/** An answer of the HTTP client. */
export type { HttpClientResponse } from "effect/http/HttpClientResponse"
