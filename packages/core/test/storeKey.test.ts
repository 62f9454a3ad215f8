/**
 * The store's key of a request: SHA-256 in hex, the same synchronously and with Web Crypto.
 */
import { assert, describe, it } from "vitest"
import * as StoreKey from "../src/storeKey.js"

// SHA-256 of "abc" (FIPS 180-2, appendix B.1)
const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

describe("storeKey", () => {
  it("is the SHA-256 of the canonical form in hex, synchronously on Node", () => {
    assert.strictEqual(StoreKey.of("abc"), abc)
  })

  it("is the same with Web Crypto, a byte under 16 padded to two digits", async () => {
    assert.strictEqual(await StoreKey.sha256Hex("abc"), abc)
    // its digest starts with the byte 0x01: the leading zero is kept
    assert.strictEqual(
      await StoreKey.sha256Hex("k2"),
      "015f7e6bc5aeaf483724089e9252cc13b50951a6b69412522765cff4d780306e"
    )
  })
})
