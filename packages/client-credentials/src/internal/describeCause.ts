/**
 * What went wrong in transport, in words for an error (`@effect-oauth2/core/describeCause`,
 * `@effect-oauth2/core/httpCall`): this line's HTTP client errors as the core's `ClientFailure`.
 */
import * as HttpCall from "@effect-oauth2/core/httpCall"
import type { Redactor } from "@effect-oauth2/core/redactor"
import type * as HttpClientError from "@effect/platform/HttpClientError"

/**
 * What an `HttpClient` error says about a call that got no usable answer: an answer whose body broke off or could not
 * be decoded (a `ResponseError`), a request the client refused (`Encode`, `InvalidUrl`), or one that could not be sent
 * or got no answer (`Transport`).
 */
export const clientFailureOf = (error: HttpClientError.HttpClientError): HttpCall.ClientFailure =>
  error._tag === "ResponseError"
    ? { _tag: "Answered", status: error.response.status, cause: error.cause }
    : error.reason === "Transport"
    ? { _tag: "Unanswered", url: error.request.url, cause: error.cause }
    : { _tag: "NotSent", reason: error.reason, cause: error.cause }

/**
 * What happened to an `HttpClient` call that got no usable answer, as a `NetworkError` `Transport` says it
 * (`HttpCall.transportFailure`).
 */
export const transportFailure = (
  error: HttpClientError.HttpClientError,
  redactor: Redactor
): { readonly detail: string; readonly status?: number } => HttpCall.transportFailure(clientFailureOf(error), redactor)
