/**
 * `AuthorizedClient` (`docs/api-client.md`): every request carries the token; a 401 for the token drops it and sends
 * the request again once with a new one (`docs/api-client.md#401-recovery`), unless the service hands back the same
 * token; `allowedOrigins` keeps the token and the rejections with the APIs it names (`docs/api-client.md#allowed-origins`);
 * a non-2xx answer is an `ApiError` with a bounded body and a transport failure a `NetworkError`, neither showing the
 * token (`docs/api-client.md#errors`). In memory, one scripted network plays the authorization server and the API;
 * on real sockets, the line's `FakeAuthServer` does.
 *
 * @since 0.1.0
 */
import * as Kit from "./internal/kit.js"
import * as Server from "./internal/server.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

/** What the protected API answers to a request whose token it accepts; `undefined` for its usual 200 `ok`. */
type Handler = (request: Line.RecordedRequest) => Line.Answer | undefined

/**
 * An authorization server and a protected API on one scripted network: `/token` issues `tok-1`, `tok-2`, …; `/api/*`
 * accepts unrevoked `tok-` tokens and answers 401 `invalid_token` otherwise.
 */
const inMemoryApi = (handler: Handler = () => undefined) => {
  const state = {
    tokenRequests: 0,
    apiRequests: [] as Array<
      { readonly url: string; readonly authorization: string | undefined; readonly body: string }
    >,
    revoked: new Set<string>(),
    failTransport: false
  }
  const fallback = (request: Line.RecordedRequest): Line.Answer => {
    if (state.failTransport) return Kit.transportError(new Error("ECONNRESET"))
    if (new URL(request.url).pathname === "/token") {
      state.tokenRequests++
      return Kit.token(`tok-${state.tokenRequests}`)
    }
    const authorization = request.headers["authorization"]
    state.apiRequests.push({ url: request.url, authorization, body: request.body })
    const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined
    if (token === undefined || state.revoked.has(token) || !token.startsWith("tok-")) {
      return Kit.respond(401, "no", { "www-authenticate": "Bearer realm=\"api\", error=\"invalid_token\"" })
    }
    return handler(request) ?? Kit.respond(200, "ok")
  }
  return { state, fallback, revokeCurrent: () => state.revoked.add(`tok-${state.tokenRequests}`) }
}

const tokenOptions: Line.ServiceOptions = {
  tokenUrl: "https://auth.example.com/token",
  clientId: "client",
  clientSecret: "client-secret"
}

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  /** Runs `body` with the in-memory API and an `AuthorizedClient` on a token service. */
  const withApi = <A>(
    api: ReturnType<typeof inMemoryApi>,
    options: Line.ClientOptions,
    body: (client: Line.ApiClient, net: Line.Scripted) => Promise<A>
  ) =>
    Kit.withScripted(line, { fallback: api.fallback }, async (net) => {
      const tokens = await net.service(tokenOptions)
      return body(await net.authorizedClient(tokens, options), net)
    })

  const send = async (client: Line.ApiClient, request: Line.ApiRequest | string) =>
    Kit.succeeded(await client.send(typeof request === "string" ? { url: request } : request).outcome)

  describe("AuthorizedClient", () => {
    it("sends every request with the token, as `<token_type> <token>`", () => {
      const api = inMemoryApi()
      return withApi(api, {}, async (client) => {
        assert.strictEqual((await send(client, "https://api.example.com/api/items")).status, 200)
        await send(client, { method: "POST", url: "https://api.example.com/api/items" })
        assert.deepStrictEqual(api.state.apiRequests.map((r) => r.authorization), ["Bearer tok-1", "Bearer tok-1"])
        assert.strictEqual(api.state.tokenRequests, 1)
      })
    })

    it("sends the token of `request` when one is given", () => {
      const api = inMemoryApi()
      return withApi(api, { request: { scopes: ["reports"] } }, async (client, net) => {
        assert.strictEqual((await send(client, "https://api.example.com/api/x")).status, 200)
        assert.deepStrictEqual(Kit.form(net.requests()[0]!).getAll("scope"), ["reports"])
      })
    })
  })

  describe("AuthorizedClient: 401 recovery", () => {
    it("recovers from a revoked token inside the same call: invalidate, fresh token, send again once", () => {
      const api = inMemoryApi()
      return withApi(api, {}, async (client) => {
        await send(client, "https://api.example.com/api/a")
        api.revokeCurrent()
        const response = await send(client, { method: "POST", url: "https://api.example.com/api/a", body: "payload" })
        assert.strictEqual(response.status, 200)
        assert.strictEqual(api.state.tokenRequests, 2)
        const [, refused, resent] = api.state.apiRequests
        assert.strictEqual(refused?.authorization, "Bearer tok-1")
        assert.strictEqual(resent?.authorization, "Bearer tok-2")
        assert.strictEqual(resent?.body, "payload")
      })
    })

    it("100 concurrent requests refused with the same revoked token cause one new token request", () => {
      const api = inMemoryApi()
      return withApi(api, {}, async (client) => {
        await send(client, "https://api.example.com/api/warm")
        api.revokeCurrent()
        const responses = await Promise.all(
          Array.from({ length: 100 }, (_, i) => send(client, `https://api.example.com/api/${i}`))
        )
        assert.isTrue(responses.every((response) => response.status === 200))
        assert.strictEqual(api.state.tokenRequests, 2)
      })
    })

    it("retries a 401 that names no error, but only once", () => {
      const api = inMemoryApi(() => Kit.respond(401, "", { "www-authenticate": "Bearer realm=\"api\"" }))
      return withApi(api, {}, async (client) => {
        const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/x" }))
        assert.strictEqual(error.tag, "ApiError")
        assert.strictEqual(error.fields.status, 401)
        assert.strictEqual(api.state.apiRequests.length, 2)
        assert.strictEqual(api.state.tokenRequests, 2)
      })
    })

    it("does not retry insufficient_scope; the ApiError carries the parsed challenge, the URL without its query", () => {
      const api = inMemoryApi(() =>
        Kit.respond(401, "need admin", { "www-authenticate": "Bearer error=\"insufficient_scope\", scope=\"admin\"" })
      )
      return withApi(api, {}, async (client) => {
        const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/admin?secret=1" }))
        assert.strictEqual(error.tag, "ApiError")
        assert.deepStrictEqual(error.fields.wwwAuthenticate, {
          scheme: "Bearer",
          params: { error: "insufficient_scope", scope: "admin" }
        })
        assert.strictEqual(error.fields.url, "https://api.example.com/api/admin")
        assert.strictEqual(error.fields.method, "GET")
        assert.strictEqual(error.fields.body, "need admin")
        assert.strictEqual(api.state.apiRequests.length, 1)
        assert.strictEqual(api.state.tokenRequests, 1)
      })
    })

    it("does not send a streamed body again: the 401 is the ApiError, and the token is still dropped", () => {
      const api = inMemoryApi()
      return withApi(api, {}, async (client) => {
        await send(client, "https://api.example.com/api/warm")
        api.revokeCurrent()
        const error = await Kit.errorOf(
          client.send({ method: "POST", url: "https://api.example.com/api/upload", body: { stream: "chunk" } })
        )
        assert.strictEqual(error.tag, "ApiError")
        assert.strictEqual(error.fields.status, 401)
        assert.strictEqual(api.state.apiRequests.length, 2)
        assert.strictEqual((await send(client, "https://api.example.com/api/after")).status, 200)
        assert.strictEqual(api.state.tokenRequests, 2)
      })
    })

    it("with retryOnUnauthorized false a 401 is not retried", () => {
      const api = inMemoryApi()
      return withApi(api, { retryOnUnauthorized: false }, async (client) => {
        await send(client, "https://api.example.com/api/warm")
        api.revokeCurrent()
        assert.strictEqual((await Kit.errorOf(client.send({ url: "https://api.example.com/api/x" }))).tag, "ApiError")
        assert.strictEqual(api.state.tokenRequests, 1)
      })
    })

    it("recovers from a revoked token also when the client under it turns statuses into errors", () => {
      const api = inMemoryApi()
      return withApi(api, { under: ["filterStatusOk"] }, async (client) => {
        await send(client, "https://api.example.com/api/warm")
        api.revokeCurrent()
        assert.strictEqual((await send(client, "https://api.example.com/api/after")).status, 200)
        assert.strictEqual(api.state.tokenRequests, 2)
        api.state.revoked.add("tok-2")
        api.state.revoked.add("tok-3")
        const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/again" }))
        assert.strictEqual(error.fields.status, 401)
        assert.strictEqual(
          (error.fields.wwwAuthenticate as { params: Record<string, string> }).params.error,
          "invalid_token"
        )
      })
    })

    it("the same token back after invalidate: the 401 is the answer, 1 API request per call, not 2", () =>
      Kit.withScripted(line, {
        fallback: Kit.respond(401, "expired", { "www-authenticate": "Bearer error=\"invalid_token\"" })
      }, async (net) => {
        // a token source that hands out the same token whatever it is told
        const tokens = net.fixedTokens("same-token")
        const client = await net.authorizedClient(tokens)
        for (let call = 1; call <= 3; call++) {
          const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/x" }))
          assert.deepStrictEqual([error.tag, error.fields.status], ["ApiError", 401])
          assert.strictEqual(net.requests().length, call)
        }
        assert.deepStrictEqual(net.requests().map((request) => request.headers["authorization"]), [
          "Bearer same-token",
          "Bearer same-token",
          "Bearer same-token"
        ])
        // the rejection is still reported each time
        assert.deepStrictEqual(tokens.invalidated(), ["same-token", "same-token", "same-token"])
      }))

    it("20 calls to an API that always answers 401 cost at most 2 token requests; after the cool-down, 1 more", () => {
      const api = inMemoryApi(() => Kit.respond(401, "no", { "www-authenticate": "Bearer error=\"invalid_token\"" }))
      return withApi(api, {}, async (client, net) => {
        for (let i = 0; i < 20; i++) {
          const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/always-401" }))
          assert.strictEqual(error.fields.status, 401)
        }
        assert.isAtMost(api.state.tokenRequests, 2)
        await net.advance(5000)
        await Kit.errorOf(client.send({ url: "https://api.example.com/api/always-401" }))
        assert.isAtMost(api.state.tokenRequests, 3)
      })
    })
  })

  describe("AuthorizedClient: errors", () => {
    it("fails any non-2xx with ApiError: at most 1 KiB of body, the token replaced, in no printing", () => {
      const api = inMemoryApi((request) =>
        Kit.respond(500, `echo ${request.headers["authorization"]} ${"x".repeat(5000)}`)
      )
      return withApi(api, {}, async (client) => {
        const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/x" }))
        assert.strictEqual(error.tag, "ApiError")
        assert.strictEqual(error.fields.status, 500)
        const body = String(error.fields.body)
        assert.isTrue(body.startsWith("echo Bearer <redacted> xxx"))
        assert.strictEqual(body.length, 1024)
        for (const [how, text] of error.printings) {
          assert.notInclude(text, "tok-1", how)
          assert.notInclude(text, "client-secret", how)
        }
      })
    })

    it("with failOnErrorStatus false an error status is the response", () => {
      const api = inMemoryApi(() => Kit.respond(422, "{\"problem\":1}"))
      return withApi(api, { failOnErrorStatus: false }, async (client) => {
        const response = await send(client, "https://api.example.com/api/x")
        assert.strictEqual(response.status, 422)
        assert.deepStrictEqual(JSON.parse(response.body), { problem: 1 })
      })
    })

    it("a transport failure is a NetworkError from the API, with no header in it", () => {
      const api = inMemoryApi()
      return withApi(api, {}, async (client) => {
        await send(client, "https://api.example.com/api/warm")
        api.state.failTransport = true
        const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/x" }))
        assert.strictEqual(error.tag, "NetworkError")
        assert.strictEqual(error.reason, "Transport")
        assert.strictEqual(error.fields.source, "Api")
        for (const [how, text] of error.printings) {
          assert.notInclude(text, "tok-1", how)
          assert.notInclude(text.toLowerCase(), "authorization", how)
        }
      })
    })

    it("an error body is cut by bytes, never in the token", () => {
      const api = inMemoryApi((request) =>
        Kit.respond(
          500,
          `${"€".repeat(100)}${"a".repeat(800)}${request.headers["authorization"]?.slice(7)}${"x".repeat(100)}`
        )
      )
      return withApi(api, {}, async (client) => {
        const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/x" }))
        const body = String(error.fields.body)
        assert.isAtMost(new TextEncoder().encode(body).byteLength, 1024)
        assert.notInclude(body, "tok-")
        assert.notMatch(body, /t$|to$|tok$/)
        assert.isTrue(body.startsWith("€€€"))
      })
    })

    it("an error answer whose body stalls still fails with ApiError, without a body, after 5 s", () => {
      const api = inMemoryApi(() => Kit.respond(503, () => new ReadableStream({ pull: () => new Promise(() => {}) })))
      return withApi(api, {}, async (client, net) => {
        const call = client.send({ url: "https://api.example.com/api/x" })
        await net.advance(4000)
        assert.isUndefined(await call.poll())
        await net.advance(1000)
        const error = await Kit.errorOf(call)
        assert.strictEqual(error.fields.status, 503)
        assert.isUndefined(error.fields.body)
      })
    })

    it("an error answer whose body breaks off still fails with ApiError, without a body, showing no token", () => {
      const api = inMemoryApi((request) =>
        Kit.respond(502, () =>
          new ReadableStream({
            start: (controller) => {
              controller.enqueue(new TextEncoder().encode("partial "))
              controller.error(new Error(`reset while sending ${request.headers["authorization"]}`))
            }
          }))
      )
      return withApi(api, {}, async (client, net) => {
        const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/x" }))
        assert.deepStrictEqual([error.tag, error.fields.status, error.fields.body], ["ApiError", 502, undefined])
        for (const [how, text] of error.printings) assert.notInclude(text, "tok-1", how)
        for (const logged of net.logs()) assert.notInclude(JSON.stringify(logged), "tok-1")
      })
    })

    it("a challenge that echoes the token has it replaced", () => {
      const api = inMemoryApi((request) =>
        Kit.respond(403, "", {
          "www-authenticate": `Bearer error="insufficient_scope", error_description="${
            request.headers["authorization"]
          } lacks admin"`
        })
      )
      return withApi(api, {}, async (client) => {
        const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/x" }))
        const challenge = error.fields.wwwAuthenticate as { readonly params: Record<string, string> }
        assert.strictEqual(challenge.params.error_description, "Bearer <redacted> lacks admin")
        for (const [how, text] of error.printings) assert.notInclude(text, "tok-1", how)
      })
    })
  })

  describe("AuthorizedClient: allowed origins", () => {
    it("a request to an origin not listed fails with TokenError InvalidRequest naming the origin only; nothing sent", () => {
      const api = inMemoryApi()
      return withApi(api, { allowedOrigins: ["https://api.example.com"] }, async (client) => {
        const error = await Kit.errorOf(
          client.send({ url: "https://us3rname:pa55word@evil.example.com:8443/api/steal?key=k3y-in-query#frag" })
        )
        assert.strictEqual(error.tag, "TokenError")
        assert.strictEqual(error.reason, "InvalidRequest")
        for (const [how, text] of error.printings) {
          if (how.startsWith("logged")) continue
          assert.include(text, "https://evil.example.com:8443", how)
          for (const hidden of ["/api/steal", "k3y-in-query", "pa55word", "us3rname", "frag"]) {
            assert.notInclude(text, hidden, how)
          }
        }
        assert.strictEqual(api.state.apiRequests.length, 0)
        assert.strictEqual(api.state.tokenRequests, 0)
      })
    })

    it("listed origins work, as the URL parser writes them; another scheme, host or port receives nothing", () => {
      const api = inMemoryApi()
      return withApi(
        api,
        { allowedOrigins: ["https://api.example.com/", "http://127.0.0.1:8080"] },
        async (client) => {
          assert.strictEqual((await send(client, "https://API.example.com:443/api/a")).status, 200)
          assert.strictEqual((await send(client, "http://127.0.0.1:8080/api/b?x=1")).status, 200)
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
            const error = await Kit.errorOf(client.send({ url }))
            assert.deepStrictEqual([error.tag, error.reason], ["TokenError", "InvalidRequest"], url)
          }
          assert.deepStrictEqual(api.state.apiRequests.map((request) => request.url), [
            "https://api.example.com/api/a",
            "http://127.0.0.1:8080/api/b?x=1"
          ])
          assert.strictEqual(api.state.tokenRequests, 1)
        }
      )
    })

    it("a relative URL cannot be checked: refused; a base URL set on top of the client is checked with it", async () => {
      const api = inMemoryApi()
      await withApi(api, { allowedOrigins: ["https://api.example.com"] }, async (client) => {
        const error = await Kit.errorOf(client.send({ url: "/api/a" }))
        assert.deepStrictEqual([error.tag, error.reason], ["TokenError", "InvalidRequest"])
      })
      assert.strictEqual(api.state.apiRequests.length, 0)
      assert.strictEqual(api.state.tokenRequests, 0)
      await withApi(
        api,
        { allowedOrigins: ["https://api.example.com"], baseUrl: "https://api.example.com" },
        async (client) => {
          assert.strictEqual((await send(client, "/api/a")).status, 200)
          assert.deepStrictEqual(api.state.apiRequests.map((request) => request.url), ["https://api.example.com/api/a"])
        }
      )
    })

    it("an invalid list, or an option of the wrong type, is refused when the client is built, naming the option", () =>
      Kit.withScripted(line, {}, async (net) => {
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
        const cases: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
          ...lists.map(([what, allowedOrigins]) => [what, "allowedOrigins", { allowedOrigins }] as const),
          ["retryOnUnauthorized as a string", "retryOnUnauthorized", { retryOnUnauthorized: "false" }],
          ["failOnErrorStatus as a number", "failOnErrorStatus", { failOnErrorStatus: 0 }]
        ]
        const tokens = await net.service(tokenOptions)
        const built: Array<string> = []
        for (const [what, name, options] of cases) {
          const refusal = await net.authorizedClient(tokens, options as Line.ClientOptions).then(
            () => undefined,
            (error: Error) => error
          )
          if (refusal === undefined) {
            built.push(what)
            continue
          }
          assert.include(refusal.message, name, what)
          assert.notInclude(refusal.message, "secret", what)
        }
        assert.deepStrictEqual(built, [])
        assert.strictEqual(net.requests().length, 0)
      }))

    it("behind a client that follows redirects: an answer from an origin not listed is refused, and its 401 drops no token", () =>
      Kit.withScripted(line, {
        fallback: (request) =>
          new URL(request.url).origin === "https://api.example.com"
            ? Kit.respond(302, undefined, { location: "https://evil.example/collect" })
            : Kit.respond(401, "no", { "www-authenticate": "Bearer error=\"invalid_token\"" })
      }, async (net) => {
        const tokens = net.fixedTokens("tok-1")
        const client = await net.authorizedClient(tokens, {
          allowedOrigins: ["https://api.example.com"],
          under: ["followRedirects"]
        })
        const error = await Kit.errorOf(client.send({ url: "https://api.example.com/api/x" }))
        assert.deepStrictEqual([error.tag, error.reason], ["TokenError", "InvalidRequest"])
        assert.include(error.message, "https://evil.example")
        // the wrapper followed the redirect (the library cannot stop that), but the 401 was not taken as a rejection
        assert.deepStrictEqual(net.requests().map((request) => new URL(request.url).origin), [
          "https://api.example.com",
          "https://evil.example"
        ])
        assert.deepStrictEqual(tokens.invalidated(), [])
      }))
  })

  describe("AuthorizedClient on real sockets, against the line's FakeAuthServer", () => {
    it(
      "a token from the server; a revoked token recovered from once; a second origin not listed receives nothing",
      async () => {
        const fake = await line.fakeAuthServer()
        const other = await Server.start((_, response) => Server.sendJson(response, 200, { ok: true }))
        try {
          await Kit.withLive(line, {}, async (net) => {
            const tokens = await net.service({
              tokenUrl: fake.tokenUrl,
              clientId: fake.client.clientId,
              clientSecret: fake.client.clientSecret,
              retry: { times: 0 }
            })
            const client = await net.authorizedClient(tokens, { allowedOrigins: [new URL(fake.apiUrl).origin] })
            assert.strictEqual((await send(client, `${fake.apiUrl}/orders`)).status, 200)
            assert.strictEqual((await fake.tokenRequests()).length, 1)
            await fake.revoke(await Kit.valueOf(tokens.get()))
            assert.strictEqual((await send(client, `${fake.apiUrl}/orders`)).status, 200)
            assert.strictEqual((await fake.tokenRequests()).length, 2)
            assert.strictEqual(await fake.apiRequests(), 3)
            const refused = await Kit.errorOf(client.send({ url: `${other.url}/hook?token=x` }))
            assert.deepStrictEqual([refused.tag, refused.reason], ["TokenError", "InvalidRequest"])
            assert.include(refused.message, other.url)
          })
          assert.strictEqual(other.hits.length, 0)
        } finally {
          await other.close()
          await fake.close()
        }
      },
      20_000
    )
  })
}
