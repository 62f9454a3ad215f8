/**
 * A token request as this line keys its cells and store entries by: the core's canonical form (`tokenRequest` in
 * `@effect-oauth2/core`) in a `RequestKey` that Effect compares and hashes by it.
 */
import * as core from "@effect-oauth2/core/tokenRequest"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"

export type { ClientIdentity, ResolvedRequest } from "@effect-oauth2/core/tokenRequest"
export { empty, resolveChecked } from "@effect-oauth2/core/tokenRequest"

/**
 * A cache key: the whole request in canonical form, compared and hashed by its canonical string (its hash computed
 * once), not by the structure of the request: structural equality of arrays (`Data.struct`) compares them by
 * reference.
 */
export class RequestKey implements Equal.Equal {
  private readonly hash: number

  constructor(
    /** An unambiguous string of everything that makes two requests different. */
    readonly canonical: string,
    readonly request: core.ResolvedRequest
  ) {
    this.hash = Hash.string(canonical)
  }

  [Equal.symbol](that: Equal.Equal): boolean {
    return that instanceof RequestKey && that.canonical === this.canonical
  }

  [Hash.symbol](): number {
    return this.hash
  }
}

/** The key of `request` for `client`. */
export const makeKey = (client: core.ClientIdentity, request: core.ResolvedRequest): RequestKey =>
  new RequestKey(core.canonicalOf(client, request), request)
