/**
 * The Effect 4 shell of the Promise API (`docs/promise.md`): what it does itself, around the core's
 * `promiseClient` and `authorizedFetch` and the line's `TokenService`. Its behaviour is `@effect-oauth2/suites`'s
 * `PromiseApi` suite, run for each line; here: a token from a local server through the runtime, `close()` ending the
 * runtime's fibers, rejections with the Promise API's own classes, and no secret in any of them.
 */
import * as Server from "@effect-oauth2/suites/fixtures/PromiseServer"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as util from "node:util"
import * as NetworkErrorModule from "../src/NetworkError.js"
import * as Promise_ from "../src/promise.js"
import * as TokenErrorModule from "../src/TokenError.js"

const secret = "s3cret-VALUE-never-shown"

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error)

/** Every printing of an error: what a leak check reads. */
const printings = (error: unknown): ReadonlyArray<string> => [
  String(error),
  (error as Error).message,
  JSON.stringify(error),
  util.inspect(error, { depth: 10, showHidden: true })
]

const assertNoSecret = (error: unknown, ...values: ReadonlyArray<string>) => {
  for (const text of printings(error)) {
    for (const value of [secret, ...values]) assert.notInclude(text, value)
  }
}

const options = (server: Server.TestServer): Promise_.Options => ({
  tokenUrl: server.tokenUrl,
  clientId: "app",
  clientSecret: secret,
  retry: Schedule.recurs(0),
  requestTimeout: "2 seconds"
})

describe("promise (Effect 4): a token through the runtime", () => {
  it("gets the token from the server, and fetch sends it", () =>
    Server.withServer(undefined, async (server) => {
      const client = Promise_.createTokenClient(options(server))
      try {
        assert.strictEqual(await client.getToken(), "t1")
        const response = await client.fetch(`${server.url}/api`)
        assert.strictEqual(response.status, 200)
        assert.strictEqual(await response.text(), "ok")
        assert.deepStrictEqual(server.apiRequests.map((hit) => hit.authorization), ["Bearer t1"])
        assert.strictEqual(server.tokenRequests.length, 1)
        assert.strictEqual(
          server.tokenRequests[0]!.authorization,
          `Basic ${Buffer.from(`app:${secret}`).toString("base64")}`
        )
      } finally {
        await client.close()
      }
      // the token is still fresh, yet a closed client serves nothing
      assert.instanceOf(await rejection(client.getToken()), Promise_.ClosedError)
      assert.instanceOf(await rejection(client.getToken({ scopes: ["other"] })), Promise_.ClosedError)
    }))

  it("fetches through the HTTP client given, with the token and the 401 rule", () =>
    Server.withServer(Server.refusesT1, async (server) => {
      const client = Promise_.createTokenClient({ ...options(server), httpClient: FetchHttpClient.layer })
      try {
        const response = await client.fetch(`${server.url}/api`, { method: "POST", body: "payload" })
        assert.strictEqual(response.status, 200)
        assert.strictEqual(await response.text(), `ok ${"payload".length}`)
        assert.deepStrictEqual(server.apiRequests.map((hit) => hit.authorization), ["Bearer t1", "Bearer t2"])
      } finally {
        await client.close()
      }
    }))

  it("serves a fresh configured token without entering the runtime: within two microtasks", () =>
    Server.withServer(undefined, async (server) => {
      const client = Promise_.createTokenClient(options(server))
      try {
        assert.strictEqual(await client.getToken(), "t1")
        let served: string | undefined
        void client.getToken().then((value) => {
          served = value
        })
        await Promise.resolve()
        await Promise.resolve()
        assert.strictEqual(served, "t1")
      } finally {
        await client.close()
      }
    }))

  it("rejects a fetch whose API is unreachable with the line's NetworkError, holding no secret", async () => {
    const gone = await Server.start()
    await gone.close()
    await Server.withServer(undefined, async (server) => {
      const client = Promise_.createTokenClient(options(server))
      try {
        const error = await rejection(client.fetch(`${gone.url}/api`))
        assert.instanceOf(error, Promise_.NetworkError)
        assert.strictEqual((error as Promise_.NetworkError).source, "Api")
        assert.strictEqual((error as Promise_.NetworkError).origin, gone.url)
        assertNoSecret(error)
      } finally {
        await client.close()
      }
    })
  })

  it("gets a token for another request through the service", () =>
    Server.withServer(undefined, async (server) => {
      const client = Promise_.createTokenClient(options(server))
      try {
        assert.strictEqual(await client.getToken({ scopes: ["other"] }), "t1")
        assert.strictEqual(await client.getToken(), "t2")
      } finally {
        await client.close()
      }
    }))
})

describe("promise (Effect 4): a body past the replay limit, through the HTTP client given", () => {
  it("is sent once, streamed: after a 401 that rejects the token, the 401 is the answer", () =>
    Server.withServer((hit, response) => {
      response.writeHead(hit.authorization === "Bearer t1" ? 401 : 200, {
        "www-authenticate": "Bearer error=\"invalid_token\""
      })
      response.end(`got ${hit.body}`)
    }, async (server) => {
      const client = Promise_.createTokenClient({
        ...options(server),
        httpClient: FetchHttpClient.layer,
        replayBodyLimit: 4
      })
      try {
        const response = await client.fetch(`${server.url}/api`, { method: "POST", body: "more than four" })
        assert.strictEqual(response.status, 401)
        assert.strictEqual(await response.text(), "got more than four")
        assert.deepStrictEqual(server.apiRequests.map((hit) => hit.body), ["more than four"])
      } finally {
        await client.close()
      }
    }))
})

describe("promise (Effect 4): close", () => {
  it("ends every fiber of the runtime: the service's token request too, and the call waiting for it", async () => {
    const state = { started: 0, interrupted: 0 }
    const hangs = HttpClient.make(() =>
      Effect.suspend(() => {
        state.started++
        return Effect.never
      }).pipe(Effect.onInterrupt(() => Effect.sync(() => void state.interrupted++)))
    )
    const client = Promise_.createTokenClient({
      tokenUrl: "http://127.0.0.1:9/token",
      clientId: "app",
      clientSecret: secret,
      httpClient: Layer.succeed(HttpClient.HttpClient, hangs)
    })
    const waiting = rejection(client.getToken())
    const other = rejection(client.getToken({ scopes: ["other"] }))
    for (let i = 0; i < 100 && state.started < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.strictEqual(state.started, 2)
    await client.close()
    assert.strictEqual(state.interrupted, 2)
    assert.instanceOf(await waiting, Promise_.ClosedError)
    assert.instanceOf(await other, Promise_.ClosedError)
    assert.instanceOf(await rejection(client.getToken()), Promise_.ClosedError)
    assert.instanceOf(await rejection(client.fetch("http://127.0.0.1:9/api")), Promise_.ClosedError)
  })

  it("ends a fetch through the HTTP client given that waits for its answer, and releases that client", () =>
    Server.withServer(undefined, async (server) => {
      const state = { apiCalls: 0, interrupted: 0, released: 0 }
      const httpClient = Layer.effect(
        HttpClient.HttpClient,
        Effect.acquireRelease(
          Effect.map(Effect.service(HttpClient.HttpClient), (fetching) =>
            HttpClient.make((request, url) => {
              if (url.pathname === "/token") return fetching.execute(request)
              state.apiCalls++
              return Effect.onInterrupt(Effect.never, () => Effect.sync(() => void state.interrupted++))
            })),
          () => Effect.sync(() => void state.released++)
        )
      ).pipe(Layer.provide(FetchHttpClient.layer))
      const client = Promise_.createTokenClient({ ...options(server), httpClient })
      const waiting = rejection(client.fetch(`${server.url}/api`))
      for (let i = 0; i < 100 && state.apiCalls < 1; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      assert.strictEqual(state.apiCalls, 1)
      await client.close()
      assert.strictEqual(state.interrupted, 1)
      assert.strictEqual(state.released, 1)
      assert.instanceOf(await waiting, Promise_.ClosedError)
    }))
})

describe("promise (Effect 4): fetch through the HTTP client given", () => {
  /** An HTTP client layer: the token endpoint on the platform's fetch, the API as `api` says. */
  const apiClient = (api: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<Response>) =>
    Layer.effect(
      HttpClient.HttpClient,
      Effect.map(Effect.service(HttpClient.HttpClient), (fetching) =>
        HttpClient.make((request, url) =>
          url.pathname === "/token"
            ? fetching.execute(request)
            : Effect.map(api(request), (web) =>
              HttpClientResponse.fromWeb(request, web))
        ))
    ).pipe(Layer.provide(FetchHttpClient.layer))

  it("rejects with the signal's reason when it aborts, and ends the call", () =>
    Server.withServer(undefined, async (server) => {
      const state = { started: 0, interrupted: 0 }
      const client = Promise_.createTokenClient({
        ...options(server),
        httpClient: apiClient(() =>
          Effect.suspend(() => {
            state.started++
            return Effect.never
          }).pipe(Effect.onInterrupt(() => Effect.sync(() => void state.interrupted++)))
        )
      })
      try {
        const controller = new AbortController()
        const waiting = rejection(client.fetch(`${server.url}/api`, { signal: controller.signal }))
        for (let i = 0; i < 100 && state.started < 1; i++) await new Promise((resolve) => setTimeout(resolve, 10))
        const reason = new Error("left")
        controller.abort(reason)
        assert.strictEqual(await waiting, reason)
        assert.strictEqual(state.interrupted, 1)
      } finally {
        await client.close()
      }
    }))

  it("gives an answer whose body breaks off a body that fails with the line's NetworkError, holding no secret", () =>
    Server.withServer(undefined, async (server) => {
      const client = Promise_.createTokenClient({
        ...options(server),
        httpClient: apiClient(() =>
          Effect.succeed(
            new Response(
              new ReadableStream<Uint8Array>({
                start: (controller) => {
                  controller.enqueue(new TextEncoder().encode("part"))
                  controller.error(new Error(`reset while sending t1 ${secret}`))
                }
              }),
              { status: 200 }
            )
          )
        )
      })
      try {
        const response = await client.fetch(`${server.url}/api`)
        assert.strictEqual(response.status, 200)
        const error = await rejection(response.text())
        assert.instanceOf(error, Promise_.NetworkError)
        assert.strictEqual((error as Promise_.NetworkError).source, "Api")
        assert.strictEqual((error as Promise_.NetworkError).status, 200)
        assert.strictEqual((error as Promise_.NetworkError).origin, server.url)
        assertNoSecret(error)
      } finally {
        await client.close()
      }
    }))
})

describe("promise (Effect 4): errors", () => {
  it("rejects with the line's TokenError, which holds no secret", () =>
    Server.withServer(undefined, async (server) => {
      server.tokenStatus = 401
      const client = Promise_.createTokenClient(options(server))
      try {
        const error = await rejection(client.getToken())
        assert.instanceOf(error, Promise_.TokenError)
        assert.strictEqual(Promise_.TokenError, TokenErrorModule.TokenError)
        assert.strictEqual((error as Promise_.TokenError).reason, "OAuth")
        assert.strictEqual((error as Promise_.TokenError).error, "invalid_client")
        assertNoSecret(error, Buffer.from(`app:${secret}`).toString("base64"))
      } finally {
        await client.close()
      }
    }))

  it("rejects with the line's NetworkError when nothing answers, from getToken and fetch", async () => {
    const server = await Server.start()
    const url = server.url
    await server.close()
    const client = Promise_.createTokenClient({
      tokenUrl: `${url}/token`,
      clientId: "app",
      clientSecret: secret,
      retry: Schedule.recurs(0),
      requestTimeout: "2 seconds"
    })
    try {
      const error = await rejection(client.getToken())
      assert.instanceOf(error, Promise_.NetworkError)
      assert.strictEqual(Promise_.NetworkError, NetworkErrorModule.NetworkError)
      assert.strictEqual((error as Promise_.NetworkError).source, "TokenEndpoint")
      assertNoSecret(error)
      const fetched = await rejection(client.fetch(`${url}/api`))
      assert.instanceOf(fetched, Promise_.NetworkError)
      assertNoSecret(fetched)
    } finally {
      await client.close()
    }
  })

  it("throws a TypeError naming the option, never its value", () => {
    let thrown: unknown
    try {
      Promise_.createTokenClient({ tokenUrl: "not a url", clientId: "app", clientSecret: secret })
    } catch (error) {
      thrown = error
    }
    assert.instanceOf(thrown, TypeError)
    assert.match((thrown as Error).message, /^createTokenClient: tokenUrl /)
    assertNoSecret(thrown)
  })

  it("rejects a call after close with ClosedError, its message the core's", async () => {
    const client = Promise_.createTokenClient({
      tokenUrl: "http://127.0.0.1:9/token",
      clientId: "app",
      clientSecret: secret
    })
    await client.close()
    await client.close()
    const error = await rejection(client.getToken())
    assert.instanceOf(error, Promise_.ClosedError)
    assert.strictEqual((error as Error).message, "createTokenClient: the client is closed")
    assertNoSecret(error)
  })
})
