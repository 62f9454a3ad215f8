/**
 * What the store tests share: the suites' `redis-server` (`@effect-oauth2/suites/fixtures/RedisServer`: 127.0.0.1, a
 * free port, persistence off) as a service for the file, tokens and keys, clients of the test's own, and an error as
 * every printer shows it.
 */
import { AccessToken, TokenStore } from "@effect-oauth2/client-credentials"
import * as Server from "@effect-oauth2/suites/fixtures/RedisServer"
import { assert } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { Redis } from "ioredis"
import * as crypto from "node:crypto"
import * as util from "node:util"

/** The file's `redis-server`; a missing one fails the file (never a skip). */
export class RedisServer extends Context.Service<RedisServer, Server.RedisServer>()("test/RedisServer") {}

/** One server for the file, stopped and removed when it ends. */
export const layer = Layer.effect(
  RedisServer,
  Effect.acquireRelease(Effect.promise(Server.start), (server) => Effect.promise(server.close))
)

const decodeToken = Schema.decodeUnknownSync(Schema.toCodecJson(AccessToken.AccessToken))

/** The issue and expiry instants of `token`, an hour apart. */
export const hour = { issuedAt: "2023-11-14T22:13:20.000Z", expiresAt: "2023-11-14T23:13:20.000Z" }

/** A Bearer token for `orders:read orders:write`, an hour long, whose value is `value` (random by default). */
export const token = (value = `tok-${crypto.randomBytes(24).toString("base64url")}`): AccessToken.AccessToken =>
  decodeToken({ value, tokenType: "Bearer", scopes: ["orders:read", "orders:write"], ...hour })

/** A random store key of the library's form (64 hexadecimal characters), so that tests do not meet. */
export const storeKey = (): string => crypto.randomBytes(32).toString("hex")

/** A fresh encryption key in base64, in clear. */
export const freshKey = (): string => crypto.randomBytes(32).toString("base64")

/** A client of the test's own on `url`, closed with the test's scope. */
export const client = (
  url: string,
  options: { readonly protocol?: 2 | 3; readonly stringNumbers?: boolean; readonly enableOfflineQueue?: boolean } = {}
) =>
  Effect.acquireRelease(
    Effect.sync(() => new Redis(url, options)),
    (redis) => Effect.promise(() => redis.quit().then(() => undefined, () => redis.disconnect()))
  )

/** The `TokenStoreError` `effect` fails with; the test fails on a success or on anything else. */
export const storeError = <A>(effect: Effect.Effect<A, TokenStore.TokenStoreError>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    const error = Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause) : undefined
    if (error?._tag !== "Some") return assert.fail(`expected a TokenStoreError, got ${String(exit)}`)
    return { error: error.value, cause: (exit as Exit.Failure<A, TokenStore.TokenStoreError>).cause }
  })

/** `cause` and its error or defect as each printer shows them. */
export const printed = (cause: Cause.Cause<unknown>): ReadonlyArray<string> => {
  const shown = Cause.squash(cause)
  return [
    Cause.pretty(cause),
    String(shown),
    String((shown as Error).stack),
    JSON.stringify(shown),
    JSON.stringify(cause),
    util.inspect(shown, { depth: Infinity, showHidden: true }),
    util.inspect(cause, { depth: Infinity })
  ]
}

/** Fails when any text holds 8 characters in a row of `secret` (named `what`, never printed). */
export const assertHidden = (texts: ReadonlyArray<string>, secret: string, what: string) => {
  const pieces = Array.from({ length: Math.max(0, secret.length - 7) }, (_, at) => secret.slice(at, at + 8))
  for (const text of texts) {
    const piece = pieces.findIndex((piece) => text.includes(piece))
    if (piece !== -1) assert.fail(`a printed error holds characters ${piece}..${piece + 8} of ${what}`)
  }
}
