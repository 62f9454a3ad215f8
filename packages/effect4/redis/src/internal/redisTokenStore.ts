/**
 * The token store on Redis, the Effect 4 shell: the service, the client's acquisition and release, and the turning of
 * the core's plain results (`@effect-oauth2/core/redisClient`: the operations as commands on one client, and the
 * client opened for a URL) into `AccessToken`s, leases and `TokenStoreError`s. An entry's token is `AccessToken`'s
 * JSON form (`Schema.toCodecJson`), field for field the core's `EntryToken`.
 *
 * Every failure is a `TokenStoreError` with the core's reason and detail: `Unavailable` naming the kind of failure (an
 * error code or name, never a message that could quote a key or an entry), `InvalidEntry` with a fixed text. Nothing
 * here logs.
 */
import { AccessToken, TokenStore } from "@effect-oauth2/client-credentials"
import * as RedisClient from "@effect-oauth2/core/redisClient"
import * as RedisStore from "@effect-oauth2/core/redisStore"
import * as TokenEntry from "@effect-oauth2/core/tokenEntry"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Redis } from "ioredis"
import type { Cluster } from "ioredis"
import type { Connection, Options } from "../RedisTokenStore.js"

/**
 * `AccessToken`'s JSON form, which is the entry's token field for field (ISO instants, the value in clear);
 * `toCodecJson` types its encoded side as any JSON.
 */
const Entry = Schema.toCodecJson(AccessToken.AccessToken) as unknown as Schema.Codec<
  AccessToken.AccessToken,
  TokenEntry.EntryToken<AccessToken.TokenType>
>
const toEntry = Schema.encodeSync(Entry)
const fromEntry = Schema.decodeSync(Entry)

const storeError = ({ detail, reason }: RedisStore.Failure) => new TokenStore.TokenStoreError({ reason, detail })

/** One of the core's operations as an effect: its result, or its `Failure` as a `TokenStoreError`. */
const run = <A>(operation: () => Promise<A | RedisStore.Failure>): Effect.Effect<A, TokenStore.TokenStoreError> =>
  Effect.callback((resume) => {
    void operation().then((result) =>
      resume(RedisClient.isFailure(result) ? Effect.fail(storeError(result)) : Effect.succeed(result))
    )
  })

/** The service on the core's store. */
const service = (store: RedisClient.StoreOnClient<AccessToken.TokenType>): TokenStore.Service => {
  const stored = (got: RedisClient.Got<AccessToken.TokenType>): Option.Option<TokenStore.StoredToken> =>
    got._tag === "Missing"
      ? Option.none()
      : Option.some({ token: fromEntry(got.token), timeToLive: Duration.millis(got.timeLeftMillis) })
  const lease = (lease: RedisClient.Lease): TokenStore.LeaseResult =>
    lease._tag === "Held" ? TokenStore.held : TokenStore.acquired(lease.id, lease)
  return TokenStore.TokenStore.of({
    get: (storeKey) => Effect.map(run(() => store.get(storeKey)), stored),
    set: (storeKey, token, ttl) => run(() => store.set(storeKey, toEntry(token), Duration.toMillis(ttl))),
    acquireLease: (storeKey, ttl) => Effect.map(run(() => store.acquireLease(storeKey, Duration.toMillis(ttl))), lease),
    renewLease: (storeKey, id, ttl) => run(() => store.renewLease(storeKey, id, Duration.toMillis(ttl))),
    releaseLease: (storeKey, id) => run(() => store.releaseLease(storeKey, id)),
    deleteIf: (storeKey, tokenValue) => run(() => store.deleteIf(storeKey, Redacted.value(tokenValue)))
  })
}

/** A defect that says what is wrong with an option, in the core's words (which show nothing of it). */
const illegal = (problem: string) => Effect.die(new Cause.IllegalArgumentError(`RedisTokenStore: ${problem}`))

/** The service as a scoped effect: `{ url }` opens a client that the scope closes, `{ client }` is used as is. */
export const make = Effect.fnUntraced(function*(connection: Connection, options: Options = {}) {
  const { encryptionKey, keyPrefix = RedisStore.defaultKeyPrefix } = options
  const key = encryptionKey === undefined ? undefined : TokenEntry.parseKey(Redacted.value(encryptionKey))
  if (encryptionKey !== undefined && key === undefined) return yield* illegal(TokenEntry.invalidKeyMessage)
  const onClient = (client: Redis | Cluster) =>
    service(new RedisClient.StoreOnClient(client, keyPrefix, key, AccessToken.TokenType.literals))
  if ("client" in connection) return onClient(connection.client)
  const url = Redacted.isRedacted(connection.url) ? Redacted.value(connection.url) : connection.url
  const client = yield* Effect.acquireRelease(
    Effect.suspend(() => {
      const opened = RedisClient.open(url, (url, options) => new Redis(url, options))
      return opened === undefined ? illegal(RedisStore.invalidUrlMessage) : Effect.succeed(opened)
    }),
    (client) => Effect.sync(() => client.disconnect())
  )
  return onClient(client)
})
