/**
 * A read of a credential file that does not end (`docs/configuration.md#environment-variables`; a hung FUSE, NFS or CSI
 * mount, where no real file can be made to hang here: a file system whose `open` answers when the test says) is bounded
 * by its own 5 seconds, and holds at most one job of libuv's thread pool per file: callers in the meantime share the
 * read, and while it is stuck past its deadline the next caller fails at once, starting no other. Time from
 * `TestClock`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as CredentialFile from "../src/internal/credentialFile.js"
import * as Service from "./utils/service.js"

const regularFile = (size: number): CredentialFile.NodeStats => ({
  size,
  isFile: () => true,
  isDirectory: () => false,
  isFIFO: () => false,
  isCharacterDevice: () => false,
  isBlockDevice: () => false,
  isSocket: () => false
})

/** A file system whose every `open` waits until `answer` is called, holding `text` in a regular file. */
const slowFs = (text: string) => {
  const bytes = new TextEncoder().encode(text)
  const pending: Array<() => void> = []
  const state = { opens: [] as Array<string>, closes: 0 }
  const handle = (): CredentialFile.NodeFileHandle => {
    let position = 0
    return {
      stat: () => Promise.resolve(regularFile(bytes.byteLength)),
      read: (buffer, offset, length) => {
        const chunk = bytes.subarray(position, position + length)
        buffer.set(chunk, offset)
        position += chunk.byteLength
        return Promise.resolve({ bytesRead: chunk.byteLength })
      },
      close: () => {
        state.closes++
        return Promise.resolve()
      }
    }
  }
  const fs: CredentialFile.NodeFs = {
    constants: { O_RDONLY: 0, O_NONBLOCK: 0o4000 },
    openSync: () => {
      throw new Error("not used")
    },
    fstatSync: () => regularFile(0),
    readSync: () => 0,
    closeSync: () => {},
    promises: {
      open: (path) => {
        state.opens.push(path)
        return new Promise((resolve) => pending.push(() => resolve(handle())))
      }
    }
  }
  /** Lets every `open` waiting so far answer, and what follows it run. */
  const answer = Effect.promise(async () => {
    for (const resume of pending.splice(0)) resume()
    // the read goes on in promise jobs: let them all run
    await new Promise((resolve) => setImmediate(resolve))
  })
  return { files: CredentialFile.make(() => fs), state, answer }
}

const failureOf = (exit: Exit.Exit<string, string> | undefined): string => {
  assert.isDefined(exit, "the read has ended")
  assert.isTrue(Exit.isFailure(exit!), "the read failed")
  return Exit.isFailure(exit!) ? String(exit.cause._tag === "Fail" ? exit.cause.error : exit.cause) : ""
}

describe("credentialFile: a read that does not end", () => {
  it.effect("fails after 5 seconds; the next read then fails at once and starts no other", () =>
    Effect.gen(function*() {
      const { answer, files, state } = slowFs("a.b.c")
      const first = yield* Effect.fork(files.read("/var/run/token"))
      yield* TestClock.adjust("4999 millis")
      assert.isUndefined(yield* Service.pollNow(first), "still waiting at 4.999 s")
      yield* TestClock.adjust("1 millis")
      assert.include(failureOf(yield* Service.pollNow(first)), "a file that gave no answer in 5 seconds")
      const next = yield* Effect.fork(files.read("/var/run/token"))
      assert.include(
        failureOf(yield* Service.pollNow(next)),
        "a file whose last read has not ended after 5 seconds (a hung mount?); no other read starts until it ends"
      )
      assert.deepStrictEqual(state.opens, ["/var/run/token"], "one open, not two")
      // another file is not held up by this one
      const other = yield* Effect.fork(files.read("/var/run/other"))
      yield* Service.settle
      assert.deepStrictEqual(state.opens, ["/var/run/token", "/var/run/other"])
      // the mount comes back: the late open is closed, and the next read opens the file again
      yield* answer
      assert.strictEqual(state.closes, 2)
      assert.strictEqual(yield* Fiber.join(other), "a.b.c")
      const again = yield* Effect.fork(files.read("/var/run/token"))
      yield* Service.settle
      yield* answer
      assert.strictEqual(yield* Fiber.join(again), "a.b.c")
      assert.strictEqual(state.opens.length, 3)
    }))

  it.effect("reads of one file in flight at once share one open, and each waits until its deadline", () =>
    Effect.gen(function*() {
      const { answer, files, state } = slowFs("h.p.s")
      const first = yield* Effect.fork(files.read("/token"))
      yield* TestClock.adjust("3 seconds")
      const second = yield* Effect.fork(files.read("/token"))
      yield* Service.settle
      assert.strictEqual(state.opens.length, 1)
      yield* answer
      assert.strictEqual(yield* Fiber.join(first), "h.p.s")
      assert.strictEqual(yield* Fiber.join(second), "h.p.s")
      // the second caller joined a read with 2 seconds left: it gives up with it, not 5 seconds after it came
      const third = yield* Effect.fork(files.read("/token"))
      yield* TestClock.adjust("3 seconds")
      const fourth = yield* Effect.fork(files.read("/token"))
      yield* TestClock.adjust("2 seconds")
      assert.include(failureOf(yield* Service.pollNow(third)), "no answer in 5 seconds")
      assert.include(failureOf(yield* Service.pollNow(fourth)), "no answer in 5 seconds")
      assert.strictEqual(state.opens.length, 2)
    }))
})
