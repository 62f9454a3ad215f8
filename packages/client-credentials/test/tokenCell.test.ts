/**
 * One request's state on its own, with an engine whose fetches the test holds and releases: orders of events that the
 * whole service cannot be made to produce on demand. A late token goes to the callers that waited for it
 * (`docs/behaviour.md#failures-remembered`).
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Telemetry from "../src/internal/telemetry.js"
import type { Engine, RunningFetch } from "../src/internal/tokenCell.js"
import { TokenCell } from "../src/internal/tokenCell.js"
import * as tokenRequest from "../src/internal/tokenRequest.js"

const key = tokenRequest.makeKey({
  endpoint: "https://auth.example.com/token",
  clientId: "c",
  authMethod: "m",
  keyIdentity: ""
}, {
  ...tokenRequest.empty
})

/** A token that expired long ago: whoever fetched it may have it, nobody else. */
const expired = new AccessToken.AccessToken({
  value: Redacted.make("late"),
  tokenType: "Bearer",
  scopes: [],
  issuedAt: DateTime.unsafeMake(0),
  expiresAt: DateTime.unsafeMake(60_000)
})

/** An engine whose n-th fetch answers with `answers[n]`; `afterFetch` runs when the n-th fetch's fiber is done. */
const makeEngine = (
  answers: ReadonlyArray<Effect.Effect<AccessToken.AccessToken>>,
  afterFetch: (index: number) => void
): Engine & { readonly fetches: () => number } => {
  let fetches = 0
  let runs = 0
  return {
    fetch: () =>
      Effect.map(answers[fetches++] ?? Effect.never, (token) => ({
        token,
        startedAt: DateTime.toEpochMillis(token.issuedAt),
        fromStore: false
      })),
    schedule: (_cell, { startedAt, token }, protectedUntil) =>
      Effect.succeed({
        token,
        succeed: Effect.succeed(token),
        expiresAt: startedAt + token.lifetimeMillis,
        hardExpiresAt: startedAt + token.lifetimeMillis,
        refreshAt: startedAt + token.lifetimeMillis,
        refreshAtNanos: BigInt(startedAt + token.lifetimeMillis) * 1_000_000n,
        protectedUntil
      }),
    cooldownMillis: 0,
    rejected: new WeakSet(),
    fibers: {
      run: (_owner: RunningFetch, effect) => {
        const index = runs++
        Effect.runFork(Effect.ensuring(effect, Effect.sync(() => afterFetch(index))))
        return true
      },
      stop: () => {}
    },
    telemetry: Telemetry.unlabelled,
    busyChanged: () => {},
    fetches: () => fetches
  }
}

describe("TokenCell", () => {
  it.live("the waiters of a fetch get its late token even when a caller starts another fetch before they resume", () =>
    Effect.gen(function*() {
      const release = yield* Deferred.make<void>()
      let later: Fiber.RuntimeFiber<AccessToken.AccessToken, unknown> | undefined
      const engine = makeEngine([Effect.as(Deferred.await(release), expired)], (index) => {
        // as soon as the first fetch is settled, before its waiter resumes, another caller comes
        if (index === 0) later = Effect.runFork(cell.get, { immediate: true })
      })
      const cell = new TokenCell(key, engine)
      const waiter = yield* Effect.fork(cell.get)
      yield* Effect.yieldNow()
      yield* Deferred.succeed(release, void 0)
      const exit = yield* Effect.timeoutOption(Fiber.await(waiter), "1 second")
      assert.isTrue(exit._tag === "Some" && Exit.isSuccess(exit.value), "the waiter did not get its token")
      assert.strictEqual(exit._tag === "Some" && Exit.isSuccess(exit.value) ? exit.value.value : undefined, expired)
      // the later caller did not get the expired token: it started a fetch of its own
      assert.strictEqual(engine.fetches(), 2)
      assert.isDefined(later)
      yield* Fiber.interrupt(later!)
    }))
})
