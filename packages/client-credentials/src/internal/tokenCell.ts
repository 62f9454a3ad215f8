/**
 * The token of one request key, on each line: the shell of the state machine of `@effect-oauth2/core/tokenState`, whose
 * opening comment has the states, the transitions and the invariants. The shell holds the state, runs what each
 * transition's action says, and adds what the Effect line does:
 * - A fetch or a refresh runs on a fiber of the layer (`sharedWork.ts`), with the layer's context (never a caller's;
 *   the tracer is the exception, see `telemetry.ts`'s `Trace`); callers wait for a fetch by joining its `Shared`.
 *   Both stop when the layer's scope closes; once it is closed, a fetch is interrupted before it starts, and so are
 *   its callers. (A fetch that was stopped may still be winding down when the next one starts.)
 * - The hot path: `get` on a `Fresh` token reads the clock once, in monotonic nanoseconds, compares it with
 *   the token's `refreshAtNanos` and gives the token as an effect built once, allocating nothing. Everything else goes
 *   through the transitions, with the clock `get` read.
 * - Every time is monotonic (`monotonic.ts`).
 * - A fetch's failure is classed for the state machine: a `TokenError` (terminal or not) is remembered, a
 *   `NetworkError`, a defect or an interruption is not; a refresh's failure is logged, a defect's text never.
 * - Whether the cell is busy (a fetch or a refresh in flight) is told to the engine each time it changes
 *   (`busyChanged`), so that a cache that drops the cell can find it again while its work runs; a cache that passes
 *   over busy cells asks `isBusy` instead (each line's `tokenService.ts` says which its cache does).
 */
import * as TokenState from "@effect-oauth2/core/tokenState"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as AccessToken from "../AccessToken.js"
import type * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import * as EffectLine from "./effectLine.js"
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
export interface ScheduledToken extends TokenState.Scheduled<AccessToken.AccessToken, TokenError.TokenError> {
  /** The token, as an effect built once: giving it allocates nothing. */
  readonly succeed: Effect.Effect<AccessToken.AccessToken>
}

/** The callers waiting for a fetch. */
type Waiters = Shared<ScheduledToken, FetchError>

/** The state of one request key. */
export type State = TokenState.State<ScheduledToken, Waiters, TokenError.TokenError>

type Fetching = TokenState.Fetching<ScheduledToken, Waiters>

type Refreshing = TokenState.Refreshing<ScheduledToken>

/** A fetch that runs on a fiber of the layer, owned by the state it serves. */
export type RunningFetch = Fetching | Refreshing

/** The token a fetch replaces: one an API rejected (`rejected`), or the one a refresh renews. */
export interface Replacing {
  readonly scheduled: ScheduledToken
  readonly rejected: boolean
}

/** What every cell of a `TokenService` shares: the token endpoint, the schedule of tokens, the layer's fibers. */
export interface Engine {
  /**
   * A token for `key`: one token request, with its retries and per-attempt timeouts, or a token from a shared store.
   * `replacing` is the token the new one replaces: one with its value is never the answer, nor, for a refresh, one
   * that expires no later than the token it renews.
   */
  readonly fetch: (key: RequestKey, replacing: Replacing | undefined) => Effect.Effect<Fetched, FetchError>
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
  /** `cell` started (`busy`) or stopped having a fetch or a refresh in flight (nothing to do for a cache that asks). */
  readonly busyChanged: (cell: TokenCell, busy: boolean) => void
}

/** How a fetch ended, for the state machine: a `TokenError` is remembered, anything else is not. */
const fetchEndOf = (
  exit: Exit.Exit<ScheduledToken, FetchError>
): TokenState.FetchEnd<ScheduledToken, TokenError.TokenError> => {
  if (Exit.isSuccess(exit)) return { _tag: "Token", scheduled: exit.value }
  const error = Option.getOrUndefined(EffectLine.causeFindErrorOption(exit.cause))
  if (TokenError.isTokenError(error)) return { _tag: "TokenError", error, terminal: error.isTerminal }
  return EffectLine.causeHasInterruptsOnly(exit.cause) ? { _tag: "Interrupted" } : { _tag: "OtherFailure" }
}

/** A refresh's token, scheduled, as `refreshEnded` takes it. */
type RefreshedToken = Extract<TokenState.RefreshEnd<ScheduledToken>, { readonly _tag: "Token" }>

/**
 * How a refresh ended, for the state machine: `None` is the timeout at the hard expiry. A terminal `TokenError` (a
 * wrong or revoked secret: `TokenError.isTerminal`) is remembered for the cool-down, as a fetch's is, so that
 * refreshes and fetches together cost one request per window; any other failure of a refresh (a page, a malformed
 * answer, the network) only backs the next refresh off, and a caller at the hard expiry fetches.
 */
const refreshEndOf = (
  exit: Exit.Exit<Option.Option<RefreshedToken>, FetchError>
): TokenState.RefreshEnd<ScheduledToken, TokenError.TokenError> => {
  if (Exit.isSuccess(exit)) return Option.getOrElse(exit.value, () => ({ _tag: "TimedOut" }) as const)
  if (EffectLine.causeHasInterruptsOnly(exit.cause)) return { _tag: "Interrupted" }
  const error = Option.getOrUndefined(EffectLine.causeFindErrorOption(exit.cause))
  return TokenError.isTokenError(error) && error.isTerminal
    ? { _tag: "Failure", tokenError: { error, terminal: true } }
    : { _tag: "Failure" }
}

/** The warning of a refresh that failed; a defect's text is not logged: it may come from a user's HttpClient. */
const refreshFailed = (exit: Exit.Exit<unknown, FetchError>): Effect.Effect<void> => {
  const failure = Exit.isFailure(exit) ? EffectLine.causeFindErrorOption(exit.cause) : Option.none()
  return Effect.logWarning(TokenState.logMessages.refreshFailed).pipe(
    Effect.annotateLogs(
      Option.match(failure, {
        onSome: (error) => ({ error: error.message, reason: error.reason }),
        onNone: () => ({ error: TokenState.logMessages.opaqueDefect })
      })
    )
  )
}

/** The token of one request key. See the module's comment, and `@effect-oauth2/core/tokenState`'s. */
export class TokenCell {
  private state: State = TokenState.empty

  constructor(readonly key: RequestKey, private readonly engine: Engine) {}

  /**
   * The current token: the hot path, which a fresh token takes without allocating; anything else is `getOrFetch`'s.
   * Compared in nanoseconds, as the clock gives them.
   */
  readonly get: Effect.Effect<AccessToken.AccessToken, FetchError> = Effect.clockWith((clock) => {
    const state = this.state
    if (state._tag === "Fresh") {
      const now = EffectLine.clockMonotonicTimeNanosUnsafe(clock)
      if (now < state.scheduled.refreshAtNanos) {
        this.engine.telemetry.hit(this, state.scheduled.expiresAt, now)
        return state.scheduled.succeed
      }
    }
    return EffectLine.withFiber((fiber) => this.getOrFetch(fiber, clock))
  })

  /** The current token, starting a refresh when due; or a wait for a fetch, starting one when none runs. */
  private getOrFetch(
    fiber: EffectLine.FiberOf<unknown, unknown>,
    clock: Clock.Clock
  ): Effect.Effect<AccessToken.AccessToken, FetchError> {
    const now = Monotonic.nowUnsafe(clock)
    const call = TokenState.call(this.state, now, this.newWaiters)
    switch (call._tag) {
      case "Fresh":
      case "Refreshing":
        this.engine.telemetry.hit(this, call.scheduled.expiresAt, EffectLine.clockMonotonicTimeNanosUnsafe(clock))
        return call.scheduled.succeed
      case "Failed":
        this.engine.telemetry.lookup(this, "failure", undefined, now)
        return Effect.fail(call.error)
      case "Fetching":
        call.joined++
        return Effect.flatMap(this.join(call), this.given)
      case "Refresh":
        this.engine.telemetry.lookup(this, "refreshed_ahead", call.next.scheduled.expiresAt, now)
        // no caller waits for a refresh: it is a root span, in the tracer of the call that started it
        this.startRefresh(call, Telemetry.traceOf(fiber, { root: true }))
        return call.next.scheduled.succeed
      case "Fetch":
        this.engine.telemetry.lookup(this, "miss", undefined, now)
        // the fetch a caller starts belongs to its trace: its tracer, its span as the parent
        return Effect.flatMap(this.join(this.startFetch(call, Telemetry.traceOf(fiber))), this.given)
    }
  }

  private readonly newWaiters = (): Waiters => new Shared()

  /** Every change of state; the engine is told when the cell starts or stops being busy. */
  private moveTo(next: State): void {
    const wasBusy = TokenState.isBusy(this.state)
    this.state = next
    if (wasBusy !== TokenState.isBusy(next)) this.engine.busyChanged(this, !wasBusy)
  }

  /** Waits for `fetching`'s outcome; when the last waiter leaves, the fetch stops. */
  private join(fetching: Fetching): Effect.Effect<ScheduledToken, FetchError> {
    return fetching.waiters.await((last) => {
      const step = TokenState.waiterLeft(this.state, fetching, last)
      this.moveTo(step.state)
      if (step.action._tag === "Stop") this.engine.fibers.stop(step.action.fetching)
    })
  }

  private readonly wasRejected = (token: AccessToken.AccessToken): boolean => this.engine.rejected.has(token)

  /** A waiter's token, unless it was rejected while the waiter resumed: then it asks again. */
  private readonly given = (scheduled: ScheduledToken): Effect.Effect<AccessToken.AccessToken, FetchError> =>
    TokenState.resumed(scheduled, this.wasRejected) === "CallAgain" ? this.get : scheduled.succeed

  /**
   * The token held, without entering the runtime, while no refresh is due and none runs (`Fresh`): the caller compares
   * the time with its `refreshAt` and goes to `get` from then on. The Promise API's hot path.
   */
  peek(): ScheduledToken | undefined {
    return TokenState.peek(this.state)
  }

  /** Drops `token` when it is the current one and not protected, the next caller fetches; whether it dropped it. */
  invalidate(token: AccessToken.AccessToken, now: number): boolean {
    const step = TokenState.invalidate(this.state, token, now, AccessToken.sameValue)
    if (step.action._tag === "Nothing") return false
    this.engine.rejected.add(step.action.scheduled.token)
    this.moveTo(step.state)
    return true
  }

  /** Whether a fetch or a refresh is in flight: a cache that passes over busy cells asks this. */
  isBusy(): boolean {
    return TokenState.isBusy(this.state)
  }

  /** Whether `token` is the token this cell holds now, the same value in any object. */
  holds(token: AccessToken.AccessToken): boolean {
    return TokenState.holds(this.state, token, AccessToken.sameValue)
  }

  private startFetch(call: TokenState.Fetch<ScheduledToken, Waiters>, trace: Telemetry.Trace): Fetching {
    const fetching = call.next
    if (call.stop !== undefined) this.engine.fibers.stop(call.stop)
    this.moveTo(fetching)
    start(
      this.engine.fibers,
      fetching,
      this.fetch(fetching, call.replacing, trace),
      (exit) => Effect.map(Monotonic.now, (now) => this.fetchEnded(fetching, exit, now))
    )
    return fetching
  }

  private fetch(
    fetching: Fetching,
    replacing: ScheduledToken | undefined,
    trace: Telemetry.Trace
  ): Effect.Effect<ScheduledToken, FetchError> {
    const flight = { trigger: "caller", trace, scopes: this.key.request.scopes.length } as const
    const rejected = replacing === undefined ? undefined : { scheduled: replacing, rejected: true }
    return this.engine.telemetry.fetch(this.engine.fetch(this.key, rejected), flight).pipe(
      Effect.flatMap((fetched) =>
        this.engine.schedule(
          this,
          fetched,
          TokenState.protectionOf(fetching.rejection, fetched.fromStore, this.engine.cooldownMillis)
        )
      )
    )
  }

  private fetchEnded(fetching: Fetching, exit: Exit.Exit<ScheduledToken, FetchError>, now: number): void {
    this.moveTo(TokenState.fetchEnded(this.state, fetching, fetchEndOf(exit), now, this.engine.cooldownMillis))
    this.answerWaiters(fetching, exit)
  }

  /** Resumes every waiter of `fetching` with `exit`, and counts those that joined it. */
  private answerWaiters(fetching: Fetching, exit: Exit.Exit<ScheduledToken, FetchError>): void {
    if (fetching.waiters.isDone) return
    this.engine.telemetry.joined(fetching.joined)
    fetching.waiters.complete(exit)
  }

  private startRefresh(call: TokenState.Refresh<ScheduledToken>, trace: Telemetry.Trace): void {
    this.moveTo(call.next)
    // once the layer's scope is closed nothing runs: the token is given until its hard expiry, then callers are
    // interrupted (`startFetch`)
    this.engine.fibers.run(call.next, this.refresh(call.next, call.timeLeft, trace))
  }

  private refresh(refreshing: Refreshing, timeLeft: number, trace: Telemetry.Trace): Effect.Effect<void> {
    const flight = { trigger: "refresh", trace, scopes: this.key.request.scopes.length } as const
    const renewed = { scheduled: refreshing.scheduled, rejected: false }
    return this.engine.telemetry.fetch(this.engine.fetch(this.key, renewed), flight).pipe(
      Effect.flatMap((fetched) =>
        Effect.map(
          this.engine.schedule(this, fetched, 0),
          (scheduled): RefreshedToken => ({ _tag: "Token", scheduled, fromStore: fetched.fromStore })
        )
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
    exit: Exit.Exit<Option.Option<RefreshedToken>, FetchError>,
    now: number
  ): Effect.Effect<void> {
    const step = TokenState.refreshEnded(this.state, refreshing, refreshEndOf(exit), now, this.engine.cooldownMillis)
    this.moveTo(step.state)
    switch (step.action._tag) {
      case "Answer":
        this.answerWaiters(step.action.fetching, Exit.succeed(step.action.scheduled))
        this.engine.fibers.stop(step.action.fetching)
        return Effect.void
      case "Expired":
        this.engine.telemetry.refreshExpired()
        return Effect.logWarning(TokenState.logMessages.refreshExpired)
      case "Warn":
        return refreshFailed(exit)
      case "Nothing":
        return Effect.void
    }
  }
}
