/**
 * `RedisTokenStore` against a real `redis-server` (started by the suite, real time, short TTLs): the round trip and
 * its time left, expiry, leases, compare-and-delete, the key layout, sealed entries, unreadable entries, and who
 * closes the client. Specified in `docs/fleet.md#redistokenstore` and `docs/fleet.md#keys-and-entries`.
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
import type { Redis } from "ioredis"
import * as Fixtures from "./utils/fixtures.js"
import * as RedisServer from "./utils/redisServer.js"

/** A store on the suite's Redis through a client of the test's own (closed with the test). */
const storeOn = (options?: RedisTokenStore.Options) =>
  Effect.gen(function*() {
    const redis = yield* RedisServer.RedisServer
    const client = yield* Fixtures.client(redis.url)
    const store = yield* RedisTokenStore.make({ client }, options)
    return { store, client, redis }
  })

/** The id of an acquired lease; fails the test when another holds it. */
const leaseId = (lease: TokenStore.LeaseResult): string =>
  lease._tag === "Acquired" ? lease.id : assert.fail("the lease is held by another")

const valueOf = (stored: Option.Option<TokenStore.StoredToken>) =>
  Option.map(stored, ({ token }) => Redacted.value(token.value))

layer(RedisServer.layer, { excludeTestServices: true, timeout: 30_000 })("RedisTokenStore", (it) => {
  it.scoped("set then get: the same token, its time left from Redis's PTTL", () =>
    Effect.gen(function*() {
      const { client, store } = yield* storeOn()
      const key = Fixtures.storeKey()
      const token = Fixtures.token()
      assert.isTrue(Option.isNone(yield* store.get(key)))
      yield* store.set(key, token, Duration.seconds(5))
      const stored = yield* store.get(key)
      assert.isTrue(Option.isSome(stored))
      if (Option.isNone(stored)) return
      assert.strictEqual(Redacted.value(stored.value.token.value), Redacted.value(token.value))
      assert.strictEqual(stored.value.token.tokenType, "Bearer")
      assert.deepStrictEqual(stored.value.token.scopes, ["orders:read", "orders:write"])
      assert.strictEqual(stored.value.token.lifetimeMillis, 3_600_000)
      const ttl = Duration.toMillis(stored.value.timeToLive)
      assert.isTrue(ttl > 4_000 && ttl <= 5_000, `timeToLive ${ttl} ms`)
      // the time left is Redis's own
      const pttl = yield* Effect.promise(() => client.pttl(`effect-oauth2:{${key}}:token`))
      assert.isTrue(pttl <= ttl && pttl > ttl - 1_000, `PTTL ${pttl}, timeToLive ${ttl}`)
      // a later set replaces it, with its own time
      const next = Fixtures.token()
      yield* store.set(key, next, Duration.seconds(60))
      const replaced = yield* store.get(key)
      assert.deepStrictEqual(valueOf(replaced), Option.some(Redacted.value(next.value)))
      assert.isTrue(Option.exists(replaced, ({ timeToLive }) => Duration.toMillis(timeToLive) > 55_000))
    }))

  it.scoped("an entry expires with its time to live; a time under 1 ms deletes it", () =>
    Effect.gen(function*() {
      const { store } = yield* storeOn()
      const key = Fixtures.storeKey()
      yield* store.set(key, Fixtures.token(), Duration.millis(150))
      assert.isTrue(Option.isSome(yield* store.get(key)))
      yield* Effect.sleep("300 millis")
      assert.isTrue(Option.isNone(yield* store.get(key)))
      yield* store.set(key, Fixtures.token(), Duration.seconds(5))
      yield* store.set(key, Fixtures.token(), Duration.zero)
      assert.isTrue(Option.isNone(yield* store.get(key)))
    }))

  it.scoped("of 30 concurrent acquirers on 3 connections, exactly one gets the lease", () =>
    Effect.gen(function*() {
      const stores = yield* Effect.all([storeOn(), storeOn(), storeOn()])
      const key = Fixtures.storeKey()
      const results = yield* Effect.all(
        Array.from({ length: 30 }, (_, i) => stores[i % 3]!.store.acquireLease(key, Duration.seconds(5))),
        { concurrency: "unbounded" }
      )
      const winners = results.flatMap((result) => result._tag === "Acquired" ? [result] : [])
      assert.strictEqual(winners.length, 1)
      assert.isFalse(winners[0]!.replacedStale)
      // a lease id is a random UUID
      assert.match(winners[0]!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }))

  it.scoped("releaseLease: another id leaves the lease alone, the holder's id releases it; a lease expires", () =>
    Effect.gen(function*() {
      const { store } = yield* storeOn()
      const key = Fixtures.storeKey()
      const id = yield* Effect.map(store.acquireLease(key, Duration.seconds(5)), leaseId)
      yield* store.releaseLease(key, "not-the-holder")
      assert.deepStrictEqual(yield* store.acquireLease(key, Duration.seconds(5)), TokenStore.held)
      yield* store.releaseLease(key, id)
      const again = yield* Effect.map(store.acquireLease(key, Duration.millis(150)), leaseId)
      assert.notStrictEqual(again, id)
      yield* Effect.sleep("300 millis")
      assert.strictEqual((yield* store.acquireLease(key, Duration.seconds(5)))._tag, "Acquired")
    }))

  it.scoped("renewLease: the holder's id gives its lease the time again; another id renews nothing", () =>
    Effect.gen(function*() {
      const { client, store } = yield* storeOn()
      const key = Fixtures.storeKey()
      const id = yield* Effect.map(store.acquireLease(key, Duration.millis(300)), leaseId)
      assert.isFalse(yield* store.renewLease(key, "not-the-holder", Duration.seconds(5)))
      assert.isTrue(yield* store.renewLease(key, id, Duration.seconds(5)))
      const left = yield* Effect.promise(() => client.pttl(`${RedisTokenStore.defaultKeyPrefix}{${key}}:lease`))
      assert.isAbove(left, 4_000)
      yield* Effect.sleep("400 millis")
      assert.deepStrictEqual(yield* store.acquireLease(key, Duration.seconds(5)), TokenStore.held, "renewed")
      yield* store.releaseLease(key, id)
      assert.isFalse(yield* store.renewLease(key, id, Duration.seconds(5)), "released: nothing to renew")
    }))

  for (
    const [name, plant] of [
      ["without an expiry (SET, PERSIST)", (client: Redis, lease: string) => client.set(lease, "hand-made")],
      [
        "with more time left than asked for (a migration's RESTORE, a hand-made SET PX)",
        (client: Redis, lease: string) => client.set(lease, "hand-made", "PX", 86_400_000)
      ]
    ] as const
  ) {
    it.scoped(`a lease ${name} is stale: acquireLease replaces it and says so`, () =>
      Effect.gen(function*() {
        const { client, store } = yield* storeOn()
        const key = Fixtures.storeKey()
        const lease = `${RedisTokenStore.defaultKeyPrefix}{${key}}:lease`
        yield* Effect.promise(() => plant(client, lease))
        const taken = yield* store.acquireLease(key, Duration.seconds(5))
        assert.isTrue(taken._tag === "Acquired" && taken.replacedStale)
        const left = yield* Effect.promise(() => client.pttl(lease))
        assert.isTrue(left > 0 && left <= 5_000, `the lease's time is what was asked for: ${left}`)
        assert.deepStrictEqual(yield* store.acquireLease(key, Duration.seconds(5)), TokenStore.held)
      }))
  }

  for (const sealed of [false, true]) {
    it.scoped(`deleteIf deletes only the token with that value (${sealed ? "sealed" : "plain"})`, () =>
      Effect.gen(function*() {
        const { store } = yield* storeOn(sealed ? { encryptionKey: Fixtures.encryptionKey() } : {})
        const key = Fixtures.storeKey()
        const token = Fixtures.token()
        assert.isFalse(yield* store.deleteIf(key, token.value))
        yield* store.set(key, token, Duration.seconds(5))
        assert.isFalse(yield* store.deleteIf(key, Redacted.make(`${Redacted.value(token.value)}x`)))
        assert.deepStrictEqual(valueOf(yield* store.get(key)), Option.some(Redacted.value(token.value)))
        assert.isTrue(yield* store.deleteIf(key, Redacted.make(Redacted.value(token.value))))
        assert.isTrue(Option.isNone(yield* store.get(key)))
        // the lease is another entry: deleting the token leaves it
        assert.strictEqual((yield* store.acquireLease(key, Duration.seconds(5)))._tag, "Acquired")
        yield* store.set(key, token, Duration.seconds(5))
        assert.isTrue(yield* store.deleteIf(key, token.value))
      }))
  }

  it.scoped("keys: <prefix>{<key>}:token and <prefix>{<key>}:lease, one hash tag, nothing else", () =>
    Effect.gen(function*() {
      const { client } = yield* storeOn()
      const prefixed = yield* RedisTokenStore.make({ client }, { keyPrefix: "billing:" })
      const plain = yield* RedisTokenStore.make({ client })
      const key = Fixtures.storeKey()
      yield* plain.set(key, Fixtures.token(), Duration.seconds(5))
      yield* plain.acquireLease(key, Duration.seconds(5))
      yield* prefixed.set(key, Fixtures.token(), Duration.seconds(5))
      yield* prefixed.acquireLease(key, Duration.seconds(5))
      const keys = (yield* Effect.promise(() => client.keys(`*${key}*`))).sort()
      assert.deepStrictEqual(keys, [
        `billing:{${key}}:lease`,
        `billing:{${key}}:token`,
        `effect-oauth2:{${key}}:lease`,
        `effect-oauth2:{${key}}:token`
      ])
      assert.strictEqual(RedisTokenStore.defaultKeyPrefix, "effect-oauth2:")
      // one Cluster slot per entry: Redis hashes what is between the first braces (checked on Redis's own example)
      assert.strictEqual(Fixtures.clusterSlot("123456789"), 12739)
      assert.strictEqual(Fixtures.clusterSlot("{user1000}.following"), Fixtures.clusterSlot("user1000"))
      for (const prefix of ["billing:", "effect-oauth2:"]) {
        const [token, lease] = [`${prefix}{${key}}:token`, `${prefix}{${key}}:lease`].map(Fixtures.clusterSlot)
        assert.strictEqual(token, lease)
        assert.strictEqual(token, Fixtures.clusterSlot(key))
      }
    }))

  it.scoped("sealed: Redis holds no part of the token; another key, a copy under another key: InvalidEntry", () =>
    Effect.gen(function*() {
      const encryptionKey = Fixtures.encryptionKey()
      const { client, store } = yield* storeOn({ encryptionKey })
      const key = Fixtures.storeKey()
      const token = Fixtures.token()
      const secret = Redacted.value(token.value)
      yield* store.set(key, token, Duration.seconds(5))
      const raw = yield* Effect.promise(() => client.get(`effect-oauth2:{${key}}:token`))
      assert.isString(raw)
      Fixtures.assertNoPiece("the sealed entry", raw!, "the token", secret)
      Fixtures.assertNoPiece("the sealed entry", raw!, "the encryption key", Redacted.value(encryptionKey))
      assert.notInclude(raw!, "orders:read")
      assert.deepStrictEqual(valueOf(yield* store.get(key)), Option.some(secret))
      // two writes of one token differ (random IV)
      yield* store.set(key, token, Duration.seconds(5))
      assert.notStrictEqual(yield* Effect.promise(() => client.get(`effect-oauth2:{${key}}:token`)), raw)

      const checks = [
        ["another key", yield* RedisTokenStore.make({ client }, { encryptionKey: Fixtures.encryptionKey() })],
        ["no key", yield* RedisTokenStore.make({ client })]
      ] as const
      for (const [what, other] of checks) {
        const { cause, error } = yield* Fixtures.failure(other.get(key))
        assert.strictEqual(error.reason, "InvalidEntry", what)
        for (const text of Fixtures.renderings(error, cause)) Fixtures.assertNoPiece(what, text, "the token", secret)
        const deleted = yield* Effect.either(other.deleteIf(key, token.value))
        assert.isTrue(deleted._tag === "Left" && deleted.left.reason === "InvalidEntry", what)
      }
      // the Redis key is authenticated: the same bytes under another key do not open
      const elsewhere = Fixtures.storeKey()
      yield* Effect.promise(() => client.set(`effect-oauth2:{${elsewhere}}:token`, raw!, "PX", 5_000))
      assert.strictEqual((yield* Fixtures.failure(store.get(elsewhere))).error.reason, "InvalidEntry")
      // a sealing store reads no plain entry (one could be planted by whoever writes Redis)
      const plain = yield* RedisTokenStore.make({ client })
      yield* plain.set(elsewhere, token, Duration.seconds(5))
      assert.strictEqual((yield* Fixtures.failure(store.get(elsewhere))).error.reason, "InvalidEntry")
      // one altered character of the ciphertext
      const sealed = JSON.parse(raw!) as { v: number; sealed: string }
      const flipped = sealed.sealed[20] === "A" ? "B" : "A"
      const altered = JSON.stringify({
        ...sealed,
        sealed: sealed.sealed.slice(0, 20) + flipped + sealed.sealed.slice(21)
      })
      yield* Effect.promise(() => client.set(`effect-oauth2:{${key}}:token`, altered, "PX", 5_000))
      assert.strictEqual((yield* Fixtures.failure(store.get(key))).error.reason, "InvalidEntry")
    }))

  it.scoped("garbage under a key is a TokenStoreError InvalidEntry that quotes none of it, never a defect", () =>
    Effect.gen(function*() {
      const { client, store } = yield* storeOn()
      const sealing = yield* RedisTokenStore.make({ client }, { encryptionKey: Fixtures.encryptionKey() })
      const token = {
        value: "tok-SECRETSECRET",
        tokenType: "Bearer",
        scopes: [],
        issuedAt: "2024-01-01T00:00:00.000Z",
        expiresAt: "2024-01-01T01:00:00.000Z"
      }
      const garbage = [
        "tok-SECRETSECRET not json",
        "",
        "null",
        "[\"tok-SECRETSECRET\"]",
        JSON.stringify({ v: 2, token }),
        JSON.stringify({ token }),
        JSON.stringify({ v: 1, token: { ...token, tokenType: "MAC" } }),
        JSON.stringify({ v: 1, token: { ...token, issuedAt: "tok-SECRETSECRET" } }),
        JSON.stringify({ v: 1, token: { ...token, value: "tok-SECRET\r\nX-Injected: tok-SECRETSECRET" } }),
        JSON.stringify({ v: 1, token: { ...token, value: "" } }),
        JSON.stringify({ v: 1, sealed: "tok-SECRETSECRET" }),
        JSON.stringify({ v: 1, sealed: "dG9rLVNFQ1JFVFNFQ1JFVHRvay1TRUNSRVRTRUNSRVQ=" })
      ]
      for (const entry of garbage) {
        const key = Fixtures.storeKey()
        yield* Effect.promise(() => client.set(`effect-oauth2:{${key}}:token`, entry, "PX", 5_000))
        for (const [which, reader] of [["plain", store], ["sealing", sealing]] as const) {
          const { cause, error } = yield* Fixtures.failure(reader.get(key))
          assert.strictEqual(error.reason, "InvalidEntry", `${which}: ${JSON.stringify(entry)}`)
          for (const text of Fixtures.renderings(error, cause)) {
            assert.notInclude(text, "SECRETSECR", `${which} quotes the entry`)
            assert.notInclude(text, key, `${which} names the key`)
          }
        }
      }
      // a plain token without an expiry (written by something else) is not taken: every entry must end
      const key = Fixtures.storeKey()
      yield* Effect.promise(() => client.set(`effect-oauth2:{${key}}:token`, JSON.stringify({ v: 1, token })))
      assert.strictEqual((yield* Fixtures.failure(store.get(key))).error.reason, "InvalidEntry")
      // the same entry with an expiry reads
      yield* Effect.promise(() => client.pexpire(`effect-oauth2:{${key}}:token`, 5_000))
      assert.deepStrictEqual(valueOf(yield* store.get(key)), Option.some("tok-SECRETSECRET"))
    }))

  it.scoped("a Redis error is Unavailable, named by its code; the detail holds no key", () =>
    Effect.gen(function*() {
      const { client, store } = yield* storeOn()
      const key = Fixtures.storeKey()
      yield* Effect.promise(() => client.hset(`effect-oauth2:{${key}}:token`, "field", "tok-SECRETSECRET"))
      const operations: ReadonlyArray<Effect.Effect<unknown, TokenStore.TokenStoreError>> = [
        store.get(key),
        store.deleteIf(key, Redacted.make("tok-SECRETSECRET"))
      ]
      for (const operation of operations) {
        const { error } = yield* Fixtures.failure(operation)
        assert.strictEqual(error.reason, "Unavailable")
        assert.strictEqual(error.detail, "ReplyError WRONGTYPE")
      }
    }))

  // ioredis 6 speaks RESP3 by default (every other test here), ioredis 5 RESP2 only
  const clientOptions = [
    ["RESP2 (protocol: 2, as ioredis 5)", { protocol: 2 }, "resp=2"],
    ["stringNumbers: true", { stringNumbers: true }, "resp="]
  ] as const
  for (const [what, options, resp] of clientOptions) {
    it.scoped(`a client with ${what}: the same store`, () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.RedisServer
        const client = yield* Fixtures.client(redis.url, options)
        assert.include(yield* Effect.promise(() => client.client("INFO") as Promise<string>), resp)
        const store = yield* RedisTokenStore.make({ client }, { encryptionKey: Fixtures.encryptionKey() })
        const key = Fixtures.storeKey()
        const token = Fixtures.token()
        assert.isTrue(Option.isNone(yield* store.get(key)))
        yield* store.set(key, token, Duration.seconds(5))
        const stored = yield* store.get(key)
        assert.deepStrictEqual(valueOf(stored), Option.some(Redacted.value(token.value)))
        const ttl = Option.map(stored, ({ timeToLive }) => Duration.toMillis(timeToLive))
        assert.isTrue(Option.exists(ttl, (ms) => ms > 4_000 && ms <= 5_000), String(ttl))
        const id = leaseId(yield* store.acquireLease(key, Duration.seconds(5)))
        assert.deepStrictEqual(yield* store.acquireLease(key, Duration.seconds(5)), TokenStore.held)
        yield* store.releaseLease(key, id)
        assert.strictEqual((yield* store.acquireLease(key, Duration.seconds(5)))._tag, "Acquired")
        assert.isTrue(yield* store.deleteIf(key, token.value))
        assert.isTrue(Option.isNone(yield* store.get(key)))
      }))
  }

  it.scoped("a { client } is not closed with the layer", () =>
    Effect.gen(function*() {
      const redis = yield* RedisServer.RedisServer
      const client = yield* Fixtures.client(redis.url)
      yield* Effect.scoped(Effect.flatMap(
        Layer.build(RedisTokenStore.layer({ client })),
        (context) => Context.get(context, TokenStore.TokenStore).get(Fixtures.storeKey())
      ))
      assert.strictEqual(client.status, "ready")
      assert.strictEqual(yield* Effect.promise(() => client.ping()), "PONG")
    }))

  it.scoped("a { url } client is the store's own: its first command waits for the connection, closed with the layer", () =>
    Effect.gen(function*() {
      const redis = yield* RedisServer.RedisServer
      const observer = yield* Fixtures.client(redis.url)
      const named = Effect.map(
        Effect.promise(() => observer.client("LIST") as Promise<string>),
        (list) => list.split("\n").filter((line) => line.includes("name=effect-oauth2-token-store")).length
      )
      const before = yield* named
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(RedisTokenStore.layer({ url: Redacted.make(redis.url) }))
        const store = Context.get(context, TokenStore.TokenStore)
        const key = Fixtures.storeKey()
        // the first command waits for the connection being opened, instead of being refused (no offline queue)
        yield* store.set(key, Fixtures.token("tok-url-client"), Duration.seconds(5))
        assert.deepStrictEqual(valueOf(yield* store.get(key)), Option.some("tok-url-client"))
        assert.strictEqual(yield* named, before + 1)
      }))
      // the server sees the connection go (bounded wait)
      const after = yield* Effect.retry(
        Effect.filterOrFail(named, (n) => n === before, () => "still connected"),
        { times: 50, schedule: Schedule.spaced("20 millis") }
      )
      assert.strictEqual(after, before)
    }))
})
