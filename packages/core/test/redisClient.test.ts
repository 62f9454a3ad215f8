/**
 * The token store on one client, alone (no Redis, no Effect): a fake client records the commands each operation sends
 * and answers with canned replies or rejections. What the scripts do in Redis is proved by each line's store suites,
 * against a real Redis.
 */
import { EventEmitter } from "node:events"
import { assert, describe, it } from "vitest"
import * as RedisClient from "../src/redisClient.js"
import * as RedisStore from "../src/redisStore.js"
import * as TokenEntry from "../src/tokenEntry.js"

const tokenTypes = ["Bearer", "DPoP"] as const
const key = TokenEntry.parseKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")!
const storeKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
const prefix = "billing:"
const tokenKey = RedisStore.tokenKey(prefix, storeKey)
const leaseKey = RedisStore.leaseKey(prefix, storeKey)
const secret = "tok-SECRETSECRETSECRET"

const [issuedAt, expiresAt] = ["2023-11-14T22:13:20.000Z", "2023-11-14T23:13:20.000Z"]
const token: Token = { value: secret, tokenType: "Bearer", scopes: ["orders:read"], issuedAt, expiresAt }

type Token = TokenEntry.EntryToken<(typeof tokenTypes)[number]>

/** A reply, or a rejection with this error. */
type Answer = { readonly reply: unknown } | { readonly error: unknown }

/** A client whose commands are recorded and answered from `answers`, in order; its events are an `EventEmitter`'s. */
class FakeClient extends EventEmitter implements RedisClient.Client {
  readonly sent: Array<ReadonlyArray<unknown>> = []
  constructor(public status: string = "ready", readonly answers: Array<Answer> = []) {
    super()
  }
  eval(script: string, numKeys: number, ...args: Array<string | number>) {
    return this.answer(["eval", script, numKeys, ...args])
  }
  get(key: string) {
    return this.answer(["get", key]) as Promise<string | null>
  }
  set(key: string, value: string, mode: "PX", millis: number) {
    return this.answer(["set", key, value, mode, millis])
  }
  del(key: string) {
    return this.answer(["del", key]) as Promise<number>
  }
  private answer(command: ReadonlyArray<unknown>): Promise<unknown> {
    this.sent.push(command)
    const answer = this.answers.shift() ?? { reply: null }
    return "error" in answer ? Promise.reject(answer.error) : Promise.resolve(answer.reply)
  }
}

const store = (client: FakeClient, sealWith?: typeof key) =>
  new RedisClient.StoreOnClient(client, prefix, sealWith, tokenTypes)

const refused = Object.assign(new Error(`connect ECONNREFUSED while sending ${secret}`), { code: "ECONNREFUSED" })

describe("redisClient: open", () => {
  it("a valid URL: the client made with no offline queue and the store's name, its error events taken", () => {
    const made: Array<unknown> = []
    const client = RedisClient.open("redis://:p4ss@127.0.0.1:6379/2", (url, options) => {
      made.push(url, options)
      return new FakeClient("connecting")
    })
    assert.deepStrictEqual(made, [
      "redis://:p4ss@127.0.0.1:6379/2",
      { enableOfflineQueue: false, connectionName: RedisStore.connectionName }
    ])
    assert.isDefined(client)
    // an EventEmitter with no "error" listener throws the error it is given
    client!.emit("error", new Error("ECONNREFUSED"))
  })

  it("an invalid URL: undefined, and the client is never made", () => {
    for (const url of ["http://127.0.0.1:6379", "redis://host:99999", "redis://a b", "p4ss"]) {
      let made = false
      const client = RedisClient.open(url, () => {
        made = true
        return new FakeClient()
      })
      assert.isUndefined(client, url)
      assert.isFalse(made, url)
    }
  })

  it("a client that throws when made: undefined, nothing of what it threw", () => {
    const client = RedisClient.open("redis://:p4ss@127.0.0.1:6379", () => {
      throw new Error("bad URL redis://:p4ss@127.0.0.1:6379")
    })
    assert.isUndefined(client)
  })
})

describe("redisClient: sender", () => {
  it("until the client has been ready once, a command waits for the connection attempt to end", async () => {
    const client = new FakeClient("connecting")
    const send = RedisClient.sender(client)
    const ran: Array<string> = []
    const first = send(async () => ran.push("first"))
    const second = send(async () => ran.push("second"))
    await Promise.resolve()
    assert.deepStrictEqual(ran, [])
    // one set of listeners for every waiting command
    assert.strictEqual(client.listenerCount("ready"), 1)
    client.status = "ready"
    client.emit("ready")
    await Promise.all([first, second])
    assert.deepStrictEqual(ran, ["first", "second"])
    for (const event of ["ready", "error", "close", "end"]) assert.strictEqual(client.listenerCount(event), 0, event)
  })

  it("an attempt that fails ends the wait too; the next attempt is waited for again", async () => {
    const client = new FakeClient("connect")
    const send = RedisClient.sender(client)
    const failed = send(async () => client.status)
    client.status = "reconnecting"
    client.emit("error")
    assert.strictEqual(await failed, "reconnecting")
    client.status = "connecting"
    let ran = false
    const next = send(async () => (ran = true))
    await Promise.resolve()
    assert.isFalse(ran)
    client.emit("close")
    await next
    assert.isTrue(ran)
  })

  it("once the client has been ready, a command never waits, whatever the reconnection is doing", async () => {
    const client = new FakeClient("ready")
    const send = RedisClient.sender(client)
    await send(async () => undefined)
    client.status = "connecting"
    assert.strictEqual(await send(async () => "at once"), "at once")
    assert.strictEqual(client.listenerCount("ready"), 0)
    // ready when the sender was made, reconnecting before its first command
    const given = new FakeClient("ready")
    const sendOnGiven = RedisClient.sender(given)
    given.status = "connecting"
    assert.strictEqual(await sendOnGiven(async () => "at once"), "at once")
  })

  it("a client ready before the first command, seen ready by a wait, or in no attempt: no wait", async () => {
    const readyFirst = new FakeClient("connecting")
    const send = RedisClient.sender(readyFirst)
    const waited = send(async () => undefined)
    readyFirst.status = "ready"
    readyFirst.emit("ready")
    await waited
    readyFirst.status = "connecting"
    assert.strictEqual(await send(async () => "at once"), "at once")

    for (const status of ["wait", "reconnecting", "end"]) {
      const client = new FakeClient(status)
      assert.strictEqual(await RedisClient.sender(client)(async () => status), status)
    }
  })
})

describe("redisClient: get", () => {
  it("no entry: Missing, from the get script on the token key", async () => {
    const client = new FakeClient("ready", [{ reply: null }])
    assert.deepStrictEqual(await store(client).get(storeKey), { _tag: "Missing" })
    assert.deepStrictEqual(client.sent, [["eval", RedisStore.getScript, 1, tokenKey]])
  })

  it("an entry: its token and time left, plain or sealed", async () => {
    for (const sealWith of [undefined, key]) {
      const entry = TokenEntry.encode(token, tokenKey, sealWith)
      const client = new FakeClient("ready", [{ reply: [entry, "4321"] }])
      assert.deepStrictEqual(await store(client, sealWith).get(storeKey), {
        _tag: "Found",
        token,
        timeLeftMillis: 4321
      })
    }
  })

  it("an entry that does not read: InvalidEntry with the entry's fixed text", async () => {
    const plain = TokenEntry.encode(token, tokenKey, undefined)
    const mac = TokenEntry.encode({ ...token, tokenType: "MAC" }, tokenKey, undefined)
    const client = new FakeClient("ready", [{ reply: [plain, 10] }, { reply: [mac, 10] }])
    assert.deepStrictEqual(await store(client, key).get(storeKey), {
      _tag: "Failure",
      reason: "InvalidEntry",
      detail: "the entry is not sealed, and this store reads sealed entries only"
    })
    assert.deepStrictEqual(await store(client).get(storeKey), {
      _tag: "Failure",
      reason: "InvalidEntry",
      detail: "not a version 1 token entry"
    })
  })

  it("a refused command: Unavailable with the kind of failure, nothing of its message", async () => {
    const client = new FakeClient("ready", [{ error: refused }, { reply: 7 }])
    const failure = await store(client).get(storeKey)
    assert.deepStrictEqual(failure, { _tag: "Failure", reason: "Unavailable", detail: "ECONNREFUSED" })
    assert.deepStrictEqual(await store(client).get(storeKey), {
      _tag: "Failure",
      reason: "Unavailable",
      detail: "unexpected reply"
    })
  })
})

describe("redisClient: set", () => {
  it("SET key entry PX whole millis; the entry reads back as the token", async () => {
    for (const sealWith of [undefined, key]) {
      const client = new FakeClient()
      assert.isUndefined(await store(client, sealWith).set(storeKey, token, 1500.9))
      const [command, redisKey, entry, mode, millis] = client.sent[0]!
      assert.deepStrictEqual([command, redisKey, mode, millis], ["set", tokenKey, "PX", 1500])
      const read = TokenEntry.decode(entry as string, tokenKey, sealWith, tokenTypes)
      assert.deepStrictEqual(read, { _tag: "Valid", value: token })
      if (sealWith !== undefined) assert.notInclude(entry as string, secret)
    }
  })

  it("under 1 whole milli: the entry is deleted instead", async () => {
    const client = new FakeClient()
    assert.isUndefined(await store(client).set(storeKey, token, 0.9))
    assert.deepStrictEqual(client.sent, [["del", tokenKey]])
  })

  it("a refused command: Unavailable", async () => {
    const client = new FakeClient("ready", [{ error: refused }])
    assert.deepStrictEqual(await store(client).set(storeKey, token, 1000), {
      _tag: "Failure",
      reason: "Unavailable",
      detail: "ECONNREFUSED"
    })
  })
})

describe("redisClient: leases", () => {
  it("acquire: the script on the lease key with a new random id and the whole millis (at least 1)", async () => {
    const client = new FakeClient("ready", [{ reply: 1 }, { reply: "2" }, { reply: 0 }, { reply: 3 }])
    const leases = store(client)
    const first = await leases.acquireLease(storeKey, 0.4)
    const second = await leases.acquireLease(storeKey, 2000.5)
    assert.deepStrictEqual(await leases.acquireLease(storeKey, 2000), { _tag: "Held" })
    assert.deepStrictEqual(await leases.acquireLease(storeKey, 2000), {
      _tag: "Failure",
      reason: "Unavailable",
      detail: "unexpected reply"
    })
    const ids = client.sent.map((command) => String(command[4]))
    assert.deepStrictEqual(first, { _tag: "Acquired", id: ids[0]!, replacedStale: false })
    assert.deepStrictEqual(second, { _tag: "Acquired", id: ids[1]!, replacedStale: true })
    assert.match(ids[0]!, /^[0-9a-f-]{36}$/)
    assert.strictEqual(new Set(ids).size, 4)
    assert.deepStrictEqual(client.sent[0], ["eval", RedisStore.acquireLeaseScript, 1, leaseKey, ids[0], 1])
    assert.deepStrictEqual(client.sent[1], ["eval", RedisStore.acquireLeaseScript, 1, leaseKey, ids[1], 2000])
  })

  it("renew: compare and expire with the id and whole millis; whether it acted", async () => {
    const client = new FakeClient("ready", [{ reply: 1 }, { reply: 0 }, { error: refused }])
    const leases = store(client)
    assert.isTrue(await leases.renewLease(storeKey, "lease-1", 999.9))
    assert.isFalse(await leases.renewLease(storeKey, "lease-1", 999.9))
    assert.deepStrictEqual(await leases.renewLease(storeKey, "lease-1", 999.9), {
      _tag: "Failure",
      reason: "Unavailable",
      detail: "ECONNREFUSED"
    })
    assert.deepStrictEqual(client.sent[0], ["eval", RedisStore.compareAndExpireScript, 1, leaseKey, "lease-1", 999])
  })

  it("release: compare and delete with the id", async () => {
    const client = new FakeClient("ready", [{ reply: 0 }, { error: refused }])
    assert.isUndefined(await store(client).releaseLease(storeKey, "lease-1"))
    assert.deepStrictEqual(await store(client).releaseLease(storeKey, "lease-1"), {
      _tag: "Failure",
      reason: "Unavailable",
      detail: "ECONNREFUSED"
    })
    assert.deepStrictEqual(client.sent[0], ["eval", RedisStore.compareAndDeleteScript, 1, leaseKey, "lease-1"])
  })
})

describe("redisClient: deleteIf", () => {
  it("the entry holds the token: compare and delete against the exact text read; whether it acted", async () => {
    for (const sealWith of [undefined, key]) {
      const entry = TokenEntry.encode(token, tokenKey, sealWith)
      const client = new FakeClient("ready", [{ reply: entry }, { reply: 1 }, { reply: entry }, { reply: 0 }])
      assert.isTrue(await store(client, sealWith).deleteIf(storeKey, secret))
      assert.isFalse(await store(client, sealWith).deleteIf(storeKey, secret))
      assert.deepStrictEqual(client.sent.slice(0, 2), [
        ["get", tokenKey],
        ["eval", RedisStore.compareAndDeleteScript, 1, tokenKey, entry]
      ])
    }
  })

  it("no entry, or another token: false, nothing deleted", async () => {
    const other = TokenEntry.encode({ ...token, value: "tok-other" }, tokenKey, undefined)
    const client = new FakeClient("ready", [{ reply: null }, { reply: other }])
    assert.isFalse(await store(client).deleteIf(storeKey, secret))
    assert.isFalse(await store(client).deleteIf(storeKey, secret))
    assert.deepStrictEqual(client.sent, [["get", tokenKey], ["get", tokenKey]])
  })

  it("an entry that does not read: InvalidEntry, nothing deleted; a refused command: Unavailable", async () => {
    const client = new FakeClient("ready", [{ reply: "garbage" }, { error: refused }])
    assert.deepStrictEqual(await store(client).deleteIf(storeKey, secret), {
      _tag: "Failure",
      reason: "InvalidEntry",
      detail: "not a version 1 token entry"
    })
    assert.deepStrictEqual(await store(client).deleteIf(storeKey, secret), {
      _tag: "Failure",
      reason: "Unavailable",
      detail: "ECONNREFUSED"
    })
    assert.deepStrictEqual(client.sent, [["get", tokenKey], ["get", tokenKey]])
  })
})

describe("redisClient: isFailure", () => {
  it("a Failure, and nothing else", () => {
    assert.isTrue(RedisClient.isFailure({ _tag: "Failure", reason: "Unavailable", detail: "x" }))
    for (const result of [undefined, null, true, false, 0, "Failure", { _tag: "Missing" }, { _tag: "Held" }]) {
      assert.isFalse(RedisClient.isFailure(result), String(result))
    }
  })
})
