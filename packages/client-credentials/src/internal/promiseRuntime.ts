/**
 * The Promise API's runtime on this line (`promise.ts`, written once for both lines, puts the client together): a
 * `ManagedRuntime` holding the client's `TokenService` and its HTTP client, how a call is started in it, and how
 * `close` ends it. On Effect 3, disposing of a runtime does not interrupt the fibers it started: `close` interrupts
 * the calls still running first.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import type * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Scope from "effect/Scope"
import * as TokenService from "../TokenService.js"
import type * as TokenClient from "./tokenClient.js"

/** The services of a client's runtime: its `TokenService` and the HTTP client. */
export type Services = TokenService.TokenService | HttpClient.HttpClient

/** The default `Clock`, the service's: its monotonic time is the one the hot path compares with `refreshAt`. */
const systemClock = Clock.make()

/**
 * A client's runtime: the service `tokens` makes, on `httpClient` (default `FetchHttpClient.layer`). `close`
 * interrupts the calls still running, then closes the runtime with the layers it built.
 */
export const make = (
  tokens: Effect.Effect<TokenService.Service, never, HttpClient.HttpClient | Scope.Scope>,
  httpClient: Layer.Layer<HttpClient.HttpClient> | undefined
): TokenClient.Runtime<Services> => {
  const runtime = ManagedRuntime.make(
    Layer.provideMerge(Layer.scoped(TokenService.TokenService, tokens), httpClient ?? FetchHttpClient.layer)
  )
  const running = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  return {
    fork: (effect, onExit) => {
      const fiber = runtime.runFork(effect)
      running.add(fiber)
      fiber.addObserver((exit) => {
        running.delete(fiber)
        onExit(exit)
      })
      return () => fiber.unsafeInterruptAsFork(fiber.id())
    },
    close: () => {
      for (const fiber of running) fiber.unsafeInterruptAsFork(fiber.id())
      return runtime.dispose()
    },
    context: () => runtime.runtime().then((built) => built.context),
    nowNanos: () => systemClock.unsafeCurrentTimeNanos()
  }
}
