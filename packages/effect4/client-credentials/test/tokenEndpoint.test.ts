/**
 * The token request on Effect 4's `HttpClient` (`docs/behaviour.md#token-endpoint-answers`): what goes on the wire —
 * a form POST with the client's credentials —, and its answer read as a token, a `TokenError` or a `NetworkError`,
 * with the client secret in none of them. An in-memory client stands for the server.
 */
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import * as clientAuthentication from "../src/internal/clientAuthentication.js"
import * as TokenEndpoint from "../src/internal/tokenEndpoint.js"
import * as tokenRequest from "../src/internal/tokenRequest.js"
import * as NetworkError from "../src/NetworkError.js"
import * as TokenError from "../src/TokenError.js"

const secret = "s3cr3t:%+VALUE"
const destination = { tokenUrl: new URL("https://login.example.com/oauth2/token"), issuer: undefined }
const now = 1_700_000_000_000

/** A server that answers `status` with `body`, and what it was sent. */
const server = (status: number, body: unknown, headers: Record<string, string> = {}) => {
  const sent: Array<{ readonly request: HttpClientRequest.HttpClientRequest; readonly form: string }> = []
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      const form = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      sent.push({ request, form })
      return HttpClientResponse.fromWeb(
        request,
        new Response(typeof body === "string" ? body : JSON.stringify(body), {
          status,
          headers: { "content-type": "application/json", ...headers }
        })
      )
    })
  )
  return { client, sent }
}

const endpointOn = (client: HttpClient.HttpClient) =>
  Effect.map(
    clientAuthentication.make("client-1", {
      _tag: "Secret",
      method: "client_secret_basic",
      secret: Redacted.make(secret)
    }),
    (authentication) =>
      TokenEndpoint.make(client, {
        authentication,
        defaultLifetime: Duration.hours(1),
        tokenTypes: ["Bearer"],
        secrets: [Redacted.make(secret)],
        dpop: undefined
      })
  )

const request = { ...tokenRequest.empty, scopes: ["read"] }

describe("tokenEndpoint on Effect 4", () => {
  it.effect("a form POST with Basic credentials (form-urlencoded first), its answer a token from the clock's time", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const { client, sent } = server(200, { access_token: "tok-1", token_type: "bearer", expires_in: 300 })
      const endpoint = yield* endpointOn(client)
      const issued = yield* endpoint.request(destination, request)
      assert.strictEqual(Redacted.value(issued.token.value), "tok-1")
      assert.strictEqual(issued.token.tokenType, "Bearer")
      assert.deepStrictEqual(issued.token.scopes, ["read"])
      assert.strictEqual(DateTime.toEpochMillis(issued.token.issuedAt), now)
      assert.strictEqual(DateTime.toEpochMillis(issued.token.expiresAt), now + 300_000)
      assert.strictEqual(sent.length, 1)
      const [{ form, request: wire }] = sent as [(typeof sent)[number]]
      assert.strictEqual(wire.method, "POST")
      assert.strictEqual(wire.url, destination.tokenUrl.href)
      assert.strictEqual(wire.headers["accept"], "application/json")
      assert.strictEqual(
        wire.headers["authorization"],
        `Basic ${btoa(`client-1:${encodeURIComponent(secret).replace(/%20/g, "+")}`)}`
      )
      assert.deepStrictEqual(Object.fromEntries(new URLSearchParams(form)), {
        grant_type: "client_credentials",
        scope: "read"
      })
    }))

  it.effect("a 401 with an error response: a TokenError OAuth, with the server's words, without the secret", () =>
    Effect.gen(function*() {
      const { client } = server(401, { error: "invalid_client", error_description: `bad ${secret}` })
      const endpoint = yield* endpointOn(client)
      const error = yield* Effect.flip(endpoint.request(destination, request))
      assert.isTrue(TokenError.isTokenError(error))
      if (!TokenError.isTokenError(error)) return
      assert.strictEqual(error.reason, "OAuth")
      assert.strictEqual(error.error, "invalid_client")
      assert.strictEqual(error.status, 401)
      for (const text of [error.message, JSON.stringify(error), String(error)]) assert.notInclude(text, secret)
    }))

  it.effect("a 503 with Retry-After: a retryable NetworkError carrying it", () =>
    Effect.gen(function*() {
      const { client } = server(503, "busy", { "retry-after": "3" })
      const endpoint = yield* endpointOn(client)
      const error = yield* Effect.flip(endpoint.request(destination, request))
      assert.isTrue(NetworkError.isNetworkError(error))
      if (!NetworkError.isNetworkError(error)) return
      assert.strictEqual(error.reason, "ServerError")
      assert.isTrue(error.isRetryable)
      assert.deepStrictEqual(error.retryAfter, Duration.seconds(3))
    }))

  it.effect("an answer from another URL than the one asked (a redirect a wrapper followed): refused", () =>
    Effect.gen(function*() {
      const { client } = server(200, { access_token: "tok-1", token_type: "Bearer" })
      const redirected = HttpClient.mapRequest(
        client,
        (request) => ({ ...request, url: "https://elsewhere.example/t" })
      )
      const endpoint = yield* endpointOn(redirected as HttpClient.HttpClient)
      const error = yield* Effect.flip(endpoint.request(destination, request))
      assert.isTrue(TokenError.isTokenError(error))
    }))
})
