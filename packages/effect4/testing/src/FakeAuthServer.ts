/**
 * A real client-credentials authorization server with a protected resource, on 127.0.0.1, for tests and demos:
 * RFC 6749 client authentication and token responses, RFC 6750 answers, scripted faults, and the requests it saw.
 * Everything it decides is `@effect-oauth2/core/fakeAuthServer`; this module serves it on Effect 4.
 *
 * @since 0.1.0
 */
import type { AccessToken } from "@effect-oauth2/client-credentials"
import * as core from "@effect-oauth2/core/fakeAuthServer"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as Layer from "effect/Layer"
import * as internal from "./internal/fakeAuthServer.js"

// what needs no Effect, as `@effect-oauth2/core/fakeAuthServer` defines and documents it
export {
  type Client,
  defaultClient,
  type DropConnection,
  dropConnection,
  type Hang,
  hang,
  html,
  json,
  malformedJson,
  type Normal,
  normal,
  oauthError,
  rateLimited,
  redirect,
  respond,
  type TokenRequestRecord
} from "@effect-oauth2/core/fakeAuthServer"
export type { Respond } from "@effect-oauth2/core/scriptedAnswer"

/**
 * How the fake server authenticates clients and issues tokens:
 * - `clients`: the registered clients. Default `[defaultClient]`.
 * - `authMethod`: accept only this client authentication method. Default: both `client_secret_basic` and
 *   `client_secret_post`.
 * - `tokenLifetime`: the lifetime of the tokens issued, in whole seconds (at least 1). Default one hour.
 * - `scopes`: the scopes a client may ask for; another one gets `invalid_scope`. Default: any scope.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends core.Options<Duration.Input> {}

/**
 * Another answer after a delay on the server's Effect `Clock`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delayed extends core.Delayed<Duration.Duration> {}

/**
 * One scripted answer of the token endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export type ScriptedResponse = core.ScriptedResponse<Duration.Duration>

/**
 * The faults fault mode answers with: `unavailable` (503), `rateLimited` (429 with `Retry-After`), `reset` (the
 * connection destroyed), `hang` (no answer), `malformed` (a 200 with JSON cut short), `html` (a 200 HTML page).
 *
 * @since 0.1.0
 * @category models
 */
export type FaultKind = core.FaultKind

/**
 * Random faults: each token request gets, with probability `rate`, a fault of one of `kinds` (default all), drawn
 * from a generator seeded with `seed`; a `rateLimited` fault says `Retry-After: retryAfterSeconds` (default 1).
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultMode extends core.FaultMode {}

/**
 * A fault injected, and when its request arrived (epoch millis).
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultRecord extends core.FaultRecord {}

/**
 * A token issued: its value, when it was issued and when it expires (epoch millis).
 *
 * @since 0.1.0
 * @category models
 */
export interface IssueRecord extends core.IssueRecord {}

/**
 * Every fault kind.
 *
 * @since 0.1.0
 * @category constructors
 */
export const faultKinds: ReadonlyArray<FaultKind> = core.faultKinds

/**
 * Controls and observes a running fake server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://127.0.0.1:PORT/oauth/token`. */
  readonly tokenUrl: string
  /** `http://127.0.0.1:PORT/api`: any path below it, any method, is the protected resource. */
  readonly apiUrl: string
  /** Every request to the token endpoint, in order, scripted ones included. */
  readonly tokenRequests: Effect.Effect<ReadonlyArray<core.TokenRequestRecord>>
  /** How many requests reached the protected resource, refused ones included. */
  readonly apiRequests: Effect.Effect<number>
  /** The lifetime of the tokens issued from now on (whole seconds, at least 1). */
  readonly setTokenLifetime: (lifetime: Duration.Input) => Effect.Effect<void>
  /** Revokes a token this server issued: the protected resource refuses it from now on. Others are ignored. */
  readonly revoke: (token: string | AccessToken.AccessToken) => Effect.Effect<void>
  /**
   * Appends answers for the next token requests, one each, in order; after them the server answers normally.
   * Every request is still recorded in `tokenRequests`.
   */
  readonly script: (...responses: ReadonlyArray<ScriptedResponse>) => Effect.Effect<void>
  /**
   * Switches fault mode on: each token request no scripted answer is waiting for gets, with probability `rate`, a
   * fault of one of `kinds` (503, 429 with `Retry-After`, a reset, a hang, a malformed or an HTML body), drawn from a
   * generator seeded with `seed`. `undefined` switches it off.
   */
  readonly setFaults: (mode: FaultMode | undefined) => Effect.Effect<void>
  /** Every fault injected in fault mode, in order, with the time its request arrived. */
  readonly faults: Effect.Effect<ReadonlyArray<FaultRecord>>
  /** Every token issued, in order: its value, when it was issued and when it expires (epoch millis). */
  readonly issuedTokens: Effect.Effect<ReadonlyArray<IssueRecord>>
}

/**
 * The running fake server, as provided by `FakeAuthServer.layer`.
 *
 * @since 0.1.0
 * @category tags
 */
export class FakeAuthServer
  extends Context.Service<FakeAuthServer, Service>()("@effect-oauth2/testing/FakeAuthServer")
{}

/**
 * `response` (default the normal answer) after `delay`. The delay is an `Effect.sleep` on the `Clock` of the fiber
 * that built the layer: real time when the layer is built in `it.live` or a program, **`TestClock` time** when it
 * is built in `it.effect`/`layer(...)`; then it only passes on `TestClock.adjust`, and only once the request has
 * arrived.
 *
 * @since 0.1.0
 * @category constructors
 */
export const delayed = (delay: Duration.Input, response: ScriptedResponse = core.normal): Delayed => ({
  _tag: "Delayed",
  delay: Duration.fromInputUnsafe(delay),
  response
})

/**
 * Starts the server on 127.0.0.1 with a free port, and stops it, with every connection, when the layer closes.
 *
 * Tokens expire on the `Clock` of the fiber that builds the layer: in `it.effect`, `TestClock.adjust` past a
 * token's lifetime makes the protected resource refuse it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<FakeAuthServer, HttpServerError.ServeError> =>
  Layer.effect(FakeAuthServer)(internal.make(options))
