/**
 * A real Redis for the tests: the behavioural suites' `redis-server` (`@effect-oauth2/suites/fixtures/RedisServer`:
 * 127.0.0.1, a free port, a fresh temporary directory, persistence off), started and stopped with a scope; `stop` and
 * `start` in between make an outage (the port stays the same, so clients reconnect by themselves).
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
import * as Server from "@effect-oauth2/suites/fixtures/RedisServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

/** The message of a machine without Redis. */
export const notFoundMessage = Server.notFoundMessage

/** The absolute path of `redis-server` on PATH, or `undefined`. */
export const findRedisServer = Server.findRedisServer

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

/** The promise's value; its rejection, as it is, a defect. */
const orDie = <A>(promise: () => Promise<A>): Effect.Effect<A> =>
  Effect.orDie(Effect.tryPromise({ try: promise, catch: (error) => error }))

/** Starts `redis-server` from PATH for the scope. Dies (failing the suite) when it is not installed or does not start. */
export const make: Effect.Effect<RedisServer, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(orDie(Server.start), (server) => Effect.promise(server.close)),
  (server) => {
    const stop = Effect.promise(server.stop)
    const start = orDie(server.start)
    return {
      port: server.port,
      url: server.url,
      dir: server.dir,
      pid: server.pid,
      stop,
      start,
      restart: Effect.zipRight(stop, start),
      command: (...args) => orDie(() => server.command(...args))
    } satisfies RedisServer
  }
)

/** `make` as a layer: one server for the suite. */
export const layer: Layer.Layer<RedisServerTag> = Layer.scoped(RedisServerTag, make)
