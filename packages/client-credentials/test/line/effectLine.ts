/**
 * What the driver's files written once for both lines (links in the Effect 4 line's `test/line/`) take from this line
 * under one name: on Effect 3, the HTTP client of `@effect/platform`, and how an application turns trace headers off
 * (`HttpClient.withTracerPropagation(client, false)` on the client it gives).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"

export { HttpClient }

/** `effect`, whose `HttpClient` sends no trace context. */
export const withoutTracerPropagation = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | HttpClient.HttpClient> =>
  Effect.updateService(effect, HttpClient.HttpClient, (client) => HttpClient.withTracerPropagation(client, false))
