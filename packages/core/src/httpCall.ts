/**
 * One call to an authorization server (its token endpoint, its metadata), in plain data: the failures of a call as the
 * fields of a `NetworkError` — an answer that says "try later", a request that got no usable answer — and the plain
 * checks of an answer: a body announced larger than allowed, a body read up to a limit that is not JSON. Each Effect
 * line sends the request and reads the body on its HTTP client, maps its client's errors onto `ClientFailure`, and
 * builds its `NetworkError` from `NetworkFailure` (`retryAfterMillis` becomes its `retryAfter`).
 */
import { answerFailure, describeCause, sendFailure } from "./describeCause.js"
import type { Redactor } from "./redactor.js"
import * as RetryAfter from "./retryAfter.js"

/**
 * Which call failed: what a `NetworkError` names.
 *
 * @since 0.1.0
 * @category models
 */
export type Source = "TokenEndpoint" | "Discovery" | "Api"

/**
 * Why a call failed, as a `NetworkError` says it.
 *
 * @since 0.1.0
 * @category models
 */
export type NetworkReason = "Transport" | "Timeout" | "ServerError" | "RateLimited"

/**
 * The fields of a `NetworkError`, with the wait a server asked for in millis.
 *
 * @since 0.1.0
 * @category models
 */
export interface NetworkFailure {
  readonly reason: NetworkReason
  readonly source: Source
  readonly origin?: string
  readonly status?: number
  readonly retryAfterMillis?: number
  readonly detail?: string
}

/**
 * Which call to an authorization server: what its errors say.
 *
 * @since 0.1.0
 * @category models
 */
export interface Call {
  readonly source: "TokenEndpoint" | "Discovery"
  /** The origin called, as errors name it. */
  readonly origin: string
  /** Every text from the server or the transport goes through it. */
  readonly redactor: Redactor
}

/**
 * A 408, 429 or 5xx answer as the `NetworkError` that says so: `RateLimited` for a 429, else `ServerError`, with the
 * wait its `Retry-After` header asks for (`retryAfter.parse`, from `now` on the wall clock, capped).
 *
 * @since 0.1.0
 * @category constructors
 */
export const tryLater = (
  status: number,
  retryAfter: string | undefined,
  now: number,
  call: Pick<Call, "source" | "origin">
): NetworkFailure => {
  const after = RetryAfter.parse(retryAfter, now)
  return {
    reason: status === 429 ? "RateLimited" : "ServerError",
    source: call.source,
    origin: call.origin,
    status,
    ...(after === undefined ? {} : { retryAfterMillis: after })
  }
}

/**
 * What an HTTP client's error says about a call that got no usable answer:
 * - `Answered`: an answer came with `status`, and its body broke off or could not be decoded;
 * - `NotSent`: the client refused the request, its body (`Encode`) or its URL (`InvalidUrl`);
 * - `Unanswered`: the request to `url` could not be sent, or got no answer.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientFailure =
  | { readonly _tag: "Answered"; readonly status: number; readonly cause: unknown }
  | { readonly _tag: "NotSent"; readonly reason: "Encode" | "InvalidUrl"; readonly cause: unknown }
  | { readonly _tag: "Unanswered"; readonly url: string; readonly cause: unknown }

/**
 * A client's failure as a `Transport` `NetworkError` says it: the answer's status, if one came, and the phrase that
 * follows where the call went — `answerFailure`'s for an answer, `not sent (InvalidUrl: …)` for a request the client
 * refused, `sendFailure`'s for one that could not be sent or got no answer. Names no credential: every text goes
 * through `redactor`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const transportFailure = (
  failure: ClientFailure,
  redactor: Redactor
): { readonly detail: string; readonly status?: number } => {
  switch (failure._tag) {
    case "Answered":
      return answerFailure(failure.cause, failure.status, redactor)
    case "NotSent":
      return { detail: `not sent (${failure.reason}: ${describeCause(failure.cause, redactor)})` }
    case "Unanswered":
      return sendFailure(failure.cause, failure.url, redactor)
  }
}

/**
 * A client's failure on `call` as the `NetworkError` that says so (`transportFailure`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const transportError = (failure: ClientFailure, call: Call): NetworkFailure => ({
  reason: "Transport",
  source: call.source,
  origin: call.origin,
  ...transportFailure(failure, call.redactor)
})

/**
 * Whether a `Content-Length` header announces more than `maxBytes`: a body refused unread. A header that is not a
 * plain decimal number announces nothing.
 *
 * @since 0.1.0
 * @category guards
 */
export const announcesMoreThan = (contentLength: string | undefined, maxBytes: number): boolean =>
  contentLength !== undefined && /^\d+$/.test(contentLength) && Number(contentLength) > maxBytes

/**
 * A body read up to a limit, as JSON: its value, `TooLarge` when the limit cut it, `NotJson` when it does not parse.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonBody =
  | { readonly _tag: "Json"; readonly value: unknown }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "NotJson" }

/**
 * The JSON of a body read up to a limit (`truncated` when the body went on past it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const jsonOf = (read: { readonly text: string; readonly truncated: boolean }): JsonBody => {
  if (read.truncated) return { _tag: "TooLarge" }
  try {
    return { _tag: "Json", value: JSON.parse(read.text) as unknown }
  } catch {
    return { _tag: "NotJson" }
  }
}
