import type { NetworkError, TokenError, TokenRequest, TokenService } from "@effect-oauth2/client-credentials"
import { AccessToken } from "@effect-oauth2/client-credentials"
import * as core from "@effect-oauth2/core/tokenServiceTest"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TokenServiceTest from "../TokenServiceTest.js"

/** @internal */
export const makeToken = (
  value: string | Redacted.Redacted<string>,
  options: TokenServiceTest.TokenOptions = {}
): AccessToken.AccessToken => {
  const issuedAt = DateTime.toUtc(DateTime.unsafeMake(options.issuedAt ?? Date.now()))
  const lifetime = Duration.decode(options.lifetime ?? Duration.hours(1))
  return new AccessToken.AccessToken({
    value: Redacted.isRedacted(value) ? value : Redacted.make(value),
    tokenType: options.tokenType ?? "Bearer",
    scopes: options.scopes ?? [],
    issuedAt,
    expiresAt: DateTime.addDuration(issuedAt, lifetime)
  })
}

type Respond = (
  request: TokenRequest.TokenRequest
) => Effect.Effect<AccessToken.AccessToken, TokenError.TokenError | NetworkError.NetworkError>

const responder = (options: TokenServiceTest.Options): Effect.Effect<Respond> => {
  if ("respond" in options) return Effect.succeed(options.respond)
  const token = options.token
  if (typeof token !== "string") return Effect.succeed(() => Effect.succeed(token))
  return Effect.map(Clock.currentTimeMillis, (now) => {
    const succeed = Effect.succeed(makeToken(token, { issuedAt: now }))
    return () => succeed
  })
}

/** @internal */
export const make = (
  options: TokenServiceTest.Options
): Effect.Effect<{ readonly tokenService: TokenService.Service; readonly test: TokenServiceTest.Service }> =>
  Effect.map(responder(options), (respond) => {
    const recorder = new core.Recorder<TokenRequest.TokenRequest, AccessToken.AccessToken>()
    const ask = (request: TokenRequest.TokenRequest) =>
      Effect.suspend(() => {
        recorder.ask(request)
        return respond(request)
      })
    return {
      tokenService: {
        get: ask({}),
        getFor: ask,
        invalidate: (token) =>
          Effect.sync(() => {
            recorder.invalidate(token)
          })
      },
      test: {
        requests: Effect.sync(() => recorder.requests()),
        invalidated: Effect.sync(() => recorder.invalidated())
      }
    }
  })
