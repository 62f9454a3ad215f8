/**
 * A real OAuth 2.0 client-credentials authorization server over HTTP on 127.0.0.1, with a protected resource, for
 * tests and demos: it checks client authentication as RFC 6749 §2.3.1 says, issues random opaque tokens whose
 * expiry follows Effect's `Clock`, and answers scripted faults on demand.
 *
 * @since 0.1.0
 */
import type { AccessToken } from "@effect-oauth2/client-credentials"
import * as core from "@effect-oauth2/core/fakeAuthServer"
import type * as ScriptedAnswer from "@effect-oauth2/core/scriptedAnswer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:http"
import * as internal from "./internal/fakeAuthServer.js"

/**
 * A registered client and its secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client extends core.Client {}

/**
 * The client registered when `Options.clients` is not given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultClient: Client = core.defaultClient

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
export interface Options extends core.Options<Duration.DurationInput> {}

/**
 * One request to the token endpoint, as it arrived: its method, its headers lower-cased (`authorization` included,
 * in clear: this is a test server), its form parameters in order (repeated ones included), and the client that
 * authenticated and how (`undefined` when authentication failed or did not happen).
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenRequestRecord extends core.TokenRequestRecord {}

/**
 * An answer from the server, body and headers as given.
 *
 * @since 0.1.0
 * @category models
 */
export interface Respond extends ScriptedAnswer.Respond {}

/**
 * The server's normal answer: authenticate the client and issue a token, or refuse.
 *
 * @since 0.1.0
 * @category models
 */
export interface Normal extends core.Normal {}

/**
 * No answer, ever. Closing the layer destroys the connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hang extends core.Hang {}

/**
 * The connection is destroyed without an answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface DropConnection extends core.DropConnection {}

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
  readonly tokenRequests: Effect.Effect<ReadonlyArray<TokenRequestRecord>>
  /** How many requests reached the protected resource, refused ones included. */
  readonly apiRequests: Effect.Effect<number>
  /** The lifetime of the tokens issued from now on (whole seconds, at least 1). */
  readonly setTokenLifetime: (lifetime: Duration.DurationInput) => Effect.Effect<void>
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
export class FakeAuthServer extends Context.Tag("@effect-oauth2/testing/FakeAuthServer")<FakeAuthServer, Service>() {}

/**
 * Any status with any body, e.g. `respond(503, "busy")` or `respond(200, "<html>…", { "content-type": "text/html" })`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const respond: (status: number, body?: string, headers?: Readonly<Record<string, string>>) => Respond =
  core.respond

/**
 * Any status with a JSON body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json: (status: number, body: unknown, headers?: Readonly<Record<string, string>>) => Respond = core.json

/**
 * An RFC 6749 §5.2 error response `{ error, error_description? }`, status 400 unless told.
 *
 * @since 0.1.0
 * @category constructors
 */
export const oauthError: (error: string, description?: string, status?: number) => Respond = core.oauthError

/**
 * 429 Too Many Requests with `Retry-After`: a number of seconds, or an HTTP date as a string.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rateLimited: (retryAfter?: number | string) => Respond = core.rateLimited

/**
 * A 200 whose JSON body is cut short.
 *
 * @since 0.1.0
 * @category constructors
 */
export const malformedJson: Respond = core.malformedJson

/**
 * An HTML page with status 200 unless told, as a login page or a proxy's error page would be.
 *
 * @since 0.1.0
 * @category constructors
 */
export const html: (status?: number) => Respond = core.html

/**
 * A redirect to `location`, status 302 unless told.
 *
 * @since 0.1.0
 * @category constructors
 */
export const redirect: (location: string, status?: number) => Respond = core.redirect

/**
 * The server's normal answer; to place between other scripted ones.
 *
 * @since 0.1.0
 * @category constructors
 */
export const normal: Normal = core.normal

/**
 * The request is read and never answered. The connection is destroyed when the layer closes, so nothing keeps
 * the process alive.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hang: Hang = core.hang

/**
 * The server destroys the connection without answering: the client sees a reset or "other side closed".
 *
 * @since 0.1.0
 * @category constructors
 */
export const dropConnection: DropConnection = core.dropConnection

/**
 * `response` (default the normal answer) after `delay`. The delay is an `Effect.sleep` on the `Clock` of the fiber
 * that built the layer: real time when the layer is built in `it.live` or a program, **`TestClock` time** when it
 * is built in `it.effect`/`it.scoped`/`layer(...)`; then it only passes on `TestClock.adjust`, and only once the
 * request has arrived (wait for `TestClock.sleeps` to be non-empty before adjusting).
 *
 * @since 0.1.0
 * @category constructors
 */
export const delayed = (delay: Duration.DurationInput, response: ScriptedResponse = normal): Delayed => ({
  _tag: "Delayed",
  delay: Duration.decode(delay),
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
  Layer.unwrapEffect(Effect.sync(() => {
    // one Node server per build of the layer, so that closing it can end that server's connections
    const server = createServer()
    return Layer.scoped(FakeAuthServer, internal.make(options, server)).pipe(
      // the host is mandatory: without it Node listens on every interface
      Layer.provide(NodeHttpServer.layer(() => server, { port: 0, host: "127.0.0.1" }))
    )
  }))
