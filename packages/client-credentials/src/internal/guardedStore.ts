/**
 * A `TokenStore` as a fleet calls it: every operation bounded by `storeTimeout` and abandoned when its time is up,
 * whatever the store does (it runs interruptible on a fiber of its own, which the caller stops and does not wait for:
 * `abandonable` in `effectLine.ts`); a failure, a defect or no answer is `None`, and only an interruption of the
 * caller goes through. An entry that cannot be read (`InvalidEntry`: garbage, sealed with another key) is `None` too,
 * but the store answered.
 *
 * The store's health, for the logs: `@effect-oauth2/core/storeHealth`, whose comment has its states and transitions.
 * One warning when the store starts failing (one per outage, not per call), and a message when it answers again.
 */
import * as StoreHealth from "@effect-oauth2/core/storeHealth"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as AccessToken from "../AccessToken.js"
import * as TokenStore from "../TokenStore.js"
import * as EffectLine from "./effectLine.js"

/** The store with its operations bounded and failures turned into `None`; `isFailing` while any kind fails. */
export class GuardedStore {
  private health: StoreHealth.Health = StoreHealth.answering

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

  /** `operation`, abandoned when the timeout is up; its failures, defects and time-outs are `None`. */
  private call<A>(
    kind: StoreHealth.OperationKind,
    operation: () => Effect.Effect<A, TokenStore.TokenStoreError>
  ): Effect.Effect<Option.Option<A>> {
    return EffectLine.abandonable(Effect.interruptible(Effect.suspend(operation))).pipe(
      EffectLine.timeoutOrElse({
        duration: this.timeout,
        orElse: () =>
          Effect.fail(
            new TokenStore.TokenStoreError({
              reason: "Unavailable",
              detail: `no answer within ${Duration.format(this.timeout)}`
            })
          )
      }),
      Effect.matchCauseEffect({
        onSuccess: (value) => Effect.as(this.observe(kind, true), Option.some(value)),
        onFailure: (cause) =>
          EffectLine.causeHasInterruptsOnly(cause)
            ? Effect.interrupt
            : Effect.as(this.failed(kind, cause), Option.none())
      })
    )
  }

  private failed(kind: StoreHealth.OperationKind, cause: Cause.Cause<TokenStore.TokenStoreError>): Effect.Effect<void> {
    const failure = EffectLine.causeFindErrorOption(cause)
    if (Option.isSome(failure) && failure.value.reason === "InvalidEntry") {
      return Effect.andThen(
        this.observe(kind, true),
        Effect.logDebug(StoreHealth.logMessages.entryUnreadable).pipe(
          Effect.annotateLogs({ detail: failure.value.detail })
        )
      )
    }
    // a defect's text is not logged: it comes from the store's code and may quote what it was given
    const detail = Option.isSome(failure) ? failure.value.message : StoreHealth.logMessages.opaqueDefect
    return this.observe(kind, false, detail)
  }

  private observe(kind: StoreHealth.OperationKind, ok: boolean, detail?: string): Effect.Effect<void> {
    return Effect.suspend(() => {
      const step = StoreHealth.healthAfter(this.health, kind, ok)
      this.health = step.health
      switch (step.change) {
        case "startedFailing":
          return Effect.logWarning(StoreHealth.logMessages.startedFailing).pipe(
            Effect.annotateLogs({ error: detail ?? "" })
          )
        case "answeringAgain":
          return Effect.logInfo(StoreHealth.logMessages.answeringAgain)
        case undefined:
          return Effect.void
      }
    })
  }
}
