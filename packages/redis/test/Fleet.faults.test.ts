/**
 * A fleet of replicas (processes, `fleet/worker.ts`) on a real `redis-server` that misbehaves: paused while a lease
 * holder fetches, holding a lease nobody renews, holding a replayed entry, refusing writes while it answers reads.
 * Real time, short lifetimes; every wait bounded. The same faults, step by step on `TestClock`, are in
 * `@effect-oauth2/client-credentials`'s `TokenService.storeFaults.test.ts`. Specified in `docs/fleet.md#faults`.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { RedisTokenStore } from "@effect-oauth2/redis"
import { FakeAuthServer } from "@effect-oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { Redis } from "ioredis"
import { createHash } from "node:crypto"
import * as Fleet from "./fleet/fleet.js"
import * as RedisServer from "./utils/redisServer.js"

const envOf = (server: FakeAuthServer.Service, redis: RedisServer.RedisServer, more: Record<string, string> = {}) => ({
  TOKEN_URL: server.tokenUrl,
  API_URL: `${server.apiUrl}/orders`,
  REDIS_URL: redis.url,
  ...more
})

const errorsOf = (answers: ReadonlyArray<Fleet.Answer>) => answers.flatMap((a) => a.errors ?? [])
const fingerprintsOf = (answers: ReadonlyArray<Fleet.Answer>) => new Set(answers.flatMap((a) => a.fingerprints ?? []))

/** A client of the test's own, on a connection of its own, closed with the scope. */
const control = (redis: RedisServer.RedisServer) =>
  Effect.acquireRelease(
    Effect.sync(() => new Redis(redis.url)),
    (client) => Effect.sync(() => client.disconnect())
  )

/** The name of the one token entry in Redis, once there is one (polled every 20 ms for at most 5 s). */
const tokenEntry = (client: Redis) =>
  Effect.promise(() => client.keys("effect-oauth2:*:token")).pipe(
    Effect.flatMap((names) => names.length === 1 ? Effect.succeed(names[0]!) : Effect.fail("none yet")),
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("5 seconds"))),
    Effect.orElse(() => Effect.dieMessage("no token entry within 5 s"))
  )

const Server = (options: FakeAuthServer.Options = {}) => Layer.merge(FakeAuthServer.layer(options), RedisServer.layer)

describe("a fleet on a Redis that misbehaves", () => {
  it.live(
    "Redis paused (CLIENT PAUSE) while the lease holder fetches: calls cost the store timeout, and replicas close at once",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const redis = yield* RedisServer.RedisServer
        const client = yield* control(redis)
        const [holder, other] = yield* Fleet.spawnAll(2, envOf(server, redis))
        yield* server.script(FakeAuthServer.delayed("400 millis"))
        const holding = yield* Effect.fork(holder!.send({ op: "get", callers: 1 }))
        yield* Effect.sleep("150 millis")
        // every command on every connection waits for 6 s, this one's included
        client.call("CLIENT", "PAUSE", "6000", "ALL").catch(() => {})
        const paused = performance.now()
        const held = yield* Fiber.join(holding)
        const second = yield* other!.send({ op: "get", callers: 5 })
        assert.deepStrictEqual(errorsOf([held, second]), [])
        // the holder's write and release (250 ms each, at most), the other's read, then its own fetch
        assert.isBelow(Number(held.millis), 2_000, `the holder's caller waited ${held.millis} ms`)
        assert.isBelow(Number(second.millis), 2_000, `the other's callers waited ${second.millis} ms`)
        const closes = yield* Effect.all([holder!.close, other!.close], { concurrency: "unbounded" })
        for (const millis of closes) assert.isBelow(millis, 3_000, `a replica took ${millis} ms to close and exit`)
        assert.isBelow(performance.now() - paused, 6_000, "all of it while Redis was paused")
        // the pause ends before the suite stops Redis
        yield* Effect.sleep(`${Math.max(0, Math.ceil(6_500 - (performance.now() - paused)))} millis`)
      }).pipe(Effect.scoped, Effect.provide(Server())),
    120_000
  )

  it.live(
    "a lease without an expiry (a hand-made SET): a cold start is not stalled, and it is logged once",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const redis = yield* RedisServer.RedisServer
        const client = yield* control(redis)
        const [first] = yield* Fleet.spawnAll(1, envOf(server, redis))
        assert.deepStrictEqual(errorsOf([yield* first!.send({ op: "get", callers: 1 })]), [])
        const token = yield* tokenEntry(client)
        // the token is gone, and a lease with no expiry sits on its key
        yield* Effect.promise(() => client.del(token))
        yield* Effect.promise(() => client.set(token.replace(/:token$/, ":lease"), "hand-made"))
        const [cold] = yield* Fleet.spawnAll(1, envOf(server, redis))
        const answer = yield* cold!.send({ op: "get", callers: 20 })
        assert.deepStrictEqual(errorsOf([answer]), [])
        assert.isBelow(Number(answer.millis), 2_000, `the cold get took ${answer.millis} ms`)
        const stale = cold!.logs().filter((line) => line.includes("nobody renews"))
        assert.strictEqual(stale.length, 1, cold!.logs().join("\n"))
        assert.include(stale[0]!, "\"WARN\"")
      }).pipe(Effect.scoped, Effect.provide(Server())),
    120_000
  )

  it.live(
    "a replayed entry (a sealed token past its lifetime, stored again with a long TTL) is not served",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const redis = yield* RedisServer.RedisServer
        const client = yield* control(redis)
        const encryptionKey = Buffer.alloc(32, 3).toString("base64")
        const env = envOf(server, redis, { ENCRYPTION_KEY: encryptionKey })
        const [writer] = yield* Fleet.spawnAll(1, env)
        assert.deepStrictEqual(errorsOf([yield* writer!.send({ op: "get", callers: 1 })]), [])
        const name = yield* tokenEntry(client)
        const hash = /\{([0-9a-f]{64})\}/.exec(name)![1]!
        // what a replica wrote two hours ago, for a one-hour token, sealed with the fleet's key, stored again
        const store = yield* RedisTokenStore.make({ client }, { encryptionKey: Redacted.make(encryptionKey) })
        const old = AccessToken.AccessToken.make({
          value: Redacted.make("replayed-token"),
          tokenType: "Bearer",
          scopes: [],
          issuedAt: DateTime.unsafeMake(Date.now() - 7_200_000),
          expiresAt: DateTime.unsafeMake(Date.now() - 3_600_000)
        })
        yield* Effect.orDie(store.set(hash, old, Duration.minutes(50)))
        const [reader] = yield* Fleet.spawnAll(1, env)
        const answer = yield* reader!.send({ op: "get", callers: 5 })
        assert.deepStrictEqual(errorsOf([answer]), [])
        const replayed = createHash("sha256").update("replayed-token").digest("hex").slice(0, 16)
        assert.notInclude([...fingerprintsOf([answer])], replayed, "the replayed token was served")
        assert.strictEqual((yield* server.tokenRequests).length, 2, "the reader fetched its own")
      }).pipe(Effect.scoped, Effect.provide(Server())),
    120_000
  )

  it.live(
    "a full Redis (reads answer, writes refused): no caller error, one warning per replica for the outage",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const redis = yield* RedisServer.RedisServer
        const client = yield* control(redis)
        const workers = yield* Fleet.spawnAll(2, envOf(server, redis))
        // what each replica logged before: on a loaded machine a store call may have timed out already
        const before = workers.map((worker) => worker.logs().length)
        yield* Effect.promise(() => client.config("SET", "maxmemory-policy", "noeviction"))
        yield* Effect.promise(() => client.config("SET", "maxmemory", "1"))
        // two-second tokens: a fetch every second on each replica while writes are refused
        const answers = yield* Effect.all(
          workers.map((worker) => worker.send({ op: "loop", millis: 5000, every: 20 })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(errorsOf(answers), [])
        assert.isAtLeast((yield* server.tokenRequests).length, 6, "several fetches while writes were refused")
        for (const [index, worker] of workers.entries()) {
          const during = worker.logs().slice(before[index])
          const failing = during.filter((line) => line.includes("token store failing"))
          const again = during.filter((line) => line.includes("answering again"))
          assert.isAtMost(failing.length, 1, during.join("\n"))
          assert.strictEqual(again.length, 0, during.join("\n"))
          assert.isTrue(worker.logs().some((line) => line.includes("token store failing")), during.join("\n"))
        }
        yield* Effect.promise(() => client.config("SET", "maxmemory", "0"))
        yield* Effect.all(workers.map((worker) => worker.send({ op: "loop", millis: 2500, every: 20 })), {
          concurrency: "unbounded"
        })
        for (const worker of workers) {
          assert.isTrue(worker.logs().some((line) => line.includes("answering again")), worker.logs().join("\n"))
        }
      }).pipe(Effect.scoped, Effect.provide(Server({ tokenLifetime: "2 seconds" }))),
    120_000
  )
})
