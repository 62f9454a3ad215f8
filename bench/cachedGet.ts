/**
 * Scenario 3, the cost of a cached `get`: ns per call inside an Effect loop, next to the same loop yielding a
 * prebuilt `Effect.succeed` (the floor) and Effect's own `Cache.get` on a warm key; then the same from Promise
 * code, one `runtime.runPromise` per call through a `ManagedRuntime`, next to `runtime.runPromise(Effect.succeed(1))`,
 * and the Promise API's `createTokenClient().getToken()`, next to the classic snippet's `await getToken()`.
 * Many short rounds, every variant in each: a ratio is the median of the per-round ratios, so that a busy moment
 * of the machine weighs on both sides of it.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { createTokenClient } from "@effect-oauth2/client-credentials/promise"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cache from "effect/Cache"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Baseline from "./baseline.js"
import * as Report from "./report.js"
import type * as TokenServer from "./tokenServer.js"

const rounds = 15
const effectIterations = 1_000_000
const promiseIterations = 100_000
/** Each variant's time budget per round; a slower variant runs fewer calls. */
const budgetMillis = 150

interface Variant {
  readonly name: string
  /** Runs `n` calls; resolves when they are done. */
  readonly run: (n: number) => Promise<void>
  readonly iterations: number
}

/** ns per call, one sample per round. */
type Samples = ReadonlyArray<number>

const effectLoop = <A, E>(effect: Effect.Effect<A, E>, n: number): Effect.Effect<void, E> =>
  Effect.gen(function*() {
    for (let i = 0; i < n; i++) yield* effect
  })

/** ns per call of each variant, per round, after a warm-up that also sizes the rounds. */
const measure = async (variants: ReadonlyArray<Variant>): Promise<ReadonlyArray<Samples>> => {
  const sizes: Array<number> = []
  for (const variant of variants) {
    const n = Math.max(1, Math.floor(variant.iterations / 10))
    await variant.run(n)
    const started = performance.now()
    await variant.run(n)
    const nsPerOp = ((performance.now() - started) * 1e6) / n
    sizes.push(Math.min(variant.iterations, Math.max(10_000, Math.floor((budgetMillis * 1e6) / nsPerOp))))
  }
  const samples = variants.map((): Array<number> => [])
  for (let round = 0; round < rounds; round++) {
    for (const [index, variant] of variants.entries()) {
      const n = sizes[index]!
      const started = performance.now()
      await variant.run(n)
      samples[index]!.push(((performance.now() - started) * 1e6) / n)
    }
  }
  for (const [index, variant] of variants.entries()) {
    const values = samples[index]!
    Report.progress(
      `${variant.name.padEnd(46)} ${Report.format(Report.median(values), 1).padStart(9)} ns/op ` +
        `(${Report.format(sizes[index]!)} calls x ${rounds} rounds; min ${Report.format(Math.min(...values))}, ` +
        `max ${Report.format(Math.max(...values))})`
    )
  }
  return samples
}

/** The median of the per-round ratios `self / reference`. */
const ratio = (self: Samples, reference: Samples): number =>
  Report.median(self.map((value, round) => value / reference[round]!))

/** Runs the scenario against `server`. */
export const run = async (server: TokenServer.TokenServer): Promise<ReadonlyArray<Report.Row>> => {
  server.delayMs = 0
  server.lifetimeSeconds = 3600
  const runtime = ManagedRuntime.make(
    TokenService.layer({
      tokenUrl: server.tokenUrl,
      clientId: Report.clientId,
      clientSecret: Report.clientSecretRedacted
    }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  )
  try {
    const tokens = await runtime.runPromise(TokenService.TokenService)
    const other = tokens.getFor({ scopes: ["other"] })
    await runtime.runPromise(tokens.get)
    await runtime.runPromise(other)
    const cache = await runtime.runPromise(
      Cache.make({ capacity: 1000, timeToLive: "1 hour", lookup: (key: string) => Effect.succeed(key.length) })
    )
    const warmGet = cache.get("warm")
    await runtime.runPromise(warmGet)
    const succeed = Effect.succeed(1)
    const sync = Effect.sync(() => 1)
    // the cheapest effect that can choose, when it runs, between a cached value and another effect
    const suspended = Effect.suspend(() => succeed)
    const promiseClient = createTokenClient({
      tokenUrl: server.tokenUrl,
      clientId: Report.clientId,
      clientSecret: Report.clientSecret
    })
    await promiseClient.getToken()
    Baseline.configure({ tokenUrl: server.tokenUrl, clientId: Report.clientId, clientSecret: Report.clientSecret })
    await Baseline.getToken()
    const before = server.tokenRequests

    const inEffectLoop = (name: string, effect: Effect.Effect<unknown, unknown>): Variant => ({
      name,
      iterations: effectIterations,
      run: (n) => runtime.runPromise(effectLoop(effect, n))
    })
    const awaiting = (name: string, call: () => Promise<unknown>, iterations = promiseIterations): Variant => ({
      name,
      iterations,
      run: async (n) => {
        for (let i = 0; i < n; i++) await call()
      }
    })
    Report.progress("inside an Effect loop (Effect.gen, one yield* per call):")
    const [floor, oneOp, branch, get, cacheGet, getFor] = await measure([
      inEffectLoop("floor: yield* Effect.succeed(1)", succeed),
      inEffectLoop("one runtime op: yield* Effect.sync", sync),
      inEffectLoop("a branch: yield* Effect.suspend(() => succeed)", suspended),
      inEffectLoop("library: yield* tokens.get", tokens.get),
      inEffectLoop("Effect Cache.get, warm key", warmGet),
      inEffectLoop("library: yield* tokens.getFor(other scopes)", other)
    ])
    Report.progress("from Promise code (one await per call):")
    const [promiseFloor, promiseGet, clientGet, baselineGet] = await measure([
      awaiting("floor: await runtime.runPromise(succeed)", () => runtime.runPromise(succeed)),
      awaiting("library: await runtime.runPromise(get)", () => runtime.runPromise(tokens.get)),
      awaiting("library: await createTokenClient().getToken()", promiseClient.getToken, promiseIterations * 10),
      awaiting("baseline: await getToken()", Baseline.getToken, promiseIterations * 10)
    ])
    await promiseClient.close()
    const extraRequests = server.tokenRequests - before
    if (extraRequests !== 0) Report.progress(`warning: ${extraRequests} token request(s) during the loops`)

    const cell = (self: Samples, reference: Samples) =>
      `${Report.format(Report.median(self), 0)} ns (${Report.format(ratio(self, reference), 1)}x)`
    const getRatio = ratio(get!, floor!)
    const clientRatio = ratio(clientGet!, baselineGet!)
    const row = (scenario: string, measure: string, library: string, baseline = "-"): Report.Row => ({
      scenario,
      measure,
      library,
      baseline,
      goal: ""
    })
    const effectRow = "3 cached get, Effect loop"
    const promiseRow = "3 cached get, Promise"
    return [
      row(effectRow, "floor: yield* Effect.succeed(1)", `${Report.format(Report.median(floor!), 0)} ns`),
      row(effectRow, "reference: yield* Effect.sync, one runtime op (x floor)", cell(oneOp!, floor!)),
      row(effectRow, "reference: yield* Effect.suspend(() => succeed) (x floor)", cell(branch!, floor!)),
      {
        ...row(effectRow, "yield* tokens.get (x floor)", cell(get!, floor!)),
        goal: "<= 5x floor",
        met: getRatio <= 5 && extraRequests === 0
      },
      row(effectRow, "reference: Effect Cache.get, warm key (x floor)", cell(cacheGet!, floor!)),
      row(effectRow, "yield* tokens.getFor(other scopes), warm (x floor)", cell(getFor!, floor!)),
      row(
        promiseRow,
        "floor: await runtime.runPromise(Effect.succeed(1))",
        `${Report.format(Report.median(promiseFloor!), 0)} ns`
      ),
      row(
        promiseRow,
        "await runtime.runPromise(get) (x floor) / await getToken()",
        cell(promiseGet!, promiseFloor!),
        `${Report.format(Report.median(baselineGet!), 0)} ns`
      ),
      {
        ...row(
          promiseRow,
          "await createTokenClient().getToken() (x snippet) / await getToken()",
          `${Report.format(Report.median(clientGet!), 0)} ns (${Report.format(clientRatio, 1)}x)`,
          `${Report.format(Report.median(baselineGet!), 0)} ns`
        ),
        goal: "<= 2x snippet",
        met: clientRatio <= 2 && extraRequests === 0
      }
    ]
  } finally {
    await runtime.dispose()
  }
}
