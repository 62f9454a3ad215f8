/**
 * `RedisTokenStore` while Redis is away (the suite's own `redis-server`, stopped and started again): the layer builds
 * without waiting, every operation fails `Unavailable` at once instead of queueing, and the store works again when
 * Redis is back, on the same client. Specified in `docs/fleet.md#faults`.
 */
import { TokenStore } from "@effect-oauth2/client-credentials"
import { RedisTokenStore } from "@effect-oauth2/redis"
import { assert, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as net from "node:net"
import * as Fixtures from "./utils/fixtures.js"
import * as RedisServer from "./utils/redisServer.js"

/** Every operation of `store` on `key`, each of which must fail `Unavailable` within `withinMs`. */
const assertAllUnavailable = (store: TokenStore.Service, key: string, withinMs: number) =>
  Effect.gen(function*() {
    const operations: ReadonlyArray<readonly [string, Effect.Effect<unknown, TokenStore.TokenStoreError>]> = [
      ["get", store.get(key)],
      ["set", store.set(key, Fixtures.token(), Duration.seconds(5))],
      ["acquireLease", store.acquireLease(key, Duration.seconds(5))],
      ["releaseLease", store.releaseLease(key, "some-id")],
      ["deleteIf", store.deleteIf(key, Redacted.make("tok-x"))]
    ]
    for (const [name, operation] of operations) {
      const startedAt = Date.now()
      // a queued command would hang until this timeout, which then fails the test (a defect, not a failure)
      const { error } = yield* Fixtures.failure(Effect.timeoutFail(operation, {
        duration: "1 second",
        onTimeout: () => new TokenStore.TokenStoreError({ reason: "InvalidEntry", detail: "timed out" })
      }))
      const elapsed = Date.now() - startedAt
      assert.strictEqual(error.reason, "Unavailable", `${name}: ${error.detail}`)
      assert.isTrue(elapsed < withinMs, `${name} took ${elapsed} ms`)
      assert.match(error.detail, /^(not connected \(offline queue off\)|connection closed|[A-Z][A-Z0-9_]+)$/)
    }
  })

/**
 * A server on `port` that accepts connections and never answers, as a hung Redis does, for the scope. Its sockets are
 * destroyed when it closes.
 */
const silentServer = (port: number) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: net.Server; readonly sockets: Set<net.Socket> }, Error>((resume) => {
      const sockets = new Set<net.Socket>()
      const server = net.createServer((socket) => {
        sockets.add(socket)
        socket.on("error", () => {})
        socket.on("close", () => sockets.delete(socket))
      })
      server.once("error", (error) => resume(Effect.fail(error)))
      server.listen(port, "127.0.0.1", () => resume(Effect.succeed({ server, sockets })))
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )

/** Retries `effect` every 25 ms until it succeeds, at most 8 s. */
const eventually = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.retry(effect, { schedule: Schedule.spaced("25 millis"), times: 320 })

layer(RedisServer.layer, { excludeTestServices: true, timeout: 60_000 })("RedisTokenStore outage", (it) => {
  it.scoped("{ url }: builds while Redis is down without waiting, fails Unavailable at once, works when it is back", () =>
    Effect.gen(function*() {
      const redis = yield* RedisServer.RedisServer
      yield* redis.stop
      const startedAt = Date.now()
      const layer: Layer.Layer<TokenStore.TokenStore, never, never> = RedisTokenStore.layer({ url: redis.url })
      const store = Context.get(yield* Layer.build(layer), TokenStore.TokenStore)
      const built = Date.now() - startedAt
      assert.isTrue(built < 200, `the layer took ${built} ms to build`)
      const key = Fixtures.storeKey()
      yield* assertAllUnavailable(store, key, 200)

      yield* redis.start
      const token = Fixtures.token()
      yield* eventually(store.set(key, token, Duration.seconds(30)))
      const stored = yield* store.get(key)
      assert.isTrue(Option.exists(stored, (s) => Redacted.value(s.token.value) === Redacted.value(token.value)))

      // down again, mid-use: the same client fails at once, then reconnects by itself (persistence is off: the
      // restarted Redis is empty)
      yield* redis.stop
      yield* eventually(Effect.flip(store.get(key)))
      yield* assertAllUnavailable(store, key, 200)
      yield* redis.start
      assert.isTrue(Option.isNone(yield* eventually(store.get(key))))
      yield* store.set(key, token, Duration.seconds(30))
      assert.isTrue(Option.isSome(yield* store.get(key)))
    }))

  it.scoped("{ client } made with enableOfflineQueue: false: the same, on the caller's client", () =>
    Effect.gen(function*() {
      const redis = yield* RedisServer.RedisServer
      const client = yield* Fixtures.client(redis.url, { enableOfflineQueue: false })
      const store = yield* RedisTokenStore.make({ client })
      const key = Fixtures.storeKey()
      yield* eventually(store.set(key, Fixtures.token(), Duration.seconds(30)))
      yield* redis.stop
      yield* eventually(Effect.flip(store.get(key)))
      yield* assertAllUnavailable(store, key, 200)
      yield* redis.start
      assert.isTrue(Option.isNone(yield* eventually(store.get(key))))
    }))

  it.scoped("after its first connection, a reconnection that hangs (a server that never answers) holds no command", () =>
    Effect.gen(function*() {
      const redis = yield* RedisServer.RedisServer
      const client = yield* Fixtures.client(redis.url, { enableOfflineQueue: false })
      const store = yield* RedisTokenStore.make({ client })
      const key = Fixtures.storeKey()
      yield* eventually(store.set(key, Fixtures.token(), Duration.seconds(30)))
      yield* redis.stop
      yield* Effect.scoped(Effect.gen(function*() {
        yield* Effect.orDie(silentServer(redis.port))
        // the client reconnects to it and waits for an answer to its ready check that never comes
        yield* eventually(Effect.filterOrFail(Effect.sync(() => client.status), (status) => status === "connect"))
        yield* assertAllUnavailable(store, key, 200)
      }))
      yield* redis.start
      assert.isTrue(Option.isNone(yield* eventually(store.get(key))))
    }))
})
