/**
 * The Promise API's runtime on this line (`promise.ts`, written once for both lines, puts the client together): a
 * `ManagedRuntime` holding the client's `TokenService` and its HTTP client, how a call is started in it, and how
 * `close` ends it. On Effect 4, disposing of a runtime interrupts and awaits every fiber it started.
 */
import * as Clock from "effect/Clock"
import type * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Scope from "effect/Scope"
import * as TokenService from "../TokenService.js"
import type * as TokenClient from "./tokenClient.js"

/** The services of a client's runtime: its `TokenService` and the HTTP client. */
export type Services = TokenService.TokenService | HttpClient.HttpClient

/** The default `Clock`, the service's: its monotonic time is the one the hot path compares with `refreshAt`. */
const systemClock = Clock.Clock.defaultValue()

/**
 * A client's runtime: the service `tokens` makes, on `httpClient` (default `FetchHttpClient.layer`). `close` disposes
 * of it, which interrupts and awaits every fiber it started (each call's, then the layers' own), before it closes the
 * layers.
 */
export const make = (
  tokens: Effect.Effect<TokenService.Service, never, HttpClient.HttpClient | Scope.Scope>,
  httpClient: Layer.Layer<HttpClient.HttpClient> | undefined
): TokenClient.Runtime<Services> => {
  const runtime = ManagedRuntime.make(
    Layer.provideMerge(Layer.effect(TokenService.TokenService, tokens), httpClient ?? FetchHttpClient.layer)
  )
  return {
    fork: (effect, onExit) => {
      const fiber = runtime.runFork(effect)
      fiber.addObserver(onExit)
      return () => fiber.interruptUnsafe()
    },
    close: () => runtime.dispose(),
    context: () => runtime.context(),
    nowNanos: () => systemClock.monotonicTimeNanosUnsafe()
  }
}
