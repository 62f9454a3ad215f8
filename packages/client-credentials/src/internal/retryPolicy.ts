/**
 * Retries on this line's `Schedule`, with a timeout on each attempt: the delay's arithmetic and the timeout's error are
 * the core's (`@effect-oauth2/core/retryPolicy`).
 */
import * as RetryPolicy from "@effect-oauth2/core/retryPolicy"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as NetworkError from "../NetworkError.js"
import type * as TokenError from "../TokenError.js"
import { networkError } from "./http.js"
import type { RetryObserver } from "./telemetry.js"

const isRetryable = (error: TokenError.TokenError | NetworkError.NetworkError): error is NetworkError.NetworkError =>
  NetworkError.isNetworkError(error) && error.isRetryable

/**
 * `schedule`, waiting at least as long as the server's `Retry-After` (capped) before each retry
 * (`RetryPolicy.retryDelayMillis`).
 */
const honouringRetryAfter = (schedule: Schedule.Schedule<unknown, NetworkError.NetworkError>) =>
  schedule.pipe(
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
  const observer = options.observer
  const observed = observer === undefined ? attempt : Effect.zipRight(Effect.sync(observer.attempt), attempt)
  const timed = Effect.timeoutFail(observed, {
    duration: options.timeout,
    onTimeout: () => networkError(RetryPolicy.timedOutOf(options, Duration.toMillis))
  })
  // Only retryable errors reach the schedule; the others travel in the success channel past the retry.
  const separated = Effect.catchAll(
    Effect.map(timed, Either.right),
    (error) => isRetryable(error) ? Effect.fail(error) : Effect.succeed(Either.left(error))
  )
  const schedule = observer === undefined ?
    honouringRetryAfter(options.schedule) :
    honouringRetryAfter(options.schedule).pipe(
      Schedule.onDecision(([, error], decision) =>
        ScheduleDecision.isContinue(decision) ? Effect.sync(() => observer.retry(error)) : Effect.void
      )
    )
  const retried = Effect.flatMap(Effect.retry(separated, schedule), (result) => result)
  return observer === undefined ? retried : Effect.ensuring(retried, observer.done)
}
