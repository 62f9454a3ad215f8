/**
 * `RedisTokenStore` under `TokenService.layerWithStore`, in one process: replicas, each with its own token service
 * and its own Redis connection, against a real token endpoint (`FakeAuthServer`) and a real `redis-server`. Specified
 * in `docs/fleet.md#the-protocol` and `docs/fleet.md#redistokenstore`.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { RedisTokenStore } from "@effect-oauth2/redis"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Fixtures from "./utils/fixtures.js"
import * as RedisServer from "./utils/redisServer.js"

const Servers = Layer.mergeAll(RedisServer.layer, FakeAuthServer.layer(), NodeHttpClient.layerUndici)

/**
 * `count` replicas asking for `scopes` (a fresh scope per test: its own store key), each with its own token service
 * and its own `{ url }` store, so its own Redis connection.
 */
const replicas = (count: number, scopes: ReadonlyArray<string>, options: RedisTokenStore.Options) =>
  Effect.gen(function*() {
    const redis = yield* RedisServer.RedisServer
    const server = yield* FakeAuthServer.FakeAuthServer
    const replica = TokenService.layerWithStore({
      tokenUrl: server.tokenUrl,
      clientId: FakeAuthServer.defaultClient.clientId,
      clientSecret: Redacted.make(FakeAuthServer.defaultClient.clientSecret),
      scopes
    }).pipe(Layer.provide(RedisTokenStore.layer({ url: redis.url }, options)))
    return yield* Effect.all(
      Array.from(
        { length: count },
        () => Effect.map(Layer.build(replica), (context) => Context.get(context, TokenService.TokenService))
      )
    )
  })

layer(Servers, { excludeTestServices: true, timeout: 30_000 })("RedisTokenStore in a fleet", (it) => {
  for (const sealed of [false, true]) {
    it.scoped(`4 replicas × 50 concurrent callers, cold store: one token request in all (${sealed ? "sealed" : "plain"})`, () =>
      Effect.gen(function*() {
        const server = yield* FakeAuthServer.FakeAuthServer
        const before = (yield* server.tokenRequests).length
        const options = sealed ? { encryptionKey: Fixtures.encryptionKey() } : {}
        const fleet = yield* replicas(4, [`fleet-${Fixtures.storeKey().slice(0, 12)}`], options)
        const tokens = yield* Effect.all(
          fleet.flatMap((replica) => Array.from({ length: 50 }, () => replica.get)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual((yield* server.tokenRequests).length - before, 1)
        assert.strictEqual(new Set(tokens.map((token) => Redacted.value(token.value))).size, 1)
      }))
  }
})
