/**
 * `proxy.ts` behind a forward proxy started here on 127.0.0.1: what reaches the proxy, with and without the proxy
 * variables, with `NO_PROXY`, with `HTTPS_PROXY` alone, with a proxy for each of the token endpoint and the API; and
 * the demo's provider mode (in-process, and as `npm start` in a child process) behind that proxy: it says which proxy
 * it goes through, and fails in one line that says where. Specified in `docs/configuration.md#behind-a-proxy`.
 */
import { ApiError, type AuthorizedClient, NetworkError, TokenError } from "@effect-oauth2/client-credentials"
import { FakeAuthServer } from "@effect-oauth2/testing"
import { EnvHttpProxyAgent } from "@effect/platform-node/Undici"
import * as HttpClient from "@effect/platform/HttpClient"
import { afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit, Inspectable, Layer, Option } from "effect"
import * as util from "node:util"
import * as demo from "./demo.js"
import * as proxyExample from "./proxy.js"
import { capturedOutput } from "./src/capturedOutput.js"
import { closedPort } from "./src/closedPort.js"
import * as ForwardProxy from "./src/forwardProxy.js"
import * as NodeProcess from "./src/nodeProcess.js"
import { noProxySettings, proxyVariables, withEnv } from "./src/processEnv.js"
import { proxyOrigin } from "./src/proxyOrigin.js"

/** The `OAUTH_*` and `API_URL` variables the examples read, pointing at `server`; `vars` adds or replaces some. */
const withOAuthConfig = (server: FakeAuthServer.Service, vars: Record<string, string> = {}) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(
    new Map(Object.entries({
      OAUTH_TOKEN_URL: server.tokenUrl,
      OAUTH_CLIENT_ID: FakeAuthServer.defaultClient.clientId,
      OAUTH_CLIENT_SECRET: FakeAuthServer.defaultClient.clientSecret,
      API_URL: `${server.apiUrl}/orders`,
      ...vars
    }))
  ))

/** Runs `proxy.ts`'s program over `layer`, its `OAUTH_*` variables pointing at `server`, calling `apiUrl`. */
const callApi = <E>(
  layer: Layer.Layer<AuthorizedClient.AuthorizedClient, E>,
  server: FakeAuthServer.Service,
  apiUrl = `${server.apiUrl}/orders`
) => proxyExample.program.pipe(Effect.provide(layer), withOAuthConfig(server, { API_URL: apiUrl }))

/** `npm start`'s command, with `env` as the whole environment (and `PATH`). */
const npmStart = (env: Record<string, string>) => runExample("examples/demo.ts", env)

/** `examples/<file>` run as `npm start` runs the demo, with `env` as the whole environment (and `PATH`). */
const runExample = (file: string, env: Record<string, string>) =>
  NodeProcess.run(["--conditions=@effect-oauth2/source", "--import", "tsx", file], { env, timeout: "30 seconds" })

/** The proxy's password in the settings below: no output, no error, no property of one may hold it. */
const proxyPassword = "S3cretPW-of-the-proxy"

/** Every way an error is commonly printed: its message, `String`, JSON, `util.inspect`, Effect's `Cause.pretty`. */
const renderings = (error: unknown): ReadonlyArray<string> => [
  String(error),
  (error as Error).message,
  JSON.stringify(error),
  Inspectable.format(error),
  util.inspect(error, { depth: Infinity, showHidden: true }),
  Cause.pretty(Cause.fail(error)),
  Cause.pretty(Cause.die(error))
]

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "")

/** Whether a GET of `url` through `layerHttpClient()`, as the environment now is, asked `proxy` for a tunnel. */
const goesThrough = (proxy: ForwardProxy.ForwardProxy, url: string) =>
  Effect.gen(function*() {
    const before = (yield* proxy.connects).length
    // answered, refused or a failed TLS handshake: all that matters is whether the proxy was asked
    yield* HttpClient.get(url).pipe(Effect.scoped, Effect.either, Effect.provide(proxyExample.layerHttpClient()))
    return (yield* proxy.connects).length > before
  })

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
      // counted inside the layer's life: the kept-alive tunnel is open (the server would close it after 5 s idle)
      const open = yield* proxyExample.program.pipe(
        Effect.zipRight(proxy.openConnections),
        Effect.provide(proxyExample.MainLayer),
        withOAuthConfig(server)
      )
      assert.isAbove(open, 0)
      // the layer is closed: its agent closes the tunnel at once
      yield* proxy.idle.pipe(
        Effect.timeoutFail({ duration: "2 seconds", onTimeout: () => new Error("a tunnel outlived the layer") })
      )
    }).pipe(Effect.provide(FakeAuthServer.layer())))

  it.scopedLive("with only HTTPS_PROXY set, a token request to an https:// URL asks the proxy for a tunnel there", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      // a name only the proxy resolves: without the proxy the request could reach nothing
      const proxy = yield* ForwardProxy.make({ resolve: (host) => host === "login.example.test" ? "127.0.0.1" : host })
      yield* withEnv({ ...noProxySettings, HTTPS_PROXY: proxy.url })
      const authority = `login.example.test:${new URL(server.tokenUrl).port}`
      const error = yield* proxyExample.program.pipe(
        Effect.provide(proxyExample.MainLayer),
        withOAuthConfig(server, { OAUTH_TOKEN_URL: `https://${authority}/oauth/token` }),
        Effect.flip
      )
      // the tunnel leads to the fake server, which speaks plain http: the TLS handshake through it fails
      assert.deepInclude(error, { _tag: "NetworkError", source: "TokenEndpoint" })
      assert.deepStrictEqual([...new Set(yield* proxy.connects)], [authority])
    }).pipe(Effect.provide(FakeAuthServer.layer())))

  it("proxyOrigin names the proxy EnvHttpProxyAgent uses for a URL, by its origin only", () => {
    const proxy = "http://proxy.internal:3128"
    const other = "http://other.internal:8080"
    const cases: ReadonlyArray<readonly [string, Record<string, string>, string | undefined]> = [
      ["https://login.example.com/token", {}, undefined],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy }, proxy],
      ["https://login.example.com/token", { HTTP_PROXY: proxy }, proxy],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, HTTP_PROXY: other }, proxy],
      ["https://login.example.com/token", { https_proxy: proxy, HTTPS_PROXY: other }, proxy],
      ["http://login.example.com/token", { HTTPS_PROXY: proxy }, undefined],
      ["http://login.example.com/token", { http_proxy: proxy, HTTP_PROXY: other }, proxy],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, NO_PROXY: "login.example.com" }, undefined],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, NO_PROXY: ".example.com" }, undefined],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, NO_PROXY: "*.example.com" }, undefined],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, NO_PROXY: "example.com" }, undefined],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, NO_PROXY: "xample.com" }, proxy],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, NO_PROXY: "login.example.com:443" }, undefined],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, NO_PROXY: "login.example.com:8443" }, proxy],
      ["https://login.example.com:8443/token", { HTTPS_PROXY: proxy, NO_PROXY: "Login.Example.com:8443" }, undefined],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, NO_PROXY: "*" }, undefined],
      ["https://login.example.com/token", { HTTPS_PROXY: proxy, no_proxy: "other.com", NO_PROXY: "*" }, proxy],
      ["https://login.example.com/token", { HTTPS_PROXY: "http://user:pass@proxy.internal:3128/" }, proxy]
    ]
    for (const [url, env, expected] of cases) {
      assert.strictEqual(proxyOrigin(url, env), expected, `${url} with ${JSON.stringify(env)}`)
    }
  })

  it.scopedLive("proxyOrigin agrees with where EnvHttpProxyAgent sends a request", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const proxy = yield* ForwardProxy.make()
      const refusing = `http://127.0.0.1:${yield* closedPort}`
      const port = new URL(server.tokenUrl).port
      const cases: ReadonlyArray<readonly [string, Record<string, string>]> = [
        [server.tokenUrl, { HTTP_PROXY: proxy.url }],
        [server.tokenUrl, { HTTPS_PROXY: proxy.url }],
        [server.tokenUrl, { http_proxy: proxy.url, HTTP_PROXY: refusing }],
        [server.tokenUrl, { HTTP_PROXY: proxy.url, NO_PROXY: "localhost, 127.0.0.1" }],
        [server.tokenUrl, { HTTP_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${port}` }],
        [server.tokenUrl, { HTTP_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${Number(port) + 1}` }],
        [server.tokenUrl, { HTTP_PROXY: proxy.url, NO_PROXY: "*" }],
        [`https://127.0.0.1:${port}/`, { HTTP_PROXY: proxy.url }],
        [`https://127.0.0.1:${port}/`, { HTTPS_PROXY: proxy.url, HTTP_PROXY: refusing }]
      ]
      for (const [url, env] of cases) {
        const [went, said] = yield* Effect.scoped(Effect.gen(function*() {
          yield* withEnv({ ...noProxySettings, ...env })
          return [yield* goesThrough(proxy, url), proxyOrigin(url)] as const
        }))
        assert.strictEqual(said, went ? proxy.url : undefined, `${url} with ${JSON.stringify(env)}`)
      }
    }).pipe(Effect.provide(FakeAuthServer.layer())))
})

describe("proxy settings that are not proxy URLs", () => {
  const bad = `http://alice:${proxyPassword}@[::1`
  /** Settings, with the name `checkProxySettings` must give (`undefined`: accepted). */
  const cases: ReadonlyArray<
    readonly [Record<string, string | undefined>, EnvHttpProxyAgent.Options, string | undefined]
  > = [
    [{ HTTPS_PROXY: "garbage" }, {}, "HTTPS_PROXY"],
    [{ HTTPS_PROXY: bad }, {}, "HTTPS_PROXY"],
    [{ HTTP_PROXY: bad }, {}, "HTTP_PROXY"],
    [{ https_proxy: bad, HTTPS_PROXY: "http://proxy.internal:3128" }, {}, "https_proxy"],
    [{ http_proxy: `http://alice:${proxyPassword}@proxy.internal:99999` }, {}, "http_proxy"],
    [{ HTTPS_PROXY: `ftp://alice:${proxyPassword}@proxy.internal:21` }, {}, "HTTPS_PROXY"],
    [{ HTTP_PROXY: `http://alice:${proxyPassword}@proxy internal:3128` }, {}, "HTTP_PROXY"],
    [{ HTTPS_PROXY: "http://proxy.internal:3128" }, { httpsProxy: bad }, "the httpsProxy option"],
    [{}, { httpProxy: "garbage" }, "the httpProxy option"],
    // what undici takes instead, or does not take at all
    [{ https_proxy: "http://proxy.internal:3128", HTTPS_PROXY: bad }, {}, undefined],
    [{ http_proxy: "", HTTP_PROXY: bad }, {}, undefined],
    [{ HTTPS_PROXY: bad }, { httpsProxy: "http://proxy.internal:3128" }, undefined],
    [{ HTTPS_PROXY: `http://alice:${proxyPassword}@proxy.internal:3128` }, {}, undefined],
    [{ HTTPS_PROXY: "https://proxy.internal" }, {}, undefined],
    [{ HTTPS_PROXY: "socks5://proxy.internal:1080" }, {}, undefined],
    [{ NO_PROXY: "[::1" }, {}, undefined],
    [{}, {}, undefined]
  ]

  it.effect("checkProxySettings names the one undici would refuse, and agrees with EnvHttpProxyAgent", () =>
    Effect.gen(function*() {
      for (const [env, options, name] of cases) {
        const what = `${JSON.stringify(env)} ${JSON.stringify(options)}`
        const checked = yield* Effect.either(proxyExample.checkProxySettings(options, { ...noProxySettings, ...env }))
        assert.strictEqual(checked._tag === "Left" ? checked.left.name : undefined, name, what)
        const refused = yield* Effect.scoped(Effect.gen(function*() {
          yield* withEnv({ ...noProxySettings, ...env })
          return yield* Effect.try(() => new EnvHttpProxyAgent(options)).pipe(
            Effect.flatMap((agent) => Effect.promise(() => agent.destroy())),
            Effect.isFailure
          )
        }))
        assert.strictEqual(refused, name !== undefined, `undici ${refused ? "refuses" : "takes"} ${what}`)
      }
    }))

  it.effect("ProxySettingError names the setting, in one line, and holds no part of it", () =>
    Effect.gen(function*() {
      for (const [env, options, name] of cases) {
        if (name === undefined) continue
        const error = yield* Effect.flip(proxyExample.checkProxySettings(options, env))
        assert.strictEqual(
          error.message,
          `${name} is not a proxy URL (http://[user:password@]host:port); its value is not shown`
        )
        for (const text of renderings(error)) {
          assert.notInclude(text, proxyPassword.slice(0, 8))
          assert.notInclude(text, "alice")
          assert.notInclude(text, "garbage")
        }
      }
    }))

  it.scoped("layerHttpClient fails to build with the ProxySettingError, not a defect", () =>
    Effect.gen(function*() {
      yield* withEnv({ ...noProxySettings, HTTPS_PROXY: `http://alice:${proxyPassword}@[::1` })
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(proxyExample.layerHttpClient())))
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      assert.isTrue(Option.isSome(failure), "a failure")
      assert.deepInclude(Option.getOrThrow(failure), { _tag: "ProxySettingError", name: "HTTPS_PROXY" })
    }))

  it.scopedLive("the demo's provider mode prints nothing and fails with it: failureLine names the variable", (ctx) =>
    Effect.gen(function*() {
      const output = capturedOutput(ctx)
      const server = yield* FakeAuthServer.FakeAuthServer
      yield* withEnv({ ...noProxySettings, HTTPS_PROXY: "garbage" })
      const error = yield* demo.provider.pipe(withOAuthConfig(server), output.capture, Effect.flip)
      assert.strictEqual(
        demo.failureLine(error),
        "effect-oauth2 demo: HTTPS_PROXY is not a proxy URL (http://[user:password@]host:port); its value is not shown"
      )
      assert.strictEqual(yield* output.text, "")
      assert.strictEqual((yield* server.tokenRequests).length, 0)
    }).pipe(Effect.provide(FakeAuthServer.layer())))
})

describe("the demo's provider mode", () => {
  it.scopedLive("says which proxy it goes through, by its origin: no user or password", (ctx) =>
    Effect.gen(function*() {
      const output = capturedOutput(ctx)
      const server = yield* FakeAuthServer.FakeAuthServer
      const proxy = yield* ForwardProxy.make()
      const withCredentials = proxy.url.replace("http://", "http://proxy-user:proxy-pass@")
      yield* withEnv({ ...noProxySettings, HTTP_PROXY: withCredentials })
      const checks = yield* demo.provider.pipe(withOAuthConfig(server), output.capture)
      assert.deepStrictEqual(checks.map((c) => c.ok), [true, true])
      const printed = yield* output.text
      assert.include(lines(printed), `through the proxy ${proxy.url}`)
      assert.notInclude(printed, "proxy-user")
      assert.notInclude(printed, "proxy-pass")
      assert.deepInclude(yield* proxy.requests, {
        method: "POST",
        authority: new URL(server.tokenUrl).host,
        path: "/oauth/token"
      })
    }).pipe(Effect.provide(FakeAuthServer.layer())))

  it.scopedLive("says nothing of a proxy when it goes to the token endpoint directly (NO_PROXY)", (ctx) =>
    Effect.gen(function*() {
      const output = capturedOutput(ctx)
      const server = yield* FakeAuthServer.FakeAuthServer
      const proxy = yield* ForwardProxy.make()
      yield* withEnv({ ...noProxySettings, HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" })
      yield* demo.provider.pipe(withOAuthConfig(server), output.capture)
      assert.notInclude(yield* output.text, "through the proxy")
      assert.deepStrictEqual(yield* proxy.connects, [])
    }).pipe(Effect.provide(FakeAuthServer.layer())))

  it.scopedLive("an unreachable API: the failure line is the NetworkError's message, which says API once", (ctx) =>
    Effect.gen(function*() {
      const output = capturedOutput(ctx)
      const server = yield* FakeAuthServer.FakeAuthServer
      yield* withEnv(noProxySettings)
      const apiUrl = `http://127.0.0.1:${yield* closedPort}/orders`
      const error = yield* demo.provider.pipe(withOAuthConfig(server, { API_URL: apiUrl }), output.capture, Effect.flip)
      assert.deepInclude(error, { _tag: "NetworkError", source: "Api", reason: "Transport" })
      const line = demo.failureLine(error)
      assert.strictEqual(line, `effect-oauth2 demo: ${(error as Error).message}`)
      assert.lengthOf(line.match(/\bAPI\b/g) ?? [], 1, line)
    }).pipe(Effect.provide(FakeAuthServer.layer())))

  it.scopedLive(
    "a proxy that answers 407 to CONNECT: fails in one line that mentions 407",
    (ctx) =>
      Effect.gen(function*() {
        const output = capturedOutput(ctx)
        const server = yield* FakeAuthServer.FakeAuthServer
        const proxy = yield* ForwardProxy.make({ requireAuthentication: true })
        yield* withEnv({ ...noProxySettings, HTTP_PROXY: proxy.url })
        const error = yield* demo.provider.pipe(withOAuthConfig(server), output.capture, Effect.flip)
        assert.deepInclude(error, { _tag: "NetworkError", source: "TokenEndpoint" })
        const line = demo.failureLine(error)
        assert.match(line, /^effect-oauth2 demo: [^\n]*\b407\b/, line)
        assert.isAbove((yield* proxy.connects).length, 0)
        assert.strictEqual((yield* server.tokenRequests).length, 0)
      }).pipe(Effect.provide(FakeAuthServer.layer())),
    20_000
  )

  it.scopedLive(
    "a proxy that is down: the failure line says the proxy is unreachable, not the token endpoint",
    (ctx) =>
      Effect.gen(function*() {
        const output = capturedOutput(ctx)
        const server = yield* FakeAuthServer.FakeAuthServer
        const port = yield* closedPort
        yield* withEnv({ ...noProxySettings, HTTP_PROXY: `http://proxy-user:proxy-pass@127.0.0.1:${port}` })
        const error = yield* demo.provider.pipe(withOAuthConfig(server), output.capture, Effect.flip)
        assert.deepInclude(error, { _tag: "NetworkError", source: "TokenEndpoint", reason: "Transport" })
        assert.strictEqual(
          demo.failureLine(error),
          `effect-oauth2 demo: token endpoint ${new URL(server.tokenUrl).origin} not reached: ` +
            `the proxy 127.0.0.1:${port} is unreachable (ECONNREFUSED)`
        )
        assert.include(lines(yield* output.text), `through the proxy http://127.0.0.1:${port}`)
        assert.strictEqual((yield* server.tokenRequests).length, 0)
      }).pipe(Effect.provide(FakeAuthServer.layer())),
    20_000
  )

  it("failureLine: a NetworkError's or TokenError's message as it is, an ApiError's after what the call was", () => {
    const network = new NetworkError.NetworkError({
      reason: "Transport",
      source: "TokenEndpoint",
      origin: "https://login.example.com",
      detail: "ECONNREFUSED"
    })
    const token = new TokenError.TokenError({
      reason: "OAuth",
      origin: "https://login.example.com",
      error: "invalid_client",
      status: 401
    })
    const api = new ApiError.ApiError({ status: 403, method: "GET", url: "https://api.example.com/orders" })
    assert.strictEqual(demo.failureLine(network), `effect-oauth2 demo: ${network.message}`)
    assert.strictEqual(demo.failureLine(token), `effect-oauth2 demo: ${token.message}`)
    assert.strictEqual(demo.failureLine(api), `effect-oauth2 demo: API call ${api.message}`)
  })

  it("failureLine keeps a message of several lines on one", () => {
    assert.strictEqual(
      demo.failureLine(new Error("no token:\n  invalid_client\n")),
      "effect-oauth2 demo: no token: invalid_client"
    )
  })
})

describe("npm start in provider mode", () => {
  it.live(
    "a proxy setting that is not a URL: one line on stderr naming the variable, nothing of its value, exit 1",
    () =>
      Effect.gen(function*() {
        const outcome = yield* npmStart({
          OAUTH_TOKEN_URL: "https://login.example.com/oauth/token",
          OAUTH_CLIENT_ID: "demo-client",
          OAUTH_CLIENT_SECRET: "demo-secret",
          HTTPS_PROXY: `http://alice:${proxyPassword}@[::1`
        })
        assert.isFalse(outcome.timedOut)
        assert.strictEqual(outcome.code, 1)
        assert.deepStrictEqual(lines(outcome.stderr), [
          "effect-oauth2 demo: HTTPS_PROXY is not a proxy URL (http://[user:password@]host:port); its value is not shown"
        ])
        assert.strictEqual(outcome.stdout, "")
        assert.notInclude(outcome.stdout + outcome.stderr, proxyPassword.slice(0, 8))
      }),
    40_000
  )

  it.live(
    "examples/proxy.ts: the same, after what failed",
    () =>
      Effect.gen(function*() {
        const outcome = yield* runExample("examples/proxy.ts", {
          OAUTH_TOKEN_URL: "https://login.example.com/oauth/token",
          OAUTH_CLIENT_ID: "demo-client",
          OAUTH_CLIENT_SECRET: "demo-secret",
          API_URL: "https://api.example.com/orders",
          HTTP_PROXY: `http://alice:${proxyPassword}@proxy.internal:99999`
        })
        assert.isFalse(outcome.timedOut)
        assert.strictEqual(outcome.code, 1)
        assert.deepStrictEqual(lines(outcome.stderr), [
          "Proxy settings: HTTP_PROXY is not a proxy URL (http://[user:password@]host:port); its value is not shown"
        ])
        assert.notInclude(outcome.stdout + outcome.stderr, proxyPassword.slice(0, 8))
      }),
    40_000
  )

  it.scopedLive(
    "goes through the proxy HTTP_PROXY names, and says so without the proxy's credentials",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const proxy = yield* ForwardProxy.make()
        const outcome = yield* npmStart({
          OAUTH_TOKEN_URL: server.tokenUrl,
          OAUTH_CLIENT_ID: FakeAuthServer.defaultClient.clientId,
          OAUTH_CLIENT_SECRET: FakeAuthServer.defaultClient.clientSecret,
          API_URL: `${server.apiUrl}/orders`,
          HTTP_PROXY: proxy.url.replace("http://", "http://proxy-user:proxy-pass@")
        })
        assert.deepStrictEqual({ code: outcome.code, stderr: outcome.stderr }, { code: 0, stderr: "" }, outcome.stdout)
        const authority = new URL(server.tokenUrl).host
        assert.deepStrictEqual(yield* proxy.requests, [
          { method: "POST", authority, path: "/oauth/token" },
          { method: "GET", authority, path: "/api/orders" }
        ])
        assert.include(lines(outcome.stdout), `through the proxy ${proxy.url}`)
        assert.notInclude(outcome.stdout, "proxy-pass")
        assert.notInclude(outcome.stdout, "proxy-user")
      }).pipe(Effect.provide(FakeAuthServer.layer())),
    40_000
  )

  it.live(
    "reports an unreachable token endpoint in one line on stderr, the error's message, and exits 1",
    () =>
      Effect.gen(function*() {
        const origin = `http://127.0.0.1:${yield* closedPort}`
        const outcome = yield* npmStart({
          OAUTH_TOKEN_URL: `${origin}/oauth/token`,
          OAUTH_CLIENT_ID: "demo-client",
          OAUTH_CLIENT_SECRET: "demo-secret"
        })
        assert.isFalse(outcome.timedOut)
        assert.strictEqual(outcome.code, 1)
        const errors = lines(outcome.stderr)
        assert.strictEqual(errors.length, 1, outcome.stderr)
        // the error's message after the demo's name: where the call went and why, each said once
        assert.isTrue(errors[0]!.startsWith("effect-oauth2 demo: "), errors[0])
        const message = errors[0]!.slice("effect-oauth2 demo: ".length)
        assert.lengthOf(message.split(origin), 2, message)
        assert.lengthOf(message.match(/\btoken\b/g) ?? [], 1, message)
        assert.include(message, "ECONNREFUSED")
        assert.notMatch(outcome.stdout, /^\s+at /m, "no stack trace")
        assert.notInclude(outcome.stdout + outcome.stderr, "demo-secret")
      }),
    40_000
  )

  it.scopedLive(
    "reports a wrong client secret in one line on stderr, the error's message, and exits 1",
    () =>
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
        // the message goes on with the server's description and the status
        const refused = new TokenError.TokenError({
          reason: "OAuth",
          origin: new URL(server.tokenUrl).origin,
          error: "invalid_client"
        })
        assert.isTrue(errors[0]!.startsWith(`effect-oauth2 demo: ${refused.message}`), errors[0])
        assert.notMatch(outcome.stdout, /^\s+at /m, "no stack trace")
        assert.notInclude(outcome.stdout + outcome.stderr, "not-the-secret")
      }).pipe(Effect.provide(FakeAuthServer.layer())),
    40_000
  )
})
