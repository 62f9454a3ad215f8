/**
 * A fleet of replicas on Redis (`docs/fleet.md#the-protocol`, `docs/fleet.md#faults`): each replica a process of its
 * own (the line's `fleetWorker`, `fixtures/Fleet`), sharing tokens through a real `redis-server` (`fixtures/RedisServer`)
 * and asking a real token endpoint (the line's `FakeAuthServer`, in this process, on 127.0.0.1). Real time, short
 * lifetimes and lease TTLs; every wait bounded.
 *
 * @since 0.1.0
 */
import { Redis } from "ioredis"
import * as Fleet from "./fixtures/Fleet.js"
import * as RedisServer from "./fixtures/RedisServer.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

const timeout = 120_000

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

const fingerprintsOf = (answers: ReadonlyArray<Fleet.Answer>) => new Set(answers.flatMap((a) => a.fingerprints ?? []))
const errorsOf = (answers: ReadonlyArray<Fleet.Answer>) => answers.flatMap((a) => a.errors ?? [])

/** Polls every 20 ms, for at most `millis`, until `condition` holds. */
const eventually = async (condition: () => Promise<boolean>, millis = 10_000) => {
  const deadline = Date.now() + millis
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${millis} ms`)
    await sleep(20)
  }
}

/** What a fleet test runs on: the line's token endpoint, a Redis, and the workers it starts (all stopped after it). */
interface Setting {
  readonly server: Line.FakeServer
  readonly redis: RedisServer.RedisServer
  readonly env: (more?: Readonly<Record<string, string>>) => Readonly<Record<string, string>>
  readonly spawn: (count: number, env: Readonly<Record<string, string>>) => Promise<Array<Fleet.Worker>>
  /** A Redis client of the test's own. */
  readonly control: () => Redis
}

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  const withFleet = async (options: Line.FakeServerOptions, body: (setting: Setting) => Promise<void>) => {
    const server = await line.fakeAuthServer(options)
    const workers: Array<Fleet.Worker> = []
    const clients: Array<Redis> = []
    let redis: RedisServer.RedisServer | undefined
    try {
      redis = await RedisServer.start()
      const started = redis
      await body({
        server,
        redis: started,
        env: (more = {}) => ({
          TOKEN_URL: server.tokenUrl,
          API_URL: `${server.apiUrl}/orders`,
          REDIS_URL: started.url,
          ...more
        }),
        spawn: async (count, env) => {
          const spawned = await Fleet.spawnAll(line.fleetWorker, count, env)
          workers.push(...spawned)
          return spawned
        },
        control: () => {
          const client = new Redis(started.url)
          clients.push(client)
          return client
        }
      })
    } finally {
      await Promise.all(workers.map((worker) => worker.kill()))
      for (const client of clients) client.disconnect()
      await redis?.close()
      await server.close()
    }
  }

  /** The name of the one token entry in Redis, once there is one. */
  const tokenEntry = async (client: Redis) => {
    let names: Array<string> = []
    await eventually(async () => (names = await client.keys("effect-oauth2:*:token")).length === 1, 5000)
    return names[0]!
  }

  describe("a fleet of replicas on Redis", () => {
    it(
      "4 processes × 200 concurrent callers on a cold store: one token request in all",
      () =>
        withFleet({}, async ({ env, server, spawn }) => {
          const workers = await spawn(4, env())
          const answers = await Promise.all(workers.map((worker) => worker.send({ op: "get", callers: 200 })))
          assert.deepStrictEqual(errorsOf(answers), [])
          assert.strictEqual(fingerprintsOf(answers).size, 1, "every caller of every process got the same token")
          assert.strictEqual((await server.tokenRequests()).length, 1)
        }),
      timeout
    )

    it(
      "the lease holder killed mid-fetch: the others get a token within the lease's TTL plus one fetch",
      () =>
        withFleet({}, async ({ env, server, spawn }) => {
          const leaseTtl = 2000
          const [holder, ...others] = await spawn(4, env({ LEASE_TTL: `${leaseTtl} millis` }))
          await server.script({ _tag: "Hang" })
          void holder!.send({ op: "get", callers: 1 }).catch(() => undefined)
          await eventually(async () => (await server.tokenRequests()).length === 1)
          const started = Date.now()
          const waiting = Promise.all(others.map((worker) => worker.send({ op: "get", callers: 50 })))
          await sleep(200)
          await holder!.kill()
          const answers = await waiting
          const elapsed = Date.now() - started
          assert.deepStrictEqual(errorsOf(answers), [])
          assert.strictEqual(fingerprintsOf(answers).size, 1)
          // the lease's end, a poll, one fetch, and room for a loaded machine
          assert.isBelow(elapsed, leaseTtl + 2500, `took ${elapsed} ms`)
          assert.strictEqual((await server.tokenRequests()).length, 2, "the hung request, then one fetch by the taker")
        }),
      timeout
    )

    it(
      "Redis stopped mid-run and started again: no caller sees an error, one warning per outage",
      () =>
        withFleet({ tokenLifetimeSeconds: 2 }, async ({ env, redis, spawn }) => {
          const workers = await spawn(2, env())
          // 5 s after Redis is back: each replica reconnects, and its first answer from the store is its recovery
          const running = Promise.all(workers.map((worker) => worker.send({ op: "loop", millis: 9000, every: 20 })))
          await sleep(1500)
          await redis.stop()
          await sleep(2500)
          await redis.start()
          const answers = await running
          assert.deepStrictEqual(errorsOf(answers), [])
          for (const [index, worker] of workers.entries()) {
            assert.isAbove(Number(answers[index]!.calls), 100, JSON.stringify(answers[index]))
            const warnings = worker.logs().filter((log) => log.includes("token store failing"))
            assert.strictEqual(warnings.length, 1, worker.logs().join("\n"))
            assert.isTrue(worker.logs().some((log) => log.includes("answering again")), worker.logs().join("\n"))
          }
        }),
      timeout
    )

    it(
      "sealed entries: unreadable without the key; a replica with another key reads a miss and carries on",
      () =>
        withFleet({}, async ({ env, redis, server, spawn }) => {
          const key = Buffer.alloc(32, 7).toString("base64")
          const [sealing] = await spawn(1, env({ ENCRYPTION_KEY: key }))
          assert.deepStrictEqual(errorsOf([await sealing!.send({ op: "get", callers: 10 })]), [])
          const stored = await line.storedToken(redis.url, key)
          assert.notInclude(stored.raw, stored.value)
          assert.notInclude(stored.raw, "Bearer")

          const [other] = await spawn(1, env({ ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64") }))
          assert.deepStrictEqual(errorsOf([await other!.send({ op: "get", callers: 10 })]), [])
          assert.strictEqual((await server.tokenRequests()).length, 2, "a miss: it fetched its own")
        }),
      timeout
    )

    it(
      "after a revocation, a second process's own 401 leads it to the new token from the store",
      () =>
        withFleet({}, async ({ env, redis, server, spawn }) => {
          const [first, second] = await spawn(2, env())
          const before = [await first!.send({ op: "get", callers: 1 }), await second!.send({ op: "get", callers: 1 })]
          assert.strictEqual(fingerprintsOf(before).size, 1)
          await server.revoke((await line.storedToken(redis.url)).value)

          assert.deepInclude(await first!.send({ op: "api" }), { status: 200, errors: [] })
          assert.strictEqual((await server.tokenRequests()).length, 2)
          assert.deepInclude(await second!.send({ op: "api" }), { status: 200, errors: [] })
          assert.strictEqual((await server.tokenRequests()).length, 2, "the second took the new token from the store")
          const after = [await first!.send({ op: "get", callers: 1 }), await second!.send({ op: "get", callers: 1 })]
          assert.strictEqual(fingerprintsOf(after).size, 1)
          assert.notDeepEqual([...fingerprintsOf(after)], [...fingerprintsOf(before)])
        }),
      timeout
    )
  })

  describe("a fleet after a revocation", () => {
    it(
      "every process's API call rejects the token at once: one token request for the fleet",
      () =>
        withFleet({}, async ({ env, redis, server, spawn }) => {
          const workers = await spawn(4, env())
          const before = await Promise.all(workers.map((worker) => worker.send({ op: "get", callers: 1 })))
          assert.strictEqual(fingerprintsOf(before).size, 1)
          await server.revoke((await line.storedToken(redis.url)).value)
          const answers = await Promise.all(workers.map((worker) => worker.send({ op: "api" })))
          for (const answer of answers) assert.deepInclude(answer, { status: 200, errors: [] })
          assert.strictEqual((await server.tokenRequests()).length, 2, "the first token, then one for the fleet")
        }),
      timeout
    )
  })

  describe("a fleet on a Redis that misbehaves", () => {
    it(
      "Redis paused (CLIENT PAUSE) while the lease holder fetches: calls cost the store timeout, and replicas close at once",
      () =>
        withFleet({}, async ({ control, env, server, spawn }) => {
          const client = control()
          const [holder, other] = await spawn(2, env())
          await server.script({ _tag: "Delayed", millis: 400, answer: { _tag: "Normal" } })
          const holding = holder!.send({ op: "get", callers: 1 })
          await sleep(150)
          // every command on every connection waits for 6 s, this one's included
          client.call("CLIENT", "PAUSE", "6000", "ALL").catch(() => {})
          const paused = performance.now()
          const held = await holding
          const second = await other!.send({ op: "get", callers: 5 })
          assert.deepStrictEqual(errorsOf([held, second]), [])
          // the holder's write and release (250 ms each, at most), the other's read, then its own fetch
          assert.isBelow(Number(held.millis), 2000, `the holder's caller waited ${held.millis} ms`)
          assert.isBelow(Number(second.millis), 2000, `the other's callers waited ${second.millis} ms`)
          const closes = await Promise.all([holder!.close(), other!.close()])
          for (const millis of closes) assert.isBelow(millis, 3000, `a replica took ${millis} ms to close and exit`)
          assert.isBelow(performance.now() - paused, 6000, "all of it while Redis was paused")
          // the pause ends before Redis is stopped
          await sleep(Math.max(0, Math.ceil(6500 - (performance.now() - paused))))
        }),
      timeout
    )

    it(
      "a lease without an expiry (a hand-made SET): a cold start is not stalled, and it is logged once",
      () =>
        withFleet({}, async ({ control, env, spawn }) => {
          const client = control()
          const [first] = await spawn(1, env())
          assert.deepStrictEqual(errorsOf([await first!.send({ op: "get", callers: 1 })]), [])
          const token = await tokenEntry(client)
          // the token is gone, and a lease with no expiry sits on its key
          await client.del(token)
          await client.set(token.replace(/:token$/, ":lease"), "hand-made")
          const [cold] = await spawn(1, env())
          const answer = await cold!.send({ op: "get", callers: 20 })
          assert.deepStrictEqual(errorsOf([answer]), [])
          assert.isBelow(Number(answer.millis), 2000, `the cold get took ${answer.millis} ms`)
          const stale = cold!.logs().filter((log) => log.includes("nobody renews"))
          assert.strictEqual(stale.length, 1, cold!.logs().join("\n"))
        }),
      timeout
    )

    it(
      "a full Redis (reads answer, writes refused): no caller error, one warning per replica for the outage",
      () =>
        withFleet({ tokenLifetimeSeconds: 2 }, async ({ control, env, server, spawn }) => {
          const client = control()
          const workers = await spawn(2, env())
          // what each replica logged before: on a loaded machine a store call may have timed out already
          const before = workers.map((worker) => worker.logs().length)
          await client.config("SET", "maxmemory-policy", "noeviction")
          await client.config("SET", "maxmemory", "1")
          // two-second tokens: a fetch every second on each replica while writes are refused
          const answers = await Promise.all(
            workers.map((worker) => worker.send({ op: "loop", millis: 5000, every: 20 }))
          )
          assert.deepStrictEqual(errorsOf(answers), [])
          assert.isAtLeast((await server.tokenRequests()).length, 6, "several fetches while writes were refused")
          for (const [index, worker] of workers.entries()) {
            const during = worker.logs().slice(before[index])
            assert.isAtMost(during.filter((log) => log.includes("token store failing")).length, 1, during.join("\n"))
            assert.strictEqual(during.filter((log) => log.includes("answering again")).length, 0, during.join("\n"))
            assert.isTrue(worker.logs().some((log) => log.includes("token store failing")), during.join("\n"))
          }
          await client.config("SET", "maxmemory", "0")
          await Promise.all(workers.map((worker) => worker.send({ op: "loop", millis: 2500, every: 20 })))
          // a replica says the store answers again when its own write does: the one that takes the lease and writes
          // the next token; one that reads that token from the store has written nothing, and may stay silent
          const recovered = workers.filter((worker) => worker.logs().some((log) => log.includes("answering again")))
          assert.isAtLeast(recovered.length, 1, workers.map((worker) => worker.logs().join("\n")).join("\n---\n"))
        }),
      timeout
    )
  })
}
