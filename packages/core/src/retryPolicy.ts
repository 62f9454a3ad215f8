/**
 * The plain part of retrying a call to an authorization server: how long to wait before a retry (the schedule's delay,
 * never shorter than the server's `Retry-After`, which is capped), and how a per-attempt timeout reads as a
 * `NetworkError`. The schedule itself, the timeout and which errors are retried are each Effect line's (its
 * `Schedule`, its `Effect.timeout…`).
 */
import type { NetworkFailure, Source } from "./httpCall.js"
import { maxRetryAfterMillis } from "./retryAfter.js"

/**
 * The wait before a retry, in millis: the schedule's `scheduleDelayMillis`, or the `Retry-After` the failure carried
 * when that is longer, capped at `retryAfter.maxRetryAfterMillis` (a schedule's own delay is never cut).
 *
 * @since 0.1.0
 * @category constructors
 */
export const retryDelayMillis = (scheduleDelayMillis: number, retryAfterMillis: number | undefined): number =>
  retryAfterMillis === undefined
    ? scheduleDelayMillis
    : Math.max(scheduleDelayMillis, Math.min(retryAfterMillis, maxRetryAfterMillis))

/**
 * A duration in millis as Effect's `Duration.format` writes it, on both lines: `30s`, `1m 30s`, `1s 500ms`,
 * `1ms 500000ns`; `0` for no time (or less: a duration is never negative), `Infinity` for no end.
 *
 * @since 0.1.0
 * @category constructors
 */
export const formatMillis = (millis: number): string => {
  if (millis === Infinity) return "Infinity"
  if (!(millis > 0)) return "0"
  const nanos = BigInt(Math.round(millis * 1_000_000))
  const ms = nanos / 1_000_000n
  const seconds = ms / 1000n
  const minutes = seconds / 60n
  const hours = minutes / 60n
  const parts: ReadonlyArray<readonly [bigint, string]> = [
    [hours / 24n, "d"],
    [hours % 24n, "h"],
    [minutes % 60n, "m"],
    [seconds % 60n, "s"],
    [ms % 1000n, "ms"],
    [nanos % 1_000_000n, "ns"]
  ]
  const pieces = parts.filter(([value]) => value !== 0n).map(([value, unit]) => `${value}${unit}`)
  return pieces.length === 0 ? "0" : pieces.join(" ")
}

/**
 * An attempt that got no answer within `timeoutMillis`, as the `Timeout` `NetworkError` that says so.
 *
 * @since 0.1.0
 * @category constructors
 */
export const timedOut = (options: {
  readonly source: Source
  readonly origin: string
  readonly timeoutMillis: number
}): NetworkFailure => ({
  reason: "Timeout",
  source: options.source,
  origin: options.origin,
  detail: `no answer within ${formatMillis(options.timeoutMillis)}`
})

/**
 * What a line's `withRetries` takes: the schedule, the timeout of each attempt, where the call goes (`origin`) and
 * which call it is (`source`, the token endpoint's when absent), for the `Timeout` error; and who is told of each
 * attempt and retry (telemetry; its `done` runs at the end).
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions<Schedule, Duration, Observer> {
  readonly schedule: Schedule
  readonly timeout: Duration
  readonly origin: string
  readonly source?: Source
  readonly observer?: Observer
}

/**
 * `timedOut` for a line's `RetryOptions`, its timeout read by `toMillis`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const timedOutOf = <Duration>(
  options: RetryOptions<unknown, Duration, unknown>,
  toMillis: (duration: Duration) => number
): NetworkFailure =>
  timedOut({
    source: options.source ?? "TokenEndpoint",
    origin: options.origin,
    timeoutMillis: toMillis(options.timeout)
  })
