/**
 * A real Redis for the tests: `redis-server` from PATH on 127.0.0.1, a free port, a fresh temporary directory,
 * persistence off. It is stopped, and its directory removed, when the scope closes; `stop` and `start` in between
 * make an outage (the port stays the same, so clients reconnect by themselves).
 *
 * ```ts
 * import { layer } from "@effect/vitest"
 * import * as RedisServer from "./utils/redisServer.js"
 *
 * layer(RedisServer.layer, { excludeTestServices: true })((it) => {
 *   it.effect("…", () => Effect.gen(function*() {
 *     const redis = yield* RedisServer.RedisServer
 *     // redis.url, redis.port, yield* redis.stop, yield* redis.start, yield* redis.restart
 *   }))
 * })
 * ```
 *
 * A missing `redis-server` fails the suite (never a skip), saying how to install it.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

/** The message of a machine without Redis. */
export const notFoundMessage =
  "redis-server not found on PATH: install it (Debian: apt-get install -y redis-server), then run the tests again"

/** How long a start may take before it fails, and a stop before the process is killed. */
const startTimeoutMs = 10_000
const stopTimeoutMs = 5_000

/** A running (or stopped) `redis-server`. */
export interface RedisServer {
  /** The port it listens on, the same across `stop` and `start`. */
  readonly port: number
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string
  /** Its working directory, a fresh temporary one, removed when the scope closes. */
  readonly dir: string
  /** The PID of the running process; `undefined` while stopped. */
  readonly pid: () => number | undefined
  /** Stops it (SIGTERM by PID, SIGKILL after 5 s) and waits until it has exited; nothing when stopped. */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same port and waits until it answers PING; nothing when running. */
  readonly start: Effect.Effect<void>
  /** `stop`, then `start`. */
  readonly restart: Effect.Effect<void>
  /** Sends one command (RESP) on a fresh connection and gives the raw reply, e.g. `command("GET", key)`. */
  readonly command: (...args: ReadonlyArray<string>) => Effect.Effect<string>
}

/** The tag of the suite's server. */
export class RedisServerTag extends Context.Tag("test/RedisServer")<RedisServerTag, RedisServer>() {}

/** The tag under its short name: `yield* RedisServer.RedisServer`. */
export const RedisServer = RedisServerTag

/** The absolute path of `redis-server` on PATH, or `undefined`. */
export const findRedisServer = (): string | undefined => {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue
    const candidate = path.join(dir, "redis-server")
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      if (fs.statSync(candidate).isFile()) return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** A port free on 127.0.0.1 now: listen on port 0, read it, close. */
const freePort = Effect.async<number, Error>((resume) => {
  const server = net.createServer()
  server.once("error", (error) => resume(Effect.fail(error)))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(port > 0 ? Effect.succeed(port) : Effect.fail(new Error("no port"))))
  })
})

/** Sends one RESP command on a new connection and resolves with the first reply chunk (bounded to 2 s). */
const sendRaw = (port: number, args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    const payload = `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")
    let reply = ""
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error("no reply within 2 s"))
    }, 2_000)
    socket.once("connect", () => socket.write(payload))
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8")
      // a simple reply, an error, an integer or a nil is one line; a bulk string its length line and its data
      const bulk = /^\$(\d+)\r\n/.exec(reply)
      if (reply.endsWith("\r\n") && (bulk === null || reply.length >= bulk[0].length + Number(bulk[1]) + 2)) {
        clearTimeout(timer)
        socket.end()
        resolve(reply)
      }
    })
    socket.once("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/** Starts `redis-server` from PATH for the scope. Dies (failing the suite) when it is not installed or does not start. */
export const make: Effect.Effect<RedisServer, never, Scope.Scope> = Effect.gen(function*() {
  const binary = findRedisServer()
  if (binary === undefined) return yield* Effect.dieMessage(notFoundMessage)
  const port = yield* Effect.orDie(freePort)
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "effect-oauth2-redis-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  let child: ChildProcess | undefined
  // a test run that dies without closing its scope still stops the server
  const killOnExit = () => {
    if (child?.pid !== undefined && !exited(child)) process.kill(child.pid, "SIGKILL")
  }
  process.once("exit", killOnExit)

  const start: Effect.Effect<void> = Effect.suspend(() => {
    if (child !== undefined && !exited(child)) return Effect.void
    const output: Array<string> = []
    const spawned = spawn(binary, [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--loglevel",
      "warning"
    ], { stdio: ["ignore", "pipe", "pipe"] })
    child = spawned
    const keep = (chunk: Buffer) => {
      if (output.join("").length < 8_000) output.push(chunk.toString("utf8"))
    }
    spawned.stdout?.on("data", keep)
    spawned.stderr?.on("data", keep)
    let spawnError: Error | undefined
    spawned.once("error", (error) => (spawnError = error))
    const deadline = Date.now() + startTimeoutMs
    const waitForPing = async (): Promise<void> => {
      for (let attempt = 0; attempt < 500 && Date.now() < deadline; attempt++) {
        if (spawnError !== undefined) throw new Error(`redis-server did not start: ${spawnError.message}`)
        if (exited(spawned)) throw new Error(`redis-server exited (${spawned.exitCode}):\n${output.join("")}`)
        try {
          if ((await sendRaw(port, ["PING"])).startsWith("+PONG")) return
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      throw new Error(`redis-server did not answer PING on port ${port} within ${startTimeoutMs} ms`)
    }
    return Effect.orDie(Effect.tryPromise(waitForPing))
  })

  const stop: Effect.Effect<void> = Effect.suspend(() => {
    const running = child
    if (running === undefined || running.pid === undefined || exited(running)) return Effect.void
    const pid = running.pid
    return Effect.promise(() =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          try {
            process.kill(pid, "SIGKILL")
          } catch {
            // already gone
          }
        }, stopTimeoutMs)
        running.once("exit", () => {
          clearTimeout(timer)
          resolve()
        })
        process.kill(pid, "SIGTERM")
      })
    )
  })

  yield* Effect.acquireRelease(start, () =>
    Effect.zipRight(
      stop,
      Effect.sync(() => process.removeListener("exit", killOnExit))
    ))

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => child !== undefined && !exited(child) ? child.pid : undefined,
    stop,
    start,
    restart: Effect.zipRight(stop, start),
    command: (...args) => Effect.orDie(Effect.tryPromise(() => sendRaw(port, args)))
  } satisfies RedisServer
})

/** `make` as a layer: one server for the suite. */
export const layer: Layer.Layer<RedisServerTag> = Layer.scoped(RedisServerTag, make)
