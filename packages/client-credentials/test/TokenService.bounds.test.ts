/**
 * Bounds that hold whatever the servers do (`docs/behaviour.md#bounds`): flat memory however often tokens are dropped,
 * least-recently-used eviction that never drops the configured request, no token request storm from an API that rejects
 * every token, no fetch that outlives its callers, and answers that retrying will not change answered from memory.
 */
import { AuthorizedClient } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import * as InMemoryApi from "./authorized/inMemoryApi.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const execFileAsync = promisify(execFile)

/** Runs `memory/dropCycles.ts` in a process of its own: a test runner keeps data per error and stack it sees. */
const bytesPerCycle = async (scenario: "rejected" | "failed"): Promise<number> => {
  const script = fileURLToPath(new URL("memory/dropCycles.ts", import.meta.url))
  const { stdout } = await execFileAsync(
    process.execPath,
    ["--conditions=@effect-oauth2/source", "--import", "tsx", script, scenario],
    { timeout: 110_000 }
  )
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as { scenario: string; bytesPerCycle: number }
  assert.strictEqual(result.scenario, scenario)
  return result.bytesPerCycle
}

describe("TokenService memory", () => {
  // the window measured shows up to about 50 bytes of warm-up; Effect 3's `Cache` holding the tokens would keep
  // 260-270 bytes for good per "rejected" cycle (two tokens dropped)
  const maxBytesPerCycle = 100

  it("stays flat however many times tokens are dropped and fetched again, or fetches fail", async () => {
    const [rejected, failed] = await Promise.all([bytesPerCycle("rejected"), bytesPerCycle("failed")])
    assert.isBelow(rejected, maxBytesPerCycle, `dropped tokens: ${rejected.toFixed(1)} B per cycle`)
    assert.isBelow(failed, maxBytesPerCycle, `failed fetches: ${failed.toFixed(1)} B per cycle`)
  }, 120_000)
})

describe("TokenService eviction", () => {
  it.scoped("drops the least recently used request first", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { cacheCapacity: 3 })
      const request = (name: string) => service.getFor({ scopes: [name] })
      for (let round = 0; round < 50; round++) {
        // a, b, c fill the cache; a is used again; d pushes out the least recently used: b
        for (const name of ["a", "b", "c", "a", "d"]) yield* request(`${round}${name}`)
        const before = endpoint.requests.length
        for (const name of ["a", "c", "d"]) yield* request(`${round}${name}`)
        assert.strictEqual(endpoint.requests.length, before, `round ${round}: a live request was dropped`)
        yield* request(`${round}b`)
        assert.strictEqual(endpoint.requests.length, before + 1)
      }
    }))

  it.scoped("the configured token is never evicted: past its refresh point it is served at once and refreshed", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { cacheCapacity: 1, refreshAhead: 0.5 })
      const configured = yield* service.get
      // two other requests fill a cache of one, which does not count the configured request
      yield* service.getFor({ scopes: ["a"] })
      yield* service.getFor({ scopes: ["b"] })
      const requestsBefore = endpoint.requests.length
      endpoint.script(Endpoint.delayed("10 seconds", Endpoint.token("renewed")))
      yield* TestClock.setTime(2_000_000)
      const fiber = yield* Effect.fork(service.get)
      const served = yield* Service.pollNow(fiber)
      assert.isDefined(served, "the caller waited for the token endpoint")
      assert.strictEqual(Service.value(yield* Fiber.join(fiber)), Service.value(configured))
      assert.strictEqual(endpoint.requests.length, requestsBefore + 1)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(Service.value(yield* service.get), "renewed")
    }))
})

describe("TokenService under an API that rejects every token", () => {
  it.scoped("a token that replaced a rejected one is not dropped by a rejection within the cool-down", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const first = yield* service.get
      // the first rejection of a token counts
      yield* service.invalidate(first)
      const second = yield* service.get
      assert.strictEqual(Service.value(second), "token-2")
      // its replacement is kept through rejections for terminalErrorCooldown (5 s)
      yield* TestClock.setTime(4_999)
      yield* service.invalidate(second)
      assert.strictEqual(yield* service.get, second)
      yield* TestClock.setTime(5_000)
      yield* service.invalidate(second)
      const third = yield* service.get
      assert.strictEqual(Service.value(third), "token-3")
      assert.strictEqual(endpoint.requests.length, 3)
    }))

  it.effect("20 calls to an API that always answers 401 cost at most 2 token requests", () => {
    const api = InMemoryApi.make({
      handler: () =>
        new Response("no", { status: 401, headers: { "www-authenticate": "Bearer error=\"invalid_token\"" } })
    })
    return Effect.gen(function*() {
      const client = yield* AuthorizedClient.AuthorizedClient
      for (let i = 0; i < 20; i++) {
        const error = yield* Effect.flip(client.get("https://api.example.com/api/always-401"))
        assert.strictEqual(error._tag === "ApiError" ? error.status : undefined, 401)
      }
      assert.isAtMost(api.state.tokenRequests, 2)
      // after the cool-down, one more rejection is believed
      yield* TestClock.adjust("5 seconds")
      yield* Effect.flip(client.get("https://api.example.com/api/always-401"))
      assert.isAtMost(api.state.tokenRequests, 3)
    }).pipe(Effect.provide(Layer.provideMerge(AuthorizedClient.layer(), api.layer)))
  })
})

describe("TokenService background work ends with its purpose", () => {
  it.scoped("a shared fetch stops when its only caller leaves, whatever the retry schedule", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const service = yield* Service.make(endpoint, { retry: Schedule.spaced("50 millis") })
      const caller = yield* Effect.fork(Effect.either(Effect.timeout(service.get, "500 millis")))
      yield* TestClock.adjust("500 millis")
      const left = yield* Fiber.join(caller)
      assert.strictEqual(left._tag, "Left")
      const requestsWhenLeft = endpoint.requests.length
      assert.isAtLeast(requestsWhenLeft, 10)
      yield* TestClock.adjust("2 seconds")
      assert.isAtMost(endpoint.requests.length, requestsWhenLeft + 1)
    }))

  it.scoped("20 abandoned requests stop at once", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      const service = yield* Service.make(endpoint, { retry: Schedule.spaced("50 millis") })
      const callers = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => service.getFor({ scopes: [`k${i}`] })),
        (call) => Effect.fork(Effect.timeout(call, "100 millis"))
      )
      yield* TestClock.adjust("100 millis")
      for (const caller of callers) yield* Fiber.await(caller)
      const requestsWhenLeft = endpoint.requests.length
      yield* TestClock.adjust("10 seconds")
      assert.isAtMost(endpoint.requests.length, requestsWhenLeft + 20)
    }))

  it.scoped("a background refresh ends at the token's hard expiry, whatever the retry schedule", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(503) })
      endpoint.script(Endpoint.token("old", { expires_in: 120 }))
      const service = yield* Service.make(endpoint, { retry: Schedule.spaced("1 second") })
      yield* service.get
      // a 120 s token with no jitter: leeway 60 s, hard expiry at 60 s, refresh point at 48 s
      yield* TestClock.setTime(48_000)
      assert.strictEqual(Service.value(yield* service.get), "old")
      yield* TestClock.setTime(60_000)
      const requestsAtExpiry = endpoint.requests.length
      assert.isAtLeast(requestsAtExpiry, 12)
      yield* TestClock.adjust("1 hour")
      assert.isAtMost(endpoint.requests.length, requestsAtExpiry + 1)
    }).pipe(Effect.withRandom(Random.fixed([0]))))
})

describe("TokenService answers that retrying now will not change", () => {
  it.scoped("10 calls against a wrong tokenUrl (404) send 1 request", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(404, "not found") })
      const service = yield* Service.make(endpoint)
      for (let i = 0; i < 10; i++) {
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error.reason, "InvalidResponse")
      }
      assert.strictEqual(endpoint.requests.length, 1)
    }))
})
