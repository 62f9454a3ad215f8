/**
 * Refresh ahead, triggered by use (`docs/behaviour.md#refresh-ahead`). With the defaults and a one-hour token: leeway
 * 60 s, hard expiry at 3,540 s, usable lifetime 3,540 s, refresh point 0.8 × 3,540 s = 2,832 s minus a jitter of up to
 * 354 s. `Random.fixed` pins the jitter: 0 gives exactly 2,832 s, 1 gives 2,478 s. Closing the layer stops every fiber
 * it started.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"
import * as Logs from "./utils/logs.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Server from "./utils/server.js"
import * as Service from "./utils/service.js"

const hardExpiry = 3_540_000
const refreshPoint = 2_832_000

/** Runs `effect` with no refresh jitter. */
const noJitter = Effect.withRandom(Random.fixed([0]))

describe("TokenService refresh ahead", () => {
  it.scoped("no request before the refresh point; after it, the current token at once and one background refresh", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.token("old"), Endpoint.delayed("10 seconds", Endpoint.token("new")))
      const service = yield* Service.make(endpoint)
      assert.strictEqual(Service.value(yield* service.get), "old")
      yield* TestClock.setTime(refreshPoint - 1)
      assert.strictEqual(Service.value(yield* service.get), "old")
      assert.strictEqual(endpoint.requests.length, 1)

      yield* TestClock.setTime(refreshPoint)
      const first = yield* Effect.fork(service.get)
      const exit = yield* Service.pollNow(first)
      assert.isDefined(exit, "the caller waited for the refresh")
      assert.strictEqual(Service.value(yield* exit!), "old")
      assert.strictEqual(endpoint.requests.length, 2)
      assert.strictEqual(endpoint.requests[1]!.at, refreshPoint)

      // while the refresh runs: the old token, and no second refresh
      const during = yield* Effect.all(
        Array.from({ length: 50 }, (_, i) => i % 2 === 0 ? service.get : service.getFor({})),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual([...new Set(during.map(Service.value))], ["old"])
      assert.strictEqual(endpoint.requests.length, 2)

      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(Service.value(yield* service.get), "new")
      assert.strictEqual(endpoint.requests.length, 2)
    }).pipe(noJitter))

  it.scoped("refreshes a getFor entry the same way", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.token("old"), Endpoint.delayed("10 seconds", Endpoint.token("new")))
      const service = yield* Service.make(endpoint)
      const request = { scopes: ["other"] }
      assert.strictEqual(Service.value(yield* service.getFor(request)), "old")
      yield* TestClock.setTime(refreshPoint - 1)
      assert.strictEqual(Service.value(yield* service.getFor(request)), "old")
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(refreshPoint)
      const fiber = yield* Effect.fork(service.getFor(request))
      const exit = yield* Service.pollNow(fiber)
      assert.isDefined(exit)
      assert.strictEqual(Service.value(yield* exit!), "old")
      yield* service.getFor(request)
      assert.strictEqual(endpoint.requests.length, 2)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(Service.value(yield* service.getFor(request)), "new")
      assert.strictEqual(endpoint.requests.length, 2)
    }).pipe(noJitter))

  it.scoped("a hung refresh never blocks a caller while the token is valid; after hard expiry callers wait", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.token("old"), Endpoint.hang(), Endpoint.delayed("5 seconds", Endpoint.token("new")))
      const service = yield* Service.make(endpoint, { requestTimeout: "2 hours" })
      yield* service.get
      for (const at of [refreshPoint, refreshPoint + 1, 3_000_000, hardExpiry - 1]) {
        yield* TestClock.setTime(at)
        const fiber = yield* Effect.fork(service.get)
        const exit = yield* Service.pollNow(fiber)
        assert.isDefined(exit, `blocked at ${at}`)
        assert.strictEqual(Service.value(yield* exit!), "old")
      }
      assert.strictEqual(endpoint.requests.length, 2)

      yield* TestClock.setTime(hardExpiry)
      const waiting = yield* Effect.fork(service.get)
      assert.isUndefined(yield* Service.pollNow(waiting))
      assert.strictEqual(endpoint.requests.length, 3)
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(Service.value(yield* Fiber.join(waiting)), "new")
    }).pipe(noJitter))

  it.scoped("a failed refresh keeps the token, logs a warning, and the next waits 10 % of the time left", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      yield* Effect.gen(function*() {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.token("old"), Endpoint.respond(503))
        const service = yield* Service.make(endpoint, { retry: Schedule.stop })
        yield* service.get
        yield* TestClock.setTime(refreshPoint)
        assert.strictEqual(Service.value(yield* service.get), "old")
        yield* Service.settle
        assert.strictEqual(endpoint.requests.length, 2)
        assert.strictEqual(Service.value(yield* service.get), "old")
        const warnings = logs.entries.filter((entry) => entry.level === "WARN")
        assert.strictEqual(warnings.length, 1)
        assert.include(warnings[0]!.text, "background token refresh failed")
        assert.include(warnings[0]!.text, "ServerError")

        // 10 % of the 708 s left: 70.8 s
        const next = refreshPoint + 70_800
        yield* TestClock.setTime(next - 1)
        assert.strictEqual(Service.value(yield* service.get), "old")
        yield* Service.settle
        assert.strictEqual(endpoint.requests.length, 2)
        yield* TestClock.setTime(next)
        assert.strictEqual(Service.value(yield* service.get), "old")
        yield* Service.settle
        assert.strictEqual(endpoint.requests.length, 3)
        assert.strictEqual(endpoint.requests[2]!.at, next)
        assert.strictEqual(Service.value(yield* service.get), "token-3")
      }).pipe(Effect.provide(logs.layer))
    }).pipe(noJitter))

  it.scoped("after a failed refresh close to expiry the next waits at least 1 s", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      // a 100 s token: leeway min(60 s, 50 s) = 50 s, hard expiry 50 s, refresh point 0.9 × 50 s = 45 s
      endpoint.script(Endpoint.token("old", { expires_in: 100 }), Endpoint.respond(503))
      const service = yield* Service.make(endpoint, { retry: Schedule.stop, refreshAhead: 0.9 })
      yield* service.get
      yield* TestClock.setTime(44_999)
      yield* service.get
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(45_000)
      yield* service.get
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 2)
      // 10 % of the 5 s left would be 0.5 s
      for (const at of [45_500, 45_999]) {
        yield* TestClock.setTime(at)
        assert.strictEqual(Service.value(yield* service.get), "old")
        yield* Service.settle
        assert.strictEqual(endpoint.requests.length, 2, `at ${at}`)
      }
      yield* TestClock.setTime(46_000)
      assert.strictEqual(Service.value(yield* service.get), "old")
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 3)
    }).pipe(noJitter))

  it.scoped("refreshAhead false: no refresh before hard expiry, then callers wait for a fetch", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.token("old"), Endpoint.delayed("5 seconds", Endpoint.token("new")))
      const service = yield* Service.make(endpoint, { refreshAhead: false })
      yield* service.get
      for (const at of [refreshPoint, 3_000_000, hardExpiry - 1]) {
        yield* TestClock.setTime(at)
        assert.strictEqual(Service.value(yield* service.get), "old")
        yield* Service.settle
      }
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(hardExpiry)
      const waiting = yield* Effect.fork(service.get)
      assert.isUndefined(yield* Service.pollNow(waiting))
      assert.strictEqual(endpoint.requests.length, 2)
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(Service.value(yield* Fiber.join(waiting)), "new")
    }))

  it.scoped("the refresh point is refreshAhead × the usable lifetime", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { refreshAhead: 0.5 })
      yield* service.get
      yield* TestClock.setTime(1_769_999)
      yield* service.get
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(1_770_000)
      assert.strictEqual(Service.value(yield* service.get), "token-1")
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 2)
      assert.strictEqual(Service.value(yield* service.get), "token-2")
    }).pipe(noJitter))

  it.scoped("the jitter moves the refresh point earlier by up to 10 % of the usable lifetime", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      yield* service.get
      yield* TestClock.setTime(2_477_999)
      yield* service.get
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(2_478_000)
      yield* service.get
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 2)
    }).pipe(Effect.withRandom(Random.fixed([1]))))

  it.scoped("with random jitter the refresh starts between 70 % and 80 % of the usable lifetime", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      yield* service.get
      yield* TestClock.setTime(2_477_999)
      yield* service.get
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(refreshPoint)
      yield* service.get
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("the leeway is never more than half the lifetime", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      // a 60 s token with the default 60 s leeway: usable for 30 s
      endpoint.script(Endpoint.token("short", { expires_in: 60 }))
      const service = yield* Service.make(endpoint, { refreshAhead: false })
      assert.strictEqual(Service.value(yield* service.get), "short")
      yield* TestClock.setTime(29_999)
      assert.strictEqual(Service.value(yield* service.get), "short")
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(30_000)
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("expiryLeeway sets the hard expiry", () =>
    Effect.gen(function*() {
      for (const [leeway, expiry] of [["10 seconds", 3_590_000], [0, 3_600_000], ["20 minutes", 2_400_000]] as const) {
        const endpoint = Endpoint.make()
        const service = yield* Service.make(endpoint, { refreshAhead: false, expiryLeeway: leeway })
        yield* TestClock.setTime(0)
        yield* service.get
        yield* TestClock.setTime(expiry - 1)
        assert.strictEqual(Service.value(yield* service.get), "token-1")
        yield* TestClock.setTime(expiry)
        assert.strictEqual(Service.value(yield* service.get), "token-2", `leeway ${leeway}`)
      }
    }))

  it.scoped("an idle key costs nothing: no request however long nobody asks", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint)
      yield* service.get
      yield* service.getFor({ scopes: ["other"] })
      yield* TestClock.adjust("10 hours")
      assert.strictEqual(endpoint.requests.length, 2)
      assert.strictEqual(Service.value(yield* service.get), "token-3")
    }))

  it.scoped("a background refresh that dies is logged without its text, and a later one is tried", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      const endpoint = Endpoint.make()
      // the refresh logs with the logger of the layer
      const service = yield* Service.make(endpoint, { refreshAhead: 0.5 }).pipe(Effect.provide(logs.layer))
      const first = yield* service.get
      endpoint.script(() => Effect.die(new Error("boom: Authorization: Basic c2VjcmV0")))
      yield* TestClock.setTime(1_800_000)
      yield* service.get
      yield* Service.settle
      assert.strictEqual(Service.value(yield* service.get), Service.value(first))
      const warnings = logs.entries.filter((entry) => entry.level === "WARN")
      assert.strictEqual(warnings.length, 1)
      assert.notInclude(warnings[0]!.text, "c2VjcmV0")
      // the failed refresh is over: after the back-off a new one goes out
      yield* TestClock.adjust("3 minutes")
      yield* service.get
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 3)
      assert.notStrictEqual(Service.value(yield* service.get), Service.value(first))
    }))

  it.scoped("a tiny refreshAhead refreshes once, not on every call", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { refreshAhead: 0.01 })
      yield* service.get
      for (let i = 0; i < 20; i++) {
        yield* service.get
        yield* Service.settle
      }
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(40_000)
      for (let i = 0; i < 20; i++) {
        yield* service.get
        yield* Service.settle
      }
      assert.strictEqual(endpoint.requests.length, 2)
    }))
})

describe("TokenService: closing the layer stops every fiber it started", () => {
  it.effect("closing the layer's scope interrupts every fiber it started: refreshes, shared fetches, retry waits", () =>
    Effect.gen(function*() {
      let abandoned = 0
      const endpoint = Endpoint.make({
        otherwise: (request) => {
          const scope = request.form.get("scope")
          if (scope === "later") return Endpoint.respond(503, null, { "retry-after": "30" })(request)
          if (scope === "hang" || endpoint.requests.length > 1) return Endpoint.hang(() => abandoned++)(request)
          return Endpoint.token("old")(request)
        }
      })
      // the service forks its fibers with the context it was built in: build it under the supervisor
      const fibers = yield* Supervisor.track
      const scope = yield* Scope.make()
      const service = yield* Scope.extend(Service.make(endpoint, { requestTimeout: "1 hour" }), scope).pipe(
        Effect.supervised(fibers),
        noJitter
      )
      yield* service.get
      // a background refresh that hangs
      yield* TestClock.setTime(refreshPoint)
      yield* service.get
      // shared fetches whose callers still wait: one hangs, one waits out a Retry-After
      const callers = []
      for (const scope of ["hang", "later"]) {
        callers.push(yield* Effect.fork(service.getFor({ scopes: [scope] })))
      }
      yield* Service.settle
      assert.strictEqual(endpoint.requests.length, 4)
      assert.isAtLeast((yield* fibers.value).length, 3)

      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(abandoned, 2)
      assert.deepStrictEqual(yield* fibers.value, [])
      for (const caller of callers) assert.isTrue(Exit.isInterrupted(yield* Fiber.await(caller)))
      yield* TestClock.adjust("2 hours")
      assert.strictEqual(endpoint.requests.length, 4)
    }))

  it.live("on real sockets, closing the layer's scope leaves no socket or timer", () =>
    Effect.gen(function*() {
      const server = yield* Server.start((hit, response) => {
        const scope = new URLSearchParams(hit.body).get("scope")
        if (scope === "hang") return
        if (scope === "later") return Server.sendJson(response, 503, {}, { "retry-after": "30" })
        Server.sendJson(response, 200, { access_token: "live", token_type: "Bearer", expires_in: 3600 })
      })
      // the HttpClient outlives the TokenService layer: what is left after closing the layer is the library's
      const clientContext = yield* Layer.build(NodeHttpClient.layer)
      const resources = () => {
        const counts = { sockets: 0, timers: 0 }
        for (const resource of process.getActiveResourcesInfo()) {
          if (resource === "TCPSocketWrap") counts.sockets++
          if (resource === "Timeout") counts.timers++
        }
        return counts
      }
      const waitFor = (condition: () => boolean) =>
        Effect.gen(function*() {
          for (let i = 0; i < 200 && !condition(); i++) yield* Effect.sleep("10 millis")
          return condition()
        })
      yield* waitFor(() => server.openConnections() === 0)
      const baseline = resources()

      const layerScope = yield* Scope.make()
      const tokens = yield* Layer.buildWithScope(
        TokenService.layer({ ...Service.options, tokenUrl: `${server.url}/token`, requestTimeout: "1 minute" }),
        layerScope
      ).pipe(Effect.provide(clientContext))
      const service = TokenService.TokenService.pipe(Effect.provide(tokens))
      assert.strictEqual(Service.value(yield* Effect.flatMap(service, (s) => s.get)), "live")
      // callers that still wait when the layer closes
      for (const scope of ["hang", "later"]) {
        yield* Effect.fork(Effect.flatMap(service, (s) => s.getFor({ scopes: [scope] })))
        yield* waitFor(() => server.hits.some((hit) => hit.body.includes(`scope=${scope}`)))
        yield* Effect.sleep("20 millis")
      }
      const during = resources()
      assert.isAbove(during.sockets, baseline.sockets, "the hung request holds a socket")
      assert.isAbove(during.timers, baseline.timers, "the request timeout and the Retry-After wait are timers")

      yield* Scope.close(layerScope, Exit.void)
      const settled = yield* waitFor(() => {
        const now = resources()
        return now.sockets <= baseline.sockets && now.timers <= baseline.timers && server.openConnections() === 0
      })
      assert.isTrue(settled, JSON.stringify({ baseline, after: resources(), open: server.openConnections() }))
      assert.strictEqual(server.hits.length, 3)
    }).pipe(Effect.scoped))
})
