/**
 * `TokenService.layerWithStore`: replicas sharing one token through a `TokenStore`, on `TokenStore.makeMemory` and
 * `TestClock`. With a one-hour token and the defaults: hard expiry at 3,540 s, refresh point at 2,832 s without
 * jitter. The real-Redis and multi-process suites are in `@effect-oauth2/redis`. Specified in
 * `docs/fleet.md#the-protocol`.
 */
import { TokenService, TokenStore } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as Logs from "./utils/logs.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"
import * as Store from "./utils/store.js"

const refreshPoint = 2_832_000

/** Runs `effect` with no refresh jitter. */
const noJitter = Effect.withRandom(Random.fixed([0]))

/** The key the replicas use for the configured token: the key of the first call that is not a lease. */
const configuredKey = (spy: Store.SpyStore): string => spy.calls[0]!.key

describe("TokenService.layerWithStore", () => {
  it.scoped("a second replica takes the first one's token from the store: one token request for both", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const first = yield* Store.replica(endpoint, spy.store)
      const second = yield* Store.replica(endpoint, spy.store)
      assert.strictEqual(Service.value(yield* first.get), "token-1")
      assert.strictEqual(Service.value(yield* second.get), "token-1")
      assert.strictEqual(endpoint.requests.length, 1)
      assert.deepStrictEqual(
        spy.calls.map((call) => call.operation),
        ["get", "acquireLease", "get", "set", "releaseLease", "get"]
      )
      const [set] = spy.calls.filter((call) => call.operation === "set")
      assert.strictEqual(set!.timeToLive, 3_540_000, "the time left to the token's hard expiry, not its lifetime")
    }))

  it.scoped("the store's key is the SHA-256 of the request in hex: no client id, no secret, no scope in clear", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const replica = yield* Store.replica(endpoint, spy.store, { scopes: ["billing.read"] })
      yield* replica.get
      yield* replica.getFor({ scopes: ["billing.write"] })
      const keys = [...new Set(spy.calls.map((call) => call.key))]
      assert.strictEqual(keys.length, 2, "one key per request")
      for (const key of keys) {
        assert.match(key, /^[0-9a-f]{64}$/)
      }
    }))

  it.scoped("a cached get never touches the store", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const replica = yield* Store.replica(endpoint, spy.store)
      yield* replica.get
      // the lease is released on a fiber of the layer
      yield* Service.settle
      const callsAfterFetch = spy.calls.length
      yield* Effect.all(Array.from({ length: 100 }, () => replica.get))
      yield* TestClock.setTime(refreshPoint - 1)
      yield* replica.get
      assert.strictEqual(spy.calls.length, callsAfterFetch)
    }).pipe(noJitter))

  it.scoped("a reader's expiry comes from the time the entry has left in the store, not from the writer's clock", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const writer = yield* Store.replica(endpoint, spy.store)
      yield* writer.get
      const key = configuredKey(spy)
      // a writer whose clock is 20 seconds behind wrote a one-hour token with ten minutes left (its own clock says
      // it has ten minutes and 20 seconds, less the leeway)
      yield* spy.store.set(key, Store.tokenOf("skewed", -2_920_000, 3_600_000), Duration.minutes(10))
      const reader = yield* Store.replica(endpoint, spy.store)
      const token = yield* reader.get
      assert.strictEqual(Service.value(token), "skewed")
      assert.strictEqual(DateTime.toEpochMillis(token.expiresAt), 600_000 + 60_000, "hard expiry + leeway")
      assert.strictEqual(token.lifetimeMillis, 3_600_000)
      yield* TestClock.setTime(599_999)
      assert.strictEqual(Service.value(yield* reader.get), "skewed")
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(600_000)
      assert.strictEqual(Service.value(yield* reader.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }).pipe(noJitter))

  it.scoped("a store that claims more time than the token can have left is believed for its usable lifetime at most", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const writer = yield* Store.replica(endpoint, spy.store)
      yield* writer.get
      yield* spy.store.set(configuredKey(spy), Store.tokenOf("short", 0, 120_000), Duration.hours(5))
      // no refresh ahead: only the hard expiry sends it back to the store
      const reader = yield* Store.replica(endpoint, spy.store, { refreshAhead: false })
      assert.strictEqual(Service.value(yield* reader.get), "short")
      const reads = () => spy.calls.filter((call) => call.operation === "get").length
      const readsBefore = reads()
      // two minutes of life, a minute of leeway: held for one minute, then asked for again
      yield* TestClock.setTime(59_999)
      yield* reader.get
      assert.strictEqual(reads(), readsBefore)
      yield* TestClock.setTime(60_000)
      yield* reader.get
      assert.strictEqual(reads(), readsBefore + 1)
    }).pipe(noJitter))

  it.scoped(
    "replicas starting together: one fetches under the lease, the others poll the store",
    () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make({ otherwise: Endpoint.delayed("1 second", Endpoint.token("shared")) })
        const spy = yield* Store.spy()
        const replicas = yield* Effect.all(Array.from({ length: 5 }, () => Store.replica(endpoint, spy.store)))
        const callers = yield* Effect.fork(
          Effect.all(replicas.flatMap((replica) => Array.from({ length: 20 }, () => replica.get)), {
            concurrency: "unbounded"
          })
        )
        yield* TestClock.adjust("1 second")
        yield* TestClock.adjust("150 millis")
        const tokens = yield* Fiber.join(callers)
        assert.deepStrictEqual([...new Set(tokens.map(Service.value))], ["shared"])
        assert.strictEqual(endpoint.requests.length, 1)
        assert.strictEqual(spy.calls.filter((call) => call.operation === "set").length, 1)
      }),
    30_000
  )

  it.scoped("the lease of a holder that stopped renewing it (a process gone) passes to a waiting replica when it runs out", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.hang())
      const spy = yield* Store.spy()
      const options = { leaseTtl: "2 seconds" } as const
      // the holder's renewals and release never reach the store, as if its process had died mid-fetch
      const gone: TokenStore.Service = {
        ...spy.store,
        renewLease: () => Effect.never,
        releaseLease: () => Effect.never
      }
      const holder = yield* Store.replica(endpoint, gone, options)
      const waiter = yield* Store.replica(endpoint, spy.store, options)
      yield* Effect.fork(holder.get)
      yield* Service.settle
      const waiting = yield* Effect.fork(waiter.get)
      yield* TestClock.adjust("1900 millis")
      assert.isUndefined(yield* Service.pollNow(waiting), "the lease still holds")
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.adjust("250 millis")
      const exit = yield* Service.pollNow(waiting)
      assert.isDefined(exit, "taken over within a poll of the lease's end")
      assert.strictEqual(Service.value(yield* exit!), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("a replica waits as long as another holds the lease, polling the store and the lease every 50–150 ms", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      let held = true
      spy.override({
        acquireLease: (key, ttl) =>
          held ? Effect.succeed(TokenStore.held) : TokenStore.makeMemory.pipe(
            Effect.flatMap((fresh) => fresh.acquireLease(key, ttl))
          )
      })
      const replica = yield* Store.replica(endpoint, spy.store, { leaseTtl: "2 seconds" })
      const waiting = yield* Effect.fork(replica.get)
      yield* TestClock.adjust("10 seconds")
      assert.isUndefined(yield* Service.pollNow(waiting), "no deadline while the lease is held")
      assert.strictEqual(endpoint.requests.length, 0)
      held = false
      yield* TestClock.adjust("150 millis")
      const exit = yield* Service.pollNow(waiting)
      assert.isDefined(exit)
      assert.strictEqual(Service.value(yield* exit!), "token-1")
      // it polled between 50 and 150 ms apart, jittered
      const polls = spy.calls.filter((call) => call.operation === "get").map((call) => call.at)
      const gaps = polls.slice(1).map((at, index) => at - polls[index]!).filter((gap) => gap > 0)
      assert.isAtLeast(polls.length, 10_000 / 150)
      for (const gap of gaps) assert.isTrue(gap >= 50 && gap <= 150, `a poll ${gap} ms after the last`)
      assert.isAbove(new Set(gaps).size, 3, "jittered")
    }))

  it.scoped("a replica that gets the lease just after the holder wrote its token takes that token", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: Endpoint.delayed("100 millis", Endpoint.token("shared")) })
      const memory = yield* TokenStore.makeMemory
      // the second replica's SET NX arrives 10 ms late: after the holder wrote its token and released the lease
      const late: TokenStore.Service = {
        ...memory,
        acquireLease: (key, ttl) => Effect.zipRight(Effect.sleep("10 millis"), memory.acquireLease(key, ttl))
      }
      const holder = yield* Store.replica(endpoint, memory)
      const other = yield* Store.replica(endpoint, late)
      const first = yield* Effect.fork(holder.get)
      yield* TestClock.adjust("95 millis")
      const second = yield* Effect.fork(other.get)
      yield* TestClock.adjust("20 millis")
      assert.strictEqual(Service.value(yield* Fiber.join(first)), "shared")
      assert.strictEqual(Service.value(yield* Fiber.join(second)), "shared")
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("a caller that leaves while the lease is being taken leaves no lease behind", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const memory = yield* TokenStore.makeMemory
      // the lease is taken at once, the answer comes 10 ms later
      const slow: TokenStore.Service = {
        ...memory,
        acquireLease: (key, ttl) => Effect.tap(memory.acquireLease(key, ttl), () => Effect.sleep("10 millis"))
      }
      const leaving = yield* Store.replica(endpoint, slow, { leaseTtl: "30 seconds" })
      const other = yield* Store.replica(endpoint, memory, { leaseTtl: "30 seconds" })
      const left = yield* Effect.fork(Effect.timeout(leaving.get, "5 millis"))
      yield* TestClock.adjust("10 millis")
      assert.isTrue(Exit.isFailure(yield* Fiber.await(left)))
      const waiting = yield* Effect.fork(other.get)
      yield* TestClock.adjust("1 second")
      const exit = yield* Service.pollNow(waiting)
      assert.isDefined(exit, "the lease was released: no wait for its TTL")
      assert.strictEqual(Service.value(yield* exit!), "token-1")
    }))

  it.scoped("a replica polling after a rejection never takes the rejected token from the store", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const replica = yield* Store.replica(endpoint, spy.store)
      const rejected = yield* replica.get
      // the rejected token stays in the store, and another replica holds the lease for two polls
      let refused = 0
      spy.override({
        // the rejected token stays: another replica wrote it again in between
        deleteIf: () => Effect.succeed(false),
        acquireLease: (key, ttl) =>
          refused++ < 2 ? Effect.succeed(TokenStore.held) : TokenStore.makeMemory.pipe(
            Effect.flatMap((fresh) => fresh.acquireLease(key, ttl))
          )
      })
      yield* replica.invalidate(rejected)
      const next = yield* Effect.fork(replica.get)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(Service.value(yield* Fiber.join(next)), "token-2")
      assert.isAtLeast(spy.calls.filter((call) => call.operation === "get").length, 4, "it polled")
    }))

  it.scoped("the lease is released when the holder's fetch fails, and the failure is the caller's", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.oauthError("invalid_client", 401))
      const spy = yield* Store.spy()
      const replica = yield* Store.replica(endpoint, spy.store)
      const exit = yield* Effect.exit(replica.get)
      assert.isTrue(Exit.isFailure(exit))
      yield* Service.settle
      assert.deepStrictEqual(spy.calls.map((call) => call.operation), ["get", "acquireLease", "get", "releaseLease"])
      assert.strictEqual((yield* spy.store.acquireLease(configuredKey(spy), Duration.seconds(1)))._tag, "Acquired")
    }))

  it.scoped("refresh ahead goes through the store: a fleet refreshes once", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const first = yield* Store.replica(endpoint, spy.store)
      const second = yield* Store.replica(endpoint, spy.store)
      yield* first.get
      yield* second.get
      yield* TestClock.setTime(refreshPoint)
      assert.strictEqual(Service.value(yield* first.get), "token-1")
      yield* Service.settle
      assert.strictEqual(Service.value(yield* first.get), "token-2")
      yield* TestClock.adjust("1 second")
      assert.strictEqual(Service.value(yield* second.get), "token-1", "served at once while it refreshes")
      yield* Service.settle
      assert.strictEqual(Service.value(yield* second.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }).pipe(noJitter))

  it.scoped("a refresh does not take back the token it replaces from the store", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const replica = yield* Store.replica(endpoint, spy.store)
      yield* replica.get
      yield* TestClock.setTime(refreshPoint)
      yield* replica.get
      yield* Service.settle
      assert.strictEqual(Service.value(yield* replica.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }).pipe(noJitter))

  it.scoped("a refresh does not take a token from the store that expires before the one it replaces", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const replica = yield* Store.replica(endpoint, spy.store)
      yield* replica.get
      yield* TestClock.setTime(refreshPoint)
      yield* spy.store.set(configuredKey(spy), Store.tokenOf("older", 0, 3_600_000), Duration.seconds(100))
      yield* replica.get
      yield* Service.settle
      assert.strictEqual(Service.value(yield* replica.get), "token-2")
    }).pipe(noJitter))

  it.scoped("invalidate leaves the stored token alone when the replica keeps it (protected after a rejection)", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const replica = yield* Store.replica(endpoint, spy.store)
      yield* replica.invalidate(yield* replica.get)
      const replacement = yield* replica.get
      yield* replica.invalidate(replacement)
      assert.strictEqual(Service.value(yield* replica.get), "token-2", "protected for terminalErrorCooldown")
      assert.isTrue(Option.isSome(yield* spy.store.get(configuredKey(spy))))
    }))

  it.scoped("invalidate deletes the stored token if it still is the rejected one", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const replica = yield* Store.replica(endpoint, spy.store)
      const rejected = yield* replica.get
      yield* replica.invalidate(rejected)
      assert.isTrue(Option.isNone(yield* spy.store.get(configuredKey(spy))))
      assert.strictEqual(Service.value(yield* replica.get), "token-2")
    }))

  it.scoped("after a revocation, another replica's own rejection leads it to the new token in the store", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const first = yield* Store.replica(endpoint, spy.store, { terminalErrorCooldown: 0 })
      const second = yield* Store.replica(endpoint, spy.store, { terminalErrorCooldown: 0 })
      const revoked = yield* first.get
      assert.strictEqual(Service.value(yield* second.get), "token-1")
      yield* first.invalidate(revoked)
      assert.strictEqual(Service.value(yield* first.get), "token-2")
      // the second replica got its own 401 for the revoked token
      yield* second.invalidate(yield* second.get)
      assert.strictEqual(Service.value(yield* second.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
      assert.isTrue(Option.isSome(yield* spy.store.get(configuredKey(spy))), "the new token was not deleted")
    }))

  it.scoped("after a revocation, the new token in the store is taken even when it expires sooner than the rejected one", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const first = yield* Store.replica(endpoint, spy.store, { terminalErrorCooldown: 0 })
      const second = yield* Store.replica(endpoint, spy.store, { terminalErrorCooldown: 0 })
      const revoked = yield* first.get
      assert.strictEqual(Service.value(yield* second.get), "token-1")
      // the server's tokens live one hour, then ten minutes (Entra ID's, for one, vary)
      endpoint.script(Endpoint.token("token-2", { expires_in: 600 }))
      yield* first.invalidate(revoked)
      assert.strictEqual(Service.value(yield* first.get), "token-2")
      yield* second.invalidate(yield* second.get)
      assert.strictEqual(Service.value(yield* second.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2, "one token request for the revocation")
    }))

  it.scoped("a rejected token is never taken back from the store, even when deleting it failed", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      spy.override({ deleteIf: () => Effect.fail(Store.unavailable) })
      const replica = yield* Store.replica(endpoint, spy.store)
      const rejected = yield* replica.get
      yield* replica.invalidate(rejected)
      assert.strictEqual(Service.value(yield* replica.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("a failing store: tokens come from the endpoint, one warning per outage, and the store is used again", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      spy.override(Store.failing)
      // fetches run on the layer's fibers, with the logger the layer was built with
      const replica = yield* Effect.provide(Store.replica(endpoint, spy.store), logs.layer)
      for (const scope of ["a", "b", "c"]) {
        assert.strictEqual(
          Service.value(yield* replica.getFor({ scopes: [scope] })),
          `token-${endpoint.requests.length}`
        )
      }
      assert.strictEqual(endpoint.requests.length, 3)
      assert.isFalse(spy.calls.some((call) => call.operation === "acquireLease"), "no lease tried while it fails")
      const warnings = () => logs.entries.filter((entry) => entry.level === "WARN")
      assert.strictEqual(warnings().length, 1)
      assert.include(warnings()[0]!.text, "token store failing")
      assert.include(warnings()[0]!.text, "connection refused")

      spy.restore()
      const callsBefore = spy.calls.length
      yield* replica.getFor({ scopes: ["d"] })
      assert.isTrue(spy.calls.slice(callsBefore).some((call) => call.operation === "set"), "the token was written")
      assert.isTrue(logs.entries.some((entry) => entry.level === "INFO" && entry.text.includes("answering again")))
      spy.override(Store.failing)
      yield* replica.getFor({ scopes: ["e"] })
      assert.strictEqual(warnings().length, 2, "a second outage, a second warning")
    }))

  it.scoped("a store that never answers costs its timeout, then the replica fetches directly", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      spy.override({ get: () => Effect.never })
      const replica = yield* Store.replica(endpoint, spy.store, { storeTimeout: "100 millis" })
      const caller = yield* Effect.fork(replica.get)
      yield* TestClock.adjust("99 millis")
      assert.isUndefined(yield* Service.pollNow(caller))
      yield* TestClock.adjust("1 millis")
      const exit = yield* Service.pollNow(caller)
      assert.isDefined(exit)
      assert.strictEqual(Service.value(yield* exit!), "token-1")
    }))

  it.scoped("a store that dies, or answers garbage, is a miss", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const replica = yield* Store.replica(endpoint, spy.store)
      spy.override({ get: () => Effect.die(new Error("boom")) })
      assert.strictEqual(Service.value(yield* replica.getFor({ scopes: ["a"] })), "token-1")
      spy.override({
        get: () => Effect.fail(new TokenStore.TokenStoreError({ reason: "InvalidEntry", detail: "not JSON" }))
      })
      assert.strictEqual(Service.value(yield* replica.getFor({ scopes: ["b"] })), "token-2")
      spy.override({
        get: () => Effect.succeed(Option.some({ token: Store.tokenOf("t", 0, 0), timeToLive: Duration.zero }))
      })
      assert.strictEqual(Service.value(yield* replica.getFor({ scopes: ["c"] })), "token-3")
    }))

  it.scoped("an entry that does not read is a miss, logged at debug: the store answered, so no warning", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      spy.override({
        get: () =>
          Effect.fail(new TokenStore.TokenStoreError({ reason: "InvalidEntry", detail: "sealed with another key" }))
      })
      const replica = yield* Effect.provide(Store.replica(endpoint, spy.store), logs.layer)
      assert.strictEqual(Service.value(yield* replica.get), "token-1")
      assert.isFalse(logs.entries.some((entry) => entry.level === "WARN"))
      assert.isTrue(logs.entries.some((entry) => entry.level === "DEBUG" && entry.text.includes("entry unreadable")))
      assert.isTrue(spy.calls.some((call) => call.operation === "set"), "its own token replaced the entry")
    }))

  it.scoped("the store's failures and defects never show a token or the store's own text of a defect", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      const endpoint = Endpoint.make()
      const spy = yield* Store.spy()
      const replica = yield* Effect.provide(Store.replica(endpoint, spy.store), logs.layer)
      spy.override({ get: () => Effect.die(new Error("token-1 leaked")) })
      yield* replica.get
      assert.isNotEmpty(logs.entries)
      for (const entry of logs.entries) assert.notInclude(entry.text, "token-1")
    }))

  it.scoped("invalid store options die at build, naming the option", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const store = yield* TokenStore.makeMemory
      for (
        const [overrides, problem] of [
          [{ storeTimeout: "0 millis" }, "storeTimeout must be positive"],
          [{ leaseTtl: "-1 seconds" }, "leaseTtl must be positive"],
          [{ leaseTtl: "forever" as Duration.DurationInput }, "leaseTtl is not a finite duration"]
        ] as const
      ) {
        const exit = yield* Effect.exit(Effect.scoped(Store.replica(endpoint, store, overrides)))
        assert.isTrue(Exit.isFailure(exit))
        assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), problem)
      }
    }))

  it.scoped("layerConfigWithStore: the options from Config, shared through the store; invalid ones a ConfigError", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const env = new Map([
        ["OAUTH_TOKEN_URL", Service.tokenUrl],
        ["OAUTH_CLIENT_ID", Service.clientId],
        ["OAUTH_CLIENT_SECRET", Service.clientSecret]
      ])
      const store = yield* TokenStore.makeMemory
      const build = (options?: Parameters<typeof TokenService.layerConfigWithStore>[0]) =>
        Effect.flatMap(TokenService.TokenService, (service) => service.get).pipe(
          Effect.provide(TokenService.layerConfigWithStore(options)),
          Effect.provideService(TokenStore.TokenStore, store),
          Effect.provide(endpoint.layer),
          Effect.withConfigProvider(ConfigProvider.fromMap(env))
        )
      assert.strictEqual(Service.value(yield* build()), "token-1")
      assert.strictEqual(Service.value(yield* build()), "token-1", "a second replica: from the store")
      assert.strictEqual(endpoint.requests.length, 1)
      const invalid = yield* Effect.flip(build({
        tokenUrl: Config.string("OAUTH_TOKEN_URL"),
        clientId: Config.string("OAUTH_CLIENT_ID"),
        clientSecret: Config.redacted("OAUTH_CLIENT_SECRET"),
        leaseTtl: Config.succeed<Duration.DurationInput>("0 millis")
      }))
      assert.isTrue(ConfigError.isConfigError(invalid))
      assert.include(String(invalid), "leaseTtl must be positive")
    }))

  it.scoped("layerWithStore needs a TokenStore; TokenStore.layerMemory is one", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const live = TokenService.layerWithStore(Service.options).pipe(
        Layer.provide(TokenStore.layerMemory),
        Layer.provide(endpoint.layer)
      )
      // @ts-expect-error the store is a requirement: without it the program does not compile
      const missing: Layer.Layer<TokenService.TokenService, never, HttpClient.HttpClient> = TokenService
        .layerWithStore(Service.options)
      assert.isDefined(missing)
      const token = yield* Effect.provide(Effect.flatMap(TokenService.TokenService, (service) => service.get), live)
      assert.strictEqual(Service.value(token), "token-1")
    }))
})
