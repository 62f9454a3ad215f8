/**
 * The Effect functions and types whose names differ between Effect 3 and Effect 4, under Effect 4's names, as Effect 3
 * gives them. The modules written once for both lines (linked into the Effect 4 package, see
 * `docs/development.md`) call these; the Effect 4 line's `effectLine.ts` gives the same names from Effect 4.
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { dual, type LazyArg } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import type { LiteralValue, Members } from "effect/SchemaAST"
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

/** The HTTP client: `@effect/platform`'s `HttpClient` on Effect 3. */
export * as HttpClient from "@effect/platform/HttpClient"

/** The HTTP client's errors: `@effect/platform`'s `HttpClientError` on Effect 3. */
export * as HttpClientError from "@effect/platform/HttpClientError"

/** A request of the HTTP client. */
export * as HttpClientRequest from "@effect/platform/HttpClientRequest"

/** An answer of the HTTP client. */
export type * as HttpClientResponse from "@effect/platform/HttpClientResponse"

/** A request's method. */
export type * as HttpMethod from "@effect/platform/HttpMethod"

/** The service of `tag` from the context: on Effect 3 a tag is that effect. */
export const service = <I, S>(tag: Context.Tag<I, S>): Effect.Effect<S, never, I> => tag

/** A schema of one of `literals`: Effect 3's `Schema.Literal(...literals)`. */
export const schemaLiterals = <L extends NonEmptyReadonlyArray<LiteralValue>>(
  literals: readonly [...L]
): Schema.Literal<L> => Schema.Literal<L>(...literals)

/** A schema of any of `members`: Effect 3's `Schema.Union(...members)`. */
export const schemaUnion = <M extends Members<Schema.Schema.All>>(members: readonly [...M]): Schema.Union<M> =>
  Schema.Union(...members)

/** A struct field whose key may be absent: Effect 3's `Schema.optional`. */
export const schemaOptionalKey = Schema.optional

/** A schema of records from `key` to `value`: Effect 3's `Schema.Record({ key, value })`. */
export const schemaRecord = <K extends Schema.Schema.All, V extends Schema.Schema.All>(
  key: K,
  value: V
): Schema.Record$<K, V> => Schema.Record({ key, value })

/** The class `schemaTaggedError` makes. */
type TaggedErrorClass<Self, Tag extends string, Fields extends Schema.Struct.Fields> = Schema.TaggedErrorClass<
  Self,
  Tag,
  { readonly _tag: Schema.tag<Tag> } & Fields
>

/**
 * A tagged error class of schema `fields`: Effect 3's `Schema.TaggedError`, whose schema is named
 * `@effect-oauth2/client-credentials/<tag>` (on Effect 4 it is named by its tag).
 */
export const schemaTaggedError = <Self>() =>
<Tag extends string, Fields extends Schema.Struct.Fields>(
  tag: Tag,
  fields: Fields
): TaggedErrorClass<Self, Tag, Fields> =>
  // Effect 3's check that `Self` is given, a conditional type, is not resolved while `Self` is open: each class that
  // calls this gives it
  Schema.TaggedError<Self>(`@effect-oauth2/client-credentials/${tag}`)(tag, fields) as unknown as TaggedErrorClass<
    Self,
    Tag,
    Fields
  >

/** `clock`'s monotonic time in nanoseconds: Effect 3's `unsafeCurrentTimeNanos`. */
export const clockMonotonicTimeNanosUnsafe = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/**
 * The wall clock's time in nanoseconds, read outside an effect: Effect 3's `clock.unsafeCurrentTimeNanos()` (which,
 * unlike its `currentTimeNanos`, holds on a `TestClock` whose time is a fraction of a millisecond).
 */
export const clockCurrentTimeNanosUnsafe = (clock: Clock.Clock): bigint => clock.unsafeCurrentTimeNanos()

/** An effect that waits for a callback to resume it: Effect 3's `Effect.async`. */
export const callback = Effect.async

/** An exit that is an interruption, by no fiber: Effect 3's `Exit.interrupt(FiberId.none)`. */
export const exitInterrupt = (): Exit.Exit<never> => Exit.interrupt(FiberId.none)

/** Interrupts `fiber` without waiting for it, by no fiber: Effect 3's `unsafeInterruptAsFork(FiberId.none)`. */
export const fiberInterruptUnsafe = (fiber: FiberOf<unknown, unknown>): void =>
  fiber.unsafeInterruptAsFork(FiberId.none)

/** What a duration may be given as: Effect 3's `Duration.DurationInput`. */
export type DurationInput = Duration.DurationInput

/** The defect of an argument that is not what it must be: Effect 3's `Cause.IllegalArgumentException`. */
export { IllegalArgumentException as IllegalArgumentError } from "effect/Cause"

/** A layer of the service `effect` makes, in the layer's scope: Effect 3's `Layer.scoped`. */
export const layerEffect = Layer.scoped

/** The layer an effect makes, that effect run in the layer's scope: Effect 3's `Layer.unwrapScoped`. */
export const layerUnwrap = Layer.unwrapScoped
