/**
 * What went wrong in transport, in words for an error (`@effect-oauth2/core/describeCause`,
 * `@effect-oauth2/core/httpCall`): this line's HTTP client errors as the core's `ClientFailure`.
 */
import * as HttpCall from "@effect-oauth2/core/httpCall"
import type { Redactor } from "@effect-oauth2/core/redactor"
import type * as HttpClientError from "effect/http/HttpClientError"

/**
 * What an `HttpClientError` says about a call that got no usable answer, by its `reason`: an answer whose status a
 * wrapper refused, whose body broke off or could not be decoded (`StatusCodeError`, `DecodeError`, `EmptyBodyError`:
 * the answer came), a request the client refused (`EncodeError`, `InvalidUrlError`), or one that could not be sent or
 * got no answer (`TransportError`).
 */
export const clientFailureOf = (error: HttpClientError.HttpClientError): HttpCall.ClientFailure => {
  const reason = error.reason
  switch (reason._tag) {
    case "StatusCodeError":
    case "DecodeError":
    case "EmptyBodyError":
      return { _tag: "Answered", status: reason.response.status, cause: reason.cause }
    case "TransportError":
      return { _tag: "Unanswered", url: reason.request.url, cause: reason.cause }
    case "EncodeError":
      return { _tag: "NotSent", reason: "Encode", cause: reason.cause }
    case "InvalidUrlError":
      return { _tag: "NotSent", reason: "InvalidUrl", cause: reason.cause }
  }
}

/**
 * What happened to an `HttpClient` call that got no usable answer, as a `NetworkError` `Transport` says it
 * (`HttpCall.transportFailure`).
 */
export const transportFailure = (
  error: HttpClientError.HttpClientError,
  redactor: Redactor
): { readonly detail: string; readonly status?: number } => HttpCall.transportFailure(clientFailureOf(error), redactor)
