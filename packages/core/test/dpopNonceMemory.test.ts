/**
 * The DPoP nonces remembered per origin (RFC 9449 §8.2), bounded: 100 origins by default, the one used least recently
 * forgotten first; every path of an origin shares its nonce.
 */
import { assert, describe, it } from "vitest"
import { defaultCapacity, NonceMemory } from "../src/dpopNonceMemory.js"

const at = (origin: string) => new URL(`${origin}/some/path?q=1`)

describe("NonceMemory", () => {
  it("one nonce per origin: every path shares it, a new one replaces it, delete forgets it", () => {
    const memory = new NonceMemory()
    assert.isUndefined(memory.get(at("https://as.example.com")))
    memory.set(new URL("https://as.example.com/token"), "n-1")
    assert.strictEqual(memory.get(new URL("https://as.example.com/other?x=1#y")), "n-1")
    assert.strictEqual(memory.get(new URL("https://AS.example.com:443/")), "n-1")
    assert.isUndefined(memory.get(new URL("https://as.example.com:8443/token")))
    assert.isUndefined(memory.get(new URL("http://as.example.com/token")))
    memory.set(at("https://as.example.com"), "n-2")
    assert.strictEqual(memory.get(at("https://as.example.com")), "n-2")
    assert.strictEqual(memory.size, 1)
    memory.delete(at("https://as.example.com"))
    assert.isUndefined(memory.get(at("https://as.example.com")))
    assert.strictEqual(memory.size, 0)
  })

  it("100 origins by default", () => {
    assert.strictEqual(defaultCapacity, 100)
    const memory = new NonceMemory()
    assert.strictEqual(memory.capacity, 100)
    for (let i = 0; i < 150; i++) memory.set(at(`https://s${i}.example.com`), `n${i}`)
    assert.strictEqual(memory.size, 100)
    assert.isUndefined(memory.get(at("https://s49.example.com")))
    assert.strictEqual(memory.get(at("https://s50.example.com")), "n50")
    assert.strictEqual(memory.get(at("https://s149.example.com")), "n149")
  })

  it("past its capacity, the origin used least recently is forgotten: a read or a write counts as a use", () => {
    const memory = new NonceMemory(3)
    memory.set(at("https://a.example"), "a")
    memory.set(at("https://b.example"), "b")
    memory.set(at("https://c.example"), "c")
    assert.strictEqual(memory.get(at("https://a.example")), "a") // a used: b is now the least recently used
    memory.set(at("https://d.example"), "d")
    assert.isUndefined(memory.get(at("https://b.example")))
    assert.deepStrictEqual(["a", "c", "d"].map((name) => memory.get(at(`https://${name}.example`))), ["a", "c", "d"])
    memory.set(at("https://a.example"), "a2") // order now c, d, a: a write moves a last
    memory.set(at("https://e.example"), "e")
    assert.isUndefined(memory.get(at("https://c.example")))
    assert.deepStrictEqual(["d", "a", "e"].map((name) => memory.get(at(`https://${name}.example`))), ["d", "a2", "e"])
    assert.strictEqual(memory.size, 3)
  })

  it("a capacity that is no positive integer is refused", () => {
    for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new NonceMemory(capacity), RangeError, "capacity must be a positive integer")
    }
    assert.strictEqual(new NonceMemory(1).capacity, 1)
  })
})
