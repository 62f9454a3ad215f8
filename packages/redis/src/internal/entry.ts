/**
 * An `AccessToken` as a token entry holds it, and back: the entry's format, seal and checks are the core's
 * (`@effect-oauth2/core/tokenEntry`); this is the turning of its plain data into the Effect line's types.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import * as TokenEntry from "@effect-oauth2/core/tokenEntry"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type * as crypto from "node:crypto"

/** The key, from its `Redacted` base64 form; `undefined` when it is not 32 bytes in base64 (or base64url). */
export const parseKey = (encoded: Redacted.Redacted<string>): crypto.KeyObject | undefined =>
  TokenEntry.parseKey(Redacted.value(encoded))

/** Encodes `token` as the entry to store under `redisKey`: plain, or sealed with `key`. */
export const encode = (token: AccessToken.AccessToken, redisKey: string, key: crypto.KeyObject | undefined): string =>
  TokenEntry.encode(
    {
      value: Redacted.value(token.value),
      tokenType: token.tokenType,
      scopes: token.scopes,
      issuedAt: DateTime.formatIso(token.issuedAt),
      expiresAt: DateTime.formatIso(token.expiresAt)
    },
    redisKey,
    key
  )

/** Reads the entry stored under `redisKey`: its token, or why it does not read (a fixed text). */
export const decode = (
  text: string,
  redisKey: string,
  key: crypto.KeyObject | undefined
): Either.Either<AccessToken.AccessToken, string> => {
  const entry = TokenEntry.decode(text, redisKey, key, AccessToken.TokenType.literals)
  if (entry._tag === "Invalid") return Either.left(entry.problem)
  const { expiresAt, issuedAt, scopes, tokenType, value } = entry.value
  return Either.right(AccessToken.AccessToken.make({
    value: Redacted.make(value),
    tokenType,
    scopes,
    issuedAt: DateTime.unsafeMake(issuedAt),
    expiresAt: DateTime.unsafeMake(expiresAt)
  }))
}
