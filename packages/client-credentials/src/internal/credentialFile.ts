/**
 * Credential files: a private key (`<prefix>PRIVATE_KEY_FILE`, read once, when the config is read) and a client
 * assertion (`<prefix>CLIENT_ASSERTION_FILE`, read again for every token request). Only a regular file of at most
 * `maxBytes` is read: it is opened with `O_NONBLOCK` (so a FIFO cannot block the open), checked on the opened
 * descriptor (so nothing can swap the file between the check and the read), and read to at most `maxBytes + 1` bytes
 * (so a file that grows meanwhile is refused, not read whole).
 *
 * An asynchronous read runs in libuv's thread pool, which a hung mount (FUSE, NFS, a CSI driver) can hold for good,
 * and with it every `fs` call and `dns.lookup` of the process. So each read is bounded by its own time
 * (`readTimeout`, on Effect's `Clock`), and each file has at most one read outstanding. State, per file, in one map:
 * absent (idle) or a `Reading` (its promise and its deadline). A caller that finds a read in flight waits for that
 * read, until its deadline; one that finds a read past its deadline fails at once and starts none. A read removes its
 * own entry when it ends, if the entry is still its own.
 *
 * Failures are phrases that follow "<variable> names": they say what the file is, never what it holds, nor its path.
 */
import { describeFailureName } from "@effect-oauth2/core/describeCause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { nodeModule } from "./builtins.js"

/** The largest credential file read: a key or an assertion is a few KiB. */
export const maxBytes = 64 * 1024

/** How long one asynchronous read of a file may take. */
export const readTimeout = Duration.seconds(5)

/** What a file is, as `fstat` tells it. */
export interface NodeStats {
  readonly size: number
  readonly isFile: () => boolean
  readonly isDirectory: () => boolean
  readonly isFIFO: () => boolean
  readonly isCharacterDevice: () => boolean
  readonly isBlockDevice: () => boolean
  readonly isSocket: () => boolean
}

/** The part of `node:fs/promises`' `FileHandle` used here. */
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

/** The part of `node:fs` used here. */
export interface NodeFs {
  readonly constants: { readonly O_RDONLY: number; readonly O_NONBLOCK?: number | undefined }
  readonly openSync: (path: string, flags: number) => number
  readonly fstatSync: (fd: number) => NodeStats
  readonly readSync: (fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null) => number
  readonly closeSync: (fd: number) => void
  readonly promises: { readonly open: (path: string, flags: number) => Promise<NodeFileHandle> }
}

/** Reads credential files. */
export interface CredentialFiles {
  /** The file's text, read now; what is wrong with the file otherwise. */
  readonly readSync: (path: string) => Either.Either<string, string>
  /** The file's text; what is wrong with the file otherwise. */
  readonly read: (path: string) => Effect.Effect<string, string>
}

const noFs = "a file, but this runtime has no node:fs to read it with"

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

const readSyncWith = (fs: NodeFs, path: string): Either.Either<string, string> => {
  let fd: number
  try {
    fd = fs.openSync(path, flagsOf(fs))
  } catch (error) {
    return Either.left(openFailure(error))
  }
  try {
    const refused = refusal(fs.fstatSync(fd))
    if (refused !== undefined) return Either.left(refused)
    const buffer = new Uint8Array(maxBytes + 1)
    let size = 0
    while (size < buffer.length) {
      const bytesRead = fs.readSync(fd, buffer, size, buffer.length - size, null)
      if (bytesRead === 0) break
      size += bytesRead
    }
    return size > maxBytes ? Either.left(grew) : Either.right(decode(buffer.subarray(0, size)))
  } catch (error) {
    return Either.left(readFailure(error))
  } finally {
    try {
      fs.closeSync(fd)
    } catch {
      // nothing was written: a failed close loses nothing
    }
  }
}

/** One read, each step of it in turn (never two thread-pool jobs at once); the file is closed whatever happens. */
const readAsyncWith = async (fs: NodeFs, path: string): Promise<Either.Either<string, string>> => {
  let handle: NodeFileHandle
  try {
    handle = await fs.promises.open(path, flagsOf(fs))
  } catch (error) {
    return Either.left(openFailure(error))
  }
  try {
    const refused = refusal(await handle.stat())
    if (refused !== undefined) return Either.left(refused)
    const buffer = new Uint8Array(maxBytes + 1)
    let size = 0
    while (size < buffer.length) {
      const { bytesRead } = await handle.read(buffer, size, buffer.length - size, null)
      if (bytesRead === 0) break
      size += bytesRead
    }
    return size > maxBytes ? Either.left(grew) : Either.right(decode(buffer.subarray(0, size)))
  } catch (error) {
    return Either.left(readFailure(error))
  } finally {
    await handle.close().catch(() => undefined)
  }
}

/** A read in flight: what it will give, and when the callers stop waiting for it. */
interface Reading {
  readonly result: Promise<Either.Either<string, string>>
  readonly deadline: number
}

const seconds = Duration.toSeconds(readTimeout)

const noAnswer = `a file that gave no answer in ${seconds} seconds (a hung mount?)`

const stuck = `a file whose last read has not ended after ${seconds} seconds (a hung mount?); ` +
  "no other read starts until it ends"

/** Credential files read with `fs` (`undefined` on a runtime without it), each with its own reads in flight. */
export const make = (fs: () => NodeFs | undefined): CredentialFiles => {
  const readings = new Map<string, Reading>()

  const start = (fs: NodeFs, path: string, now: number): Reading => {
    const reading: Reading = { result: readAsyncWith(fs, path), deadline: now + Duration.toMillis(readTimeout) }
    readings.set(path, reading)
    void reading.result.then(() => {
      if (readings.get(path) === reading) readings.delete(path)
    })
    return reading
  }

  const read = (path: string): Effect.Effect<string, string> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const current = readings.get(path)
      if (current !== undefined && now >= current.deadline) return Effect.fail(stuck)
      let reading = current
      if (reading === undefined) {
        const node = fs()
        if (node === undefined) return Effect.fail(noFs)
        reading = start(node, path, now)
      }
      const { deadline, result } = reading
      return Effect.promise(() => result).pipe(
        Effect.timeoutFail({ duration: Duration.millis(deadline - now), onTimeout: () => noAnswer }),
        Effect.flatMap((outcome) => outcome)
      )
    })

  return {
    readSync: (path) => {
      const node = fs()
      return node === undefined ? Either.left(noFs) : readSyncWith(node, path)
    },
    read
  }
}

/** Credential files read with Node's `fs`, loaded when first needed. */
export const node: CredentialFiles = make(() => nodeModule<NodeFs>("node:fs"))
