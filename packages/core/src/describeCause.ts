/**
 * What went wrong in transport, in words for an error: the cause's code (or, for undici's own codes, its code and
 * message), never a credential, and never a body the server sent. Reads any error's `cause` chain; each line maps
 * its HTTP client's errors onto `sendFailure` and `answerFailure`.
 */
import type { Redactor } from "./redactor.js"

/**
 * The most of a cause's text an error keeps, in UTF-8 bytes.
 *
 * @since 0.1.0
 * @category models
 */
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

/** What the cause that has a `code` says; for a system error, where the failed connection or lookup went. */
interface FoundCause {
  readonly code?: string
  readonly message?: string
  readonly name?: string
  /** A failed connection's address and port (`connect ECONNREFUSED`), a failed lookup's host name (`ENOTFOUND`). */
  readonly address?: unknown
  readonly port?: unknown
  readonly hostname?: unknown
}

/** The first `code` down an error's `cause` chain, with the message of the error that has it; else the deepest. */
const findCause = (cause: unknown): FoundCause => {
  let current = cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const { address, code, hostname, port } = current as {
      readonly code?: unknown
      readonly address?: unknown
      readonly port?: unknown
      readonly hostname?: unknown
    }
    if (typeof code === "string") return { code, message: current.message, name: current.name, address, port, hostname }
    if (current.cause === undefined) return { message: current.message, name: current.name }
    current = current.cause
  }
  return {}
}

const defaultPorts: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 }

/** An IPv4 address, or an IPv6 one as a URL writes its host (in brackets). */
const ipLiteral = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i

/**
 * Where a connection that failed went, when it was not the host and port `url` names: a proxy (undici connects
 * elsewhere only through one). Known from a system error's `port` (another port than the URL's), its `address`
 * (another address than the URL's IP literal) or a lookup's `hostname` (another name than the URL's); `undefined`
 * when the error does not tell, or names the URL's own host.
 */
const intermediary = (found: FoundCause, url: URL): string | undefined => {
  const host = url.hostname.toLowerCase()
  const port = url.port === "" ? defaultPorts[url.protocol] : Number(url.port)
  const address = typeof found.address === "string" ? found.address.toLowerCase() : undefined
  const at = address === undefined ? undefined : address.includes(":") ? `[${address}]` : address
  // an IP address and a port: a TCP connection (a Unix socket's error names its path, and no port)
  if (at !== undefined && ipLiteral.test(at) && typeof found.port === "number") {
    if (found.port !== port || ipLiteral.test(host) && at !== host) return `${at}:${found.port}`
  }
  if (typeof found.hostname === "string" && found.hostname !== "" && found.hostname.toLowerCase() !== host) {
    return found.hostname
  }
  return undefined
}

/** Any object or function: what may carry a `code`, a `_tag` and a `cause`. */
const isObject = (value: unknown): value is object =>
  (typeof value === "object" && value !== null) || typeof value === "function"

const errorCode = /^[A-Z][A-Z0-9_]{0,63}$/
const errorName = /^[A-Za-z][A-Za-z0-9]{0,63}$/

/**
 * What a failure was, for a text that must quote nothing it read (e.g. a `clientAssertion`'s): the first code down
 * its `cause` chain (`ENOENT`), else its tag or name (`InvalidProjectedToken`); never a message.
 *
 * @since 0.1.0
 * @category constructors
 */
export const describeFailureName = (error: unknown): string => {
  let name: string | undefined
  let current = error
  for (let depth = 0; depth < 4 && isObject(current); depth++) {
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
 *
 * @since 0.1.0
 * @category constructors
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
 * A request to `url` that could not be sent or got no answer, as the phrase that follows where the call went:
 * `unreachable (ECONNREFUSED)`; `not reached: the proxy 10.0.0.5:3128 is unreachable (ECONNREFUSED)` when the failed
 * connection went elsewhere than the URL's host and port (see `intermediary`); `failed TLS verification
 * (CERT_HAS_EXPIRED)`; else `could not be called (UND_ERR_SOCKET: other side closed)`. For any client: an HTTP
 * client's transport error or the platform `fetch`'s own failure.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sendFailure = (cause: unknown, url: string, redactor: Redactor): { readonly detail: string } => {
  const found = findCause(cause)
  const described = describeCause(cause, redactor)
  const code = found.code ?? ""
  if (unreachableCodes.has(code)) {
    const parsed = URL.canParse(url) ? new URL(url) : undefined
    const proxy = parsed === undefined ? undefined : intermediary(found, parsed)
    return {
      detail: proxy === undefined
        ? `unreachable (${described})`
        : `not reached: the proxy ${redactor.cut(proxy, maxCauseBytes)} is unreachable (${described})`
    }
  }
  return {
    detail: tlsCode.test(code) ? `failed TLS verification (${described})` : `could not be called (${described})`
  }
}

/**
 * An answer with `status` whose body broke off (a cause with a code: `broke off its answer after HTTP 200 (…)`) or
 * could not be decoded (`answered HTTP 200 with a body that could not be decoded (SyntaxError)`: its name only, as a
 * decoding error's message may quote the body).
 *
 * @since 0.1.0
 * @category constructors
 */
export const answerFailure = (
  cause: unknown,
  status: number,
  redactor: Redactor
): { readonly detail: string; readonly status: number } => {
  const found = findCause(cause)
  const detail = found.code === undefined
    ? `answered HTTP ${status} with a body that could not be decoded (${redactor.cut(found.name ?? "unknown", 64)})`
    : `broke off its answer after HTTP ${status} (${describeCause(cause, redactor)})`
  return { status, detail }
}
