/**
 * Bearer requests: adds the token, turns a 401 for a rejected token into one retry with a fresh token, and
 * non-2xx answers into `ApiError`. Knows `TokenService`'s interface only.
 */
import * as ApiAnswer from "@effect-oauth2/core/apiAnswer"
import * as Rules from "@effect-oauth2/core/authorizedClient"
import * as Redactor from "@effect-oauth2/core/redactor"
import * as wwwAuthenticate from "@effect-oauth2/core/wwwAuthenticate"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
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

/**
 * Removes `token`, in every form an API may echo it in, from a text built for an error: its forms are computed once
 * per token, not once per error.
 */
const redactorOf = Rules.perToken((token: AccessToken.AccessToken) => Redactor.make([Redacted.value(token.value)]))

/** Reads the start of the body, with `token` redacted in every form, at most `ApiError.maxBodyBytes`. */
const readBodyStart = (
  response: HttpClientResponse.HttpClientResponse,
  token: AccessToken.AccessToken
): Effect.Effect<string | undefined> => {
  const redactor = redactorOf(token)
  // mapped on the stream, not after: its runtime logs the error it fails with (at Debug), and a transport's error
  // may quote the request, token and all
  const body = Stream.mapError(response.stream, () => "unreadable" as const)
  // read enough past the limit that a form of the token starting inside it is seen whole, and so replaced
  return readAtMost(body, ApiError.maxBodyBytes + redactor.longestFormBytes).pipe(
    Effect.map((read) => ApiAnswer.bodyPreview(read, ApiError.maxBodyBytes, redactor)),
    // a body that stalls must not hold the caller: it is only a detail of the error
    Effect.timeoutTo({ duration: bodyReadTimeout, onSuccess: (body) => body, onTimeout: () => undefined }),
    Effect.orElseSucceed(() => undefined)
  )
}

const toApiError = (
  response: HttpClientResponse.HttpClientResponse,
  token: AccessToken.AccessToken
): Effect.Effect<never, ApiError.ApiError> =>
  Effect.flatMap(readBodyStart(response, token), (body) =>
    Effect.fail(
      new ApiError.ApiError(ApiAnswer.apiFailure({
        status: response.status,
        method: response.request.method,
        url: response.request.url,
        wwwAuthenticate: response.headers["www-authenticate"],
        tokenType: token.tokenType,
        body
      }, redactorOf(token)))
    ))

/** A 401 that says the token itself was refused (`wwwAuthenticate.rejectsToken`). */
const rejectsToken = (response: HttpClientResponse.HttpClientResponse, token: AccessToken.AccessToken): boolean =>
  wwwAuthenticate.rejectsToken(response.status, response.headers["www-authenticate"], token.tokenType)

const isStatusCodeError = (error: unknown): error is HttpClientError.ResponseError =>
  HttpClientError.isHttpClientError(error) && error._tag === "ResponseError" && error.reason === "StatusCode"

/**
 * The errors of the wrapped client, as the library's: an HTTP client error (no usable answer) → `NetworkError`,
 * whose cause's text has `token` redacted (a cause may quote the request, `Authorization` header and all).
 */
const mapClientError = <E>(
  error: E,
  token: AccessToken.AccessToken
): Exclude<E, HttpClientError.HttpClientError> | NetworkError.NetworkError => {
  if (!HttpClientError.isHttpClientError(error)) return error as Exclude<E, HttpClientError.HttpClientError>
  const origin = Origin.ofRequest(error.request)
  return new NetworkError.NetworkError({
    reason: "Transport",
    source: "Api",
    ...(origin === undefined ? {} : { origin }),
    ...transportFailure(error, redactorOf(token))
  })
}

/** The `Authorization` value of each token in use, built once per token rather than once per request. */
const authorizationHeader = Rules.perToken((token: AccessToken.AccessToken) => Redacted.value(token.authorization))

/**
 * Why `request` may not go out (`"outbound"`) or its answer may not be used (`"answered"`: a redirect that a
 * wrapped `followRedirects` followed), as `TokenError` `InvalidRequest` (`Rules.originRefusal`); `undefined` when it
 * may, and always when `allowedOrigins` is `undefined` (any origin).
 */
const originRefusal = (
  allowedOrigins: ReadonlySet<string> | undefined,
  request: HttpClientRequest.HttpClientRequest,
  stage: Rules.Stage
): TokenError.TokenError | undefined => {
  if (allowedOrigins === undefined) return undefined
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  const detail = Rules.originRefusal(allowedOrigins, url._tag === "Right" ? url.right : undefined, stage)
  return detail === undefined ? undefined : new TokenError.TokenError({ reason: "InvalidRequest", detail })
}

/**
 * Releases a refused response's connection: reads at most its first chunk. The error is mapped on the stream: its
 * runtime logs the error a stream fails with (at Debug), and a transport's error may quote the request.
 */
const releaseConnection = (response: HttpClientResponse.HttpClientResponse) =>
  Stream.mapError(response.stream, () => "unreadable" as const).pipe(
    Stream.runHead,
    Effect.timeoutOption(bodyReadTimeout),
    Effect.ignore
  )

/** The allowed origins of `options` (`undefined`: any), or dies with what is wrong, in words that repeat no value. */
const checkOptions = (options: AuthorizedClient.Options): ReadonlySet<string> | undefined => {
  const checked = Rules.checkOptions(options)
  if (checked._tag === "Invalid") throw new Cause.IllegalArgumentException(`AuthorizedClient: ${checked.problem}`)
  return checked.value
}

/** The error of a request through `withTokens` on a client that fails with `E`. */
type Failure<E> = Exclude<E, HttpClientError.HttpClientError> | AuthorizedClient.AuthorizedClientError

/**
 * The per-request path of `withTokens`: what a request needs that never changes (the wrapped client, the token to
 * use, the checked options) is held here, built once per client, and each step is a method.
 */
class BearerRequests<E, R> {
  private readonly getToken: TokenService.Service["get"]
  private readonly retryOnUnauthorized: boolean
  private readonly failOnErrorStatus: boolean
  private readonly telemetry: Telemetry.Telemetry

  constructor(
    private readonly self: HttpClient.HttpClient.With<E, R>,
    private readonly tokens: TokenService.Service,
    private readonly allowedOrigins: ReadonlySet<string> | undefined,
    options: AuthorizedClient.Options
  ) {
    this.getToken = options.request === undefined ? tokens.get : tokens.getFor(options.request)
    this.retryOnUnauthorized = options.retryOnUnauthorized ?? true
    this.failOnErrorStatus = options.failOnErrorStatus ?? true
    this.telemetry = telemetryOf(tokens)
  }

  /** Sends `request` with a token, refused before it goes out when its origin is not allowed. */
  readonly execute = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, Failure<E>, R> => {
    const refused = originRefusal(this.allowedOrigins, request, "outbound")
    if (refused !== undefined) return Effect.fail(refused)
    return Effect.flatMap(
      this.getToken,
      (token) =>
        Effect.flatMap(
          this.send(request, token),
          (response) =>
            this.retryOnUnauthorized && rejectsToken(response, token)
              ? this.retryAfterRejection(request, response, token)
              : this.checkStatus(response, token)
        )
    )
  }

  /** Sends `request` with `token` through the wrapped client; an answer from an origin not allowed is refused. */
  private send(request: HttpClientRequest.HttpClientRequest, token: AccessToken.AccessToken) {
    const sent = this.sendAnywhere(request, token)
    return this.allowedOrigins === undefined ? sent : Effect.flatMap(sent, this.fromAllowedOrigin)
  }

  /** Sends `request` with `token` through the wrapped client, whatever origin answers. */
  private sendAnywhere(request: HttpClientRequest.HttpClientRequest, token: AccessToken.AccessToken) {
    return this.self.execute(HttpClientRequest.setHeader(request, "authorization", authorizationHeader(token))).pipe(
      Effect.catchAll((error) =>
        // a client wrapped in `filterStatusOk` turns a 401 into an error: take its response back
        isStatusCodeError(error) ? Effect.succeed(error.response) : Effect.fail(mapClientError(error, token))
      )
    )
  }

  /** The answer, unless it came from an origin outside `allowedOrigins`: then neither a rejection nor a response. */
  private readonly fromAllowedOrigin = (response: HttpClientResponse.HttpClientResponse) => {
    const refused = originRefusal(this.allowedOrigins, response.request, "answered")
    return refused === undefined ? Effect.succeed(response) : Effect.fail(refused)
  }

  /** The answer as the caller gets it: a non-2xx is an `ApiError` unless `failOnErrorStatus` is off. */
  private checkStatus(response: HttpClientResponse.HttpClientResponse, token: AccessToken.AccessToken) {
    // a plain chain of flatMaps, not Effect.gen: this runs on every request
    return this.failOnErrorStatus && Rules.isErrorStatus(response.status)
      ? toApiError(response, token)
      : Effect.succeed(response)
  }

  /**
   * A 401 for the token itself: drop that token (compare-and-invalidate), then send once more with a fresh one if
   * the body allows. When the service hands back the same token (it keeps a replacement token within its cool-down
   * however often it is rejected), sending again would be refused again: the 401 is the answer.
   */
  private retryAfterRejection(
    request: HttpClientRequest.HttpClientRequest,
    response: HttpClientResponse.HttpClientResponse,
    token: AccessToken.AccessToken
  ) {
    return Effect.zipRight(
      Effect.zipRight(Effect.sync(this.telemetry.rejected), this.tokens.invalidate(token)),
      Rules.isReplayable(request.body)
        ? Effect.flatMap(
          Effect.tapError(this.getToken, () => releaseConnection(response)),
          (fresh) =>
            AccessToken.sameValue(fresh, token)
              ? this.checkStatus(response, token)
              : Effect.zipRight(
                releaseConnection(response),
                Effect.flatMap(this.send(request, fresh), (next) => {
                  if (!rejectsToken(next, fresh)) this.telemetry.recovered()
                  return this.checkStatus(next, fresh)
                })
              )
        )
        : this.checkStatus(response, token)
    )
  }
}

/** @internal */
export const withTokens = <E, R>(
  self: HttpClient.HttpClient.With<E, R>,
  options: AuthorizedClient.Options & { readonly tokens: TokenService.Service }
): HttpClient.HttpClient.With<Failure<E>, R> => {
  const requests = new BearerRequests(self, options.tokens, checkOptions(options), options)
  return HttpClient.makeWith<never, never, Failure<E>, R>(Effect.flatMap(requests.execute), Effect.succeed)
}
