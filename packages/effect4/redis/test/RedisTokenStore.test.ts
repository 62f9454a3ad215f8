/**
 * `RedisTokenStore` on Effect 4 against a real `redis-server` (the suites' fixture, real time, short TTLs): the round
 * trip and its time left, leases, compare-and-delete, the key layout, the entry's text (the same as the Effect 3
 * line's), sealed and unreadable entries, Redis errors, RESP2 and `stringNumbers` clients, who closes the client, and
 * an outage. Specified in `docs/fleet.md#redistokenstore` and `docs/fleet.md#keys-and-entries`.
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
import * as Utils from "./utils.js"

const seconds5 = Duration.seconds(5)

/** A store on the file's Redis through a client of the test's own, and that client. */
const setUp = Effect.fnUntraced(
  function*(options?: RedisTokenStore.Options, clientOptions?: Parameters<typeof Utils.client>[1]) {
    const server = yield* Utils.RedisServer
    const redis = yield* Utils.client(server.url, clientOptions)
    return { redis, server, store: yield* RedisTokenStore.make({ client: redis }, options) }
  }
)

/** The value of the token `get` read, if any. */
const read = (store: TokenStore.Service, key: string) =>
  Effect.map(store.get(key), Option.map(({ token }) => Redacted.value(token.value)))

const acquiredId = (result: TokenStore.LeaseResult) =>
  result._tag === "Acquired" ? result.id : assert.fail("another holds the lease")

const tokenKey = (key: string, prefix = RedisTokenStore.defaultKeyPrefix) => `${prefix}{${key}}:token`

/** Every operation on `key`: each must fail `Unavailable` at once (a queued command would wait out the 1 s). */
const allUnavailable = Effect.fnUntraced(function*(store: TokenStore.Service, key: string) {
  const operations = [
    store.get(key),
    store.set(key, Utils.token(), seconds5),
    store.acquireLease(key, seconds5),
    store.renewLease(key, "id", seconds5),
    store.releaseLease(key, "id"),
    store.deleteIf(key, Redacted.make("tok-x"))
  ]
  for (const operation of operations) {
    const started = Date.now()
    const { error } = yield* Utils.storeError<unknown>(Effect.timeoutOrElse(operation, {
      duration: "1 second",
      orElse: () => Effect.die("queued until the timeout")
    }))
    assert.strictEqual(error.reason, "Unavailable")
    assert.match(error.detail, /^(not connected \(offline queue off\)|connection closed|[A-Z][A-Z0-9_]+)$/)
    assert.isBelow(Date.now() - started, 500)
  }
})

/** `effect` again every 25 ms until it succeeds, 8 s at most. */
const eventually = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.retry(effect, { times: 320, schedule: Schedule.spaced("25 millis") })

/** A server on `port` that takes connections and never answers, as a hung Redis does; closed with the scope. */
const hungServer = (port: number) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: net.Server; readonly sockets: Array<net.Socket> }>((resume) => {
      const sockets: Array<net.Socket> = []
      const server = net.createServer((socket) => sockets.push(socket.on("error", () => {})))
      server.listen(port, "127.0.0.1", () => resume(Effect.succeed({ server, sockets })))
    }),
    ({ server, sockets }) =>
      Effect.callback<void>((resume) => {
        server.close(() => resume(Effect.void))
        sockets.forEach((socket) => socket.destroy())
      })
  )

layer(Utils.layer, { excludeTestServices: true, timeout: "30 seconds" })("RedisTokenStore (Effect 4)", (it) => {
  it.effect("set then get: the token, its time left Redis's PTTL; expiry; under 1 ms deletes", () =>
    Effect.gen(function*() {
      const [{ redis, store }, key, token] = [yield* setUp(), Utils.storeKey(), Utils.token()]
      assert.isTrue(Option.isNone(yield* store.get(key)))
      yield* store.set(key, token, Duration.seconds(7))
      const got = Option.getOrThrow(yield* store.get(key))
      assert.deepStrictEqual(got.token, token)
      assert.strictEqual(got.token.lifetimeMillis, 3_600_000)
      const left = Duration.toMillis(got.timeToLive)
      const pttl = yield* Effect.promise(() => redis.pttl(tokenKey(key)))
      assert.isTrue(left > 6_000 && left <= 7_000 && pttl <= left && pttl > left - 1_000, `${left} ms, PTTL ${pttl}`)

      yield* store.set(key, token, Duration.millis(150))
      yield* Effect.sleep("300 millis")
      assert.isTrue(Option.isNone(yield* store.get(key)), "expired")
      yield* store.set(key, token, seconds5)
      yield* store.set(key, Utils.token(), Duration.micros(900n))
      assert.isTrue(Option.isNone(yield* store.get(key)), "deleted")
    }))

  it.effect("the entry's text is the Effect 3 line's: one line writes what the other reads", () =>
    Effect.gen(function*() {
      const { redis, store } = yield* setUp()
      const key = Utils.storeKey()
      const written = "{\"v\":1,\"token\":{\"value\":\"tok-written-by-either\",\"tokenType\":\"Bearer\",\"scopes\":" +
        "[\"orders:read\",\"orders:write\"],\"issuedAt\":\"2023-11-14T22:13:20.000Z\"," +
        "\"expiresAt\":\"2023-11-14T23:13:20.000Z\"}}"
      yield* store.set(key, Utils.token("tok-written-by-either"), seconds5)
      assert.strictEqual(yield* Effect.promise(() => redis.get(tokenKey(key))), written)
      const other = Utils.storeKey()
      yield* Effect.promise(() => redis.set(tokenKey(other), written, "PX", 5_000))
      assert.deepStrictEqual(
        (yield* store.get(other)).pipe(Option.map(({ token }) => token)),
        Option.some(
          Utils.token("tok-written-by-either")
        )
      )
    }))

  it.effect("leases: one of 30 concurrent acquirers; release and renew by the holder's id only", () =>
    Effect.gen(function*() {
      const stores = yield* Effect.forEach([1, 2, 3], () => setUp())
      const key = Utils.storeKey()
      const results = yield* Effect.forEach(
        Array.from({ length: 30 }, (_, i) => stores[i % 3]!.store),
        (store) => store.acquireLease(key, seconds5),
        { concurrency: "unbounded" }
      )
      const acquired = results.filter((result) => result._tag === "Acquired")
      assert.strictEqual(acquired.length, 1)
      assert.deepStrictEqual(acquired[0], TokenStore.acquired(acquired[0]!.id))
      assert.match(acquired[0]!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

      const { redis, store } = stores[0]!
      const id = acquired[0]!.id
      yield* store.releaseLease(key, "not-the-holder")
      assert.isFalse(yield* store.renewLease(key, "not-the-holder", Duration.seconds(60)))
      assert.deepStrictEqual(yield* store.acquireLease(key, seconds5), TokenStore.held)
      assert.isTrue(yield* store.renewLease(key, id, Duration.seconds(60)))
      assert.isAbove(yield* Effect.promise(() => redis.pttl(`effect-oauth2:{${key}}:lease`)), 55_000)
      yield* store.releaseLease(key, id)
      assert.isFalse(yield* store.renewLease(key, id, seconds5), "released: nothing to renew")
      const short = acquiredId(yield* store.acquireLease(key, Duration.millis(150)))
      assert.notStrictEqual(short, id)
      yield* Effect.sleep("300 millis")
      assert.strictEqual((yield* store.acquireLease(key, seconds5))._tag, "Acquired", "a lease expires")
    }))

  it.effect("a lease without an expiry, or with more time than asked for, is stale: replaced, and said so", () =>
    Effect.gen(function*() {
      const { redis, store } = yield* setUp()
      const plants = [
        (lease: string) => redis.set(lease, "by-hand"),
        (lease: string) => redis.set(lease, "x", "PX", 9e7)
      ]
      for (const plant of plants) {
        const key = Utils.storeKey()
        yield* Effect.promise(() => plant(`effect-oauth2:{${key}}:lease`))
        const taken = yield* store.acquireLease(key, seconds5)
        assert.isTrue(taken._tag === "Acquired" && taken.replacedStale)
        const left = yield* Effect.promise(() => redis.pttl(`effect-oauth2:{${key}}:lease`))
        assert.isTrue(left > 0 && left <= 5_000, `${left} ms`)
      }
    }))

  it.effect("deleteIf deletes only the token with that value, plain or sealed; the lease stays", () =>
    Effect.gen(function*() {
      for (const options of [{}, { encryptionKey: Redacted.make(Utils.freshKey()) }]) {
        const { store } = yield* setUp(options)
        const key = Utils.storeKey()
        const token = Utils.token()
        assert.isFalse(yield* store.deleteIf(key, token.value), "no entry")
        yield* store.set(key, token, seconds5)
        const lease = yield* store.acquireLease(key, seconds5)
        assert.isFalse(yield* store.deleteIf(key, Redacted.make("tok-another")))
        assert.isTrue(Option.isSome(yield* store.get(key)))
        assert.isTrue(yield* store.deleteIf(key, Redacted.make(Redacted.value(token.value))))
        assert.isTrue(Option.isNone(yield* store.get(key)))
        assert.isFalse(yield* store.renewLease(key, "x", seconds5))
        assert.isTrue(yield* store.renewLease(key, acquiredId(lease), seconds5))
      }
    }))

  it.effect("keys: <prefix>{<key>}:token and <prefix>{<key>}:lease, the default prefix effect-oauth2:", () =>
    Effect.gen(function*() {
      const { redis, store } = yield* setUp()
      const billing = yield* RedisTokenStore.make({ client: redis }, { keyPrefix: "billing:" })
      const key = Utils.storeKey()
      for (const each of [store, billing]) {
        yield* each.set(key, Utils.token(), seconds5)
        yield* each.acquireLease(key, seconds5)
      }
      const keys = yield* Effect.promise(() => redis.keys(`*${key}*`))
      assert.deepStrictEqual(keys.sort(), [
        `billing:{${key}}:lease`,
        tokenKey(key, "billing:"),
        `effect-oauth2:{${key}}:lease`,
        tokenKey(key)
      ])
      assert.strictEqual(RedisTokenStore.defaultKeyPrefix, "effect-oauth2:")
    }))

  it.effect("sealed: Redis holds nothing of the token; what another key, no key or a copy reads is InvalidEntry", () =>
    Effect.gen(function*() {
      const encryptionKey = Utils.freshKey()
      const { redis, store } = yield* setUp({ encryptionKey: Redacted.make(encryptionKey) })
      const key = Utils.storeKey()
      const token = Utils.token()
      const secret = Redacted.value(token.value)
      yield* store.set(key, token, seconds5)
      const raw = (yield* Effect.promise(() => redis.get(tokenKey(key))))!
      Utils.assertHidden([raw], secret, "the token")
      Utils.assertHidden([raw], encryptionKey, "the encryption key")
      assert.notInclude(raw, "orders:read")
      assert.deepStrictEqual(yield* read(store, key), Option.some(secret))
      yield* store.set(key, token, seconds5)
      assert.notStrictEqual(yield* Effect.promise(() => redis.get(tokenKey(key))), raw, "a random IV")

      const elsewhere = Utils.storeKey()
      yield* Effect.promise(() => redis.set(tokenKey(elsewhere), raw, "PX", 5_000))
      const plain = yield* RedisTokenStore.make({ client: redis })
      const other = yield* RedisTokenStore.make({ client: redis }, { encryptionKey: Redacted.make(Utils.freshKey()) })
      const unreadable = [other.get(key), plain.get(key), other.deleteIf(key, token.value), store.get(elsewhere)]
      for (const operation of unreadable) {
        const { cause, error } = yield* Utils.storeError<unknown>(operation)
        assert.strictEqual(error.reason, "InvalidEntry")
        Utils.assertHidden(Utils.printed(cause), secret, "the token")
      }
      // a sealing store reads no plain entry, nor an altered one
      yield* plain.set(elsewhere, token, seconds5)
      assert.strictEqual((yield* Utils.storeError(store.get(elsewhere))).error.reason, "InvalidEntry")
      const { sealed } = JSON.parse(raw) as { sealed: string }
      const altered = JSON.stringify({
        v: 1,
        sealed: `${sealed.slice(0, 20)}${sealed[20] === "A" ? "B" : "A"}${sealed.slice(21)}`
      })
      yield* Effect.promise(() => redis.set(tokenKey(key), altered, "PX", 5_000))
      assert.strictEqual((yield* Utils.storeError(store.get(key))).error.reason, "InvalidEntry")
    }))

  it.effect("garbage, or an entry without an expiry: InvalidEntry that quotes none of it; a Redis error Unavailable", () =>
    Effect.gen(function*() {
      const { redis, store } = yield* setUp()
      const entry = (token: object) => JSON.stringify({ v: 1, token })
      const good = { value: "tok-SECRETSECRET", tokenType: "Bearer", scopes: [], ...Utils.hour }
      const garbage = [
        "tok-SECRETSECRET",
        entry({ ...good, tokenType: "MAC" }),
        entry({ ...good, value: "tok-SECRET\r\n" })
      ]
      for (const text of garbage) {
        const key = Utils.storeKey()
        yield* Effect.promise(() => redis.set(tokenKey(key), text, "PX", 5_000))
        const { cause, error } = yield* Utils.storeError(store.get(key))
        assert.strictEqual(error.reason, "InvalidEntry")
        for (const printed of Utils.printed(cause)) {
          assert.notInclude(printed, "SECRETSECR")
          assert.notInclude(printed, key)
        }
      }
      const key = Utils.storeKey()
      yield* Effect.promise(() => redis.set(tokenKey(key), entry(good)))
      assert.strictEqual((yield* Utils.storeError(store.get(key))).error.reason, "InvalidEntry")
      yield* Effect.promise(() => redis.pexpire(tokenKey(key), 5_000))
      assert.deepStrictEqual(yield* read(store, key), Option.some("tok-SECRETSECRET"))

      const hash = Utils.storeKey()
      yield* Effect.promise(() => redis.hset(tokenKey(hash), "field", "tok-SECRETSECRET"))
      for (const operation of [store.get(hash), store.deleteIf(hash, Redacted.make("tok-SECRETSECRET"))]) {
        const { error } = yield* Utils.storeError<unknown>(operation)
        assert.deepStrictEqual([error.reason, error.detail], ["Unavailable", "ReplyError WRONGTYPE"])
        assert.strictEqual(error.message, "token store unavailable: ReplyError WRONGTYPE")
      }
    }))

  it.effect("a client on RESP2 (ioredis 5's protocol) or with stringNumbers: the same store", () =>
    Effect.gen(function*() {
      for (const clientOptions of [{ protocol: 2 }, { stringNumbers: true }] as const) {
        const { store } = yield* setUp({ encryptionKey: Redacted.make(Utils.freshKey()) }, clientOptions)
        const key = Utils.storeKey()
        const token = Utils.token()
        yield* store.set(key, token, seconds5)
        const left = Option.map(yield* store.get(key), ({ timeToLive }) => Duration.toMillis(timeToLive))
        assert.isTrue(Option.exists(left, (ms) => ms > 4_000 && ms <= 5_000), String(left))
        const first = yield* store.acquireLease(key, seconds5)
        assert.deepStrictEqual(yield* store.acquireLease(key, seconds5), TokenStore.held)
        assert.isTrue(yield* store.renewLease(key, acquiredId(first), seconds5))
        assert.isTrue(yield* store.deleteIf(key, token.value))
      }
    }))

  it.effect("a { client } is not closed with the layer; a { url } client is the store's own, closed with it", () =>
    Effect.gen(function*() {
      const { redis, server } = yield* setUp()
      yield* Effect.scoped(Effect.flatMap(
        Layer.build(RedisTokenStore.layer({ client: redis })),
        (context) => Context.get(context, TokenStore.TokenStore).get(Utils.storeKey())
      ))
      assert.strictEqual(yield* Effect.promise(() => redis.ping()), "PONG")

      const named = Effect.map(
        Effect.promise(() => redis.client("LIST") as Promise<string>),
        (list) => list.split("\n").filter((line) => line.includes("name=effect-oauth2-token-store")).length
      )
      const before = yield* named
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* RedisTokenStore.make({ url: Redacted.make(server.url) })
        const key = Utils.storeKey()
        // the first command waits for the connection being opened instead of being refused (no offline queue)
        yield* store.set(key, Utils.token("tok-own-client"), seconds5)
        assert.deepStrictEqual(yield* read(store, key), Option.some("tok-own-client"))
        assert.strictEqual(yield* named, before + 1)
      }))
      const after = yield* named.pipe(
        Effect.filterOrFail((count) => count === before),
        Effect.retry({ times: 50, schedule: Schedule.spaced("20 millis") })
      )
      assert.strictEqual(after, before)
    }))

  it.effect("Redis away: { url } builds without waiting, every operation fails Unavailable at once, then works again", () =>
    Effect.gen(function*() {
      const server = yield* Utils.RedisServer
      yield* Effect.promise(server.stop)
      const started = Date.now()
      const store = yield* RedisTokenStore.make({ url: server.url })
      assert.isBelow(Date.now() - started, 200)
      const key = Utils.storeKey()
      yield* allUnavailable(store, key)
      yield* Effect.promise(server.start)
      yield* eventually(store.set(key, Utils.token("tok-back"), Duration.seconds(30)))
      assert.deepStrictEqual(yield* read(store, key), Option.some("tok-back"))
      // down again mid-use: the same client fails at once, then reconnects by itself (the new Redis is empty)
      yield* Effect.promise(server.stop)
      yield* eventually(Effect.flip(store.get(key)))
      yield* allUnavailable(store, key)
      yield* Effect.promise(server.start)
      assert.isTrue(Option.isNone(yield* eventually(store.get(key))))
    }))

  it.effect("after its first connection, a reconnection that hangs (a server that never answers) holds no command", () =>
    Effect.gen(function*() {
      const { redis, server, store } = yield* setUp(undefined, { enableOfflineQueue: false })
      const key = Utils.storeKey()
      yield* eventually(store.set(key, Utils.token(), Duration.seconds(30)))
      yield* Effect.promise(server.stop)
      yield* Effect.scoped(Effect.gen(function*() {
        yield* hungServer(server.port)
        // the client reconnects to it and waits for an answer to its ready check that never comes
        yield* eventually(Effect.filterOrFail(Effect.sync(() => redis.status), (status) => status === "connect"))
        yield* allUnavailable(store, key)
      }))
      yield* Effect.promise(server.start)
      assert.isTrue(Option.isNone(yield* eventually(store.get(key))))
    }))
})
