/**
 * The token of one request key: what its callers are given, and when a token is fetched for it.
 *
 * States (`TokenCell.state`; every transition replaces the whole value):
 * - `Empty`: nothing usable and nothing in flight. `rejection` says which token was last dropped as rejected, and when.
 * - `Fetching`: a fetch runs on a fiber of the layer; callers wait for its outcome (`shared`).
 * - `Fresh`: a token, given at once.
 * - `Refreshing`: a token, given at once, while a background fetch replaces it.
 * - `Failed`: a `TokenError`, answered at once until `until`.
 *
 * Transitions:
 * - `Empty`, `Failed` from `until`, `Fresh`/`Refreshing` from the hard expiry — a caller → `Fetching`.
 * - `Fetching` — a token → `Fresh` (even one that came after its own hard expiry: the waiters get it, later callers
 *   fetch again); a `TokenError` → `Failed` for `memoryOf(error)`, or `Empty` when that is 0; a `NetworkError`,
 *   a defect or an interruption → `Empty`.
 * - `Fetching` — its last waiter leaves → `Empty`, and the fetch is interrupted.
 * - `Fresh` from `refreshAt` — a caller → `Refreshing`: checked and set in one synchronous step, so one refresh.
 * - `Refreshing` — a token → `Fresh` with it; a failure → `Fresh` with the same token and `refreshAt` backed off;
 *   its hard expiry → `Empty` (the refresh is given up).
 * - `Fresh`/`Refreshing` — `invalidate` of its token → `Empty` with its `rejection`, unless the token is protected.
 * - A refresh's token also replaces `Empty`, `Failed` and `Fetching` (whose waiters it answers): a token beats none.
 *
 * Every transition is synchronous, and an actor that finishes later (a fetch, a refresh, a waiter that leaves)
 * changes the state only if it is still the state it started from: "invalidated" or "superseded" is "no longer
 * the current state", never a flag.
 *
 * Invariants:
 * - A caller is given a token before its hard expiry and never after it was rejected (`invalidate` dropped it).
 *   The waiters of a fetch get the token it brought, even one that came after its hard expiry, unless it was
 *   rejected while they resumed: then they ask again.
 * - A cell starts at most one fetch and one refresh at a time, on fibers of the layer, with the layer's context
 *   (never a caller's; the tracer is the exception, see `telemetry.ts`'s `Trace`). A fetch stops when its last
 *   waiter leaves, a refresh at the hard expiry at the latest, and both when the layer's scope closes; once it is
 *   closed, a fetch is interrupted before it starts, and so are its callers. (A fetch that was stopped may still be
 *   winding down when the next one starts.)
 * - A token fetched from the token endpoint to replace a rejected one is protected: a rejection before
 *   `rejection.at + cooldown` does not drop it, so rejections cost at most one token request per cool-down window. A
 *   token taken from a shared store cost no request and is not protected: its rejection drops it (and deletes it from
 *   the store). The first rejection of any other token counts. The `rejection` lives on through a failed fetch, so
 *   a failure in between does not lift the protection; a refresh's token that lands after a rejection is protected
 *   as a fetch's would be, whatever state it lands on.
 * - Every time here is monotonic (`monotonic.ts`): a step of the wall clock neither lengthens nor shortens a token's
 *   life, a failure's memory or a protection.
 * - A fetch is told the token it replaces (the rejected one, or the one being refreshed), so that a shared store
 *   never hands it back (`Engine.fetch`).
 * - Failures are never answered past `until`, and defects never to a later caller.
 */
import * as Timing from "@effect-oauth2/core/timing"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as AccessToken from "../AccessToken.js"
import type * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import * as Monotonic from "./monotonic.js"
import { type LayerFibers, Shared, start } from "./sharedWork.js"
import * as Telemetry from "./telemetry.js"
import type { Issued } from "./tokenEndpoint.js"
import type { RequestKey } from "./tokenRequest.js"

/** What a fetch can fail with. */
export type FetchError = TokenError.TokenError | NetworkError.NetworkError

/**
 * A fetch's token, when its lifetime began (monotonic millis), and whether it came from a shared store (then no token
 * request was sent).
 */
export interface Fetched extends Issued {
  readonly fromStore: boolean
}

/** A token with its schedule, in monotonic millis (`monotonic.ts`): a step of the wall clock moves none of it. */
export interface ScheduledToken extends Timing.Schedule {
  readonly token: AccessToken.AccessToken
  /** The token, as an effect built once: giving it allocates nothing. */
  readonly succeed: Effect.Effect<AccessToken.AccessToken>
  /** `refreshAt` in nanoseconds, as the hot paths compare it with the clock (no conversion per call). */
  readonly refreshAtNanos: bigint
  /** Before then, `invalidate` does not drop this token: it replaced a rejected one. */
  readonly protectedUntil: number
}

/** The last token dropped as rejected, and when: the next token fetched is protected until `at` + cooldown. */
export interface Rejection {
  readonly at: number
  readonly scheduled: ScheduledToken
}

/** Nothing usable, nothing in flight. */
export interface Empty {
  readonly _tag: "Empty"
  readonly rejection: Rejection | undefined
}

/** A fetch in flight; callers wait for its outcome. */
export interface Fetching {
  readonly _tag: "Fetching"
  readonly rejection: Rejection | undefined
  readonly shared: Shared<ScheduledToken, FetchError>
  /** How many callers joined the fetch another caller started, counted once it settles (telemetry). */
  joined: number
}

/** A token given at once. */
export interface Fresh {
  readonly _tag: "Fresh"
  readonly scheduled: ScheduledToken
}

/** A token given at once while a background fetch replaces it. */
export interface Refreshing {
  readonly _tag: "Refreshing"
  readonly scheduled: ScheduledToken
}

/** A failure answered at once until `until`. */
export interface Failed {
  readonly _tag: "Failed"
  readonly error: TokenError.TokenError
  readonly until: number
  readonly rejection: Rejection | undefined
}

/** The state of one request key. */
export type State = Empty | Fetching | Fresh | Refreshing | Failed

/** A fetch that runs on a fiber of the layer, owned by the state it serves. */
export type RunningFetch = Fetching | Refreshing

/** What every cell of a `TokenService` shares: the token endpoint, the schedule of tokens, the layer's fibers. */
export interface Engine {
  /**
   * A token for `key`: one token request, with its retries and per-attempt timeouts, or a token from a shared store.
   * `replacing` is the token the new one replaces (rejected, or being refreshed): one with its value, or one that
   * expires no later, is never the answer.
   */
  readonly fetch: (key: RequestKey, replacing: ScheduledToken | undefined) => Effect.Effect<Fetched, FetchError>
  /** Schedules a fetched token (hard expiry, jittered refresh point) and records `cell` as its owner. */
  readonly schedule: (cell: TokenCell, fetched: Fetched, protectedUntil: number) => Effect.Effect<ScheduledToken>
  /** How long a token that replaced a rejected one is protected, in millis (`terminalErrorCooldown`). */
  readonly cooldownMillis: number
  /** Every token `invalidate` dropped: a waiter is never handed one of them. Weak: it keeps no token alive. */
  readonly rejected: WeakSet<AccessToken.AccessToken>
  /** The fibers fetches and refreshes run on. */
  readonly fibers: LayerFibers<RunningFetch>
  /** Spans, metrics and logs (`telemetry.ts`). */
  readonly telemetry: Telemetry.Telemetry
}

const empty: Empty = { _tag: "Empty", rejection: undefined }

/** How long `error` is answered from memory, in millis (`Timing.memoryOf`). */
const memoryOf = (error: FetchError | undefined, cooldownMillis: number): number =>
  Timing.memoryOf(
    TokenError.isTokenError(error) ? (error.isTerminal ? "terminal" : "tokenError") : "other",
    cooldownMillis
  )

/** The token of one request key. See the module's comment for its states and transitions. */
export class TokenCell {
  private state: State = empty

  constructor(readonly key: RequestKey, private readonly engine: Engine) {}

  /**
   * The current token: the hot path, which a fresh token takes without allocating; anything else is `getOrFetch`'s.
   * Compared in nanoseconds, as the clock gives them.
   */
  readonly get: Effect.Effect<AccessToken.AccessToken, FetchError> = Effect.clockWith((clock) => {
    const state = this.state
    if (state._tag === "Fresh") {
      const now = clock.unsafeCurrentTimeNanos()
      if (now < state.scheduled.refreshAtNanos) {
        this.engine.telemetry.hit(this, state.scheduled.expiresAt, now)
        return state.scheduled.succeed
      }
    }
    return this.getOrFetch
  })

  /** The current token, starting a refresh when due; or a wait for a fetch, starting one when none runs. */
  private readonly getOrFetch: Effect.Effect<AccessToken.AccessToken, FetchError> = Effect.withFiberRuntime((fiber) => {
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    const now = Monotonic.unsafeNow(clock)
    const state = this.state
    switch (state._tag) {
      case "Fresh":
        if (now < state.scheduled.refreshAt) {
          this.engine.telemetry.hit(this, state.scheduled.expiresAt, clock.unsafeCurrentTimeNanos())
          return state.scheduled.succeed
        }
        if (now < state.scheduled.hardExpiresAt) {
          this.engine.telemetry.lookup(this, "refreshed_ahead", state.scheduled.expiresAt, now)
          // no caller waits for a refresh: it is a root span, in the tracer of the call that started it
          this.startRefresh(state, now, Telemetry.traceOf(fiber, { root: true }))
          return state.scheduled.succeed
        }
        break
      case "Refreshing":
        if (now < state.scheduled.hardExpiresAt) {
          this.engine.telemetry.hit(this, state.scheduled.expiresAt, clock.unsafeCurrentTimeNanos())
          return state.scheduled.succeed
        }
        break
      case "Failed":
        if (now < state.until) {
          this.engine.telemetry.lookup(this, "failure", undefined, now)
          return Effect.fail(state.error)
        }
        break
      case "Fetching":
        state.joined++
        return Effect.flatMap(this.join(state), this.given)
    }
    this.engine.telemetry.lookup(this, "miss", undefined, now)
    // the fetch a caller starts belongs to its trace: its tracer, its span as the parent
    return Effect.flatMap(this.join(this.startFetch(state, Telemetry.traceOf(fiber))), this.given)
  })

  /** Waits for `fetching`'s outcome; when the last waiter leaves, the fetch stops. */
  private join(fetching: Fetching): Effect.Effect<ScheduledToken, FetchError> {
    return fetching.shared.await((last) => {
      if (last && this.state === fetching) {
        this.state = { _tag: "Empty", rejection: fetching.rejection }
        this.engine.fibers.stop(fetching)
      }
    })
  }

  /** A waiter's token, unless it was rejected while the waiter resumed: then it asks again. */
  private readonly given = (scheduled: ScheduledToken): Effect.Effect<AccessToken.AccessToken, FetchError> =>
    this.engine.rejected.has(scheduled.token) ? this.get : scheduled.succeed

  /**
   * The token held, without entering the runtime, while no refresh is due and none runs (`Fresh`): the caller compares
   * the time with its `refreshAt` and goes to `get` from then on. The Promise API's hot path.
   */
  peek(): ScheduledToken | undefined {
    const state = this.state
    return state._tag === "Fresh" ? state.scheduled : undefined
  }

  /** Drops `token` when it is the current one and not protected, the next caller fetches; whether it dropped it. */
  invalidate(token: AccessToken.AccessToken, now: number): boolean {
    const state = this.state
    if (
      (state._tag === "Fresh" || state._tag === "Refreshing") &&
      AccessToken.sameValue(state.scheduled.token, token) &&
      now >= state.scheduled.protectedUntil
    ) {
      this.engine.rejected.add(state.scheduled.token)
      this.state = { _tag: "Empty", rejection: { at: now, scheduled: state.scheduled } }
      return true
    }
    return false
  }

  /** Whether a fetch or a refresh is in flight: a cache does not drop such a cell, so its work is not done twice. */
  isBusy(): boolean {
    return this.state._tag === "Fetching" || this.state._tag === "Refreshing"
  }

  /** Whether `token` is the token this cell holds now, the same value in any object. */
  holds(token: AccessToken.AccessToken): boolean {
    const state = this.state
    return (state._tag === "Fresh" || state._tag === "Refreshing") &&
      AccessToken.sameValue(state.scheduled.token, token)
  }

  private protectedUntil(rejection: Rejection | undefined): number {
    return rejection === undefined ? 0 : rejection.at + this.engine.cooldownMillis
  }

  private startFetch(from: State, trace: Telemetry.Trace): Fetching {
    const fetching: Fetching = {
      _tag: "Fetching",
      rejection: from._tag === "Empty" || from._tag === "Failed" ? from.rejection : undefined,
      shared: new Shared(),
      joined: 0
    }
    // a refresh still running at the hard expiry is given up
    if (from._tag === "Refreshing") this.engine.fibers.stop(from)
    this.state = fetching
    start(
      this.engine.fibers,
      fetching,
      this.fetch(fetching, trace),
      (exit) => Effect.map(Monotonic.now, (now) => this.fetchEnded(fetching, exit, now))
    )
    return fetching
  }

  private fetch(fetching: Fetching, trace: Telemetry.Trace): Effect.Effect<ScheduledToken, FetchError> {
    const flight = { trigger: "caller", trace, scopes: this.key.request.scopes.length } as const
    return this.engine.telemetry.fetch(this.engine.fetch(this.key, fetching.rejection?.scheduled), flight).pipe(
      // a token from the store cost no token request: it is not protected, so a rejection of it counts
      Effect.flatMap((fetched) =>
        this.engine.schedule(this, fetched, fetched.fromStore ? 0 : this.protectedUntil(fetching.rejection))
      )
    )
  }

  private fetchEnded(fetching: Fetching, exit: Exit.Exit<ScheduledToken, FetchError>, now: number): void {
    if (this.state === fetching) {
      if (Exit.isSuccess(exit)) {
        this.state = { _tag: "Fresh", scheduled: exit.value }
      } else {
        const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
        const memory = memoryOf(error, this.engine.cooldownMillis)
        this.state = memory > 0 && TokenError.isTokenError(error)
          ? { _tag: "Failed", error, until: now + memory, rejection: fetching.rejection }
          : { _tag: "Empty", rejection: fetching.rejection }
      }
    }
    this.answerWaiters(fetching, exit)
  }

  /** Resumes every waiter of `fetching` with `exit`, and counts those that joined it. */
  private answerWaiters(fetching: Fetching, exit: Exit.Exit<ScheduledToken, FetchError>): void {
    if (fetching.shared.isDone) return
    this.engine.telemetry.joined(fetching.joined)
    fetching.shared.complete(exit)
  }

  private startRefresh(fresh: Fresh, now: number, trace: Telemetry.Trace): void {
    const refreshing: Refreshing = { _tag: "Refreshing", scheduled: fresh.scheduled }
    this.state = refreshing
    // once the layer's scope is closed nothing runs: the token is given until its hard expiry, then callers are
    // interrupted (`startFetch`)
    this.engine.fibers.run(refreshing, this.refresh(refreshing, fresh.scheduled.hardExpiresAt - now, trace))
  }

  private refresh(refreshing: Refreshing, timeLeft: number, trace: Telemetry.Trace): Effect.Effect<void> {
    const flight = { trigger: "refresh", trace, scopes: this.key.request.scopes.length } as const
    return this.engine.telemetry.fetch(this.engine.fetch(this.key, refreshing.scheduled), flight).pipe(
      Effect.flatMap((fetched) =>
        Effect.map(this.engine.schedule(this, fetched, 0), (scheduled) => ({ scheduled, fromStore: fetched.fromStore }))
      ),
      // no background work outlives the token it renews
      Effect.timeoutOption(Duration.millis(timeLeft)),
      Effect.onExit((exit) => Effect.flatMap(Monotonic.now, (now) => this.refreshEnded(refreshing, exit, now))),
      Effect.exit,
      Effect.asVoid
    )
  }

  private refreshEnded(
    refreshing: Refreshing,
    exit: Exit.Exit<Option.Option<{ readonly scheduled: ScheduledToken; readonly fromStore: boolean }>, FetchError>,
    now: number
  ): Effect.Effect<void> {
    const mine = this.state === refreshing
    if (Exit.isSuccess(exit)) {
      if (Option.isSome(exit.value)) {
        this.adoptRefreshed(refreshing, exit.value.value.scheduled, exit.value.value.fromStore)
        return Effect.void
      }
      if (mine) this.state = empty
      this.engine.telemetry.refreshExpired()
      return Effect.logWarning("effect-oauth2: background token refresh did not finish before the token expired")
    }
    if (Cause.isInterruptedOnly(exit.cause)) {
      if (mine) this.state = { _tag: "Fresh", scheduled: refreshing.scheduled }
      return Effect.void
    }
    if (mine) {
      const refreshAt = Timing.refreshRetryAt(refreshing.scheduled.hardExpiresAt, now)
      this.state = {
        _tag: "Fresh",
        scheduled: { ...refreshing.scheduled, refreshAt, refreshAtNanos: BigInt(Math.floor(refreshAt * 1_000_000)) }
      }
    }
    const failure = Cause.failureOption(exit.cause)
    // a defect's text is not logged: it may come from a user's HttpClient and hold a request
    const annotations = Option.isSome(failure)
      ? { error: failure.value.message, reason: failure.value.reason }
      : { error: "an unexpected defect" }
    return Effect.logWarning("effect-oauth2: background token refresh failed; keeping the current token").pipe(
      Effect.annotateLogs(annotations)
    )
  }

  /**
   * A refresh's token: it replaces its own state, or no token at all; never another token. Replacing a state after a
   * rejection, it is protected as a fetch's token would be, unless it came from the store.
   */
  private adoptRefreshed(refreshing: Refreshing, scheduled: ScheduledToken, fromStore: boolean): void {
    const state = this.state
    const afterRejection = (rejection: Rejection | undefined): ScheduledToken =>
      fromStore ? scheduled : { ...scheduled, protectedUntil: this.protectedUntil(rejection) }
    switch (state._tag) {
      case "Fresh":
        return
      case "Refreshing":
        if (state === refreshing) this.state = { _tag: "Fresh", scheduled }
        return
      case "Failed":
      case "Empty":
        this.state = { _tag: "Fresh", scheduled: afterRejection(state.rejection) }
        return
      case "Fetching": {
        const replacing = afterRejection(state.rejection)
        this.state = { _tag: "Fresh", scheduled: replacing }
        this.answerWaiters(state, Exit.succeed(replacing))
        this.engine.fibers.stop(state)
        return
      }
    }
  }
}
