/**
 * What the Effect 4 line does its own way: the request keys other than the configured one live in Effect's `Cache`
 * (`internal/tokenService.ts`), with a registry of busy cells beside it; fetches and refreshes run on the layer's
 * fibers. The behaviour both lines share is `@effect-oauth2/suites`'.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Cache from "effect/Cache"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/testing/TestClock"
import * as internal from "../src/internal/tokenService.js"
import * as Endpoint from "./utils/endpoint.js"

const options = (extra: Partial<TokenService.PolicyOptions> = {}): TokenService.Options => ({
  tokenUrl: "https://auth.example.com/oauth/token",
  clientId: "client",
  clientSecret: Redacted.make("client-secret"),
  ...extra
})

/** The service `make` builds on `endpoint`, in the test's scope, with its internals. */
const serviceOn = (endpoint: Endpoint.Endpoint, extra: Partial<TokenService.PolicyOptions> = {}) =>
  Effect.map(
    TokenService.make(options(extra)).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client)),
    (service) => {
      if (!internal.isTokenServiceImpl<internal.Cells>(service)) throw new Error("not the service make builds")
      return service
    }
  )

const scoped = (scope: string) => ({ scopes: [scope] })

describe("TokenService on Effect 4: the Cache of request keys", () => {
  it.effect("holds at most cacheCapacity keys, the least recently used dropped first", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* serviceOn(endpoint, { cacheCapacity: 3 })
      for (const scope of ["a", "b", "c", "a", "d"]) yield* service.getFor(scoped(scope))
      assert.strictEqual(yield* Cache.size(service.cells.cache), 3)
      // `a` was used after `b`: `b` was dropped, `a` kept
      yield* service.getFor(scoped("a"))
      assert.strictEqual(endpoint.requests("a"), 1)
      yield* service.getFor(scoped("b"))
      assert.strictEqual(endpoint.requests("b"), 2)
      assert.strictEqual(yield* Cache.size(service.cells.cache), 3)
    }))

  it.effect("never evicts the configured key, which is not in the Cache", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* serviceOn(endpoint, { cacheCapacity: 1 })
      const first = yield* service.get
      for (const scope of ["a", "b", "c"]) yield* service.getFor(scoped(scope))
      assert.strictEqual(yield* Cache.size(service.cells.cache), 1)
      // `get`, and `getFor` of the configured request, go to its cell
      for (const again of [yield* service.get, yield* service.getFor({})]) {
        assert.strictEqual(Redacted.value(again.value), Redacted.value(first.value))
      }
      assert.strictEqual(endpoint.requests(), 1)
    }))

  it.effect("a key evicted while its fetch is in flight is not fetched twice: its next callers join that fetch", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* serviceOn(endpoint, { cacheCapacity: 1 })
      const gate = endpoint.gate("slow")
      const first = yield* Effect.forkChild(service.getFor(scoped("slow")))
      yield* Endpoint.settle()
      assert.strictEqual(endpoint.requests("slow"), 1)
      // another key takes the Cache's only place: `slow` is evicted with its fetch in flight
      yield* service.getFor(scoped("other"))
      assert.strictEqual(yield* Cache.size(service.cells.cache), 1)
      const second = yield* Effect.forkChild(service.getFor(scoped("slow")))
      yield* Endpoint.settle()
      yield* Deferred.succeed(gate, undefined)
      const [a, b] = [yield* Fiber.join(first), yield* Fiber.join(second)]
      assert.strictEqual(endpoint.requests("slow"), 1)
      assert.strictEqual(Redacted.value(a.value), Redacted.value(b.value))
      // the fetch ended: the registry of busy cells holds nothing
      assert.strictEqual(service.cells.busy.size, 0)
    }))

  it.effect("invalidate drops the token and holds nothing more: no entry added, none busy, the next call fetches", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* serviceOn(endpoint, { cacheCapacity: 2, terminalErrorCooldown: "1 second" })
      for (let i = 1; i <= 100; i++) {
        const token = yield* service.getFor(scoped("a"))
        yield* service.invalidate(token)
        assert.isUndefined(yield* service.cells.holding(token))
        // a token that replaced a rejected one is protected for the cool-down
        yield* TestClock.adjust(1000)
      }
      assert.strictEqual(endpoint.requests("a"), 100)
      assert.strictEqual(yield* Cache.size(service.cells.cache), 1)
      assert.strictEqual(service.cells.busy.size, 0)
    }))
})

describe("TokenService on Effect 4: the layer's fibers", () => {
  it.effect("1,000 cold callers share one token request", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* serviceOn(endpoint)
      const gate = endpoint.gate()
      const callers = yield* Effect.forkChild(
        Effect.all(Array.from({ length: 1000 }, () => service.get), { concurrency: "unbounded" })
      )
      yield* Endpoint.settle()
      yield* Deferred.succeed(gate, undefined)
      const tokens = yield* Fiber.join(callers)
      assert.strictEqual(endpoint.requests(), 1)
      assert.deepStrictEqual(new Set(tokens.map((token) => Redacted.value(token.value))), new Set(["token-1"]))
    }))

  it.effect("refreshes ahead in the background: the token is given until the new one is in", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make(100)
      const service = yield* serviceOn(endpoint)
      const first = yield* service.get
      const scheduled = service.cells.configured.peek()!
      yield* TestClock.adjust(Math.ceil(scheduled.refreshAt) + 1)
      const gate = endpoint.gate()
      // past the refresh point: the current token, and a refresh started
      assert.strictEqual(Redacted.value((yield* service.get).value), Redacted.value(first.value))
      yield* Endpoint.settle()
      assert.strictEqual(endpoint.requests(), 2)
      assert.strictEqual(Redacted.value((yield* service.get).value), Redacted.value(first.value))
      yield* Deferred.succeed(gate, undefined)
      yield* Endpoint.settle()
      assert.strictEqual(Redacted.value((yield* service.get).value), "token-2")
      assert.strictEqual(endpoint.requests(), 2)
    }))

  it.effect("closing the layer stops its fetches and refreshes, and answers their callers as interrupted", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make(100)
      const scope = yield* Scope.make()
      const service = yield* serviceOn(endpoint).pipe(Scope.provide(scope))
      // a refresh in flight on the configured key, a fetch in flight on another
      yield* service.get
      yield* TestClock.adjust(Math.ceil(service.cells.configured.peek()!.refreshAt) + 1)
      endpoint.gate()
      endpoint.gate("other")
      yield* service.get
      const caller = yield* Effect.forkChild(service.getFor(scoped("other")))
      yield* Endpoint.settle()
      assert.deepStrictEqual([endpoint.requests(), endpoint.requests("other")], [2, 1])
      yield* Scope.close(scope, Exit.void)
      yield* Endpoint.settle()
      assert.deepStrictEqual([...endpoint.interrupted].sort(), ["", "other"])
      const exit = caller.pollUnsafe()
      assert.isTrue(exit !== undefined && Exit.hasInterrupts(exit))
      // once it is closed, a call that needs a fetch is answered at once, as interrupted, and sends nothing
      const late = yield* Effect.forkChild(service.getFor(scoped("late")))
      yield* Endpoint.settle()
      const lateExit = late.pollUnsafe()
      assert.isTrue(lateExit !== undefined && Exit.hasInterrupts(lateExit))
      assert.strictEqual(endpoint.requests("late"), 0)
    }))
})
