/**
 * The retry schedule on Effect 4's `Schedule`, as `retryPolicy.ts` runs it. Effect 4's `Schedule.modifyDelay` sees
 * each error the schedule goes on after, with the delay it chose: the one place a retry is both counted and held to
 * the server's `Retry-After`.
 */
import * as RetryPolicy from "@effect-oauth2/core/retryPolicy"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as NetworkError from "../NetworkError.js"

const ignore = () => {}

/**
 * `schedule`, waiting at least as long as the server's `Retry-After` (capped) before each retry
 * (`RetryPolicy.retryDelayMillis`), each retry told to `retried`.
 */
export const honouringRetryAfter = (
  schedule: Schedule.Schedule<unknown, NetworkError.NetworkError>,
  retried: (error: NetworkError.NetworkError) => void = ignore
) =>
  Schedule.modifyDelay(schedule, ({ duration, input }) =>
    Effect.sync(() => {
      retried(input)
      const retryAfter = input.retryAfter === undefined ? undefined : Duration.toMillis(input.retryAfter)
      return Duration.millis(RetryPolicy.retryDelayMillis(Duration.toMillis(duration), retryAfter))
    }))
