/**
 * An in-memory `HttpClient` that answers with scripted responses and records every request: for tests of retries,
 * timeouts and wire formats that run on `TestClock`, with no socket.
 *
 * @since 0.1.0
 */
import * as core from "@effect-oauth2/core/mockHttpClient"
import * as ScriptedAnswer from "@effect-oauth2/core/scriptedAnswer"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/mockHttpClient.js"

/**
 * An answer with a status, headers and a body.
 *
 * @since 0.1.0
 * @category models
 */
export interface Respond extends ScriptedAnswer.Respond {}

/**
 * A 200 token response (RFC 6749 §5.1) with a fresh random `access_token` each time it is served:
 * `{ access_token, token_type: "Bearer", expires_in: 3600 }` with `fields` merged over it (a field set to
 * `undefined` is left out).
 *
 * @since 0.1.0
 * @category models
 */
export interface Token extends core.Token {}

/**
 * No answer, ever. The request can be interrupted, e.g. by a timeout.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hang extends core.Hang {}

/**
 * A failure to send: the client fails with a platform `RequestError` of reason `"Transport"`, as when a
 * connection is refused or reset.
 *
 * @since 0.1.0
 * @category models
 */
export interface TransportError extends core.TransportError {}

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
 * A request as the client received it: its method; its full URL, query string included; its headers, lower-cased,
 * plus the `content-type` and `content-length` the body would put on the wire when the request does not set them
 * itself; its body as text (UTF-8): URL params as sent (`a=1&b=2`), bytes and text as they are, form data in its
 * multipart encoding, a stream read to its end, `""` when there is none.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest extends core.RecordedRequest {}

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
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** How many scripted responses are still to be used. */
  readonly remaining: Effect.Effect<number>
}

/**
 * The mock client's controls, as provided by `MockHttpClient.layer` with the `HttpClient` itself.
 *
 * @since 0.1.0
 * @category tags
 */
export class MockHttpClient extends Context.Tag("@effect-oauth2/testing/MockHttpClient")<MockHttpClient, Service>() {}

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
 * Any status with any body, e.g. `text(503, "busy", { "retry-after": "2" })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text: (status: number, body: string, headers?: Readonly<Record<string, string>>) => Respond =
  ScriptedAnswer.text

/**
 * Any status with a JSON body, e.g. `json(200, { access_token: "abc", token_type: "bearer", expires_in: "3600" })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json: (status: number, body: unknown, headers?: Readonly<Record<string, string>>) => Respond =
  ScriptedAnswer.json

/**
 * A 200 token response with a fresh random token each time it is served; `fields` replace or add fields, a
 * field set to `undefined` is left out, e.g. `token({ expires_in: undefined, scope: "read write" })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const token: (fields?: Readonly<Record<string, unknown>>) => Token = core.token

/**
 * An RFC 6749 §5.2 error response: `{ error, error_description? }`, status 400 unless told.
 *
 * @since 0.1.0
 * @category constructors
 */
export const oauthError: (error: string, description?: string, status?: number) => Respond = core.oauthError

/**
 * A redirect to `location`, status 302 unless told. The mock client never follows it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const redirect: (location: string, status?: number) => Respond = ScriptedAnswer.redirect

/**
 * No answer, ever; interruptible.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hang: Hang = core.hang

/**
 * The request fails with a platform `RequestError` of reason `"Transport"` (its cause an `ECONNRESET` error).
 *
 * @since 0.1.0
 * @category constructors
 */
export const transportError: TransportError = core.transportError

/**
 * `response` after `delay`, waited on Effect's `Clock`: `TestClock` time in `it.effect`, real time in `it.live`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const delayed = (delay: Duration.DurationInput, response: MockResponse = token()): Delayed => ({
  _tag: "Delayed",
  delay: Duration.decode(delay),
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
  Layer.effectContext(
    Effect.map(
      internal.make(options),
      (service) => Context.make(HttpClient.HttpClient, service.client).pipe(Context.add(MockHttpClient, service))
    )
  )
