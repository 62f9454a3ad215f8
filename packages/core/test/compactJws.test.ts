/**
 * The shape of a compact JWS (RFC 7515 §7.1), alone: what a client assertion must look like before it is sent, and
 * what each wrong shape is called, in words that quote nothing of it (`docs/behaviour.md#token-endpoint-answers`, a
 * `clientAssertion` that is not a compact JWS).
 */
import { assert, describe, it } from "vitest"
import * as CompactJws from "../src/compactJws.js"

describe("compact JWS: the shape", () => {
  it("accepts three non-empty base64url parts, without padding", () => {
    assert.isUndefined(CompactJws.problem("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"))
    assert.isUndefined(CompactJws.problem("A-Z_az09.b.c"))
  })

  it("refuses an empty text", () => {
    assert.strictEqual(CompactJws.problem(""), "it is empty")
  })

  it("refuses whitespace anywhere, a line break included", () => {
    for (const text of ["a.b.c ", " a.b.c", "a.b c.d", "a.b.c\n", "a\t.b.c", "a.b.\u00a0c"]) {
      assert.strictEqual(CompactJws.problem(text), "it holds whitespace", JSON.stringify(text))
    }
  })

  it("counts the parts it has", () => {
    assert.strictEqual(CompactJws.problem("abc"), "it has 1 parts separated by dots, not 3")
    assert.strictEqual(CompactJws.problem("a.b"), "it has 2 parts separated by dots, not 3")
    assert.strictEqual(CompactJws.problem("a.b.c.d"), "it has 4 parts separated by dots, not 3")
    assert.strictEqual(CompactJws.problem("a.b.c.d.e"), "it has 5 parts separated by dots, not 3")
    assert.strictEqual(CompactJws.problem("."), "it has 2 parts separated by dots, not 3")
  })

  it("names the part that is empty", () => {
    assert.strictEqual(CompactJws.problem(".b.c"), "its header is empty")
    assert.strictEqual(CompactJws.problem("a..c"), "its payload is empty")
    assert.strictEqual(CompactJws.problem("a.b."), "its signature is empty")
    assert.strictEqual(CompactJws.problem(".."), "its header is empty")
  })

  it("names the part that holds a character outside base64url: padding, base64's + and /, non-ASCII", () => {
    const outside = " holds a character outside base64url (A-Z, a-z, 0-9, -, _)"
    assert.strictEqual(CompactJws.problem("a+b.b.c"), `its header${outside}`)
    assert.strictEqual(CompactJws.problem("a.b=.c"), `its payload${outside}`)
    assert.strictEqual(CompactJws.problem("a.b.c/d"), `its signature${outside}`)
    assert.strictEqual(CompactJws.problem("a.b.é"), `its signature${outside}`)
  })

  it("never quotes the text", () => {
    const part = "QzQzSecretQz"
    for (const text of [`${part}.${part}`, `${part}..${part}`, `${part}.${part}.${part}=`, `${part}+.x.y`]) {
      const problem = CompactJws.problem(text)
      assert.isString(problem)
      assert.notInclude(problem!, part)
    }
  })

  it("says what a compact JWS is", () => {
    assert.strictEqual(CompactJws.described, "compact JWS (three base64url parts separated by dots)")
  })
})
