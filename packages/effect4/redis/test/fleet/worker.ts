/**
 * One replica of a fleet on the Effect 4 line, as a process of its own, for the fleet suite: `TokenService.layerWithStore`
 * on `RedisTokenStore`, against the token endpoint and API the parent names in its environment, behind the protocol
 * of `@effect-oauth2/suites/fixtures/FleetReplica` (its commands, answers and environment are described there and in
 * `fixtures/Fleet`).
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { RedisTokenStore } from "@effect-oauth2/redis"
import * as FleetReplica from "@effect-oauth2/suites/fixtures/FleetReplica"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"

const env = process.env

const StoreLive = RedisTokenStore.layer(
  { url: env.REDIS_URL! },
  env.ENCRYPTION_KEY === undefined ? {} : { encryptionKey: Redacted.make(env.ENCRYPTION_KEY) }
)

const options: TokenService.Options & TokenService.StoreOptions = {
  tokenUrl: env.TOKEN_URL!,
  clientId: "test-client",
  clientSecret: Redacted.make("test-secret"),
  leaseTtl: (env.LEASE_TTL ?? "5 seconds") as Duration.Input,
  requestTimeout: (env.REQUEST_TIMEOUT ?? "5 seconds") as Duration.Input,
  retry: Schedule.recurs(1)
}

const TokenLive = env.STORE === "none"
  ? TokenService.layer(options)
  : TokenService.layerWithStore(options).pipe(Layer.provide(StoreLive))

const MainLive = AuthorizedClient.layer().pipe(
  Layer.provideMerge(TokenLive),
  Layer.provideMerge(NodeHttpClient.layerUndici),
  Layer.provide(Logger.layer([Logger.withConsoleError(Logger.formatJson)]))
)

const runtime = ManagedRuntime.make(MainLive)

const attempt = <E extends { readonly _tag: string; readonly reason?: string | undefined }>(
  effect: Effect.Effect<{ readonly value: Redacted.Redacted<string> }, E, TokenService.TokenService>
): Promise<FleetReplica.Attempt> =>
  runtime.runPromise(Effect.map(
    Effect.result(effect),
    Result.match({
      onFailure: (error): FleetReplica.Attempt => ({ _tag: "Error", error }),
      onSuccess: (token): FleetReplica.Attempt => ({ _tag: "Token", value: Redacted.value(token.value) })
    })
  ))

const replica: FleetReplica.Replica = {
  get: () => attempt(Effect.flatMap(Effect.service(TokenService.TokenService), (tokens) => tokens.get)),
  getFor: (scopes) =>
    attempt(Effect.flatMap(Effect.service(TokenService.TokenService), (tokens) => tokens.getFor({ scopes }))),
  api: () =>
    runtime.runPromise(Effect.map(
      Effect.result(
        Effect.flatMap(Effect.service(AuthorizedClient.AuthorizedClient), (client) => client.get(env.API_URL!))
      ),
      Result.match({
        onFailure: (error) => ({ error: error as { readonly _tag: string } }),
        onSuccess: (response) => ({ status: response.status })
      })
    )),
  close: () => runtime.dispose()
}

runtime.runPromise(Effect.void).then(
  () => FleetReplica.serve(replica),
  (error) => {
    process.stderr.write(`worker failed: ${String(error)}\n`)
    process.exit(1)
  }
)
