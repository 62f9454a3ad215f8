/**
 * The fleet soak: `replicas` processes (`fleetWorker.ts`) × `callers` callers of `get` (and a few callers of the API
 * through `AuthorizedClient`) for `seconds`, sharing tokens through a real `redis-server` (`layerWithStore`), against
 * `FakeAuthServer` (in this process) with 3–5 s tokens, while the soak injects in turn: Redis stopped (SIGSTOP) for
 * 3 s; Redis killed (SIGKILL) and started again on its port; `CLIENT KILL` every 200 ms; `DEBUG SLEEP 1`; a full
 * Redis (`maxmemory` + `noeviction`); `requirepass` switched on (clients cut off) and off again; two revocations of
 * the fleet's current token. It checks:
 *
 * - no caller error;
 * - no token served past its lifetime: no call that began at or after a token's expiry in the fake server's issue
 *   log got it (a call's start, not its end: a replica slowed down by the machine ends its calls late);
 * - token requests: in an outage (from a fault's start to `lifetimeMax` after its end) at most one per replica per
 *   token life, otherwise at most one for the fleet per token life (and one per revocation); a token life here is the
 *   shortest gap the refresh schedule allows between two fetches, `g_ok` (see `Single.tokenRequestBound`);
 * - at most one "token store failing" warning per outage per replica;
 * - each replica's heap after the run within 10 % of its heap after the warm-up (when `heapCheck`);
 * - each replica exits by itself (no `process.exit`) within 10 s of being told to close.
 */
import * as Fleet from "@effect-oauth2/suites/fixtures/Fleet"
import * as FleetReplica from "@effect-oauth2/suites/fixtures/FleetReplica"
import * as RedisServer from "@effect-oauth2/suites/fixtures/RedisServer"
import type * as Line from "@effect-oauth2/suites/Line"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as net from "node:net"
import { fileURLToPath } from "node:url"
import type * as Single from "./single.js"

/** What a fleet run does. */
export interface Options {
  readonly seconds: number
  readonly replicas: number
  readonly callers: number
  readonly apiCallers: number
  readonly pauseMillis: number
  readonly apiPauseMillis: number
  readonly warmupSeconds: number
  readonly heapCheck: boolean
  /** How long the timed faults last (SIGSTOP, CLIENT KILL, full, requirepass), in millis. */
  readonly outageMillis: number
}

/** The run of `npm run soak -- --fleet`. */
export const full: Options = {
  seconds: 60,
  replicas: 4,
  callers: 100,
  apiCallers: 4,
  pauseMillis: 20,
  apiPauseMillis: 100,
  warmupSeconds: 15,
  heapCheck: true,
  outageMillis: 3000
}

/** The run of `npm test`: 15 s, shorter faults, no heap check. */
export const short: Options = { ...full, seconds: 15, warmupSeconds: 2, heapCheck: false, outageMillis: 1500 }

/** The token lifetimes the server draws from, in seconds, and the replicas' leeway (`fleetWorker.ts`). */
const lifetimesSeconds = [3, 4, 5]
const leewayMillis = 500

/** The shortest gap between two fetches of one cache the refresh schedule allows: `g_ok` of `single.ts`. */
export const refreshGapMillis = (() => {
  const minLifetime = Math.min(...lifetimesSeconds) * 1000
  const usable = minLifetime - Math.min(leewayMillis, minLifetime / 2)
  return (0.8 - Math.min(0.1, 0.4)) * usable
})()

const lifetimeMaxMillis = Math.max(...lifetimesSeconds) * 1000

/** A fault as it happened: its kind, when it began and ended (epoch millis). */
export interface Fault {
  readonly kind: string
  readonly begin: number
  readonly end: number
  /** An outage of the store (counted for the warnings and the per-replica bound); a revocation is not. */
  readonly outage: boolean
}

/** What a replica answered. */
interface ReplicaAnswer {
  readonly calls: ReadonlyArray<number>
  readonly failuresPerSecond: ReadonlyArray<number>
  readonly failures: ReadonlyArray<readonly [number, string]>
  readonly tokens: ReadonlyArray<readonly [string, number, number]>
  readonly heapWarmup: number
  readonly heapEnd: number
  readonly defect?: string
}

/** What a fleet run reports. */
export interface Result {
  readonly options: Options
  readonly seconds: number
  readonly startAt: number
  readonly calls: number
  readonly callerErrors: number
  readonly errorWords: Readonly<Record<string, number>>
  readonly tokenRequests: number
  readonly servedPastLifetime: number
  readonly faults: ReadonlyArray<Fault>
  readonly windows: ReadonlyArray<
    {
      readonly from: number
      readonly to: number
      readonly outage: boolean
      readonly requests: number
      readonly bound: number
    }
  >
  readonly warnings: ReadonlyArray<ReadonlyArray<number>>
  readonly heaps: ReadonlyArray<{ readonly warmup: number; readonly end: number }>
  readonly exitMillis: ReadonlyArray<number | undefined>
  readonly timeline: {
    readonly callsPerReplica: ReadonlyArray<ReadonlyArray<number>>
    readonly failuresPerReplica: ReadonlyArray<ReadonlyArray<number>>
    readonly tokenRequests: ReadonlyArray<number>
  }
  readonly checks: ReadonlyArray<Single.Check>
}

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, millis)))

/** Sends RESP commands one after the other on one connection; resolves with the replies' text (bounded to 3 s). */
const commands = (port: number, list: ReadonlyArray<ReadonlyArray<string>>): Promise<string> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    const payload = list.map((args) =>
      `*${args.length}\r\n` + args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")
    ).join("")
    let reply = ""
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(reply)
    }
    const timer = setTimeout(done, 3000)
    socket.once("connect", () => socket.write(payload))
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8")
      if (reply.split("\r\n").length > list.length) done()
    })
    socket.once("error", done)
    socket.once("close", done)
  })

/** The replica: `fleetWorker.ts`, with `--expose-gc` for its heap figures. */
const worker: Line.FleetWorker = {
  line: "effect3",
  command: process.execPath,
  args: [
    "--expose-gc",
    "--conditions=@effect-oauth2/source",
    "--import",
    "tsx",
    fileURLToPath(new URL("./fleetWorker.ts", import.meta.url))
  ],
  cwd: fileURLToPath(new URL("..", import.meta.url))
}

/** Runs the fleet soak; resolves with its figures and checks (it does not throw on a failed check). */
export const run = async (options: Options, log: (line: string) => void = () => {}): Promise<Result> => {
  const serverScope = Effect.runSync(Scope.make())
  const server = Context.get(
    await Effect.runPromise(Layer.buildWithScope(FakeAuthServer.layer(), serverScope)),
    FakeAuthServer.FakeAuthServer
  )
  const redis = await RedisServer.startWith(["--enable-debug-command", "yes"])
  const workers: Array<Fleet.Worker> = []
  try {
    await Effect.runPromise(server.setTokenLifetime(Duration.seconds(4)))
    workers.push(
      ...await Fleet.spawnAll(worker, options.replicas, {
        TOKEN_URL: server.tokenUrl,
        API_URL: `${server.apiUrl}/orders`,
        REDIS_URL: redis.url
      })
    )
    const startAt = Date.now() + 500
    const stopAt = startAt + options.seconds * 1000
    const answers = Promise.all(workers.map((replica) =>
      replica.send({
        op: "soak",
        startAt,
        millis: options.seconds * 1000,
        callers: options.callers,
        apiCallers: options.apiCallers,
        pauseMillis: options.pauseMillis,
        apiPauseMillis: options.apiPauseMillis,
        warmupMillis: options.warmupSeconds * 1000
      }, options.seconds * 1000 + 30_000) as Promise<unknown> as Promise<ReplicaAnswer>
    ))

    // the token lifetime changes every second, 3, 4 or 5 s
    let lifetimeIndex = 0
    const lifetimes = setInterval(() => {
      Effect.runFork(server.setTokenLifetime(Duration.seconds(lifetimesSeconds[lifetimeIndex++ % 3]!)))
    }, 1000)

    const faults: Array<Fault> = []
    const during = async (kind: string, outage: boolean, body: () => Promise<void>) => {
      const begin = Date.now()
      await body()
      faults.push({ kind, begin, end: Date.now(), outage })
      log(`${((begin - startAt) / 1000).toFixed(1)} s: ${kind} (${Date.now() - begin} ms)`)
    }
    const revokeCurrent = async () => {
      const issued = await Effect.runPromise(server.issuedTokens)
      const last = issued[issued.length - 1]
      if (last !== undefined) await Effect.runPromise(server.revoke(last.token))
    }
    const scheduled: ReadonlyArray<
      { readonly kind: string; readonly outage: boolean; readonly body: () => Promise<void> }
    > = [
      {
        kind: "SIGSTOP",
        outage: true,
        body: async () => {
          process.kill(redis.pid()!, "SIGSTOP")
          await sleep(options.outageMillis)
          process.kill(redis.pid()!, "SIGCONT")
        }
      },
      {
        kind: "killed and restarted",
        outage: true,
        body: async () => {
          const pid = redis.pid()!
          process.kill(pid, "SIGKILL")
          for (let tries = 0; tries < 100 && redis.pid() !== undefined; tries++) await sleep(10)
          await redis.start()
        }
      },
      { kind: "revocation", outage: false, body: revokeCurrent },
      {
        kind: "CLIENT KILL every 200 ms",
        outage: true,
        body: async () => {
          const until = Date.now() + options.outageMillis
          while (Date.now() < until) {
            await commands(redis.port, [["CLIENT", "KILL", "TYPE", "normal"]])
            await sleep(200)
          }
        }
      },
      {
        kind: "DEBUG SLEEP 1",
        outage: true,
        body: () => commands(redis.port, [["DEBUG", "SLEEP", "1"]]).then(() => undefined)
      },
      {
        kind: "full (maxmemory, noeviction)",
        outage: true,
        body: async () => {
          await commands(redis.port, [["CONFIG", "SET", "maxmemory-policy", "noeviction"], [
            "CONFIG",
            "SET",
            "maxmemory",
            "1"
          ]])
          await sleep(options.outageMillis)
          await commands(redis.port, [["CONFIG", "SET", "maxmemory", "0"]])
        }
      },
      {
        kind: "requirepass on, then off",
        outage: true,
        body: async () => {
          await commands(redis.port, [["CONFIG", "SET", "requirepass", "soak-password"], [
            "CLIENT",
            "KILL",
            "TYPE",
            "normal"
          ]])
          await sleep(options.outageMillis)
          await commands(redis.port, [["AUTH", "soak-password"], ["CONFIG", "SET", "requirepass", ""]])
        }
      },
      { kind: "revocation", outage: false, body: revokeCurrent }
    ]
    // the faults spread evenly between the warm-up and the last lifetime of the run
    const firstAt = startAt + Math.max(1000, options.warmupSeconds * 500)
    const step = (stopAt - lifetimeMaxMillis - firstAt) / scheduled.length
    for (const [index, fault] of scheduled.entries()) {
      await sleep(firstAt + index * step - Date.now())
      await during(fault.kind, fault.outage, fault.body)
    }
    const replies = await answers
    clearInterval(lifetimes)
    const endedAt = Date.now()

    // every replica closes and exits by itself
    const exitMillis = await Promise.all(
      workers.map((replica) =>
        Promise.race([replica.close(), sleep(10_000).then(() => undefined)]).catch(() => undefined)
      )
    )

    const issued = await Effect.runPromise(server.issuedTokens)
    const tokenRequests = (await Effect.runPromise(server.tokenRequests)).length
    const expiries = new Map(issued.map((token) => [FleetReplica.fingerprint(token.token), token.expiresAt]))
    const pastLifetime = replies.flatMap((reply, replica) =>
      (reply.tokens ?? []).flatMap(([fingerprint, first, last]) => {
        const expiresAt = expiries.get(fingerprint)
        return expiresAt === undefined || last >= expiresAt
          ? [{ replica: replica + 1, first: first - startAt, last: last - startAt, late: last - (expiresAt ?? NaN) }]
          : []
      })
    )
    const servedPastLifetime = pastLifetime.length

    // the windows: each outage from its start to a token lifetime after its end, the rest between
    const outages = faults.filter((fault) => fault.outage).map((fault) =>
      [fault.begin, fault.end + lifetimeMaxMillis] as const
    )
    const merged: Array<[number, number]> = []
    for (const [from, to] of outages) {
      const last = merged[merged.length - 1]
      if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to)
      else merged.push([from, to])
    }
    const windows: Array<{ from: number; to: number; outage: boolean; requests: number; bound: number }> = []
    let cursor = startAt - 500
    for (const [from, to] of [...merged, [endedAt, endedAt] as [number, number]]) {
      if (from > cursor) {
        windows.push({ from: cursor, to: Math.min(from, endedAt), outage: false, requests: 0, bound: 0 })
      }
      if (to > from) windows.push({ from, to: Math.min(to, endedAt), outage: true, requests: 0, bound: 0 })
      cursor = Math.max(cursor, to)
    }
    for (const window of windows) {
      window.requests = issued.filter((token) => token.issuedAt >= window.from && token.issuedAt < window.to).length
      const lives = (window.to - window.from) / refreshGapMillis + 1
      const revocations = faults.filter((fault) =>
        fault.kind === "revocation" && fault.begin >= window.from && fault.begin < window.to
      )
        .length
      window.bound = Math.floor(window.outage ? options.replicas * lives : lives + revocations)
    }

    // "token store failing" warnings per outage per replica
    const warnings = workers.map((replica) => {
      const times = replica.logs().flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { readonly message?: unknown; readonly timestamp?: string }
          return String(entry.message).includes("token store failing") && entry.timestamp !== undefined
            ? [Date.parse(entry.timestamp)]
            : []
        } catch {
          return []
        }
      })
      return faults.filter((fault) => fault.outage).map((fault) =>
        times.filter((at) => at >= fault.begin && at < fault.end + 1500).length
      )
    })

    const bins = Math.floor((endedAt - startAt) / 1000)
    const tokenRequestsPerSecond = Array.from({ length: bins }, () => 0)
    for (const token of issued) {
      const bin = Math.floor((token.issuedAt - startAt) / 1000)
      if (bin >= 0 && bin < bins) tokenRequestsPerSecond[bin]!++
    }
    const errorWords: Record<string, number> = {}
    for (const reply of replies) {
      for (const [, word] of reply.failures ?? []) errorWords[word] = (errorWords[word] ?? 0) + 1
    }
    const callerErrors = replies.reduce(
      (sum, reply) => sum + (reply.failuresPerSecond ?? []).reduce((a, b) => a + b, 0),
      0
    )
    const heaps = replies.map((reply) => ({ warmup: reply.heapWarmup, end: reply.heapEnd }))
    const defects = replies.flatMap((reply) => reply.defect === undefined ? [] : [reply.defect])

    const checks: Array<Single.Check> = [
      {
        name: "no caller error",
        ok: callerErrors === 0 && defects.length === 0,
        detail: `${callerErrors} ${JSON.stringify(errorWords)}${
          defects.length > 0 ? ` defects: ${defects.join("; ")}` : ""
        }`
      },
      {
        name: "no token served past its lifetime",
        ok: servedPastLifetime === 0,
        detail: `${servedPastLifetime} of ${replies.reduce((sum, reply) => sum + (reply.tokens?.length ?? 0), 0)}` +
          pastLifetime.map((token) =>
            `; replica ${token.replica} from ${(token.first / 1000).toFixed(2)} s to ${
              (token.last / 1000).toFixed(2)
            } s, ${Math.round(token.late)} ms past its expiry`
          ).join("")
      },
      {
        name: "token requests: one per replica per life in an outage, one for the fleet otherwise",
        ok: windows.every((window) => window.requests <= window.bound),
        detail: windows.map((window) =>
          `${window.outage ? "outage" : "normal"} ${((window.from - startAt) / 1000).toFixed(1)}–${
            ((window.to - startAt) / 1000).toFixed(1)
          } s: ${window.requests} ≤ ${window.bound}`
        ).join("; ")
      },
      {
        name: "at most one store warning per outage per replica",
        ok: warnings.every((perOutage) => perOutage.every((count) => count <= 1)),
        detail: warnings.map((perOutage) => `[${perOutage.join(",")}]`).join(" ")
      },
      ...(options.heapCheck
        ? [{
          name: "each replica's heap after the run within 10 % of its heap after warm-up",
          ok: heaps.every((heap) => heap.warmup > 0 && heap.end <= heap.warmup * 1.1),
          detail: heaps.map((heap) => `${(heap.warmup / 1048576).toFixed(1)}→${(heap.end / 1048576).toFixed(1)} MB`)
            .join(", ")
        }]
        : []),
      {
        name: "every replica exits by itself after close",
        ok: exitMillis.every((millis) => millis !== undefined),
        detail: exitMillis.map((millis) => millis === undefined ? "no exit in 10 s" : `${Math.round(millis)} ms`)
          .join(", ")
      }
    ]
    return {
      options,
      seconds: (endedAt - startAt) / 1000,
      startAt,
      calls: replies.reduce((sum, reply) => sum + (reply.calls ?? []).reduce((a, b) => a + b, 0), 0),
      callerErrors,
      errorWords,
      tokenRequests,
      servedPastLifetime,
      faults,
      windows,
      warnings,
      heaps,
      exitMillis,
      timeline: {
        callsPerReplica: replies.map((reply) => (reply.calls ?? []).slice(0, bins)),
        failuresPerReplica: replies.map((reply) => (reply.failuresPerSecond ?? []).slice(0, bins)),
        tokenRequests: tokenRequestsPerSecond
      },
      checks
    }
  } finally {
    await Promise.all(workers.map((replica) => replica.kill()))
    await redis.close()
    await Effect.runPromise(Scope.close(serverScope, Exit.void))
  }
}
