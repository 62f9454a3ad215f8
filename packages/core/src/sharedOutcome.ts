/**
 * The outcome of one piece of work shared by many callers (a token fetch, a read of the issuer's metadata), and the
 * callers that wait for it. Each Effect line's `sharedWork.ts` suspends a caller on it. A waiter is counted in when it
 * starts waiting and out when it leaves, told whether it was the last, so that the shell can stop work nobody waits
 * for; a waiter that comes after the outcome has it at once. The first outcome is the one that counts.
 */

/**
 * The outcome of shared work, and its waiters.
 *
 * @since 0.1.0
 * @category models
 */
export class SharedOutcome<O> {
  private readonly waiters = new Set<(outcome: O) => void>()
  private done: { readonly outcome: O } | undefined

  /** Whether the outcome is in. */
  get isDone(): boolean {
    return this.done !== undefined
  }

  /**
   * Resumes `resume` with the outcome: at once when it is in (and gives `undefined`), else when it comes; then gives
   * how the waiter leaves before it comes, which says whether it was the last one waiting.
   */
  wait(resume: (outcome: O) => void): (() => boolean) | undefined {
    if (this.done !== undefined) {
      resume(this.done.outcome)
      return undefined
    }
    this.waiters.add(resume)
    return () => {
      this.waiters.delete(resume)
      return this.waiters.size === 0
    }
  }

  /** Resumes every waiter with `outcome`, and every later one at once; an outcome after the first changes nothing. */
  complete(outcome: O): void {
    if (this.done !== undefined) return
    this.done = { outcome }
    const waiters = Array.from(this.waiters)
    this.waiters.clear()
    for (const resume of waiters) resume(outcome)
  }
}
