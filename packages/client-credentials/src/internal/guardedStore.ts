/**
 * A `TokenStore` as a fleet calls it: every operation bounded by `storeTimeout` and abandoned when its time is up,
 * whatever the store does (it is made interruptible and disconnected from the caller); a failure, a defect or no answer
 * is `None`, and only an interruption of the caller goes through. An entry that cannot be read (`InvalidEntry`:
 * garbage, sealed with another key) is `None` too, but the store answered.
 *
 * The store's health, for the logs (`Health`; every transition replaces the whole value). Operations are of two kinds,
 * reads (`get`) and writes (every other), since a store may fail one kind only (a full Redis refuses writes):
 * - `Answering` — an operation fails → `Failing` with its kind, logging one warning: one per outage, not per call.
 * - `Failing` — an operation of another kind fails → `Failing` with both kinds; of a failing kind answers → `Failing`
 *   without it, or `Answering` when no kind is left, logging that the store is used again.
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as AccessToken from "../AccessToken.js"
import * as TokenStore from "../TokenStore.js"

/** Reads and writes fail apart: a full store answers reads and refuses writes. */
export type OperationKind = "read" | "write"

/** The store's health, for one warning per outage. */
export type Health =
  | { readonly _tag: "Answering" }
  | { readonly _tag: "Failing"; readonly kinds: ReadonlySet<OperationKind> }

/** A store that answers everything. */
export const answering: Health = { _tag: "Answering" }

/** What an operation's outcome changes: the next health, and whether the store started or stopped failing. */
export interface HealthStep {
  readonly health: Health
  readonly change: "startedFailing" | "answeringAgain" | undefined
}

/** The health after an operation of `kind` answered (`ok`) or failed. */
export const healthAfter = (health: Health, kind: OperationKind, ok: boolean): HealthStep => {
  if (health._tag === "Answering") {
    return ok
      ? { health, change: undefined }
      : { health: { _tag: "Failing", kinds: new Set([kind]) }, change: "startedFailing" }
  }
  if (ok !== health.kinds.has(kind)) return { health, change: undefined }
  const kinds = new Set(health.kinds)
  if (ok) kinds.delete(kind)
  else kinds.add(kind)
  return kinds.size === 0
    ? { health: answering, change: "answeringAgain" }
    : { health: { _tag: "Failing", kinds }, change: undefined }
}

/** The store with its operations bounded and failures turned into `None`; `isFailing` while any kind fails. */
export class GuardedStore {
  private health: Health = answering

  constructor(private readonly store: TokenStore.Service, private readonly timeout: Duration.Duration) {}

  /** Whether an operation of either kind failed and none of that kind answered since. */
  isFailing(): boolean {
    return this.health._tag === "Failing"
  }

  /** The entry at `key`; `Some(None)` when there is none. */
  get(key: string): Effect.Effect<Option.Option<Option.Option<TokenStore.StoredToken>>> {
    return this.call("read", () => this.store.get(key))
  }

  set(key: string, token: AccessToken.AccessToken, timeToLive: Duration.Duration): Effect.Effect<Option.Option<void>> {
    return this.call("write", () => this.store.set(key, token, timeToLive))
  }

  acquireLease(key: string, timeToLive: Duration.Duration): Effect.Effect<Option.Option<TokenStore.LeaseResult>> {
    return this.call("write", () => this.store.acquireLease(key, timeToLive))
  }

  renewLease(
    key: string,
    id: TokenStore.LeaseId,
    timeToLive: Duration.Duration
  ): Effect.Effect<Option.Option<boolean>> {
    return this.call("write", () => this.store.renewLease(key, id, timeToLive))
  }

  releaseLease(key: string, id: TokenStore.LeaseId): Effect.Effect<Option.Option<void>> {
    return this.call("write", () => this.store.releaseLease(key, id))
  }

  deleteIf(key: string, tokenValue: Redacted.Redacted<string>): Effect.Effect<Option.Option<boolean>> {
    return this.call("write", () => this.store.deleteIf(key, tokenValue))
  }

  /**
   * `operation` with the timeout. It runs to an `Exit` on its own fiber: a fiber that fails logs its cause, and a
   * store's defect may quote what it was given.
   */
  private call<A>(
    kind: OperationKind,
    operation: () => Effect.Effect<A, TokenStore.TokenStoreError>
  ): Effect.Effect<Option.Option<A>> {
    return Effect.suspend(operation).pipe(
      Effect.exit,
      Effect.interruptible,
      Effect.disconnect,
      Effect.flatten,
      Effect.timeoutFail({
        duration: this.timeout,
        onTimeout: () =>
          new TokenStore.TokenStoreError({
            reason: "Unavailable",
            detail: `no answer within ${Duration.format(this.timeout)}`
          })
      }),
      Effect.matchCauseEffect({
        onSuccess: (value) => Effect.as(this.observe(kind, true), Option.some(value)),
        onFailure: (cause) =>
          Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.as(this.failed(kind, cause), Option.none())
      })
    )
  }

  private failed(kind: OperationKind, cause: Cause.Cause<TokenStore.TokenStoreError>): Effect.Effect<void> {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure) && failure.value.reason === "InvalidEntry") {
      return Effect.zipRight(
        this.observe(kind, true),
        Effect.logDebug("effect-oauth2: token store entry unreadable; treated as a miss").pipe(
          Effect.annotateLogs({ detail: failure.value.detail })
        )
      )
    }
    // a defect's text is not logged: it comes from the store's code and may quote what it was given
    const detail = Option.isSome(failure) ? failure.value.message : "an unexpected defect"
    return this.observe(kind, false, detail)
  }

  private observe(kind: OperationKind, ok: boolean, detail?: string): Effect.Effect<void> {
    return Effect.suspend(() => {
      const step = healthAfter(this.health, kind, ok)
      this.health = step.health
      switch (step.change) {
        case "startedFailing":
          return Effect.logWarning("effect-oauth2: token store failing; fetching tokens directly until it answers")
            .pipe(Effect.annotateLogs({ error: detail ?? "" }))
        case "answeringAgain":
          return Effect.logInfo("effect-oauth2: token store answering again; sharing tokens through it")
        case undefined:
          return Effect.void
      }
    })
  }
}
