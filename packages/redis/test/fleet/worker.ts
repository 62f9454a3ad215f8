/**
 * One replica of a fleet on each line, as a process of its own, for the fleet tests and the bench:
 * `TokenService.layerWithStore` on `RedisTokenStore`, against the token endpoint and API the parent names in its
 * environment. It reads commands from stdin, one JSON object per line with an `id`, and answers each with one JSON
 * line on stdout with that `id` (0, first, when it is ready); its logs go to stderr as JSON lines. Tokens never leave
 * it: it reports a fingerprint of each (16 hex characters of its SHA-256). The protocol is
 * `@effect-oauth2/suites/fixtures/FleetReplica`'s; this module is each line's replica behind it, written once (the
 * Effect 4 package links it and runs it with `--preserve-symlinks`); what the lines make differently is in
 * `effectLine.ts`.
 *
 * Environment: `TOKEN_URL`, `API_URL`, `REDIS_URL`, optionally `ENCRYPTION_KEY`, `LEASE_TTL`, `REQUEST_TIMEOUT`,
 * `STORE` (`none` for a replica with its own cache only, `TokenService.layer`, as the bench's in-process baseline).
 *
 * Commands:
 * - `{ "op": "get", "callers": n }`: n concurrent `get`s → `{ fingerprints, errors, millis }`;
 * - `{ "op": "api" }`: one `GET API_URL` through `AuthorizedClient` → `{ status, errors }`;
 * - `{ "op": "loop", "millis": m, "every": e }`: a `get` every e ms for m ms → `{ calls, fingerprints, errors }`;
 * - `{ "op": "getFor", "scopes": [...] }`: one `getFor` per scope, one after the other → `{ fingerprints, errors,
 *   micros }` (each call's time, for the bench).
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { RedisTokenStore } from "@effect-oauth2/redis"
import * as FleetReplica from "@effect-oauth2/suites/fixtures/FleetReplica"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { type DurationInput, jsonLogsToStderr, lineName } from "./effectLine.js"

const env = process.env

const StoreLive = RedisTokenStore.layer(
  { url: env.REDIS_URL! },
  env.ENCRYPTION_KEY === undefined ? {} : { encryptionKey: Redacted.make(env.ENCRYPTION_KEY) }
)

const options: TokenService.Options & TokenService.StoreOptions = {
  tokenUrl: env.TOKEN_URL!,
  clientId: "test-client",
  clientSecret: Redacted.make("test-secret"),
  leaseTtl: (env.LEASE_TTL ?? "5 seconds") as DurationInput,
  requestTimeout: (env.REQUEST_TIMEOUT ?? "5 seconds") as DurationInput,
  retry: Schedule.recurs(1)
}

const TokenLive = env.STORE === "none"
  ? TokenService.layer(options)
  : TokenService.layerWithStore(options).pipe(Layer.provide(StoreLive))

const MainLive = AuthorizedClient.layer().pipe(
  Layer.provideMerge(TokenLive),
  Layer.provideMerge(NodeHttpClient.layerUndici),
  Layer.provide(jsonLogsToStderr)
)

const runtime = ManagedRuntime.make(MainLive)

const attempt = <E extends { readonly _tag: string; readonly reason?: string | undefined }>(
  effect: Effect.Effect<{ readonly value: Redacted.Redacted<string> }, E, TokenService.TokenService>
): Promise<FleetReplica.Attempt> =>
  runtime.runPromise(Effect.match(effect, {
    onFailure: (error): FleetReplica.Attempt => ({ _tag: "Error", error }),
    onSuccess: (token): FleetReplica.Attempt => ({ _tag: "Token", value: Redacted.value(token.value) })
  }))

const replica: FleetReplica.Replica = {
  get: () =>
    attempt(Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      return yield* tokens.get
    })),
  getFor: (scopes) =>
    attempt(Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      return yield* tokens.getFor({ scopes })
    })),
  api: () =>
    runtime.runPromise(Effect.match(
      Effect.gen(function*() {
        const client = yield* AuthorizedClient.AuthorizedClient
        return yield* client.get(env.API_URL!)
      }),
      {
        onFailure: (error) => ({ error: error as { readonly _tag: string } }),
        onSuccess: (response) => ({ status: response.status })
      }
    )),
  close: () => runtime.dispose()
}

runtime.runPromise(Effect.void).then(
  () => FleetReplica.serve(replica, lineName),
  (error) => {
    process.stderr.write(`worker failed: ${String(error)}\n`)
    process.exit(1)
  }
)
