/**
 * `Retry-After` (RFC 9110 §10.2.3): how long a server asks to be left alone, capped.
 */

/**
 * The longest `Retry-After` honoured, in millis: 60 seconds.
 *
 * @since 0.1.0
 * @category models
 */
export const maxRetryAfterMillis = 60_000

/**
 * The wait `header` asks for, in millis from `now` (epoch millis of the wall clock, as an HTTP date is): delay-seconds
 * or an HTTP date, at least 0 and at most `maxRetryAfterMillis`; `undefined` when absent or unreadable.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (header: string | undefined, now: number): number | undefined => {
  if (header === undefined) return undefined
  const millis = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - now
  if (!Number.isFinite(millis)) return undefined
  return Math.min(Math.max(0, millis), maxRetryAfterMillis)
}
