/**
 * Retries on this line's `Schedule` (`retrySchedule.ts`), with a timeout on each attempt: the delay's arithmetic and
 * the timeout's error are the core's (`@effect-oauth2/core/retryPolicy`).
 */
import * as RetryPolicy from "@effect-oauth2/core/retryPolicy"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import * as NetworkError from "../NetworkError.js"
import type * as TokenError from "../TokenError.js"
import * as EffectLine from "./effectLine.js"
import { networkError } from "./http.js"
import { honouringRetryAfter } from "./retrySchedule.js"
import type { RetryObserver } from "./telemetry.js"

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
  const tried = EffectLine.timeoutOrElse(
    observer === undefined ? attempt : Effect.andThen(Effect.sync(observer.attempt), attempt),
    {
      duration: options.timeout,
      orElse: () => Effect.fail(networkError(RetryPolicy.timedOutOf(options, Duration.toMillis)))
    }
  )
  // Only retryable errors reach the schedule; the others travel in the success channel past the retry.
  const separated = tried.pipe(
    Effect.map(EffectLine.resultSucceed),
    EffectLine.catch((error) =>
      NetworkError.isNetworkError(error) && error.isRetryable
        ? Effect.fail(error)
        : Effect.succeed(EffectLine.resultFail(error))
    )
  )
  const retried = Effect.flatMap(
    Effect.retry(separated, honouringRetryAfter(options.schedule, observer?.retry)),
    EffectLine.fromResult
  )
  return observer === undefined ? retried : Effect.ensuring(retried, observer.done)
}
