/**
 * The token of one request key: what its callers are served, and when a token is fetched for it.
 *
 * States (`TokenCell.state`; every transition replaces the whole value):
 * - `Empty`: nothing usable and nothing in flight. `rejection` says which token was last dropped as rejected, and when.
 * - `Fetching`: a fetch runs on a fiber of the layer; callers wait for its `result`.
 * - `Fresh`: a token, served at once.
 * - `Refreshing`: a token, served at once, while a background fetch replaces it.
 * - `Failed`: a `TokenError`, answered at once until `until`.
 *
 * Transitions:
 * - `Empty`, `Failed` from `until`, `Fresh`/`Refreshing` from the hard expiry — a caller → `Fetching`.
 * - `Fetching` — a token → `Fresh` (even one that came after its own hard expiry: the waiters get it, later callers
 *   fetch again); a `TokenError` → `Failed` for `rememberFor(error)`, or `Empty` when that is 0; a `NetworkError`,
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
 * - A caller is served a token before its hard expiry and never after it was rejected (`invalidate` dropped it).
 *   The waiters of a fetch get the token it brought, even one that came after its hard expiry, unless it was
 *   rejected while they resumed: then they ask again.
 * - A cell starts at most one fetch and one refresh at a time, on fibers of the layer, with the layer's context
 *   (never a caller's). A fetch stops when its last waiter leaves, a refresh at the hard expiry at the latest, and
 *   both when the layer's scope closes; once it is closed, a fetch is interrupted before it starts, and so are its
 *   callers. (A fetch that was stopped may still be winding down when the next one starts.)
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
 * - Failures are never served past `until`, and defects never to a later caller.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as AccessToken from "../AccessToken.js"
import type * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import * as Monotonic from "./monotonic.js"
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
export interface Held {
  readonly token: AccessToken.AccessToken
  /** The token, as an effect built once: serving it allocates nothing. */
  readonly succeed: Effect.Effect<AccessToken.AccessToken>
  /** When the server's lifetime of the token ends: its start + `expires_in`. */
  readonly expiresAt: number
  /** `expiresAt` − leeway: from then on no caller gets the token, but the waiters that fetched it. */
  readonly hardExpiresAt: number
  /** From then on a call starts a background refresh; at most `hardExpiresAt`. */
  readonly refreshAt: number
  /** `refreshAt` in nanoseconds, as the hot paths compare it with the clock (no conversion per call). */
  readonly refreshAtNanos: bigint
  /** Before then, `invalidate` does not drop this token: it replaced a rejected one. */
  readonly protectedUntil: number
}

/** The last token dropped as rejected, and when: the next token fetched is protected until `at` + cooldown. */
export interface Rejection {
  readonly at: number
  readonly held: Held
}

/** Nothing usable, nothing in flight. */
export interface Empty {
  readonly _tag: "Empty"
  readonly rejection: Rejection | undefined
}

/** How a fetch ended, as its waiters are resumed with it. */
export type Outcome = Exit.Exit<Held, FetchError>

/** A fetch in flight; callers wait for its outcome. */
export interface Fetching {
  readonly _tag: "Fetching"
  readonly rejection: Rejection | undefined
  /** How to resume each caller waiting: when the last one leaves, the fetch stops. */
  readonly waiters: Set<(outcome: Outcome) => void>
  /** The outcome, once settled: a caller that comes to this fetch after that has it at once. */
  outcome: Outcome | undefined
  /** How many callers joined the fetch another caller started, counted once it settles (telemetry). */
  joined: number
}

/** A token served at once. */
export interface Fresh {
  readonly _tag: "Fresh"
  readonly held: Held
}

/** A token served at once while a background fetch replaces it. */
export interface Refreshing {
  readonly _tag: "Refreshing"
  readonly held: Held
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

/** The work that runs on a fiber of the layer, owned by the state it serves. */
export type Flight = Fetching | Refreshing

/** What every cell of a `TokenService` shares: the token endpoint, the schedule of tokens, the layer's fibers. */
export interface Engine {
  /**
   * A token for `key`: one token request, with its retries and per-attempt timeouts, or a token from a shared store.
   * `replacing` is the token the new one replaces (rejected, or being refreshed): one with its value, or one that
   * expires no later, is never the answer.
   */
  readonly fetch: (key: RequestKey, replacing: Held | undefined) => Effect.Effect<Fetched, FetchError>
  /** Schedules a fetched token (hard expiry, jittered refresh point) and records `cell` as its owner. */
  readonly hold: (cell: TokenCell, fetched: Fetched, protectedUntil: number) => Effect.Effect<Held>
  /** How long a failure is answered from memory, in millis; 0 for not at all. */
  readonly rememberFor: (error: FetchError) => number
  /** How long a token that replaced a rejected one is protected, in millis. */
  readonly cooldownMillis: number
  /** Every token `invalidate` dropped: a waiter is never handed one of them. Weak: it keeps no token alive. */
  readonly rejected: WeakSet<AccessToken.AccessToken>
  /**
   * Runs `effect` on a fiber of the layer, with the layer's context, owned by `flight`; `false`, running nothing,
   * once the layer's scope is closed.
   */
  readonly run: (flight: Flight, effect: Effect.Effect<void>) => boolean
  /** Interrupts the fiber owned by `flight`, if it still runs. */
  readonly stop: (flight: Flight) => void
  /** Spans, metrics and logs (`telemetry.ts`). */
  readonly telemetry: Telemetry.Telemetry
}

const empty: Empty = { _tag: "Empty", rejection: undefined }

/** How long a refresh that failed waits before the next one: 10 % of the time left, at least 1 s. */
const refreshBackOff = (held: Held, now: number): number =>
  Math.min(held.hardExpiresAt, now + Math.max(1000, 0.1 * (held.hardExpiresAt - now)))

/** The token of one request key. See the module's comment for its states and transitions. */
export class TokenCell {
  private state: State = empty

  constructor(readonly key: RequestKey, private readonly engine: Engine) {}

  /**
   * The current token, starting a refresh when due; or a wait for a fetch. The first branches are the hot path:
   * a fresh token is served without allocating.
   */
  readonly serve: Effect.Effect<AccessToken.AccessToken, FetchError> = Effect.clockWith((clock) => {
    const state = this.state
    if (state._tag === "Fresh") {
      const now = clock.unsafeCurrentTimeNanos()
      if (now < state.held.refreshAtNanos) {
        this.engine.telemetry.hit(this, state.held.expiresAt, now)
        return state.held.succeed
      }
    }
    return this.slow
  })

  private readonly slow: Effect.Effect<AccessToken.AccessToken, FetchError> = Effect.withFiberRuntime((fiber) => {
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    const state = this.state
    if (state._tag === "Fresh") {
      const now = Monotonic.unsafeNow(clock)
      if (now < state.held.refreshAt) {
        this.engine.telemetry.hit(this, state.held.expiresAt, clock.unsafeCurrentTimeNanos())
        return state.held.succeed
      }
      if (now < state.held.hardExpiresAt) {
        this.engine.telemetry.lookup(this, "refreshed_ahead", state.held.expiresAt, now)
        // no caller waits for a refresh: it is a root span, in the tracer of the call that started it
        this.startRefresh(state, now, Telemetry.traceOf(fiber, { root: true }))
        return state.held.succeed
      }
    } else if (state._tag === "Refreshing") {
      const now = clock.unsafeCurrentTimeNanos()
      if (Number(now) / 1_000_000 < state.held.hardExpiresAt) {
        this.engine.telemetry.hit(this, state.held.expiresAt, now)
        return state.held.succeed
      }
    } else if (state._tag === "Failed") {
      const now = Monotonic.unsafeNow(clock)
      if (now < state.until) {
        this.engine.telemetry.lookup(this, "failure", undefined, now)
        return Effect.fail(state.error)
      }
    }
    if (state._tag === "Fetching") {
      state.joined++
      return Effect.flatMap(this.join(state), this.served)
    }
    this.engine.telemetry.lookup(this, "miss", undefined, Monotonic.unsafeNow(clock))
    // the fetch a caller starts belongs to its trace: its tracer, its span as the parent
    return Effect.flatMap(this.join(this.startFetch(state, Telemetry.traceOf(fiber))), this.served)
  })

  /**
   * Waits for `fetching`'s outcome. The waiter is counted in and out by the wait itself: in when it suspends, out when
   * it is interrupted (then the fetch stops if it was the last), so no step can leave one uncounted.
   */
  private join(fetching: Fetching): Effect.Effect<Held, FetchError> {
    return Effect.async<Held, FetchError>((resume) => {
      if (fetching.outcome !== undefined) return resume(fetching.outcome)
      fetching.waiters.add(resume)
      return Effect.sync(() => this.leave(fetching, resume))
    })
  }

  /** A waiter's token, unless it was rejected while the waiter resumed: then it asks again. */
  private readonly served = (held: Held): Effect.Effect<AccessToken.AccessToken, FetchError> =>
    this.engine.rejected.has(held.token) ? this.serve : held.succeed

  /**
   * The token held, without entering the runtime, while no refresh is due and none runs (`Fresh`): the caller compares
   * the time with its `refreshAt` and goes to `serve` from then on. The Promise API's hot path.
   */
  peek(): Held | undefined {
    const state = this.state
    return state._tag === "Fresh" ? state.held : undefined
  }

  /** Drops `token` when it is the current one and not protected, the next caller fetches; whether it dropped it. */
  invalidate(token: AccessToken.AccessToken, now: number): boolean {
    const state = this.state
    if (
      (state._tag === "Fresh" || state._tag === "Refreshing") &&
      AccessToken.sameValue(state.held.token, token) &&
      now >= state.held.protectedUntil
    ) {
      this.engine.rejected.add(state.held.token)
      this.state = { _tag: "Empty", rejection: { at: now, held: state.held } }
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
    return (state._tag === "Fresh" || state._tag === "Refreshing") && AccessToken.sameValue(state.held.token, token)
  }

  private protectedUntil(rejection: Rejection | undefined): number {
    return rejection === undefined ? 0 : rejection.at + this.engine.cooldownMillis
  }

  private startFetch(from: State, trace: Telemetry.Trace): Fetching {
    const fetching: Fetching = {
      _tag: "Fetching",
      rejection: from._tag === "Empty" || from._tag === "Failed" ? from.rejection : undefined,
      waiters: new Set(),
      outcome: undefined,
      joined: 0
    }
    // a refresh still running at the hard expiry is given up
    if (from._tag === "Refreshing") this.engine.stop(from)
    this.state = fetching
    // the layer's scope is closed: the fetch ends before it starts, interrupted, and so do its callers
    if (!this.engine.run(fetching, this.fetchFlight(fetching, trace))) {
      this.settleFetch(fetching, Exit.interrupt(FiberId.none), 0)
    }
    return fetching
  }

  private fetchFlight(fetching: Fetching, trace: Telemetry.Trace): Effect.Effect<void> {
    const flight = { trigger: "caller", trace, scopes: this.key.request.scopes.length } as const
    return this.engine.telemetry.fetch(this.engine.fetch(this.key, fetching.rejection?.held), flight).pipe(
      // a token from the store cost no token request: it is not protected, so a rejection of it counts
      Effect.flatMap((fetched) =>
        this.engine.hold(this, fetched, fetched.fromStore ? 0 : this.protectedUntil(fetching.rejection))
      ),
      Effect.onExit((exit) => Effect.map(Monotonic.now, (now) => this.settleFetch(fetching, exit, now))),
      Effect.exit,
      Effect.asVoid
    )
  }

  private settleFetch(fetching: Fetching, exit: Exit.Exit<Held, FetchError>, now: number): void {
    if (this.state === fetching) {
      if (Exit.isSuccess(exit)) {
        this.state = { _tag: "Fresh", held: exit.value }
      } else {
        const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
        const remember = error === undefined ? 0 : this.engine.rememberFor(error)
        this.state = remember > 0 && TokenError.isTokenError(error)
          ? { _tag: "Failed", error, until: now + remember, rejection: fetching.rejection }
          : { _tag: "Empty", rejection: fetching.rejection }
      }
    }
    this.resumeWaiters(fetching, exit)
  }

  /** Resumes every waiter of `fetching` with `outcome`, and every later one at once. */
  private resumeWaiters(fetching: Fetching, outcome: Outcome): void {
    if (fetching.outcome !== undefined) return
    fetching.outcome = outcome
    this.engine.telemetry.joined(fetching.joined)
    const waiters = Array.from(fetching.waiters)
    fetching.waiters.clear()
    for (const resume of waiters) resume(outcome)
  }

  private leave(fetching: Fetching, waiter: (outcome: Outcome) => void): void {
    fetching.waiters.delete(waiter)
    if (fetching.waiters.size === 0 && this.state === fetching) {
      this.state = { _tag: "Empty", rejection: fetching.rejection }
      this.engine.stop(fetching)
    }
  }

  private startRefresh(fresh: Fresh, now: number, trace: Telemetry.Trace): void {
    const refreshing: Refreshing = { _tag: "Refreshing", held: fresh.held }
    this.state = refreshing
    // once the layer's scope is closed nothing runs: the token serves until its hard expiry, then callers are
    // interrupted (`startFetch`)
    this.engine.run(refreshing, this.refreshFlight(refreshing, fresh.held.hardExpiresAt - now, trace))
  }

  private refreshFlight(refreshing: Refreshing, timeLeft: number, trace: Telemetry.Trace): Effect.Effect<void> {
    const flight = { trigger: "refresh", trace, scopes: this.key.request.scopes.length } as const
    return this.engine.telemetry.fetch(this.engine.fetch(this.key, refreshing.held), flight).pipe(
      Effect.flatMap((fetched) =>
        Effect.map(this.engine.hold(this, fetched, 0), (held) => ({ held, fromStore: fetched.fromStore }))
      ),
      // no background work outlives the token it renews
      Effect.timeoutOption(Duration.millis(timeLeft)),
      Effect.onExit((exit) => Effect.flatMap(Monotonic.now, (now) => this.settleRefresh(refreshing, exit, now))),
      Effect.exit,
      Effect.asVoid
    )
  }

  private settleRefresh(
    refreshing: Refreshing,
    exit: Exit.Exit<Option.Option<{ readonly held: Held; readonly fromStore: boolean }>, FetchError>,
    now: number
  ): Effect.Effect<void> {
    const mine = this.state === refreshing
    if (Exit.isSuccess(exit)) {
      if (Option.isSome(exit.value)) {
        this.install(refreshing, exit.value.value.held, exit.value.value.fromStore)
        return Effect.void
      }
      if (mine) this.state = empty
      this.engine.telemetry.refreshExpired()
      return Effect.logWarning("effect-oauth2: background token refresh did not finish before the token expired")
    }
    if (Cause.isInterruptedOnly(exit.cause)) {
      if (mine) this.state = { _tag: "Fresh", held: refreshing.held }
      return Effect.void
    }
    if (mine) {
      this.state = { _tag: "Fresh", held: { ...refreshing.held, refreshAt: refreshBackOff(refreshing.held, now) } }
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
  private install(refreshing: Refreshing, held: Held, fromStore: boolean): void {
    const state = this.state
    const afterRejection = (rejection: Rejection | undefined): Held =>
      fromStore ? held : { ...held, protectedUntil: this.protectedUntil(rejection) }
    switch (state._tag) {
      case "Fresh":
        return
      case "Refreshing":
        if (state === refreshing) this.state = { _tag: "Fresh", held }
        return
      case "Failed":
        this.state = { _tag: "Fresh", held: afterRejection(state.rejection) }
        return
      case "Empty":
        this.state = { _tag: "Fresh", held: afterRejection(state.rejection) }
        return
      case "Fetching": {
        const replacing = afterRejection(state.rejection)
        this.state = { _tag: "Fresh", held: replacing }
        this.resumeWaiters(state, Exit.succeed(replacing))
        this.engine.stop(state)
        return
      }
    }
  }
}
