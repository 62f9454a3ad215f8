/**
 * The test `TokenService` on each line: tokens made for tests, and a service that answers as its options say and
 * records every request and every token it is asked to invalidate.
 */
import type { NetworkError, TokenError, TokenRequest, TokenService } from "@effect-oauth2/client-credentials"
import { AccessToken } from "@effect-oauth2/client-credentials"
import * as core from "@effect-oauth2/core/tokenServiceTest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TokenServiceTest from "../TokenServiceTest.js"
import * as EffectLine from "./effectLine.js"

/** @internal */
export const makeToken = (
  value: string | Redacted.Redacted<string>,
  { issuedAt = Date.now(), lifetime = Duration.hours(1), scopes = [], tokenType = "Bearer" }:
    TokenServiceTest.TokenOptions = {}
): AccessToken.AccessToken => {
  const issued = DateTime.toUtc(EffectLine.dateTimeMakeUnsafe(issuedAt))
  return new AccessToken.AccessToken({
    value: Redacted.isRedacted(value) ? value : Redacted.make(value),
    tokenType,
    scopes,
    issuedAt: issued,
    expiresAt: DateTime.addDuration(issued, lifetime)
  })
}

type Answer = (
  request: TokenRequest.TokenRequest
) => Effect.Effect<AccessToken.AccessToken, TokenError.TokenError | NetworkError.NetworkError>

/** How the service answers: the caller's function, or one token (a string is made into one now, on the `Clock`). */
const answerOf = (options: TokenServiceTest.Options): Effect.Effect<Answer> =>
  "respond" in options
    ? Effect.succeed(options.respond)
    : Effect.map(
      typeof options.token === "string"
        ? Effect.map(Clock.currentTimeMillis, (now) => makeToken(options.token as string, { issuedAt: now }))
        : Effect.succeed(options.token),
      (token) => {
        const answer = Effect.succeed(token)
        return () => answer
      }
    )

/** @internal */
export const make = (options: TokenServiceTest.Options) =>
  Effect.map(answerOf(options), (answer) => {
    const recorder = new core.Recorder<TokenRequest.TokenRequest, AccessToken.AccessToken>()
    const getFor = (request: TokenRequest.TokenRequest) =>
      Effect.sync(() => recorder.ask(request)).pipe(Effect.andThen(() => answer(request)))
    return {
      tokenService: {
        get: getFor({}),
        getFor,
        invalidate: (token: AccessToken.AccessToken) => Effect.sync(() => recorder.invalidate(token))
      } satisfies TokenService.Service,
      test: {
        requests: Effect.sync(() => recorder.requests()),
        invalidated: Effect.sync(() => recorder.invalidated())
      } satisfies TokenServiceTest.Service
    }
  })

/** @internal */
export const context = <Self, Test>(
  options: TokenServiceTest.Options,
  service: EffectLine.ContextKey<Self, TokenService.Service>,
  test: EffectLine.ContextKey<Test, TokenServiceTest.Service>
): Effect.Effect<Context.Context<Self | Test>> =>
  Effect.map(make(options), (made) => Context.add(Context.make(service, made.tokenService), test, made.test))
