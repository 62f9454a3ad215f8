/**
 * The token of one request key, as a state machine: what its callers are given, and when a token is fetched for it.
 * Plain data and pure transitions; each Effect line's shell (the Effect 3 line's `internal/tokenCell.ts`) holds the
 * state, runs the fetches and refreshes on its fibers and does what each transition's action says. What a shell
 * attaches is a type parameter: `S`, its scheduled token (a `Scheduled` with, say, the token as a prebuilt effect),
 * `W`, the waiters of a fetch, `E`, the error a failure is answered with. Every time is in milliseconds on the
 * monotonic clock (a step of the wall clock neither lengthens nor shortens a token's life, a failure's memory or a
 * protection), but `Scheduled.refreshAtNanos`, the refresh point in the clock's own unit, for the hot path.
 *
 * States (every transition replaces the whole value):
 * - `Empty`: nothing usable and nothing in flight. `rejection` says which token was last dropped as rejected, and when.
 * - `Fetching`: a fetch runs; callers wait for its outcome (`waiters`).
 * - `Fresh`: a token, given at once.
 * - `Refreshing`: a token, given at once, while a background fetch replaces it.
 * - `Failed`: an error, answered at once until `until`.
 *
 * Transitions:
 * - A caller (`call`), the state unchanged: `Fresh` before `refreshAt`, `Refreshing` before the hard expiry — given
 *   the token; `Failed` before `until` — answered with its error; `Fetching` — waits for its outcome.
 * - `Fresh` from `refreshAt`, before the hard expiry — a caller → `Refreshing` (`Refresh`: the token is given and a
 *   refresh starts, bounded by the time left to the hard expiry): checked and set in one synchronous step, so one
 *   refresh.
 * - `Fresh` from the hard expiry while the token error its last refresh failed with is remembered
 *   (`Scheduled.refreshFailure`) — a caller, the state unchanged: answered with that error.
 * - `Empty`, `Failed` from `until`, `Fresh`/`Refreshing` from the hard expiry — a caller → `Fetching` (`Fetch`; a
 *   refresh still running is stopped, given up). `Empty`'s and `Failed`'s `rejection` goes with it.
 * - `Fetching` — its end (`fetchEnded`): a token → `Fresh` (even one that came after its own hard expiry: the
 *   waiters get it, later callers fetch again); an error the shell classes as a token error → `Failed` for
 *   `Timing.memoryOf` (the cool-down when terminal, else 1 s at most), or `Empty` when that is 0; any other
 *   failure, or an interruption → `Empty`. The fetch's waiters are answered with its outcome in every case.
 * - `Fetching` — its last waiter leaves (`waiterLeft`) → `Empty`, and the fetch is stopped (`Stop`).
 * - `Refreshing` — its end (`refreshEnded`): a token → `Fresh` with it; a failure → `Fresh` with the same token and
 *   `refreshAt` backed off (`Timing.refreshRetryAt`; after a token error the shell has remembered, not before it
 *   is forgotten: `Timing.memoryOf`, the error kept as `refreshFailure` until then), and a warning (`Warn`); its
 *   hard expiry → `Empty` (the refresh is given up, and a warning: `Expired`); an interruption → `Fresh` with the
 *   same token. A refresh that ends after its state was replaced changes nothing, but for its token (below) and its
 *   warnings.
 * - A refresh's token also replaces `Empty`, `Failed` and `Fetching` (whose waiters it answers, and whose fetch it
 *   stops: `Answer`): a token beats none. It never replaces another token (`Fresh`, another `Refreshing`).
 * - `Fresh`/`Refreshing` — `invalidate` of its token (the same value) → `Empty` with its `rejection` (`Rejected`),
 *   or `Failed` with it while a `refreshFailure` is remembered, unless the token is protected (`protectedUntil`).
 *
 * Every transition is synchronous, and an actor that finishes later (a fetch, a refresh, a waiter that leaves)
 * changes the state only if it is still the state it started from (`current === started`): "invalidated" or
 * "superseded" is "no longer the current state", never a flag.
 *
 * Invariants:
 * - A caller is given a token before its hard expiry and never after it was rejected (`invalidate` dropped it).
 *   The waiters of a fetch get the token it brought, even one that came after its hard expiry, unless it was
 *   rejected while they resumed: then they ask again (`resumed`).
 * - A key starts at most one fetch and one refresh at a time. A fetch stops when its last waiter leaves, a refresh
 *   at the hard expiry at the latest.
 * - A token fetched from the token endpoint to replace a rejected one is protected: a rejection before
 *   `rejection.at + cooldown` does not drop it, so rejections cost at most one token request per cool-down window
 *   (`protectionOf`). A token taken from a shared store cost no request and is not protected: its rejection drops it.
 *   The first rejection of any other token counts. The `rejection` lives on through a failed fetch, so a failure in
 *   between does not lift the protection; a refresh's token that lands after a rejection is protected as a fetch's
 *   would be, whatever state it lands on.
 * - A fetch is told the token it replaces (the rejected one, or the one being refreshed: `replacing`), so that a
 *   shared store never hands it back.
 * - Failures are never answered past `until`, and defects never to a later caller.
 * - A token error costs at most one token request while it is remembered, whether a fetch or a refresh got it: a wrong
 *   secret costs one request per cool-down window, refreshes included.
 */
import * as Timing from "./timing.js"

/**
 * The texts of the warnings a shell logs: a refresh failed (`Warn`; the token is kept), a refresh did not finish
 * before its token's hard expiry (`Expired`); `opaqueDefect` stands for a defect's text, which is never logged (it may
 * come from a user's HTTP client).
 *
 * @since 0.1.0
 * @category models
 */
export const logMessages = {
  refreshFailed: "effect-oauth2: background token refresh failed; keeping the current token",
  refreshExpired: "effect-oauth2: background token refresh did not finish before the token expired",
  opaqueDefect: "an unexpected defect"
} as const

/**
 * A token with its schedule and its protection, and whatever the shell attaches (extend it).
 *
 * @since 0.1.0
 * @category models
 */
export interface Scheduled<T, E = unknown> extends Timing.Schedule {
  readonly token: T
  /** `refreshAt` in nanoseconds, as a hot path compares it with the clock (no conversion per call). */
  readonly refreshAtNanos: bigint
  /** Before then, `invalidate` does not drop this token: it replaced a rejected one. */
  readonly protectedUntil: number
  /**
   * The token error the last refresh failed with, remembered until `until` as a fetch's would be: from the hard expiry
   * until then, callers are answered with it (the refresh's request counts for the cool-down).
   */
  readonly refreshFailure?: RefreshFailure<E> | undefined
}

/**
 * A refresh's token error, and until when it is answered from memory.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshFailure<E> {
  readonly error: E
  readonly until: number
}

/**
 * The last token dropped as rejected, and when: the next token fetched is protected until `at` + cooldown.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rejection<S> {
  readonly at: number
  readonly scheduled: S
}

/**
 * Nothing usable, nothing in flight.
 *
 * @since 0.1.0
 * @category models
 */
export interface Empty<S> {
  readonly _tag: "Empty"
  readonly rejection: Rejection<S> | undefined
}

/**
 * A fetch in flight; callers wait for its outcome.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fetching<S, W> {
  readonly _tag: "Fetching"
  readonly rejection: Rejection<S> | undefined
  /** The shell's handle on the callers that wait for the fetch. */
  readonly waiters: W
  /** How many callers joined the fetch another caller started: the shell counts them, for its telemetry. */
  joined: number
}

/**
 * A token given at once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fresh<S> {
  readonly _tag: "Fresh"
  readonly scheduled: S
}

/**
 * A token given at once while a background fetch replaces it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Refreshing<S> {
  readonly _tag: "Refreshing"
  readonly scheduled: S
}

/**
 * A failure answered at once until `until`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failed<S, E> {
  readonly _tag: "Failed"
  readonly error: E
  readonly until: number
  readonly rejection: Rejection<S> | undefined
}

/**
 * The state of one request key.
 *
 * @since 0.1.0
 * @category models
 */
export type State<S, W, E> = Empty<S> | Fetching<S, W> | Fresh<S> | Refreshing<S> | Failed<S, E>

/**
 * The states that hold a token.
 *
 * @since 0.1.0
 * @category models
 */
export type Holding<S> = Fresh<S> | Refreshing<S>

/**
 * The state of a key nobody asked for yet.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: Empty<never> = { _tag: "Empty", rejection: undefined }

/**
 * A time in milliseconds in nanoseconds, as `Scheduled.refreshAtNanos` holds it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const nanosOf = (millis: number): bigint => BigInt(Math.floor(millis * 1_000_000))

/**
 * A token fetched at `startedAt` (monotonic millis) scheduled: its hard expiry and its refresh point
 * (`Timing.scheduleOf`, `random` the jitter in [0, 1)), the refresh point in nanoseconds too, and its protection
 * (`protectionOf`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const scheduledOf = <T>(options: {
  readonly token: T
  readonly startedAt: number
  readonly lifetimeMillis: number
  readonly leewayMillis: number
  readonly refreshAhead: number | false
  readonly random: number
  readonly protectedUntil: number
}): Scheduled<T, never> => {
  const times = Timing.scheduleOf(options)
  return {
    ...times,
    token: options.token,
    refreshAtNanos: nanosOf(times.refreshAt),
    protectedUntil: options.protectedUntil
  }
}

/**
 * Until when a fetch's token is protected: a token from the token endpoint that replaces a rejected one, for the
 * cool-down from the rejection; a token from a shared store, or one that replaces no rejection, not at all (0).
 *
 * @since 0.1.0
 * @category constructors
 */
export const protectionOf = (
  rejection: Rejection<unknown> | undefined,
  fromStore: boolean,
  cooldownMillis: number
): number => fromStore || rejection === undefined ? 0 : rejection.at + cooldownMillis

// ---------------------------------------------------------------------------------------------------------------------
// a caller
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The state is now `next`: give its token, and start a refresh owned by `next`, bounded by `timeLeft` (millis, to the
 * hard expiry), that fetches a token replacing `next.scheduled`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Refresh<S> {
  readonly _tag: "Refresh"
  readonly next: Refreshing<S>
  readonly timeLeft: number
}

/**
 * The state is now `next`: start a fetch owned by it, replacing `replacing` (the rejected token) if any, and wait
 * for it; stop the refresh of `stop` first, if any.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fetch<S, W> {
  readonly _tag: "Fetch"
  readonly next: Fetching<S, W>
  readonly replacing: S | undefined
  readonly stop: Refreshing<S> | undefined
}

/**
 * What a call does: when it is answered from the state, the state itself (`Fresh`, `Refreshing`: give its token;
 * `Failed`: answer with its error; `Fetching`: wait for its fetch), so that such a call allocates nothing; otherwise
 * `Refresh` or `Fetch`, with the next state.
 *
 * @since 0.1.0
 * @category models
 */
export type Call<S, W, E> = Holding<S> | Failed<S, E> | Fetching<S, W> | Refresh<S> | Fetch<S, W>

/**
 * A call at `now`. `newWaiters` makes the waiters of a fetch it starts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const call = <S extends Scheduled<unknown, E>, W, E>(
  state: State<S, W, E>,
  now: number,
  newWaiters: () => W
): Call<S, W, E> => {
  switch (state._tag) {
    case "Fresh":
      if (now < state.scheduled.refreshAt) return state
      if (now < state.scheduled.hardExpiresAt) {
        return {
          _tag: "Refresh",
          next: { _tag: "Refreshing", scheduled: state.scheduled },
          timeLeft: state.scheduled.hardExpiresAt - now
        }
      }
      {
        // past the hard expiry, a refresh's token error is answered as a fetch's would be, until it is forgotten
        const failure = state.scheduled.refreshFailure
        if (failure !== undefined && now < failure.until) {
          return { _tag: "Failed", error: failure.error, until: failure.until, rejection: undefined }
        }
      }
      break
    case "Refreshing":
      if (now < state.scheduled.hardExpiresAt) return state
      break
    case "Failed":
      if (now < state.until) return state
      break
    case "Fetching":
      return state
  }
  const rejection = state._tag === "Empty" || state._tag === "Failed" ? state.rejection : undefined
  return {
    _tag: "Fetch",
    next: { _tag: "Fetching", rejection, waiters: newWaiters(), joined: 0 },
    replacing: rejection?.scheduled,
    // a refresh still running at the hard expiry is given up
    stop: state._tag === "Refreshing" ? state : undefined
  }
}

/**
 * What a waiter of a fetch does with the token it resumed with: give it, or, when it was rejected while the waiter
 * resumed (`wasRejected`), call again.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resumed = <T>(scheduled: Scheduled<T>, wasRejected: (token: T) => boolean): "Give" | "CallAgain" =>
  wasRejected(scheduled.token) ? "CallAgain" : "Give"

// ---------------------------------------------------------------------------------------------------------------------
// a fetch
// ---------------------------------------------------------------------------------------------------------------------

/**
 * How a fetch ended: with a token; with a token error (`terminal` or not), remembered; with another failure (a
 * network error, a defect), not remembered; interrupted.
 *
 * @since 0.1.0
 * @category models
 */
export type FetchEnd<S, E> =
  | { readonly _tag: "Token"; readonly scheduled: S }
  | { readonly _tag: "TokenError"; readonly error: E; readonly terminal: boolean }
  | { readonly _tag: "OtherFailure" }
  | { readonly _tag: "Interrupted" }

/**
 * The state after the fetch of `fetching` ended at `now`; `current` when it is no longer `fetching`. Whatever the
 * state, the shell answers the fetch's waiters with its outcome (unless a refresh's token answered them first).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fetchEnded = <S, W, E>(
  current: State<S, W, E>,
  fetching: Fetching<S, W>,
  end: FetchEnd<S, E>,
  now: number,
  cooldownMillis: number
): State<S, W, E> => {
  if (current !== fetching) return current
  switch (end._tag) {
    case "Token":
      return { _tag: "Fresh", scheduled: end.scheduled }
    case "TokenError": {
      const memory = Timing.memoryOf(end.terminal ? "terminal" : "tokenError", cooldownMillis)
      return memory > 0
        ? { _tag: "Failed", error: end.error, until: now + memory, rejection: fetching.rejection }
        : { _tag: "Empty", rejection: fetching.rejection }
    }
    case "OtherFailure":
    case "Interrupted":
      return { _tag: "Empty", rejection: fetching.rejection }
  }
}

/**
 * Stop the fetch of `fetching`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stop<S, W> {
  readonly _tag: "Stop"
  readonly fetching: Fetching<S, W>
}

/**
 * Nothing to do.
 *
 * @since 0.1.0
 * @category models
 */
export interface Nothing {
  readonly _tag: "Nothing"
}

const nothing: Nothing = { _tag: "Nothing" }

/**
 * A next state and what the shell does.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step<S, W, E, A> {
  readonly state: State<S, W, E>
  readonly action: A
}

/**
 * A waiter of `fetching` left, the `last` one or not: when the last one leaves and `fetching` is the current state,
 * `Empty` (the rejection kept) and the fetch is stopped.
 *
 * @since 0.1.0
 * @category constructors
 */
export const waiterLeft = <S, W, E>(
  current: State<S, W, E>,
  fetching: Fetching<S, W>,
  last: boolean
): Step<S, W, E, Stop<S, W> | Nothing> =>
  last && current === fetching
    ? { state: { _tag: "Empty", rejection: fetching.rejection }, action: { _tag: "Stop", fetching } }
    : { state: current, action: nothing }

// ---------------------------------------------------------------------------------------------------------------------
// a refresh
// ---------------------------------------------------------------------------------------------------------------------

/**
 * How a refresh ended: with a token (from a shared store or not); with a failure; at the hard expiry, unfinished;
 * interrupted.
 *
 * @since 0.1.0
 * @category models
 */
export type RefreshEnd<S, E = never> =
  | { readonly _tag: "Token"; readonly scheduled: S; readonly fromStore: boolean }
  /** `tokenError`: a token error the shell has remembered (`terminal` says for how long, `Timing.memoryOf`). */
  | {
    readonly _tag: "Failure"
    readonly tokenError?: { readonly error: E; readonly terminal: boolean } | undefined
  }
  | { readonly _tag: "TimedOut" }
  | { readonly _tag: "Interrupted" }

/**
 * What the shell does after a refresh: answer the waiters of `fetching` with `scheduled` and stop its fetch
 * (`Answer`); warn that the refresh failed and the token is kept (`Warn`); count and warn that the refresh did not
 * finish before the token's hard expiry (`Expired`); nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type RefreshAction<S, W> =
  | { readonly _tag: "Answer"; readonly fetching: Fetching<S, W>; readonly scheduled: S }
  | { readonly _tag: "Warn" }
  | { readonly _tag: "Expired" }
  | Nothing

const warn: RefreshAction<never, never> = { _tag: "Warn" }
const expired: RefreshAction<never, never> = { _tag: "Expired" }

/**
 * The state after the refresh of `refreshing` ended at `now`, and what the shell does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const refreshEnded = <S extends Scheduled<unknown, E>, W, E>(
  current: State<S, W, E>,
  refreshing: Refreshing<S>,
  end: RefreshEnd<S, E>,
  now: number,
  cooldownMillis: number
): Step<S, W, E, RefreshAction<S, W>> => {
  const mine = current === refreshing
  switch (end._tag) {
    case "Token":
      return adoptRefreshed(current, refreshing, end.scheduled, end.fromStore, cooldownMillis)
    case "TimedOut":
      return { state: mine ? empty : current, action: expired }
    case "Interrupted":
      return { state: mine ? { _tag: "Fresh", scheduled: refreshing.scheduled } : current, action: nothing }
    case "Failure": {
      if (!mine) return { state: current, action: warn }
      const hardExpiresAt = refreshing.scheduled.hardExpiresAt
      // a token error is remembered as a fetch's would be: no request for it, refresh or fetch, before it is forgotten
      const memory = end.tokenError === undefined
        ? 0
        : Timing.memoryOf(end.tokenError.terminal ? "terminal" : "tokenError", cooldownMillis)
      const refreshAt = Math.min(hardExpiresAt, Math.max(Timing.refreshRetryAt(hardExpiresAt, now), now + memory))
      // a failure kept from an earlier refresh is forgotten by now: this refresh started after it was
      const scheduled: S = end.tokenError !== undefined && memory > 0
        ? {
          ...refreshing.scheduled,
          refreshAt,
          refreshAtNanos: nanosOf(refreshAt),
          refreshFailure: { error: end.tokenError.error, until: now + memory }
        }
        : { ...refreshing.scheduled, refreshAt, refreshAtNanos: nanosOf(refreshAt) }
      return { state: { _tag: "Fresh", scheduled }, action: warn }
    }
  }
}

/**
 * A refresh's token: it replaces its own state, or no token at all; never another token. Replacing a state after a
 * rejection, it is protected as a fetch's token would be, unless it came from the store.
 */
const adoptRefreshed = <S extends Scheduled<unknown>, W, E>(
  current: State<S, W, E>,
  refreshing: Refreshing<S>,
  scheduled: S,
  fromStore: boolean,
  cooldownMillis: number
): Step<S, W, E, RefreshAction<S, W>> => {
  const afterRejection = (rejection: Rejection<S> | undefined): S =>
    fromStore ? scheduled : { ...scheduled, protectedUntil: protectionOf(rejection, false, cooldownMillis) }
  switch (current._tag) {
    case "Fresh":
      return { state: current, action: nothing }
    case "Refreshing":
      return { state: current === refreshing ? { _tag: "Fresh", scheduled } : current, action: nothing }
    case "Failed":
    case "Empty":
      return { state: { _tag: "Fresh", scheduled: afterRejection(current.rejection) }, action: nothing }
    case "Fetching": {
      const replacing = afterRejection(current.rejection)
      return {
        state: { _tag: "Fresh", scheduled: replacing },
        action: { _tag: "Answer", fetching: current, scheduled: replacing }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// invalidate, and reading the state
// ---------------------------------------------------------------------------------------------------------------------

/**
 * `token` was dropped: it is rejected from now on (a waiter is never given it).
 *
 * @since 0.1.0
 * @category models
 */
export interface Rejected<S> {
  readonly _tag: "Rejected"
  readonly scheduled: S
}

/**
 * `invalidate` of `token` at `now`: when it is the current token (`sameValue`) and not protected, `Empty` with the
 * rejection (`Rejected`), or `Failed` with the token error its last refresh failed with while that is remembered (a
 * rejected token does not make a wrong secret cost a second request in its window); otherwise nothing changes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidate = <S extends Scheduled<unknown, E>, W, E>(
  current: State<S, W, E>,
  token: S["token"],
  now: number,
  sameValue: (held: S["token"], token: S["token"]) => boolean
): Step<S, W, E, Rejected<S> | Nothing> => {
  if (
    (current._tag !== "Fresh" && current._tag !== "Refreshing") ||
    !sameValue(current.scheduled.token, token) ||
    now < current.scheduled.protectedUntil
  ) {
    return { state: current, action: nothing }
  }
  const rejection: Rejection<S> = { at: now, scheduled: current.scheduled }
  const failure = current.scheduled.refreshFailure
  return {
    state: failure !== undefined && now < failure.until
      ? { _tag: "Failed", error: failure.error, until: failure.until, rejection }
      : { _tag: "Empty", rejection },
    action: { _tag: "Rejected", scheduled: current.scheduled }
  }
}

/**
 * Whether a fetch or a refresh is in flight: a cache does not drop such a state, so its work is not done twice.
 *
 * @since 0.1.0
 * @category guards
 */
export const isBusy = (state: State<unknown, unknown, unknown>): boolean =>
  state._tag === "Fetching" || state._tag === "Refreshing"

/**
 * Whether `token` is the token `state` holds (`Fresh` or `Refreshing`), the same value (`sameValue`) in any object.
 *
 * @since 0.1.0
 * @category guards
 */
export const holds = <S extends Scheduled<unknown>>(
  state: State<S, unknown, unknown>,
  token: S["token"],
  sameValue: (held: S["token"], token: S["token"]) => boolean
): boolean => (state._tag === "Fresh" || state._tag === "Refreshing") && sameValue(state.scheduled.token, token)

/**
 * The token held while no refresh is due and none runs (`Fresh`): the caller compares the time with its `refreshAt`
 * (a hot path that does not enter the runtime), and calls from then on.
 *
 * @since 0.1.0
 * @category utils
 */
export const peek = <S>(state: State<S, unknown, unknown>): S | undefined =>
  state._tag === "Fresh" ? state.scheduled : undefined
