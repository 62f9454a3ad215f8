/**
 * The Effect functions and modules the bench's calls (`effectCalls.ts`, written once for both lines and linked from
 * `bench/`) use whose names differ between Effect 3 and Effect 4, under Effect 4's names. The Effect 3 line's
 * `bench/effectLine.ts` gives the same names from Effect 3.
 */
import * as Cache from "effect/Cache"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"

/** The HTTP client's modules: `effect/http`'s. */
export * as FetchHttpClient from "effect/http/FetchHttpClient"
export * as HttpClient from "effect/http/HttpClient"
export * as HttpClientRequest from "effect/http/HttpClientRequest"
export * as HttpClientResponse from "effect/http/HttpClientResponse"

/** The service of `key`, as an effect. */
export const service = Effect.service

/** A `Deferred` made outside any fiber. */
export const deferredMakeUnsafe = <A>(): Deferred.Deferred<A> => Deferred.makeUnsafe<A>()

/** Completes a `Deferred` from outside any fiber. */
export const deferredDoneUnsafe = <A>(self: Deferred.Deferred<A>, effect: Effect.Effect<A>): void => {
  Deferred.doneUnsafe(self, effect)
}

/** The value of `key` in `cache`. */
export const cacheGet = <K, A, E>(cache: Cache.Cache<K, A, E>, key: K): Effect.Effect<A, E> => Cache.get(cache, key)
