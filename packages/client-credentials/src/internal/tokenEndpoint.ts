/**
 * The token endpoint on the wire: what one token request sends, and what its answer means.
 * Knows the models only: no cache, no retries.
 */
import { isRegisteredErrorCode } from "@effect-oauth2/core/errorCodes"
import * as Redactor from "@effect-oauth2/core/redactor"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as AccessToken from "../AccessToken.js"
import * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import type { ClientAuthentication, Destination } from "./clientAuthentication.js"
import { transportFailure } from "./describeCause.js"
import { answerOf, retryAfter, withoutRedirects } from "./http.js"
import * as Monotonic from "./monotonic.js"
import * as Origin from "./origin.js"
import { readAtMost } from "./readAtMost.js"
import type { ResolvedRequest } from "./tokenRequest.js"

/** The largest token response the library reads. */
export const maxResponseBytes = 1024 * 1024

/** The longest lifetime the library believes; longer ones are shortened to it. */
export const maxLifetime = Duration.days(366)

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

/**
 * The token type of `accepted` that `tokenType` names, compared without case (RFC 6749 §7.1), in its canonical case;
 * `undefined` when it names none. The one rule for a token from the endpoint and a token from a shared store.
 */
export const acceptedTokenType = (
  accepted: ReadonlyArray<AccessToken.TokenType>,
  tokenType: unknown
): AccessToken.TokenType | undefined =>
  typeof tokenType === "string"
    ? accepted.find((type) => type.toLowerCase() === tokenType.toLowerCase())
    : undefined

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

/** Builds the form parameters of a client-credentials token request (RFC 6749 §4.4.2). */
export const formParams = (
  request: ResolvedRequest,
  authenticationParams: ReadonlyArray<readonly [string, string]>
): Array<readonly [string, string]> => {
  const params: Array<readonly [string, string]> = [["grant_type", "client_credentials"]]
  if (request.scopes.length > 0) params.push(["scope", request.scopes.join(" ")])
  if (request.audience !== undefined) params.push(["audience", request.audience])
  for (const resource of request.resources) params.push(["resource", resource])
  params.push(...request.extraParams, ...authenticationParams)
  return params
}

/** Creates the token endpoint on `client`. */
export const make = (client: HttpClient.HttpClient, options: Options): TokenEndpoint => {
  // every text from the server or the transport goes through it: see `redaction.ts`
  const configuredRedactor = Redactor.make(options.secrets.map(Redacted.value))
  // scoped: the request and its body are aborted when the attempt ends, read or not
  const scopedClient = HttpClient.withScope(client)

  const request = (destination: Destination, resolved: ResolvedRequest) =>
    Effect.gen(function*() {
      const url = destination.tokenUrl.href
      const origin = Origin.ofUrl(destination.tokenUrl)
      const credentials = yield* options.authentication.credentials(destination)
      // an assertion is a credential of this request only
      const redactor = credentials.secrets.length === 0 ? configuredRedactor : configuredRedactor.including(credentials.secrets)
      const httpRequest = HttpClientRequest.post(url).pipe(
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeaders(credentials.headers),
        HttpClientRequest.bodyUrlParams(formParams(resolved, credentials.params))
      )
      const sentAt = yield* Clock.currentTimeMillis
      const startedAt = yield* Monotonic.now
      const response = yield* withoutRedirects(scopedClient.execute(httpRequest)).pipe(
        Effect.catchAll((error) => {
          const answer = answerOf(error)
          return answer === undefined ? Effect.fail(transportError(error, origin, redactor)) : Effect.succeed(answer)
        })
      )
      if (response.request.url !== url) {
        return yield* invalidResponse(
          origin,
          "the HttpClient followed a redirect; the token request must not be redirected"
        )
      }
      const token = yield* interpret(response, { ...options, origin, sentAt, requestedScopes: resolved.scopes, redactor })
      return { token, startedAt }
    }).pipe(Effect.scoped)

  return { request }
}

/** A failure to send the request or to read its answer, as a `NetworkError` that names no credential. */
const transportError = (error: HttpClientError.HttpClientError, origin: string, redactor: Redactor.Redactor) =>
  new NetworkError.NetworkError({
    reason: "Transport",
    source: "TokenEndpoint",
    origin,
    ...transportFailure(error, redactor)
  })

interface Interpretation extends Options {
  readonly origin: string
  readonly sentAt: number
  readonly requestedScopes: ReadonlyArray<string>
  readonly redactor: Redactor.Redactor
}

const invalidResponse = (origin: string, detail: string, status?: number) =>
  new TokenError.TokenError({ reason: "InvalidResponse", origin, ...(status === undefined ? {} : { status }), detail })

/** Classifies the answer by status (see the README's table), then decodes it. */
const interpret = (
  response: HttpClientResponse.HttpClientResponse,
  options: Interpretation
): Effect.Effect<AccessToken.AccessToken, TokenError.TokenError | NetworkError.NetworkError> => {
  const status = response.status
  if (status >= 200 && status < 300) {
    return Effect.flatMap(readJson(response, options), (body) => decodeSuccess(body, status, options))
  }
  if (NetworkError.retryableStatuses.has(status) || status >= 500) {
    return Effect.flatMap(retryAfter(response), (retryAfter) =>
      Effect.fail(
        new NetworkError.NetworkError({
          reason: status === 429 ? "RateLimited" : "ServerError",
          source: "TokenEndpoint",
          origin: options.origin,
          status,
          ...(retryAfter === undefined ? {} : { retryAfter })
        })
      ))
  }
  if (status === 400 || status === 401) {
    return readJson(response, options).pipe(
      Effect.catchTag("TokenError", () => Effect.succeed(undefined)),
      Effect.flatMap((body) =>
        Effect.fail(
          oauthError(body, status, options) ??
            invalidResponse(options.origin, "the error answer is not an RFC 6749 error response", status)
        )
      )
    )
  }
  if (status >= 300 && status < 400) {
    return Effect.fail(
      invalidResponse(options.origin, "a redirect (token requests are never redirected)", status)
    )
  }
  return Effect.fail(invalidResponse(options.origin, "unexpected status", status))
}

/**
 * Reads at most `maxResponseBytes` of the decoded body, whatever `Content-Length` says (a fetch-based client
 * decompresses and keeps the compressed length; a custom one need not hold the body to it), and parses it as JSON.
 */
const readJson = (
  response: HttpClientResponse.HttpClientResponse,
  { origin, redactor }: Interpretation
): Effect.Effect<unknown, TokenError.TokenError | NetworkError.NetworkError> => {
  const tooLarge = () => invalidResponse(origin, "the response is larger than 1 MiB", response.status)
  const header = response.headers["content-length"]
  // announced too large: refused unread
  if (header !== undefined && /^\d+$/.test(header) && Number(header) > maxResponseBytes) return Effect.fail(tooLarge())
  // mapped on the stream, not after: its runtime logs the error it fails with (at Debug), as it is
  const body = Stream.mapError(response.stream, (error) => transportError(error, origin, redactor))
  return readAtMost(body, maxResponseBytes).pipe(
    Effect.flatMap(({ text, truncated }) =>
      truncated ? Effect.fail(tooLarge()) : Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () => invalidResponse(origin, "the response is not JSON", response.status)
      })
    )
  )
}

/** The most of `error_description` and `error_uri` a `TokenError` keeps, in UTF-8 bytes. */
const maxDescriptionBytes = 1024

/** The most of an unregistered `error` code a `TokenError` keeps, in UTF-8 bytes. */
const maxErrorCodeBytes = 128

/**
 * An RFC 6749 §5.2 error response, if `body` is one. Its texts are redacted, then cut; a registered `error` code is
 * kept as it is, before any redaction, so that a 1–2 character secret cannot turn `invalid_client` into
 * `inv<redacted>lid_client` and cost it its cool-down. An `access_token` that comes with the error is redacted too.
 */
const oauthError = (
  body: unknown,
  status: number,
  { origin, redactor }: Interpretation
): TokenError.TokenError | undefined => {
  if (!Predicate.isRecord(body) || typeof body.error !== "string" || body.error === "") return undefined
  const redactor = typeof body.access_token === "string" && body.access_token !== ""
    ? redactor.including([body.access_token])
    : redactor
  const text = (value: unknown): string | undefined =>
    typeof value === "string" ? redactor.cut(value, maxDescriptionBytes) : undefined
  const errorDescription = text(body.error_description)
  const errorUri = text(body.error_uri)
  return new TokenError.TokenError({
    reason: "OAuth",
    origin,
    status,
    error: isRegisteredErrorCode(body.error) ? body.error : redactor.cut(body.error, maxErrorCodeBytes),
    ...(errorDescription === undefined ? {} : { errorDescription }),
    ...(errorUri === undefined ? {} : { errorUri })
  })
}

const numericString = /^\s*\d+(\.\d+)?\s*$/

/** The shortest lifetime the library accepts, in seconds: a shorter one would make every call fetch. */
const minExpiresIn = 1

/** `expires_in` in milliseconds: a number or a numeric string of at least 1; `undefined` when absent. */
const parseExpiresIn = (value: unknown): number | undefined | "invalid" => {
  if (value === undefined || value === null) return undefined
  const seconds = typeof value === "number"
    ? value
    : typeof value === "string" && numericString.test(value)
    ? Number(value)
    : NaN
  return Number.isFinite(seconds) && seconds >= minExpiresIn ? seconds * 1000 : "invalid"
}

const parseScopes = (value: unknown, requested: ReadonlyArray<string>): ReadonlyArray<string> | "invalid" => {
  if (value === undefined || value === null) return requested
  if (typeof value === "string") return value.split(" ").filter((scope) => scope !== "")
  return "invalid"
}

/** Decodes a 2xx answer into an `AccessToken` (RFC 6749 §5.1). */
const decodeSuccess = (
  body: unknown,
  status: number,
  options: Interpretation
): Effect.Effect<AccessToken.AccessToken, TokenError.TokenError> => {
  if (!Predicate.isRecord(body)) {
    return Effect.fail(invalidResponse(options.origin, "the response is not a JSON object", status))
  }
  const error = oauthError(body, status, options)
  if (error !== undefined) return Effect.fail(error)
  if (typeof body.access_token !== "string" || body.access_token === "") {
    return Effect.fail(invalidResponse(options.origin, "access_token is missing or not a non-empty string", status))
  }
  // it goes into an Authorization header; the detail says what is wrong, never a part of the token
  if (!AccessToken.isValidValue(body.access_token)) {
    return Effect.fail(invalidResponse(
      options.origin,
      body.access_token.length > AccessToken.maxValueLength
        ? `access_token is longer than ${AccessToken.maxValueLength} characters`
        : "access_token is not visible ASCII without spaces (it has a control, space or non-ASCII character)",
      status
    ))
  }
  const tokenType = acceptedTokenType(options.tokenTypes, body.token_type)
  if (tokenType === undefined) {
    return Effect.fail(
      invalidResponse(options.origin, `token_type is missing or not one of ${options.tokenTypes.join(", ")}`, status)
    )
  }
  const expiresIn = parseExpiresIn(body.expires_in)
  if (expiresIn === "invalid") {
    return Effect.fail(invalidResponse(options.origin, "expires_in is not a number of seconds of at least 1", status))
  }
  const scopes = parseScopes(body.scope, options.requestedScopes)
  if (scopes === "invalid") return Effect.fail(invalidResponse(options.origin, "scope is not a string", status))
  const lifetime = Math.min(expiresIn ?? Duration.toMillis(options.defaultLifetime), Duration.toMillis(maxLifetime))
  return Effect.succeed(
    new AccessToken.AccessToken({
      value: Redacted.make(body.access_token),
      tokenType,
      scopes,
      issuedAt: DateTime.unsafeMake(options.sentAt),
      expiresAt: DateTime.unsafeMake(options.sentAt + lifetime)
    })
  )
}
