/**
 * What went wrong in transport, in words for an error: the cause's code (or, for undici's own codes, its code and
 * message), never a credential, and never a body the server sent.
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Predicate from "effect/Predicate"
import type { Redactor } from "./redaction.js"

/** The most of a cause's text an error keeps, in UTF-8 bytes. */
export const maxCauseBytes = 200

/** Codes that say the server was never reached: no connection was made. */
const unreachableCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** Codes of a TLS handshake that refused the server's certificate. */
const tlsCode = /^(CERT_|ERR_TLS_|DEPTH_ZERO_|UNABLE_TO_|SELF_SIGNED_)/

/** The first `code` down an error's `cause` chain, with the message of the error that has it; else the deepest. */
const findCause = (cause: unknown): { readonly code?: string; readonly message?: string; readonly name?: string } => {
  let current = cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string") return { code, message: current.message, name: current.name }
    if (current.cause === undefined) return { message: current.message, name: current.name }
    current = current.cause
  }
  return {}
}

const errorCode = /^[A-Z][A-Z0-9_]{0,63}$/
const errorName = /^[A-Za-z][A-Za-z0-9]{0,63}$/

/**
 * What a failure was, for a text that must quote nothing it read (e.g. a `clientAssertion`'s): the first code down
 * its `cause` chain (`ENOENT`), else its tag or name (`InvalidProjectedToken`); never a message.
 */
export const describeFailureName = (error: unknown): string => {
  let name: string | undefined
  let current = error
  for (let depth = 0; depth < 4 && Predicate.isObject(current); depth++) {
    const { _tag, code } = current as { readonly _tag?: unknown; readonly code?: unknown }
    if (typeof code === "string" && errorCode.test(code)) return code
    const type = typeof _tag === "string" ? _tag : current instanceof Error ? current.name : undefined
    if (name === undefined && type !== undefined && errorName.test(type)) name = type
    current = (current as { readonly cause?: unknown }).cause
  }
  return name ?? "unknown cause"
}

/**
 * A short description of an error's cause that names no credential: the first `code` (e.g. `ECONNREFUSED`) found
 * down its `cause` chain — with its message for undici's generic codes (`UND_ERR_ABORTED: Proxy response (407) …`) —
 * or the deepest message; redacted by `redactor`, then cut to 200 bytes.
 */
export const describeCause = (cause: unknown, redactor: Redactor): string => {
  const found = findCause(cause)
  const text = found.code === undefined
    ? found.message ?? "unknown cause"
    : found.code.startsWith("UND_ERR_") && found.message
    ? `${found.code}: ${found.message}`
    : found.code
  return redactor.cut(text, maxCauseBytes)
}

/**
 * What happened to an `HttpClient` call that got no usable answer, as a `NetworkError` `Transport` says it: the
 * answer's status, if one came, and the phrase that follows where the call went — `unreachable (ECONNREFUSED)`,
 * `failed TLS verification (CERT_HAS_EXPIRED)`, `could not be called (UND_ERR_SOCKET: other side closed)`,
 * `not sent (InvalidUrl: …)`, `broke off its answer after HTTP 200 (…)`, or
 * `answered HTTP 200 with a body that could not be decoded (SyntaxError)`: a decoding error's message is never kept,
 * as it may quote the body.
 */
export const transportFailure = (
  error: HttpClientError.HttpClientError,
  redactor: Redactor
): { readonly detail: string; readonly status?: number } => {
  const found = findCause(error.cause)
  const cause = describeCause(error.cause, redactor)
  if (error._tag === "ResponseError") {
    const status = error.response.status
    const detail = found.code === undefined
      ? `answered HTTP ${status} with a body that could not be decoded (${redactor.cut(found.name ?? "unknown", 64)})`
      : `broke off its answer after HTTP ${status} (${cause})`
    return { status, detail }
  }
  if (error.reason !== "Transport") return { detail: `not sent (${error.reason}: ${cause})` }
  const code = found.code ?? ""
  if (unreachableCodes.has(code)) return { detail: `unreachable (${cause})` }
  return { detail: tlsCode.test(code) ? `failed TLS verification (${cause})` : `could not be called (${cause})` }
}
