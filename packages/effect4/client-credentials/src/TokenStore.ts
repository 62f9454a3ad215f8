/**
 * A store of tokens shared by the replicas of a service: the second level behind each process's own cache, so that a
 * fleet asks the authorization server for one token per lifetime instead of one per replica. Given to
 * `TokenService.layerWithStore`; `TokenStore.layerMemory` keeps it in the process, `@effect-oauth2/redis` on Redis,
 * and anyone may write another: the interface below is all the library uses.
 *
 * The library calls every operation with a timeout (`storeTimeout`, 250 ms by default) and treats any failure, a
 * defect or a timeout as a miss: a store that is down, slow, hung or answering garbage costs a caller at most that time
 * per call, never an error, and a layer closes within that time whatever its store does. An operation is abandoned
 * when its time is up (it must be interruptible; one that is not goes on in the background): what it does later, such
 * as a lease granted after its call was abandoned, the library does not count on.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { makeMemory, type Service } from "./internal/tokenStore.js"

export * from "./internal/tokenStore.js"

/**
 * Why a store operation failed: `Unavailable` (no connection, a refused command), `InvalidEntry` (an entry that
 * could not be read: garbage, or sealed with another key). Its `detail` never holds a token, a key or an entry.
 *
 * @since 0.1.0
 * @category errors
 */
// the schema's identifier is the tag: Effect 4 names an error after it, so `String(error)` reads `TokenStoreError: …`
export class TokenStoreError extends Schema.TaggedError<TokenStoreError>()("TokenStoreError", {
  reason: Schema.Literals(["Unavailable", "InvalidEntry"]),
  detail: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `token store ${this.reason === "Unavailable" ? "unavailable" : "entry unreadable"}: ${this.detail}`
  }
}

/**
 * Whether a value is a `TokenStoreError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTokenStoreError = (u: unknown): u is TokenStoreError => u instanceof TokenStoreError

/**
 * The token store given to `TokenService.layerWithStore`.
 *
 * @since 0.1.0
 * @category tags
 */
export class TokenStore
  extends Context.Service<TokenStore, Service>()("@effect-oauth2/client-credentials/TokenStore")
{}

/**
 * `makeMemory` as a layer: one store for every `TokenService` built with it, in one process. For tests, and for
 * several token services of one process that should share their tokens.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TokenStore> = Layer.effect(TokenStore, makeMemory)
