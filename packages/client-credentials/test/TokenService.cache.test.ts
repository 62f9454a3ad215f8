/**
 * Behaviours 5, 6, 7 and 10: one cache entry per canonical request, one fetch for any number of callers, failures
 * never cached except terminal ones for the cooldown, and `invalidate` that drops only the token it names.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
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

describe("TokenService cache keys (behaviour 5)", () => {
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

describe("TokenService single flight (behaviour 6)", () => {
  it.scoped("1,000 concurrent get on a cold key make exactly one request", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("1 second", Endpoint.token("shared")))
      const service = yield* Service.make(endpoint)
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 1000 }, () => service.get), { concurrency: "unbounded" })
      )
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.adjust("1 second")
      const tokens = yield* Fiber.join(fiber)
      assert.strictEqual(tokens.length, 1000)
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["shared"])
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("1,000 concurrent getFor on a cold key make exactly one request", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const tokens = yield* Effect.all(
        Array.from({ length: 1000 }, (_, i) => service.getFor({ scopes: i % 2 === 0 ? ["x", "y"] : ["y", "x"] })),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["token-1"])
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("the callers share the fetch with its retries", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(503), Endpoint.transportFailure())
      const service = yield* Service.make(endpoint, { retry: Schedule.spaced("1 second") })
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 100 }, () => service.get), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("2 seconds")
      const tokens = yield* Fiber.join(fiber)
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["token-3"])
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("an interrupted caller is released at once and does not stop the fetch for the others", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("10 seconds", Endpoint.token("shared")))
      const service = yield* Service.make(endpoint)
      // the first caller starts the fetch
      const first = yield* Effect.fork(service.get)
      yield* Service.settle
      const others = yield* Effect.fork(
        Effect.all(Array.from({ length: 10 }, () => service.get), { concurrency: "unbounded" })
      )
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 1)
      // no clock time passes: the interruption does not wait for the fetch
      yield* Fiber.interrupt(first)
      assert.isTrue(Exit.isInterrupted(yield* Fiber.await(first)))
      assert.isUndefined(yield* Service.pollNow(others))
      yield* TestClock.adjust("10 seconds")
      const tokens = yield* Fiber.join(others)
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["shared"])
      assert.strictEqual(Service.value(yield* service.get), "shared")
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("when the last caller waiting for a fetch leaves, the fetch stops and the next caller starts another", () =>
    Effect.gen(function*() {
      let abandoned = 0
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.hang(() => abandoned++))
      const service = yield* Service.make(endpoint)
      const first = yield* Effect.fork(service.get)
      const second = yield* Effect.fork(service.get)
      yield* Service.settle
      yield* Fiber.interrupt(first)
      yield* Service.settle
      assert.strictEqual(abandoned, 0, "a caller still waits")
      yield* Fiber.interrupt(second)
      yield* Service.settle
      assert.strictEqual(abandoned, 1, "no caller waits: the request is abandoned")
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("a caller that times out is released at its timeout; the others get the token", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("10 seconds", Endpoint.token("shared")))
      const service = yield* Service.make(endpoint)
      const impatient = yield* Effect.fork(Effect.either(Effect.timeout(service.get, "1 second")))
      yield* Service.settle
      const patient = yield* Effect.fork(service.getFor({}))
      yield* TestClock.adjust("1 second")
      const timedOut = yield* Service.pollNow(impatient)
      assert.isDefined(timedOut)
      assert.isTrue(Exit.isSuccess(timedOut!) && timedOut.value._tag === "Left")
      assert.isUndefined(yield* Service.pollNow(patient))
      yield* TestClock.adjust("9 seconds")
      assert.strictEqual(Service.value(yield* Fiber.join(patient)), "shared")
      assert.strictEqual(endpoint.requests.length, 1)
    }))
})

describe("TokenService failures (behaviour 7)", () => {
  it.scoped("a NetworkError is not kept: the next call, at the same instant, fetches again", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.respond(503), Endpoint.transportFailure(), Endpoint.respond(429))
      const service = yield* Service.make(endpoint, { retry: Schedule.stop })
      const errors = []
      for (let i = 0; i < 3; i++) {
        errors.push(yield* Effect.flip(service.get))
      }
      assert.deepStrictEqual(errors.map((e) => e.reason), ["ServerError", "Transport", "RateLimited"])
      assert.strictEqual(Service.value(yield* service.get), "token-4")
      assert.strictEqual(endpoint.requests.length, 4)
    }))

  it.scoped("a TokenError that is not terminal is remembered for one second, then asked again", () =>
    Effect.gen(function*() {
      const answers = [
        ["InvalidResponse", Endpoint.respond(200, "<html>")],
        ["InvalidResponse", Endpoint.respond(404, "not found")],
        ["OAuth", Endpoint.oauthError("invalid_request")],
        ["OAuth", Endpoint.oauthError("invalid_grant")],
        ["OAuth", Endpoint.oauthError("temporarily_unavailable", 400)]
      ] as const
      for (const [reason, answer] of answers) {
        const endpoint = Endpoint.make()
        endpoint.script(answer)
        yield* TestClock.setTime(0)
        const service = yield* Service.make(endpoint, { retry: Schedule.stop })
        const first = yield* Effect.flip(service.get)
        assert.strictEqual(first.reason, reason)
        for (const at of [0, 500, 999]) {
          yield* TestClock.setTime(at)
          assert.strictEqual(yield* Effect.flip(service.get), first)
        }
        assert.strictEqual(endpoint.requests.length, 1)
        yield* TestClock.setTime(1000)
        assert.strictEqual(Service.value(yield* service.get), "token-2")
        assert.strictEqual(endpoint.requests.length, 2)
      }
    }))

  it.scoped("a transient failure shared by many callers is not cached either", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("1 second", Endpoint.respond(503)))
      const service = yield* Service.make(endpoint, { retry: Schedule.stop })
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 20 }, () => Effect.flip(service.get)), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      const errors = yield* Fiber.join(fiber)
      assert.deepStrictEqual([...new Set(errors.map((e) => e.reason))], ["ServerError"])
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  for (const code of ["invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_scope"]) {
    it.scoped(`${code} is remembered for terminalErrorCooldown (default 5 s), then forgotten`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.oauthError(code, code === "invalid_client" ? 401 : 400))
        const service = yield* Service.make(endpoint)
        const first = yield* Effect.flip(service.get)
        assert.strictEqual(first.reason, "OAuth")
        assert.strictEqual(first._tag === "TokenError" ? first.error : undefined, code)
        for (const at of [0, 1000, 4999]) {
          yield* TestClock.setTime(at)
          assert.strictEqual(yield* Effect.flip(service.get), first)
          assert.strictEqual(yield* Effect.flip(service.getFor({})), first)
        }
        assert.strictEqual(endpoint.requests.length, 1)
        yield* TestClock.setTime(5001)
        assert.strictEqual(Service.value(yield* service.get), "token-2")
        assert.strictEqual(endpoint.requests.length, 2)
      }))
  }

  it.scoped("the cooldown is configurable and kept per request", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({
        otherwise: (request) =>
          request.form.get("scope") === "admin"
            ? Endpoint.oauthError("invalid_scope")(request)
            : Endpoint.token(`token-${endpoint.requests.length}`)(request)
      })
      const service = yield* Service.make(endpoint, { terminalErrorCooldown: "30 seconds" })
      const error = yield* Effect.flip(service.getFor({ scopes: ["admin"] }))
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      yield* TestClock.setTime(29_000)
      assert.strictEqual(yield* Effect.flip(service.getFor({ scopes: ["admin"] })), error)
      assert.strictEqual(endpoint.requests.length, 2)
      yield* TestClock.setTime(30_001)
      yield* Effect.flip(service.getFor({ scopes: ["admin"] }))
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("terminalErrorCooldown 0 turns the cooldown off, for every TokenError", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.oauthError("invalid_client", 401), Endpoint.oauthError("invalid_grant"))
      const service = yield* Service.make(endpoint, { terminalErrorCooldown: 0 })
      const error = yield* Effect.flip(service.get)
      assert.strictEqual(error._tag === "TokenError" ? error.error : undefined, "invalid_client")
      const next = yield* Effect.flip(service.get)
      assert.strictEqual(next._tag === "TokenError" ? next.error : undefined, "invalid_grant")
      assert.strictEqual(Service.value(yield* service.get), "token-3")
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("a TokenError that is not terminal is remembered for terminalErrorCooldown when that is shorter", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.oauthError("invalid_request"), Endpoint.oauthError("invalid_request"))
      const service = yield* Service.make(endpoint, { terminalErrorCooldown: "300 millis" })
      const first = yield* Effect.flip(service.get)
      yield* TestClock.setTime(299)
      assert.strictEqual(yield* Effect.flip(service.get), first)
      yield* TestClock.setTime(300)
      const second = yield* Effect.flip(service.get)
      assert.notStrictEqual(second, first)
      assert.strictEqual(first._tag === "TokenError" ? first.error : undefined, "invalid_request")
      yield* TestClock.setTime(600)
      assert.strictEqual(Service.value(yield* service.get), "token-3")
      assert.strictEqual(endpoint.requests.length, 3)
    }))
})

describe("TokenService.invalidate (behaviour 10)", () => {
  const foreign = new AccessToken.AccessToken({
    value: Redacted.make("not-ours"),
    tokenType: "Bearer",
    scopes: [],
    issuedAt: DateTime.unsafeMake(0),
    expiresAt: DateTime.unsafeMake(3_600_000)
  })

  it.scoped("drops the entry that holds the token, and only while it holds it", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const old = yield* service.get
      yield* service.invalidate(old)
      const fresh = yield* service.get
      assert.strictEqual(Service.value(fresh), "token-2")
      // the entry now holds another token: invalidating the old one again changes nothing
      yield* service.invalidate(old)
      assert.strictEqual(yield* service.get, fresh)
      assert.strictEqual(endpoint.requests.length, 2)

      // the same for a getFor entry, which no hot path shields
      const request = { scopes: ["other"] }
      const oldOther = yield* service.getFor(request)
      yield* service.invalidate(oldOther)
      const freshOther = yield* service.getFor(request)
      assert.strictEqual(Service.value(freshOther), "token-4")
      yield* service.invalidate(oldOther)
      yield* service.invalidate(old)
      assert.strictEqual(yield* service.getFor(request), freshOther)
      assert.strictEqual(endpoint.requests.length, 4)
    }))

  it.scoped("a token with the same value, from elsewhere, is recognised", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const old = yield* service.get
      yield* service.invalidate(new AccessToken.AccessToken({ ...old, scopes: ["copied"] }))
      assert.strictEqual(Service.value(yield* service.get), "token-2")
    }))

  it.scoped("tokens this service did not issue are ignored", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const token = yield* service.get
      const other = yield* service.getFor({ scopes: ["other"] })
      yield* service.invalidate(foreign)
      assert.strictEqual(yield* service.get, token)
      assert.strictEqual(yield* service.getFor({ scopes: ["other"] }), other)
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("drops a getFor entry and leaves the others", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const configured = yield* service.get
      const other = yield* service.getFor({ scopes: ["other"] })
      yield* service.invalidate(other)
      assert.strictEqual(Service.value(yield* service.getFor({ scopes: ["other"] })), "token-3")
      assert.strictEqual(yield* service.get, configured)
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.scoped("50 callers rejecting the same token cause one new fetch", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const old = yield* service.get
      const tokens = yield* Effect.all(
        Array.from({ length: 50 }, () => Effect.zipRight(service.invalidate(old), service.get)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["token-2"])
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("50 callers rejecting the same token, before and after the new one arrives, cause one new fetch", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      for (const request of [{}, { scopes: ["other"] }]) {
        const before = endpoint.requests.length
        const old = yield* service.getFor(request)
        endpoint.script(Endpoint.delayed("100 millis", Endpoint.token(`new-${before}`)))
        // callers reject the old token every 10 ms for 500 ms; the new one arrives after 100 ms
        const fiber = yield* Effect.fork(Effect.all(
          Array.from({ length: 50 }, (_, i) =>
            Effect.sleep(`${i * 10} millis`).pipe(
              Effect.zipRight(service.invalidate(old)),
              Effect.zipRight(service.getFor(request))
            )),
          { concurrency: "unbounded" }
        ))
        yield* TestClock.adjust("1 second")
        const tokens = yield* Fiber.join(fiber)
        assert.deepStrictEqual([...new Set(tokens.map(Service.value))], [`new-${before}`])
        assert.strictEqual(endpoint.requests.length, before + 2)
      }
    }))
})
