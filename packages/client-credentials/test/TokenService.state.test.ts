/**
 * Each request's state, through the whole service: shared work runs with the layer's context, never its first caller's
 * (`docs/behaviour.md#single-flight`); callers reaching the refresh point together start one refresh
 * (`docs/behaviour.md#refresh-ahead`); defects are never kept, late tokens go only to their waiters, and a refresh
 * beats a remembered failure (`docs/behaviour.md#failures-remembered`); once the layer is closed, a call ends at once.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Logs from "./utils/logs.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

/** With the defaults, no jitter and a one-hour token. */
const refreshPoint = 2_832_000

const noJitter = Effect.withRandom(Random.fixed([0]))

describe("TokenService shared work runs with the layer's context, not its first caller's", () => {
  it.scoped("a caller's log level and annotations do not reach the refresh it started", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.token("old"), Endpoint.respond(503))
      const service = yield* Service.make(endpoint, { retry: Schedule.stop }).pipe(Effect.provide(logs.layer))
      yield* service.get
      yield* TestClock.setTime(refreshPoint)
      // the caller that reaches the refresh point silences its own logs and annotates them
      yield* service.get.pipe(
        Effect.annotateLogs("caller", "first-caller-annotation"),
        Logger.withMinimumLogLevel(LogLevel.None)
      )
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 2)
      const warnings = logs.entries.filter((entry) => entry.level === "WARN")
      assert.strictEqual(warnings.length, 1, "the refresh logs at the layer's level")
      assert.notInclude(warnings[0]!.text, "first-caller-annotation")
    }).pipe(noJitter))

  it.scoped("a caller's FetchHttpClient.RequestInit does not reach the refresh it started", () =>
    Effect.gen(function*() {
      const seen: Array<RequestInit | undefined> = []
      const recordingFetch = (_input: RequestInfo | URL, init?: RequestInit) => {
        seen.push(init)
        const body = JSON.stringify({ access_token: "from-fetch", token_type: "Bearer", expires_in: 3600 })
        return Promise.resolve(new Response(body, { status: 200, headers: { "content-type": "application/json" } }))
      }
      const client = FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, recordingFetch)))
      const service = yield* TokenService.make(Service.options).pipe(Effect.provide(client))
      const token = yield* service.get
      yield* TestClock.setTime(refreshPoint)
      const served = yield* service.get.pipe(
        Effect.provideService(FetchHttpClient.RequestInit, { headers: { "x-caller": "first" }, keepalive: true })
      )
      assert.strictEqual(served, token)
      // the refresh answers through a promise: let it land
      for (let i = 0; i < 100 && seen.length < 2; i++) yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      assert.strictEqual(seen.length, 2)
      const init = seen[1]!
      assert.notProperty(init.headers ?? {}, "x-caller")
      assert.isUndefined(init.keepalive)
      assert.strictEqual(init.redirect, "manual")
    }).pipe(noJitter))

  it.effect("a first caller in an uninterruptible region does not make the shared fetch unstoppable", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.hang() })
      const scope = yield* Scope.make()
      const service = yield* Service.make(endpoint, { requestTimeout: "1 second", retry: Schedule.recurs(2) }).pipe(
        Scope.extend(scope)
      )
      const first = yield* Effect.fork(Effect.uninterruptible(Effect.either(service.get)))
      yield* Service.settle
      const second = yield* Effect.fork(Effect.either(service.get))
      yield* Service.settle
      for (let i = 0; i < 3; i++) yield* TestClock.adjust("1 second")
      const [a, b] = [yield* Fiber.join(first), yield* Fiber.join(second)]
      assert.strictEqual(a._tag === "Left" && a.left._tag === "NetworkError" ? a.left.reason : "", "Timeout")
      assert.strictEqual(b._tag === "Left" && b.left._tag === "NetworkError" ? b.left.reason : "", "Timeout")
      assert.strictEqual(endpoint.requests.length, 3)
      // and the scope closes
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      assert.isDefined(yield* Service.pollNow(closing))
    }))
})

describe("TokenService state transitions", () => {
  it.scoped("callers reaching the refresh point together, yielding between their steps, start one refresh", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.token("old"), Endpoint.delayed("1 second", Endpoint.token("new")))
      const service = yield* Service.make(endpoint)
      yield* service.get
      yield* TestClock.setTime(refreshPoint)
      const caller = (i: number) =>
        Effect.gen(function*() {
          for (let step = 0; step < i % 5; step++) yield* Effect.yieldNow()
          const token = yield* service.get
          yield* Effect.yieldNow()
          return token
        })
      const tokens = yield* Effect.all(Array.from({ length: 50 }, (_, i) => caller(i)), { concurrency: "unbounded" })
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["old"])
      assert.strictEqual(endpoint.requests.length, 2)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(Service.value(yield* service.get), "new")
      assert.strictEqual(endpoint.requests.length, 2)
    }).pipe(noJitter))

  it.scoped("a defect in a fetch reaches its callers and is never served to a later one", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(() => Effect.die(new Error("the HttpClient broke")))
      const service = yield* Service.make(endpoint)
      const exit = yield* Effect.exit(service.get)
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Die")
      // the clock has not moved
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("a token that arrives after its own hard expiry goes to the callers that waited, not to later ones", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      // a 60 s token (hard expiry 30 s after the request was sent) answered after 40 s
      endpoint.script(Endpoint.delayed("40 seconds", Endpoint.token("late", { expires_in: 60 })))
      const service = yield* Service.make(endpoint, { requestTimeout: "1 minute" })
      const waiters = yield* Effect.fork(Effect.all([service.get, service.getFor({})], { concurrency: "unbounded" }))
      yield* TestClock.adjust("40 seconds")
      assert.deepStrictEqual((yield* Fiber.join(waiters)).map(Service.value), ["late", "late"])
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("a background refresh that succeeds replaces a failure remembered meanwhile", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(
        Endpoint.token("old"),
        Endpoint.delayed("10 seconds", Endpoint.token("renewed")),
        Endpoint.oauthError("invalid_client", 401)
      )
      const service = yield* Service.make(endpoint, { terminalErrorCooldown: "1 minute" })
      const old = yield* service.get
      yield* TestClock.setTime(refreshPoint)
      assert.strictEqual(yield* service.get, old)
      yield* Service.settle
      // the refresh runs; the token is rejected meanwhile, and the fetch that replaces it fails
      yield* service.invalidate(old)
      const error = yield* Effect.flip(service.get)
      assert.strictEqual(error._tag === "TokenError" ? error.error : undefined, "invalid_client")
      assert.strictEqual(yield* Effect.flip(service.get), error)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(Service.value(yield* service.get), "renewed")
      assert.strictEqual(endpoint.requests.length, 3)
    }).pipe(noJitter))

  it.scoped("a refresh's token that lands on a failure remembered after a rejection is protected as a fetch's is", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(
        Endpoint.token("old"),
        Endpoint.delayed("10 seconds", Endpoint.token("renewed")),
        Endpoint.oauthError("invalid_client", 401)
      )
      const service = yield* Service.make(endpoint, { terminalErrorCooldown: "1 minute" })
      const old = yield* service.get
      yield* TestClock.setTime(refreshPoint)
      yield* service.get
      yield* Service.settle
      // rejected while the refresh runs; the fetch that replaces it fails and is remembered
      yield* service.invalidate(old)
      yield* Effect.flip(service.get)
      yield* TestClock.adjust("10 seconds")
      const renewed = yield* service.get
      assert.strictEqual(Service.value(renewed), "renewed")
      // rejected again within the cool-down: kept, so rejections cost one token request per cool-down
      yield* service.invalidate(renewed)
      assert.strictEqual(Service.value(yield* service.get), "renewed")
      assert.strictEqual(endpoint.requests.length, 3)
    }).pipe(noJitter))

  it.effect("once the layer's scope is closed, a call is interrupted at once instead of waiting for ever", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const scope = yield* Scope.make()
      const service = yield* Service.make(endpoint).pipe(Scope.extend(scope))
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Service.pollNow(yield* Effect.fork(service.get))
      assert.isDefined(exit, "the caller still waits")
      assert.isTrue(Exit.isInterrupted(exit!))
      assert.strictEqual(endpoint.requests.length, 0)
    }))
})
