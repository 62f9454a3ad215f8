/**
 * Credential files: a private key (`<prefix>PRIVATE_KEY_FILE`, read once, when the config is read) and a client
 * assertion (`<prefix>CLIENT_ASSERTION_FILE`, read again for every token request). Only a regular file of at most
 * `maxBytes` is read: it is opened with `O_NONBLOCK` (so a FIFO cannot block the open), checked on the opened
 * descriptor (so nothing can swap the file between the check and the read), and read to at most `maxBytes + 1` bytes
 * (so a file that grows meanwhile is refused, not read whole).
 *
 * An asynchronous read runs in libuv's thread pool, which a hung mount (FUSE, NFS, a CSI driver) can hold for good,
 * and with it every `fs` call and `dns.lookup` of the process. So each read is bounded by its own time
 * (`readTimeoutMillis`, which each line waits on its own clock), and each file has at most one read outstanding
 * (`Reads`). State, per file, in one map: absent (idle) or a `Reading` (its promise and its deadline). A caller that
 * finds a read in flight waits for that read, until its deadline; one that finds a read past its deadline fails at
 * once and starts none. A read removes its own entry when it ends, if the entry is still its own.
 *
 * Failures are phrases that follow "<variable> names": they say what the file is, never what it holds, nor its path.
 */
import { type Checked, invalid, valid } from "./checked.js"
import { describeFailureName } from "./describeCause.js"

/**
 * The largest credential file read: a key or an assertion is a few KiB.
 *
 * @since 0.1.0
 * @category models
 */
export const maxBytes = 64 * 1024

/**
 * How long one asynchronous read of a file may take, in millis.
 *
 * @since 0.1.0
 * @category models
 */
export const readTimeoutMillis = 5_000

/**
 * What a file is, as `fstat` tells it.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeStats {
  readonly size: number
  readonly isFile: () => boolean
  readonly isDirectory: () => boolean
  readonly isFIFO: () => boolean
  readonly isCharacterDevice: () => boolean
  readonly isBlockDevice: () => boolean
  readonly isSocket: () => boolean
}

/**
 * The part of `node:fs/promises`' `FileHandle` used here.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeFileHandle {
  readonly stat: () => Promise<NodeStats>
  readonly read: (
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number | null
  ) => Promise<{ readonly bytesRead: number }>
  readonly close: () => Promise<void>
}

/**
 * The part of `node:fs` used here.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeFs {
  readonly constants: { readonly O_RDONLY: number; readonly O_NONBLOCK?: number | undefined }
  readonly openSync: (path: string, flags: number) => number
  readonly fstatSync: (fd: number) => NodeStats
  readonly readSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null) => number
  readonly closeSync: (fd: number) => void
  readonly promises: { readonly open: (path: string, flags: number) => Promise<NodeFileHandle> }
}

/**
 * What is wrong with a file on a runtime without `node:fs`.
 *
 * @since 0.1.0
 * @category models
 */
export const noFs = "a file, but this runtime has no node:fs to read it with"

const seconds = readTimeoutMillis / 1000

/**
 * What is wrong with a file whose read did not end by its deadline.
 *
 * @since 0.1.0
 * @category models
 */
export const noAnswer = `a file that gave no answer in ${seconds} seconds (a hung mount?)`

/** What is wrong with a file whose last read is still in flight past its deadline. */
const stuck = `a file whose last read has not ended after ${seconds} seconds (a hung mount?); ` +
  "no other read starts until it ends"

/** Why a file that is not a regular file is refused; `undefined` for a regular file of at most `maxBytes`. */
const refusal = (stats: NodeStats): string | undefined => {
  if (!stats.isFile()) {
    const kind = stats.isFIFO()
      ? "a FIFO"
      : stats.isCharacterDevice()
      ? "a character device"
      : stats.isBlockDevice()
      ? "a block device"
      : stats.isDirectory()
      ? "a directory"
      : stats.isSocket()
      ? "a socket"
      : "something"
    return `${kind}, not a regular file`
  }
  if (stats.size > maxBytes) {
    return `a file of ${stats.size} bytes; at most ${maxBytes} are read (a key or an assertion is a few KiB)`
  }
  return undefined
}

const openFailure = (error: unknown): string => {
  const code = describeFailureName(error)
  return code === "ENOENT" ? "a file that does not exist (ENOENT)" : `a file that cannot be opened (${code})`
}

const readFailure = (error: unknown): string => `a file that cannot be read (${describeFailureName(error)})`

const grew = `a file that grew past ${maxBytes} bytes while it was read`

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

const flagsOf = (fs: NodeFs): number => fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0)

/**
 * The text of the file at `path`, read now with `fs`; what is wrong with the file otherwise.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readSync = (fs: NodeFs, path: string): Checked<string> => {
  let fd: number
  try {
    fd = fs.openSync(path, flagsOf(fs))
  } catch (error) {
    return invalid(openFailure(error))
  }
  try {
    const refused = refusal(fs.fstatSync(fd))
    if (refused !== undefined) return invalid(refused)
    const buffer = new Uint8Array(maxBytes + 1)
    let size = 0
    while (size < buffer.length) {
      const bytesRead = fs.readSync(fd, buffer, size, buffer.length - size, null)
      if (bytesRead === 0) break
      size += bytesRead
    }
    return size > maxBytes ? invalid(grew) : valid(decode(buffer.subarray(0, size)))
  } catch (error) {
    return invalid(readFailure(error))
  } finally {
    try {
      fs.closeSync(fd)
    } catch {
      // nothing was written: a failed close loses nothing
    }
  }
}

/**
 * The text of the file at `path`, read with `fs`, each step in turn (never two thread-pool jobs at once), the file
 * closed whatever happens; what is wrong with the file otherwise. Unbounded in time: see `Reads`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const read = async (fs: NodeFs, path: string): Promise<Checked<string>> => {
  let handle: NodeFileHandle
  try {
    handle = await fs.promises.open(path, flagsOf(fs))
  } catch (error) {
    return invalid(openFailure(error))
  }
  try {
    const refused = refusal(await handle.stat())
    if (refused !== undefined) return invalid(refused)
    const buffer = new Uint8Array(maxBytes + 1)
    let size = 0
    while (size < buffer.length) {
      const { bytesRead } = await handle.read(buffer, size, buffer.length - size, null)
      if (bytesRead === 0) break
      size += bytesRead
    }
    return size > maxBytes ? invalid(grew) : valid(decode(buffer.subarray(0, size)))
  } catch (error) {
    return invalid(readFailure(error))
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/** A read in flight: what it will give, and when the callers stop waiting for it (wall-clock millis). */
interface Reading {
  readonly result: Promise<Checked<string>>
  readonly deadline: number
}

/**
 * What a caller of `Reads.begin` does: fail at once with `problem`, or wait for `result` at most `waitMillis` (then
 * fail with `noAnswer`).
 *
 * @since 0.1.0
 * @category models
 */
export type Begun =
  | { readonly _tag: "Refused"; readonly problem: string }
  | { readonly _tag: "Reading"; readonly result: Promise<Checked<string>>; readonly waitMillis: number }

/**
 * Credential files read with `fs` (`undefined` on a runtime without it), each with at most one read in flight; see the
 * module's comment.
 *
 * @since 0.1.0
 * @category models
 */
export class Reads {
  private readonly readings = new Map<string, Reading>()

  constructor(private readonly fs: () => NodeFs | undefined) {}

  /** The file's text, read now; what is wrong with the file otherwise. */
  readSync(path: string): Checked<string> {
    const fs = this.fs()
    return fs === undefined ? invalid(noFs) : readSync(fs, path)
  }

  /** A read of the file at `now` (millis, on the caller's clock): the read in flight, or one started now. */
  begin(path: string, now: number): Begun {
    const current = this.readings.get(path)
    if (current !== undefined && now >= current.deadline) return { _tag: "Refused", problem: stuck }
    let reading = current
    if (reading === undefined) {
      const fs = this.fs()
      if (fs === undefined) return { _tag: "Refused", problem: noFs }
      reading = this.start(fs, path, now)
    }
    return { _tag: "Reading", result: reading.result, waitMillis: reading.deadline - now }
  }

  private start(fs: NodeFs, path: string, now: number): Reading {
    const reading: Reading = { result: read(fs, path), deadline: now + readTimeoutMillis }
    this.readings.set(path, reading)
    void reading.result.then(() => {
      if (this.readings.get(path) === reading) this.readings.delete(path)
    })
    return reading
  }
}
