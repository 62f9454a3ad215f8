/**
 * The test harness itself: `RedisServer` starts a real `redis-server`, stops it by PID, starts it again on the same
 * port, cleans up when its scope closes, and fails (never skips) on a machine without `redis-server`. Why the Redis
 * tests fail rather than skip: `docs/development.md#tests`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as RedisServer from "./utils/redisServer.js"

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("RedisServer (test harness)", () => {
  it.live(
    "starts redis-server on 127.0.0.1, stops it by PID, restarts it on the same port, cleans up",
    () =>
      Effect.gen(function*() {
        const { dir, pid } = yield* Effect.scoped(Effect.gen(function*() {
          const redis = yield* RedisServer.make
          assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/)
          assert.strictEqual(yield* redis.command("PING"), "+PONG\r\n")
          assert.strictEqual(yield* redis.command("CONFIG", "GET", "save"), "*2\r\n$4\r\nsave\r\n$0\r\n\r\n")
          assert.include(yield* redis.command("CONFIG", "GET", "appendonly"), "no")
          assert.include(yield* redis.command("CONFIG", "GET", "bind"), "127.0.0.1")
          assert.isTrue(fs.statSync(redis.dir).isDirectory())
          yield* redis.command("SET", "k", "v")
          const first = redis.pid()
          assert.isDefined(first)

          yield* redis.stop
          assert.isUndefined(redis.pid())
          assert.isFalse(alive(first!))
          assert.isTrue(Exit.isFailure(yield* Effect.exit(Effect.tryPromise(() => ping(redis.port)))))

          yield* redis.start
          const second = redis.pid()
          assert.isDefined(second)
          assert.notStrictEqual(second, first)
          assert.strictEqual(yield* redis.command("PING"), "+PONG\r\n")
          // persistence is off: a restart comes back empty
          assert.strictEqual(yield* redis.command("GET", "k"), "$-1\r\n")
          yield* redis.restart
          assert.strictEqual(yield* redis.command("PING"), "+PONG\r\n")
          return { dir: redis.dir, pid: redis.pid()! }
        }))
        assert.isFalse(alive(pid), "stopped with the scope")
        assert.isFalse(fs.existsSync(dir), "its directory removed with the scope")
      }),
    30_000
  )

  it.live("without redis-server on PATH it fails, saying how to install it", () =>
    Effect.gen(function*() {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), "effect-oauth2-no-redis-"))
      const exit = yield* Effect.acquireUseRelease(
        Effect.sync(() => {
          const saved = process.env.PATH
          process.env.PATH = empty
          return saved
        }),
        () => Effect.exit(Effect.scoped(RedisServer.make)),
        (saved) =>
          Effect.sync(() => {
            process.env.PATH = saved
            fs.rmSync(empty, { recursive: true, force: true })
          })
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const defect = Option.getOrUndefined(Cause.dieOption(exit.cause)) as Error | undefined
        assert.strictEqual(defect?.message, RedisServer.notFoundMessage)
        assert.include(RedisServer.notFoundMessage, "apt-get install -y redis-server")
      }
    }))
})

const ping = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resolve()
    })
    socket.once("error", reject)
  })
