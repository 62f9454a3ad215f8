/**
 * A body read up to a limit (`docs/behaviour.md#bounds`), whatever its length says: at most the limit kept, a
 * character the limit cuts in two left out, and the reader told to stop once past it.
 */
import { assert, describe, it } from "vitest"
import { BodyReader } from "../src/bodyStart.js"

const encoder = new TextEncoder()

/** Pushes `chunks` until the reader says stop; how many it took, and what it read. */
const readAll = (limit: number, chunks: ReadonlyArray<Uint8Array>) => {
  const reader = new BodyReader(limit)
  let pushed = 0
  for (const chunk of chunks) {
    pushed++
    if (!reader.push(chunk)) break
  }
  return { pushed, read: reader.result() }
}

describe("bodyStart", () => {
  it("a body within the limit is read whole, and the reader asks for more until it ends", () => {
    const chunks = [encoder.encode("abc"), encoder.encode("def")]
    assert.deepStrictEqual(readAll(6, chunks), { pushed: 2, read: { text: "abcdef", truncated: false } })
    assert.deepStrictEqual(readAll(10, []), { pushed: 0, read: { text: "", truncated: false } })
  })

  it("past the limit: the first chunk that goes past it is the last one taken, and only the limit is kept", () => {
    const chunks = Array.from({ length: 10 }, () => new Uint8Array(100).fill(0x61))
    assert.deepStrictEqual(readAll(250, chunks), { pushed: 3, read: { text: "a".repeat(250), truncated: true } })
    // exactly at the limit is not past it
    assert.deepStrictEqual(readAll(300, chunks.slice(0, 3)), {
      pushed: 3,
      read: { text: "a".repeat(300), truncated: false }
    })
  })

  it("a chunk past a full limit keeps nothing of it", () => {
    const { read } = readAll(2, [encoder.encode("ab"), encoder.encode("cd")])
    assert.deepStrictEqual(read, { text: "ab", truncated: true })
  })

  it("leaves out a character the limit cuts in two; a broken character at the end of a whole body is U+FFFD", () => {
    assert.deepStrictEqual(readAll(4, [encoder.encode("ab€cd")]).read, { text: "ab", truncated: true })
    assert.deepStrictEqual(readAll(10, [encoder.encode("ab"), new Uint8Array([0xe2, 0x82])]).read, {
      text: "ab\uFFFD",
      truncated: false
    })
  })
})
