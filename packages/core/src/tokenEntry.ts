/**
 * What a token looks like in a shared store, and the optional seal around it. Node only: it uses `node:crypto`.
 *
 * An entry is JSON, versioned: `{"v":1,"token":{…}}` with the token's fields as `EntryToken` lists them (the encoded
 * form of the Effect lines' `AccessToken`), or, with an encryption key, `{"v":1,"sealed":"<base64>"}` where the
 * base64 holds a random 12-byte IV, the AES-256-GCM ciphertext of the plain entry and its 16-byte tag, the key the
 * entry is stored under being the additional authenticated data (an entry copied under another key does not open). A
 * store with a key reads sealed entries only, a store without one plain entries only. Whatever does not read is
 * described by a fixed text that never quotes the entry.
 */
import * as crypto from "node:crypto"
import { type Checked, invalid, valid } from "./checked.js"
import { isTokenValue } from "./tokenResponse.js"

/**
 * A token as an entry holds it: its value in clear, its type, its scopes, and when it was issued and expires as
 * `Date.prototype.toISOString` writes them (`2024-01-01T00:00:00.000Z`).
 *
 * @since 0.1.0
 * @category models
 */
export interface EntryToken<T extends string = string> {
  readonly value: string
  readonly tokenType: T
  readonly scopes: ReadonlyArray<string>
  readonly issuedAt: string
  readonly expiresAt: string
}

/**
 * The message of a key that does not parse: it says what is expected and shows nothing of what was given.
 *
 * @since 0.1.0
 * @category models
 */
export const invalidKeyMessage =
  "encryptionKey must be 32 bytes in base64 (e.g. the output of `openssl rand -base64 32`)"

/**
 * The 32-byte AES-256 key, from its base64 (or base64url) form, spaces around it ignored; `undefined` when it is not
 * 32 bytes so encoded. A `KeyObject` prints as `SecretKeyObject { type: 'secret', symmetricKeySize: 32 }`, never its
 * bytes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseKey = (encoded: string): crypto.KeyObject | undefined => {
  const text = encoded.trim()
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined
  // Node's base64 decoder reads the base64url alphabet too
  const bytes = Buffer.from(text, "base64")
  if (bytes.length !== 32) return undefined
  const key = crypto.createSecretKey(bytes)
  bytes.fill(0)
  return key
}

const ivLength = 12
const tagLength = 16
const base64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * `plaintext` sealed with `key` for the entry stored under `storeKey`: base64 of a random IV, the AES-256-GCM
 * ciphertext and its tag, `storeKey` authenticated with them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const seal = (key: crypto.KeyObject, storeKey: string, plaintext: string): string => {
  const iv = crypto.randomBytes(ivLength)
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv, { authTagLength: tagLength })
  cipher.setAAD(Buffer.from(storeKey, "utf8"))
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")
}

/**
 * The plaintext `sealed` holds; `undefined` when it is not a sealed text, was sealed with another key or for another
 * `storeKey`, or was altered.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open = (key: crypto.KeyObject, storeKey: string, sealed: string): string | undefined => {
  if (!base64.test(sealed)) return undefined
  const bytes = Buffer.from(sealed, "base64")
  if (bytes.length <= ivLength + tagLength) return undefined
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, bytes.subarray(0, ivLength), {
      authTagLength: tagLength
    })
    decipher.setAAD(Buffer.from(storeKey, "utf8"))
    decipher.setAuthTag(bytes.subarray(bytes.length - tagLength))
    return Buffer.concat([decipher.update(bytes.subarray(ivLength, bytes.length - tagLength)), decipher.final()])
      .toString("utf8")
  } catch {
    return undefined
  }
}

/**
 * Encodes `token` as the entry to store under `storeKey`: plain, or sealed with `key`. The plain entry's fields are in
 * a fixed order, `v` then `token` with `value`, `tokenType`, `scopes`, `issuedAt`, `expiresAt`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const encode = (token: EntryToken, storeKey: string, key: crypto.KeyObject | undefined): string => {
  const plain = JSON.stringify({
    v: 1,
    token: {
      value: token.value,
      tokenType: token.tokenType,
      scopes: token.scopes,
      issuedAt: token.issuedAt,
      expiresAt: token.expiresAt
    }
  })
  return key === undefined ? plain : JSON.stringify({ v: 1, sealed: seal(key, storeKey, plain) })
}

const notAnEntry = "not a version 1 token entry"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** An instant as `toISOString` writes it, and nothing else: no other form, no day 31 of a 30-day month. */
const isIsoInstant = (value: unknown): value is string => {
  if (typeof value !== "string") return false
  const millis = Date.parse(value)
  return Number.isFinite(millis) && new Date(millis).toISOString() === value
}

const readToken = <T extends string>(value: unknown, tokenTypes: ReadonlyArray<T>): EntryToken<T> | undefined => {
  if (!isRecord(value)) return undefined
  const { expiresAt, issuedAt, scopes, tokenType } = value
  if (
    typeof value.value !== "string" ||
    !tokenTypes.includes(tokenType as T) ||
    !Array.isArray(scopes) || !scopes.every((scope) => typeof scope === "string") ||
    !isIsoInstant(issuedAt) || !isIsoInstant(expiresAt)
  ) return undefined
  return { value: value.value, tokenType: tokenType as T, scopes: [...scopes], issuedAt, expiresAt }
}

const readPlain = <T extends string>(json: unknown, tokenTypes: ReadonlyArray<T>): Checked<EntryToken<T>> => {
  const token = isRecord(json) && json.v === 1 ? readToken(json.token, tokenTypes) : undefined
  if (token === undefined) return invalid(notAnEntry)
  return isTokenValue(token.value) ? valid(token) : invalid("its token is not a valid access token")
}

/**
 * Reads the entry stored under `storeKey`: its token, whose type is one of `tokenTypes` (compared exactly), or why it
 * does not read (a fixed text: garbage, another version, sealed with another key or altered, sealed where this store
 * does not seal, or the reverse; never a part of the entry).
 *
 * @since 0.1.0
 * @category constructors
 */
export const decode = <T extends string>(
  text: string,
  storeKey: string,
  key: crypto.KeyObject | undefined,
  tokenTypes: ReadonlyArray<T>
): Checked<EntryToken<T>> => {
  const json = parseJson(text)
  const versioned = isRecord(json) && json.v === 1
  const sealed = versioned && typeof json.sealed === "string" ? json.sealed : undefined
  if (key === undefined) {
    return sealed === undefined
      ? readPlain(json, tokenTypes)
      : invalid("the entry is sealed, and this store has no encryptionKey")
  }
  if (sealed === undefined) {
    return invalid(versioned ? "the entry is not sealed, and this store reads sealed entries only" : notAnEntry)
  }
  const plaintext = open(key, storeKey, sealed)
  return plaintext === undefined
    ? invalid("the sealed entry does not open with this encryptionKey (another key, or altered)")
    : readPlain(parseJson(plaintext), tokenTypes)
}
