/**
 * The few Effect functions whose names differ between Effect 3 and Effect 4, under Effect 4's names, as Effect 3
 * gives them. The modules written once for both lines (linked into the Effect 4 package, see
 * `docs/development.md`) call these; the Effect 4 line's `effectLine.ts` gives the same names from Effect 4.
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { LiteralValue, Members } from "effect/SchemaAST"

/** Recovers from a defect: Effect 3's `Effect.catchAllDefect`. */
export const catchDefect = Effect.catchAllDefect

/** The HTTP client: `@effect/platform`'s `HttpClient` on Effect 3. */
export * as HttpClient from "@effect/platform/HttpClient"

/** The HTTP client's errors: `@effect/platform`'s `HttpClientError` on Effect 3. */
export type * as HttpClientError from "@effect/platform/HttpClientError"

/** Whether `cause` holds interruptions and nothing else: Effect 3's `Cause.isInterruptedOnly`. */
export const causeHasInterruptsOnly = Cause.isInterruptedOnly

/** The service of `tag` from the context: on Effect 3 a tag is that effect. */
export const service = <I, S>(tag: Context.Tag<I, S>): Effect.Effect<S, never, I> => tag

/** A schema of one of `literals`: Effect 3's `Schema.Literal(...literals)`. */
export const schemaLiterals = <L extends NonEmptyReadonlyArray<LiteralValue>>(
  literals: readonly [...L]
): Schema.Literal<L> => Schema.Literal<L>(...literals)

/** A schema of any of `members`: Effect 3's `Schema.Union(...members)`. */
export const schemaUnion = <M extends Members<Schema.Schema.All>>(members: readonly [...M]): Schema.Union<M> =>
  Schema.Union(...members)

/** A struct field whose key may be absent: Effect 3's `Schema.optional`. */
export const schemaOptionalKey = Schema.optional

/** A schema of records from `key` to `value`: Effect 3's `Schema.Record({ key, value })`. */
export const schemaRecord = <K extends Schema.Schema.All, V extends Schema.Schema.All>(
  key: K,
  value: V
): Schema.Record$<K, V> => Schema.Record({ key, value })

/** The class `schemaTaggedError` makes. */
type TaggedErrorClass<Self, Tag extends string, Fields extends Schema.Struct.Fields> = Schema.TaggedErrorClass<
  Self,
  Tag,
  { readonly _tag: Schema.tag<Tag> } & Fields
>

/**
 * A tagged error class of schema `fields`: Effect 3's `Schema.TaggedError`, whose schema is named
 * `@effect-oauth2/client-credentials/<tag>` (on Effect 4 it is named by its tag).
 */
export const schemaTaggedError = <Self>() =>
<Tag extends string, Fields extends Schema.Struct.Fields>(
  tag: Tag,
  fields: Fields
): TaggedErrorClass<Self, Tag, Fields> =>
  // Effect 3's check that `Self` is given, a conditional type, is not resolved while `Self` is open: each class that
  // calls this gives it
  Schema.TaggedError<Self>(`@effect-oauth2/client-credentials/${tag}`)(tag, fields) as unknown as TaggedErrorClass<
    Self,
    Tag,
    Fields
  >
