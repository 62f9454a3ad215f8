/**
 * What a token looks like in Redis, and the optional seal around it.
 *
 * An entry is JSON, versioned: `{"v":1,"token":{…}}` with the token in `AccessToken`'s encoded form, or, with an
 * encryption key, `{"v":1,"sealed":"<base64>"}` where the base64 holds a random 12-byte IV, the AES-256-GCM
 * ciphertext of the plain entry and its 16-byte tag, the entry's Redis key being the additional authenticated data
 * (an entry copied under another key does not open). A store with a key reads sealed entries only, a store without
 * one plain entries only. Whatever does not read is described by a fixed text that never quotes the entry.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as crypto from "node:crypto"

const Plain = Schema.parseJson(Schema.Struct({ v: Schema.Literal(1), token: AccessToken.AccessToken }))
const Sealed = Schema.parseJson(Schema.Struct({ v: Schema.Literal(1), sealed: Schema.String }))
const Version = Schema.parseJson(Schema.Struct({ v: Schema.Literal(1) }))

const encodePlain = Schema.encodeSync(Plain)
const decodePlain = Schema.decodeUnknownEither(Plain)
const decodeSealed = Schema.decodeUnknownEither(Sealed)
const decodeVersion = Schema.decodeUnknownEither(Version)

const ivLength = 12
const tagLength = 16
const base64 = /^[A-Za-z0-9+/]*={0,2}$/

/** The 32-byte AES-256 key, from its base64 form; `undefined` when it is not 32 bytes in base64 (or base64url). */
export const parseKey = (encoded: Redacted.Redacted<string>): crypto.KeyObject | undefined => {
  const text = Redacted.value(encoded).trim()
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined
  const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64")
  if (bytes.length !== 32) return undefined
  // a KeyObject prints as `SecretKeyObject { type: 'secret', symmetricKeySize: 32 }`, never its bytes
  const key = crypto.createSecretKey(bytes)
  bytes.fill(0)
  return key
}

/** The message of a key that does not parse: it says what is expected and shows nothing of what was given. */
export const invalidKeyMessage =
  "encryptionKey must be 32 bytes in base64 (e.g. the output of `openssl rand -base64 32`)"

const seal = (key: crypto.KeyObject, redisKey: string, plaintext: string): string => {
  const iv = crypto.randomBytes(ivLength)
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv, { authTagLength: tagLength })
  cipher.setAAD(Buffer.from(redisKey, "utf8"))
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")
}

const open = (key: crypto.KeyObject, redisKey: string, sealed: string): string | undefined => {
  if (!base64.test(sealed)) return undefined
  const bytes = Buffer.from(sealed, "base64")
  if (bytes.length <= ivLength + tagLength) return undefined
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, bytes.subarray(0, ivLength), {
      authTagLength: tagLength
    })
    decipher.setAAD(Buffer.from(redisKey, "utf8"))
    decipher.setAuthTag(bytes.subarray(bytes.length - tagLength))
    return Buffer.concat([decipher.update(bytes.subarray(ivLength, bytes.length - tagLength)), decipher.final()])
      .toString("utf8")
  } catch {
    return undefined
  }
}

/** Encodes `token` as the entry to store under `redisKey`: plain, or sealed with `key`. */
export const encode = (token: AccessToken.AccessToken, redisKey: string, key: crypto.KeyObject | undefined): string => {
  const plain = encodePlain({ v: 1, token })
  return key === undefined ? plain : JSON.stringify({ v: 1, sealed: seal(key, redisKey, plain) })
}

const readPlain = (text: string): Either.Either<AccessToken.AccessToken, string> =>
  Either.match(decodePlain(text), {
    // the parse error quotes the entry: only a fixed text leaves this module
    onLeft: () => Either.left("not a version 1 token entry"),
    onRight: ({ token }) =>
      AccessToken.isValidValue(Redacted.value(token.value))
        ? Either.right(token)
        : Either.left("its token is not a valid access token")
  })

/**
 * Reads the entry stored under `redisKey`: its token, or why it does not read (a fixed text: garbage, another
 * version, sealed with another key or altered, sealed where this store does not seal, or the reverse).
 */
export const decode = (
  text: string,
  redisKey: string,
  key: crypto.KeyObject | undefined
): Either.Either<AccessToken.AccessToken, string> => {
  const sealed = decodeSealed(text)
  if (key === undefined) {
    if (Either.isRight(sealed)) return Either.left("the entry is sealed, and this store has no encryptionKey")
    return readPlain(text)
  }
  if (Either.isLeft(sealed)) {
    const version = decodeVersion(text)
    return Either.left(
      Either.isRight(version)
        ? "the entry is not sealed, and this store reads sealed entries only"
        : "not a version 1 token entry"
    )
  }
  const plaintext = open(key, redisKey, sealed.right.sealed)
  return plaintext === undefined
    ? Either.left("the sealed entry does not open with this encryptionKey (another key, or altered)")
    : readPlain(plaintext)
}
