/**
 * The redactor, alone (`docs/behaviour.md#secrets`): every form of a secret replaced first, then the text cut, by UTF-8
 * bytes, never ending in the first characters of one.
 */
import { assert, describe, it } from "vitest"
import * as Redactor from "../src/redactor.js"

const secret = "s3cr:et%2F+ é-V/x'<>\"&!*"
const formEncoded = new URLSearchParams([["", secret]]).toString().slice(1)

describe("redaction: forms", () => {
  it("lists the value as each usual encoder writes it", () => {
    const forms = Redactor.forms(secret)
    const expected = [
      secret,
      // a form read back with decodeURIComponent: a space is +
      secret.replaceAll(" ", "+"),
      // URLSearchParams, upper- and lower-case hex
      formEncoded,
      formEncoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
      // encodeURIComponent and strict RFC 3986
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`),
      // JSON as JavaScript writes it, with `\/`, with `\uXXXX`, both, Go's `\u003c`
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(secret).slice(1, -1).replaceAll("/", "\\/"),
      JSON.stringify(secret).slice(1, -1).replace("é", "\\u00e9"),
      JSON.stringify(secret).slice(1, -1).replace("é", "\\u00E9"),
      JSON.stringify(secret).slice(1, -1).replaceAll("/", "\\/").replace("é", "\\u00e9"),
      JSON.stringify(secret).slice(1, -1).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"),
      // HTML: the usual escapers, OWASP, Go, numeric
      "s3cr:et%2F+ é-V/x&#39;&lt;&gt;&quot;&amp;!*",
      "s3cr:et%2F+ é-V&#x2F;x&#x27;&lt;&gt;&quot;&amp;!*",
      "s3cr:et%2F+ é-V/x&#39;&lt;&gt;&#34;&amp;!*",
      "s3cr&#58;et&#37;2F&#43;&#32;&#233;&#45;V&#47;x&#39;&#60;&#62;&#34;&#38;&#33;&#42;",
      "s3cr&#x3a;et&#x25;2F&#x2b;&#x20;&#xe9;&#x2d;V&#x2f;x&#x27;&#x3c;&#x3e;&#x22;&#x26;&#x21;&#x2a;",
      "s3cr&#x3A;et&#x25;2F&#x2B;&#x20;&#xE9;&#x2D;V&#x2F;x&#x27;&#x3C;&#x3E;&#x22;&#x26;&#x21;&#x2A;"
    ]
    for (const form of expected) assert.include(forms, form)
    assert.strictEqual(new Set(forms).size, forms.length, "no duplicates")
  })

  it("a value no encoder changes has one form; an empty one none", () => {
    assert.deepStrictEqual(Redactor.forms("abcXYZ019"), ["abcXYZ019"])
    assert.deepStrictEqual(Redactor.forms(""), [])
  })
})

describe("redaction: redact, then cut", () => {
  const redactor = Redactor.make([secret])

  it("replaces every form", () => {
    const echoed = Redactor.forms(secret).map((form) => `[${form}]`).join(" ")
    const redacted = redactor.redact(echoed)
    assert.strictEqual(redacted, Redactor.forms(secret).map(() => "[<redacted>]").join(" "))
  })

  it("replaces the longest form first: a form that starts another leaves nothing of it", () => {
    // `key&` is the start of its HTML form `key&amp;`
    assert.strictEqual(Redactor.make(["key&"]).redact("[key&amp;] [key&]"), "[<redacted>] [<redacted>]")
  })

  it("a value that straddles the cut shows nothing of itself", () => {
    // the case: the secret at offset 1,000 of a description cut at 1 KiB
    const text = `${"d".repeat(1000)}${secret}${"e".repeat(100)}`
    const cut = redactor.cut(text, 1024)
    assert.strictEqual(cut, `${"d".repeat(1000)}<redacted>${"e".repeat(14)}`)
  })

  it("a cut never ends in the first characters of a form", () => {
    // the text holds only the start of the form: the cut falls inside it
    for (let length = 1; length < formEncoded.length; length++) {
      const text = `${"d".repeat(20)}${formEncoded.slice(0, length)}`
      assert.strictEqual(redactor.cut(text, 20 + length - 1), "d".repeat(20), `a cut in ${length} characters`)
    }
  })

  it("nor does a text whose input was truncated; a whole text is left as it is", () => {
    const text = `${"d".repeat(20)}${secret.slice(0, 5)}`
    assert.strictEqual(redactor.cut(text, 1024, { truncated: true }), "d".repeat(20))
    assert.strictEqual(redactor.cut(text, 1024), text)
  })

  it("drops ends that are starts of forms until none is left", () => {
    const two = Redactor.make(["QRST", "xyz"])
    assert.strictEqual(two.cut("abc-xyQRS-", 9), "abc-")
    assert.strictEqual(Redactor.withoutTrailingPrefix("abc-xyQRS", ["QRST", "xyz"]), "abc-")
    assert.strictEqual(Redactor.withoutTrailingPrefix("xabab", ["abac"]), "x")
    assert.strictEqual(Redactor.withoutTrailingPrefix("xaba", ["abac"]), "x")
  })

  it("cuts by UTF-8 bytes, never inside a character", () => {
    const none = Redactor.make([])
    assert.strictEqual(none.cut("€€€", 8), "€€")
    assert.strictEqual(none.cut("a𝄞b", 4), "a")
    assert.strictEqual(none.cut("a𝄞b", 5), "a𝄞")
  })

  it("replaces in one pass: a short value does not turn a marker into more redactions", () => {
    // `e` occurs in `<redacted>`, which replaces `xyz`
    assert.strictEqual(Redactor.make(["xyz", "e"]).redact("xyz e"), "<redacted> <redacted>")
  })

  it("including adds values to a redactor", () => {
    const both = redactor.including(["tok-ABC"])
    assert.strictEqual(both.redact(`${secret} tok-ABC`), "<redacted> <redacted>")
    assert.strictEqual(redactor.redact("tok-ABC"), "tok-ABC")
  })

  it("longestFormBytes is the UTF-8 length of the longest form", () => {
    const longest = Math.max(...Redactor.forms(secret).map((form) => new TextEncoder().encode(form).byteLength))
    assert.strictEqual(redactor.longestFormBytes, longest)
  })
})
