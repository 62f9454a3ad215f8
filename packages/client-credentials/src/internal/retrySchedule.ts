/**
 * The retry schedule on Effect 3's `Schedule`, as `retryPolicy.ts` runs it: the schedule paired with the error it
 * goes on after (`Schedule.identity`), its delay held to the server's `Retry-After`, and each retry told when the
 * schedule decides to go on.
 */
import * as RetryPolicy from "@effect-oauth2/core/retryPolicy"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import type * as NetworkError from "../NetworkError.js"

/**
 * `schedule`, waiting at least as long as the server's `Retry-After` (capped) before each retry
 * (`RetryPolicy.retryDelayMillis`), each retry told to `retried`.
 */
export const honouringRetryAfter = (
  schedule: Schedule.Schedule<unknown, NetworkError.NetworkError>,
  retried?: (error: NetworkError.NetworkError) => void
) => {
  const honouring = schedule.pipe(
    Schedule.intersect(Schedule.identity<NetworkError.NetworkError>()),
    Schedule.modifyDelay(([, error], delay) =>
      Duration.millis(
        RetryPolicy.retryDelayMillis(
          Duration.toMillis(delay),
          error.retryAfter === undefined ? undefined : Duration.toMillis(error.retryAfter)
        )
      )
    )
  )
  return retried === undefined ? honouring : honouring.pipe(
    Schedule.onDecision(([, error], decision) =>
      ScheduleDecision.isContinue(decision) ? Effect.sync(() => retried(error)) : Effect.void
    )
  )
}
