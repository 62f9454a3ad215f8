/**
 * The fake authorization server on Effect 3: serves the core's `ServerState` (the token endpoint's decision, the
 * tokens issued, the script, the protected resource's answers) over `@effect/platform`'s router, and sleeps, hangs
 * and drops connections as a scripted answer says. `make` serves it and returns the controls.
 */
import type { AccessToken } from "@effect-oauth2/client-credentials"
import * as core from "@effect-oauth2/core/fakeAuthServer"
import type * as ScriptedAnswer from "@effect-oauth2/core/scriptedAnswer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import type { Socket } from "node:net"
import type * as FakeAuthServer from "../FakeAuthServer.js"

type ServerState = core.ServerState<Duration.Duration>

/** A token lifetime in whole seconds; a duration that is not finite is a defect. */
const lifetimeSecondsOrDie = (lifetime: Duration.DurationInput): Effect.Effect<number> =>
  Effect.suspend(() => {
    const duration = Duration.decodeUnknown(lifetime)
    const seconds = Option.isNone(duration) ? undefined : core.wholeSeconds(Duration.toSeconds(duration.value))
    return seconds === undefined
      ? Effect.die(new Cause.IllegalArgumentException(core.infiniteLifetimeMessage))
      : Effect.succeed(seconds)
  })

/** An answer as the server sends it: an empty body stays empty, any other is text with its `content-type`. */
const serverResponse = (answer: ScriptedAnswer.Respond): HttpServerResponse.HttpServerResponse => {
  const { "content-type": contentType, ...headers } = answer.headers
  return answer.body === ""
    ? HttpServerResponse.empty({ status: answer.status, headers: answer.headers })
    : HttpServerResponse.text(answer.body, { status: answer.status, headers, contentType })
}

/** The connection a request came on. */
const socketOf = (request: HttpServerRequest.HttpServerRequest): Socket =>
  NodeHttpServerRequest.toIncomingMessage(request).socket

/** The token endpoint's answer to `request`: as `response` scripts it, the normal one following `verdict`. */
const answerTokenRequest = (
  state: ServerState,
  request: HttpServerRequest.HttpServerRequest,
  response: FakeAuthServer.ScriptedResponse,
  verdict: core.Verdict
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  switch (response._tag) {
    case "Normal":
      return Effect.map(Clock.currentTimeMillis, (now) => serverResponse(state.answer(verdict, now)))
    case "Respond":
      return Effect.succeed(serverResponse(response))
    case "Hang":
      return Effect.never
    case "DropConnection":
      // closing the response interrupts this fiber
      return Effect.zipRight(Effect.sync(() => socketOf(request).destroy()), Effect.never)
    case "Delayed":
      return Effect.zipRight(
        Effect.sleep(response.delay),
        answerTokenRequest(state, request, response.response, verdict)
      )
  }
}

/** The token endpoint: every request is decided and recorded, then answered as the script says. */
const tokenEndpoint = (state: ServerState) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.orElseSucceed(request.text, () => "")
    const verdict = state.receive(request.method, request.headers, body)
    const now = yield* Clock.currentTimeMillis
    return yield* answerTokenRequest(state, request, state.nextAnswer(now), verdict)
  })

/** The protected resource: any path under `/api`, any method, for a live token this server issued. */
const protectedResource = (state: ServerState) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    state.countApiRequest()
    const bodyLength = yield* request.arrayBuffer.pipe(
      Effect.map((body) => body.byteLength),
      Effect.orElseSucceed(() => 0)
    )
    const now = yield* Clock.currentTimeMillis
    return serverResponse(state.answerApiRequest({
      method: request.method,
      url: request.url,
      authorization: request.headers["authorization"],
      bodyLength
    }, now))
  })

/** `http://host:port` of the running server; a defect when it does not listen on TCP. */
const listeningOrigin: Effect.Effect<string, never, HttpServer.HttpServer> = Effect.flatMap(
  HttpServer.HttpServer,
  (server) =>
    server.address._tag !== "TcpAddress"
      ? Effect.dieMessage("FakeAuthServer: the server is not listening on TCP")
      : Effect.succeed(`http://${server.address.hostname}:${server.address.port}`)
)

/** The controls and observations of a server at `origin` with this state. */
const serviceOf = (state: ServerState, origin: string): FakeAuthServer.Service => ({
  tokenUrl: `${origin}/oauth/token`,
  apiUrl: `${origin}/api`,
  tokenRequests: Effect.sync(() => state.tokenRequests()),
  apiRequests: Effect.sync(() => state.apiRequestCount()),
  setTokenLifetime: (lifetime) =>
    Effect.map(lifetimeSecondsOrDie(lifetime), (seconds) => {
      state.setLifetimeSeconds(seconds)
    }),
  revoke: (token: string | AccessToken.AccessToken) =>
    Effect.sync(() => {
      state.revoke(typeof token === "string" ? token : Redacted.value(token.value))
    }),
  script: (...responses) =>
    Effect.sync(() => {
      state.appendScript(responses)
    }),
  setFaults: (mode) =>
    Effect.sync(() => {
      state.setFaults(mode)
    }),
  faults: Effect.sync(() => state.faultRecords()),
  issuedTokens: Effect.sync(() => state.issueRecords())
})

/** @internal */
export const make = (
  options: FakeAuthServer.Options,
  nodeServer: Http.Server
): Effect.Effect<FakeAuthServer.Service, never, HttpServer.HttpServer | Scope.Scope> =>
  Effect.gen(function*() {
    const state: ServerState = new core.ServerState(
      core.endpointRules(options),
      yield* lifetimeSecondsOrDie(options.tokenLifetime ?? Duration.hours(1))
    )
    const resource = protectedResource(state)
    const router = HttpRouter.empty.pipe(
      HttpRouter.all("/oauth/token", tokenEndpoint(state)),
      HttpRouter.all("/api", resource),
      HttpRouter.all("/api/*", resource)
    )
    yield* HttpServer.serveEffect(router)
    // runs before the server closes (finalizers run in reverse): a hung or delayed request, or a client that
    // keeps its connection, would otherwise keep the server open
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    return serviceOf(state, yield* listeningOrigin)
  })
