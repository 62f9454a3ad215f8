/**
 * A token entry, alone (no Redis, no Effect): its plain and sealed forms, entries written by the Effect 3 store, the
 * seal's refusals (another key, altered, copied under another key), and garbage, whose reasons never quote it.
 */
import * as crypto from "node:crypto"
import * as util from "node:util"
import { assert, describe, it } from "vitest"
import * as TokenEntry from "../src/tokenEntry.js"

const tokenTypes = ["Bearer", "DPoP"] as const
const keyText = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
const key = TokenEntry.parseKey(keyText)!
const storeKey = "effect-oauth2:{0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}:token"
const elsewhere = "effect-oauth2:{fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210}:token"

/**
 * Entries as `@effect-oauth2/redis` wrote them with `Schema.encodeSync` of `AccessToken` (plain) and sealed with
 * `keyText` under `storeKey`: whatever is stored today must still read.
 */
const written = {
  plain: {
    token: {
      value: "tok-Fixture.Value_1~+/=",
      tokenType: "DPoP",
      scopes: ["orders:read", "orders:write"],
      issuedAt: "2023-11-14T22:13:20.000Z",
      expiresAt: "2023-11-14T23:13:20.000Z"
    },
    entry:
      "{\"v\":1,\"token\":{\"value\":\"tok-Fixture.Value_1~+/=\",\"tokenType\":\"DPoP\",\"scopes\":[\"orders:read\"," +
      "\"orders:write\"],\"issuedAt\":\"2023-11-14T22:13:20.000Z\",\"expiresAt\":\"2023-11-14T23:13:20.000Z\"}}",
    sealed:
      "{\"v\":1,\"sealed\":\"n2/JO+kqgxPErHCPf7dXjkuLnGrmRDj0ntY6QHyO/f+CPnWl5eveJRKUWDjagROfaP13XMw61sZRuJyUz45/q" +
      "iry111UX+gz4E4dk+JR4u0L1g29yYgRS9Mw+RmG+wfxjNRMh8UqQJT+PHbynKsLXr+VYWyie5IGHH2wzdZRouALcImLNmy+4elGKxneEaK8xM2h" +
      "fiACOCMGbKXpFURH+3zb72jzf786WaVRXVWbhX9L1Bp/nRO7OpLhsMVoSnBYA9/WfPjF0F7zTGxPcBQ/wyxg6z+TnMg=\"}"
  },
  short: {
    token: {
      value: "b",
      tokenType: "Bearer",
      scopes: [],
      issuedAt: "1970-01-01T00:00:00.000Z",
      expiresAt: "1970-01-01T00:00:00.001Z"
    },
    entry:
      "{\"v\":1,\"token\":{\"value\":\"b\",\"tokenType\":\"Bearer\",\"scopes\":[],\"issuedAt\":\"1970-01-01T00:00:00.000Z\"," +
      "\"expiresAt\":\"1970-01-01T00:00:00.001Z\"}}",
    sealed:
      "{\"v\":1,\"sealed\":\"FyfBZ2oNdoUD41h2+9kO3cenF6FRyRbh5rBWCwvR74l5hd6hi7sEm05Zj0Spm3C1CpGXi+0Oq9Nvaqndd3rj8" +
      "tnP2CZupcQv0qaPKwkZoMu2WDC4Lkd0hRfQD0iFlxaRIYcZSUYWIltYjsTiRXSEJ6X54seQ/bsc96nqKYBjyauhDJv4LeNFa0rnb5MAvNIt6oxkEh" +
      "nMIfU+mbBHn13CkrMySPUr6bs=\"}"
  }
} as const

const secret = "tok-SECRETSECRET"

const token: TokenEntry.EntryToken<"Bearer" | "DPoP"> = {
  value: secret,
  tokenType: "Bearer",
  scopes: ["orders:read"],
  issuedAt: "2024-01-01T00:00:00.000Z",
  expiresAt: "2024-01-01T01:00:00.000Z"
}

/** The reason `text` does not read; fails the test when it does. */
const problem = (text: string, readKey: crypto.KeyObject | undefined, at = storeKey): string => {
  const read = TokenEntry.decode(text, at, readKey, tokenTypes)
  return read._tag === "Invalid" ? read.problem : assert.fail(`read: ${JSON.stringify(text)}`)
}

const notAnEntry = "not a version 1 token entry"
const doesNotOpen = "the sealed entry does not open with this encryptionKey (another key, or altered)"
const fixedTexts = new Set([
  notAnEntry,
  doesNotOpen,
  "its token is not a valid access token",
  "the entry is sealed, and this store has no encryptionKey",
  "the entry is not sealed, and this store reads sealed entries only"
])

describe("tokenEntry: entries the Effect 3 store wrote", () => {
  for (const [name, fixture] of Object.entries(written)) {
    it(`${name}: the plain entry reads, and is written again byte for byte`, () => {
      assert.deepStrictEqual(TokenEntry.decode(fixture.entry, storeKey, undefined, tokenTypes), {
        _tag: "Valid",
        value: fixture.token
      })
      assert.strictEqual(TokenEntry.encode(fixture.token, storeKey, undefined), fixture.entry)
      // the field order is the format's, whatever the order of the object given
      const { expiresAt, issuedAt, scopes, tokenType, value } = fixture.token
      assert.strictEqual(
        TokenEntry.encode({ expiresAt, scopes, issuedAt, tokenType, value }, storeKey, undefined),
        fixture.entry
      )
    })

    it(`${name}: the sealed entry opens with its key, under its Redis key only`, () => {
      assert.deepStrictEqual(TokenEntry.decode(fixture.sealed, storeKey, key, tokenTypes), {
        _tag: "Valid",
        value: fixture.token
      })
      const sealed = (JSON.parse(fixture.sealed) as { sealed: string }).sealed
      assert.strictEqual(TokenEntry.open(key, storeKey, sealed), fixture.entry)
      assert.strictEqual(problem(fixture.sealed, key, elsewhere), doesNotOpen)
    })
  }
})

describe("tokenEntry: round trips", () => {
  it("plain: the token's five fields, nothing else", () => {
    const entry = TokenEntry.encode({ ...token, extra: "x" } as TokenEntry.EntryToken, storeKey, undefined)
    assert.deepStrictEqual(JSON.parse(entry), { v: 1, token })
    assert.deepStrictEqual(TokenEntry.decode(entry, storeKey, undefined, tokenTypes), { _tag: "Valid", value: token })
  })

  it("sealed: reads back; no part of the token in it; a new IV on every write", () => {
    const first = TokenEntry.encode(token, storeKey, key)
    const second = TokenEntry.encode(token, storeKey, key)
    assert.notStrictEqual(first, second)
    for (const entry of [first, second]) {
      assert.deepStrictEqual(Object.keys(JSON.parse(entry)), ["v", "sealed"])
      assert.notInclude(entry, "SECRET")
      assert.notInclude(entry, "orders")
      assert.deepStrictEqual(TokenEntry.decode(entry, storeKey, key, tokenTypes), { _tag: "Valid", value: token })
    }
    const sealed = (JSON.parse(first) as { sealed: string }).sealed
    const bytes = Buffer.from(sealed, "base64")
    // IV, ciphertext as long as the plain entry, tag
    assert.strictEqual(bytes.length, 12 + TokenEntry.encode(token, storeKey, undefined).length + 16)
    assert.strictEqual(TokenEntry.open(key, storeKey, TokenEntry.seal(key, storeKey, "anything")), "anything")
  })

  it("reads extra fields (ignored) and keeps none of them", () => {
    const entry = JSON.stringify({ v: 1, token: { ...token, extra: secret }, note: "x" })
    assert.deepStrictEqual(TokenEntry.decode(entry, storeKey, undefined, tokenTypes), { _tag: "Valid", value: token })
  })

  it("a token type is one of those given, compared exactly", () => {
    const entry = TokenEntry.encode({ ...token, tokenType: "DPoP" }, storeKey, undefined)
    assert.strictEqual(TokenEntry.decode(entry, storeKey, undefined, ["DPoP"])._tag, "Valid")
    for (const types of [["Bearer"], ["dpop"], []]) {
      assert.deepStrictEqual(TokenEntry.decode(entry, storeKey, undefined, types), {
        _tag: "Invalid",
        problem: notAnEntry
      })
    }
  })
})

describe("tokenEntry: the seal refuses", () => {
  const entry = TokenEntry.encode(token, storeKey, key)

  it("another key", () => {
    const other = TokenEntry.parseKey(crypto.randomBytes(32).toString("base64"))!
    assert.strictEqual(problem(entry, other), doesNotOpen)
  })

  it("an entry copied under another Redis key", () => {
    assert.strictEqual(problem(entry, key, elsewhere), doesNotOpen)
  })

  it("every altered byte: IV, ciphertext or tag", () => {
    const bytes = Buffer.from((JSON.parse(entry) as { sealed: string }).sealed, "base64")
    for (let at = 0; at < bytes.length; at++) {
      const altered = Buffer.from(bytes)
      altered[at] = altered[at]! ^ 0x01
      assert.strictEqual(
        problem(JSON.stringify({ v: 1, sealed: altered.toString("base64") }), key),
        doesNotOpen,
        `${at}`
      )
    }
    // cut short, or lengthened
    for (const sealed of [bytes.subarray(0, bytes.length - 1), Buffer.concat([bytes, Buffer.from([0])])]) {
      assert.strictEqual(problem(JSON.stringify({ v: 1, sealed: sealed.toString("base64") }), key), doesNotOpen)
    }
  })

  it("a sealed entry without a key, a plain entry with one", () => {
    assert.strictEqual(problem(entry, undefined), "the entry is sealed, and this store has no encryptionKey")
    assert.strictEqual(
      problem(TokenEntry.encode(token, storeKey, undefined), key),
      "the entry is not sealed, and this store reads sealed entries only"
    )
  })

  it("only the base64 the store writes: the same bytes written otherwise do not open", () => {
    const sealed = (JSON.parse(entry) as { sealed: string }).sealed
    const bytes = Buffer.from(sealed, "base64")
    const otherwise = [
      bytes.toString("base64url"),
      `${sealed.slice(0, 40)}\n${sealed.slice(40)}`,
      ` ${sealed}`,
      `${sealed.slice(0, 40)}*${sealed.slice(40)}`
    ]
    for (const text of otherwise) {
      assert.isTrue(Buffer.from(text, "base64").equals(bytes), "Node's decoder reads it as the same bytes")
      assert.isUndefined(TokenEntry.open(key, storeKey, text))
      assert.strictEqual(problem(JSON.stringify({ v: 1, sealed: text }), key), doesNotOpen)
    }
  })

  it("a seal with no ciphertext", () => {
    const empty = TokenEntry.seal(key, storeKey, "")
    assert.strictEqual(Buffer.from(empty, "base64").length, 28)
    assert.isUndefined(TokenEntry.open(key, storeKey, empty))
    assert.strictEqual(problem(JSON.stringify({ v: 1, sealed: empty }), key), doesNotOpen)
  })

  it("only a version 1 object with a string `sealed` is a sealed entry", () => {
    const sealed = (JSON.parse(entry) as { sealed: string }).sealed
    for (
      const text of [JSON.stringify({ v: 2, sealed }), JSON.stringify({ sealed }), JSON.stringify({ v: "1", sealed })]
    ) {
      assert.strictEqual(problem(text, undefined), notAnEntry, text)
      assert.strictEqual(problem(text, key), notAnEntry, text)
    }
    for (const text of [JSON.stringify({ v: 1, sealed: 1234 }), JSON.stringify({ v: 1, sealed: [sealed] })]) {
      assert.strictEqual(problem(text, undefined), notAnEntry, text)
      assert.strictEqual(problem(text, key), "the entry is not sealed, and this store reads sealed entries only", text)
    }
  })

  it("a sealed entry that opens to something other than a token", () => {
    for (
      const plaintext of ["garbage", "null", JSON.stringify({ v: 2, token }), JSON.stringify({ v: 1, sealed: "x" })]
    ) {
      assert.strictEqual(
        problem(JSON.stringify({ v: 1, sealed: TokenEntry.seal(key, storeKey, plaintext) }), key),
        notAnEntry
      )
    }
    const badValue = JSON.stringify({ v: 1, token: { ...token, value: `${secret}\r\n` } })
    assert.strictEqual(
      problem(JSON.stringify({ v: 1, sealed: TokenEntry.seal(key, storeKey, badValue) }), key),
      "its token is not a valid access token"
    )
  })
})

describe("tokenEntry: garbage is a fixed text that quotes none of it", () => {
  const entry = (fields: Record<string, unknown>) => JSON.stringify({ v: 1, token: { ...token, ...fields } })
  const notVersioned = [
    `${secret} not json`,
    "",
    "null",
    "1",
    `"${secret}"`,
    `["${secret}"]`,
    JSON.stringify({ v: 2, token }),
    JSON.stringify({ v: "1", token }),
    JSON.stringify({ token })
  ]
  // version 1 objects with no token in them
  const versionedNotTokens = [
    JSON.stringify({ v: 1 }),
    JSON.stringify({ v: 1, token: secret }),
    JSON.stringify({ v: 1, token: [secret] }),
    entry({ value: 1234 }),
    entry({ value: undefined }),
    entry({ tokenType: "MAC" }),
    entry({ tokenType: "bearer" }),
    entry({ tokenType: undefined }),
    entry({ scopes: secret }),
    entry({ scopes: [1] }),
    entry({ scopes: undefined }),
    entry({ issuedAt: secret }),
    entry({ issuedAt: 1_700_000_000_000 }),
    entry({ issuedAt: "2024-01-01" }),
    entry({ issuedAt: "0" }),
    entry({ issuedAt: "2024-01-01T00:00:00Z" }),
    entry({ issuedAt: "2024-01-01T01:00:00.000+01:00" }),
    entry({ expiresAt: "2024-02-30T00:00:00.000Z" }),
    entry({ expiresAt: "Mon, 01 Jan 2024 00:00:00 GMT" }),
    entry({ expiresAt: undefined })
  ]
  const notEntries = [...notVersioned, ...versionedNotTokens]
  const badTokens = [
    entry({ value: "" }),
    entry({ value: `tok-SECRET\r\nX-Injected: ${secret}` }),
    entry({ value: `${secret} ${secret}` }),
    entry({ value: `${secret}é` }),
    entry({ value: secret.repeat(1025) })
  ]
  const badSeals = [
    JSON.stringify({ v: 1, sealed: secret }),
    JSON.stringify({ v: 1, sealed: "" }),
    JSON.stringify({ v: 1, sealed: Buffer.from(secret).toString("base64") }),
    JSON.stringify({ v: 1, sealed: Buffer.from(secret.repeat(4)).toString("base64url").replace(/[-_]/g, "") + "_" }),
    JSON.stringify({ v: 1, sealed: crypto.randomBytes(28).toString("base64") }),
    JSON.stringify({ v: 1, sealed: crypto.randomBytes(200).toString("base64") })
  ]

  it("plain store", () => {
    for (const text of notEntries) assert.strictEqual(problem(text, undefined), notAnEntry, text)
    for (const text of badTokens) assert.strictEqual(problem(text, undefined), "its token is not a valid access token")
    for (const text of badSeals) {
      assert.strictEqual(problem(text, undefined), "the entry is sealed, and this store has no encryptionKey")
    }
  })

  it("sealing store: a version 1 entry is not sealed, anything else is not an entry", () => {
    for (const text of notVersioned) assert.strictEqual(problem(text, key), notAnEntry, text)
    for (const text of [...versionedNotTokens, ...badTokens]) {
      assert.strictEqual(problem(text, key), "the entry is not sealed, and this store reads sealed entries only", text)
    }
    for (const text of badSeals) assert.strictEqual(problem(text, key), doesNotOpen)
  })

  it("no reason holds a piece of the entry", () => {
    for (const text of [...notEntries, ...badTokens, ...badSeals]) {
      for (const readKey of [undefined, key]) assert.isTrue(fixedTexts.has(problem(text, readKey)))
    }
  })
})

describe("tokenEntry: parseKey", () => {
  const bytes = Buffer.from(keyText, "base64")

  it("32 bytes in base64 or base64url, spaces around it ignored", () => {
    const url = bytes.toString("base64url")
    assert.notStrictEqual(url, keyText)
    for (const text of [keyText, url, `  ${keyText}\n`, keyText.replace(/=+$/, "")]) {
      const parsed = TokenEntry.parseKey(text)
      assert.isDefined(parsed, text)
      assert.isTrue(parsed!.export().equals(bytes), text)
    }
  })

  it("anything else is no key", () => {
    for (
      const text of [
        "",
        crypto.randomBytes(31).toString("base64"),
        crypto.randomBytes(33).toString("base64"),
        crypto.randomBytes(16).toString("hex"),
        `${keyText.slice(0, 10)} ${keyText.slice(10)}`,
        `${keyText}===`,
        keyText.replace("A", "*")
      ]
    ) assert.isUndefined(TokenEntry.parseKey(text), text)
  })

  it("the key prints without its bytes", () => {
    const printed = util.inspect(key, { depth: Infinity, showHidden: true })
    for (const form of [keyText, bytes.toString("hex"), bytes.toString("base64url").slice(0, 20)]) {
      assert.notInclude(printed, form)
    }
    assert.notInclude(TokenEntry.invalidKeyMessage, keyText)
  })
})
