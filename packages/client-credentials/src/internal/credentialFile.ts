/**
 * Credential files on this line: the core's reads (`@effect-oauth2/core/credentialFile`: only a regular file of at
 * most 64 KiB, each file with at most one read in flight, failures that say what the file is and never its path or
 * what it holds) as a `Result` and an `Effect` whose wait for a read in flight ends at its deadline, on Effect's
 * `Clock`.
 */
import { nodeModule } from "@effect-oauth2/core/builtins"
import * as CredentialFile from "@effect-oauth2/core/credentialFile"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { toResult } from "./checked.js"
import * as EffectLine from "./effectLine.js"

export type { NodeFileHandle, NodeFs, NodeStats } from "@effect-oauth2/core/credentialFile"

/** The largest credential file read: a key or an assertion is a few KiB. */
export const maxBytes = CredentialFile.maxBytes

/** How long one asynchronous read of a file may take. */
export const readTimeout = Duration.millis(CredentialFile.readTimeoutMillis)

/** Reads credential files. */
export interface CredentialFiles {
  /** The file's text, read now (when the config is read); what is wrong with the file otherwise. */
  readonly readSync: (path: string) => EffectLine.Result<string, string>
  /** The file's text, read without blocking, within `readTimeout`; what is wrong with the file otherwise. */
  readonly read: (path: string) => Effect.Effect<string, string>
}

/** Credential files read with `fs` (`undefined` on a runtime without it), each with its own reads in flight. */
export const make = (fs: () => CredentialFile.NodeFs | undefined): CredentialFiles => {
  const reads = new CredentialFile.Reads(fs)
  return {
    readSync: (path) => toResult(reads.readSync(path)),
    read: (path) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const begun = reads.begin(path, now)
        if (begun._tag === "Refused") return Effect.fail(begun.problem)
        return Effect.promise(() => begun.result).pipe(
          EffectLine.timeoutOrElse({
            duration: Duration.millis(begun.waitMillis),
            orElse: () => Effect.fail(CredentialFile.noAnswer)
          }),
          Effect.flatMap((read) => read._tag === "Valid" ? Effect.succeed(read.value) : Effect.fail(read.problem))
        )
      })
  }
}

/** Credential files read with Node's `fs`, loaded when first needed. */
export const node: CredentialFiles = make(() => nodeModule<CredentialFile.NodeFs>("node:fs"))
