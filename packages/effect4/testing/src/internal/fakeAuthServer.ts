/**
 * The fake authorization server on Effect 4: one Node server per layer, on 127.0.0.1 and a free port, serving the
 * core's `ServerState` (the token endpoint's decision, the tokens issued, the script, the protected resource's
 * answers) through `NodeHttpServer`, and sleeping, hanging and dropping connections as a scripted answer says.
 * Handlers that wait (a hang, a delay, a dropped connection) are interruptible, so that closing the layer, which
 * first closes every connection, ends them at once.
 */
import type { AccessToken } from "@effect-oauth2/client-credentials"
import * as core from "@effect-oauth2/core/fakeAuthServer"
import type * as ScriptedAnswer from "@effect-oauth2/core/scriptedAnswer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpServer from "effect/http/HttpServer"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as FakeAuthServer from "../FakeAuthServer.js"

type ServerState = core.ServerState<Duration.Duration>

/** A token lifetime in whole seconds; a duration that is not finite, or not a duration, is a defect. */
const lifetimeSeconds = (lifetime: Duration.Input): Effect.Effect<number> =>
  Effect.suspend(() => {
    const seconds = Option.getOrUndefined(
      Option.flatMapNullishOr(
        Duration.fromInput(lifetime),
        (duration) => core.wholeSeconds(Duration.toSeconds(duration))
      )
    )
    return seconds !== undefined
      ? Effect.succeed(seconds)
      : Effect.die(new Cause.IllegalArgumentError(core.infiniteLifetimeMessage))
  })

/** The response of an answer: an empty body is sent as none, with the answer's headers as they are. */
const toResponse = (answer: ScriptedAnswer.Respond): HttpServerResponse.HttpServerResponse => {
  const options = { status: answer.status, headers: answer.headers }
  return answer.body === "" ? HttpServerResponse.empty(options) : HttpServerResponse.text(answer.body, options)
}

/**
 * The token endpoint's answers to one request with this verdict: `scripted` says which, `Normal` follows the
 * verdict.
 */
const tokenAnswers = (state: ServerState, request: HttpServerRequest.HttpServerRequest, verdict: core.Verdict) => {
  const answer = (scripted: FakeAuthServer.ScriptedResponse): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    switch (scripted._tag) {
      case "Respond":
        return Effect.succeed(toResponse(scripted))
      case "Normal":
        return Clock.currentTimeMillis.pipe(Effect.map((now) => toResponse(state.answer(verdict, now))))
      case "Delayed":
        return Effect.sleep(scripted.delay).pipe(Effect.andThen(answer(scripted.response)))
      case "Hang":
        return Effect.never
      case "DropConnection":
        // the connection's end interrupts this fiber
        return Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()).pipe(
          Effect.andThen(Effect.never)
        )
    }
  }
  return answer
}

/** Every request: the token endpoint, the protected resource, or a 404. */
const app = (state: ServerState): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  HttpServerRequest.HttpServerRequest
> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    switch (core.endpointOf(request.url)) {
      case "token": {
        const verdict = state.receive(
          request.method,
          request.headers,
          yield* Effect.orElseSucceed(request.text, () => "")
        )
        const now = yield* Clock.currentTimeMillis
        return yield* Effect.interruptible(tokenAnswers(state, request, verdict)(state.nextAnswer(now)))
      }
      case "api": {
        state.countApiRequest()
        const body = yield* Effect.orElseSucceed(request.arrayBuffer, () => new ArrayBuffer(0))
        const now = yield* Clock.currentTimeMillis
        return toResponse(state.answerApiRequest({
          method: request.method,
          url: request.url,
          authorization: request.headers["authorization"],
          bodyLength: body.byteLength
        }, now))
      }
      case undefined:
        return HttpServerResponse.empty({ status: 404 })
    }
  })

/** @internal */
export const make = (
  options: FakeAuthServer.Options
): Effect.Effect<FakeAuthServer.Service, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const state: ServerState = new core.ServerState(
      core.endpointRules(options),
      yield* lifetimeSeconds(options.tokenLifetime ?? Duration.hours(1))
    )
    const nodeServer = Http.createServer()
    // the host is mandatory: without it Node listens on every interface
    const server = yield* NodeHttpServer.make(() => nodeServer, { port: 0, host: "127.0.0.1" })
    yield* server.serve(app(state))
    // added last, so it runs first: a hung or delayed request, or a client that keeps its connection, would
    // otherwise hold the server open
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    // an IPv4 address, as bound above
    const origin = HttpServer.formatAddress(server.address)
    return {
      tokenUrl: `${origin}/oauth/token`,
      apiUrl: `${origin}/api`,
      tokenRequests: Effect.sync(() => state.tokenRequests()),
      apiRequests: Effect.sync(() => state.apiRequestCount()),
      setTokenLifetime: (lifetime) =>
        Effect.map(lifetimeSeconds(lifetime), (seconds) => state.setLifetimeSeconds(seconds)),
      revoke: (token: string | AccessToken.AccessToken) =>
        Effect.sync(() => state.revoke(typeof token === "string" ? token : Redacted.value(token.value))),
      script: (...responses) => Effect.sync(() => state.appendScript(responses)),
      setFaults: (mode) => Effect.sync(() => state.setFaults(mode)),
      faults: Effect.sync(() => state.faultRecords()),
      issuedTokens: Effect.sync(() => state.issueRecords())
    }
  })
