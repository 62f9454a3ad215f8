/**
 * What an error says (`docs/behaviour.md#errors`): where, then what happened, once. A `NetworkError` names its source
 * (the token endpoint or the API) and the origin it called, a `TokenError` the token endpoint's origin, each with the
 * reason once, and never a path or a query. Socket tests over a closed port show the texts a user sees; scripted ones
 * cover every other reason.
 */
import { AuthorizedClient, NetworkError, TokenError, TokenService } from "@effect-oauth2/client-credentials"
import { NodeHttpClient } from "@effect/platform-node"
import * as Undici from "@effect/platform-node/Undici"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Net from "node:net"
import * as FixedTokens from "./authorized/fixedTokens.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Server from "./utils/server.js"
import * as Service from "./utils/service.js"

/** A port on 127.0.0.1 that was free a moment ago and has nothing listening on it now. */
const closedPort = Effect.async<number>((resume) => {
  const server = Net.createServer().listen(0, "127.0.0.1", () => {
    const port = (server.address() as Net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** The path and query every URL below carries: no message may show them. */
const pathAndQuery = "/tenant-7/oauth2/token?customer=acme"

const assertNoPathOrQuery = (message: string) => {
  assert.notInclude(message, "tenant-7")
  assert.notInclude(message, "acme")
}

/** The error `service.get` fails with, on the scripted endpoint with no retries. */
const failureOf = (endpoint: Endpoint.ScriptedEndpoint, retry = Schedule.stop) =>
  Effect.flatMap(
    Service.make(endpoint, { tokenUrl: `https://auth.example.com${pathAndQuery}`, retry }),
    (service) => Effect.flip(service.get)
  )

describe("errors say where, then what happened, once", () => {
  it.live("an unreachable token endpoint: the source, the origin and the reason, once", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const service = yield* TokenService.make({
        ...Service.options,
        tokenUrl: `http://127.0.0.1:${port}${pathAndQuery}`,
        retry: Schedule.stop
      })
      const error = yield* Effect.flip(service.get)
      assert.isTrue(NetworkError.isNetworkError(error))
      const network = error as NetworkError.NetworkError
      assert.strictEqual(network.source, "TokenEndpoint")
      assert.strictEqual(network.origin, `http://127.0.0.1:${port}`)
      assert.strictEqual(network.message, `token endpoint http://127.0.0.1:${port} unreachable (ECONNREFUSED)`)
      assert.strictEqual(String(network), `NetworkError: ${network.message}`)
    }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)), 10_000)

  it.live(
    "an unreachable API: said to be the API, at its origin, without the path or query",
    () =>
      Effect.gen(function*() {
        const port = yield* closedPort
        const client = AuthorizedClient.withTokens(yield* HttpClient.HttpClient, {
          tokens: FixedTokens.make("api-token-1")
        })
        const error = yield* Effect.flip(client.get(`http://127.0.0.1:${port}${pathAndQuery}`))
        assert.strictEqual(error._tag, "NetworkError")
        const network = error as NetworkError.NetworkError
        assert.strictEqual(network.source, "Api")
        assert.strictEqual(network.origin, `http://127.0.0.1:${port}`)
        assert.strictEqual(network.message, `API http://127.0.0.1:${port} unreachable (ECONNREFUSED)`)
        assertNoPathOrQuery(network.message)
      }).pipe(Effect.provide(NodeHttpClient.layerUndici)),
    10_000
  )

  it.live("an answer that breaks off is said so, with its status, and retried", () =>
    Effect.gen(function*() {
      let answers = 0
      const server = yield* Server.start((_, response) => {
        answers++
        response.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        response.write("{\"access_token\":")
        // the connection ends with 984 of the announced bytes unsent
        setTimeout(() => response.destroy(), 10)
      })
      const service = yield* TokenService.make({
        ...Service.options,
        tokenUrl: `${server.url}${pathAndQuery}`,
        retry: Schedule.recurs(1).pipe(Schedule.addDelay(() => Duration.millis(1)))
      })
      const error = (yield* Effect.flip(service.get)) as NetworkError.NetworkError
      assert.strictEqual(answers, 2, "retried once, as a transport failure is")
      assert.strictEqual(error.reason, "Transport")
      assert.strictEqual(error.status, 200)
      assert.isTrue(error.isRetryable)
      assert.match(
        error.message,
        new RegExp(`^token endpoint ${server.url} broke off its answer after HTTP 200 \\(.+\\)$`)
      )
      assertNoPathOrQuery(error.message)
    }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)), 10_000)

  it.effect("a timeout, a 503 and a 429 read naturally", () =>
    Effect.gen(function*() {
      const hanging = Endpoint.make()
      hanging.script(Endpoint.hang())
      const fiber = yield* Effect.fork(failureOf(hanging))
      yield* TestClock.adjust("30 seconds")
      const timeout = (yield* Fiber.join(fiber)) as NetworkError.NetworkError
      assert.strictEqual(timeout.message, "token endpoint https://auth.example.com timed out (no answer within 30s)")

      const failing = Endpoint.make()
      failing.script(Endpoint.respond(503, "down", { "retry-after": "2" }))
      const serverError = (yield* failureOf(failing)) as NetworkError.NetworkError
      assert.strictEqual(
        serverError.message,
        "token endpoint https://auth.example.com failed (HTTP 503), retry after 2s"
      )

      const limiting = Endpoint.make()
      limiting.script(Endpoint.respond(429, "slow down", { "retry-after": "5" }))
      const rateLimited = (yield* failureOf(limiting)) as NetworkError.NetworkError
      assert.strictEqual(
        rateLimited.message,
        "token endpoint https://auth.example.com rate limited the request (HTTP 429), retry after 5s"
      )
      for (const error of [timeout, serverError, rateLimited]) {
        assert.strictEqual(error.source, "TokenEndpoint")
        assert.strictEqual(error.origin, "https://auth.example.com")
      }
    }).pipe(Effect.scoped))

  it.effect("a TokenError names the token endpoint's origin: refused, unusable, or not sent", () =>
    Effect.gen(function*() {
      const refusing = Endpoint.make()
      refusing.script(Endpoint.oauthError("invalid_client", 401, { error_description: "unknown client" }))
      const refused = (yield* failureOf(refusing)) as TokenError.TokenError
      assert.strictEqual(
        refused.message,
        "token endpoint https://auth.example.com refused the token request: invalid_client (unknown client), HTTP 401"
      )

      const html = Endpoint.make()
      html.script(Endpoint.respond(200, "<html>sign in</html>", { "content-type": "text/html" }))
      const unusable = (yield* failureOf(html)) as TokenError.TokenError
      assert.strictEqual(
        unusable.message,
        "token endpoint https://auth.example.com gave no usable token: the response is not JSON, HTTP 200"
      )

      const service = yield* Service.make(Endpoint.make(), { tokenUrl: `https://auth.example.com${pathAndQuery}` })
      const notSent = yield* Effect.flip(service.getFor({ scopes: ["a\nb"] }))
      assert.strictEqual(notSent.reason, "InvalidRequest")
      assert.match(notSent.message, /^token request for https:\/\/auth\.example\.com not sent: .+/)

      for (const error of [refused, unusable, notSent]) {
        assert.isTrue(TokenError.isTokenError(error))
        assert.strictEqual((error as TokenError.TokenError).origin, "https://auth.example.com")
        assertNoPathOrQuery(error.message)
      }
    }).pipe(Effect.scoped))

  it("AuthorizedClientError carries the source and origin across a boundary; Error is its deprecated alias", () => {
    const error = new NetworkError.NetworkError({
      reason: "Transport",
      source: "Api",
      origin: "https://api.example.com",
      detail: "could not be called (ECONNRESET)"
    })
    const encoded = Schema.encodeSync(AuthorizedClient.AuthorizedClientError)(error)
    const decoded = Schema.decodeUnknownSync(AuthorizedClient.AuthorizedClientError)(
      JSON.parse(JSON.stringify(encoded))
    )
    assert.isTrue(NetworkError.isNetworkError(decoded))
    assert.strictEqual(decoded.message, "API https://api.example.com could not be called (ECONNRESET)")

  })

  it.effect("a transport failure says what happened: unreachable, TLS, could not be called, with undici's reason", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Error, string]> = [
        [Object.assign(new Error("connect ENOTFOUND"), { code: "ENOTFOUND" }), "unreachable (ENOTFOUND)"],
        [
          Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" }),
          "failed TLS verification (CERT_HAS_EXPIRED)"
        ],
        [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "could not be called (ECONNRESET)"],
        [
          Object.assign(new Error("Proxy response (407) !== 200 when HTTP Tunneling"), { code: "UND_ERR_ABORTED" }),
          "could not be called (UND_ERR_ABORTED: Proxy response (407) !== 200 when HTTP Tunneling)"
        ]
      ]
      for (const [cause, said] of cases) {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.transportFailure(cause))
        const error = (yield* failureOf(endpoint)) as NetworkError.NetworkError
        assert.strictEqual(error.message, `token endpoint https://auth.example.com ${said}`)
      }
    }).pipe(Effect.scoped))

  it.effect("a connection that failed elsewhere than the URL's host and port: the proxy is said to be unreachable", () =>
    Effect.gen(function*() {
      const refused = (fields: Record<string, unknown>) =>
        Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", syscall: "connect", ...fields })
      const notFound = (hostname: string) =>
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname })
      const cases: ReadonlyArray<readonly [string, Error, string]> = [
        // the token endpoint is https://auth.example.com: port 443
        ["another port", refused({ address: "10.0.0.5", port: 3128 }), "the proxy 10.0.0.5:3128"],
        ["another port, IPv6", refused({ address: "fd00::5", port: 3128 }), "the proxy [fd00::5]:3128"],
        ["another host name looked up", notFound("proxy.internal"), "the proxy proxy.internal"],
        ["the URL's port, a host name: cannot tell", refused({ address: "10.0.0.5", port: 443 }), ""],
        ["the URL's host name looked up", notFound("auth.example.com"), ""],
        ["a Unix socket: no port", refused({ address: "/run/proxy.sock" }), ""],
        ["no address", refused({}), ""]
      ]
      for (const [what, cause, proxy] of cases) {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.transportFailure(cause))
        const error = (yield* failureOf(endpoint)) as NetworkError.NetworkError
        const code = (cause as unknown as { readonly code: string }).code
        assert.strictEqual(
          error.message,
          proxy === ""
            ? `token endpoint https://auth.example.com unreachable (${code})`
            : `token endpoint https://auth.example.com not reached: ${proxy} is unreachable (${code})`,
          what
        )
        assert.isTrue(error.isRetryable, what)
      }
    }).pipe(Effect.scoped))

  it.live(
    "through a proxy that is down: the proxy is said to be unreachable, not the token endpoint",
    () =>
      Effect.gen(function*() {
        const proxyPort = yield* closedPort
        const server = yield* Server.start((_, response) => response.end())
        const agent = yield* Effect.acquireRelease(
          Effect.sync(() => new Undici.ProxyAgent(`http://proxy-user:proxy-pass@127.0.0.1:${proxyPort}`)),
          (agent) => Effect.promise(() => agent.destroy())
        )
        const service = yield* TokenService.make({
          ...Service.options,
          tokenUrl: `${server.url}${pathAndQuery}`,
          retry: Schedule.stop
        }).pipe(Effect.provideService(HttpClient.HttpClient, NodeHttpClient.makeUndici(agent)))
        const error = (yield* Effect.flip(service.get)) as NetworkError.NetworkError
        assert.strictEqual(
          error.message,
          `token endpoint ${server.url} not reached: the proxy 127.0.0.1:${proxyPort} is unreachable (ECONNREFUSED)`
        )
        assert.notInclude(JSON.stringify(error), "proxy-pass")
      }).pipe(Effect.scoped),
    10_000
  )

  it.effect("an API answer a wrapper could not decode: its status, never its body", () =>
    Effect.gen(function*() {
      const api = HttpClient.make((request) =>
        Effect.succeed(HttpClientResponse.fromWeb(request, new Response("<html>sign in, acme</html>", { status: 200 })))
      ).pipe(HttpClient.transformResponse(Effect.tap((response) => response.json)))
      const client = AuthorizedClient.withTokens(api, { tokens: FixedTokens.make("api-token-1") })
      const error =
        (yield* Effect.flip(client.get(`https://api.example.com${pathAndQuery}`))) as NetworkError.NetworkError
      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(error.status, 200)
      assert.strictEqual(
        error.message,
        "API https://api.example.com answered HTTP 200 with a body that could not be decoded (SyntaxError)"
      )
      assert.notInclude(error.message, "sign in")
      assertNoPathOrQuery(error.message)
    }))

  it.effect("an API call that cannot be sent says so; a base URL under the client is the origin named", () =>
    Effect.gen(function*() {
      const refusing = HttpClient.make(() => Effect.die("never sent"))
      const relative = AuthorizedClient.withTokens(refusing, { tokens: FixedTokens.make("api-token-1") })
      const notSent = (yield* Effect.flip(relative.get("orders/42"))) as NetworkError.NetworkError
      assert.isUndefined(notSent.origin)
      assert.match(notSent.message, /^API not sent \(InvalidUrl: .+\)$/)

      const unreachable = HttpClient.make((request) =>
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
          })
        )
      )
      const based = AuthorizedClient.withTokens(
        unreachable.pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl("https://api.example.com/tenant-7"))),
        { tokens: FixedTokens.make("api-token-1") }
      )
      const error = (yield* Effect.flip(based.get("/orders?customer=acme"))) as NetworkError.NetworkError
      assert.strictEqual(error.message, "API https://api.example.com unreachable (ECONNREFUSED)")
    }))

  it.effect("a redirect and an origin outside allowedOrigins read without repeating themselves", () =>
    Effect.gen(function*() {
      const redirecting = Endpoint.make()
      redirecting.script(Endpoint.respond(302, null, { location: "https://elsewhere.example.com/" }))
      const redirected = (yield* failureOf(redirecting)) as TokenError.TokenError
      assert.strictEqual(
        redirected.message,
        "token endpoint https://auth.example.com gave no usable token: a redirect (token requests are never redirected), HTTP 302"
      )

      const client = AuthorizedClient.withTokens(HttpClient.make(() => Effect.die("never sent")), {
        tokens: FixedTokens.make("api-token-1"),
        allowedOrigins: ["https://api.example.com"]
      })
      const refused = (yield* Effect.flip(client.get("https://evil.example.com/x"))) as TokenError.TokenError
      assert.match(
        refused.message,
        /^API request refused: the origin https:\/\/evil\.example\.com is not in allowedOrigins/
      )
    }).pipe(Effect.scoped))
})
