/**
 * `proxy.ts` behind a forward proxy started here on 127.0.0.1: what reaches the proxy, with and without the proxy
 * variables, with `NO_PROXY`, with a proxy for each of the token endpoint and the API; and `npm start` in provider
 * mode, run as a child process, behind that proxy and failing in one line.
 */
import type { AuthorizedClient } from "@effect-oauth2/client-credentials"
import { FakeAuthServer } from "@effect-oauth2/testing"
import { afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import * as Net from "node:net"
import * as demo from "./demo.js"
import * as proxyExample from "./proxy.js"
import * as ForwardProxy from "./src/forwardProxy.js"
import * as NodeProcess from "./src/nodeProcess.js"
import { noProxySettings, proxyVariables, withEnv } from "./src/processEnv.js"

/** Runs `proxy.ts`'s program over `layer`, its `OAUTH_*` variables pointing at `server`, calling `apiUrl`. */
const callApi = <E>(
  layer: Layer.Layer<AuthorizedClient.AuthorizedClient, E>,
  server: FakeAuthServer.Service,
  apiUrl = `${server.apiUrl}/orders`
) =>
  proxyExample.program.pipe(
    Effect.provide(layer),
    Effect.withConfigProvider(ConfigProvider.fromMap(
      new Map([
        ["OAUTH_TOKEN_URL", server.tokenUrl],
        ["OAUTH_CLIENT_ID", FakeAuthServer.defaultClient.clientId],
        ["OAUTH_CLIENT_SECRET", FakeAuthServer.defaultClient.clientSecret],
        ["API_URL", apiUrl]
      ])
    ))
  )

/** A port on 127.0.0.1 that nothing listens on: bound, then closed. */
const closedPort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as Net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** `npm start`'s command, with `env` as the whole environment (and `PATH`). */
const npmStart = (env: Record<string, string>) =>
  NodeProcess.run(["--conditions=@effect-oauth2/source", "--import", "tsx", "examples/demo.ts"], {
    env,
    timeout: "30 seconds"
  })

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "")

describe("proxy.ts", () => {
  let before: Record<string, string | undefined> = {}
  beforeAll(() => {
    before = Object.fromEntries(proxyVariables.map((name) => [name, process.env[name]]))
  })
  afterEach(() => {
    assert.deepStrictEqual(
      Object.fromEntries(proxyVariables.map((name) => [name, process.env[name]])),
      before,
      "a test left process.env changed"
    )
  })

  it.scopedLive("with HTTP_PROXY set, the token request and the API call both go through the proxy", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const proxy = yield* ForwardProxy.make()
      yield* withEnv({ ...noProxySettings, HTTP_PROXY: proxy.url })
      const body = yield* callApi(proxyExample.MainLayer, server)
      assert.deepInclude(body, { ok: true, method: "GET" })
      const authority = new URL(server.tokenUrl).host
      assert.deepStrictEqual(yield* proxy.requests, [
        { method: "POST", authority, path: "/oauth/token" },
        { method: "GET", authority, path: "/api/orders" }
      ])
      const connects = yield* proxy.connects
      assert.isAbove(connects.length, 0)
      assert.deepStrictEqual(connects.filter((target) => target !== authority), [])
    }).pipe(Effect.provide(FakeAuthServer.layer())))

  it.scopedLive("without proxy settings nothing reaches the proxy, and both calls are answered", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const proxy = yield* ForwardProxy.make()
      yield* withEnv(noProxySettings)
      const body = yield* callApi(proxyExample.MainLayer, server)
      assert.deepInclude(body, { ok: true, method: "GET" })
      assert.deepStrictEqual(yield* proxy.connects, [])
      assert.deepStrictEqual(yield* proxy.requests, [])
      assert.strictEqual((yield* server.tokenRequests).length, 1)
      assert.strictEqual(yield* server.apiRequests, 1)
    }).pipe(Effect.provide(FakeAuthServer.layer())))

  it.scopedLive("NO_PROXY: the host it names is called directly, the other through the proxy", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      // the API under a name only the proxy knows; the token endpoint at 127.0.0.1, which NO_PROXY names
      const proxy = yield* ForwardProxy.make({ resolve: (host) => host === "api.example.test" ? "127.0.0.1" : host })
      yield* withEnv({ ...noProxySettings, HTTP_PROXY: proxy.url, NO_PROXY: "localhost, 127.0.0.1" })
      const port = new URL(server.apiUrl).port
      const body = yield* callApi(proxyExample.MainLayer, server, `http://api.example.test:${port}/api/orders`)
      assert.deepInclude(body, { ok: true, method: "GET" })
      assert.deepStrictEqual(yield* proxy.requests, [
        { method: "GET", authority: `api.example.test:${port}`, path: "/api/orders" }
      ])
      assert.strictEqual((yield* server.tokenRequests).length, 1)
    }).pipe(Effect.provide(FakeAuthServer.layer())))

  it.scopedLive("layerSplit: the token endpoint through one proxy, the API through another", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const tokenProxy = yield* ForwardProxy.make()
      const apiProxy = yield* ForwardProxy.make()
      // from options alone: with no proxy variables set, only the options can send anything to the proxies
      yield* withEnv(noProxySettings)
      const layer = proxyExample.layerSplit({
        tokenEndpoint: { httpProxy: tokenProxy.url },
        api: { httpProxy: apiProxy.url }
      })
      const body = yield* callApi(layer, server)
      assert.deepInclude(body, { ok: true, method: "GET" })
      const authority = new URL(server.tokenUrl).host
      assert.deepStrictEqual(yield* tokenProxy.requests, [{ method: "POST", authority, path: "/oauth/token" }])
      assert.deepStrictEqual(yield* apiProxy.requests, [{ method: "GET", authority, path: "/api/orders" }])
    }).pipe(Effect.provide(FakeAuthServer.layer())))

  it.scopedLive("the proxy agent is closed with the layer: no tunnel outlives it", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const proxy = yield* ForwardProxy.make()
      yield* withEnv({ ...noProxySettings, HTTP_PROXY: proxy.url })
      // inside the layer's life the kept-alive tunnel is open; the server would close it after 5 s idle on its own
      const open = yield* callApi(proxyExample.MainLayer, server).pipe(
        Effect.zipRight(proxy.openConnections)
      )
      assert.isAbove(open, 0)
      yield* proxy.idle.pipe(
        Effect.timeoutFail({ duration: "2 seconds", onTimeout: () => new Error("a tunnel outlived the layer") })
      )
    }).pipe(Effect.provide(FakeAuthServer.layer())))
})

describe("npm start in provider mode", () => {
  it.scopedLive("goes through the proxy HTTP_PROXY names", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const proxy = yield* ForwardProxy.make()
      const outcome = yield* npmStart({
        OAUTH_TOKEN_URL: server.tokenUrl,
        OAUTH_CLIENT_ID: FakeAuthServer.defaultClient.clientId,
        OAUTH_CLIENT_SECRET: FakeAuthServer.defaultClient.clientSecret,
        API_URL: `${server.apiUrl}/orders`,
        HTTP_PROXY: proxy.url
      })
      assert.deepStrictEqual({ code: outcome.code, stderr: outcome.stderr }, { code: 0, stderr: "" }, outcome.stdout)
      const authority = new URL(server.tokenUrl).host
      assert.deepStrictEqual(yield* proxy.requests, [
        { method: "POST", authority, path: "/oauth/token" },
        { method: "GET", authority, path: "/api/orders" }
      ])
    }).pipe(Effect.provide(FakeAuthServer.layer())), 40_000)

  it.live("reports an unreachable token endpoint in one line on stderr and exits 1", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const outcome = yield* npmStart({
        OAUTH_TOKEN_URL: `http://127.0.0.1:${port}/oauth/token`,
        OAUTH_CLIENT_ID: "demo-client",
        OAUTH_CLIENT_SECRET: "demo-secret"
      })
      assert.isFalse(outcome.timedOut)
      assert.strictEqual(outcome.code, 1)
      const errors = lines(outcome.stderr)
      assert.strictEqual(errors.length, 1, outcome.stderr)
      assert.match(errors[0]!, /^effect-oauth2 demo: no token: .*ECONNREFUSED/)
      assert.notMatch(outcome.stdout, /^\s+at /m, "no stack trace")
      assert.notInclude(outcome.stdout + outcome.stderr, "demo-secret")
    }), 40_000)

  it.scopedLive("reports a wrong client secret in one line on stderr and exits 1", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const outcome = yield* npmStart({
        OAUTH_TOKEN_URL: server.tokenUrl,
        OAUTH_CLIENT_ID: FakeAuthServer.defaultClient.clientId,
        OAUTH_CLIENT_SECRET: "not-the-secret"
      })
      assert.isFalse(outcome.timedOut)
      assert.strictEqual(outcome.code, 1)
      const errors = lines(outcome.stderr)
      assert.strictEqual(errors.length, 1, outcome.stderr)
      assert.match(errors[0]!, /^effect-oauth2 demo: no token: .*invalid_client/)
      assert.notMatch(outcome.stdout, /^\s+at /m, "no stack trace")
      assert.notInclude(outcome.stdout + outcome.stderr, "not-the-secret")
    }).pipe(Effect.provide(FakeAuthServer.layer())), 40_000)

  it("failureLine keeps a message of several lines on one", () => {
    assert.strictEqual(
      demo.failureLine(new Error("no token:\n  invalid_client\n")),
      "effect-oauth2 demo: no token: invalid_client"
    )
  })
})
