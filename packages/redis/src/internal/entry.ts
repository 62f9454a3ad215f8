/**
 * An `AccessToken` as a token entry holds it, and back: the entry's format, seal and checks are the core's
 * (`@effect-oauth2/core/tokenEntry`); this is the turning of its plain data into the Effect line's types.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import * as TokenEntry from "@effect-oauth2/core/tokenEntry"
import * as DateTime from "effect/DateTime"
import * as Redacted from "effect/Redacted"
import type * as crypto from "node:crypto"

/** The key, from its `Redacted` base64 form; `undefined` when it is not 32 bytes in base64 (or base64url). */
export const parseKey = (encoded: Redacted.Redacted<string>): crypto.KeyObject | undefined =>
  TokenEntry.parseKey(Redacted.value(encoded))

/** The token types an entry may hold: `AccessToken`'s. */
export const tokenTypes = AccessToken.TokenType.literals

/** `token` as an entry holds it. */
export const toEntry = (token: AccessToken.AccessToken): TokenEntry.EntryToken<AccessToken.TokenType> => ({
  value: Redacted.value(token.value),
  tokenType: token.tokenType,
  scopes: token.scopes,
  issuedAt: DateTime.formatIso(token.issuedAt),
  expiresAt: DateTime.formatIso(token.expiresAt)
})

/** The token an entry holds (read and checked by the core). */
export const fromEntry = (
  { expiresAt, issuedAt, scopes, tokenType, value }: TokenEntry.EntryToken<AccessToken.TokenType>
): AccessToken.AccessToken =>
  AccessToken.AccessToken.make({
    value: Redacted.make(value),
    tokenType,
    scopes,
    issuedAt: DateTime.unsafeMake(issuedAt),
    expiresAt: DateTime.unsafeMake(expiresAt)
  })
