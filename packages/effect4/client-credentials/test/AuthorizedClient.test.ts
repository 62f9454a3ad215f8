/**
 * `AuthorizedClient` on `effect/http` (`docs/api-client.md`), its own work with a token service and an API in memory:
 * the token in `Authorization`; a 401 for the token drops it and sends the request again once with a new one; a
 * request to an origin not allowed is refused before a token is asked for; a non-2xx answer is an `ApiError` and a
 * transport failure a `NetworkError`, neither showing the token. The behaviour both lines share is the suite's
 * (`@effect-oauth2/suites/ApiClient`).
 */
import {
  AccessToken,
  ApiError,
  AuthorizedClient,
  NetworkError,
  TokenError,
  TokenService
} from "@effect-oauth2/client-credentials"
import * as Telemetry from "@effect-oauth2/core/telemetry"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import * as util from "node:util"

const tokenOf = (value: string) =>
  new AccessToken.AccessToken({
    value: Redacted.make(value),
    tokenType: "Bearer",
    scopes: [],
    issuedAt: DateTime.makeUnsafe(0),
    expiresAt: DateTime.makeUnsafe(3_600_000)
  })

/**
 * A token service in memory: `tok-1`, then `tok-2`, … each after an `invalidate` (or, with `keepsValue`, a new token
 * of the same value, as a service within its cool-down gives).
 */
const makeTokens = (options: { readonly keepsValue?: boolean } = {}) => {
  const state = { gets: 0, issued: 1, invalidated: [] as Array<string>, requested: [] as Array<unknown> }
  let current = tokenOf("tok-1")
  const service: TokenService.Service = {
    get: Effect.sync(() => {
      state.gets++
      return current
    }),
    getFor: (request) =>
      Effect.sync(() => {
        state.requested.push(request)
        return current
      }),
    invalidate: (token) =>
      Effect.sync(() => {
        state.invalidated.push(Redacted.value(token.value))
        current = tokenOf(options.keepsValue === true ? Redacted.value(current.value) : `tok-${++state.issued}`)
      })
  }
  return { service, state, layer: Layer.succeed(TokenService.TokenService, service) }
}

/** A request as the API saw it. */
interface Seen {
  readonly url: string
  readonly authorization: string | undefined
  readonly body: string | undefined
}

const bodyText = (request: HttpClientRequest.HttpClientRequest): string | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      return new TextDecoder().decode(body.body)
    case "Raw":
      return String(body.body)
    case "Stream":
      return "<stream>"
    default:
      return undefined
  }
}

/**
 * An API in memory: `answer` says what each request gets, a `Response`, a `Response` from another URL (a redirect
 * followed under the client), or a transport failure whose cause quotes the request's `Authorization` header.
 */
const makeApi = (
  answer: (seen: Seen, index: number) => Response | { readonly redirectedTo: string } | "transport"
) => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request) =>
    Effect.suspend(() => {
      const one = { url: request.url, authorization: request.headers["authorization"], body: bodyText(request) }
      seen.push(one)
      const answered = answer(one, seen.length - 1)
      if (answered === "transport") {
        return Effect.fail(
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.TransportError({
              request,
              cause: new Error(`socket hang up while sending authorization: ${one.authorization}`)
            })
          })
        )
      }
      if ("redirectedTo" in answered) {
        return Effect.succeed(
          HttpClientResponse.fromWeb(HttpClientRequest.get(answered.redirectedTo), new Response(""))
        )
      }
      return Effect.succeed(HttpClientResponse.fromWeb(request, answered))
    })
  )
  return { seen, client, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const ok = () => new Response("{}", { status: 200 })

/** A 401 that rejects every token but `tok-<n>` for `n` ≥ `from`. */
const rejectsBefore = (from: number) => (seen: Seen) =>
  Number(seen.authorization?.replace("Bearer tok-", "")) >= from
    ? ok()
    : new Response("no", { status: 401, headers: { "www-authenticate": "Bearer error=\"invalid_token\"" } })

const withClient = (
  api: ReturnType<typeof makeApi>,
  tokens: ReturnType<typeof makeTokens>,
  options: AuthorizedClient.Options = {}
) => Effect.provide(Layer.provide(AuthorizedClient.layer(options), Layer.merge(api.layer, tokens.layer)))

/** Every printing of `error` an application may make. */
const printings = (error: unknown): ReadonlyArray<string> => [
  String(error),
  JSON.stringify(error),
  util.inspect(error, { depth: 10, showHidden: true }),
  Cause.pretty(Cause.fail(error))
]

describe("AuthorizedClient (Effect 4): the token", () => {
  it.effect("every request carries the token in Authorization, as `<token_type> <token>`", () => {
    const api = makeApi(ok)
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      yield* client.get("https://api.example.com/a")
      yield* client.execute(
        HttpClientRequest.post("https://api.example.com/b").pipe(
          HttpClientRequest.setHeader("authorization", "Basic caller")
        )
      )
      assert.deepStrictEqual(api.seen.map((seen) => seen.authorization), ["Bearer tok-1", "Bearer tok-1"])
    }).pipe(withClient(api, tokens))
  })

  it.effect("the token of `request` when one is given", () => {
    const api = makeApi(ok)
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = AuthorizedClient.withTokens(api.client, { tokens: tokens.service, request: { scopes: ["r"] } })
      yield* client.get("https://api.example.com/a")
      assert.deepStrictEqual(tokens.state.requested, [{ scopes: ["r"] }])
      assert.strictEqual(tokens.state.gets, 0)
    })
  })
})

describe("AuthorizedClient (Effect 4): a 401 for the token", () => {
  it.effect("drops the token and sends the request again, body and all, once with a new token", () => {
    const api = makeApi(rejectsBefore(2))
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const response = yield* client.execute(
        HttpClientRequest.post("https://api.example.com/a").pipe(HttpClientRequest.bodyText("payload"))
      )
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(tokens.state.invalidated, ["tok-1"])
      assert.deepStrictEqual(api.seen, [
        { url: "https://api.example.com/a", authorization: "Bearer tok-1", body: "payload" },
        { url: "https://api.example.com/a", authorization: "Bearer tok-2", body: "payload" }
      ])
    }).pipe(withClient(api, tokens))
  })

  it.effect("the refused answer's body is read before the request is sent again, so its connection is released", () => {
    let pulled = false
    const api = makeApi((seen, index) =>
      index === 0
        ? new Response(
          new ReadableStream({
            pull: (controller) => {
              pulled = true
              controller.close()
            }
          }),
          { status: 401, headers: { "www-authenticate": "Bearer" } }
        )
        : rejectsBefore(2)(seen)
    )
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const response = yield* client.get("https://api.example.com/a")
      assert.strictEqual(response.status, 200)
      assert.isTrue(pulled)
    }).pipe(withClient(api, tokens))
  })

  it.effect("only once: a second 401 is the ApiError, after two requests and one token dropped", () => {
    const api = makeApi(rejectsBefore(9))
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = yield* Effect.flip(client.get("https://api.example.com/a"))
      assert.isTrue(ApiError.isApiError(error))
      assert.strictEqual((error as ApiError.ApiError).status, 401)
      assert.deepStrictEqual(api.seen.map((seen) => seen.authorization), ["Bearer tok-1", "Bearer tok-2"])
      assert.deepStrictEqual(tokens.state.invalidated, ["tok-1"])
    }).pipe(withClient(api, tokens))
  })

  it.effect("a 401 that does not reject the token, or with retryOnUnauthorized off, drops nothing", () => {
    const tokens = makeTokens()
    const scope = makeApi(() =>
      new Response("", { status: 401, headers: { "www-authenticate": "Bearer error=\"insufficient_scope\"" } })
    )
    const plain = makeApi(rejectsBefore(9))
    return Effect.gen(function*() {
      const first = AuthorizedClient.withTokens(scope.client, { tokens: tokens.service })
      yield* Effect.flip(first.get("https://api.example.com/a"))
      const second = AuthorizedClient.withTokens(plain.client, { tokens: tokens.service, retryOnUnauthorized: false })
      yield* Effect.flip(second.get("https://api.example.com/a"))
      assert.strictEqual(scope.seen.length + plain.seen.length, 2)
      assert.deepStrictEqual(tokens.state.invalidated, [])
    })
  })

  it.effect("a streamed body is not sent again, and a token of the same value is not sent again: the 401 is the answer", () => {
    const streamed = makeApi(rejectsBefore(2))
    const same = makeApi(rejectsBefore(9))
    const tokens = makeTokens()
    const keeping = makeTokens({ keepsValue: true })
    return Effect.gen(function*() {
      const client = AuthorizedClient.withTokens(streamed.client, { tokens: tokens.service })
      const error = yield* Effect.flip(client.execute(
        HttpClientRequest.post("https://api.example.com/up").pipe(
          HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("chunk")))
        )
      ))
      assert.strictEqual((error as ApiError.ApiError).status, 401)
      assert.strictEqual(streamed.seen.length, 1)
      assert.deepStrictEqual(tokens.state.invalidated, ["tok-1"])

      const again = AuthorizedClient.withTokens(same.client, { tokens: keeping.service })
      const refused = yield* Effect.flip(again.get("https://api.example.com/a"))
      assert.strictEqual((refused as ApiError.ApiError).status, 401)
      assert.strictEqual(same.seen.length, 1)
      assert.deepStrictEqual(keeping.state.invalidated, ["tok-1"])
    })
  })

  it.effect("a 401 a wrapper turned into an error (filterStatusOk) is recovered from all the same", () => {
    const api = makeApi(rejectsBefore(2))
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = AuthorizedClient.withTokens(HttpClient.filterStatusOk(api.client), { tokens: tokens.service })
      const response = yield* client.get("https://api.example.com/a")
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(tokens.state.invalidated, ["tok-1"])
    })
  })
})

/** The count of the counter `name` over every label set, or those of the client `clientId` only. */
const countOf = (name: string, clientId?: string) =>
  Effect.map(Metric.snapshot, (snapshots) =>
    snapshots.reduce(
      (sum, snapshot) =>
        snapshot.id === name && snapshot.type === "Counter" &&
          (clientId === undefined || snapshot.attributes?.[Telemetry.keys.clientId] === clientId)
          ? sum + Number(snapshot.state.count)
          : sum,
      0
    ))

describe("AuthorizedClient (Effect 4): telemetry", () => {
  it.effect("a rejected token counts a rejection; a request then accepted with a new token, a recovery", () => {
    const recovering = makeApi(rejectsBefore(2))
    const refusing = makeApi(rejectsBefore(9))
    return Effect.gen(function*() {
      const counts = Effect.all([countOf(Telemetry.names.rejections), countOf(Telemetry.names.recoveries)])
      const [rejections, recoveries] = yield* counts
      yield* AuthorizedClient.withTokens(recovering.client, { tokens: makeTokens().service }).get("https://a.example/")
      assert.deepStrictEqual(yield* counts, [rejections + 1, recoveries + 1])
      const refused = AuthorizedClient.withTokens(refusing.client, { tokens: makeTokens().service })
      yield* Effect.flip(refused.get("https://a.example/"))
      assert.deepStrictEqual(yield* counts, [rejections + 2, recoveries + 1])
    })
  })

  it.effect("counted with the labels of the service's client when the service is TokenService's", () => {
    let issued = 0
    const endpoint = HttpClient.make((request) =>
      Effect.sync(() =>
        HttpClientResponse.fromWeb(
          request,
          Response.json({ access_token: `tok-${++issued}`, token_type: "Bearer", expires_in: 3600 })
        )
      )
    )
    const api = makeApi(rejectsBefore(2))
    return Effect.gen(function*() {
      const tokens = yield* TokenService.make({
        tokenUrl: "https://login.example.com/token",
        clientId: "labelled-client",
        clientSecret: Redacted.make("s3cret")
      }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint))
      const response = yield* AuthorizedClient.withTokens(api.client, { tokens }).get("https://api.example.com/a")
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(
        yield* Effect.all([
          countOf(Telemetry.names.rejections, "labelled-client"),
          countOf(Telemetry.names.recoveries, "labelled-client")
        ]),
        [1, 1]
      )
    })
  })
})

describe("AuthorizedClient (Effect 4): allowedOrigins", () => {
  it.effect("a request to another origin fails with TokenError InvalidRequest, before a token is asked for", () => {
    const api = makeApi(ok)
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = yield* Effect.flip(client.get("https://evil.example/steal?x=1"))
      assert.isTrue(TokenError.isTokenError(error))
      assert.strictEqual((error as TokenError.TokenError).reason, "InvalidRequest")
      assert.strictEqual(
        (error as TokenError.TokenError).detail,
        "the origin https://evil.example is not in allowedOrigins; nothing was sent"
      )
      assert.strictEqual(api.seen.length, 0)
      assert.strictEqual(tokens.state.gets, 0)
      const response = yield* client.get("https://api.example.com/a")
      assert.strictEqual(response.status, 200)
    }).pipe(withClient(api, tokens, { allowedOrigins: ["https://api.example.com"] }))
  })

  it.effect("an answer a redirect brought from another origin is refused", () => {
    const api = makeApi(() => ({ redirectedTo: "https://elsewhere.example/x" }))
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = yield* Effect.flip(client.get("https://api.example.com/a"))
      assert.strictEqual(
        (error as TokenError.TokenError).detail,
        "the request was redirected to the origin https://elsewhere.example, which is not in allowedOrigins; " +
          "its answer is not used"
      )
    }).pipe(withClient(api, tokens, { allowedOrigins: ["https://api.example.com"] }))
  })

  it("options that are not what they must be are refused when the client is built", () => {
    const api = makeApi(ok)
    const tokens = makeTokens()
    assert.throws(
      () =>
        AuthorizedClient.withTokens(api.client, { tokens: tokens.service, allowedOrigins: ["https://a.example/v1"] }),
      /^AuthorizedClient: allowedOrigins #1 is not an http\(s\) origin/
    )
    assert.throws(
      () => AuthorizedClient.withTokens(api.client, { tokens: tokens.service, failOnErrorStatus: "no" as never }),
      /^AuthorizedClient: failOnErrorStatus must be a boolean$/
    )
  })
})

describe("AuthorizedClient (Effect 4): errors", () => {
  it.effect("a non-2xx answer is an ApiError: status, method, URL without query, challenge, body; the token redacted", () => {
    const api = makeApi((seen) =>
      new Response(`denied for ${seen.authorization} ${"x".repeat(2000)}`, {
        status: 403,
        headers: { "www-authenticate": "Bearer error=\"insufficient_scope\", error_description=\"tok-1 is read-only\"" }
      })
    )
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = yield* Effect.flip(client.post("https://api.example.com/orders?key=s3cret#top"))
      assert.isTrue(ApiError.isApiError(error))
      const apiError = error as ApiError.ApiError
      assert.strictEqual(apiError.status, 403)
      assert.strictEqual(apiError.method, "POST")
      assert.strictEqual(apiError.url, "https://api.example.com/orders")
      assert.deepStrictEqual(apiError.wwwAuthenticate, {
        scheme: "Bearer",
        params: { error: "insufficient_scope", error_description: "<redacted> is read-only" }
      })
      assert.isTrue(apiError.body?.startsWith("denied for Bearer <redacted> xxx"))
      assert.strictEqual(new TextEncoder().encode(apiError.body).byteLength, ApiError.maxBodyBytes)
      for (const text of printings(apiError)) {
        assert.notInclude(text, "tok-1")
        assert.notInclude(text, "s3cret")
      }
    }).pipe(withClient(api, tokens))
  })

  it.effect("a token that straddles the body's limit is read whole, so the body is redacted, then cut at the limit", () => {
    const api = makeApi((seen) =>
      new Response(`${"x".repeat(ApiError.maxBodyBytes - 3)}${seen.authorization?.slice("Bearer ".length)} and more`, {
        status: 500
      })
    )
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = (yield* Effect.flip(client.get("https://api.example.com/a"))) as ApiError.ApiError
      assert.strictEqual(error.body, `${"x".repeat(ApiError.maxBodyBytes - 3)}<re`)
    }).pipe(withClient(api, tokens))
  })

  it.effect("an error answer whose body stalls is an ApiError without a body after 5 seconds", () => {
    const api = makeApi(() => new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), { status: 503 }))
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const fiber = yield* Effect.forkChild(Effect.flip(client.get("https://api.example.com/a")))
      yield* TestClock.adjust("4999 millis")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      const error = (yield* Fiber.join(fiber)) as ApiError.ApiError
      assert.strictEqual(error.status, 503)
      assert.isUndefined(error.body)
    }).pipe(withClient(api, tokens))
  })

  it.effect("with failOnErrorStatus off, a non-2xx answer is the response", () => {
    const api = makeApi(() => new Response("{}", { status: 404 }))
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const response = yield* client.get("https://api.example.com/a")
      assert.strictEqual(response.status, 404)
    }).pipe(withClient(api, tokens, { failOnErrorStatus: false }))
  })

  it.effect("a transport failure is a NetworkError Transport from the Api, naming the origin, never the token", () => {
    const api = makeApi(() => "transport")
    const tokens = makeTokens()
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      const error = yield* Effect.flip(client.get("https://api.example.com/a?key=s3cret"))
      assert.isTrue(NetworkError.isNetworkError(error))
      const networkError = error as NetworkError.NetworkError
      assert.strictEqual(networkError.reason, "Transport")
      assert.strictEqual(networkError.source, "Api")
      assert.strictEqual(networkError.origin, "https://api.example.com")
      for (const text of printings(networkError)) {
        assert.notInclude(text, "tok-1")
        assert.notInclude(text, "s3cret")
      }
    }).pipe(withClient(api, tokens))
  })
})
