/**
 * One replica of a fleet, as a process of its own, for the fleet tests and the bench: `TokenService.layerWithStore`
 * on `RedisTokenStore`, against the token endpoint and API the parent names in its environment. It reads commands
 * from stdin, one JSON object per line with an `id`, and answers each with one JSON line on stdout with that `id` (0,
 * first, when it is ready); its logs go to stderr as JSON
 * lines. Tokens never leave it: it reports a fingerprint of each (16 hex characters of its SHA-256).
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
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { createHash } from "node:crypto"
import { createInterface } from "node:readline"

const env = process.env

const fingerprint = (token: { readonly value: Redacted.Redacted<string> }): string =>
  createHash("sha256").update(Redacted.value(token.value)).digest("hex").slice(0, 16)

const errorOf = (error: { readonly _tag: string; readonly reason?: string }) =>
  error.reason === undefined ? error._tag : `${error._tag}:${error.reason}`

const StoreLive = RedisTokenStore.layer(
  { url: env.REDIS_URL! },
  env.ENCRYPTION_KEY === undefined ? {} : { encryptionKey: Redacted.make(env.ENCRYPTION_KEY) }
)

const options: TokenService.Options & TokenService.StoreOptions = {
  tokenUrl: env.TOKEN_URL!,
  clientId: "test-client",
  clientSecret: Redacted.make("test-secret"),
  leaseTtl: (env.LEASE_TTL ?? "5 seconds") as Duration.DurationInput,
  requestTimeout: (env.REQUEST_TIMEOUT ?? "5 seconds") as Duration.DurationInput,
  retry: Schedule.recurs(1)
}

const TokenLive = env.STORE === "none"
  ? TokenService.layer(options)
  : TokenService.layerWithStore(options).pipe(Layer.provide(StoreLive))

const MainLive = AuthorizedClient.layer().pipe(
  Layer.provideMerge(TokenLive),
  Layer.provideMerge(NodeHttpClient.layerUndici),
  Layer.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.jsonLogger)))
)

const get = (callers: number) =>
  Effect.gen(function*() {
    const tokens = yield* TokenService.TokenService
    const started = performance.now()
    const results = yield* Effect.all(Array.from({ length: callers }, () => Effect.either(tokens.get)), {
      concurrency: "unbounded"
    })
    const fingerprints = new Set<string>()
    const errors: Array<string> = []
    for (const result of results) {
      if (result._tag === "Right") fingerprints.add(fingerprint(result.right))
      else errors.push(errorOf(result.left))
    }
    return { fingerprints: [...fingerprints], errors, millis: performance.now() - started }
  })

const api = Effect.gen(function*() {
  const client = yield* AuthorizedClient.AuthorizedClient
  const response = yield* Effect.either(client.get(env.API_URL!))
  return response._tag === "Right" ? { status: response.right.status, errors: [] } : {
    status: 0,
    errors: [errorOf(response.left as { readonly _tag: string })]
  }
})

const loop = (millis: number, every: number) =>
  Effect.gen(function*() {
    const tokens = yield* TokenService.TokenService
    const until = Date.now() + millis
    const fingerprints = new Set<string>()
    const errors: Array<string> = []
    let calls = 0
    while (Date.now() < until) {
      const result = yield* Effect.either(tokens.get)
      calls++
      if (result._tag === "Right") fingerprints.add(fingerprint(result.right))
      else errors.push(errorOf(result.left))
      yield* Effect.sleep(every)
    }
    return { calls, fingerprints: [...fingerprints], errors }
  })

const getFor = (scopes: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const tokens = yield* TokenService.TokenService
    const fingerprints = new Set<string>()
    const errors: Array<string> = []
    const micros: Array<number> = []
    for (const scope of scopes) {
      const started = performance.now()
      const result = yield* Effect.either(tokens.getFor({ scopes: [scope] }))
      micros.push((performance.now() - started) * 1000)
      if (result._tag === "Right") fingerprints.add(fingerprint(result.right))
      else errors.push(errorOf(result.left))
    }
    return { fingerprints: [...fingerprints], errors, micros }
  })

type Command =
  & { readonly id: number }
  & (
    | { readonly op: "get"; readonly callers: number }
    | { readonly op: "api" }
    | { readonly op: "loop"; readonly millis: number; readonly every: number }
    | { readonly op: "getFor"; readonly scopes: ReadonlyArray<string> }
  )

const run = (
  command: Command
): Effect.Effect<object, never, TokenService.TokenService | AuthorizedClient.AuthorizedClient> => {
  switch (command.op) {
    case "get":
      return get(command.callers)
    case "api":
      return api
    case "loop":
      return loop(command.millis, command.every)
    case "getFor":
      return getFor(command.scopes)
  }
}

const program = Effect.gen(function*() {
  const context = yield* Effect.context<TokenService.TokenService | AuthorizedClient.AuthorizedClient>()
  const lines = createInterface({ input: process.stdin })
  process.stdout.write(`${JSON.stringify({ id: 0, ready: true })}\n`)
  yield* Effect.async<void>((resume) => {
    lines.on("line", (line) => {
      const command = JSON.parse(line) as Command
      Effect.runPromise(Effect.provide(run(command), context)).then(
        (answer) => process.stdout.write(`${JSON.stringify({ id: command.id, ...answer })}\n`),
        (defect) => process.stdout.write(`${JSON.stringify({ id: command.id, defect: String(defect) })}\n`)
      )
    })
    lines.on("close", () => resume(Effect.void))
  })
})

Effect.runPromise(Effect.scoped(Effect.provide(program, MainLive))).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`worker failed: ${String(error)}\n`)
    process.exit(1)
  }
)
