/**
 * The one bounded reader of bodies, alone (`docs/behaviour.md#bounds`): a body read up to a limit, whatever its length
 * says.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { readAtMost } from "../src/internal/readAtMost.js"

describe("readAtMost", () => {
  const encoder = new TextEncoder()

  /** A stream of `count` chunks of `size` bytes that counts the chunks pulled from it. */
  const counted = (count: number, size: number) => {
    const state = { pulled: 0 }
    const stream = Stream.repeatEffect(Effect.sync(() => {
      state.pulled++
      return new Uint8Array(size).fill(0x61)
    })).pipe(Stream.take(count), Stream.rechunk(1))
    return { state, stream }
  }

  it.effect("stops pulling once past the limit and says the body went on", () =>
    Effect.gen(function*() {
      const { state, stream } = counted(1000, 100)
      const start = yield* readAtMost(stream, 250)
      assert.deepStrictEqual(start, { text: "a".repeat(250), truncated: true })
      assert.isAtMost(state.pulled, 4)
    }))

  it.effect("reads a body within the limit whole", () =>
    Effect.gen(function*() {
      const { stream } = counted(3, 100)
      assert.deepStrictEqual(yield* readAtMost(stream, 300), { text: "a".repeat(300), truncated: false })
    }))

  it.effect("leaves out a character the limit cuts in two", () =>
    Effect.gen(function*() {
      const start = yield* readAtMost(Stream.make(encoder.encode("ab€cd")), 4)
      assert.deepStrictEqual(start, { text: "ab", truncated: true })
      const whole = yield* readAtMost(Stream.make(encoder.encode("ab"), new Uint8Array([0xe2, 0x82])), 10)
      assert.deepStrictEqual(whole, { text: "ab\uFFFD", truncated: false })
    }))

  it.effect("counts per run: the same effect reads a second body from zero", () =>
    Effect.gen(function*() {
      let runs = 0
      const bodies = Stream.suspend(() =>
        runs++ === 0 ? Stream.make(encoder.encode("abc"), encoder.encode("def")) : Stream.make(encoder.encode("xy"))
      )
      const read = readAtMost(bodies, 5)
      assert.deepStrictEqual(yield* read, { text: "abcde", truncated: true })
      assert.deepStrictEqual(yield* read, { text: "xy", truncated: false })
    }))
})
