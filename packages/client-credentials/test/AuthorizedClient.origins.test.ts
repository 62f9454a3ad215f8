/**
 * `allowedOrigins` (`docs/api-client.md#allowed-origins`) keeps the token, and the invalidations a 401 causes, with the
 * APIs it names; and a token the `TokenService` hands back unchanged after a rejection is not sent again
 * (`docs/api-client.md#401-recovery`).
 */
import { AccessToken, AuthorizedClient, TokenError, TokenService } from "@effect-oauth2/client-credentials"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as util from "node:util"
import * as FixedTokens from "./authorized/fixedTokens.js"
import * as InMemoryApi from "./authorized/inMemoryApi.js"
import * as Server from "./utils/server.js"

const withClient = (api: ReturnType<typeof InMemoryApi.make>, options: AuthorizedClient.Options = {}) =>
  Effect.provide(Layer.provideMerge(AuthorizedClient.layer(options), api.layer))

/** Every way the error may be printed. */
const printings = (error: unknown, exit: Exit.Exit<unknown, unknown>): Array<string> => [
  String(error),
  (error as Error).message,
  JSON.stringify(error),
  util.inspect(error, { depth: null }),
  Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""
]

describe("AuthorizedClient allowedOrigins", () => {
  it.effect("a request to an origin not listed fails with TokenError InvalidRequest naming the origin only", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const request = client.get("https://us3rname:pa55word@evil.example.com:8443/api/steal?key=k3y-in-query#frag")
      const exit = yield* Effect.exit(request)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      assert.isTrue(Option.isSome(failure), "a typed failure, not a defect")
      const error = Option.getOrThrow(failure)
      assert.isTrue(TokenError.isTokenError(error))
      assert.deepInclude(error, { reason: "InvalidRequest" })
      for (const text of printings(error, exit)) {
        assert.include(text, "https://evil.example.com:8443")
        for (const hidden of ["/api/steal", "k3y-in-query", "pa55word", "us3rname", "frag"]) {
          assert.notInclude(text, hidden)
        }
      }
      // nothing sent, no token fetched
      assert.strictEqual(api.state.apiRequests.length, 0)
      assert.strictEqual(api.state.tokenRequests, 0)
    }).pipe(withClient(api, { allowedOrigins: ["https://api.example.com"] }))
  })

  it.effect("listed origins work; another scheme, host or port receives nothing", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      // the origin as the URL parser normalises it: case, default port, trailing slash
      assert.strictEqual((yield* client.get("https://API.example.com:443/api/a")).status, 200)
      assert.strictEqual((yield* client.get("http://127.0.0.1:8080/api/b?x=1")).status, 200)
      for (
        const url of [
          "http://api.example.com/api/a",
          "https://api.example.com:8443/api/a",
          "https://api.example.com.evil.example/api/a",
          "https://evil.example.com/api/a",
          "http://127.0.0.1:8081/api/b",
          "http://localhost:8080/api/b"
        ]
      ) {
        const error = yield* Effect.flip(client.get(url))
        assert.deepInclude(error, { _tag: "TokenError", reason: "InvalidRequest" }, url)
      }
      assert.deepStrictEqual(api.state.apiRequests.map((request) => request.url), [
        "https://api.example.com/api/a",
        "http://127.0.0.1:8080/api/b?x=1"
      ])
      assert.strictEqual(api.state.tokenRequests, 1)
    }).pipe(withClient(api, { allowedOrigins: ["https://api.example.com/", "http://127.0.0.1:8080"] }))
  })

  it.effect("a relative URL cannot be checked: refused", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = yield* Effect.flip(client.get("/api/a"))
      assert.deepInclude(error, { _tag: "TokenError", reason: "InvalidRequest" })
      assert.strictEqual(api.state.apiRequests.length, 0)
      assert.strictEqual(api.state.tokenRequests, 0)
    }).pipe(withClient(api, { allowedOrigins: ["https://api.example.com"] }))
  })

  it.effect("a base URL set on top of the AuthorizedClient is checked with it", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const client = (yield* AuthorizedClient.AuthorizedClient).pipe(
        HttpClient.mapRequest(HttpClientRequest.prependUrl("https://api.example.com"))
      )
      assert.strictEqual((yield* client.get("/api/a")).status, 200)
      assert.deepStrictEqual(api.state.apiRequests.map((request) => request.url), ["https://api.example.com/api/a"])
    }).pipe(withClient(api, { allowedOrigins: ["https://api.example.com"] }))
  })

  it.effect("an invalid list, or an option of the wrong type, kills the layer when it is built", () => {
    const api = InMemoryApi.make()
    return Effect.gen(function*() {
      const lists: ReadonlyArray<readonly [string, unknown]> = [
        ["an empty list", []],
        ["a string, not a list", "https://api.example.com"],
        ["an empty entry", [""]],
        ["a host without a scheme", ["api.example.com"]],
        ["another scheme", ["ftp://api.example.com"]],
        ["a path", ["https://api.example.com/v1"]],
        ["a query", ["https://api.example.com?x=1"]],
        ["a fragment", ["https://api.example.com#x"]],
        ["credentials", ["https://user:secret@api.example.com"]],
        ["a number", ["https://api.example.com", 443]]
      ]
      const cases: ReadonlyArray<readonly [string, string, unknown]> = [
        ...lists.map(([what, allowedOrigins]) => [what, "allowedOrigins", { allowedOrigins }] as const),
        ["retryOnUnauthorized as a string", "retryOnUnauthorized", { retryOnUnauthorized: "false" }],
        ["failOnErrorStatus as a number", "failOnErrorStatus", { failOnErrorStatus: 0 }]
      ]
      const built: Array<string> = []
      for (const [what, name, options] of cases) {
        const layer = Layer.provideMerge(AuthorizedClient.layer(options as AuthorizedClient.Options), api.layer)
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer)))
        const defect = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        if (Option.isNone(defect) || !Cause.isIllegalArgumentException(defect.value)) {
          built.push(what)
          continue
        }
        assert.include(defect.value.message, name, what)
        assert.notInclude(defect.value.message, "secret", what)
      }
      assert.deepStrictEqual(built, [])
      // withTokens, used directly, throws the same
      const tokens = yield* TokenService.TokenService
      assert.throws(
        () => AuthorizedClient.withTokens(api.client, { tokens, allowedOrigins: ["https://api.example.com/v1"] }),
        /allowedOrigins/
      )
      assert.strictEqual(api.state.tokenRequests, 0)
    }).pipe(Effect.provide(api.layer))
  })

  it.scopedLive("on real sockets: a second origin not in the list receives nothing", () =>
    Effect.gen(function*() {
      const api = yield* Server.start((hit, response) =>
        hit.path === "/token"
          ? Server.sendJson(response, 200, { access_token: "tok-1", token_type: "Bearer", expires_in: 3600 })
          : Server.sendJson(response, 200, { ok: true })
      )
      const other = yield* Server.start((_, response) => Server.sendJson(response, 200, { ok: true }))
      const tokens = TokenService.layer({
        tokenUrl: `${api.url}/token`,
        clientId: "client",
        clientSecret: Redacted.make("client-secret"),
        retry: Schedule.stop
      })
      const layer = Layer.provideMerge(
        AuthorizedClient.layer({ allowedOrigins: [api.url] }),
        Layer.provideMerge(tokens, FetchHttpClient.layer)
      )
      yield* Effect.gen(function*() {
        const client = yield* AuthorizedClient.AuthorizedClient
        const error = yield* Effect.flip(client.get(`${other.url}/hook?token=x`))
        assert.deepInclude(error, { _tag: "TokenError", reason: "InvalidRequest" })
        assert.include(error.message, other.url)
        const response = yield* client.get(`${api.url}/api/x`)
        assert.strictEqual(response.status, 200)
      }).pipe(Effect.provide(layer), Effect.timeout("5 seconds"))
      assert.strictEqual(other.hits.length, 0)
      assert.deepStrictEqual(api.hits.map((hit) => hit.path), ["/token", "/api/x"])
      assert.strictEqual(api.hits[1]?.headers.authorization, "Bearer tok-1")
    }))
})

describe("AuthorizedClient allowedOrigins behind a client that follows redirects", () => {
  it.effect("an answer from an origin not listed is refused, and its 401 drops no token", () =>
    Effect.gen(function*() {
      const invalidated: Array<string> = []
      const tokens = TokenService.TokenService.of({
        ...FixedTokens.make("tok-1"),
        invalidate: (token) => Effect.sync(() => invalidated.push(Redacted.value(token.value)))
      })
      // the API redirects to another origin, which refuses the token
      const hits: Array<string> = []
      const base = HttpClient.make((request, url) =>
        Effect.sync(() => {
          hits.push(url.origin)
          const response = url.origin === "https://api.example.com"
            ? new Response(null, { status: 302, headers: { location: "https://evil.example/collect" } })
            : new Response("no", { status: 401, headers: { "www-authenticate": "Bearer error=\"invalid_token\"" } })
          return HttpClientResponse.fromWeb(request, response)
        })
      )
      const client = AuthorizedClient.withTokens(HttpClient.followRedirects(base), {
        tokens,
        allowedOrigins: ["https://api.example.com"]
      })
      const error = yield* Effect.flip(client.get("https://api.example.com/api/x"))
      assert.isTrue(TokenError.isTokenError(error))
      assert.deepInclude(error, { reason: "InvalidRequest" })
      assert.include(error.message, "https://evil.example")
      // the wrapper followed the redirect (the library cannot stop that), but the 401 was not taken as a rejection
      assert.deepStrictEqual(hits, ["https://api.example.com", "https://evil.example"])
      assert.deepStrictEqual(invalidated, [])
    }))
})

describe("AuthorizedClient after a rejected token", () => {
  /** A `TokenService` that always hands out the same token and whose `invalidate` does nothing. */
  const stubbornTokens = () => {
    const calls = { get: 0, invalidate: 0 }
    const make = () =>
      new AccessToken.AccessToken({
        value: Redacted.make("same-token"),
        tokenType: "Bearer",
        scopes: [],
        issuedAt: DateTime.unsafeMake(0),
        expiresAt: DateTime.unsafeMake(3_600_000)
      })
    const service = TokenService.TokenService.of({
      // a new object with the same value each time, as a token decoded from a shared store would be
      get: Effect.sync(() => {
        calls.get++
        return make()
      }),
      getFor: () => Effect.sync(make),
      invalidate: () =>
        Effect.sync(() => {
          calls.invalidate++
        })
    })
    return { calls, layer: Layer.succeed(TokenService.TokenService, service) }
  }

  /** An API that answers 401 `invalid_token` to everything. */
  const alwaysUnauthorized = () => {
    const requests: Array<string | undefined> = []
    const client = HttpClient.make((request) =>
      Effect.sync(() => {
        requests.push(request.headers["authorization"])
        return HttpClientResponse.fromWeb(
          request,
          new Response("expired", {
            status: 401,
            headers: { "www-authenticate": "Bearer error=\"invalid_token\"" }
          })
        )
      })
    )
    return { requests, layer: Layer.succeed(HttpClient.HttpClient, client) }
  }

  it.effect("the same token back after invalidate: the 401 is the answer, 1 API request per call, not 2", () => {
    const tokens = stubbornTokens()
    const api = alwaysUnauthorized()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      for (let call = 1; call <= 3; call++) {
        const error = yield* Effect.flip(client.get("https://api.example.com/api/x"))
        assert.deepInclude(error, { _tag: "ApiError", status: 401 })
        assert.strictEqual(api.requests.length, call)
      }
      assert.deepStrictEqual(api.requests, ["Bearer same-token", "Bearer same-token", "Bearer same-token"])
      // the rejection is still reported to the service each time
      assert.strictEqual(tokens.calls.invalidate, 3)
    }).pipe(Effect.provide(Layer.provideMerge(AuthorizedClient.layer(), Layer.merge(tokens.layer, api.layer))))
  })
})
