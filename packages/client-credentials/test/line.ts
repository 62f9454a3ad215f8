/**
 * The Effect 3 line's driver for the behavioural suites of `@effect-oauth2/suites` (`Line`): each call of a suite
 * runs here on Effect 3.22, `@effect/platform` 0.97 and the line's packages, read from source.
 *
 * - A scripted network runs on a `ManagedRuntime` of its own whose clock is `TestClock` (with a wall clock that can
 *   step away from it), its random fixed when asked, its loggers capturing every level; its `HttpClient` is the
 *   scripted endpoint of `line/network.ts`.
 * - A live network runs on a runtime with one of the line's socket clients (undici, Node's `http`, `fetch`).
 * - The `FakeAuthServer` is `@effect-oauth2/testing`'s, built in real time; the Promise API is
 *   `@effect-oauth2/client-credentials/promise`; a fleet replica is `packages/redis/test/fleet/worker.ts`.
 */
import * as PromiseApi from "@effect-oauth2/client-credentials/promise"
import { RedisTokenStore } from "@effect-oauth2/redis"
import * as Driver from "@effect-oauth2/suites/Driver"
import type * as Line from "@effect-oauth2/suites/Line"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { Redis } from "ioredis"
import { fileURLToPath } from "node:url"
import * as Network from "./line/network.js"
import * as Printings from "./line/printings.js"
import * as Telemetry from "./line/telemetry.js"

/** `base`, with a wall clock `step.millis` off its monotonic one. */
const steppedClock = (base: Clock.Clock, step: { millis: number }): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis() + step.millis,
  unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos(),
  currentTimeMillis: Effect.sync(() => base.unsafeCurrentTimeMillis() + step.millis),
  currentTimeNanos: base.currentTimeNanos,
  sleep: (duration) => base.sleep(duration)
})

/** A runner on `runtime`, which provides `client`. */
const runner = (
  runtime: ManagedRuntime.ManagedRuntime<never, never>,
  built: Runtime.Runtime<never>,
  client: HttpClient.HttpClient,
  logs: Array<Line.LogLine>,
  settle: () => Promise<void>
): Network.Runner => ({
  run: (effect) => runtime.runPromiseExit(Effect.scoped(Effect.provideService(effect, HttpClient.HttpClient, client))),
  fork: (effect) => Runtime.runFork(built)(Effect.provideService(effect, HttpClient.HttpClient, client)),
  settle,
  logs,
  dispose: () => runtime.dispose()
})

const scripted = async (
  options: Line.ScriptedOptions = {},
  extra: Telemetry.Extra = Telemetry.none
): Promise<Line.Scripted> => {
  const logs: Array<Line.LogLine> = []
  const step = { millis: 0 }
  const endpoint = Network.endpoint(options.fallback)
  let base: TestClock.TestClock | undefined
  const clockLayer = Layer.unwrapEffect(TestClock.testClockWith((testClock) => {
    base = testClock
    return Effect.succeed(Layer.setClock(steppedClock(testClock, step)))
  }))
  const randomLayer = options.random === undefined ? Layer.empty : Layer.setRandom(Random.fixed([options.random]))
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(clockLayer, randomLayer, Printings.captureLayer(logs), extra.layer).pipe(
      Layer.provideMerge(TestContext.TestContext)
    )
  )
  const built = await runtime.runtime()
  const testClock = base!
  const adjust = (millis: number) => runtime.runPromise(testClock.adjust(millis))
  const network = Network.make(extra.runner(runner(runtime, built, endpoint.client, logs, () => adjust(0))))
  return {
    ...network,
    ...endpoint.state.controls(),
    advance: adjust,
    now: () => Number(testClock.unsafeCurrentTimeNanos()) / 1e6,
    stepWallClock: (millis) => {
      step.millis += millis
    }
  }
}

const httpClientLayers: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["NodeHttpClient (undici)", NodeHttpClient.layerUndici],
  ["NodeHttpClient", NodeHttpClient.layer],
  ["FetchHttpClient", FetchHttpClient.layer]
]

const live = async (options: { readonly httpClient?: string | undefined } = {}): Promise<Line.Network> => {
  const name = options.httpClient ?? httpClientLayers[0]![0]
  const clientLayer = httpClientLayers.find(([candidate]) => candidate === name)?.[1]
  if (clientLayer === undefined) throw new Error(`no HTTP client ${name}`)
  const logs: Array<Line.LogLine> = []
  const runtime = ManagedRuntime.make(Layer.merge(clientLayer, Printings.captureLayer(logs)))
  const built = await runtime.runtime()
  const client = await runtime.runPromise(HttpClient.HttpClient)
  const yieldTimer = () => new Promise<void>((resolve) => setTimeout(resolve, 0))
  return Network.make(
    runner(
      runtime as ManagedRuntime.ManagedRuntime<never, never>,
      built as Runtime.Runtime<never>,
      client,
      logs,
      yieldTimer
    )
  )
}

const fakeAnswers: Driver.FakeAnswers<FakeAuthServer.ScriptedResponse> = {
  ...FakeAuthServer,
  delayed: (millis, answer) => FakeAuthServer.delayed(Duration.millis(millis), answer)
}

const fakeAuthServer = async (options: Line.FakeServerOptions = {}): Promise<Line.FakeServer> => {
  const runtime = ManagedRuntime.make(FakeAuthServer.layer(Driver.fakeServerOptions(options, Duration.seconds)))
  const server = await runtime.runPromise(FakeAuthServer.FakeAuthServer)
  return {
    tokenUrl: server.tokenUrl,
    apiUrl: server.apiUrl,
    client: options.clients?.[0] ?? FakeAuthServer.defaultClient,
    tokenRequests: () =>
      runtime.runPromise(server.tokenRequests).then((requests) => requests.map(Driver.fakeTokenRequest)),
    apiRequests: () => runtime.runPromise(server.apiRequests),
    revoke: (value) => runtime.runPromise(server.revoke(value)),
    script: (...answers) =>
      runtime.runPromise(server.script(...answers.map((answer) => Driver.fakeAnswer(fakeAnswers, answer)))),
    close: () => runtime.dispose()
  }
}

const storedToken = async (redisUrl: string, encryptionKey?: string): Promise<Line.StoredToken> => {
  const client = new Redis(redisUrl)
  try {
    const { hash, key, raw } = await Driver.tokenEntry(client)
    const stored = await Effect.runPromise(
      Effect.gen(function*() {
        const store = yield* RedisTokenStore.make(
          { client },
          encryptionKey === undefined ? {} : { encryptionKey: Redacted.make(encryptionKey) }
        )
        return yield* Effect.orDie(store.get(hash))
      }).pipe(Effect.scoped)
    )
    return { key, raw, value: Redacted.value(Option.getOrThrow(stored).token.value) }
  } finally {
    await client.quit()
  }
}

/** The Effect 3 line. */
export const line: Line.Line = {
  name: "effect3",
  scripted,
  httpClients: httpClientLayers.map(([name]) => name),
  live,
  fakeAuthServer,
  promise: PromiseApi as unknown as Line.PromiseApi,
  fleetWorker: {
    command: process.execPath,
    args: [
      "--conditions=@effect-oauth2/source",
      "--import",
      "tsx",
      fileURLToPath(new URL("../../redis/test/fleet/worker.ts", import.meta.url))
    ],
    cwd: fileURLToPath(new URL("../../../", import.meta.url))
  },
  storedToken,
  telemetry: Telemetry.make(scripted)
}
