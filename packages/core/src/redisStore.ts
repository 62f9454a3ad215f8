/**
 * The token store on Redis, as Redis sees it: the key layout, the scripts, what their replies mean, and a failure in
 * words. Each Effect line's store sends these and turns what they read into its own types.
 *
 * One entry per token request key, `<prefix>{<key>}:token`, and its lease, `<prefix>{<key>}:lease`. The braces are
 * the one hash tag of both, so on a Cluster every command and script of an entry runs on one slot.
 *
 * - `get`: GET and PTTL in one script (atomic, one round trip); the time left is the entry's PTTL.
 * - `set`: `SET key entry PX ttl` (a ttl under 1 ms deletes the entry, as it would be gone at once).
 * - `acquireLease`: a script: `SET leaseKey <random id> NX PX ttl`; when another lease is there with no expiry or more
 *   time left than `ttl` (stale: a replica renews its lease for `ttl` at most), it is replaced in the same script.
 * - `renewLease`: compare-and-expire script (`PEXPIRE` if the lease still holds the id); `releaseLease`:
 *   compare-and-delete script.
 * - `deleteIf`: GET, open and compare the token in the process, then compare-and-delete against the exact string
 *   read, so it works on sealed entries whose ciphertext differs on every write.
 *
 * A reply is a number, or a string of digits on a client made with `stringNumbers: true`; RESP2 and RESP3 alike.
 */

/**
 * The prefix of every key when none is given.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultKeyPrefix = "effect-oauth2:"

/**
 * How a store reaches Redis, `Client` being a line's ioredis `Redis` or `Cluster` and `Secret` how it holds a secret:
 * - `{ client }`: a client of the caller's, used as it is and not closed with the store. Created with
 *   `enableOfflineQueue: false`, its commands fail at once while Redis is away instead of queueing until the
 *   library's timeout.
 * - `{ url }`: a `redis://` or `rediss://` URL (a `Secret` when it holds a password). The store creates the client
 *   with `enableOfflineQueue: false`, does not wait for it to connect, and closes it when it closes.
 *
 * @since 0.1.0
 * @category models
 */
export type Connection<Client, Secret> = { readonly client: Client } | { readonly url: string | Secret }

/**
 * - `keyPrefix`: put before every key; default `"effect-oauth2:"`.
 * - `encryptionKey`: 32 random bytes in base64 (`openssl rand -base64 32`), the same on every replica; entries are
 *   then sealed with AES-256-GCM, the Redis key authenticated with them. Recommended: without it, anyone who can
 *   read the Redis database can read the tokens.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreOptions<Secret> {
  readonly keyPrefix?: string | undefined
  readonly encryptionKey?: Secret | undefined
}

/**
 * What a store's layer reads from `Config`: the `url` of `Connection`, and `StoreOptions`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions<Secret> extends StoreOptions<Secret> {
  readonly url: string | Secret
}

/**
 * The name the store's own connections give themselves (`CLIENT LIST` shows it).
 *
 * @since 0.1.0
 * @category models
 */
export const connectionName = "effect-oauth2-token-store"

/**
 * The Redis key of the token entry of `key`: `<prefix>{<key>}:token`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenKey = (prefix: string, key: string): string => `${prefix}{${key}}:token`

/**
 * The Redis key of the lease of `key`: `<prefix>{<key>}:lease`, on the same Cluster slot as its token entry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const leaseKey = (prefix: string, key: string): string => `${prefix}{${key}}:lease`

/**
 * `KEYS[1]`: the token key. The entry and its PTTL, or `nil` when there is none.
 *
 * @since 0.1.0
 * @category models
 */
export const getScript = `local entry = redis.call("GET", KEYS[1])
if not entry then return false end
return {entry, redis.call("PTTL", KEYS[1])}`

/**
 * `KEYS[1]`: the key, `ARGV[1]`: the value it must hold. 1 when it held it and is deleted, else 0.
 *
 * @since 0.1.0
 * @category models
 */
export const compareAndDeleteScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`

/**
 * `KEYS[1]`: the lease key, `ARGV[1]`: the new lease's id, `ARGV[2]`: its ttl in millis. 1: acquired; 2: acquired in
 * place of a stale lease (no expiry, or more than the ttl left); 0: held by another.
 *
 * @since 0.1.0
 * @category models
 */
export const acquireLeaseScript = `if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end
local left = redis.call("PTTL", KEYS[1])
if left == -1 or left > tonumber(ARGV[2]) then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return 2
end
return 0`

/**
 * `KEYS[1]`: the lease key, `ARGV[1]`: the id it must hold, `ARGV[2]`: the ttl in millis. 1 when it held the id and
 * has the ttl again, else 0.
 *
 * @since 0.1.0
 * @category models
 */
export const compareAndExpireScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`

/**
 * A ttl in whole millis for `SET … PX`; under 1, the entry is to be deleted instead.
 *
 * @since 0.1.0
 * @category constructors
 */
export const entryMillis = (millis: number): number => Math.floor(millis)

/**
 * A lease's ttl in whole millis, at least 1 (Redis refuses `PX 0`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const leaseMillis = (millis: number): number => Math.max(1, Math.floor(millis))

/**
 * What went wrong with a reply, as the store's error says it: `Unavailable` (Redis answered something the store does
 * not know) or `InvalidEntry` (the entry is not one the store reads), with a fixed text.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  readonly _tag: "Failure"
  readonly reason: "Unavailable" | "InvalidEntry"
  readonly detail: string
}

const failure = (reason: Failure["reason"], detail: string): Failure => ({ _tag: "Failure", reason, detail })

const unexpectedReply = failure("Unavailable", "unexpected reply")

/** An integer reply: a number, or a string of digits on a client made with `stringNumbers: true`. */
const integer = (reply: unknown): number | undefined => {
  const value = typeof reply === "number" || typeof reply === "string" && /^-?\d+$/.test(reply)
    ? Number(reply)
    : Number.NaN
  return Number.isSafeInteger(value) ? value : undefined
}

/**
 * What the get script's reply says: no entry, the entry's text and its time left in millis, or a failure.
 *
 * @since 0.1.0
 * @category models
 */
export type GetReply =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Found"; readonly entry: string; readonly timeLeftMillis: number }
  | Failure

/**
 * Reads the get script's reply. An entry without an expiry (PTTL -1: stored by something else) is an `InvalidEntry`:
 * every entry must end.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readGetReply = (reply: unknown): GetReply => {
  if (reply === null) return { _tag: "Missing" }
  if (!Array.isArray(reply) || reply.length !== 2) return unexpectedReply
  const [entry, pttl] = reply as [unknown, unknown]
  const timeLeftMillis = integer(pttl)
  if (timeLeftMillis === undefined) return unexpectedReply
  if (timeLeftMillis < 0) return failure("InvalidEntry", "the entry has no expiry")
  if (typeof entry !== "string") return failure("InvalidEntry", "not a string entry")
  return { _tag: "Found", entry, timeLeftMillis }
}

/**
 * What the acquire-lease script's reply says: acquired (in place of a stale lease, or not), held by another, or a
 * failure.
 *
 * @since 0.1.0
 * @category models
 */
export type AcquireReply =
  | { readonly _tag: "Acquired"; readonly replacedStale: boolean }
  | { readonly _tag: "Held" }
  | Failure

/**
 * Reads the acquire-lease script's reply: 1 acquired, 2 acquired in place of a stale lease, 0 held.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readAcquireReply = (reply: unknown): AcquireReply => {
  switch (integer(reply)) {
    case 1:
      return { _tag: "Acquired", replacedStale: false }
    case 2:
      return { _tag: "Acquired", replacedStale: true }
    case 0:
      return { _tag: "Held" }
    default:
      return unexpectedReply
  }
}

/**
 * Whether a compare-and-delete or compare-and-expire reply says the script acted: 1.
 *
 * @since 0.1.0
 * @category constructors
 */
export const acted = (reply: unknown): boolean => integer(reply) === 1

const word = /^[A-Za-z][\w-]{0,63}$/

/**
 * The kind of an ioredis failure, in words that cannot hold a key or an entry: a system error's code
 * (`ECONNREFUSED`), a Redis error's leading code word (`ReplyError WRONGTYPE`), or the error's class name.
 *
 * @since 0.1.0
 * @category constructors
 */
export const describeFailure = (error: unknown): string => {
  if (!(error instanceof Error)) return "unknown failure"
  const code = (error as { readonly code?: unknown }).code
  if (typeof code === "string" && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) return code
  // ioredis' own messages (fixed texts, no arguments in them)
  if (error.message.includes("enableOfflineQueue")) return "not connected (offline queue off)"
  if (error.message.startsWith("Connection is closed")) return "connection closed"
  const name = word.test(error.name) ? error.name : "Error"
  if (name === "ReplyError") {
    const redisCode = /^([A-Z][A-Z_]{1,31})\b/.exec(error.message)
    if (redisCode !== null) return `${name} ${redisCode[1]}`
  }
  return name
}

/**
 * What an invalid `url` is called, in words that hold nothing of it: Node's URL parser (which ioredis uses) would
 * quote the whole URL, password included, in its error's `input`.
 *
 * @since 0.1.0
 * @category models
 */
export const invalidUrlMessage =
  "url is not a valid redis:// or rediss:// URL (redis[s]://[[username]:password@]host[:port][/db], no spaces); " +
  "its value is not shown"

/**
 * Whether `url` is a string the store can be given: `redis:` or `rediss:` as Node's URL parser reads it (a valid host
 * and port), with no whitespace or control character anywhere.
 *
 * @since 0.1.0
 * @category guards
 */
export const isValidUrl = (url: unknown): boolean => {
  // eslint-disable-next-line no-control-regex
  if (typeof url !== "string" || /[\s\u0000-\u001f\u007f]/.test(url) || !URL.canParse(url)) return false
  const { protocol } = new URL(url)
  return protocol === "redis:" || protocol === "rediss:"
}
