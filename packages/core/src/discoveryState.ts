/**
 * Discovery's state machine: whether an issuer's metadata is known, read, or being read, and what a caller, a failed
 * token endpoint and the end of a read do to it. Pure transitions on plain data; a line's shell holds the one state
 * value, runs the reads (HTTP, fibers), and does what each transition's actions say.
 *
 * A state is generic over what the shell attaches to it: `W`, the handle of the callers waiting for a discovery (the
 * shell completes it with the read's outcome), and `S`, the metadata as the shell serves it (e.g. an effect built once
 * per read). Times are the monotonic clock's, in milliseconds (fractional), as in `timing`: a number, as every time in
 * the core, that a line gets from its clock's monotonic nanoseconds (`Number(nanos) / 1e6`); at the scale of the
 * cool-down and the ages (seconds to a day) a fraction of a microsecond lost to the conversion changes nothing.
 *
 * How long metadata is kept: until its maximum age, the response's `Cache-Control: max-age` held to [1 minute,
 * 24 hours] (`no-cache` or `no-store`: 1 minute; none: 24 hours; `metadata.maxAgeSecondsOf`), measured from when the
 * read started; and until the token endpoint it names stops working (`endpointFailed`: it answered 404 or 410, or no
 * answer came, after the retries; `endpointGone`). Either reads the metadata again, in the background, at most once
 * per `rereadCooldownMillis` (30 seconds) from the start of the last read: the token endpoint can move, and an
 * issuer's metadata is the place that says where to.
 *
 * States (every transition gives a whole new value):
 * - `Unknown`: nothing known, nothing in flight.
 * - `Discovering`: the first discovery (or the first after a failed one) runs; callers wait for its outcome
 *   (`waiters`).
 * - `Known`: the metadata, from the last read, served at once; with when that read started (`readAt`) and when it goes
 *   stale (`staleAt`).
 * - `Kept`: the same, after a re-read that failed: the metadata served is the last good one.
 * - `Rereading`: a re-read runs, from `Known` or `Kept` (`from`), whose metadata callers are served at once meanwhile.
 *
 * Transitions (`call`, `endpointFailed`, `readEnded`; each returns the next state and the actions):
 * - `Unknown` — a caller → `Discovering`: start the read, the caller waits.
 * - `Discovering` — a caller waits; good metadata → `Known` (log where the token endpoint is, at debug); any failure
 *   (a failure after the retries, a defect, an interruption by the scope's end) → `Unknown`: nothing is kept, the
 *   next caller discovers again. Either way the waiters are settled with the read's outcome.
 * - `Known` or `Kept` — a caller is served; once the metadata is stale, and only after the cool-down since its read
 *   started, the caller also starts a re-read → `Rereading`. `endpointFailed` for its metadata, only after the
 *   cool-down → `Rereading`.
 * - `Rereading` — a caller is served `from`'s metadata; good metadata → `Known` (a new `Metadata`; from `Kept`, log
 *   that it was read again, at info; a token endpoint at another URL, log the move, at info); a failure → `Kept` (log
 *   at warning from `Known`, at debug from `Kept`: once per run of failures), with the metadata of `from` and the time
 *   this read started, so the cool-down runs from it; an interruption by the scope's end → `from`.
 *
 * Invariants:
 * - At most one read at a time, whatever the number of callers: a read starts only from `Unknown`, `Known` or `Kept`,
 *   and the state is then the read's own (`Discovering`, `Rereading`).
 * - Once metadata is known, no caller waits for discovery again, and a failed re-read never replaces it.
 * - The end of a read that is no longer the state changes nothing (but settles its waiters): a stale actor finds
 *   "not mine any more" by identity.
 * - `endpointFailed` about metadata that is no longer the one served changes nothing.
 * - Every log names origins only, never a path or a query.
 */
import type { Metadata } from "./metadata.js"
import { origin } from "./urls.js"

/**
 * The least time between the starts of two reads of the metadata, in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export const rereadCooldownMillis = 30_000

/**
 * Nothing known, nothing in flight.
 *
 * @since 0.1.0
 * @category models
 */
export interface Unknown {
  readonly _tag: "Unknown"
}

/**
 * The first discovery (or the first after a failed one) runs; `waiters` wait for its outcome.
 *
 * @since 0.1.0
 * @category models
 */
export interface Discovering<W> {
  readonly _tag: "Discovering"
  readonly waiters: W
  /** When this read started, in monotonic milliseconds. */
  readonly startedAt: number
}

/**
 * `Known`, or `Kept` after a re-read that failed: metadata served at once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Served<S> {
  readonly _tag: "Known" | "Kept"
  readonly metadata: Metadata
  /** The metadata as the shell serves it, built once per read. */
  readonly serve: S
  /** When the last read started (good for `Known`, failed for `Kept`), in monotonic milliseconds. */
  readonly readAt: number
  /** From when a caller starts a re-read, in monotonic milliseconds. */
  readonly staleAt: number
}

/**
 * A re-read runs, from `Known` or `Kept`, whose metadata is served meanwhile.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rereading<S> {
  readonly _tag: "Rereading"
  readonly from: Served<S>
  /** When this read started, in monotonic milliseconds. */
  readonly startedAt: number
}

/**
 * The issuer's metadata, and the read in flight.
 *
 * @since 0.1.0
 * @category models
 */
export type State<W, S> = Unknown | Discovering<W> | Served<S> | Rereading<S>

/**
 * A read in flight, owned by the state it serves.
 *
 * @since 0.1.0
 * @category models
 */
export type Reading<W, S> = Discovering<W> | Rereading<S>

/**
 * The state before the first caller.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unknown: Unknown = { _tag: "Unknown" }

/**
 * What the shell does for a caller or for `endpointFailed`: answer the caller with `serve`, or wait on `waiters`;
 * start `reading` (a read of the metadata, in the background; its end goes to `readEnded`).
 *
 * @since 0.1.0
 * @category models
 */
export type CallAction<W, S> =
  | { readonly _tag: "Serve"; readonly serve: S }
  | { readonly _tag: "Wait"; readonly waiters: W }
  | { readonly _tag: "StartRead"; readonly reading: Reading<W, S> }

/**
 * What the shell does when a read ends: settle a discovery's `waiters` with the read's outcome (its metadata, or its
 * failure), and log (`logOf` has the words): the token endpoint found, moved, the metadata read again, a re-read that
 * failed (`failure`: the failure's message, `undefined` for a defect).
 *
 * @since 0.1.0
 * @category models
 */
export type EndAction<W> =
  | { readonly _tag: "Settle"; readonly waiters: W }
  | { readonly _tag: "LogFound"; readonly metadata: Metadata }
  | { readonly _tag: "LogMoved"; readonly metadata: Metadata; readonly before: Metadata }
  | { readonly _tag: "LogReadAgain" }
  | { readonly _tag: "LogRereadFailed"; readonly level: "Warning" | "Debug"; readonly failure: string | undefined }

/**
 * A transition's outcome: the next state (the same value when nothing changes), and what the shell does, in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step<W, S, A> {
  readonly state: State<W, S>
  readonly actions: ReadonlyArray<A>
}

/**
 * How a read ended: good metadata with how long it may be kept (and the metadata as the shell serves it); a failure
 * (`failure`: its message, `undefined` for a defect); or an interruption (the scope's end).
 *
 * @since 0.1.0
 * @category models
 */
export type ReadEnd<S> =
  | { readonly _tag: "Success"; readonly metadata: Metadata; readonly maxAgeMillis: number; readonly serve: S }
  | { readonly _tag: "Failure"; readonly failure: string | undefined }
  | { readonly _tag: "Interrupted" }

const reread = <S>(from: Served<S>, now: number): Rereading<S> | undefined =>
  now - from.readAt >= rereadCooldownMillis ? { _tag: "Rereading", from, startedAt: now } : undefined

/**
 * A caller at `now`: served at once when the metadata is known (starting a re-read when it is stale and the cool-down
 * has passed), else waiting for the discovery under way, or for one started now (`waiters` makes its handle).
 *
 * @since 0.1.0
 * @category constructors
 */
export const call = <W, S>(
  state: State<W, S>,
  now: number,
  waiters: () => W
): Step<W, S, CallAction<W, S>> => {
  switch (state._tag) {
    case "Known":
    case "Kept": {
      const serve: CallAction<W, S> = { _tag: "Serve", serve: state.serve }
      const reading = now >= state.staleAt ? reread(state, now) : undefined
      return reading === undefined
        ? { state, actions: [serve] }
        : { state: reading, actions: [{ _tag: "StartRead", reading }, serve] }
    }
    case "Rereading":
      return { state, actions: [{ _tag: "Serve", serve: state.from.serve }] }
    case "Discovering":
      return { state, actions: [{ _tag: "Wait", waiters: state.waiters }] }
    case "Unknown": {
      const reading: Discovering<W> = { _tag: "Discovering", waiters: waiters(), startedAt: now }
      return { state: reading, actions: [{ _tag: "StartRead", reading }, { _tag: "Wait", waiters: reading.waiters }] }
    }
  }
}

/**
 * The token endpoint `failed` names has stopped working, said at `now`: a re-read when `failed` is the metadata
 * served (`Known` or `Kept`) and the cool-down since its read started has passed; else nothing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const endpointFailed = <W, S>(
  state: State<W, S>,
  failed: Metadata,
  now: number
): Step<W, S, CallAction<W, S>> => {
  if ((state._tag === "Known" || state._tag === "Kept") && state.metadata === failed) {
    const reading = reread(state, now)
    if (reading !== undefined) return { state: reading, actions: [{ _tag: "StartRead", reading }] }
  }
  return { state, actions: [] }
}

const known = <S>(end: Extract<ReadEnd<S>, { readonly _tag: "Success" }>, startedAt: number): Served<S> => ({
  _tag: "Known",
  metadata: end.metadata,
  serve: end.serve,
  readAt: startedAt,
  staleAt: startedAt + end.maxAgeMillis
})

/**
 * The end of `reading`: the transition, if `reading` is still the state, and what to settle and log.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readEnded = <W, S>(
  state: State<W, S>,
  reading: Reading<W, S>,
  end: ReadEnd<S>
): Step<W, S, EndAction<W>> => {
  const current = state === reading
  if (reading._tag === "Discovering") {
    const settle: EndAction<W> = { _tag: "Settle", waiters: reading.waiters }
    if (!current) return { state, actions: [settle] }
    return end._tag === "Success"
      ? { state: known(end, reading.startedAt), actions: [settle, { _tag: "LogFound", metadata: end.metadata }] }
      : { state: unknown, actions: [settle] }
  }
  if (!current) return { state, actions: [] }
  const { from } = reading
  switch (end._tag) {
    case "Success": {
      const actions: Array<EndAction<W>> = []
      if (from._tag === "Kept") actions.push({ _tag: "LogReadAgain" })
      if (from.metadata.tokenEndpoint.href !== end.metadata.tokenEndpoint.href) {
        actions.push({ _tag: "LogMoved", metadata: end.metadata, before: from.metadata })
      }
      return { state: known(end, reading.startedAt), actions }
    }
    case "Interrupted":
      return { state: from, actions: [] }
    case "Failure":
      return {
        state: { ...from, _tag: "Kept", readAt: reading.startedAt },
        actions: [{
          _tag: "LogRereadFailed",
          level: from._tag === "Known" ? "Warning" : "Debug",
          failure: end.failure
        }]
      }
  }
}

/**
 * A log line: its level, its message, and its annotations (origins only).
 *
 * @since 0.1.0
 * @category models
 */
export interface LogEntry {
  readonly level: "Debug" | "Info" | "Warning"
  readonly message: string
  readonly annotations: Readonly<Record<string, string>>
}

/**
 * The actions of `EndAction` that are logs.
 *
 * @since 0.1.0
 * @category models
 */
export type LogAction = Exclude<EndAction<unknown>, { readonly _tag: "Settle" }>

const where = (issuerOrigin: string, metadata: Metadata): string =>
  origin(metadata.tokenEndpoint) === issuerOrigin ? "the issuer's origin" : "another origin than the issuer's"

/**
 * The words of a log action, for the issuer at `issuerOrigin`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const logOf = (action: LogAction, issuerOrigin: string): LogEntry => {
  switch (action._tag) {
    case "LogFound":
      return {
        level: "Debug",
        message: `effect-oauth2: the token endpoint is on ${where(issuerOrigin, action.metadata)}`,
        annotations: { issuer: issuerOrigin, tokenEndpoint: origin(action.metadata.tokenEndpoint) }
      }
    case "LogMoved":
      return {
        level: "Info",
        message: `effect-oauth2: the issuer's metadata names another token endpoint, on ${
          where(issuerOrigin, action.metadata)
        }; using it`,
        annotations: {
          issuer: issuerOrigin,
          tokenEndpoint: origin(action.metadata.tokenEndpoint),
          before: origin(action.before.tokenEndpoint)
        }
      }
    case "LogReadAgain":
      return {
        level: "Info",
        message: "effect-oauth2: the issuer's metadata was read again",
        annotations: { issuer: issuerOrigin }
      }
    case "LogRereadFailed":
      return {
        level: action.level,
        message: "effect-oauth2: reading the issuer's metadata again failed; keeping the metadata read before",
        annotations: { issuer: issuerOrigin, error: action.failure ?? "a defect" }
      }
  }
}

/**
 * What a failed token request says of the token endpoint the metadata named, as plain fields of the line's
 * `TokenError` or `NetworkError` (`_tag`, `reason`, `status`, `source`): whether it may have moved. It answered 404 or
 * 410 (`TokenError` `InvalidResponse`), or no answer came after the retries (`NetworkError` of the `TokenEndpoint`:
 * `Timeout`, or `Transport` with no status).
 *
 * @since 0.1.0
 * @category constructors
 */
export const endpointGone = (failure: {
  readonly _tag: string
  readonly reason: string
  readonly status?: number | undefined
  readonly source?: string | undefined
}): boolean =>
  failure._tag === "TokenError"
    ? failure.reason === "InvalidResponse" && (failure.status === 404 || failure.status === 410)
    : failure._tag === "NetworkError" && failure.source === "TokenEndpoint" &&
      (failure.reason === "Timeout" || failure.reason === "Transport" && failure.status === undefined)
