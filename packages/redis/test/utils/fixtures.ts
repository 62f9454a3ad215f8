/**
 * What the store tests share: tokens, clients of the suite's Redis, and the checks that nothing shows a secret.
 */
import { AccessToken, TokenStore } from "@effect-oauth2/client-credentials"
import { assert } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Redis } from "ioredis"
import * as crypto from "node:crypto"
import * as util from "node:util"

/** A token whose value is `value` (random by default), issued now for an hour. */
export const token = (value: string = `tok-${crypto.randomBytes(24).toString("base64url")}`) =>
  AccessToken.AccessToken.make({
    value: Redacted.make(value),
    tokenType: "Bearer",
    scopes: ["orders:read", "orders:write"],
    issuedAt: DateTime.unsafeMake(1_700_000_000_000),
    expiresAt: DateTime.unsafeMake(1_700_003_600_000)
  })

/** A store key as the library makes them: 64 hexadecimal characters, random so tests do not meet. */
export const storeKey = (): string => crypto.randomBytes(32).toString("hex")

/** A fresh encryption key, base64. */
export const encryptionKey = (): Redacted.Redacted<string> => Redacted.make(crypto.randomBytes(32).toString("base64"))

/** An ioredis client of `url` for the scope (quit when it closes). */
export const client = (
  url: string,
  options: { readonly enableOfflineQueue?: boolean; readonly protocol?: 2 | 3; readonly stringNumbers?: boolean } = {}
) =>
  Effect.acquireRelease(
    Effect.sync(() => new Redis(url, options)),
    (client) => Effect.promise(() => client.quit().catch(() => client.disconnect()))
  )

/** The error an operation failed with (the test fails on a success or a defect). */
export const failure = <A>(effect: Effect.Effect<A, TokenStore.TokenStoreError>) =>
  Effect.flatMap(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return Effect.dieMessage("expected a TokenStoreError, got a success")
    const error = Cause.failureOption(exit.cause)
    if (Option.isNone(error)) return Effect.dieMessage(`expected a TokenStoreError, got ${Cause.pretty(exit.cause)}`)
    return Effect.succeed({ error: error.value, cause: exit.cause })
  })

/** Every way an error tends to get printed. */
export const renderings = (error: unknown, cause: Cause.Cause<unknown>): ReadonlyArray<string> => [
  String(error),
  (error as Error).message,
  String((error as Error).stack),
  JSON.stringify(error),
  Inspectable.format(error),
  util.inspect(error, { depth: Infinity, showHidden: true }),
  Cause.pretty(cause),
  JSON.stringify(cause),
  util.inspect(cause, { depth: Infinity })
]

/** Fails when `text` holds any 8 consecutive characters of `secret` (named by `name`, never printed). */
export const assertNoPiece = (what: string, text: string, name: string, secret: string) => {
  for (let at = 0; at + 8 <= secret.length; at++) {
    if (text.includes(secret.slice(at, at + 8))) assert.fail(`${what} holds characters ${at}..${at + 8} of ${name}`)
  }
}

/** The Redis Cluster slot of `key` (CRC16/XMODEM of its hash tag, or of the whole key, modulo 16384). */
export const clusterSlot = (key: string): number => {
  const open = key.indexOf("{")
  const close = open === -1 ? -1 : key.indexOf("}", open + 1)
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key
  let crc = 0
  for (const byte of Buffer.from(hashed, "utf8")) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc % 16384
}
