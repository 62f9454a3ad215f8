/**
 * A store of tokens shared by the replicas of a service: the second level behind each process's own cache, so that a
 * fleet asks the authorization server for one token per lifetime instead of one per replica. Given to
 * `TokenService.layerWithStore`; `TokenStore.layerMemory` keeps it in the process, `@effect-oauth2/redis` on Redis,
 * and anyone may write another: the interface below is all the library uses.
 *
 * The library calls every operation with a timeout (`storeTimeout`, 250 ms by default) and treats any failure, a
 * defect or a timeout as a miss: a store that is down, slow or answering garbage costs its callers that time, never
 * an error.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AccessToken from "./AccessToken.js"

/**
 * A token read from a store, with the time it has left there. A reader takes its own expiry from `timeToLive`, on its
 * own clock, never from the writer's clock (`token.issuedAt` and `token.expiresAt` are the writer's; only their
 * difference, the lifetime, is used).
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredToken {
  readonly token: AccessToken.AccessToken
  /** How long the entry has left in the store: the time to the token's hard expiry, as its writer set it. */
  readonly timeToLive: Duration.Duration
}

/**
 * Names the holder of a lease: given by `acquireLease`, needed by `releaseLease`, so that a holder whose lease ran out
 * and passed to another never releases the other's.
 *
 * @since 0.1.0
 * @category models
 */
export type LeaseId = string

/**
 * Why a store operation failed: `Unavailable` (no connection, a refused command), `InvalidEntry` (an entry that
 * could not be read: garbage, or sealed with another key). Its `detail` never holds a token, a key or an entry.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenStoreError extends Schema.TaggedError<TokenStoreError>(
  "@effect-oauth2/client-credentials/TokenStoreError"
)("TokenStoreError", {
  reason: Schema.Literal("Unavailable", "InvalidEntry"),
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
 * What a token store does. Every `key` is 64 hexadecimal characters, the SHA-256 of one token request's canonical
 * form (token endpoint, client, authentication method, key thumbprint, scopes, audience, resources, extra
 * parameters): never a secret, never the request in clear. A store may prefix it. The token of a key and its lease
 * are separate entries.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The token stored under `key` with its time left, if there is one. */
  readonly get: (key: string) => Effect.Effect<Option.Option<StoredToken>, TokenStoreError>
  /** Stores `token` under `key` for `timeToLive`, replacing any token there. */
  readonly set: (
    key: string,
    token: AccessToken.AccessToken,
    timeToLive: Duration.Duration
  ) => Effect.Effect<void, TokenStoreError>
  /**
   * Takes the lease of `key` for `timeToLive` if nobody holds it (atomically: of all the replicas that try, one gets
   * it); `None` when another holds it.
   */
  readonly acquireLease: (key: string, timeToLive: Duration.Duration) => Effect.Effect<
    Option.Option<LeaseId>,
    TokenStoreError
  >
  /** Releases the lease of `key` if `id` still holds it (compare and delete, atomically). */
  readonly releaseLease: (key: string, id: LeaseId) => Effect.Effect<void, TokenStoreError>
  /**
   * Deletes the token of `key` if it is still the one with this value (compare and delete), so that a token an API
   * rejected is not handed to the next replica; `true` when it was deleted.
   */
  readonly deleteIf: (key: string, tokenValue: Redacted.Redacted<string>) => Effect.Effect<boolean, TokenStoreError>
}

/**
 * The token store given to `TokenService.layerWithStore`.
 *
 * @since 0.1.0
 * @category tags
 */
export class TokenStore extends Context.Tag("@effect-oauth2/client-credentials/TokenStore")<TokenStore, Service>() {}

interface MemoryEntry<A> {
  readonly value: A
  readonly expiresAt: number
}

/**
 * A store in the memory of this process, its entries expiring on Effect's `Clock` (so `TestClock` drives it). Hands
 * out a new `AccessToken` object on every `get`, as a store across processes does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.sync(() => {
  const tokens = new Map<string, MemoryEntry<AccessToken.AccessToken>>()
  const leases = new Map<string, MemoryEntry<LeaseId>>()
  let nextLease = 0
  const live = <A>(entries: Map<string, MemoryEntry<A>>, key: string, now: number): MemoryEntry<A> | undefined => {
    const entry = entries.get(key)
    if (entry === undefined || entry.expiresAt > now) return entry
    entries.delete(key)
    return undefined
  }
  const service: Service = {
    get: (key) =>
      Effect.map(Clock.currentTimeMillis, (now) =>
        Option.map(Option.fromNullable(live(tokens, key, now)), (entry) => ({
          token: AccessToken.AccessToken.make({ ...entry.value }),
          timeToLive: Duration.millis(entry.expiresAt - now)
        }))),
    set: (key, token, timeToLive) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        tokens.set(key, { value: token, expiresAt: now + Duration.toMillis(timeToLive) })
      }),
    acquireLease: (key, timeToLive) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (live(leases, key, now) !== undefined) return Option.none()
        const id = `lease-${++nextLease}`
        leases.set(key, { value: id, expiresAt: now + Duration.toMillis(timeToLive) })
        return Option.some(id)
      }),
    releaseLease: (key, id) =>
      Effect.sync(() => {
        if (leases.get(key)?.value === id) leases.delete(key)
      }),
    deleteIf: (key, tokenValue) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const entry = live(tokens, key, now)
        if (entry === undefined || Redacted.value(entry.value.value) !== Redacted.value(tokenValue)) return false
        tokens.delete(key)
        return true
      })
  }
  return service
})

/**
 * `makeMemory` as a layer: one store for every `TokenService` built with it, in one process. For tests, and for
 * several token services of one process that should share their tokens.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TokenStore> = Layer.effect(TokenStore, makeMemory)
