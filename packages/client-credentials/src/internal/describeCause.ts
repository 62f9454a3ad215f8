import type * as HttpClientError from "@effect/platform/HttpClientError"
import type { Redactor } from "./redaction.js"

/** The most of a cause's text an error keeps, in UTF-8 bytes. */
export const maxCauseBytes = 200

/**
 * A short description of an error's cause that names no credential: the first `code` (e.g. `ECONNREFUSED`)
 * found down its `cause` chain, or the deepest message; redacted by `redactor`, then cut to 200 bytes.
 */
export const describeCause = (cause: unknown, redactor: Redactor): string => {
  let current = cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return redactor.cut(code, maxCauseBytes)
    if (current.cause === undefined) return redactor.cut(current.message, maxCauseBytes)
    current = current.cause
  }
  return "unknown cause"
}

/**
 * What went wrong with an `HttpClient` call that got no usable answer, for a `NetworkError`'s detail: the cause (see
 * `describeCause`), after the platform's reason when it says more than "transport" (`InvalidUrl`, `Encode`, …).
 */
export const describeTransportFailure = (error: HttpClientError.HttpClientError, redactor: Redactor): string => {
  const cause = describeCause(error.cause, redactor)
  return error.reason === "Transport" || error.reason === "Decode" ? cause : `${error.reason}: ${cause}`
}
