/**
 * The DPoP nonces a client was last given, one per origin (RFC 9449 §8.2: a nonce is used until the server gives
 * another), bounded: past `capacity` origins, the one used least recently is forgotten. A forgotten nonce costs one
 * more `use_dpop_nonce` answer, never a wrong proof. Keyed by a URL's origin, so that every path of a server shares its
 * nonce and a caller cannot key by a full URL by mistake.
 *
 * A `Map` keeps its keys in insertion order; reading or writing an origin moves it to the end, so the first key is
 * always the one used least recently.
 */
import * as urls from "./urls.js"

/**
 * The number of origins remembered when no other is given.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultCapacity = 100

/**
 * The nonces of up to `capacity` origins, the least recently used forgotten first.
 *
 * @since 0.1.0
 * @category models
 */
export class NonceMemory {
  private readonly nonces = new Map<string, string>()

  /** Throws a `RangeError` when `capacity` is not a positive integer. */
  constructor(readonly capacity: number = defaultCapacity) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer")
  }

  /** The nonce last given by `url`'s origin, if it is remembered; the origin becomes the most recently used. */
  get(url: URL): string | undefined {
    const origin = urls.origin(url)
    const nonce = this.nonces.get(origin)
    if (nonce !== undefined) {
      this.nonces.delete(origin)
      this.nonces.set(origin, nonce)
    }
    return nonce
  }

  /**
   * Remembers `nonce` (a value `dpopNonce.nonceOf` gave) for `url`'s origin, replacing the one there; past
   * `capacity`, the origin used least recently is forgotten.
   */
  set(url: URL, nonce: string): void {
    const origin = urls.origin(url)
    this.nonces.delete(origin)
    this.nonces.set(origin, nonce)
    if (this.nonces.size > this.capacity) {
      const oldest = this.nonces.keys().next()
      if (oldest.done !== true) this.nonces.delete(oldest.value)
    }
  }

  /** Forgets the nonce of `url`'s origin. */
  delete(url: URL): void {
    this.nonces.delete(urls.origin(url))
  }

  /** The number of origins remembered. */
  get size(): number {
    return this.nonces.size
  }
}
