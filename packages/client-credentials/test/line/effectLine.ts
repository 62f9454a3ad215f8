/**
 * The Effect functions and modules the test drivers use whose names differ between Effect 3 and Effect 4, under
 * Effect 4's names, as Effect 3 gives them. The driver modules written once for both lines (`network.ts`,
 * `printings.ts`, `servers.ts`, `telemetry.ts`, linked into the Effect 4 package, see `docs/development.md`) call these; the
 * Effect 4 line's `test/line/effectLine.ts` gives the same names from Effect 4.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import type * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import { type FiberOf, HttpClient } from "../../src/internal/effectLine.js"

/** What the library's `effectLine.ts` already gives, under the same names. */
export { causeFindErrorOption, dateTimeMakeUnsafe, type FiberOf, service } from "../../src/internal/effectLine.js"

/** The HTTP client's modules: `@effect/platform`'s. */
export { HttpClient }
export * as HttpClientRequest from "@effect/platform/HttpClientRequest"
export * as HttpClientResponse from "@effect/platform/HttpClientResponse"

/** The `HttpClient` on the platform's `fetch`: `@effect/platform`'s. */
export * as FetchHttpClient from "@effect/platform/FetchHttpClient"

/** The `HttpClient` on Node's `http` module: Effect 3's `NodeHttpClient.layer`. */
export const nodeHttpClientLayerNodeHttp = NodeHttpClient.layer

/** The fiber's exit if it has ended: Effect 3's `fiber.unsafePoll()`. */
export const fiberPollUnsafe = <A, E>(fiber: FiberOf<A, E>) => fiber.unsafePoll() ?? undefined

/** A child scope of `scope` that closes its finalizers one after the other. */
export const scopeForkSequential = (scope: Scope.Scope) => Scope.fork(scope, ExecutionStrategy.sequential)

/** Runs a scoped effect in `scope`, which it does not close: Effect 3's `Scope.extend`. */
export const scopeProvide = Scope.extend

/** The first defect of a cause: Effect 3's `Cause.dieOption`. */
export const causeDefectOption: (cause: Cause.Cause<unknown>) => Option.Option<unknown> = Cause.dieOption

/** A schedule that goes on while both do, waiting the longer delay: Effect 3's `Schedule.intersect`. */
export const scheduleMax = (
  [self, that]: readonly [Schedule.Schedule<unknown>, Schedule.Schedule<unknown>]
): Schedule.Schedule<unknown> => Schedule.intersect(self, that)

/** The client's error for a connection that failed: a `RequestError` with reason `Transport`. */
export const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Transport", cause })

/**
 * `effect`, whose `HttpClient` sends no trace context: on Effect 3 as an application turns trace headers off,
 * `HttpClient.withTracerPropagation(client, false)` on the client it gives.
 */
export const withoutTracerPropagation = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | HttpClient.HttpClient> =>
  Effect.updateService(effect, HttpClient.HttpClient, (client) => HttpClient.withTracerPropagation(client, false))
