/**
 * Every example runs, against the embedded fake authorization server: `basic.ts` and `multiple-scopes.ts` with
 * their configuration from a `ConfigProvider` as they would read it from the environment, and the demo whole.
 * They assert behaviour (counts, which token a caller got), never a wall-clock time: timings belong to the bench.
 * What the examples print is captured, and shown only when a test fails. The demo is described in
 * `README.md#quick-start`; how the examples are run in `docs/development.md#tests`.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { FakeAuthServer } from "@effect-oauth2/testing"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import * as basic from "./basic.js"
import * as demo from "./demo.js"
import * as multipleScopes from "./multiple-scopes.js"
import { capturedOutput } from "./src/capturedOutput.js"
import { noProxySettings, withEnv } from "./src/processEnv.js"

/** Runs `f` with `OAUTH_*` variables that point at a running fake server. */
const withFakeEnvironment = <A, E, R>(f: (server: FakeAuthServer.Service) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const server = yield* FakeAuthServer.FakeAuthServer
    const env = new Map([
      ["OAUTH_TOKEN_URL", server.tokenUrl],
      ["OAUTH_CLIENT_ID", FakeAuthServer.defaultClient.clientId],
      ["OAUTH_CLIENT_SECRET", FakeAuthServer.defaultClient.clientSecret],
      ["OAUTH_SCOPE", "orders:read orders:write"],
      ["API_URL", `${server.apiUrl}/orders`]
    ])
    return yield* f(server).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(env)))
  }).pipe(Effect.provide(Layer.merge(FakeAuthServer.layer(), NodeHttpClient.layerUndici)))

describe("examples", () => {
  it.live("basic.ts calls the API with a token read from the environment", (ctx) =>
    withFakeEnvironment((server) =>
      Effect.gen(function*() {
        const body = yield* basic.program.pipe(Effect.provide(basic.MainLayer))
        assert.deepInclude(body, { ok: true, method: "GET" })
        const [request] = yield* server.tokenRequests
        assert.deepInclude(request?.params ?? [], ["scope", "orders:read orders:write"])
      })
    ).pipe(capturedOutput(ctx).capture))

  it.live("multiple-scopes.ts gets three different tokens and then the cached one", (ctx) =>
    withFakeEnvironment((server) =>
      Effect.gen(function*() {
        const tokens = yield* multipleScopes.program.pipe(Effect.provide(multipleScopes.MainLayer))
        assert.isTrue(AccessToken.sameValue(tokens.configured, tokens.again))
        assert.isFalse(AccessToken.sameValue(tokens.configured, tokens.reports))
        assert.deepStrictEqual(tokens.reports.scopes, ["reports:read"])
        const requests = yield* server.tokenRequests
        assert.strictEqual(requests.length, 3)
        assert.deepInclude(requests[2]?.params ?? [], ["resource", "https://billing.example.com/"])
      })
    ).pipe(capturedOutput(ctx).capture))

  it.live("the demo's claims all hold against the fake server", (ctx) => {
    const output = capturedOutput(ctx)
    return Effect.gen(function*() {
      const checks = yield* demo.fakeServer
      assert.isAtLeast(checks.length, 7)
      assert.deepStrictEqual(checks.filter((c) => !c.ok), [])
      // the renewal is checked by what callers got while it ran, not by a wall-clock time a loaded machine breaks
      assert.isTrue(checks.some((c) => c.label.startsWith("no caller waited for the token endpoint") && c.ok))
      assert.deepStrictEqual(checks.filter((c) => /\d ms\b/.test(c.label)), [], "no claim rests on a timing")
      // what a user reads: one ✔ line per claim, and no secret
      const printed = yield* output.text
      const ticks = printed.split("\n").filter((line) => line.trimStart().startsWith("✔"))
      assert.strictEqual(ticks.length, checks.length, "one ✔ line per claim")
      assert.notInclude(printed, FakeAuthServer.defaultClient.clientSecret)
    }).pipe(output.capture)
  }, 30_000)

  it.scopedLive("the demo's provider mode gets a token, then the cached one, then calls API_URL", (ctx) =>
    withFakeEnvironment((server) =>
      Effect.gen(function*() {
        // its client honours the proxy variables: none of the runner's may send it elsewhere
        yield* withEnv(noProxySettings)
        const checks = yield* demo.provider
        assert.deepStrictEqual(checks.map((c) => c.ok), [true, true])
        assert.strictEqual((yield* server.tokenRequests).length, 1)
        assert.strictEqual(yield* server.apiRequests, 1)
      })
    ).pipe(capturedOutput(ctx).capture))

  it("the demo asks for all three provider variables or none", () => {
    assert.strictEqual(demo.mode({}), "fake")
    assert.strictEqual(demo.mode({ OAUTH_TOKEN_URL: "u", OAUTH_CLIENT_ID: "i", OAUTH_CLIENT_SECRET: "s" }), "provider")
    assert.deepStrictEqual(demo.mode({ OAUTH_CLIENT_ID: "i" }), {
      missing: [
        "OAUTH_TOKEN_URL or OAUTH_ISSUER",
        "OAUTH_CLIENT_SECRET or OAUTH_PRIVATE_KEY or OAUTH_PRIVATE_KEY_FILE or OAUTH_CLIENT_ASSERTION_FILE"
      ]
    })
    const keyed = {
      OAUTH_ISSUER: "u",
      OAUTH_CLIENT_ID: "i",
      OAUTH_PRIVATE_KEY_FILE: "k",
      OAUTH_AUTH_METHOD: "private_key_jwt"
    }
    assert.strictEqual(demo.mode(keyed), "provider")
  })
})
