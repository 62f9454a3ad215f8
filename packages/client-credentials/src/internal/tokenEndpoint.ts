/**
 * The token endpoint on this line's `HttpClient`: one token request sent, and its answer read. What the request holds
 * and what the answer means — its status, its body, the errors that say why there is no token — are the core's
 * (`@effect-oauth2/core/tokenEndpoint`, with `tokenRequest` and `tokenResponse`); how the request goes out and comes
 * back is `http.ts`'s. Knows the models only: no cache, no retries.
 *
 * With DPoP (`dpop.ts`), each request carries a proof in its `DPoP` header, the answer must be a `DPoP` token (a
 * `Bearer` one is `InvalidResponse`), every `DPoP-Nonce` the endpoint gives is remembered for its origin, and a 400
 * `use_dpop_nonce` with a nonce is sent again once, at once, with it: part of the same attempt, not a retry of the
 * retry schedule.
 */
import * as DpopNonce from "@effect-oauth2/core/dpopNonce"
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
import type { ClientAuthentication, Credentials, Destination } from "./clientAuthentication.js"
import type * as Dpop from "./dpop.js"
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
  /** What signs the DPoP proofs, with DPoP. */
  readonly dpop: Dpop.Prover | undefined
}

/**
 * What one send gave: a token, or an answer that asks for a DPoP nonce and gives one (`NonceAsked`), with the
 * `TokenError` it stands for if it is not sent again.
 */
type Sent =
  | { readonly _tag: "Issued"; readonly issued: Issued }
  | { readonly _tag: "NonceAsked"; readonly error: TokenError.TokenError }

/** What reading one answer needs. */
type Answer = Http.Call & Wire.Answer

/** The body as JSON, under the byte cap; a body that is too large or no JSON is the core's `TokenError`. */
const readJson = (response: EffectLine.HttpClientResponse.HttpClientResponse, answer: Answer) =>
  Http.readJson(response, TokenResponse.maxResponseBytes, answer, {
    tooLarge: () => new TokenError.TokenError(Wire.unreadableBody("TooLarge", answer)),
    notJson: () => new TokenError.TokenError(Wire.unreadableBody("NotJson", answer))
  })

/**
 * The answer by its status (docs/behaviour.md#token-endpoint-answers): a token (a 2xx), or why there is none; with
 * DPoP, a 400 that asks for a nonce and gives one is its `TokenError` as the value, for the caller to send again.
 */
const readAnswer = (
  response: EffectLine.HttpClientResponse.HttpClientResponse,
  answer: Answer,
  options: Pick<Options, "tokenTypes" | "defaultLifetime" | "dpop">
): Effect.Effect<
  AccessToken.AccessToken | TokenError.TokenError,
  TokenError.TokenError | NetworkError.NetworkError
> => {
  const step = Wire.answerStep(answer.status, answer.origin)
  if (step._tag === "TryLater") return Http.tryLater(response, answer)
  if (step._tag === "Refused") return Effect.fail(new TokenError.TokenError(step.failure))
  if (step._tag === "ReadError") {
    // a 400 or 401: the error response it carries, or that it carries none
    return readJson(response, answer).pipe(
      Effect.catchTag("TokenError", () => Effect.succeed(undefined)),
      Effect.flatMap((body) => {
        const error = new TokenError.TokenError(Wire.errorOf(body, answer))
        const challenge = options.dpop === undefined ? undefined : DpopNonce.ofTokenEndpoint({
          status: answer.status,
          body,
          dpopNonce: response.headers["dpop-nonce"]
        })
        // the caller decides whether to send it again
        return challenge?._tag === "UseNonce" ? Effect.succeed(error) : Effect.fail(error)
      })
    )
  }
  return Effect.flatMap(readJson(response, answer), (body) => {
    const read = Wire.tokenOf(body, answer, {
      tokenTypes: options.tokenTypes,
      defaultLifetimeMillis: Duration.toMillis(options.defaultLifetime),
      dpop: options.dpop !== undefined
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
    const first = yield* send(destination, resolved)
    if (first._tag === "Issued") return first.issued
    // a nonce asked for: sent again once, with it
    const again = yield* send(destination, resolved)
    return again._tag === "Issued" ? again.issued : yield* again.error
  }, Effect.scoped)

  /**
   * The request sent once, with its own credentials (an assertion is for one request only, RFC 7523 §3: a request
   * sent again for a DPoP nonce carries a new one) and a DPoP proof when there is DPoP, and its answer read.
   */
  const send = Effect.fnUntraced(function*(destination: Destination, resolved: ResolvedRequest) {
    const credentials: Credentials = yield* options.authentication.credentials(destination)
    // an assertion is a credential of this request only
    const redactor = credentials.secrets.length === 0
      ? configuredRedactor
      : configuredRedactor.including(credentials.secrets)
    const call: Http.Call = { source: "TokenEndpoint", origin: Urls.origin(destination.tokenUrl), redactor }
    const dpop = options.dpop
    const proof = dpop === undefined ? undefined : yield* dpop.proof({ method: "POST", url: destination.tokenUrl })
    const headers = proof === undefined ? credentials.headers : { ...credentials.headers, dpop: Redacted.value(proof) }
    const httpRequest = HttpLine.requestOf(
      Wire.wireRequest(destination.tokenUrl.href, resolved, { ...credentials, headers })
    )
    // a proof is a credential of this request only, as an assertion is
    const sending = proof === undefined ? call : { ...call, redactor: call.redactor.including([Redacted.value(proof)]) }
    const sentAt = yield* Clock.currentTimeMillis
    const startedAt = yield* Monotonic.now
    const { followedRedirect, response } = yield* Http.send(client, httpRequest, sending)
    if (followedRedirect) return yield* new TokenError.TokenError(Wire.followedRedirect(call.origin))
    dpop?.remember(destination.tokenUrl, response.headers["dpop-nonce"])
    const answer: Answer = { ...sending, status: response.status, sentAt, requestedScopes: resolved.scopes }
    const read = yield* readAnswer(response, answer, options)
    return TokenError.isTokenError(read)
      ? { _tag: "NonceAsked", error: read } satisfies Sent as Sent
      : { _tag: "Issued", issued: { token: read, startedAt } } satisfies Sent as Sent
  })

  return { request }
}
