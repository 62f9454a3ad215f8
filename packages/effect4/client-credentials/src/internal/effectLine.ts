/**
 * The few Effect functions whose names differ between Effect 3 and Effect 4, under Effect 4's names. The modules
 * written once for both lines (linked from the Effect 3 package, see `docs/development.md`) call these; the Effect 3
 * line's `effectLine.ts` gives the same names from Effect 3.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** Recovers from a defect. */
export const catchDefect = Effect.catchDefect

/** The HTTP client. */
export * as HttpClient from "effect/http/HttpClient"

/** The HTTP client's errors. */
export type * as HttpClientError from "effect/http/HttpClientError"

/** Whether `cause` holds interruptions and nothing else. */
export const causeHasInterruptsOnly = Cause.hasInterruptsOnly

/** The service of `tag` from the context. */
export const service = Effect.service

/** A schema of one of `literals`. */
export const schemaLiterals = Schema.Literals

/** A schema of any of `members`. */
export const schemaUnion = Schema.Union

/** A struct field whose key may be absent. */
export const schemaOptionalKey: typeof Schema.optionalKey = Schema.optionalKey

/** A schema of records from `key` to `value`. */
export const schemaRecord = Schema.Record

/** A tagged error class of schema `fields`, named by its tag (`String(error)` reads `NetworkError: …`). */
export const schemaTaggedError = Schema.TaggedError
