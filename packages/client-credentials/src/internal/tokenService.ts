/**
 * When a token is fetched: the `Cache`, single flight, refresh ahead, the terminal-error cooldown.
 * Knows the token endpoint and the models; nothing of `AuthorizedClient`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Cache from "effect/Cache"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import * as AccessToken from "../AccessToken.js"
import type * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import type * as TokenRequest from "../TokenRequest.js"
import type * as TokenService from "../TokenService.js"
import * as options_ from "./options.js"
import { withRetries } from "./retryPolicy.js"
import * as tokenEndpoint from "./tokenEndpoint.js"
import * as tokenRequest from "./tokenRequest.js"

type FetchError = TokenError.TokenError | NetworkError.NetworkError

/** A cached token with its schedule. `refreshAt` and `refreshing` change as background refreshes run. */
interface Entry {
  readonly _tag: "Token"
  readonly key: tokenRequest.RequestKey
  readonly token: AccessToken.AccessToken
  /** The token, as an effect built once: the hot path returns it without allocating. */
  readonly succeed: Effect.Effect<AccessToken.AccessToken>
  /** Issue time + lifetime − leeway, epoch millis: no caller gets the token from then on. */
  readonly hardExpiresAt: number
  /** The next time a call may start a background refresh, epoch millis; at most `hardExpiresAt`. */
  refreshAt: number
  refreshing: boolean
  /** Set by `invalidate`: the entry must not come back into use through a caller that still holds it. */
  invalidated: boolean
  /** How long the `Cache` keeps the entry, from when it was made. */
  readonly timeToLive: number
}

/** A failed fetch. Terminal errors stay cached for the cooldown; others are dropped at once. */
interface Failed {
  readonly _tag: "Failed"
  readonly error: FetchError
  readonly timeToLive: number
}

/** What the `Cache` holds per request. Its lookup never fails, so that a failure can be dropped by identity. */
type Outcome = Entry | Failed

/** @internal */
export const make = (
  options: TokenService.Options
): Effect.Effect<TokenService.Service, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* options_.resolveOrDie(options)
    const client = yield* HttpClient.HttpClient
    const scope = yield* Effect.scope
    const endpoint = tokenEndpoint.make(client, {
      tokenUrl: resolved.tokenUrl,
      authentication: resolved.authentication,
      defaultLifetime: resolved.defaultLifetime,
      tokenTypes: ["Bearer"],
      secrets: resolved.secrets
    })
    const identity: tokenRequest.ClientIdentity = {
      tokenUrl: resolved.tokenUrl.toString(),
      clientId: resolved.clientId,
      authMethod: resolved.authentication.method
    }
    const leewayMillis = Duration.toMillis(resolved.expiryLeeway)
    const cooldownMillis = Duration.toMillis(resolved.terminalErrorCooldown)

    const fetch = (key: tokenRequest.RequestKey) =>
      withRetries(endpoint.request(key.request), { schedule: resolved.retry, timeout: resolved.requestTimeout })

    /** The entry of every token handed out, so that `invalidate` finds it without a search. */
    const entries = new WeakMap<AccessToken.AccessToken, Entry>()

    const makeEntry = (key: tokenRequest.RequestKey, token: AccessToken.AccessToken): Effect.Effect<Entry> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const issuedAt = DateTime.toEpochMillis(token.issuedAt)
        const lifetime = token.lifetimeMillis
        const hardExpiresAt = issuedAt + lifetime - Math.min(leewayMillis, lifetime / 2)
        const usable = hardExpiresAt - issuedAt
        // the jitter spreads the refreshes of many replicas that got their tokens at the same moment; never so much
        // that the refresh point comes before the token is a moment old
        const refreshAt = resolved.refreshAhead === false ? hardExpiresAt : Math.min(
          hardExpiresAt,
          issuedAt + resolved.refreshAhead * usable -
            (yield* Random.next) * Math.min(0.1, resolved.refreshAhead / 2) * usable
        )
        const entry: Entry = {
          _tag: "Token",
          key,
          token,
          succeed: Effect.succeed(token),
          hardExpiresAt,
          refreshAt,
          refreshing: false,
          invalidated: false,
          timeToLive: Math.max(0, hardExpiresAt - now)
        }
        entries.set(token, entry)
        return entry
      })

    const lookup = (key: tokenRequest.RequestKey): Effect.Effect<Outcome> =>
      Effect.matchEffect(fetch(key), {
        onSuccess: (token) => makeEntry(key, token),
        onFailure: (error) =>
          Effect.succeed<Failed>({
            _tag: "Failed",
            error,
            timeToLive: TokenError.isTokenError(error) && error.isTerminal ? cooldownMillis : 0
          })
      })

    const cache = yield* Cache.makeWith({
      capacity: resolved.cacheCapacity,
      lookup,
      timeToLive: (exit) => Exit.isSuccess(exit) ? Duration.millis(exit.value.timeToLive) : Duration.zero
    })

    const configuredKey = tokenRequest.makeKey(identity, resolved.request)
    /** The configured request's current entry: served without entering the `Cache` while fresh. */
    let configured: Entry | undefined

    const remember = (entry: Entry): void => {
      if (!entry.invalidated && entry.key.canonical === configuredKey.canonical) configured = entry
    }

    /** Drops `outcome` from the cache, and nothing newer that may have replaced it. */
    const forget = (key: tokenRequest.RequestKey, outcome: Outcome) =>
      cache.invalidateWhen(key, (held) => held === outcome)

    /** The fiber of each fetch in flight, by key, so that concurrent callers share one fork. */
    const inFlight = new Map<string, Fiber.RuntimeFiber<Outcome>>()

    const fetchFiber = (key: tokenRequest.RequestKey): Effect.Effect<Fiber.RuntimeFiber<Outcome>> =>
      Effect.suspend(() => {
        const running = inFlight.get(key.canonical)
        if (running !== undefined && running.unsafePoll() === null) return Effect.succeed(running)
        return Effect.tap(
          // interruptible whatever the first caller is: the per-attempt timeout and the scope must be able to stop it
          Effect.forkIn(
            Effect.interruptible(Effect.ensuring(cache.get(key), Effect.sync(() => inFlight.delete(key.canonical)))),
            scope
          ),
          (fiber) => {
            // a fiber that is done has already run its `ensuring`: keep nothing for it (and one found done is skipped)
            if (fiber.unsafePoll() === null) inFlight.set(key.canonical, fiber)
          }
        )
      })

    /**
     * A fetch through the `Cache`, shared by every caller of the key. It runs on a fiber of the layer's scope, so a
     * caller that is interrupted stops waiting without stopping the fetch for the others.
     */
    const miss = (key: tokenRequest.RequestKey): Effect.Effect<AccessToken.AccessToken, FetchError> =>
      fetchFiber(key).pipe(
        Effect.flatMap(Fiber.join),
        Effect.flatMap((outcome) => {
          if (outcome._tag === "Token") {
            // another caller of the same fetch already found the token refused: fetch again
            if (outcome.invalidated) return getKey(key)
            remember(outcome)
            return outcome.succeed
          }
          return outcome.timeToLive > 0
            ? Effect.fail(outcome.error)
            : Effect.zipRight(forget(key, outcome), Effect.fail(outcome.error))
        })
      )

    /**
     * Refreshes `entry` on a fiber of the layer's scope. On success the new token replaces `entry` unless something
     * newer already has; on failure `entry` stays, and the next attempt waits.
     */
    const refreshInBackground = (key: tokenRequest.RequestKey, entry: Entry): Effect.Effect<void> => {
      const replace = (next: Entry) =>
        Effect.flatMap(cache.getOptionComplete(key), (held) => {
          entry.refreshing = false
          if (Option.isSome(held) && held.value !== entry) {
            // something newer is in the `Cache`, the source of truth: serve that one
            if (held.value._tag === "Token") remember(held.value)
            return Effect.void
          }
          remember(next)
          return cache.set(key, next)
        })
      const backOff = (cause: Cause.Cause<FetchError>) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          entry.refreshing = false
          if (Cause.isInterruptedOnly(cause)) return Effect.void
          entry.refreshAt = Math.min(entry.hardExpiresAt, now + Math.max(1000, 0.1 * (entry.hardExpiresAt - now)))
          const failure = Cause.failureOption(cause)
          // a defect's text is not logged: it may come from a user's HttpClient and hold a request
          const error = Option.isSome(failure) ? failure.value.message : "an unexpected defect"
          return Effect.logWarning("effect-oauth2: background token refresh failed; keeping the current token").pipe(
            Effect.annotateLogs({ error })
          )
        })
      const refresh = fetch(key).pipe(
        Effect.flatMap((token) => makeEntry(key, token)),
        Effect.matchCauseEffect({ onSuccess: replace, onFailure: backOff })
      )
      // the flag and the fork go together, and the refresh can be stopped whatever the caller is
      return Effect.uninterruptible(Effect.suspend(() => {
        entry.refreshing = true
        return Effect.asVoid(Effect.forkIn(Effect.interruptible(refresh), scope))
      }))
    }

    /** Serves a complete `Cache` entry, starting a refresh or a fetch when it is due. */
    const serve = (
      key: tokenRequest.RequestKey,
      outcome: Outcome
    ): Effect.Effect<AccessToken.AccessToken, FetchError> =>
      Effect.clockWith((clock) => {
        if (outcome._tag === "Failed") {
          return outcome.timeToLive > 0 ? Effect.fail(outcome.error) : Effect.zipRight(forget(key, outcome), miss(key))
        }
        const now = clock.unsafeCurrentTimeMillis()
        if (now >= outcome.hardExpiresAt) return Effect.zipRight(forget(key, outcome), miss(key))
        remember(outcome)
        if (now >= outcome.refreshAt && !outcome.refreshing) {
          return Effect.zipRight(refreshInBackground(key, outcome), outcome.succeed)
        }
        return outcome.succeed
      })

    const getKey = (key: tokenRequest.RequestKey): Effect.Effect<AccessToken.AccessToken, FetchError> =>
      Effect.flatMap(
        cache.getOptionComplete(key),
        (held) => Option.isSome(held) ? serve(key, held.value) : miss(key)
      )

    const getConfigured = getKey(configuredKey)

    const get: Effect.Effect<AccessToken.AccessToken, FetchError> = Effect.clockWith((clock) => {
      const entry = configured
      if (entry === undefined) return getConfigured
      // past the refresh point, serve the entry itself: the `Cache` may have evicted it (the hot path never touches
      // it), and callers must not wait while it is valid
      return clock.unsafeCurrentTimeMillis() < entry.refreshAt ? entry.succeed : serve(configuredKey, entry)
    })

    // the request is resolved once, when `getFor` is called: an effect built once and run often pays for it once
    const getFor = (request: TokenRequest.TokenRequest): Effect.Effect<AccessToken.AccessToken, FetchError> => {
      const merged = tokenRequest.resolve(resolved.request, request)
      const problem = tokenRequest.validate(merged)
      if (problem !== undefined) {
        return Effect.fail(new TokenError.TokenError({ reason: "InvalidRequest", detail: problem }))
      }
      const key = tokenRequest.makeKey(identity, merged)
      return key.canonical === configuredKey.canonical ? get : getKey(key)
    }

    const drop = (entry: Entry): Effect.Effect<void> => {
      entry.invalidated = true
      if (configured === entry) configured = undefined
      return forget(entry.key, entry)
    }

    const invalidate = (token: AccessToken.AccessToken): Effect.Effect<void> =>
      Effect.suspend(() => {
        const entry = entries.get(token)
        if (entry !== undefined) return drop(entry)
        // the same value in another object (e.g. decoded from a store): look for it
        return Effect.flatMap(cache.values, (held) => {
          const found = held.find((outcome): outcome is Entry =>
            outcome._tag === "Token" && AccessToken.sameValue(outcome.token, token)
          )
          if (found !== undefined) return drop(found)
          return configured !== undefined && AccessToken.sameValue(configured.token, token)
            ? drop(configured)
            : Effect.void
        })
      })

    return { get, getFor, invalidate }
  })
