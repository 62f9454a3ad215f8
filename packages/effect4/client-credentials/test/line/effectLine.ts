/**
 * The Effect functions and modules the test drivers use whose names differ between Effect 3 and Effect 4, under
 * Effect 4's names. The driver modules written once for both lines (`network.ts`, `printings.ts`, `servers.ts`, `telemetry.ts`,
 * linked from the Effect 3 package, see `docs/development.md`) call these; the Effect 3 line's
 * `test/line/effectLine.ts` gives the same names from Effect 3.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { type FiberOf, HttpClient } from "../../src/internal/effectLine.js"

/** What the library's `effectLine.ts` already gives, under the same names. */
export { causeFindErrorOption, dateTimeMakeUnsafe, type FiberOf, service } from "../../src/internal/effectLine.js"

/** The HTTP client's modules: `effect/http`'s. */
export { HttpClient }
export * as HttpClientRequest from "effect/http/HttpClientRequest"
export * as HttpClientResponse from "effect/http/HttpClientResponse"

/** The `HttpClient` on the platform's `fetch`. */
export * as FetchHttpClient from "effect/http/FetchHttpClient"

/** The `HttpClient` on Node's `http` module. */
export const nodeHttpClientLayerNodeHttp = NodeHttpClient.layerNodeHttp

/** The fiber's exit if it has ended. */
export const fiberPollUnsafe = <A, E>(fiber: FiberOf<A, E>) => fiber.pollUnsafe()

/** A child scope of `scope` that closes its finalizers one after the other. */
export const scopeForkSequential = (scope: Scope.Scope) => Scope.fork(scope, "sequential")

/** Runs a scoped effect in `scope`, which it does not close. */
export const scopeProvide = Scope.provide

/** The first defect of a cause. */
export const causeDefectOption = (cause: Cause.Cause<unknown>): Option.Option<unknown> =>
  Result.getSuccess(Cause.findDefect(cause))

/** A schedule that goes on while both do, waiting the longer delay. */
export const scheduleMax = (
  schedules: readonly [Schedule.Schedule<unknown>, Schedule.Schedule<unknown>]
): Schedule.Schedule<unknown> => Schedule.max(schedules)

/** The client's error for a connection that failed: an `HttpClientError` whose reason is a `TransportError`. */
export const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })

/** `effect`, whose `HttpClient` sends no trace context (`HttpClient.TracerPropagationEnabled` set to `false`). */
export const withoutTracerPropagation = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | HttpClient.HttpClient> =>
  Effect.provideService(effect, HttpClient.TracerPropagationEnabled, false)
