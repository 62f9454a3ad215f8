/**
 * Scenario 6, a fleet: 4 replicas, each a process of its own (`packages/redis/test/fleet/worker.ts`), start cold with
 * 200 callers each. Sharing tokens through Redis (`TokenService.layerWithStore` on `RedisTokenStore`), the fleet
 * should send one token request; with each replica's own cache only (`TokenService.layer`), one per replica; the
 * classic snippet, one per caller. Then the time a replica takes to get a token another replica put in the store,
 * over loopback Redis, against the time of a token request and of a token from its own cache.
 *
 * Needs `redis-server` on PATH; without it the scenario says so and reports no figure.
 */
import * as Effect from "effect/Effect"
import * as Fleet from "../packages/redis/test/fleet/fleet.js"
import * as RedisServer from "../packages/redis/test/utils/redisServer.js"
import * as Baseline from "./baseline.js"
import * as Report from "./report.js"
import type * as TokenServer from "./tokenServer.js"

const replicas = 4
const callers = 200
const keys = 200

const coldStart = (server: TokenServer.TokenServer, env: Record<string, string>) =>
  Effect.gen(function*() {
    const workers = yield* Fleet.spawnAll(replicas, env)
    server.reset()
    const answers = yield* Effect.all(workers.map((worker) => worker.send({ op: "get", callers })), {
      concurrency: "unbounded"
    })
    return {
      requests: server.tokenRequests,
      failures: answers.reduce((sum, answer) => sum + (answer.errors?.length ?? 0), 0)
    }
  }).pipe(Effect.scoped)

const baselineColdStart = async (server: TokenServer.TokenServer) => {
  server.reset()
  let failures = 0
  // each replica is a fresh process: a fresh module-level token
  for (let replica = 0; replica < replicas; replica++) {
    Baseline.configure({ tokenUrl: server.tokenUrl, clientId: Report.clientId, clientSecret: Report.clientSecret })
    const results = await Promise.allSettled(Array.from({ length: callers }, () => Baseline.getToken()))
    failures += results.filter((result) => result.status === "rejected").length
  }
  return { requests: server.tokenRequests, failures }
}

/** Per-call times in µs: a token request (first replica), a store hit (second), a cache hit (second, again). */
const latencies = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const [writer, reader] = yield* Fleet.spawnAll(2, env)
    const scopes = Array.from({ length: keys }, (_, index) => `bench.${index}`)
    const fetched = yield* writer!.send({ op: "getFor", scopes })
    const fromStore = yield* reader!.send({ op: "getFor", scopes })
    const fromCache = yield* reader!.send({ op: "getFor", scopes })
    const micros = (answer: Fleet.Answer) => Report.median(answer.micros as ReadonlyArray<number>)
    return { fetched: micros(fetched), fromStore: micros(fromStore), fromCache: micros(fromCache) }
  }).pipe(Effect.scoped)

/** Runs the scenario against `server`, whose token endpoint takes 50 ms for the cold start, then 0 ms. */
export const run = async (server: TokenServer.TokenServer): Promise<ReadonlyArray<Report.Row>> => {
  if (RedisServer.findRedisServer() === undefined) {
    Report.progress(`not run: ${RedisServer.notFoundMessage}`)
    return []
  }
  return Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const redis = yield* RedisServer.make
    const env = { TOKEN_URL: server.tokenUrl, API_URL: server.apiUrl, REDIS_URL: redis.url }
    server.delayMs = 50
    server.lifetimeSeconds = 3600
    const shared = yield* coldStart(server, env)
    Report.progress(`shared through Redis: ${shared.requests} token request(s), ${shared.failures} failed`)
    const own = yield* coldStart(server, { ...env, STORE: "none" })
    Report.progress(`each replica's own cache: ${own.requests} token request(s), ${own.failures} failed`)
    const baseline = yield* Effect.promise(() => baselineColdStart(server))
    Report.progress(`baseline: ${baseline.requests} token request(s), ${baseline.failures} failed`)
    yield* redis.command("FLUSHALL")
    server.delayMs = 0
    const times = yield* latencies(env)
    Report.progress(
      `median per call: token request ${Report.format(times.fetched)} µs, from the store ` +
        `${Report.format(times.fromStore)} µs, from the replica's cache ${Report.format(times.fromCache, 1)} µs`
    )
    return [
      {
        scenario: "6 fleet",
        measure: `token requests, ${replicas} processes × ${callers} callers, cold (own cache only: ${own.requests})`,
        library: Report.format(shared.requests),
        baseline: Report.format(baseline.requests),
        goal: "1",
        met: shared.requests === 1 && shared.failures === 0 && own.failures === 0
      },
      {
        scenario: "6 fleet",
        measure: "a token another replica put in Redis (loopback), median per call",
        library: `${Report.format(times.fromStore)} µs`,
        baseline: "",
        goal: `< token request (${Report.format(times.fetched)} µs, endpoint 0 ms)`,
        met: times.fromStore < times.fetched
      }
    ] satisfies ReadonlyArray<Report.Row>
  })))
}
