/**
 * A token store in the memory of one process, as plain data: tokens and leases under string keys, each entry expiring
 * at a time on the caller's clock (each Effect line passes its monotonic clock's millis, so that a test clock drives
 * it and a step of the wall clock does not). The atomic steps a shared store must offer — take a lease unless it is
 * held, replace a stale one, renew or release it only for its holder, delete a token only while it is the one given —
 * are each one synchronous call here.
 */

/** An entry and when it expires, in the caller's millis. */
interface Entry<A> {
  readonly value: A
  readonly expiresAt: number
}

/**
 * A lease's outcome: taken (`replacedStale` when the lease there had no expiry, or more time left than the one asked
 * for), or held by another.
 *
 * @since 0.1.0
 * @category models
 */
export type LeaseOutcome =
  | { readonly _tag: "Acquired"; readonly id: string; readonly replacedStale: boolean }
  | { readonly _tag: "Held" }

/**
 * The store. `Token` is the line's token; `valueOf` gives the value `deleteIf` compares.
 *
 * @since 0.1.0
 * @category models
 */
export class MemoryStore<Token> {
  private readonly tokens = new Map<string, Entry<Token>>()
  private readonly leases = new Map<string, Entry<string>>()
  private nextLease = 0

  constructor(private readonly valueOf: (token: Token) => string) {}

  /** The token under `key` and its time left, while it lives. */
  get(key: string, now: number): { readonly token: Token; readonly timeToLiveMillis: number } | undefined {
    const entry = live(this.tokens, key, now)
    return entry === undefined ? undefined : { token: entry.value, timeToLiveMillis: entry.expiresAt - now }
  }

  /** Stores `token` under `key` for `timeToLiveMillis`, replacing any token there. */
  set(key: string, token: Token, timeToLiveMillis: number, now: number): void {
    this.tokens.set(key, { value: token, expiresAt: now + timeToLiveMillis })
  }

  /** Takes the lease of `key` for `timeToLiveMillis` unless another holds it; a stale one is replaced. */
  acquireLease(key: string, timeToLiveMillis: number, now: number): LeaseOutcome {
    const current = live(this.leases, key, now)
    const stale = current !== undefined && current.expiresAt - now > timeToLiveMillis
    if (current !== undefined && !stale) return { _tag: "Held" }
    const id = `lease-${++this.nextLease}`
    this.leases.set(key, { value: id, expiresAt: now + timeToLiveMillis })
    return { _tag: "Acquired", id, replacedStale: stale }
  }

  /** Gives the lease of `key` `timeToLiveMillis` from now if `id` still holds it; whether it did. */
  renewLease(key: string, id: string, timeToLiveMillis: number, now: number): boolean {
    if (live(this.leases, key, now)?.value !== id) return false
    this.leases.set(key, { value: id, expiresAt: now + timeToLiveMillis })
    return true
  }

  /** Releases the lease of `key` if `id` still holds it. */
  releaseLease(key: string, id: string): void {
    if (this.leases.get(key)?.value === id) this.leases.delete(key)
  }

  /** Deletes the token of `key` if it still lives and has the value `tokenValue`; whether it did. */
  deleteIf(key: string, tokenValue: string, now: number): boolean {
    const entry = live(this.tokens, key, now)
    if (entry === undefined || this.valueOf(entry.value) !== tokenValue) return false
    this.tokens.delete(key)
    return true
  }
}

/** The entry of `key` while it lives; an expired one is dropped. */
const live = <A>(entries: Map<string, Entry<A>>, key: string, now: number): Entry<A> | undefined => {
  const entry = entries.get(key)
  if (entry === undefined || entry.expiresAt > now) return entry
  entries.delete(key)
  return undefined
}
