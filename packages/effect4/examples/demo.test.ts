/**
 * The demo on Effect 4: `demo.ts` and its scenes are the Effect 3 examples' files, linked here and compiled against
 * Effect 4 (`docs/development.md#one-source-two-lines`). Against the embedded fake authorization server, every claim
 * holds; the provider mode reads the `OAUTH_*` variables. What the demo prints is captured, and shown only when a test
 * fails. Claims count requests and tokens, never a wall-clock time: timings belong to the bench.
 */
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Console as NodeConsole } from "node:console"
import { Writable } from "node:stream"
import * as demo from "./demo.js"

/** Runs `self` with a `Console` that writes into memory; gives what it printed, and prints it if `self` fails. */
const captured = <A, E, R>(self: Effect.Effect<A, E, R>) => {
  const chunks: Array<string> = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    }
  })
  return self.pipe(
    Effect.provideService(Console.Console, new NodeConsole(sink, sink)),
    Effect.map((value) => [value, chunks.join("")] as const),
    Effect.tapCause(() => Effect.sync(() => process.stdout.write(chunks.join(""))))
  )
}

describe("the demo on Effect 4", () => {
  it.live(
    "its claims all hold against the fake server, one ✔ line each, no secret printed",
    () =>
      Effect.gen(function*() {
        const [checks, printed] = yield* captured(demo.fakeServer)
        assert.isAtLeast(checks.length, 7)
        assert.deepStrictEqual(checks.filter((c) => !c.ok), [])
        const ticks = printed.split("\n").filter((line) => line.trimStart().startsWith("✔"))
        assert.strictEqual(ticks.length, checks.length)
        assert.notInclude(printed, FakeAuthServer.defaultClient.clientSecret)
      }),
    30_000
  )

  it.live("its provider mode gets a token, then the cached one, then calls API_URL", () =>
    Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const env = {
        OAUTH_TOKEN_URL: server.tokenUrl,
        OAUTH_CLIENT_ID: FakeAuthServer.defaultClient.clientId,
        OAUTH_CLIENT_SECRET: FakeAuthServer.defaultClient.clientSecret,
        API_URL: `${server.apiUrl}/orders`
      }
      const [checks] = yield* captured(demo.provider).pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))
      )
      assert.deepStrictEqual(checks.map((c) => c.ok), [true, true])
      assert.strictEqual((yield* server.tokenRequests).length, 1)
      assert.strictEqual(yield* server.apiRequests, 1)
    }).pipe(Effect.provide(Layer.merge(FakeAuthServer.layer(), NodeHttpClient.layerUndici))))
})
