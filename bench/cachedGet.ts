/**
 * Scenario 3, the cost of a cached `get`: ns per call inside an Effect loop, next to the same loop yielding a
 * prebuilt `Effect.succeed` (the floor) and Effect's own `Cache.get` on a warm key; then the same from Promise
 * code, one `runtime.runPromise` per call through a `ManagedRuntime`, next to `runtime.runPromise(Effect.succeed(1))`,
 * and the Promise API's `createTokenClient().getToken()`, next to the classic snippet's `await getToken()`.
 * Many short rounds, every variant in each: a ratio is the median of the per-round ratios, so that a busy moment
 * of the machine weighs on both sides of it. Plain Promise code: the line's calls come from its shell (`Line.Line`),
 * and each line's figures are ratios to its own floor.
 */
import * as Baseline from "./baseline.js"
import type * as Line from "./line.js"
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

/** Runs the scenario for `line` against `server`. */
export const run = async (server: TokenServer.TokenServer, line: Line.Line): Promise<ReadonlyArray<Report.Row>> => {
  server.delayMs = 0
  server.lifetimeSeconds = 3600
  const endpoint = { tokenUrl: server.tokenUrl, clientId: Report.clientId, clientSecret: Report.clientSecret }
  const calls = await line.cachedGet(endpoint)
  try {
    const promiseClient = line.createTokenClient(endpoint)
    await promiseClient.getToken()
    Baseline.configure(endpoint)
    await Baseline.getToken()
    const before = server.tokenRequests

    const inEffectLoop = (name: string, run: Line.Loop): Variant => ({ name, iterations: effectIterations, run })
    const awaiting = (name: string, call: () => Promise<unknown>, iterations = promiseIterations): Variant => ({
      name,
      iterations,
      run: async (n) => {
        for (let i = 0; i < n; i++) await call()
      }
    })
    Report.progress("inside an Effect loop (Effect.gen, one yield* per call):")
    const [floor, oneOp, branch, get, cacheGet, getFor] = await measure([
      inEffectLoop("floor: yield* Effect.succeed(1)", calls.inEffectLoop.floor),
      inEffectLoop("one runtime op: yield* Effect.sync", calls.inEffectLoop.oneOp),
      inEffectLoop("a branch: yield* Effect.suspend(() => succeed)", calls.inEffectLoop.branch),
      inEffectLoop("library: yield* tokens.get", calls.inEffectLoop.get),
      inEffectLoop("Effect Cache.get, warm key", calls.inEffectLoop.cacheGet),
      inEffectLoop("library: yield* tokens.getFor(other scopes)", calls.inEffectLoop.getFor)
    ])
    Report.progress("from Promise code (one await per call):")
    const [promiseFloor, promiseGet, clientGet, baselineGet] = await measure([
      awaiting("floor: await runtime.runPromise(succeed)", calls.runPromiseFloor),
      awaiting("library: await runtime.runPromise(get)", calls.runPromiseGet),
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
    await calls.dispose()
  }
}
