/**
 * The fake authorization server over real sockets: client authentication as RFC 6749 §2.3.1 says, the token
 * responses, the scripted faults, and the protected resource's RFC 6750 answers. Specified in
 * `docs/testing.md#fakeauthserver`.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as net from "node:net"
import * as os from "node:os"
import * as Http from "./utils/http.js"

const withServer = (options?: FakeAuthServer.Options) =>
  Effect.provide(Layer.merge(FakeAuthServer.layer(options), NodeHttpClient.layerUndici))

/** A `TokenService` on the fake server, without retries, so that each call is one request. */
const tokenService = (
  tokenUrl: string,
  credentials: { readonly clientId: string; readonly clientSecret: string },
  options: Partial<TokenService.RequestOptions & TokenService.PolicyOptions & TokenService.ClientSecretCredentials> = {}
) =>
  TokenService.make({
    tokenUrl,
    clientId: credentials.clientId,
    clientSecret: Redacted.make(credentials.clientSecret),
    retry: Schedule.stop,
    ...options
  })

/** Whether a TCP connection to `host:port` opens within a second. */
const connects = (host: string, port: number) =>
  Effect.async<boolean>((resume) => {
    const socket = net.connect({ host, port, timeout: 1000 })
    const done = (result: boolean) => {
      socket.destroy()
      resume(Effect.succeed(result))
    }
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
    socket.once("timeout", () => done(false))
    return Effect.sync(() => socket.destroy())
  })

/** The TCP handles Node holds open: sockets and listening servers. */
const tcpHandles = () =>
  process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap" || name === "TCPServerWrap").length

describe("FakeAuthServer", () => {
  describe("binding", () => {
    it.live("listens on 127.0.0.1 only", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const url = new URL(server.tokenUrl)
        assert.strictEqual(url.hostname, "127.0.0.1")
        assert.strictEqual(url.pathname, "/oauth/token")
        assert.strictEqual(server.apiUrl, `http://127.0.0.1:${url.port}/api`)
        const port = Number(url.port)
        assert.isTrue(yield* connects("127.0.0.1", port))
        // bound to the IPv4 loopback address, so neither the IPv6 loopback nor any other interface answers
        assert.isFalse(yield* connects("::1", port))
        const external = Object.values(os.networkInterfaces()).flat().filter((address) =>
          address !== undefined && address.family === "IPv4" && !address.internal
        )
        for (const address of external.slice(0, 3)) {
          assert.isFalse(yield* connects(address!.address, port), `reachable on ${address!.address}`)
        }
      }).pipe(withServer()))

    it.live("closing the layer closes the server, and the connection of a hung request", () =>
      Effect.gen(function*() {
        const before = tcpHandles()
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(FakeAuthServer.layer(), scope)
        const server = Context.get(context, FakeAuthServer.FakeAuthServer)
        yield* server.script(FakeAuthServer.hang)
        // a client of its own, which nothing in the scope closes
        const port = Number(new URL(server.tokenUrl).port)
        const body = "grant_type=client_credentials"
        const socket = net.connect({ host: "127.0.0.1", port })
        const closedByServer = new Promise<void>((resolve) => socket.once("close", () => resolve()))
        socket.on("error", () => {})
        socket.write(
          `POST /oauth/token HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${
            Http.basic("test-client", "test-secret")
          }\r\n` +
            `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n${body}`
        )
        for (let i = 0; i < 200 && (yield* server.tokenRequests).length === 0; i++) yield* Http.realSleep(10)
        assert.lengthOf(yield* server.tokenRequests, 1)
        const [elapsed] = yield* Effect.timed(
          Effect.timeoutFail(Effect.disconnect(Scope.close(scope, Exit.void)), {
            duration: "3 seconds",
            onTimeout: () => "closing the layer hung"
          })
        )
        assert.isBelow(Duration.toMillis(elapsed), 1000)
        yield* Effect.promise(() => closedByServer)
        socket.destroy()
        for (let i = 0; i < 100 && tcpHandles() > before; i++) yield* Http.realSleep(10)
        assert.isAtMost(tcpHandles(), before)
        assert.isFalse(yield* connects("127.0.0.1", port))
      }))
  })

  describe("client authentication (RFC 6749 §2.3.1)", () => {
    const awkward = { clientId: "client:1 é", clientSecret: "p:a%2Fs+s wörd é%" }

    it.effect("issues a token for a Basic secret with ':', '%', '+' and 'é', form-urlencoded before Base64", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const service = yield* tokenService(server.tokenUrl, awkward, { scopes: ["read", "write"] })
        const token = yield* service.get
        assert.strictEqual(token.tokenType, "Bearer")
        assert.deepStrictEqual(token.scopes, ["read", "write"])
        assert.strictEqual(token.lifetimeMillis, 3_600_000)
        const [record] = yield* server.tokenRequests
        assert.strictEqual(record!.clientId, awkward.clientId)
        assert.strictEqual(record!.authMethod, "client_secret_basic")
        assert.strictEqual(record!.method, "POST")
        assert.deepStrictEqual(record!.params, [["grant_type", "client_credentials"], ["scope", "read write"]])
        // the token is live at the protected resource
        const answer = yield* Http.callApi(`${server.apiUrl}/things`, Redacted.value(token.value))
        assert.strictEqual(answer.status, 200)
      }).pipe(Effect.scoped, withServer({ clients: [awkward] })))

    it.effect("issues a token for client_secret_post, decoding '+' in the body as a space", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const service = yield* tokenService(server.tokenUrl, awkward, { authMethod: "client_secret_post" })
        yield* service.get
        const [record] = yield* server.tokenRequests
        assert.strictEqual(record!.clientId, awkward.clientId)
        assert.strictEqual(record!.authMethod, "client_secret_post")
        assert.isUndefined(record!.headers["authorization"])
      }).pipe(Effect.scoped, withServer({ clients: [awkward] })))

    it.effect("refuses a Basic header that was not form-urlencoded first", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        // what HttpClientRequest.basicAuth and most snippets do: Base64 of the raw "id:secret"
        const raw = `Basic ${btoa("test-client:se+cr%20et")}`
        const answer = yield* Http.tokenRequest(server.tokenUrl, [["grant_type", "client_credentials"]], {
          authorization: raw
        })
        assert.strictEqual(answer.status, 401)
        assert.strictEqual(Http.json(answer).error, "invalid_client")
        const right = yield* Http.tokenRequest(server.tokenUrl, [["grant_type", "client_credentials"]], {
          authorization: Http.basic("test-client", "se+cr%20et")
        })
        assert.strictEqual(right.status, 200)
      }).pipe(withServer({ clients: [{ clientId: "test-client", clientSecret: "se+cr%20et" }] })))

    it.effect("splits Basic credentials at the first colon: a raw ':' in the secret is the secret's", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const answer = yield* Http.tokenRequest(server.tokenUrl, [["grant_type", "client_credentials"]], {
          authorization: `Basic ${btoa("test-client:a:b")}`
        })
        assert.strictEqual(answer.status, 200)
        assert.strictEqual((yield* server.tokenRequests)[0]!.clientId, "test-client")
      }).pipe(withServer({ clients: [{ clientId: "test-client", clientSecret: "a:b" }] })))

    it.effect("a wrong secret is a TokenError invalid_client; Basic gets a 401 with a Basic challenge", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const service = yield* tokenService(server.tokenUrl, { clientId: "test-client", clientSecret: "wrong" })
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error._tag, "TokenError")
        assert.strictEqual(error._tag === "TokenError" ? error.error : undefined, "invalid_client")
        assert.strictEqual(error._tag === "TokenError" ? error.status : undefined, 401)

        const answer = yield* Http.tokenRequest(server.tokenUrl, [["grant_type", "client_credentials"]], {
          authorization: Http.basic("test-client", "wrong")
        })
        assert.strictEqual(answer.status, 401)
        assert.strictEqual(answer.headers["www-authenticate"], "Basic realm=\"fake\"")
        assert.strictEqual(answer.headers["cache-control"], "no-store")
        assert.deepStrictEqual(Http.json(answer).error, "invalid_client")
        const records = yield* server.tokenRequests
        assert.isTrue(records.every((record) => record.clientId === undefined))
      }).pipe(Effect.scoped, withServer()))

    it.effect("wrong or missing body credentials get 401 invalid_client without a Basic challenge", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        for (
          const params of [
            [["client_id", "test-client"], ["client_secret", "wrong"]],
            [["client_id", "nobody"], ["client_secret", "test-secret"]],
            [["client_id", "test-client"]],
            []
          ] as const
        ) {
          const answer = yield* Http.tokenRequest(server.tokenUrl, [["grant_type", "client_credentials"], ...params])
          assert.strictEqual(answer.status, 401)
          assert.strictEqual(Http.json(answer).error, "invalid_client")
          assert.isUndefined(answer.headers["www-authenticate"])
        }
      }).pipe(withServer()))

    it.effect("Basic and body credentials together are 400 invalid_request", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const answer = yield* Http.tokenRequest(
          server.tokenUrl,
          [["grant_type", "client_credentials"], ["client_id", "test-client"], ["client_secret", "test-secret"]],
          { authorization: Http.basic("test-client", "test-secret") }
        )
        assert.strictEqual(answer.status, 400)
        assert.strictEqual(Http.json(answer).error, "invalid_request")
      }).pipe(withServer()))

    it.effect("accepts only the configured method", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const post = yield* Http.tokenRequest(server.tokenUrl, [
          ["grant_type", "client_credentials"],
          ["client_id", "test-client"],
          ["client_secret", "test-secret"]
        ])
        assert.strictEqual(post.status, 401)
        assert.strictEqual(Http.json(post).error, "invalid_client")
        assert.strictEqual((yield* Http.defaultTokenRequest(server.tokenUrl)).status, 200)
      }).pipe(withServer({ authMethod: "client_secret_basic" })))

    it.effect("a post-only server refuses Basic with a challenge", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const basic = yield* Http.defaultTokenRequest(server.tokenUrl)
        assert.strictEqual(basic.status, 401)
        assert.strictEqual(basic.headers["www-authenticate"], "Basic realm=\"fake\"")
        const post = yield* Http.tokenRequest(server.tokenUrl, [
          ["grant_type", "client_credentials"],
          ["client_id", "test-client"],
          ["client_secret", "test-secret"]
        ])
        assert.strictEqual(post.status, 200)
      }).pipe(withServer({ authMethod: "client_secret_post" })))
  })

  describe("token requests", () => {
    it.effect("a grant type other than client_credentials is unsupported_grant_type", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const answer = yield* Http.tokenRequest(server.tokenUrl, [["grant_type", "password"]], {
          authorization: Http.basic("test-client", "test-secret")
        })
        assert.strictEqual(answer.status, 400)
        assert.strictEqual(Http.json(answer).error, "unsupported_grant_type")
        const [record] = yield* server.tokenRequests
        assert.strictEqual(record!.clientId, "test-client")
      }).pipe(withServer()))

    it.effect("malformed requests are invalid_request: repeated parameters, no form, no grant_type; GET is 405", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const repeated = yield* Http.defaultTokenRequest(server.tokenUrl, [["scope", "a"], ["scope", "b"]])
        assert.strictEqual(repeated.status, 400)
        assert.strictEqual(Http.json(repeated).error, "invalid_request")
        // several resource indicators are allowed (RFC 8707)
        const resources = yield* Http.defaultTokenRequest(server.tokenUrl, [
          ["resource", "https://a.example/"],
          ["resource", "https://b.example/"]
        ])
        assert.strictEqual(resources.status, 200)
        const noGrant = yield* Http.tokenRequest(server.tokenUrl, [], {
          authorization: Http.basic("test-client", "test-secret")
        })
        assert.strictEqual(Http.json(noGrant).error, "invalid_request")
        const asJson = yield* Http.send(
          HttpClientRequest.post(server.tokenUrl).pipe(
            HttpClientRequest.setHeader("authorization", Http.basic("test-client", "test-secret")),
            HttpClientRequest.bodyUnsafeJson({ grant_type: "client_credentials" })
          )
        )
        assert.strictEqual(asJson.status, 400)
        assert.strictEqual(Http.json(asJson).error, "invalid_request")
        const get = yield* Http.send(HttpClientRequest.get(server.tokenUrl))
        assert.strictEqual(get.status, 405)
        assert.strictEqual(get.headers["allow"], "POST")
      }).pipe(withServer()))

    it.effect("answers with a random opaque token, Bearer, expires_in and the requested scope", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const first = Http.json(yield* Http.defaultTokenRequest(server.tokenUrl, [["scope", "read  write read"]]))
        const second = Http.json(yield* Http.defaultTokenRequest(server.tokenUrl))
        assert.match(first.access_token as string, /^[A-Za-z0-9_-]{43}$/)
        assert.notStrictEqual(first.access_token, second.access_token)
        assert.strictEqual(first.token_type, "Bearer")
        assert.strictEqual(first.expires_in, 3600)
        assert.strictEqual(first.scope, "read write")
        assert.isFalse("scope" in second)
      }).pipe(withServer()))

    it.effect("an unknown scope is invalid_scope when the scopes are restricted", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const allowed = yield* Http.defaultTokenRequest(server.tokenUrl, [["scope", "read admin"]])
        assert.strictEqual(allowed.status, 200)
        const unknown = yield* Http.defaultTokenRequest(server.tokenUrl, [["scope", "read delete"]])
        assert.strictEqual(unknown.status, 400)
        assert.strictEqual(Http.json(unknown).error, "invalid_scope")
      }).pipe(withServer({ scopes: ["read", "admin"] })))

    it.effect("tokenLifetime and setTokenLifetime set expires_in", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        assert.strictEqual(Http.json(yield* Http.defaultTokenRequest(server.tokenUrl)).expires_in, 120)
        yield* server.setTokenLifetime("5 seconds")
        assert.strictEqual(Http.json(yield* Http.defaultTokenRequest(server.tokenUrl)).expires_in, 5)
      }).pipe(withServer({ tokenLifetime: "2 minutes" })))
    it.effect("a lifetime is whole seconds, at least one; an infinite one is a defect", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        yield* server.setTokenLifetime("200 millis")
        assert.strictEqual(Http.json(yield* Http.defaultTokenRequest(server.tokenUrl)).expires_in, 1)
        const exit = yield* Effect.exit(server.setTokenLifetime(Duration.infinity))
        assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
        assert.strictEqual(Http.json(yield* Http.defaultTokenRequest(server.tokenUrl)).expires_in, 1)
      }).pipe(withServer()))
  })

  describe("fault mode", () => {
    it.effect("answers about `rate` of the token requests with a fault of the kinds asked, and records each", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        yield* server.setFaults({ rate: 0.5, seed: 3, kinds: ["unavailable", "rateLimited"], retryAfterSeconds: 2 })
        const statuses: Array<number> = []
        for (let index = 0; index < 40; index++) {
          const answer = yield* Http.defaultTokenRequest(server.tokenUrl)
          statuses.push(answer.status)
          if (answer.status === 429) assert.strictEqual(answer.headers["retry-after"], "2")
        }
        const faults = yield* server.faults
        assert.strictEqual(faults.length, statuses.filter((status) => status !== 200).length)
        assert.isTrue(faults.length >= 10 && faults.length <= 30, `${faults.length} faults in 40`)
        assert.deepStrictEqual(
          statuses.filter((status) => status !== 200),
          faults.map((fault) => fault.kind === "unavailable" ? 503 : 429)
        )
        const issued = yield* server.issuedTokens
        assert.strictEqual(issued.length, 40 - faults.length)
        for (const token of issued) assert.strictEqual(token.expiresAt - token.issuedAt, 120_000)
        yield* server.setFaults(undefined)
        assert.strictEqual((yield* Http.defaultTokenRequest(server.tokenUrl)).status, 200)
        assert.strictEqual((yield* server.faults).length, faults.length)
      }).pipe(withServer({ tokenLifetime: "2 minutes" })))
  })

  describe("scripted responses", () => {
    it.effect("come back in order, one per token request, then the normal answer", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        yield* server.script(
          FakeAuthServer.respond(503, "busy"),
          FakeAuthServer.rateLimited(7),
          FakeAuthServer.malformedJson,
          FakeAuthServer.html(),
          FakeAuthServer.redirect("http://127.0.0.1:1/elsewhere"),
          FakeAuthServer.oauthError("invalid_client", "no such client", 401),
          FakeAuthServer.normal,
          FakeAuthServer.json(200, { access_token: "abc", token_type: "bearer", expires_in: "3600" })
        )
        const next = Http.defaultTokenRequest(server.tokenUrl)
        const busy = yield* next
        assert.deepStrictEqual([busy.status, busy.text], [503, "busy"])
        const limited = yield* next
        assert.strictEqual(limited.status, 429)
        assert.strictEqual(limited.headers["retry-after"], "7")
        const malformed = yield* next
        assert.strictEqual(malformed.status, 200)
        assert.strictEqual(malformed.headers["content-type"], "application/json")
        assert.throws(() => JSON.parse(malformed.text))
        const html = yield* next
        assert.strictEqual(html.status, 200)
        assert.match(html.headers["content-type"]!, /^text\/html/)
        assert.include(html.text, "<html>")
        const redirect = yield* next
        assert.strictEqual(redirect.status, 302)
        assert.strictEqual(redirect.headers["location"], "http://127.0.0.1:1/elsewhere")
        const error = yield* next
        assert.strictEqual(error.status, 401)
        assert.deepStrictEqual(Http.json(error), { error: "invalid_client", error_description: "no such client" })
        const normal = yield* next
        assert.strictEqual(normal.status, 200)
        assert.strictEqual(Http.json(normal).token_type, "Bearer")
        assert.deepStrictEqual(Http.json(yield* next), {
          access_token: "abc",
          token_type: "bearer",
          expires_in: "3600"
        })
        // the script is spent: normal answers again, and every request was recorded
        assert.strictEqual((yield* next).status, 200)
        assert.lengthOf(yield* server.tokenRequests, 9)
      }).pipe(withServer()))

    it.effect("scripted faults reach TokenService as the errors they stand for", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const service = yield* tokenService(server.tokenUrl, FakeAuthServer.defaultClient)
        yield* server.script(FakeAuthServer.rateLimited(3))
        const limited = yield* Effect.flip(service.get)
        assert.strictEqual(limited._tag, "NetworkError")
        assert.strictEqual(limited._tag === "NetworkError" ? limited.reason : undefined, "RateLimited")
        yield* server.script(FakeAuthServer.html())
        const html = yield* Effect.flip(service.get)
        assert.strictEqual(html._tag === "TokenError" ? html.reason : undefined, "InvalidResponse")
        // an InvalidResponse is answered from memory for one second
        yield* TestClock.adjust("1 second")
        yield* server.script(FakeAuthServer.dropConnection)
        const dropped = yield* Effect.flip(service.get)
        assert.strictEqual(dropped._tag === "NetworkError" ? dropped.reason : undefined, "Transport")
        const token = yield* service.get
        assert.strictEqual(token.tokenType, "Bearer")
      }).pipe(Effect.scoped, withServer()))

    it.effect("a dropped connection fails the client with a transport error, and the server goes on", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        yield* server.script(FakeAuthServer.dropConnection)
        const error = yield* Effect.flip(Http.defaultTokenRequest(server.tokenUrl))
        assert.isTrue(HttpClientError.isHttpClientError(error))
        assert.strictEqual(error._tag === "RequestError" ? error.reason : error._tag, "Transport")
        assert.strictEqual((yield* Http.defaultTokenRequest(server.tokenUrl)).status, 200)
      }).pipe(withServer()))

    it.live("a hang never answers; the client's own timeout ends the wait", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        yield* server.script(FakeAuthServer.hang)
        const result = yield* Http.defaultTokenRequest(server.tokenUrl).pipe(
          Effect.timeout("300 millis"),
          Effect.option
        )
        assert.isTrue(Option.isNone(result))
        assert.strictEqual((yield* Http.defaultTokenRequest(server.tokenUrl)).status, 200)
      }).pipe(withServer()))

    it.effect("delayed waits on the server's Clock: TestClock time when the layer is built in it.effect", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        yield* server.script(FakeAuthServer.delayed("10 seconds"))
        const fiber = yield* Effect.fork(Http.defaultTokenRequest(server.tokenUrl))
        // wait (in real time) until the request has arrived and the server sleeps on the TestClock
        for (let i = 0; i < 200 && (yield* TestClock.sleeps()).length === 0; i++) yield* Http.realSleep(10)
        assert.lengthOf(yield* TestClock.sleeps(), 1)
        yield* TestClock.adjust("9 seconds")
        yield* Http.realSleep(50)
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        yield* TestClock.adjust("1 second")
        const answer = yield* Fiber.join(fiber)
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(Http.json(answer).token_type, "Bearer")
      }).pipe(withServer()))

    it.live("delayed waits real time when the layer is built on the live clock", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        yield* server.script(FakeAuthServer.delayed("200 millis", FakeAuthServer.respond(204)))
        const [elapsed, answer] = yield* Effect.timed(Http.defaultTokenRequest(server.tokenUrl))
        assert.strictEqual(answer.status, 204)
        assert.isAtLeast(Duration.toMillis(elapsed), 190)
      }).pipe(withServer()))
  })

  describe("protected resource (RFC 6750)", () => {
    const issue = (server: FakeAuthServer.Service, scope?: string) =>
      Effect.map(
        Http.defaultTokenRequest(server.tokenUrl, scope === undefined ? [] : [["scope", scope]]),
        (answer) => Http.json(answer).access_token as string
      )

    it.effect("answers a live token with ok, the path, the method and the body length", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const token = yield* issue(server)
        const get = yield* Http.callApi(`${server.apiUrl}/orders/42?x=1`, token)
        assert.strictEqual(get.status, 200)
        assert.deepStrictEqual(Http.json(get), {
          ok: true,
          path: "/api/orders/42",
          method: "GET",
          bodyLength: 0,
          clientId: "test-client",
          scopes: []
        })
        const post = yield* Http.callApi(server.apiUrl, token, "POST", "héllo")
        assert.strictEqual(post.status, 200)
        assert.include(Http.json(post), { path: "/api", method: "POST", bodyLength: 6 })
        assert.strictEqual(yield* server.apiRequests, 2)
      }).pipe(withServer()))

    it.effect("no credentials: 401 with a challenge without an error code (RFC 6750 §3.1)", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const none = yield* Http.callApi(`${server.apiUrl}/x`, undefined)
        assert.strictEqual(none.status, 401)
        assert.strictEqual(none.headers["www-authenticate"], "Bearer realm=\"fake\"")
        const basic = yield* Http.send(
          HttpClientRequest.get(server.apiUrl).pipe(
            HttpClientRequest.setHeader("authorization", Http.basic("test-client", "test-secret"))
          )
        )
        assert.strictEqual(basic.status, 401)
        assert.strictEqual(basic.headers["www-authenticate"], "Bearer realm=\"fake\"")
        assert.strictEqual(yield* server.apiRequests, 2)
      }).pipe(withServer()))

    it.effect("an unknown, revoked or expired token: 401 invalid_token", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const invalid = "Bearer error=\"invalid_token\""
        const unknown = yield* Http.callApi(server.apiUrl, "not-a-token")
        assert.strictEqual(unknown.status, 401)
        assert.strictEqual(unknown.headers["www-authenticate"], invalid)

        const revoked = yield* issue(server)
        const other = yield* issue(server)
        assert.strictEqual((yield* Http.callApi(server.apiUrl, revoked)).status, 200)
        yield* server.revoke(revoked)
        const afterRevoke = yield* Http.callApi(server.apiUrl, revoked)
        assert.strictEqual(afterRevoke.status, 401)
        assert.strictEqual(afterRevoke.headers["www-authenticate"], invalid)
        // revoking one token leaves the others alone
        assert.strictEqual((yield* Http.callApi(server.apiUrl, other)).status, 200)

        // expiry follows the Clock: the token lives exactly its lifetime
        yield* TestClock.adjust("3599 seconds")
        assert.strictEqual((yield* Http.callApi(server.apiUrl, other)).status, 200)
        yield* TestClock.adjust("1 second")
        const expired = yield* Http.callApi(server.apiUrl, other)
        assert.strictEqual(expired.status, 401)
        assert.strictEqual(expired.headers["www-authenticate"], invalid)
      }).pipe(withServer()))

    it.effect("revoke takes an AccessToken too", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const service = yield* tokenService(server.tokenUrl, FakeAuthServer.defaultClient)
        const token = yield* service.get
        yield* server.revoke(token)
        const answer = yield* Http.callApi(server.apiUrl, Redacted.value(token.value))
        assert.strictEqual(answer.status, 401)
      }).pipe(Effect.scoped, withServer()))

    it.effect("/api/admin needs the admin scope: 403 insufficient_scope without it", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const plain = yield* issue(server, "read")
        for (const path of ["/admin", "/admin/users"]) {
          const answer = yield* Http.callApi(`${server.apiUrl}${path}`, plain)
          assert.strictEqual(answer.status, 403)
          assert.strictEqual(answer.headers["www-authenticate"], "Bearer error=\"insufficient_scope\", scope=\"admin\"")
        }
        // a path that only starts with "admin" is not the admin route
        assert.strictEqual((yield* Http.callApi(`${server.apiUrl}/administrators`, plain)).status, 200)
        const admin = yield* issue(server, "read admin")
        const answer = yield* Http.callApi(`${server.apiUrl}/admin/users`, admin)
        assert.strictEqual(answer.status, 200)
        assert.deepStrictEqual(Http.json(answer).scopes, ["read", "admin"])
      }).pipe(withServer()))

    it.effect("a short lifetime from setTokenLifetime expires on the TestClock", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        yield* server.setTokenLifetime("3 seconds")
        const token = yield* issue(server)
        yield* TestClock.adjust("2999 millis")
        assert.strictEqual((yield* Http.callApi(server.apiUrl, token)).status, 200)
        yield* TestClock.adjust("1 millis")
        assert.strictEqual((yield* Http.callApi(server.apiUrl, token)).status, 401)
      }).pipe(withServer()))

    it.effect("other paths are 404 and not counted", () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const answer = yield* Http.send(HttpClientRequest.get(server.tokenUrl.replace("/oauth/token", "/apix")))
        assert.strictEqual(answer.status, 404)
        assert.strictEqual(yield* server.apiRequests, 0)
      }).pipe(withServer()))
  })
})
