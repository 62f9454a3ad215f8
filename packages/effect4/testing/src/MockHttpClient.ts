/**
 * An in-memory `HttpClient` (`effect/http`) that answers with scripted responses and records every request: for
 * tests of retries, timeouts and wire formats that run on `TestClock`, with no socket. The script, the records and
 * the answers are `@effect-oauth2/core/mockHttpClient`; this module is their Effect 4 client. A `transportError`
 * fails the request with an `HttpClientError` whose reason is a `TransportError` (its cause an `ECONNRESET` error);
 * a `hang` waits until interrupted.
 *
 * @since 0.1.0
 */
import * as core from "@effect-oauth2/core/mockHttpClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as internal from "./internal/mockHttpClient.js"

// what needs no Effect, as `@effect-oauth2/core/mockHttpClient` and `@effect-oauth2/core/scriptedAnswer` define and
// document it
export {
  type Hang,
  hang,
  oauthError,
  type RecordedRequest,
  type Token,
  token,
  type TransportError,
  transportError
} from "@effect-oauth2/core/mockHttpClient"
export { json, redirect, type Respond, text } from "@effect-oauth2/core/scriptedAnswer"

/**
 * Another response, after a wait on Effect's `Clock` (so `TestClock` time in `it.effect`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Delayed extends core.Delayed<Duration.Duration> {}

/**
 * One scripted answer.
 *
 * @since 0.1.0
 * @category models
 */
export type MockResponse = core.MockResponse<Duration.Duration>

/**
 * Drives the mock client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The mock client itself (the same one the layer provides as `HttpClient.HttpClient`). */
  readonly client: HttpClient.HttpClient
  /** Appends responses to the script. Each request takes the next one; when none is left, the fallback answers. */
  readonly script: (...responses: ReadonlyArray<MockResponse>) => Effect.Effect<void>
  /** Every request received, in order, including those still waiting for their answer. */
  readonly requests: Effect.Effect<ReadonlyArray<core.RecordedRequest>>
  /** How many scripted responses are still to be used. */
  readonly remaining: Effect.Effect<number>
}

/**
 * The mock client's controls, as provided by `MockHttpClient.layer` with the `HttpClient` itself.
 *
 * @since 0.1.0
 * @category tags
 */
export class MockHttpClient
  extends Context.Service<MockHttpClient, Service>()("@effect-oauth2/testing/MockHttpClient")
{}

/**
 * What the mock answers when nothing else is scripted, and what it answers first: `fallback`, the answer when the
 * script is empty (default `token()`: a 200 token response with a random token); `script`, responses to script from
 * the start.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends core.Options<Duration.Duration> {}

/**
 * `response` after `delay`, waited on Effect's `Clock`: `TestClock` time in `it.effect`, real time in `it.live`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const delayed = (delay: Duration.Input, response: MockResponse = core.token()): Delayed => ({
  _tag: "Delayed",
  delay: Duration.fromInputUnsafe(delay),
  response
})

/**
 * Creates a mock client and its controls.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service> = internal.make

/**
 * A layer providing the mock as `HttpClient.HttpClient`, and `MockHttpClient` to script and inspect it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient | MockHttpClient> =>
  Layer.effect(HttpClient.HttpClient)(MockHttpClient.useSync((mock) => mock.client)).pipe(
    Layer.provideMerge(Layer.effect(MockHttpClient)(internal.make(options)))
  )
