/**
 * Credential files (`docs/configuration.md#environment-variables`): only a regular file of at most 64 KiB is read, now
 * or asynchronously; what is wrong with a file says what it is, never its path or what it holds; a file has at most
 * one read in flight, which callers share until its deadline, and past it the next caller fails at once. Real files
 * in a directory of the test's own, and file systems that fail or hang where a real one cannot be made to.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, describe, it } from "vitest"
import { nodeModule } from "../src/builtins.js"
import type { Checked } from "../src/checked.js"
import * as CredentialFile from "../src/credentialFile.js"

const directory = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth2-SECRETDIR-"))
afterAll(() => Fs.rmSync(directory, { recursive: true, force: true }))

const file = (name: string, text: string): string => {
  const path = Path.join(directory, name)
  Fs.writeFileSync(path, text, { mode: 0o600 })
  return path
}

const sparse = (name: string, bytes: number): string => {
  const path = file(name, "")
  Fs.truncateSync(path, bytes)
  return path
}

const fs = Fs as unknown as CredentialFile.NodeFs

const problemOf = (checked: Checked<string>): string => {
  assert.strictEqual(checked._tag, "Invalid")
  return checked._tag === "Invalid" ? checked.problem : ""
}

/** Both reads of `path` with `fs`: the same answer, now and asynchronously. */
const both = async (path: string, with_: CredentialFile.NodeFs = fs): Promise<Checked<string>> => {
  const now = CredentialFile.readSync(with_, path)
  const later = await CredentialFile.read(with_, path)
  assert.deepStrictEqual(later, now)
  return now
}

describe("credentialFile: what is read", () => {
  it("a regular file, whole, up to 64 KiB", async () => {
    assert.deepStrictEqual(await both(file("key.pem", "-----BEGIN PRIVATE KEY-----\n")), {
      _tag: "Valid",
      value: "-----BEGIN PRIVATE KEY-----\n"
    })
    assert.deepStrictEqual(await both(sparse("full", CredentialFile.maxBytes)), {
      _tag: "Valid",
      value: "\0".repeat(CredentialFile.maxBytes)
    })
  })

  it("a larger file is refused unread, saying its size", async () => {
    assert.strictEqual(
      problemOf(await both(sparse("large", CredentialFile.maxBytes + 1))),
      "a file of 65537 bytes; at most 65536 are read (a key or an assertion is a few KiB)"
    )
  })

  it("a missing file, a directory, a FIFO (never waited on): what it is, never its path", async () => {
    assert.strictEqual(problemOf(await both(Path.join(directory, "missing"))), "a file that does not exist (ENOENT)")
    assert.strictEqual(problemOf(await both(directory)), "a directory, not a regular file")
    const fifo = Path.join(directory, "fifo")
    execFileSync("mkfifo", ["-m", "600", fifo])
    assert.strictEqual(problemOf(await both(fifo)), "a FIFO, not a regular file")
    assert.strictEqual(problemOf(await both("/dev/null")), "a character device, not a regular file")
  })

  it("a file that cannot be opened for another reason: its code", async () => {
    const denied: CredentialFile.NodeFs = {
      ...fs,
      openSync: () => {
        throw Object.assign(new Error("EACCES: permission denied, open '/secret/path'"), { code: "EACCES" })
      },
      promises: {
        open: () =>
          Promise.reject(Object.assign(new Error("EACCES: permission denied, open '/secret/path'"), { code: "EACCES" }))
      }
    }
    assert.strictEqual(problemOf(await both("/secret/path", denied)), "a file that cannot be opened (EACCES)")
  })
})

/** A file system over one regular file that says it holds `size` bytes and gives `chunks` when read. */
const scripted = (options: {
  readonly size: number
  readonly chunks: ReadonlyArray<number>
  readonly failRead?: boolean
}) => {
  const stats: CredentialFile.NodeStats = {
    size: options.size,
    isFile: () => true,
    isDirectory: () => false,
    isFIFO: () => false,
    isCharacterDevice: () => false,
    isBlockDevice: () => false,
    isSocket: () => false
  }
  const state = { closes: 0 }
  const reader = () => {
    const chunks = [...options.chunks]
    return (buffer: Uint8Array, offset: number, length: number): number => {
      if (options.failRead === true) throw Object.assign(new Error("EIO: i/o error"), { code: "EIO" })
      const size = Math.min(chunks.shift() ?? 0, length)
      buffer.fill(0x61, offset, offset + size)
      return size
    }
  }
  const fs: CredentialFile.NodeFs = {
    constants: { O_RDONLY: 0 },
    openSync: () => 3,
    fstatSync: () => stats,
    readSync: (() => {
      let read = reader()
      return (_fd: number, buffer: Uint8Array, offset: number, length: number) => {
        const size = read(buffer, offset, length)
        if (size === 0) read = reader()
        return size
      }
    })(),
    closeSync: () => {
      state.closes++
      throw new Error("close failed")
    },
    promises: {
      open: () => {
        const read = reader()
        return Promise.resolve({
          stat: () => Promise.resolve(stats),
          read: (buffer, offset, length) => Promise.resolve().then(() => ({ bytesRead: read(buffer, offset, length) })),
          close: () => {
            state.closes++
            return Promise.reject(new Error("close failed"))
          }
        })
      }
    }
  }
  return { fs, state }
}

describe("credentialFile: a file that changes or fails while it is read", () => {
  it("one that grows past 64 KiB while it is read is refused, though it was small when opened", async () => {
    const { fs } = scripted({ size: 10, chunks: [40_000, 40_000] })
    assert.strictEqual(problemOf(await both("/f", fs)), "a file that grew past 65536 bytes while it was read")
  })

  it("read in chunks, as long as the file gives them", async () => {
    const { fs, state } = scripted({ size: 5, chunks: [2, 2, 1] })
    assert.deepStrictEqual(await both("/f", fs), { _tag: "Valid", value: "aaaaa" })
    // closed after each read, and a failed close loses nothing
    assert.strictEqual(state.closes, 2)
  })

  it("a read that fails: its code, and the file is closed", async () => {
    const { fs, state } = scripted({ size: 5, chunks: [5], failRead: true })
    assert.strictEqual(problemOf(await both("/f", fs)), "a file that cannot be read (EIO)")
    assert.strictEqual(state.closes, 2)
  })
})

/** A file system whose every `open` waits until `answer` is called, holding `text` in a regular file. */
const slowFs = (text: string) => {
  const { fs } = scripted({ size: text.length, chunks: [text.length] })
  const pending: Array<() => void> = []
  const opens: Array<string> = []
  const slow: CredentialFile.NodeFs = {
    ...fs,
    promises: {
      open: (path, flags) => {
        opens.push(path)
        return new Promise((resolve) => pending.push(() => resolve(fs.promises.open(path, flags))))
      }
    }
  }
  const answer = async () => {
    for (const resume of pending.splice(0)) resume()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { fs: slow, opens, answer }
}

const readingOf = (begun: CredentialFile.Begun) => {
  assert.strictEqual(begun._tag, "Reading")
  return begun as Extract<CredentialFile.Begun, { readonly _tag: "Reading" }>
}

describe("credentialFile: reads in flight", () => {
  it("callers share the read in flight, each waiting until its deadline; a read past it refuses the next", async () => {
    const { answer, fs, opens } = slowFs("a.b.c")
    const reads = new CredentialFile.Reads(() => fs)
    const first = readingOf(reads.begin("/token", 1_000))
    assert.strictEqual(first.waitMillis, 5_000)
    const second = readingOf(reads.begin("/token", 4_000))
    assert.strictEqual(second.waitMillis, 2_000, "the read's deadline, not 5 seconds after the second caller came")
    assert.strictEqual(second.result, first.result)
    assert.deepStrictEqual(opens, ["/token"])
    assert.deepStrictEqual(reads.begin("/token", 5_999)._tag, "Reading")
    assert.deepStrictEqual(reads.begin("/token", 6_000), {
      _tag: "Refused",
      problem:
        "a file whose last read has not ended after 5 seconds (a hung mount?); no other read starts until it ends"
    })
    assert.deepStrictEqual(opens, ["/token"], "no other open")
    // another file is not held up by this one
    readingOf(reads.begin("/other", 6_000))
    assert.deepStrictEqual(opens, ["/token", "/other"])
    // the mount comes back: the next read opens the file again
    await answer()
    assert.deepStrictEqual(await first.result, { _tag: "Valid", value: "aaaaa" })
    const again = readingOf(reads.begin("/token", 7_000))
    assert.notStrictEqual(again.result, first.result)
    assert.strictEqual(again.waitMillis, 5_000)
    assert.strictEqual(opens.length, 3)
  })

  it("noAnswer says what a caller that stopped waiting fails with", () => {
    assert.strictEqual(CredentialFile.noAnswer, "a file that gave no answer in 5 seconds (a hung mount?)")
  })

  it("a runtime without node:fs: refused, now and later", () => {
    const reads = new CredentialFile.Reads(() => undefined)
    const noFs = "a file, but this runtime has no node:fs to read it with"
    assert.deepStrictEqual(reads.begin("/token", 0), { _tag: "Refused", problem: noFs })
    assert.deepStrictEqual(reads.readSync("/token"), { _tag: "Invalid", problem: noFs })
  })

  it("reads now with the runtime's own fs", () => {
    const reads = new CredentialFile.Reads(() => nodeModule<CredentialFile.NodeFs>("node:fs"))
    assert.deepStrictEqual(reads.readSync(file("now", "x.y.z")), { _tag: "Valid", value: "x.y.z" })
  })
})

describe("builtins", () => {
  it("a built-in module by name; undefined for one the runtime does not have", () => {
    assert.strictEqual(nodeModule<typeof Fs>("node:fs")?.readFileSync, Fs.readFileSync)
    assert.isUndefined(nodeModule("node:no-such-module"))
  })
})
