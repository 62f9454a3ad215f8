/**
 * Bearer requests on `effect/http`: adds the token, turns a 401 for a rejected token into one retry with a fresh
 * token, and non-2xx answers into `ApiError`. What needs no Effect (the options' checks, the origin rule, which bodies
 * can be sent again, the error's fields) is `@effect-oauth2/core/authorizedClient` and `apiAnswer`'s; this module
 * sends. Knows `TokenService`'s interface only.
 */
import * as ApiAnswer from "@effect-oauth2/core/apiAnswer"
import * as Rules from "@effect-oauth2/core/authorizedClient"
import * as Redactor from "@effect-oauth2/core/redactor"
import * as wwwAuthenticate from "@effect-oauth2/core/wwwAuthenticate"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as AccessToken from "../AccessToken.js"
import * as ApiError from "../ApiError.js"
import type * as AuthorizedClient from "../AuthorizedClient.js"
import * as NetworkError from "../NetworkError.js"
import * as TokenError from "../TokenError.js"
import type * as TokenService from "../TokenService.js"
import { transportFailure } from "./describeCause.js"
import * as Origin from "./origin.js"
import { readAtMost } from "./readAtMost.js"
import type * as Telemetry from "./telemetry.js"
import { telemetryOf } from "./tokenService.js"

/** How long an error answer's body may take to arrive, when it is read for `ApiError` or to release a connection. */
const bodyReadTimeout = Duration.seconds(5)

/** Removes a token, in every form an API may echo it in, from a text built for an error; built once per token. */
const redactorOf = Rules.perToken((token: AccessToken.AccessToken) => Redactor.make([Redacted.value(token.value)]))

/** The `Authorization` value of a token, built once per token rather than once per request. */
const authorizationOf = Rules.perToken((token: AccessToken.AccessToken) => Redacted.value(token.authorization))

/**
 * A response's body as a stream that fails with no detail: its runtime may log the error a stream fails with, and a
 * transport's error may quote the request, token and all.
 */
const quietBody = (response: HttpClientResponse.HttpClientResponse) =>
  Stream.mapError(response.stream, () => "unreadable" as const)

/**
 * The start of an error answer's body for `ApiError`, with `token` redacted in every form and cut to
 * `ApiError.maxBodyBytes`; `undefined` when it is empty, fails, or has not come within `bodyReadTimeout` (it is only
 * a detail of the error, and must not hold the caller).
 */
const bodyOf = (response: HttpClientResponse.HttpClientResponse, token: AccessToken.AccessToken) => {
  const redactor = redactorOf(token)
  // read past the limit by the longest form of the token, so that a form starting inside it is seen whole and replaced
  return readAtMost(quietBody(response), ApiError.maxBodyBytes + redactor.longestFormBytes).pipe(
    Effect.map((read) => ApiAnswer.bodyPreview(read, ApiError.maxBodyBytes, redactor)),
    Effect.timeoutOrElse({ duration: bodyReadTimeout, orElse: () => Effect.succeed(undefined) }),
    Effect.orElseSucceed(() => undefined)
  )
}

/** What an `ApiError` says of an answer besides its body: its status, its request, its challenge. */
const answerOf = (response: HttpClientResponse.HttpClientResponse) => ({
  status: response.status,
  method: response.request.method,
  url: response.request.url,
  wwwAuthenticate: response.headers["www-authenticate"]
})

/** An error answer as `ApiError` (`ApiAnswer.apiFailure`), `token` redacted from every text of it. */
const apiError = (response: HttpClientResponse.HttpClientResponse, token: AccessToken.AccessToken) =>
  bodyOf(response, token).pipe(
    Effect.map((body) =>
      ApiAnswer.apiFailure({ ...answerOf(response), tokenType: token.tokenType, body }, redactorOf(token))
    ),
    Effect.flatMap((failure) => Effect.fail(new ApiError.ApiError(failure)))
  )

/** Reads at most the first chunk of a refused answer, so that its connection is released. */
const release = (response: HttpClientResponse.HttpClientResponse) =>
  quietBody(response).pipe(Stream.runHead, Effect.timeoutOption(bodyReadTimeout), Effect.ignore)

/** An answer that says the token itself was refused (`wwwAuthenticate.rejectsToken`). */
const rejects = (response: HttpClientResponse.HttpClientResponse, token: AccessToken.AccessToken): boolean =>
  wwwAuthenticate.rejectsToken(response.status, response.headers["www-authenticate"], token.tokenType)

/**
 * A failure of the wrapped client, in the library's words: the response of a status a wrapper refused
 * (`filterStatusOk`: its 401 is taken back, so that the 401 rule and `ApiError` apply), any other `HttpClientError`
 * a `NetworkError` whose text has `token` redacted (a cause may quote the request, `Authorization` header and all);
 * the wrapped client's own errors as they are.
 */
const recoverOrMap = <E>(
  error: E,
  token: AccessToken.AccessToken
): Effect.Effect<
  HttpClientResponse.HttpClientResponse,
  Exclude<E, HttpClientError.HttpClientError> | NetworkError.NetworkError
> => {
  if (!HttpClientError.isHttpClientError(error)) {
    return Effect.fail(error as Exclude<E, HttpClientError.HttpClientError>)
  }
  if (error.reason._tag === "StatusCodeError") return Effect.succeed(error.reason.response)
  const origin = Origin.ofRequest(error.request)
  return Effect.fail(
    new NetworkError.NetworkError({
      reason: "Transport",
      source: "Api",
      ...(origin === undefined ? {} : { origin }),
      ...transportFailure(error, redactorOf(token))
    })
  )
}

/** The error of a request through `withTokens` on a client that fails with `E`. */
type Failure<E> = Exclude<E, HttpClientError.HttpClientError> | AuthorizedClient.AuthorizedClientError

/** The checked options of one client, and what it takes its tokens from. */
interface Settings {
  readonly tokens: TokenService.Service
  readonly getToken: TokenService.Service["get"]
  readonly retryOnUnauthorized: boolean
  readonly failOnErrorStatus: boolean
  readonly allowedOrigins: ReadonlySet<string> | undefined
  readonly telemetry: Telemetry.Telemetry
}

/** The options of `withTokens`, checked: dies, naming what is wrong and never a value, when they are refused. */
const settingsOf = (options: AuthorizedClient.Options & { readonly tokens: TokenService.Service }): Settings => {
  const checked = Rules.checkOptions(options)
  if (checked._tag === "Invalid") throw new Cause.IllegalArgumentError(`AuthorizedClient: ${checked.problem}`)
  const tokens = options.tokens
  return {
    tokens,
    getToken: options.request === undefined ? tokens.get : tokens.getFor(options.request),
    retryOnUnauthorized: options.retryOnUnauthorized ?? true,
    failOnErrorStatus: options.failOnErrorStatus ?? true,
    allowedOrigins: checked.value,
    telemetry: telemetryOf(tokens)
  }
}

/**
 * Why `request` may not go out, or its answer not be used (`Rules.originRefusal`), as `TokenError` `InvalidRequest`;
 * `undefined` when it may.
 */
const refusal = (
  allowedOrigins: ReadonlySet<string>,
  request: HttpClientRequest.HttpClientRequest,
  stage: Rules.Stage
): TokenError.TokenError | undefined => {
  const detail = Rules.originRefusal(allowedOrigins, Option.getOrUndefined(HttpClientRequest.toUrl(request)), stage)
  return detail === undefined ? undefined : new TokenError.TokenError({ reason: "InvalidRequest", detail })
}

/** @internal */
export const withTokens = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  options: AuthorizedClient.Options & { readonly tokens: TokenService.Service }
): HttpClient.HttpClient.With<Failure<E>, R> => {
  const settings = settingsOf(options)
  const { allowedOrigins, failOnErrorStatus, getToken, telemetry, tokens } = settings

  /** Sends `request` with `token`; an answer that a redirect brought from an origin not allowed is refused. */
  const send = (
    request: HttpClientRequest.HttpClientRequest,
    token: AccessToken.AccessToken
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, Failure<E>, R> => {
    const sent = Effect.catch(
      self.execute(HttpClientRequest.setHeader(request, "authorization", authorizationOf(token))),
      (error) => recoverOrMap(error, token)
    )
    if (allowedOrigins === undefined) return sent
    return Effect.flatMap(sent, (response) => {
      const refused = refusal(allowedOrigins, response.request, "answered")
      return refused === undefined ? Effect.succeed(response) : Effect.fail(refused)
    })
  }

  /** The answer as the caller gets it: a non-2xx is an `ApiError` unless `failOnErrorStatus` is off. */
  const answer = (response: HttpClientResponse.HttpClientResponse, token: AccessToken.AccessToken) =>
    failOnErrorStatus && Rules.isErrorStatus(response.status) ? apiError(response, token) : Effect.succeed(response)

  /**
   * After a 401 for `token` itself: drop it (compare-and-invalidate), then, when the body can be sent again, send once
   * more with a fresh token. When the service hands back a token of the same value (it keeps a replacement through
   * its cool-down however often it is rejected), sending again would be refused again: the 401 is the answer.
   */
  const recover = (
    request: HttpClientRequest.HttpClientRequest,
    response: HttpClientResponse.HttpClientResponse,
    token: AccessToken.AccessToken
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, Failure<E>, R> => {
    telemetry.rejected()
    const dropped = tokens.invalidate(token)
    if (!Rules.isReplayable(request.body)) return Effect.andThen(dropped, answer(response, token))
    return dropped.pipe(
      Effect.andThen(Effect.tapError(getToken, () => release(response))),
      Effect.flatMap((fresh) => {
        if (AccessToken.sameValue(fresh, token)) return answer(response, token)
        return release(response).pipe(
          Effect.andThen(send(request, fresh)),
          Effect.flatMap((next) => {
            if (!rejects(next, fresh)) telemetry.recovered()
            return answer(next, fresh)
          })
        )
      })
    )
  }

  /** One request: refused before anything is sent when its origin is not allowed; else with a token, and the rule. */
  const execute = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, Failure<E>, R> => {
    const refused = allowedOrigins === undefined ? undefined : refusal(allowedOrigins, request, "outbound")
    if (refused !== undefined) return Effect.fail(refused)
    // a plain chain of flatMaps, not Effect.gen: this runs on every request
    return Effect.flatMap(
      getToken,
      (token) =>
        Effect.flatMap(send(request, token), (response) =>
          settings.retryOnUnauthorized && rejects(response, token)
            ? recover(request, response, token)
            : answer(response, token))
    )
  }

  return HttpClient.makeWith<never, never, Failure<E>, R>(Effect.flatMap(execute), Effect.succeed)
}
