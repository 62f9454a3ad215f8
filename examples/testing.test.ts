/**
 * How to test an app that uses effect-oauth2 (`docs/testing.md`), two ways:
 * 1. replace `TokenService` with `TokenServiceTest.layer`, and check what the app asked for;
 * 2. run the real `TokenService` against `FakeAuthServer`, and drive token expiry with `TestClock`.
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { FakeAuthServer, TokenServiceTest } from "@effect-oauth2/testing"
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"

/** The app under test: reads the report API with a `reports:read` token. */
const fetchReport = (apiUrl: string) =>
  Effect.gen(function*() {
    const tokens = yield* TokenService.TokenService
    const token = yield* tokens.getFor({ scopes: ["reports:read"] })
    const http = yield* HttpClient.HttpClient
    const response = yield* http.execute(
      HttpClientRequest.get(`${apiUrl}/reports/1`).pipe(HttpClientRequest.bearerToken(Redacted.value(token.value)))
    )
    return response.status
  })

describe("testing an app with TokenServiceTest", () => {
  it.effect("the app asks for the reports scope and sends the token", () =>
    Effect.gen(function*() {
      const sent: Array<string | undefined> = []
      const http = HttpClient.make((request) => {
        sent.push(request.headers["authorization"])
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{}", { status: 200 })))
      })
      const status = yield* fetchReport("https://api.example.com").pipe(
        Effect.provideService(HttpClient.HttpClient, http)
      )
      const test = yield* TokenServiceTest.TokenServiceTest
      assert.strictEqual(status, 200)
      assert.deepStrictEqual(yield* test.requests, [{ scopes: ["reports:read"] }])
      assert.deepStrictEqual(sent, ["Bearer test-token"])
    }).pipe(Effect.provide(TokenServiceTest.layer({ token: "test-token" }))))
})

describe("testing an app with FakeAuthServer and TestClock", () => {
  const Server = Layer.merge(FakeAuthServer.layer({ tokenLifetime: "10 minutes" }), NodeHttpClient.layerUndici)

  it.scoped("the app keeps working when its token expires: a new one is fetched", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const tokens = yield* TokenService.make({
        tokenUrl: server.tokenUrl,
        clientId: FakeAuthServer.defaultClient.clientId,
        clientSecret: Redacted.make(FakeAuthServer.defaultClient.clientSecret)
      })
      const client = AuthorizedClient.withTokens(yield* HttpClient.HttpClient, { tokens })

      assert.strictEqual((yield* client.get(`${server.apiUrl}/reports/1`)).status, 200)
      // 11 minutes later the first token has expired, on the server too
      yield* TestClock.adjust("11 minutes")
      assert.strictEqual((yield* client.get(`${server.apiUrl}/reports/2`)).status, 200)
      assert.strictEqual((yield* server.tokenRequests).length, 2)
    }).pipe(Effect.provide(Server)))
})
