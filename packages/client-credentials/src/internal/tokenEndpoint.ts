/**
 * The token endpoint on the wire: what one token request sends, and what its answer means (the status table and the
 * token response are the core's, `tokenResponse`; how the request goes out and comes back is `http.ts`'s).
 * Knows the models only: no cache, no retries.
 */
import * as Redactor from "@effect-oauth2/core/redactor"
import { formParams, type ResolvedRequest } from "@effect-oauth2/core/tokenRequest"
import * as TokenResponse from "@effect-oauth2/core/tokenResponse"
import * as Urls from "@effect-oauth2/core/urls"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as AccessToken from "../AccessToken.js"
import type * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import type { ClientAuthentication, Credentials, Destination } from "./clientAuthentication.js"
import * as Http from "./http.js"
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
interface Answer extends Http.Call {
  readonly status: number
  /** When the request was sent, on the wall clock: the token's `issuedAt`. */
  readonly sentAt: number
  readonly requestedScopes: ReadonlyArray<string>
}

const invalidResponse = (origin: string, detail: string, status?: number) =>
  new TokenError.TokenError({ reason: "InvalidResponse", origin, ...(status === undefined ? {} : { status }), detail })

const oauthError = (error: TokenResponse.ErrorResponse, answer: Answer) =>
  new TokenError.TokenError({ reason: "OAuth", origin: answer.origin, status: answer.status, ...error })

/** The body as JSON, under the byte cap. */
const readJson = (response: HttpClientResponse.HttpClientResponse, answer: Answer) =>
  Http.readJson(response, TokenResponse.maxResponseBytes, answer, {
    tooLarge: () => invalidResponse(answer.origin, "the response is larger than 1 MiB", answer.status),
    notJson: () => invalidResponse(answer.origin, "the response is not JSON", answer.status)
  })

/** What reading a token needs of `Options`. */
type ReadOptions = Pick<Options, "tokenTypes" | "defaultLifetime">

/** A 2xx answer: a token, or why it is none. */
const readSuccess = (response: HttpClientResponse.HttpClientResponse, answer: Answer, readOptions: ReadOptions) =>
  Effect.flatMap(readJson(response, answer), (body) => {
    const read = TokenResponse.readSuccess(body, {
      tokenTypes: readOptions.tokenTypes,
      defaultLifetimeMillis: Duration.toMillis(readOptions.defaultLifetime),
      requestedScopes: answer.requestedScopes,
      redactor: answer.redactor
    })
    switch (read._tag) {
      case "ErrorResponse":
        return Effect.fail(oauthError(read.error, answer))
      case "NotAToken":
        return Effect.fail(invalidResponse(answer.origin, read.detail, answer.status))
      case "Token":
        return Effect.succeed(
          new AccessToken.AccessToken({
            value: Redacted.make(read.token.value),
            tokenType: read.token.tokenType as AccessToken.TokenType,
            scopes: read.token.scopes,
            issuedAt: DateTime.unsafeMake(answer.sentAt),
            expiresAt: DateTime.unsafeMake(answer.sentAt + read.token.lifetimeMillis)
          })
        )
    }
  })

/** A 400 or 401: the error response it carries, or that it carries none. */
const readError = (response: HttpClientResponse.HttpClientResponse, answer: Answer) =>
  readJson(response, answer).pipe(
    Effect.catchTag("TokenError", () => Effect.succeed(undefined)),
    Effect.flatMap((body) => {
      const error = TokenResponse.errorResponseOf(body, answer.redactor)
      return Effect.fail(
        error === undefined
          ? invalidResponse(answer.origin, "the error answer is not an RFC 6749 error response", answer.status)
          : oauthError(error, answer)
      )
    })
  )

/** The answer by its status (docs/behaviour.md#token-endpoint-answers). */
const readAnswer = (
  response: HttpClientResponse.HttpClientResponse,
  answer: Answer,
  readOptions: ReadOptions
): Effect.Effect<AccessToken.AccessToken, TokenError.TokenError | NetworkError.NetworkError> => {
  switch (TokenResponse.classify(answer.status)) {
    case "Success":
      return readSuccess(response, answer, readOptions)
    case "Retryable":
      return Http.tryLater(response, answer)
    case "ErrorResponse":
      return readError(response, answer)
    case "Redirect":
      return Effect.fail(
        invalidResponse(answer.origin, "a redirect (token requests are never redirected)", answer.status)
      )
    case "Unexpected":
      return Effect.fail(invalidResponse(answer.origin, "unexpected status", answer.status))
  }
}

/** The token request as it goes on the wire: the form of `resolved`, authenticated by `credentials`. */
const httpRequestOf = (destination: Destination, resolved: ResolvedRequest, credentials: Credentials) =>
  HttpClientRequest.post(destination.tokenUrl.href).pipe(
    HttpClientRequest.acceptJson,
    HttpClientRequest.setHeaders(credentials.headers),
    HttpClientRequest.bodyUrlParams(formParams(resolved, credentials.params))
  )

/** Creates the token endpoint on `client`. */
export const make = (client: HttpClient.HttpClient, options: Options): TokenEndpoint => {
  // every text from the server or the transport goes through it
  const configuredRedactor = Redactor.make(options.secrets.map(Redacted.value))

  const request = (destination: Destination, resolved: ResolvedRequest) =>
    Effect.gen(function*() {
      const origin = Urls.origin(destination.tokenUrl)
      const credentials = yield* options.authentication.credentials(destination)
      // an assertion is a credential of this request only
      const redactor = credentials.secrets.length === 0
        ? configuredRedactor
        : configuredRedactor.including(credentials.secrets)
      const call: Http.Call = { source: "TokenEndpoint", origin, redactor }
      const httpRequest = httpRequestOf(destination, resolved, credentials)
      const sentAt = yield* Clock.currentTimeMillis
      const startedAt = yield* Monotonic.now
      const { followedRedirect, response } = yield* Http.send(client, httpRequest, call)
      if (followedRedirect) {
        return yield* invalidResponse(
          origin,
          "the HttpClient followed a redirect; the token request must not be redirected"
        )
      }
      const answer: Answer = { ...call, status: response.status, sentAt, requestedScopes: resolved.scopes }
      return { token: yield* readAnswer(response, answer, options), startedAt }
    }).pipe(Effect.scoped)

  return { request }
}
