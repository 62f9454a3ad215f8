/**
 * Heap kept per cycle of dropping a token and fetching another, measured in a process of its own (a test runner
 * keeps data per error and stack it sees). Prints one JSON line: `{ scenario, requests, bytesPerCycle }`.
 *
 * `node --conditions=@effect-oauth2/source --import tsx dropCycles.ts <scenario>`, where `scenario` is
 * - `rejected`: the configured request and another one, each fetched then invalidated (3,000 cycles to warm up,
 *   then 3,000 measured: 12,000 token requests);
 * - `failed`: another request whose every fetch fails with `invalid_grant`, remembered for a second that the clock
 *   then skips (6,000 cycles, then 6,000 measured).
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as v8 from "node:v8"
import * as vm from "node:vm"

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

const heapAfterGc = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const scenario = process.argv[2]

// the heap moves for the first few thousand cycles as the code warms up: measure the window after them
const warmUp = Number(process.env.WARM_UP ?? 4_000)
const measured = Number(process.env.MEASURED ?? 4_000)
const requests = { count: 0 }

/** A token endpoint that keeps nothing per request: a fresh token `t<n>`, or `invalid_grant` in `failed`. */
const client = HttpClient.make((request) =>
  Effect.sync(() => {
    requests.count++
    const response = scenario === "failed"
      ? new Response(JSON.stringify({ error: "invalid_grant" }), { status: 400 })
      : new Response(JSON.stringify({ access_token: `t${requests.count}`, token_type: "Bearer", expires_in: 3600 }))
    return HttpClientResponse.fromWeb(request, response)
  })
)

/** The live clock moved forward by `offset.millis`: time passes at once, and sleeps still end. */
const offset = { millis: 0 }
const live = Clock.make()
const millis = () => live.unsafeCurrentTimeMillis() + offset.millis
const shiftedClock: Clock.Clock = {
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: millis,
  currentTimeMillis: Effect.sync(millis),
  unsafeCurrentTimeNanos: () => BigInt(millis()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(millis()) * 1_000_000n),
  sleep: (duration) => live.sleep(duration)
}

const program = Effect.gen(function*() {
  const service = yield* TokenService.make({
    tokenUrl: "https://auth.example.com/token",
    clientId: "client",
    clientSecret: Redacted.make("secret"),
    retry: Schedule.stop,
    // every rejection drops the token
    terminalErrorCooldown: scenario === "rejected" ? 0 : "5 seconds"
  })
  const other = service.getFor({ scopes: ["other"] })
  const cycle = scenario === "rejected"
    ? Effect.zipRight(Effect.flatMap(service.get, service.invalidate), Effect.flatMap(other, service.invalidate))
    : Effect.zipRight(Effect.either(other), Effect.sync(() => offset.millis += 1000))
  yield* Effect.repeatN(cycle, warmUp - 1)
  const before = heapAfterGc()
  yield* Effect.repeatN(cycle, measured - 1)
  const bytesPerCycle = (heapAfterGc() - before) / measured
  console.log(JSON.stringify({ scenario, requests: requests.count, bytesPerCycle }))
}).pipe(Effect.provideService(HttpClient.HttpClient, client), Effect.withClock(shiftedClock), Effect.scoped)

Effect.runPromise(program).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
