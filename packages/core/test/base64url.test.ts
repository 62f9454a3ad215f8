/**
 * base64url without padding (RFC 4648 §5) and the SHA-256 of a text in it: the encoding of a JWK thumbprint and of a
 * DPoP proof's `ath`.
 */
import * as Crypto from "node:crypto"
import { assert, describe, it } from "vitest"
import * as base64url from "../src/base64url.js"

describe("base64url", () => {
  it("uses - and _ for + and /, and no padding", () => {
    assert.strictEqual(base64url.encode(new Uint8Array([0xfb, 0xff])), "-_8")
    assert.strictEqual(base64url.encode(new Uint8Array([0xfb, 0xff, 0xbf])), "-_-_")
    assert.strictEqual(base64url.encode(new Uint8Array([])), "")
    assert.strictEqual(base64url.encode(Uint8Array.of(0xfb, 0xff, 0xfe)), "-__-")
    assert.strictEqual(base64url.encode(Uint8Array.of(0xff)), "_w")
  })

  it("the SHA-256 of a text: Node's digest, in base64url", async () => {
    for (const text of ["", "abc", "Ünïcode ✓"]) {
      const expected = Crypto.createHash("sha256").update(text, "utf8").digest("base64url")
      assert.strictEqual(await base64url.sha256(text), expected, text)
    }
  })
})
