/**
 * The text helpers the wire modules share, alone: which characters count as control characters, never allowed in a
 * value that goes on the wire (`docs/behaviour.md#scopes-and-resources`), and cutting by UTF-8 bytes without ever
 * splitting a character (`docs/behaviour.md#secrets`).
 */
import { assert, describe, it } from "vitest"
import * as Text from "../src/text.js"

describe("text: control characters", () => {
  it("matches C0, DEL and C1, anywhere in a text", () => {
    for (const char of ["\u0000", "\t", "\n", "\r", "\u001b", "\u001f", "\u007f", "\u0080", "\u0085", "\u009f"]) {
      assert.isTrue(Text.controlCharacter.test(char), JSON.stringify(char))
      assert.isTrue(Text.controlCharacter.test(`a${char}b`), JSON.stringify(char))
    }
  })

  it("leaves the space, visible ASCII and the characters after C1 alone", () => {
    for (const char of [" ", "!", "~", "\u00a0", "é", "€", "😀"]) {
      assert.isFalse(Text.controlCharacter.test(char), JSON.stringify(char))
    }
  })

  it("answers the same when asked again (it keeps no position between calls)", () => {
    assert.isTrue(Text.controlCharacter.test("a\nb"))
    assert.isTrue(Text.controlCharacter.test("a\nb"))
  })
})

describe("text: escaping control characters", () => {
  it("writes each control character as a \\uXXXX escape and leaves every other character as it is", () => {
    assert.strictEqual(
      Text.escapeControlCharacters("a\r\nb\u0000\u001b[0m\u007f\u0085\u009f é€😀 ~"),
      "a\\u000d\\u000ab\\u0000\\u001b[0m\\u007f\\u0085\\u009f é€😀 ~"
    )
  })

  it("and the line and paragraph separators, and bidirectional overrides and isolates", () => {
    assert.strictEqual(
      Text.escapeControlCharacters("a\u2028b\u2029c\u202ad\u202ee\u2066f\u2069g\u200f\u2027"),
      "a\\u2028b\\u2029c\\u202ad\\u202ee\\u2066f\\u2069g\u200f\u2027"
    )
  })
})

describe("text: cutting UTF-8", () => {
  // 1, 2, 3 and 4 bytes: 10 in all
  const mixed = "aé€😀"

  it("keeps the whole characters that fit, never part of one", () => {
    const cuts: Array<[number, string]> = [
      [0, ""],
      [1, "a"],
      [2, "a"],
      [3, "aé"],
      [5, "aé"],
      [6, "aé€"],
      [9, "aé€"],
      [10, mixed],
      [11, mixed]
    ]
    for (const [maxBytes, expected] of cuts) assert.strictEqual(Text.cutUtf8(mixed, maxBytes), expected, `${maxBytes}`)
  })

  it("counts each code point as UTF-8 does, at each length's edges", () => {
    // the last code point of each length and the first of the next
    const edges: Array<[string, number]> = [
      ["\u007f", 1],
      ["\u0080", 2],
      ["\u07ff", 2],
      ["\u0800", 3],
      ["\uffff", 3],
      ["\u{10000}", 4],
      ["\u{10ffff}", 4]
    ]
    for (const [char, bytes] of edges) {
      assert.strictEqual(Text.cutUtf8(char, bytes), char, JSON.stringify(char))
      assert.strictEqual(Text.cutUtf8(char, bytes - 1), "", JSON.stringify(char))
    }
  })

  it("never splits a surrogate pair", () => {
    assert.strictEqual(Text.cutUtf8("x😀", 2), "x")
    assert.strictEqual(Text.cutUtf8("x😀", 4), "x")
    assert.strictEqual(Text.cutUtf8("x😀", 5), "x😀")
  })

  it("counts a lone surrogate as the 3 bytes of the U+FFFD an encoder writes for it", () => {
    assert.strictEqual(Text.cutUtf8("a\ud800", 3), "a")
    assert.strictEqual(Text.cutUtf8("a\ud800", 4), "a\ud800")
  })

  it("gives a result that fits, and is the longest that does, for every limit", () => {
    const text = "ab é€😀 z\u0080\u0800"
    const encoder = new TextEncoder()
    const total = encoder.encode(text).byteLength
    for (let maxBytes = 0; maxBytes <= total + 1; maxBytes++) {
      const cut = Text.cutUtf8(text, maxBytes)
      assert.isTrue(text.startsWith(cut))
      assert.isAtMost(encoder.encode(cut).byteLength, maxBytes)
      const next = text.slice(cut.length).codePointAt(0)
      if (next !== undefined) {
        assert.isAbove(encoder.encode(cut + String.fromCodePoint(next)).byteLength, maxBytes)
      }
    }
  })

  it("leaves an empty text empty", () => {
    assert.strictEqual(Text.cutUtf8("", 0), "")
    assert.strictEqual(Text.cutUtf8("", 5), "")
  })
})
