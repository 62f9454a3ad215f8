/**
 * A map that keeps at most `capacity` entries and drops the least recently used one first, passing over the entries
 * that may not be dropped yet (so it may hold more for a while).
 *
 * `TokenService` keeps its cells here rather than in Effect's `Cache`: that `Cache` (effect 3.22) links a new key
 * node for the pending lookup and another for the completed entry, and the stale one, once it reaches the head of
 * the list, evicts the live entry of its key. `Cache.make({ capacity: 3 })` asked for `a, b, c, a, d` keeps
 * `b, c, d`: it drops the entry just used. Its other ways to drop an entry (`invalidate`, `refresh`, `set`) leave a
 * node for good while the map is under capacity, so the heap grows with every dropped token.
 */
export class LruMap<K, V> {
  /** In order of use: the first key is the least recently used. */
  private readonly entries = new Map<K, V>()

  /**
   * @param canDrop whether a value may be dropped now: values that may not (work in flight) are passed over, and the
   * map holds more than `capacity` entries until they may.
   */
  constructor(private readonly capacity: number, private readonly canDrop: (value: V) => boolean = () => true) {}

  /** The value of `key`, now the most recently used; `make`'s value when there was none. */
  getOrCreate(key: K, make: () => V): V {
    const found = this.entries.get(key)
    if (found !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, found)
      return found
    }
    const created = make()
    this.entries.set(key, created)
    this.dropOverCapacity(created)
    return created
  }

  /** Drops the least recently used values that may be dropped, never `kept`, until the map is within its capacity. */
  private dropOverCapacity(kept: V): void {
    let excess = this.entries.size - this.capacity
    if (excess <= 0) return
    for (const [key, value] of this.entries) {
      if (value !== kept && this.canDrop(value)) {
        this.entries.delete(key)
        if (--excess === 0) return
      }
    }
  }

  /** Every value, least recently used first, without counting as a use. */
  values(): IterableIterator<V> {
    return this.entries.values()
  }
}
