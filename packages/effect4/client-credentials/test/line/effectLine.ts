/**
 * What the driver's files written once for both lines (links to the Effect 3 line's `test/line/`) take from this line
 * under one name: on Effect 4, the HTTP client of `effect/http`, and how an application turns trace headers off
 * (`HttpClient.TracerPropagationEnabled` set to `false`).
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"

export { HttpClient }

/** `effect`, whose `HttpClient` sends no trace context. */
export const withoutTracerPropagation = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | HttpClient.HttpClient> =>
  Effect.provideService(effect, HttpClient.TracerPropagationEnabled, false)
