/**
 * Scenario 5, memory: the heap that 10,000 distinct cached requests (`getFor` with 10,000 different scopes) take
 * with `cacheCapacity: 10_000`; and, at the default capacity (1000), that the heap stays flat while 10,000
 * distinct requests go through (measured once the cache is full, at 2,000, then at 6,000 and 10,000). The baseline
 * keeps one token for one scope, so it has no figure here.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Report from "./report.js"
import type * as TokenServer from "./tokenServer.js"

const distinct = 10_000
const concurrency = 64
/** The heap at the default capacity is read after these many distinct requests; the cache is full at the first. */
const checkpoints = [2_000, 6_000, 10_000] as const

const makeRuntime = (server: TokenServer.TokenServer, cacheCapacity: number | undefined) =>
  ManagedRuntime.make(
    TokenService.layer({
      tokenUrl: server.tokenUrl,
      clientId: Report.clientId,
      clientSecret: Redacted.make(Report.clientSecret),
      ...(cacheCapacity === undefined ? {} : { cacheCapacity })
    }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  )

/** Asks for the tokens of scopes `scope-<from>` to `scope-<to - 1>`. */
const fill = (tokens: TokenService.Service, from: number, to: number) =>
  Effect.forEach(
    Array.from({ length: to - from }, (_, i) => from + i),
    (i) => tokens.getFor({ scopes: [`scope-${i}`] }),
    { concurrency, discard: true }
  )

const mb = (bytes: number) => `${Report.format(bytes / 1024 / 1024, 1)} MB`
const signed = (bytes: number) => `${bytes >= 0 ? "+" : ""}${mb(bytes)}`

/** Runs the scenario against `server`. */
export const run = async (server: TokenServer.TokenServer): Promise<ReadonlyArray<Report.Row>> => {
  server.delayMs = 0
  server.lifetimeSeconds = 3600

  // cacheCapacity 10,000: what 10,000 entries take
  const large = makeRuntime(server, 10_000)
  let perEntry: number
  let largeGrowth: number
  let cachedAgain: number
  let fetchMillis: number
  try {
    const tokens = await large.runPromise(TokenService.TokenService)
    // warm the connections and the code paths before the first measure
    await large.runPromise(fill(tokens, -200, 0))
    const before = await Report.heapUsedAfterGc()
    server.reset()
    const started = performance.now()
    await large.runPromise(fill(tokens, 0, distinct))
    fetchMillis = (performance.now() - started) / distinct
    const after = await Report.heapUsedAfterGc()
    const requests = server.tokenRequests
    await large.runPromise(fill(tokens, 0, distinct))
    cachedAgain = server.tokenRequests - requests
    largeGrowth = after - before
    perEntry = largeGrowth / distinct
    Report.progress(
      `cacheCapacity 10,000: heap ${mb(before)} -> ${mb(after)} after ${Report.format(distinct)} distinct requests ` +
        `(${Report.format(requests)} token requests, ${Report.format(fetchMillis, 2)} ms each at ${concurrency} ` +
        `in flight): ${signed(largeGrowth)}, ${Report.format(perEntry)} bytes each; asking again for all of them: ` +
        `${cachedAgain} token request(s)`
    )
  } finally {
    await large.dispose()
  }

  // default capacity (1000): flat once the cache is full
  const bounded = makeRuntime(server, undefined)
  const heaps: Array<number> = []
  let recentCached: boolean
  let oldestEvicted: boolean
  try {
    const tokens = await bounded.runPromise(TokenService.TokenService)
    await bounded.runPromise(fill(tokens, -200, 0))
    let done = 0
    for (const checkpoint of checkpoints) {
      await bounded.runPromise(fill(tokens, done, checkpoint))
      done = checkpoint
      heaps.push(await Report.heapUsedAfterGc())
    }
    server.reset()
    await bounded.runPromise(fill(tokens, done - 1, done))
    recentCached = server.tokenRequests === 0
    await bounded.runPromise(fill(tokens, 0, 1))
    oldestEvicted = server.tokenRequests === 1
    Report.progress(
      `default capacity: heap ${
        checkpoints.map((checkpoint, i) => `${mb(heaps[i]!)} after ${Report.format(checkpoint)}`).join(", ")
      } distinct requests; most recent still cached: ${recentCached}, oldest evicted: ${oldestEvicted}`
    )
  } finally {
    await bounded.dispose()
  }
  const first = heaps[0]!
  const last = heaps[heaps.length - 1]!
  const flatGrowth = last - first

  return [
    {
      scenario: "5 memory",
      measure: `heap for ${Report.format(distinct)} distinct cached requests (cacheCapacity 10,000)`,
      library: `${signed(largeGrowth)} (${Report.format(perEntry / 1024, 1)} KB each)`,
      baseline: "n/a (one token)",
      goal: "",
      // asking again must be served from the cache, or the figure is not that of 10,000 cached entries
      met: cachedAgain === 0 ? undefined : false
    },
    {
      scenario: "5 memory",
      measure: `heap at default capacity (1000), after ${
        checkpoints.map((checkpoint) => `${checkpoint / 1000}k`).join(" / ")
      } distinct requests`,
      library: `${heaps.map(mb).join(" / ")} (${signed(flatGrowth)})`,
      baseline: "n/a (one token)",
      goal: "flat: < 10 % of 10k entries' heap",
      met: flatGrowth < 0.1 * largeGrowth && recentCached && oldestEvicted
    },
    {
      scenario: "5 memory",
      measure: `time per token fetch, ${concurrency} in flight (loopback, endpoint: 0 ms)`,
      library: `${Report.format(fetchMillis, 2)} ms`,
      baseline: "-",
      goal: ""
    }
  ]
}
