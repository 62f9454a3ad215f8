/**
 * What went wrong in transport, in words for an error (`@effect-oauth2/core/describeCause`): this line's HTTP client
 * errors dispatched onto the core's descriptions.
 */
import { answerFailure, describeCause, sendFailure } from "@effect-oauth2/core/describeCause"
import type { Redactor } from "@effect-oauth2/core/redactor"
import type * as HttpClientError from "@effect/platform/HttpClientError"

/**
 * What happened to an `HttpClient` call that got no usable answer, as a `NetworkError` `Transport` says it: the
 * answer's status, if one came, and the phrase that follows where the call went — `sendFailure`'s for a request that
 * could not be sent or got no answer, `answerFailure`'s for an answer whose body broke off or could not be decoded,
 * `not sent (InvalidUrl: …)` for a request the client refused.
 */
export const transportFailure = (
  error: HttpClientError.HttpClientError,
  redactor: Redactor
): { readonly detail: string; readonly status?: number } => {
  if (error._tag === "ResponseError") return answerFailure(error.cause, error.response.status, redactor)
  if (error.reason !== "Transport") {
    return { detail: `not sent (${error.reason}: ${describeCause(error.cause, redactor)})` }
  }
  return sendFailure(error.cause, error.request.url, redactor)
}
