/**
 * One replica of the fleet soak (`fleet.ts`), a process of its own: `TokenService.layerWithStore` on
 * `RedisTokenStore` and `AuthorizedClient`, Effect 3 line, its logs as JSON lines on stderr. It speaks the protocol of
 * `@effect-oauth2/suites/fixtures/Fleet` (ready line `{ id: 0, ready, line }`, one JSON command a line on stdin, the
 * answer with the same `id` on stdout) with one command:
 *
 * `{ op: "soak", startAt, millis, callers, apiCallers, pauseMillis, apiPauseMillis, warmupMillis }`: from `startAt`
 * (epoch millis) for `millis`, `callers` callers of `get` and `apiCallers` callers of `GET API_URL` through
 * `AuthorizedClient` (a status other than 200 is a failure), each pausing between two calls; answers with the calls
 * and failures per second, the first failures, each token's fingerprint with the start of the first and of the last
 * call that got it,
 * and the heap (after a forced GC) after the warm-up and at the end.
 *
 * When stdin closes it closes its layers and lets the process end by itself: no `process.exit`, so a handle left
 * open shows as a replica that does not exit.
 *
 * Environment: `TOKEN_URL`, `API_URL`, `REDIS_URL`.
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { RedisTokenStore } from "@effect-oauth2/redis"
import * as FleetReplica from "@effect-oauth2/suites/fixtures/FleetReplica"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { createInterface } from "node:readline"

const env = process.env

/** The library's options in the fleet soak. */
export const policy = { expiryLeewayMillis: 500, requestTimeoutMillis: 1000, leaseTtlMillis: 2000 } as const

const MainLive = AuthorizedClient.layer().pipe(
  Layer.provideMerge(
    TokenService.layerWithStore({
      tokenUrl: env.TOKEN_URL!,
      clientId: "test-client",
      clientSecret: Redacted.make("test-secret"),
      expiryLeeway: Duration.millis(policy.expiryLeewayMillis),
      requestTimeout: Duration.millis(policy.requestTimeoutMillis),
      leaseTtl: Duration.millis(policy.leaseTtlMillis)
    }).pipe(Layer.provide(RedisTokenStore.layer({ url: env.REDIS_URL! })))
  ),
  Layer.provideMerge(NodeHttpClient.layerUndici),
  Layer.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.jsonLogger)))
)

interface Soak {
  readonly id: number
  readonly op: "soak"
  readonly startAt: number
  readonly millis: number
  readonly callers: number
  readonly apiCallers: number
  readonly pauseMillis: number
  readonly apiPauseMillis: number
  readonly warmupMillis: number
}

const heapAfterGc = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

/** The most failures a replica reports one by one (the count goes on). */
const maxListedFailures = 200

const soak = (
  runtime: ManagedRuntime.ManagedRuntime<TokenService.TokenService | AuthorizedClient.AuthorizedClient, never>,
  command: Soak
) => {
  const stopAt = command.startAt + command.millis
  const bins = Math.ceil(command.millis / 1000) + 2
  const calls: Array<number> = Array.from({ length: bins }, () => 0)
  const failuresPerSecond: Array<number> = Array.from({ length: bins }, () => 0)
  const failures: Array<readonly [number, string]> = []
  // token value → its fingerprint, first and last time served (the values never leave this process)
  const served = new Map<string, { readonly fingerprint: string; readonly first: number; last: number }>()
  const binOf = (at: number) => Math.min(bins - 1, Math.max(0, Math.floor((at - command.startAt) / 1000)))
  let heapWarmup = 0
  const fail = (at: number, word: string) => {
    failuresPerSecond[binOf(at)]!++
    if (failures.length < maxListedFailures) failures.push([at, word])
  }
  const pause = (millis: number) => Effect.sleep(Duration.millis(millis * (0.5 + Math.random())))
  const getter = Effect.gen(function*() {
    const tokens = yield* TokenService.TokenService
    while (Date.now() < stopAt) {
      const started = Date.now()
      const exit = yield* Effect.exit(tokens.get)
      const at = Date.now()
      calls[binOf(at)]!++
      if (Exit.isSuccess(exit)) {
        // when the call that got it began: a token got by a call begun past its expiry was served past it
        const value = Redacted.value(exit.value.value)
        const entry = served.get(value)
        if (entry === undefined) {
          served.set(value, { fingerprint: FleetReplica.fingerprint(value), first: started, last: started })
        } else entry.last = started
      } else {
        fail(at, exit.cause._tag === "Fail" ? FleetReplica.errorWord(exit.cause.error) : exit.cause._tag)
      }
      yield* pause(command.pauseMillis)
    }
  })
  const apiCaller = Effect.gen(function*() {
    const client = yield* AuthorizedClient.AuthorizedClient
    while (Date.now() < stopAt) {
      const exit = yield* Effect.exit(
        Effect.scoped(Effect.flatMap(client.get(env.API_URL!), (response) => Effect.as(response.text, response.status)))
      )
      const at = Date.now()
      calls[binOf(at)]!++
      if (Exit.isFailure(exit)) {
        fail(at, exit.cause._tag === "Fail" ? FleetReplica.errorWord(exit.cause.error) : exit.cause._tag)
      } else if (exit.value !== 200) {
        fail(at, `status:${exit.value}`)
      }
      yield* pause(command.apiPauseMillis)
    }
  })
  const heapProbe = Effect.gen(function*() {
    yield* Effect.sleep(Duration.millis(command.warmupMillis))
    heapWarmup = heapAfterGc()
  })
  return runtime.runPromise(Effect.gen(function*() {
    yield* Effect.sleep(Duration.millis(Math.max(0, command.startAt - Date.now())))
    yield* Effect.all(
      [
        ...Array.from({ length: command.callers }, () => getter),
        ...Array.from({ length: command.apiCallers }, () => apiCaller),
        heapProbe
      ],
      { concurrency: "unbounded", discard: true }
    )
    return {
      calls,
      failuresPerSecond,
      failures,
      tokens: [...served.values()].map((entry) => [entry.fingerprint, entry.first, entry.last] as const),
      heapWarmup,
      heapEnd: heapAfterGc()
    }
  }))
}

const runtime = ManagedRuntime.make(MainLive)

runtime.runPromise(Effect.void).then(
  () => {
    const lines = createInterface({ input: process.stdin })
    process.stdout.write(`${JSON.stringify({ id: 0, ready: true, line: "effect3" })}\n`)
    lines.on("line", (line) => {
      const command = JSON.parse(line) as Soak
      soak(runtime, command).then(
        (answer) => process.stdout.write(`${JSON.stringify({ id: command.id, ...answer })}\n`),
        (defect) => process.stdout.write(`${JSON.stringify({ id: command.id, defect: String(defect) })}\n`)
      )
    })
    lines.on("close", () => {
      runtime.dispose().then(
        () => process.stderr.write(`${JSON.stringify({ closed: Date.now() })}\n`),
        (error) => {
          process.stderr.write(`worker failed to close: ${String(error)}\n`)
          process.exitCode = 1
        }
      )
    })
  },
  (error) => {
    process.stderr.write(`worker failed: ${String(error)}\n`)
    process.exitCode = 1
  }
)
