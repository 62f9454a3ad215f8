/**
 * The jitter spreads work that would otherwise happen at one instant: the retries of many fetches that failed
 * together, and the refreshes of many tokens issued together. The other tests pin `Random` or check only bounds;
 * these run on a seeded `Random` (around the whole test, the service's construction included) and check that the
 * times SPREAD over their window, so removing either jitter turns them red.
 *
 * With the defaults and a one-hour token: usable lifetime 3,540 s (leeway 60 s), refresh between 70 % (2,478 s) and
 * 80 % (2,832 s) of it; the first retry waits 200 ms × a factor in [0.8, 1.2], so between 160 and 240 ms. Specified in
 * `docs/behaviour.md#refresh-ahead` and `docs/behaviour.md#retries-and-retry-after`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const keys = Array.from({ length: 20 }, (_, i) => `scope-${i}`)

/** Runs the whole test, the service's construction included, on a seeded `Random`. */
const seeded = Effect.withRandom(Random.make("effect-oauth2 jitter"))

/** Each key's request times, in order of arrival. */
const timesByKey = (endpoint: Endpoint.ScriptedEndpoint): Map<string, Array<number>> => {
  const times = new Map<string, Array<number>>(keys.map((key) => [key, []]))
  for (const request of endpoint.requests) times.get(request.form.get("scope") ?? "")?.push(request.at)
  return times
}

const pollTimes = [
  ...Array.from({ length: 41 }, (_, i) => 60 * (i + 1)),
  2_475,
  ...Array.from({ length: 120 }, (_, i) => 2_478 + 3 * i),
  2_900
]

describe("TokenService jitter", () => {
  it.scoped("20 fetches answered 503 at the same moment retry at many different delays, each 160–240 ms later", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(...keys.map(() => Endpoint.respond(503)))
      const service = yield* Service.make(endpoint)
      const fiber = yield* Effect.fork(
        Effect.forEach(keys, (key) => service.getFor({ scopes: [key] }), { concurrency: "unbounded" })
      )
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 20, "every key asked at once")
      // each sleep wakes at its own instant; the small steps let every woken retry run before the clock moves on
      for (let now = 10; now <= 300; now += 10) yield* TestClock.setTime(now)
      yield* Fiber.join(fiber)

      const delays = [...timesByKey(endpoint).values()].map((times) => {
        assert.lengthOf(times, 2, "one 503, then one retry that got a token")
        return times[1]! - times[0]!
      })
      for (const delay of delays) {
        assert.isAtLeast(delay, 160)
        assert.isAtMost(delay, 240)
      }
      // without the jitter every retry would go out at 200 ms
      assert.isAtLeast(new Set(delays.map(Math.round)).size, 10, `delays ${delays.map(Math.round)}`)
      assert.isAtLeast(Math.max(...delays) - Math.min(...delays), 40, "spread over at least half the window")
    }).pipe(seeded))

  it.scoped("20 tokens issued at the same moment are refreshed at many different times, within 70–80 % of their life", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      const getAll = Effect.forEach(keys, (key) => service.getFor({ scopes: [key] }), {
        concurrency: "unbounded",
        discard: true
      })
      yield* getAll
      assert.strictEqual(endpoint.requests.length, 20)
      // every key is used once a minute up to 2,475 s, then every 3 s from 2,478 s (70 %) to 2,835 s: a refresh goes
      // out at the first use past its refresh point, so one before 2,475 s or after 2,832 s (80 %) would show
      for (const second of pollTimes) {
        yield* TestClock.setTime(second * 1_000)
        yield* getAll
      }
      yield* Service.settle

      const refreshes = [...timesByKey(endpoint).values()].map((times) => {
        assert.lengthOf(times, 2, "the first fetch, then one refresh")
        assert.strictEqual(times[0], 0)
        return times[1]!
      })
      for (const at of refreshes) {
        assert.isAtLeast(at, 2_478_000)
        assert.isAtMost(at, 2_832_000)
      }
      // without the jitter every refresh would go out at 2,832 s
      assert.isAtLeast(new Set(refreshes).size, 10, `refreshes at ${refreshes}`)
      assert.isAtLeast(Math.max(...refreshes) - Math.min(...refreshes), 177_000, "spread over half the window")
    }).pipe(seeded))
})
