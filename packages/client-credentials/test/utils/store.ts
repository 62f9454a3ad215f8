/**
 * Token stores for the tests of `TokenService.layerWithStore`: `TokenStore.makeMemory` with every call recorded, and
 * any operation replaceable (to fail, hang or die).
 */
import { AccessToken, TokenService, TokenStore } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as ScriptedEndpoint from "./ScriptedEndpoint.js"
import * as Service from "./service.js"

/** A Bearer token with `value`, issued at `issuedAt` (epoch millis) for `lifetimeMillis`, with `scopes`. */
export const tokenOf = (value: string, issuedAt: number, lifetimeMillis: number, scopes: ReadonlyArray<string> = []) =>
  AccessToken.AccessToken.make({
    value: Redacted.make(value),
    tokenType: "Bearer",
    scopes,
    issuedAt: DateTime.unsafeMake(issuedAt),
    expiresAt: DateTime.unsafeMake(issuedAt + lifetimeMillis)
  })

/** One call to the store: the operation, its key, when (`Clock` millis), and a `set`'s time to live (millis). */
export interface Call {
  readonly operation: keyof TokenStore.Service
  readonly key: string
  readonly at: number
  readonly timeToLive?: number
}

/** A memory store that records its calls; `override` replaces operations from then on. */
export interface SpyStore {
  readonly store: TokenStore.Service
  readonly calls: ReadonlyArray<Call>
  readonly override: (operations: Partial<TokenStore.Service>) => void
  /** Puts the memory store's own operations back. */
  readonly restore: () => void
}

export const spy = (): Effect.Effect<SpyStore> =>
  Effect.map(TokenStore.makeMemory, (memory) => {
    const calls: Array<Call> = []
    let current: TokenStore.Service = memory
    const recorded = <A, E>(
      operation: keyof TokenStore.Service,
      key: string,
      run: () => Effect.Effect<A, E>,
      timeToLive?: Duration.Duration
    ) =>
      Effect.clockWith((clock) => {
        const at = clock.unsafeCurrentTimeMillis()
        calls.push(
          timeToLive === undefined ? { operation, key, at } : {
            operation,
            key,
            at,
            timeToLive: Duration.toMillis(timeToLive)
          }
        )
        return run()
      })
    const store: TokenStore.Service = {
      get: (key) => recorded("get", key, () => current.get(key)),
      set: (key, token, ttl) => recorded("set", key, () => current.set(key, token, ttl), ttl),
      acquireLease: (key, ttl) => recorded("acquireLease", key, () => current.acquireLease(key, ttl)),
      renewLease: (key, id, ttl) => recorded("renewLease", key, () => current.renewLease(key, id, ttl), ttl),
      releaseLease: (key, id) => recorded("releaseLease", key, () => current.releaseLease(key, id)),
      deleteIf: (key, value) => recorded("deleteIf", key, () => current.deleteIf(key, value))
    }
    return {
      store,
      calls,
      override: (operations) => {
        current = { ...current, ...operations }
      },
      restore: () => {
        current = memory
      }
    }
  })

/** A failure of every kind a store may give: an error that says it is down. */
export const unavailable = new TokenStore.TokenStoreError({ reason: "Unavailable", detail: "connection refused" })

/** Every operation failing with `unavailable`. */
export const failing: TokenStore.Service = {
  get: () => Effect.fail(unavailable),
  set: () => Effect.fail(unavailable),
  acquireLease: () => Effect.fail(unavailable),
  renewLease: () => Effect.fail(unavailable),
  releaseLease: () => Effect.fail(unavailable),
  deleteIf: () => Effect.fail(unavailable)
}

/** One replica: `TokenService.makeWithStore` on the scripted endpoint and `store`, in the current scope. */
export const replica = (
  endpoint: ScriptedEndpoint.ScriptedEndpoint,
  store: TokenStore.Service,
  overrides: Partial<Service.SecretOptions & TokenService.StoreOptions> = {}
) =>
  TokenService.makeWithStore({ ...Service.options, ...overrides }).pipe(
    Effect.provideService(HttpClient.HttpClient, endpoint.client),
    Effect.provideService(TokenStore.TokenStore, store)
  )
