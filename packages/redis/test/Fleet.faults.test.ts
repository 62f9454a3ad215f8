/**
 * A fleet of replicas (processes, `fleet/worker.ts`) on a real `redis-server` holding a replayed entry: one the Effect 3
 * line writes itself, sealed with its own `RedisTokenStore`. The other faults (paused while a lease holder fetches, a
 * lease nobody renews, writes refused while reads answer) are the Fleet suite's (`@effect-oauth2/suites/Fleet`), run
 * by both lines. Real time, short lifetimes; every wait bounded. The same faults, step by step on `TestClock`, are in
 * `@effect-oauth2/client-credentials`'s `TokenService.storeFaults.test.ts`. Specified in `docs/fleet.md#faults`.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { RedisTokenStore } from "@effect-oauth2/redis"
import { FakeAuthServer } from "@effect-oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
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
})
