/**
 * One cache entry per request (`docs/behaviour.md#single-flight`): a token is kept per canonical form of the whole
 * request, so the same request in another order shares it and different requests never see each other's.
 * `cacheCapacity` bounds the requests kept (`docs/behaviour.md#bounds`), and never drops one whose fetch is in flight.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

/**
 * Issues `<n>:<the request's parameters>`, so a token says which request it answered. A space is sent as `+`:
 * a token never holds one.
 */
const describing = (endpoint: () => Endpoint.ScriptedEndpoint): Endpoint.Answer => (request) => {
  const params = [...request.form].filter(([name]) => name !== "grant_type").map(([n, v]) => `${n}=${v}`).join("&")
  return Endpoint.token(`${endpoint().requests.length}:${params.replaceAll(" ", "+")}`)(request)
}

const describingEndpoint = () => {
  const endpoint: Endpoint.ScriptedEndpoint = Endpoint.make({ otherwise: describing(() => endpoint) })
  return endpoint
}

describe("TokenService cache keys", () => {
  it.scoped("the cached get calls the endpoint once", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const first = yield* service.get
      for (let i = 0; i < 10; i++) {
        assert.strictEqual(yield* service.get, first)
      }
      assert.strictEqual(yield* service.getFor({}), first)
      assert.strictEqual(Service.value(first), "token-1")
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("different requests get different tokens, each cached on its own", () =>
    Effect.gen(function*() {
      const endpoint = describingEndpoint()
      const service = yield* Service.make(endpoint, { scopes: ["read"] })
      const requests = [
        {},
        { scopes: ["write"] },
        { scopes: [] },
        { audience: "https://a.example.com" },
        { audience: "https://b.example.com" },
        { resource: "https://r.example.com/" },
        { resource: ["https://r.example.com/", "https://s.example.com/"] },
        { extraParams: { tenant: "1" } },
        { extraParams: { tenant: "2" } }
      ]
      const tokens = yield* Effect.forEach(requests, (request) => service.getFor(request))
      assert.deepStrictEqual(tokens.map(Service.value), [
        "1:scope=read",
        "2:scope=write",
        "3:",
        "4:scope=read&audience=https://a.example.com",
        "5:scope=read&audience=https://b.example.com",
        "6:scope=read&resource=https://r.example.com/",
        "7:scope=read&resource=https://r.example.com/&resource=https://s.example.com/",
        "8:scope=read&tenant=1",
        "9:scope=read&tenant=2"
      ])
      const again = yield* Effect.forEach(requests, (request) => service.getFor(request))
      assert.deepStrictEqual(again.map(Service.value), tokens.map(Service.value))
      assert.strictEqual(Service.value(yield* service.get), "1:scope=read")
      assert.strictEqual(endpoint.requests.length, requests.length)
    }))

  it.scoped("the same request in another order, or with duplicates, shares the key", () =>
    Effect.gen(function*() {
      const endpoint = describingEndpoint()
      const service = yield* Service.make(endpoint, { scopes: ["b", "a"], extraParams: { y: "2", x: "1" } })
      const configured = yield* service.get
      assert.strictEqual(Service.value(configured), "1:scope=a+b&x=1&y=2")
      for (
        const request of [
          { scopes: ["a", "b"] },
          { scopes: ["b", "a", "b"] },
          { extraParams: { x: "1", y: "2" } },
          { extraParams: { y: "2" } }
        ]
      ) {
        assert.strictEqual(Service.value(yield* service.getFor(request)), "1:scope=a+b&x=1&y=2")
      }
      const r1 = yield* service.getFor({
        resource: ["https://s.example.com/", "https://r.example.com/"],
        scopes: ["c"]
      })
      const r2 = yield* service.getFor({
        resource: ["https://r.example.com/", "https://s.example.com/", "https://r.example.com/"],
        scopes: ["c", "c"]
      })
      assert.strictEqual(r2, r1)
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("cacheCapacity bounds the distinct requests kept", () =>
    Effect.gen(function*() {
      const endpoint = describingEndpoint()
      const service = yield* Service.make(endpoint, { cacheCapacity: 2 })
      for (const scope of ["a", "b", "c"]) yield* service.getFor({ scopes: [scope] })
      assert.strictEqual(endpoint.requests.length, 3)
      // the two newest are kept, the oldest was dropped
      assert.strictEqual(Service.value(yield* service.getFor({ scopes: ["c"] })), "3:scope=c")
      assert.strictEqual(Service.value(yield* service.getFor({ scopes: ["b"] })), "2:scope=b")
      assert.strictEqual(endpoint.requests.length, 3)
      assert.strictEqual(Service.value(yield* service.getFor({ scopes: ["a"] })), "4:scope=a")
    }))

  it.scoped("a request whose fetch is in flight is not dropped to make room: its callers still share one fetch", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.delayed("1 second", describing(() => endpoint)) })
      const service = yield* Service.make(endpoint, { cacheCapacity: 1 })
      const first = yield* Effect.fork(service.getFor({ scopes: ["a"] }))
      yield* Service.settle
      const other = yield* Effect.fork(service.getFor({ scopes: ["b"] }))
      yield* Service.settle
      const again = yield* Effect.fork(service.getFor({ scopes: ["a"] }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(Service.value(yield* Fiber.join(first)), Service.value(yield* Fiber.join(again)))
      yield* Fiber.join(other)
      assert.deepStrictEqual(endpoint.requests.map((request) => request.form.get("scope")), ["a", "b"])
    }))

  it.scoped("two requests issued at the same moment never receive each other's token", () =>
    Effect.gen(function*() {
      // the first request is answered last
      const endpoint: Endpoint.ScriptedEndpoint = Endpoint.make({
        otherwise: (request) =>
          Endpoint.delayed(request.form.get("scope") === "a" ? "2 seconds" : "1 second", describing(() => endpoint))(
            request
          )
      })
      const service = yield* Service.make(endpoint)
      const callers = Array.from({ length: 200 }, (_, i) => {
        const scope = ["a", "b", "c", "d"][i % 4]!
        return Effect.map(service.getFor({ scopes: [scope] }), (token) => [scope, Service.value(token)] as const)
      })
      const fiber = yield* Effect.fork(Effect.all(callers, { concurrency: "unbounded" }))
      yield* TestClock.adjust("2 seconds")
      const results = yield* Fiber.join(fiber)
      for (const [scope, token] of results) {
        assert.match(token, new RegExp(`^\\d:scope=${scope}$`))
      }
      assert.strictEqual(new Set(results.map(([, token]) => token)).size, 4)
      assert.strictEqual(endpoint.requests.length, 4)
    }))
})
