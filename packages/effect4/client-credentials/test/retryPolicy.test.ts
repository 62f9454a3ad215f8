/**
 * Retries on Effect 4's `Schedule` (`docs/behaviour.md#retries`): a retryable `NetworkError` is tried again on the
 * schedule, never before the server's `Retry-After`; each attempt has its own timeout; any other error ends the
 * retries at once; the observer is told of each attempt and retry. Time is `TestClock`'s.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/testing/TestClock"
import * as options_ from "../src/internal/options.js"
import { withRetries } from "../src/internal/retryPolicy.js"
import * as NetworkError from "../src/NetworkError.js"
import * as TokenError from "../src/TokenError.js"

const origin = "https://login.example.com"

const rateLimited = (retryAfter?: Duration.Duration) =>
  new NetworkError.NetworkError({
    reason: "RateLimited",
    source: "TokenEndpoint",
    origin,
    status: 429,
    ...(retryAfter === undefined ? {} : { retryAfter })
  })

/** An attempt that fails with each of `failures` in turn, then succeeds; and how many times it ran. */
const scripted = (failures: ReadonlyArray<TokenError.TokenError | NetworkError.NetworkError>) => {
  const state = { attempts: 0 }
  const attempt = Effect.suspend(() => {
    const failure = failures[state.attempts++]
    return failure === undefined ? Effect.succeed("token") : Effect.fail(failure)
  })
  return { attempt, state }
}

describe("withRetries", () => {
  it.effect("a retry waits for the server's Retry-After when it is longer than the schedule's delay", () =>
    Effect.gen(function*() {
      const { attempt, state } = scripted([rateLimited(Duration.seconds(5)), rateLimited()])
      const fiber = yield* Effect.forkChild(
        withRetries(attempt, {
          schedule: Schedule.spaced("100 millis"),
          timeout: Duration.seconds(30),
          origin
        })
      )
      yield* TestClock.adjust("4999 millis")
      assert.strictEqual(state.attempts, 1, "not before Retry-After")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(state.attempts, 2)
      // no Retry-After: the schedule's own delay
      yield* TestClock.adjust("99 millis")
      assert.strictEqual(state.attempts, 2)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(fiber), "token")
      assert.strictEqual(state.attempts, 3)
    }))

  it.effect("each attempt has its own timeout; after the last retry, a Timeout NetworkError naming the origin", () =>
    Effect.gen(function*() {
      const state = { attempts: 0 }
      const attempt = Effect.andThen(Effect.sync(() => state.attempts++), Effect.never)
      const fiber = yield* Effect.forkChild(
        Effect.exit(withRetries(attempt, { schedule: Schedule.recurs(1), timeout: Duration.seconds(2), origin }))
      )
      yield* TestClock.adjust("1999 millis")
      assert.strictEqual(state.attempts, 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(state.attempts, 2, "timed out, and tried again")
      yield* TestClock.adjust("2 seconds")
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      const failure = error?._tag === "Fail" ? error.error : undefined
      assert.isTrue(NetworkError.isNetworkError(failure))
      if (NetworkError.isNetworkError(failure)) {
        assert.strictEqual(failure.reason, "Timeout")
        assert.strictEqual(failure.source, "TokenEndpoint")
        assert.strictEqual(failure.message, "token endpoint https://login.example.com timed out (no answer within 2s)")
      }
    }))

  it.effect("a TokenError, or a NetworkError that is not retryable, ends it at once", () =>
    Effect.gen(function*() {
      const refused = new TokenError.TokenError({ reason: "OAuth", origin, status: 400, error: "invalid_scope" })
      const { attempt, state } = scripted([refused])
      const exit = yield* Effect.exit(
        withRetries(attempt, { schedule: Schedule.spaced("1 millis"), timeout: Duration.seconds(1), origin })
      )
      assert.deepStrictEqual(exit, Exit.fail(refused))
      assert.strictEqual(state.attempts, 1)
      const notFound = new NetworkError.NetworkError({
        reason: "ServerError",
        source: "TokenEndpoint",
        origin,
        status: 501
      })
      assert.isFalse(notFound.isRetryable)
      const second = scripted([notFound])
      const exit2 = yield* Effect.exit(
        withRetries(second.attempt, { schedule: Schedule.spaced("1 millis"), timeout: Duration.seconds(1), origin })
      )
      assert.deepStrictEqual(exit2, Exit.fail(notFound))
      assert.strictEqual(second.state.attempts, 1)
    }))

  it.effect("the observer is told of each attempt and each retry, not of the error the schedule stops at", () =>
    Effect.gen(function*() {
      const { attempt } = scripted([rateLimited(), rateLimited(), rateLimited()])
      const seen = { attempts: 0, retries: [] as Array<string>, done: 0 }
      const fiber = yield* Effect.forkChild(
        Effect.exit(withRetries(attempt, {
          schedule: Schedule.recurs(1),
          timeout: Duration.seconds(1),
          origin,
          observer: {
            attempt: () => seen.attempts++,
            retry: (error) => seen.retries.push(error.reason),
            done: Effect.sync(() => seen.done++)
          }
        }))
      )
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(seen, { attempts: 2, retries: ["RateLimited"], done: 1 })
    }))

  it.effect("the default schedule: at most 3 retries, from 200 ms", () =>
    Effect.gen(function*() {
      const resolved = options_.resolve({
        tokenUrl: `${origin}/token`,
        clientId: "c",
        clientSecret: Redacted.make("s")
      })
      assert.isTrue(Result.isSuccess(resolved))
      if (!Result.isSuccess(resolved)) return
      const { attempt, state } = scripted([rateLimited(), rateLimited(), rateLimited(), rateLimited(), rateLimited()])
      const fiber = yield* Effect.forkChild(
        Effect.exit(withRetries(attempt, { schedule: resolved.success.retry, timeout: Duration.minutes(1), origin }))
      )
      yield* TestClock.adjust("100 millis")
      assert.strictEqual(state.attempts, 1, "the first retry waits at least 200 ms, jittered")
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(state.attempts, 4)
    }))
})
