/**
 * Retries on this line's `Schedule`, with a timeout on each attempt: the delay's arithmetic and the timeout's error are
 * the core's (`@effect-oauth2/core/retryPolicy`). Effect 4's `Schedule.modifyDelay` sees each error the schedule goes
 * on after, with the delay it chose: the one place a retry is both counted and held to the server's `Retry-After`.
 */
import * as RetryPolicy from "@effect-oauth2/core/retryPolicy"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as NetworkError from "../NetworkError.js"
import type * as TokenError from "../TokenError.js"
import { networkError } from "./http.js"
import type { RetryObserver } from "./telemetry.js"

/**
 * `schedule`, waiting at least as long as the server's `Retry-After` (capped) before each retry
 * (`RetryPolicy.retryDelayMillis`), each retry told to `retried`.
 */
const honouringRetryAfter = (
  schedule: Schedule.Schedule<unknown, NetworkError.NetworkError>,
  retried: (error: NetworkError.NetworkError) => void
) =>
  Schedule.modifyDelay(schedule, ({ duration, input }) =>
    Effect.sync(() => {
      retried(input)
      const retryAfter = input.retryAfter === undefined ? undefined : Duration.toMillis(input.retryAfter)
      return Duration.millis(RetryPolicy.retryDelayMillis(Duration.toMillis(duration), retryAfter))
    }))

const ignore = () => {}

/**
 * Runs `attempt` with a timeout on each try, retrying retryable `NetworkError`s on `schedule`. Other errors end
 * it at once.
 */
export const withRetries = <A>(
  attempt: Effect.Effect<A, TokenError.TokenError | NetworkError.NetworkError>,
  options: RetryPolicy.RetryOptions<
    Schedule.Schedule<unknown, NetworkError.NetworkError>,
    Duration.Duration,
    RetryObserver
  >
): Effect.Effect<A, TokenError.TokenError | NetworkError.NetworkError> => {
  const { observer } = options
  const timedOut = networkError(RetryPolicy.timedOutOf(options, Duration.toMillis))
  const tried = Effect.timeoutOrElse(
    observer === undefined ? attempt : Effect.andThen(Effect.sync(observer.attempt), attempt),
    {
      duration: options.timeout,
      orElse: () => Effect.fail(timedOut)
    }
  )
  // Only retryable errors reach the schedule; the others travel in the success channel past the retry.
  const separated = tried.pipe(
    Effect.map(Result.succeed),
    Effect.catch((error) =>
      NetworkError.isNetworkError(error) && error.isRetryable ? Effect.fail(error) : Effect.succeed(Result.fail(error))
    )
  )
  const retried = Effect.flatMap(
    Effect.retry(separated, honouringRetryAfter(options.schedule, observer?.retry ?? ignore)),
    Effect.fromResult
  )
  return observer === undefined ? retried : Effect.ensuring(retried, observer.done)
}
