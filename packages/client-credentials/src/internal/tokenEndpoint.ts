/**
 * The token endpoint on this line's `HttpClient`: one token request sent, and its answer read. What the request holds
 * and what the answer means — its status, its body, the errors that say why there is no token — are the core's
 * (`@effect-oauth2/core/tokenEndpoint`, with `tokenRequest` and `tokenResponse`); how the request goes out and comes
 * back is `http.ts`'s. Knows the models only: no cache, no retries.
 */
import * as Redactor from "@effect-oauth2/core/redactor"
import * as Wire from "@effect-oauth2/core/tokenEndpoint"
import type { ResolvedRequest } from "@effect-oauth2/core/tokenRequest"
import * as TokenResponse from "@effect-oauth2/core/tokenResponse"
import * as Urls from "@effect-oauth2/core/urls"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as AccessToken from "../AccessToken.js"
import type * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import type { ClientAuthentication, Destination } from "./clientAuthentication.js"
import * as EffectLine from "./effectLine.js"
import * as Http from "./http.js"
import * as HttpLine from "./httpLine.js"
import * as Monotonic from "./monotonic.js"

/** A token, and when its lifetime began on the monotonic clock (`monotonic.ts`): when its request was sent. */
export interface Issued {
  readonly token: AccessToken.AccessToken
  /** Monotonic millis. */
  readonly startedAt: number
}

/** One token request, sent once. */
export interface TokenEndpoint {
  readonly request: (
    destination: Destination,
    request: ResolvedRequest
  ) => Effect.Effect<Issued, TokenError.TokenError | NetworkError.NetworkError>
}

/** What the token endpoint needs to know. */
export interface Options {
  readonly authentication: ClientAuthentication
  /** Used when the response has no `expires_in`. */
  readonly defaultLifetime: Duration.Duration
  /** The token types accepted, in their canonical case. */
  readonly tokenTypes: ReadonlyArray<AccessToken.TokenType>
  /** Values that must never appear in an error, e.g. the client secret. */
  readonly secrets: ReadonlyArray<Redacted.Redacted<string>>
}

/** What reading one answer needs. */
type Answer = Http.Call & Wire.Answer

/** The body as JSON, under the byte cap; a body that is too large or no JSON is the core's `TokenError`. */
const readJson = (response: EffectLine.HttpClientResponse.HttpClientResponse, answer: Answer) =>
  Http.readJson(response, TokenResponse.maxResponseBytes, answer, {
    tooLarge: () => new TokenError.TokenError(Wire.unreadableBody("TooLarge", answer)),
    notJson: () => new TokenError.TokenError(Wire.unreadableBody("NotJson", answer))
  })

/** The answer by its status (docs/behaviour.md#token-endpoint-answers): a token (a 2xx), or why there is none. */
const readAnswer = (
  response: EffectLine.HttpClientResponse.HttpClientResponse,
  answer: Answer,
  options: Pick<Options, "tokenTypes" | "defaultLifetime">
): Effect.Effect<AccessToken.AccessToken, TokenError.TokenError | NetworkError.NetworkError> => {
  const step = Wire.answerStep(answer.status, answer.origin)
  if (step._tag === "TryLater") return Http.tryLater(response, answer)
  if (step._tag === "Refused") return Effect.fail(new TokenError.TokenError(step.failure))
  if (step._tag === "ReadError") {
    // a 400 or 401: the error response it carries, or that it carries none
    return readJson(response, answer).pipe(
      Effect.catchTag("TokenError", () => Effect.succeed(undefined)),
      Effect.flatMap((body) => Effect.fail(new TokenError.TokenError(Wire.errorOf(body, answer))))
    )
  }
  return Effect.flatMap(readJson(response, answer), (body) => {
    const read = Wire.tokenOf(body, answer, {
      tokenTypes: options.tokenTypes,
      defaultLifetimeMillis: Duration.toMillis(options.defaultLifetime)
    })
    if (read._tag === "Failure") return Effect.fail(new TokenError.TokenError(read.failure))
    const { expiresAt, issuedAt, scopes, tokenType, value } = read.token
    return Effect.succeed(
      new AccessToken.AccessToken({
        value: Redacted.make(value),
        tokenType,
        scopes,
        issuedAt: EffectLine.dateTimeMakeUnsafe(issuedAt),
        expiresAt: EffectLine.dateTimeMakeUnsafe(expiresAt)
      })
    )
  })
}

/** Creates the token endpoint on `client`. */
export const make = (client: EffectLine.HttpClient.HttpClient, options: Options): TokenEndpoint => {
  // every text from the server or the transport goes through it
  const configuredRedactor = Redactor.make(options.secrets.map(Redacted.value))

  const request = Effect.fnUntraced(function*(destination: Destination, resolved: ResolvedRequest) {
    const origin = Urls.origin(destination.tokenUrl)
    const credentials = yield* options.authentication.credentials(destination)
    // an assertion is a credential of this request only
    const redactor = credentials.secrets.length === 0
      ? configuredRedactor
      : configuredRedactor.including(credentials.secrets)
    const call: Http.Call = { source: "TokenEndpoint", origin, redactor }
    const httpRequest = HttpLine.requestOf(Wire.wireRequest(destination.tokenUrl.href, resolved, credentials))
    const sentAt = yield* Clock.currentTimeMillis
    const startedAt = yield* Monotonic.now
    const { followedRedirect, response } = yield* Http.send(client, httpRequest, call)
    if (followedRedirect) return yield* new TokenError.TokenError(Wire.followedRedirect(origin))
    const answer: Answer = { ...call, status: response.status, sentAt, requestedScopes: resolved.scopes }
    return { token: yield* readAnswer(response, answer, options), startedAt }
  }, Effect.scoped)

  return { request }
}
