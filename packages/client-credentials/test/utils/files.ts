/**
 * Files for the tests that read credential files: a temporary directory, regular files, sparse files and FIFOs.
 */
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

/** A directory of its own (its name holds `SECRETDIR`), removed with everything in it when the scope closes. */
export const tempDirectory = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth2-SECRETDIR-"))),
  (directory) => Effect.sync(() => Fs.rmSync(directory, { recursive: true, force: true }))
)

/** Writes `text` to `name` in `directory` (owner-only, as a key file is), returning its path. */
export const writeFile = (directory: string, name: string, text: string) =>
  Effect.sync(() => {
    const path = Path.join(directory, name)
    Fs.writeFileSync(path, text, { mode: 0o600 })
    return path
  })

/** A file of `bytes` bytes that takes no room on disk (it reads as zeros), returning its path. */
export const sparseFile = (directory: string, name: string, bytes: number) =>
  Effect.sync(() => {
    const path = Path.join(directory, name)
    Fs.writeFileSync(path, "")
    Fs.truncateSync(path, bytes)
    return path
  })

/**
 * A FIFO (made with `mkfifo`), returning its path. When the scope closes, any `open` still blocked on it is let go:
 * it is opened for reading and writing (which never blocks, and wakes every blocked reader), removed, then closed (so
 * every reader then reads its end).
 */
export const fifo = (directory: string, name: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const path = Path.join(directory, name)
      ChildProcess.execFileSync("mkfifo", ["-m", "600", path])
      return path
    }),
    (path) =>
      Effect.sync(() => {
        const fd = Fs.openSync(path, Fs.constants.O_RDWR | Fs.constants.O_NONBLOCK)
        Fs.rmSync(path, { force: true })
        Fs.closeSync(fd)
      })
  )
