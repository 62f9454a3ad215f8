/**
 * Bearer requests: adds the token, turns a 401 for a rejected token into one retry with a fresh token, and non-2xx
 * answers into `ApiError`. What needs no Effect (the options' checks, the origin rule, which bodies can be sent again,
 * the error's fields) is `@effect-oauth2/core/authorizedClient` and `apiAnswer`'s; this module sends, on the line's
 * HTTP client (`httpLine.ts`). Knows `TokenService`'s interface only.
 *
 * With a token service that has DPoP (`dpop.ts`), a `DPoP` token goes out as `Authorization: DPoP <token>` with a
 * proof in the `DPoP` header (its `ath` the token's hash), signed by the service's prover; a 401 whose `DPoP`
 * challenge says `use_dpop_nonce` and gives a nonce is sent again with it, once per API request. With the 401 rule's
 * one retry, an API request is sent three times at most.
 *
 * This runs on every API request: a plain chain of flatMaps, and what does not change per request is built once per
 * client (`withTokens`: the token to use, the checked options, the origin check of an answer) or once per token
 * (`TokenUse`: its `Authorization` value, its failures in the library's words).
 */
import * as ApiAnswer from "@effect-oauth2/core/apiAnswer"
import * as Rules from "@effect-oauth2/core/authorizedClient"
import * as DpopNonce from "@effect-oauth2/core/dpopNonce"
import * as Redactor from "@effect-oauth2/core/redactor"
import * as wwwAuthenticate from "@effect-oauth2/core/wwwAuthenticate"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
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
import * as EffectLine from "./effectLine.js"
import { HttpClientError, HttpClientRequest, type HttpClientResponse } from "./effectLine.js"
import * as HttpLine from "./httpLine.js"
import * as Origin from "./origin.js"
import { readAtMost } from "./readAtMost.js"
import { dpopOf, telemetryOf } from "./tokenService.js"

type Request = HttpClientRequest.HttpClientRequest
type Response = HttpClientResponse.HttpClientResponse

/** How long an error answer's body may take to arrive, when it is read for `ApiError` or to release a connection. */
const bodyReadTimeout = Duration.seconds(5)

/** Removes a token, in every form an API may echo it in, from a text built for an error; built once per token. */
const redactorOf = Rules.perToken((token: AccessToken.AccessToken) => Redactor.make([Redacted.value(token.value)]))

/**
 * A response's body as a stream that fails with no detail: its runtime may log the error a stream fails with, and a
 * transport's error may quote the request, token and all.
 */
const quietBody = (response: Response) => Stream.mapError(response.stream, () => "unreadable" as const)

/**
 * The start of an error answer's body for `ApiError`, with `token` redacted in every form and cut to
 * `ApiError.maxBodyBytes`; `undefined` when it is empty, fails, or has not come within `bodyReadTimeout` (it is only
 * a detail of the error, and must not hold the caller).
 */
const bodyOf = (response: Response, redactor: Redactor.Redactor): Effect.Effect<string | undefined> => {
  // read past the limit by the longest form of the token, so that a form starting inside it is seen whole and replaced
  return readAtMost(quietBody(response), ApiError.maxBodyBytes + redactor.longestFormBytes).pipe(
    Effect.map((read): string | undefined => ApiAnswer.bodyPreview(read, ApiError.maxBodyBytes, redactor)),
    EffectLine.timeoutOrElse({ duration: bodyReadTimeout, orElse: () => Effect.succeed(undefined) }),
    Effect.orElseSucceed(() => undefined)
  )
}

/** The DPoP proof each answer's request carried, to be redacted from its `ApiError` as its token is. */
const proofs = new WeakMap<Response, string>()

/**
 * An error answer as `ApiError` (`ApiAnswer.apiFailure`), `token` redacted from every text of it, and the DPoP proof
 * its request carried, if any.
 */
const apiError = (response: Response, token: AccessToken.AccessToken): Effect.Effect<never, ApiError.ApiError> => {
  const proof = proofs.get(response)
  const redactor = proof === undefined ? redactorOf(token) : redactorOf(token).including([proof])
  return Effect.flatMap(bodyOf(response, redactor), (body) =>
    Effect.fail(
      new ApiError.ApiError(ApiAnswer.apiFailure({
        status: response.status,
        method: response.request.method,
        url: response.request.url,
        wwwAuthenticate: response.headers["www-authenticate"],
        tokenType: token.tokenType,
        body
      }, redactor))
    ))
}

/** Reads at most the first chunk of a refused answer, so that its connection is released. */
const release = (response: Response) =>
  quietBody(response).pipe(Stream.runHead, Effect.timeoutOption(bodyReadTimeout), Effect.ignore)

/** An answer that says the token itself was refused (`wwwAuthenticate.rejectsToken`). */
const rejects = (response: Response, token: AccessToken.AccessToken): boolean =>
  wwwAuthenticate.rejectsToken(response.status, response.headers["www-authenticate"], token.tokenType)

/**
 * A failure of the wrapped client, in the library's words: the answer a wrapper refused for its status
 * (`filterStatusOk`: its 401 is taken back, so that the 401 rule and `ApiError` apply); any other HTTP client error (no
 * usable answer) a `NetworkError` whose text has the token redacted by `redactor` (a cause may quote the request,
 * `Authorization` header, DPoP proof and all); the wrapped client's own errors as they are.
 */
const sendFailure = (error: unknown, redactor: Redactor.Redactor): Effect.Effect<Response, unknown> => {
  if (!HttpClientError.isHttpClientError(error)) return Effect.fail(error)
  const refused = HttpLine.statusRefusedAnswer(error)
  if (refused !== undefined) return Effect.succeed(refused)
  const origin = Origin.ofRequest(error.request)
  return Effect.fail(
    new NetworkError.NetworkError({
      reason: "Transport",
      source: "Api",
      ...(origin === undefined ? {} : { origin }),
      ...transportFailure(error, redactor)
    })
  )
}

/** What a request sent with a token needs of it: the same for every request with that token. */
interface TokenUse {
  /** Its `Authorization` value. */
  readonly authorization: string
  /** The wrapped client's failures, as `sendFailure` tells them. */
  readonly onFailure: (error: unknown) => Effect.Effect<Response, unknown>
}

/** The use of each token in use, built once per token rather than once per request. */
const useOf = Rules.perToken((token: AccessToken.AccessToken): TokenUse => ({
  authorization: Redacted.value(token.authorization),
  onFailure: (error) => sendFailure(error, redactorOf(token))
}))

/**
 * Why `request` may not go out (`"outbound"`), or its answer not be used (`"answered"`: a redirect that a wrapped
 * `followRedirects` followed), as `TokenError` `InvalidRequest` (`Rules.originRefusal`); `undefined` when it may.
 */
const refusal = (
  allowedOrigins: ReadonlySet<string>,
  request: Request,
  stage: Rules.Stage
): TokenError.TokenError | undefined => {
  const detail = Rules.originRefusal(allowedOrigins, Option.getOrUndefined(HttpClientRequest.toUrl(request)), stage)
  return detail === undefined ? undefined : new TokenError.TokenError({ reason: "InvalidRequest", detail })
}

/** The allowed origins of `options` (`undefined`: any), or dies with what is wrong, in words that repeat no value. */
const allowedOriginsOf = (options: AuthorizedClient.Options): ReadonlySet<string> | undefined => {
  const checked = Rules.checkOptions(options)
  if (checked._tag === "Invalid") throw new EffectLine.IllegalArgumentError(`AuthorizedClient: ${checked.problem}`)
  return checked.value
}

/** What one send gave: the answer, and whether the API request may still be sent again for a DPoP nonce. */
interface Sent {
  readonly response: Response
  readonly nonceLeft: boolean
}

/** The refusal of a DPoP token that cannot be sent with a proof. */
const dpopRefusal = (detail: string) => Effect.fail(new TokenError.TokenError({ reason: "InvalidRequest", detail }))

/** The error of a request through `withTokens` on a client that fails with `E`. */
type Failure<E> = Exclude<E, HttpClientError.HttpClientError> | AuthorizedClient.AuthorizedClientError

/** @internal */
export const withTokens = <E, R>(
  self: EffectLine.HttpClient.HttpClient.With<E, R>,
  options: AuthorizedClient.Options & { readonly tokens: TokenService.Service }
): EffectLine.HttpClient.HttpClient.With<Failure<E>, R> => {
  const allowedOrigins = allowedOriginsOf(options)
  const tokens = options.tokens
  const getToken = options.request === undefined ? tokens.get : tokens.getFor(options.request)
  const retryOnUnauthorized = options.retryOnUnauthorized ?? true
  const failOnErrorStatus = options.failOnErrorStatus ?? true
  const telemetry = telemetryOf(tokens)
  const dpop = dpopOf(tokens)

  /** `request` with a DPoP proof for `token` (its `ath`), signed by the service's prover, and its URL. */
  const withProof = (
    request: Request,
    token: AccessToken.AccessToken
  ): Effect.Effect<readonly [Request, URL, Redacted.Redacted<string>], TokenError.TokenError> => {
    if (dpop === undefined) {
      return dpopRefusal("a DPoP token can only be sent with the TokenService that fetched it: it holds the key")
    }
    const url = Option.getOrUndefined(HttpClientRequest.toUrl(request))
    if (url === undefined) return dpopRefusal("a request with a DPoP token needs an absolute URL")
    return Effect.map(
      dpop.proof({ method: request.method, url, accessToken: token.value }),
      (proof) => [HttpClientRequest.setHeader(request, "dpop", Redacted.value(proof)), url, proof] as const
    )
  }

  /** Whether an answer to a request with a DPoP token asks for a nonce and gives one. */
  const asksNonce = (response: Response): boolean =>
    DpopNonce.ofResource({
      status: response.status,
      wwwAuthenticate: response.headers["www-authenticate"],
      dpopNonce: response.headers["dpop-nonce"]
    })._tag === "UseNonce"

  /** The answer, unless a redirect brought it from an origin not allowed: then neither a rejection nor a response. */
  const fromAllowedOrigin = allowedOrigins === undefined ? undefined : (
    response: Response
  ): Effect.Effect<Response, TokenError.TokenError> => {
    const refused = refusal(allowedOrigins, response.request, "answered")
    return refused === undefined ? Effect.succeed(response) : Effect.fail(refused)
  }

  /** Sends `request` with `token` through the wrapped client, once; an answer from an origin not allowed is refused. */
  const sendOnce = (request: Request, token: AccessToken.AccessToken): Effect.Effect<Response, Failure<E>, R> => {
    const use = useOf(token)
    const authorized = HttpClientRequest.setHeader(request, "authorization", use.authorization)
    // the wrapped client fails with `E`: `sendFailure` keeps its own errors and makes the rest the library's
    const onFailure = use.onFailure as (error: E) => Effect.Effect<Response, Failure<E>>
    const sent = token.tokenType === "DPoP"
      ? Effect.flatMap(
        withProof(authorized, token),
        ([signed, url, proof]) =>
          Effect.map(
            EffectLine.catch(
              self.execute(signed),
              // the proof is redacted as the token is: a transport's cause may quote the request's headers
              (error: E) =>
                sendFailure(error, redactorOf(token).including([Redacted.value(proof)])) as Effect.Effect<
                  Response,
                  Failure<E>
                >
            ),
            (response) => {
              dpop?.remember(url, response.headers["dpop-nonce"])
              proofs.set(response, Redacted.value(proof))
              return response
            }
          )
      )
      : EffectLine.catch(self.execute(authorized), onFailure)
    return fromAllowedOrigin === undefined ? sent : Effect.flatMap(sent, fromAllowedOrigin)
  }

  /**
   * Sends `request` with `token`; with a DPoP token, while `nonceLeft`, once more when the answer asks for a nonce
   * and gives one (and the body can be sent again).
   */
  const send = (
    request: Request,
    token: AccessToken.AccessToken,
    nonceLeft: boolean
  ): Effect.Effect<Sent, Failure<E>, R> =>
    Effect.flatMap(
      sendOnce(request, token),
      (response) =>
        nonceLeft && token.tokenType === "DPoP" && asksNonce(response) && Rules.isReplayable(request.body)
          ? Effect.andThen(
            release(response),
            Effect.map(sendOnce(request, token), (again): Sent => ({ response: again, nonceLeft: false }))
          )
          : Effect.succeed<Sent>({ response, nonceLeft })
    )

  /** The answer as the caller gets it: a non-2xx is an `ApiError` unless `failOnErrorStatus` is off. */
  const answer = (response: Response, token: AccessToken.AccessToken): Effect.Effect<Response, ApiError.ApiError> =>
    failOnErrorStatus && Rules.isErrorStatus(response.status) ? apiError(response, token) : Effect.succeed(response)

  /**
   * After a 401 for `token` itself: drop it (compare-and-invalidate), then, when the body can be sent again, send once
   * more with a fresh token. When the service hands back a token of the same value (it keeps a replacement through
   * its cool-down however often it is rejected), sending again would be refused again: the 401 is the answer.
   */
  const recover = (
    request: Request,
    { nonceLeft, response }: Sent,
    token: AccessToken.AccessToken
  ): Effect.Effect<Response, Failure<E>, R> => {
    telemetry.rejected()
    const dropped = tokens.invalidate(token)
    if (!Rules.isReplayable(request.body)) return Effect.andThen(dropped, answer(response, token))
    return dropped.pipe(
      Effect.andThen(Effect.tapError(getToken, () => release(response))),
      Effect.flatMap((fresh) => {
        if (AccessToken.sameValue(fresh, token)) return answer(response, token)
        return release(response).pipe(
          Effect.andThen(send(request, fresh, nonceLeft)),
          Effect.flatMap(({ response: next }) => {
            if (!rejects(next, fresh)) telemetry.recovered()
            return answer(next, fresh)
          })
        )
      })
    )
  }

  /** The 401 rule, then the answer as the caller gets it, once `request` went out with `token`. */
  const conclude = (request: Request, token: AccessToken.AccessToken, sent: Sent) =>
    retryOnUnauthorized && rejects(sent.response, token) ? recover(request, sent, token) : answer(sent.response, token)

  /** One request: refused before anything is sent when its origin is not allowed; else with a token, and the rule. */
  const execute = (request: Request): Effect.Effect<Response, Failure<E>, R> => {
    const refused = allowedOrigins === undefined ? undefined : refusal(allowedOrigins, request, "outbound")
    if (refused !== undefined) return Effect.fail(refused)
    return Effect.flatMap(
      getToken,
      (token) =>
        token.tokenType === "DPoP"
          ? Effect.flatMap(send(request, token, true), (sent) => conclude(request, token, sent))
          // a Bearer token is sent once, with no nonce to answer: nothing more is built per request on this path
          : Effect.flatMap(sendOnce(request, token), (response) =>
            retryOnUnauthorized && rejects(response, token)
              ? recover(request, { response, nonceLeft: false }, token)
              : answer(response, token))
    )
  }

  return EffectLine.HttpClient.makeWith<never, never, Failure<E>, R>(Effect.flatMap(execute), Effect.succeed)
}
