/**
 * A fleet of replicas, each a process of its own (`fleet/worker.ts`), sharing tokens through a real `redis-server`
 * and asking a real token endpoint (`FakeAuthServer`, in this process, on 127.0.0.1). Real time, short lifetimes and
 * lease TTLs; every wait bounded. Specified in `docs/fleet.md#the-protocol`.
 */
import { RedisTokenStore } from "@effect-oauth2/redis"
import { FakeAuthServer } from "@effect-oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { Redis } from "ioredis"
import * as Fleet from "./fleet/fleet.js"
import * as RedisServer from "./utils/redisServer.js"

const envOf = (server: FakeAuthServer.Service, redis: RedisServer.RedisServer, more: Record<string, string> = {}) => ({
  TOKEN_URL: server.tokenUrl,
  API_URL: `${server.apiUrl}/orders`,
  REDIS_URL: redis.url,
  ...more
})

const fingerprintsOf = (answers: ReadonlyArray<Fleet.Answer>) => new Set(answers.flatMap((a) => a.fingerprints ?? []))
const errorsOf = (answers: ReadonlyArray<Fleet.Answer>) => answers.flatMap((a) => a.errors ?? [])

/** Waits, polling every 20 ms for at most 10 s, until `condition` holds. */
const eventually = (condition: Effect.Effect<boolean>) =>
  Effect.flatMap(condition, (holds) => holds ? Effect.void : Effect.fail("not yet")).pipe(
    Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.upTo("10 seconds"))),
    Effect.orDieWith(() => new Error("condition not met within 10 s"))
  )

/** The only token entry in Redis, read with a store of this process. */
const storedToken = (redis: RedisServer.RedisServer) =>
  Effect.gen(function*() {
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => new Redis(redis.url)),
      (client) => Effect.promise(() => client.quit())
    )
    const names = yield* Effect.promise(() => client.keys("effect-oauth2:*:token"))
    assert.strictEqual(names.length, 1)
    const hash = /\{([0-9a-f]{64})\}/.exec(names[0]!)![1]!
    const store = yield* RedisTokenStore.make({ client })
    const stored = yield* Effect.orDie(store.get(hash))
    return { raw: (yield* Effect.promise(() => client.get(names[0]!)))!, token: Option.getOrThrow(stored).token }
  })

const Server = (options: FakeAuthServer.Options = {}) => Layer.merge(FakeAuthServer.layer(options), RedisServer.layer)

describe("a fleet of replicas on Redis", () => {
  it.live(
    "4 processes × 200 concurrent callers on a cold store: one token request in all",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const redis = yield* RedisServer.RedisServer
        const workers = yield* Fleet.spawnAll(4, envOf(server, redis))
        const answers = yield* Effect.all(workers.map((worker) => worker.send({ op: "get", callers: 200 })), {
          concurrency: "unbounded"
        })
        assert.deepStrictEqual(errorsOf(answers), [])
        assert.strictEqual(fingerprintsOf(answers).size, 1, "every caller of every process got the same token")
        assert.strictEqual((yield* server.tokenRequests).length, 1)
      }).pipe(Effect.scoped, Effect.provide(Server())),
    120_000
  )

  it.live(
    "the lease holder killed mid-fetch: the others get a token within the lease's TTL plus one fetch",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const redis = yield* RedisServer.RedisServer
        const leaseTtl = 2000
        const [holder, ...others] = yield* Fleet.spawnAll(4, envOf(server, redis, { LEASE_TTL: `${leaseTtl} millis` }))
        yield* server.script(FakeAuthServer.hang)
        yield* Effect.fork(holder!.send({ op: "get", callers: 1 }))
        yield* eventually(Effect.map(server.tokenRequests, (requests) => requests.length === 1))
        const started = Date.now()
        const waiting = yield* Effect.fork(
          Effect.all(others.map((worker) => worker.send({ op: "get", callers: 50 })), { concurrency: "unbounded" })
        )
        yield* Effect.sleep("200 millis")
        yield* holder!.kill
        const answers = yield* Fiber.join(waiting)
        const elapsed = Date.now() - started
        assert.deepStrictEqual(errorsOf(answers), [])
        assert.strictEqual(fingerprintsOf(answers).size, 1)
        // the lease's end, a poll, one fetch, and room for a loaded machine
        assert.isBelow(elapsed, leaseTtl + 2500, `took ${elapsed} ms`)
        assert.strictEqual((yield* server.tokenRequests).length, 2, "the hung request, then one fetch by the taker")
      }).pipe(Effect.scoped, Effect.provide(Server())),
    120_000
  )

  it.live(
    "Redis stopped mid-run and started again: no caller sees an error, one warning per outage",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const redis = yield* RedisServer.RedisServer
        const workers = yield* Fleet.spawnAll(2, envOf(server, redis))
        const running = yield* Effect.fork(
          // 5 s after Redis is back: a replica reconnects, and its next fetch writes (a read alone is not a recovery)
          Effect.all(workers.map((worker) => worker.send({ op: "loop", millis: 9000, every: 20 })), {
            concurrency: "unbounded"
          })
        )
        yield* Effect.sleep("1500 millis")
        yield* redis.stop
        yield* Effect.sleep("2500 millis")
        yield* redis.start
        const answers = yield* Fiber.join(running)
        assert.deepStrictEqual(errorsOf(answers), [])
        for (const [index, worker] of workers.entries()) {
          assert.isAbove(Number(answers[index]!.calls), 100, JSON.stringify(answers[index]))
          const warnings = worker.logs().filter((line) => line.includes("token store failing"))
          assert.strictEqual(warnings.length, 1, worker.logs().join("\n"))
          assert.isTrue(worker.logs().some((line) => line.includes("answering again")), worker.logs().join("\n"))
        }
      }).pipe(Effect.scoped, Effect.provide(Server({ tokenLifetime: "2 seconds" }))),
    120_000
  )

  it.live(
    "sealed entries: unreadable without the key; a replica with another key reads a miss and carries on",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const redis = yield* RedisServer.RedisServer
        const key = Buffer.alloc(32, 7).toString("base64")
        const [sealing] = yield* Fleet.spawnAll(1, envOf(server, redis, { ENCRYPTION_KEY: key }))
        assert.deepStrictEqual(errorsOf([yield* sealing!.send({ op: "get", callers: 10 })]), [])
        const client = yield* Effect.acquireRelease(
          Effect.sync(() => new Redis(redis.url)),
          (client) => Effect.promise(() => client.quit())
        )
        const [name] = yield* Effect.promise(() => client.keys("effect-oauth2:*:token"))
        const raw = (yield* Effect.promise(() => client.get(name!)))!
        const sealedStore = yield* RedisTokenStore.make({ client }, { encryptionKey: Redacted.make(key) })
        const hash = /\{([0-9a-f]{64})\}/.exec(name!)![1]!
        const token = Option.getOrThrow(yield* Effect.orDie(sealedStore.get(hash))).token
        assert.notInclude(raw, Redacted.value(token.value))
        assert.notInclude(raw, "Bearer")

        const otherKey = Buffer.alloc(32, 9).toString("base64")
        const [other] = yield* Fleet.spawnAll(1, envOf(server, redis, { ENCRYPTION_KEY: otherKey }))
        const answer = yield* other!.send({ op: "get", callers: 10 })
        assert.deepStrictEqual(errorsOf([answer]), [])
        assert.strictEqual((yield* server.tokenRequests).length, 2, "a miss: it fetched its own")
      }).pipe(Effect.scoped, Effect.provide(Server())),
    120_000
  )

  it.live(
    "after a revocation, a second process's own 401 leads it to the new token from the store",
    () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const redis = yield* RedisServer.RedisServer
        const [first, second] = yield* Fleet.spawnAll(2, envOf(server, redis))
        const before = [yield* first!.send({ op: "get", callers: 1 }), yield* second!.send({ op: "get", callers: 1 })]
        assert.strictEqual(fingerprintsOf(before).size, 1)
        const { token } = yield* storedToken(redis)
        yield* server.revoke(token)

        assert.deepInclude(yield* first!.send({ op: "api" }), { status: 200, errors: [] })
        assert.strictEqual((yield* server.tokenRequests).length, 2)
        assert.deepInclude(yield* second!.send({ op: "api" }), { status: 200, errors: [] })
        assert.strictEqual((yield* server.tokenRequests).length, 2, "the second took the new token from the store")
        const after = [yield* first!.send({ op: "get", callers: 1 }), yield* second!.send({ op: "get", callers: 1 })]
        assert.strictEqual(fingerprintsOf(after).size, 1)
        assert.notDeepEqual([...fingerprintsOf(after)], [...fingerprintsOf(before)])
      }).pipe(Effect.scoped, Effect.provide(Server())),
    120_000
  )
})
