/**
 * Properties of a shared store's token entry: any token round-trips, plain and sealed; a sealed entry holds no piece
 * of the token and opens only with its encryption key under its store key; any text read as an entry never throws,
 * and what does not read is said in words that hold no piece of it; any text that is not 32 bytes in base64 is no key.
 */
import * as FastCheck from "fast-check"
import { assert, describe, it } from "vitest"
import * as TokenEntry from "../src/tokenEntry.js"

const numRuns = 200

const tokenTypes = ["Bearer", "DPoP"] as const

/** How many leading characters of a value may not show: as the suites' leak checks. */
const leading = 8

/** Fails when `text` holds any piece of `leading` characters of `value` (named, never printed). */
const assertNoPiece = (what: string, text: string, value: string) => {
  for (let i = 0; i + leading <= value.length; i++) {
    if (text.includes(value.slice(i, i + leading))) assert.fail(`${what} holds a piece of the value at ${i}`)
  }
}

/** A token value: visible ASCII, no space (`AccessToken`'s rule), long enough to have pieces. */
const tokenValue = FastCheck.string({
  unit: FastCheck.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  minLength: leading,
  maxLength: 48
})

const instant = FastCheck.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0, 1)), noInvalidDate: true })
  .map((date) => date.toISOString())

const token = FastCheck.record({
  value: tokenValue,
  tokenType: FastCheck.constantFrom(...tokenTypes),
  scopes: FastCheck.array(FastCheck.string({ maxLength: 8 }), { maxLength: 3 }),
  issuedAt: instant,
  expiresAt: instant
})

const storeKey = FastCheck.string({ unit: FastCheck.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 })
  .map((hash) => `effect-oauth2:{${hash}}:token`)

/** A key: 32 random bytes. */
const key = FastCheck.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) =>
  TokenEntry.parseKey(Buffer.from(bytes).toString("base64"))!
)

/** Any text where an entry is read: garbage, JSON, entry-like objects with fields of any type, sealed or not. */
const anyEntry = (value: string) =>
  FastCheck.oneof(
    FastCheck.string({ unit: "binary", maxLength: 64 }).map((text) => `${text}${value}`),
    FastCheck.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify([json, value])),
    FastCheck.record({
      v: FastCheck.oneof(FastCheck.constant(1), FastCheck.jsonValue({ maxDepth: 1 })),
      token: FastCheck.oneof(
        FastCheck.record({
          value: FastCheck.oneof(FastCheck.constant(value), FastCheck.constant(`${value}\r\n`)),
          tokenType: FastCheck.oneof(FastCheck.constantFrom("Bearer", "DPoP", "MAC", value), FastCheck.jsonValue()),
          scopes: FastCheck.oneof(FastCheck.array(FastCheck.string()), FastCheck.jsonValue()),
          issuedAt: FastCheck.oneof(instant, FastCheck.constant(value), FastCheck.jsonValue()),
          expiresAt: FastCheck.oneof(instant, FastCheck.constant(value), FastCheck.jsonValue())
        }, { requiredKeys: [] }),
        FastCheck.jsonValue({ maxDepth: 2 })
      ),
      sealed: FastCheck.oneof(
        FastCheck.constant(value),
        FastCheck.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString("base64"))
      )
    }, { requiredKeys: [] }).map((entry) => JSON.stringify(entry))
  )

describe("tokenEntry (properties)", () => {
  it("any token round-trips, plain and sealed; sealed, it holds no piece of the token and opens only with its key under its store key", () =>
    FastCheck.assert(
      FastCheck.property(token, storeKey, storeKey, key, key, (token, storeKey, elsewhere, key, otherKey) => {
        const plain = TokenEntry.encode(token, storeKey, undefined)
        assert.deepStrictEqual(TokenEntry.decode(plain, storeKey, undefined, tokenTypes), {
          _tag: "Valid",
          value: token
        })
        const sealed = TokenEntry.encode(token, storeKey, key)
        assertNoPiece("the sealed entry", sealed, token.value)
        assert.deepStrictEqual(TokenEntry.decode(sealed, storeKey, key, tokenTypes), { _tag: "Valid", value: token })
        const refusals = [
          ...(elsewhere === storeKey ? [] : [TokenEntry.decode(sealed, elsewhere, key, tokenTypes)]),
          TokenEntry.decode(sealed, storeKey, otherKey, tokenTypes),
          TokenEntry.decode(sealed, storeKey, undefined, tokenTypes),
          TokenEntry.decode(plain, storeKey, key, tokenTypes)
        ]
        for (const refusal of refusals) {
          assert.strictEqual(refusal._tag, "Invalid")
          if (refusal._tag === "Invalid") assertNoPiece("the reason", refusal.problem, token.value)
        }
      }),
      { numRuns }
    ))

  it("any text read as an entry never throws; a token it gives is a valid one; a reason holds no piece of it", () =>
    FastCheck.assert(
      FastCheck.property(
        tokenValue.chain((value) => FastCheck.tuple(FastCheck.constant(value), anyEntry(value))),
        storeKey,
        FastCheck.option(key, { nil: undefined }),
        ([value, entry], storeKey, key) => {
          const read = TokenEntry.decode(entry, storeKey, key, tokenTypes)
          if (read._tag === "Valid") {
            assert.match(read.value.value, /^[\x21-\x7e]+$/)
            assert.include(tokenTypes, read.value.tokenType)
          } else {
            assertNoPiece("the reason", read.problem, value)
            assertNoPiece("the reason", read.problem, entry)
          }
        }
      ),
      { numRuns: numRuns / 2 }
    ))

  it("a text is a key exactly when it is 32 bytes in base64 or base64url; the refusal holds nothing of it", () =>
    FastCheck.assert(
      FastCheck.property(
        FastCheck.oneof(
          FastCheck.uint8Array({ minLength: 30, maxLength: 34 }).chain((bytes) =>
            FastCheck.constantFrom(Buffer.from(bytes).toString("base64"), Buffer.from(bytes).toString("base64url"))
              .map((text) => [text, bytes.length === 32] as const)
          ),
          FastCheck.string({ unit: "binary", maxLength: 60 }).map((text) => [text, undefined] as const)
        ),
        ([text, isKey]) => {
          const parsed = TokenEntry.parseKey(text)
          if (isKey !== undefined) assert.strictEqual(parsed !== undefined, isKey)
          if (parsed === undefined) assertNoPiece("the refusal", TokenEntry.invalidKeyMessage, text)
          else assert.strictEqual(parsed.symmetricKeySize, 32)
        }
      ),
      { numRuns }
    ))
})
