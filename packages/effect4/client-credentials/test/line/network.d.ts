/**
 * The Effect 4 line's networks (`Line.Network`): the services, fixed tokens and `AuthorizedClient`s built on one
 * runtime, and the scripted endpoint every request of a `Line.Scripted` goes to.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as Driver from "@effect-oauth2/suites/Driver"
import type * as Line from "@effect-oauth2/suites/Line"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as Scope from "effect/Scope"
/** How a network runs its effects: on its runtime, with what its calls need around them. */
export interface Runner {
  readonly run: <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient | Scope.Scope>) => Promise<Exit.Exit<A, E>>
  readonly fork: <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) => Fiber.Fiber<A, E>
  /** Lets every fiber run until it waits. */
  readonly settle: () => Promise<void>
  readonly logs: Array<Line.LogLine>
  readonly dispose: () => Promise<void>
}
/** `Line.ServiceOptions` as `TokenService.Options`: millis as durations, secrets as `Redacted`, retry as a schedule. */
export declare const serviceOptions: (options: Line.ServiceOptions) => TokenService.Options
/** A call of `effect` on `runner`, its outcome as plain data. */
export declare const call: <A, E, B>(
  runner: Runner,
  effect: Effect.Effect<A, E, HttpClient.HttpClient>,
  data: (value: A) => B
) => Line.Call<B>
/** The line's network over `runner`: services and clients on the `HttpClient` the runner provides. */
export declare const make: (runner: Runner) => Line.Network
/** The scripted endpoint of a `Line.Scripted`: the client every request goes to, and its state. */
export interface Endpoint {
  readonly client: HttpClient.HttpClient
  readonly state: Driver.Endpoint
}
export declare const endpoint: (fallback: Line.Script | undefined) => Endpoint
// # sourceMappingURL=network.d.ts.map
