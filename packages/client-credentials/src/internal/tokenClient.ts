/**
 * The Promise API's `TokenClient` on a line's runtime: the core's `PromiseClient.Client` (the hot path, the shared
 * call, what `close()` cuts) wired to the `TokenService` a `ManagedRuntime` holds, and the calls run in it. Each
 * line's `promiseRuntime.ts` builds the runtime and says how a call is started in it and how the runtime is closed;
 * this module is the same on each line.
 */
import type * as AuthorizedFetch from "@effect-oauth2/core/authorizedFetch"
import * as PromiseClient from "@effect-oauth2/core/promiseClient"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import type * as AccessToken from "../AccessToken.js"
import * as NetworkError from "../NetworkError.js"
import type * as promise from "../promise.js"
import type * as TokenRequest from "../TokenRequest.js"
import * as TokenService from "../TokenService.js"
import * as EffectLine from "./effectLine.js"
import { peekOf, telemetryOf } from "./tokenService.js"

/** The services of a client's runtime: its `TokenService` and the HTTP client. */
export type Services = TokenService.TokenService | EffectLine.HttpClient.HttpClient

/** A client's runtime, as the line runs it. */
export interface Runtime<R> {
  /** Starts `effect` in the runtime, `onExit` told how it ended; returns what interrupts it. */
  readonly fork: <A>(effect: Effect.Effect<A, unknown, R>, onExit: (exit: Exit.Exit<A, unknown>) => void) => () => void
  /** Interrupts the calls still running and closes the runtime with the layers it built. */
  readonly close: () => Promise<void>
  /** The runtime's context, built now if it is not yet. */
  readonly context: () => Promise<Context.Context<TokenService.TokenService>>
  /** The default `Clock`'s monotonic time, in nanoseconds: the service's, which the hot path compares with. */
  readonly nowNanos: () => bigint
}

/** How a call ended, as the core tells it: a cause that is interruptions only is an interruption. */
const outcomeOf = <A>(exit: Exit.Exit<A, unknown>): PromiseClient.Outcome<A> =>
  Exit.isSuccess(exit)
    ? { _tag: "Success", value: exit.value }
    : {
      _tag: EffectLine.causeHasInterruptsOnly(exit.cause) ? "Interrupted" : "Failure",
      error: Cause.squash(exit.cause)
    }

/** The calls a client runs in its runtime; `close()` cuts those still running. */
export class Calls<R> {
  private closedNow = false

  constructor(private readonly runtime: Runtime<R>) {}

  get closed(): boolean {
    return this.closedNow
  }

  /** Runs `effect`; rejects with what failed (never a wrapper of it), or with what cut the call. */
  run<A>(effect: Effect.Effect<A, unknown, R>, signal?: AbortSignal): Promise<A> {
    return PromiseClient.runCall(
      (done) => this.runtime.fork(effect, (exit) => done(outcomeOf(exit))),
      signal,
      () => this.closedNow
    )
  }

  /** Refuses new calls, interrupts those still running and closes the runtime. */
  close(): Promise<void> {
    this.closedNow = true
    return this.runtime.close()
  }
}

const reveal = (token: AccessToken.AccessToken): string => Redacted.value(token.value)

/** A client on `runtime`; `clientFetch`, when given, is `fetch` through the `httpClient` given. */
export const make = <R>(
  runtime: Runtime<R | TokenService.TokenService>,
  { clientFetch, replayBodyLimit }: {
    readonly replayBodyLimit: number
    readonly clientFetch:
      | ((calls: Calls<R | TokenService.TokenService>, reading: PromiseClient.Reading) => AuthorizedFetch.Fetch)
      | undefined
  }
): promise.TokenClient => {
  const calls = new Calls(runtime)
  const inService = <A>(f: (service: TokenService.Service) => Effect.Effect<A, unknown>) =>
    calls.run(Effect.flatMap(EffectLine.service(TokenService.TokenService), f))
  const found = (service: TokenService.Service) => client.found(peekOf(service), telemetryOf(service))
  const client: PromiseClient.Client<AccessToken.AccessToken, TokenRequest.TokenRequest> = new PromiseClient.Client({
    isClosed: () => calls.closed,
    close: () => calls.close(),
    fromService: () =>
      inService((service) => {
        found(service)
        return service.get
      }),
    getFor: (request) => inService((service) => service.getFor(request)),
    invalidate: (token) => inService((service) => service.invalidate(token)),
    nowNanos: runtime.nowNanos,
    reveal,
    networkError: (failure) => new NetworkError.NetworkError(failure),
    replayBodyLimit,
    clientFetch: clientFetch === undefined ? undefined : (reading) => clientFetch(calls, reading)
  })

  // built now, at once when no key is to be imported: the first call finds the service ready (a build that fails,
  // fails the calls instead, each with the same error)
  runtime.context().then((context) => found(Context.get(context, TokenService.TokenService)), () => {})

  return client
}
