/**
 * The Effect functions and modules the bench's calls (`effectCalls.ts`, written once for both lines) use whose
 * names differ between Effect 3 and Effect 4, under Effect 4's names, as Effect 3 gives them. The Effect 4 line's
 * `packages/effect4/bench/effectLine.ts` gives the same names from Effect 4.
 */
import type * as Cache from "effect/Cache"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"

/** The HTTP client's modules: `@effect/platform`'s. */
export * as FetchHttpClient from "@effect/platform/FetchHttpClient"
export * as HttpClient from "@effect/platform/HttpClient"
export * as HttpClientRequest from "@effect/platform/HttpClientRequest"
export * as HttpClientResponse from "@effect/platform/HttpClientResponse"

/** The service of `tag`, as an effect: on Effect 3 the tag is one. */
export const service = <I, S>(tag: Context.Tag<I, S>): Effect.Effect<S, never, I> => tag

/** A `Deferred` made outside any fiber: Effect 3's `Deferred.unsafeMake`, with no fiber as its maker. */
export const deferredMakeUnsafe = <A>(): Deferred.Deferred<A> => Deferred.unsafeMake<A>(FiberId.none)

/** Completes a `Deferred` from outside any fiber: Effect 3's `Deferred.unsafeDone`. */
export const deferredDoneUnsafe = <A>(self: Deferred.Deferred<A>, effect: Effect.Effect<A>): void =>
  Deferred.unsafeDone(self, effect)

/** The value of `key` in `cache`: Effect 3's `cache.get`. */
export const cacheGet = <K, A, E>(cache: Cache.Cache<K, A, E>, key: K): Effect.Effect<A, E> => cache.get(key)
