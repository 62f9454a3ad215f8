/**
 * The Redis store's plain parts, alone (no Redis, no Effect): the key layout, what the scripts' replies mean (numbers
 * as RESP2 and RESP3 give them, and as strings with `stringNumbers: true`), ttls, a failure in words, the URL check.
 * The scripts themselves run in `@effect-oauth2/redis`'s suites, against a real Redis.
 */
import { assert, describe, it } from "vitest"
import * as RedisStore from "../src/redisStore.js"

const secret = "tok-SECRETSECRET"
const unexpected: RedisStore.Failure = { _tag: "Failure", reason: "Unavailable", detail: "unexpected reply" }

describe("redisStore: keys", () => {
  it("<prefix>{<key>}:token and <prefix>{<key>}:lease; the default prefix and connection name", () => {
    assert.strictEqual(RedisStore.tokenKey("billing:", "abc"), "billing:{abc}:token")
    assert.strictEqual(RedisStore.leaseKey("billing:", "abc"), "billing:{abc}:lease")
    assert.strictEqual(RedisStore.defaultKeyPrefix, "effect-oauth2:")
    assert.strictEqual(RedisStore.connectionName, "effect-oauth2-token-store")
  })
})

describe("redisStore: the get script's reply", () => {
  it("nil: no entry", () => {
    assert.deepStrictEqual(RedisStore.readGetReply(null), { _tag: "Missing" })
  })

  it("the entry and its PTTL, a number or a string of digits", () => {
    for (const pttl of [4_321, "4321"]) {
      assert.deepStrictEqual(RedisStore.readGetReply([secret, pttl]), {
        _tag: "Found",
        entry: secret,
        timeLeftMillis: 4_321
      })
    }
    assert.deepStrictEqual(RedisStore.readGetReply(["", 0]), { _tag: "Found", entry: "", timeLeftMillis: 0 })
  })

  it("an entry without an expiry is not taken", () => {
    for (const pttl of [-1, "-1", -2]) {
      assert.deepStrictEqual(RedisStore.readGetReply([secret, pttl]), {
        _tag: "Failure",
        reason: "InvalidEntry",
        detail: "the entry has no expiry"
      })
    }
  })

  it("an entry that is not a string", () => {
    for (const entry of [1234, null, [secret], Buffer.from(secret)]) {
      assert.deepStrictEqual(RedisStore.readGetReply([entry, 1_000]), {
        _tag: "Failure",
        reason: "InvalidEntry",
        detail: "not a string entry"
      })
    }
  })

  it("anything else is an unexpected reply, quoting none of it", () => {
    const replies = [
      undefined,
      secret,
      1,
      [],
      [secret],
      [secret, 1_000, 1],
      { 0: secret, 1: 1_000, length: 2 },
      [secret, "1000ms"],
      [secret, " 1000"],
      [secret, ""],
      [secret, 1.5],
      [secret, Number.NaN],
      [secret, Number.POSITIVE_INFINITY],
      [secret, "99999999999999999999"],
      [secret, null],
      [secret, true]
    ]
    for (const reply of replies) assert.deepStrictEqual(RedisStore.readGetReply(reply), unexpected, String(reply))
  })
})

describe("redisStore: the acquire-lease script's reply", () => {
  it("1: acquired; 2: acquired in place of a stale lease; 0: held; numbers or strings", () => {
    for (const [one, two, zero] of [[1, 2, 0], ["1", "2", "0"]]) {
      assert.deepStrictEqual(RedisStore.readAcquireReply(one), { _tag: "Acquired", replacedStale: false })
      assert.deepStrictEqual(RedisStore.readAcquireReply(two), { _tag: "Acquired", replacedStale: true })
      assert.deepStrictEqual(RedisStore.readAcquireReply(zero), { _tag: "Held" })
    }
  })

  it("anything else is an unexpected reply", () => {
    for (const reply of [3, -1, "3", " 1", "1.0", "", null, undefined, true, false, [1], "OK", 1.5]) {
      assert.deepStrictEqual(RedisStore.readAcquireReply(reply), unexpected, String(reply))
    }
  })
})

describe("redisStore: compare-and-delete, compare-and-expire", () => {
  it("acted: 1, as a number or a string; anything else did not", () => {
    assert.isTrue(RedisStore.acted(1))
    assert.isTrue(RedisStore.acted("1"))
    for (const reply of [0, "0", 2, null, undefined, true, "1 ", [1], "OK"]) {
      assert.isFalse(RedisStore.acted(reply), String(reply))
    }
  })
})

describe("redisStore: ttls", () => {
  it("an entry's ttl in whole millis, under 1 kept so (the entry is deleted)", () => {
    assert.strictEqual(RedisStore.entryMillis(5_000), 5_000)
    assert.strictEqual(RedisStore.entryMillis(1.9), 1)
    assert.strictEqual(RedisStore.entryMillis(0.9), 0)
    assert.strictEqual(RedisStore.entryMillis(0), 0)
  })

  it("a lease's ttl in whole millis, at least 1", () => {
    assert.strictEqual(RedisStore.leaseMillis(5_000.7), 5_000)
    assert.strictEqual(RedisStore.leaseMillis(0.4), 1)
    assert.strictEqual(RedisStore.leaseMillis(0), 1)
  })
})

describe("redisStore: describeFailure", () => {
  const withCode = (code: unknown, message = `failed on ${secret}`) => Object.assign(new Error(message), { code })
  const named = (name: string, message: string) => Object.assign(new Error(message), { name })

  it("a system error's code", () => {
    assert.strictEqual(RedisStore.describeFailure(withCode("ECONNREFUSED")), "ECONNREFUSED")
    assert.strictEqual(RedisStore.describeFailure(withCode("ERR_SOCKET_CLOSED")), "ERR_SOCKET_CLOSED")
  })

  it("ioredis' own fixed texts", () => {
    const offline = new Error("Stream isn't writeable and enableOfflineQueue options is false")
    assert.strictEqual(RedisStore.describeFailure(offline), "not connected (offline queue off)")
    assert.strictEqual(RedisStore.describeFailure(new Error("Connection is closed.")), "connection closed")
  })

  it("a Redis error's leading code word, never the rest of its message", () => {
    const wrongType = named("ReplyError", `WRONGTYPE Operation against a key holding the wrong kind of value ${secret}`)
    assert.strictEqual(RedisStore.describeFailure(wrongType), "ReplyError WRONGTYPE")
    assert.strictEqual(RedisStore.describeFailure(named("ReplyError", `ERR ${secret}`)), "ReplyError ERR")
    assert.strictEqual(RedisStore.describeFailure(named("ReplyError", secret)), "ReplyError")
  })

  it("else the error's class name, when it is a word", () => {
    assert.strictEqual(RedisStore.describeFailure(new TypeError(secret)), "TypeError")
    assert.strictEqual(
      RedisStore.describeFailure(named("MaxRetriesPerRequestError", secret)),
      "MaxRetriesPerRequestError"
    )
    assert.strictEqual(RedisStore.describeFailure(named(`Error ${secret}`, secret)), "Error")
    assert.strictEqual(RedisStore.describeFailure(named("x".repeat(65), secret)), "Error")
  })

  it("a code that is not a code word is not used", () => {
    for (const code of [secret, "econnrefused", `E${"X".repeat(64)}`, 111, "E"]) {
      assert.strictEqual(RedisStore.describeFailure(withCode(code)), "Error", String(code))
    }
  })

  it("not an Error", () => {
    for (const error of [secret, { message: secret, code: "ECONNREFUSED" }, null, undefined]) {
      assert.strictEqual(RedisStore.describeFailure(error), "unknown failure")
    }
  })
})

describe("redisStore: isValidUrl", () => {
  it("redis: and rediss: URLs", () => {
    for (
      const url of [
        "redis://localhost:6379",
        "rediss://user:p%40ss@redis.internal:6380/2",
        "redis://:secret@127.0.0.1",
        "REDIS://host"
      ]
    ) assert.isTrue(RedisStore.isValidUrl(url), url)
  })

  it("anything else, including whitespace or a control character anywhere", () => {
    for (
      const url of [
        "http://localhost:6379",
        "localhost:6379",
        "redis://host:99999",
        "redis://ho st",
        "redis://host\n",
        " redis://host",
        "redis://host\u0000",
        "redis://host\u007f",
        "",
        undefined,
        6379
      ]
    ) assert.isFalse(RedisStore.isValidUrl(url), String(url))
    assert.notInclude(RedisStore.invalidUrlMessage, "secret")
  })
})
