/**
 * The rules every URL the library sends a request to follows, and the three places they are checked: the `tokenUrl`
 * and `issuer` options, the `token_endpoint` an issuer's metadata names, and the origins an `AuthorizedClient` may
 * send a token to.
 *
 * The rules: an absolute `http:` or `https:` URL, with neither credentials (`user:pass@`) nor a fragment; https, or
 * http on a loopback host (a server on the same machine, where nothing crosses a network), unless the user allows
 * insecure http. An error names a URL by its origin at most (`origin`): a path or query may hold a credential.
 */
import { type Checked, invalid, valid } from "./checked.js"

/**
 * Whether `hostname`, as the URL parser writes it, names this machine: `localhost`, `[::1]` or `127.x.x.x`. The parser
 * normalises IPv4 forms (`127.1`, `0x7f.1`) to dotted decimal, so a name that only starts like one
 * (`127.evil.example`, `localhost.evil.example`) is not loopback.
 *
 * @since 0.1.0
 * @category guards
 */
export const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname)

/**
 * Whether `url` may be called without `allowInsecureHttp`: https, or http on a loopback host.
 *
 * @since 0.1.0
 * @category guards
 */
export const isSecureOrLoopback = (url: URL): boolean =>
  url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))

/**
 * Where a call goes, as errors may say it: `scheme://host[:port]` of `url`, as the URL parser normalises it; never
 * credentials, a path, a query or a fragment.
 *
 * @since 0.1.0
 * @category constructors
 */
export const origin = (url: URL): string => `${url.protocol}//${url.host}`

/**
 * What keeps a text from being an http(s) URL a request may go to, the first found in this order: it is not an
 * absolute URL, its scheme is not http(s), it carries credentials, it has a fragment.
 *
 * @since 0.1.0
 * @category models
 */
export type UrlProblem = "NotUrl" | "NotHttp" | "Credentials" | "Fragment"

/**
 * `text` parsed as an absolute http(s) URL with neither credentials nor a fragment, or the first `UrlProblem`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseHttpUrl = (text: string | URL): URL | UrlProblem => {
  if (!URL.canParse(text)) return "NotUrl"
  const url = new URL(text)
  if (url.protocol !== "https:" && url.protocol !== "http:") return "NotHttp"
  if (url.username !== "" || url.password !== "") return "Credentials"
  if (url.hash !== "") return "Fragment"
  return url
}

/**
 * The `tokenUrl` or `issuer` option as a URL: an http(s) URL with neither credentials nor a fragment (nor, for an
 * issuer, a query: RFC 8414 §2), https or http on a loopback host unless `allowInsecureHttp`. A problem names the
 * option, and the URL's origin at most.
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkEndpointOption = (
  name: "tokenUrl" | "issuer",
  value: unknown,
  allowInsecureHttp: boolean
): Checked<URL> => {
  if (typeof value !== "string" && !(value instanceof URL)) return invalid(`${name} must be a string or a URL`)
  const url = parseHttpUrl(value)
  switch (url) {
    case "NotUrl":
      return invalid(`${name} is not a URL`)
    case "NotHttp":
      return invalid(`${name} must be http(s)`)
    case "Credentials":
      return invalid(`${name} must not carry credentials`)
    case "Fragment":
      return invalid(`${name} must not have a fragment (RFC 6749 §3.2, RFC 8414 §2)`)
  }
  if (name === "issuer" && url.search !== "") return invalid("issuer must not have a query (RFC 8414 §2)")
  if (!isSecureOrLoopback(url) && !allowInsecureHttp) {
    return invalid(`${name} must use https (RFC 6749 §3.2), not ${origin(url)}; set allowInsecureHttp to allow http`)
  }
  return valid(url)
}

/**
 * What the `token_endpoint` of an issuer's metadata is held to, besides the URL rules.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenEndpointRules {
  /** The configured issuer: an https issuer's token endpoint may not be plain http, even on a loopback host. */
  readonly issuer: URL
  /** Allows plain http anywhere. */
  readonly allowInsecureHttp: boolean
  /** Refuses a token endpoint on another origin than the issuer's. */
  readonly requireSameOriginTokenEndpoint?: boolean | undefined
}

/**
 * The `token_endpoint` an issuer's metadata names, checked against the URL rules and `rules`. A problem begins with
 * `token_endpoint` and names its origin at most, passed through `quote` (a server's text, to be redacted and cut).
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkTokenEndpoint = (
  value: unknown,
  rules: TokenEndpointRules,
  quote: (text: string) => string = (text) => text
): Checked<URL> => {
  if (typeof value !== "string" || value === "") return invalid("token_endpoint is missing or not a string")
  const url = parseHttpUrl(value)
  switch (url) {
    case "NotUrl":
      return invalid("token_endpoint is not an absolute URL")
    case "NotHttp":
      return invalid("token_endpoint is not an http(s) URL")
    case "Credentials":
      return invalid("token_endpoint carries credentials")
    case "Fragment":
      return invalid("token_endpoint has a fragment (RFC 6749 §3.2)")
  }
  if (!rules.allowInsecureHttp && !isSecureOrLoopback(url)) {
    return invalid(
      `token_endpoint ${quote(origin(url))} does not use https (nor http on a loopback host); ` +
        "set allowInsecureHttp to allow http"
    )
  }
  // plain http on this machine is for an issuer on this machine: an https issuer elsewhere must not send
  // credentials in clear to whatever listens here
  if (!rules.allowInsecureHttp && url.protocol === "http:" && rules.issuer.protocol === "https:") {
    return invalid(
      `token_endpoint ${quote(origin(url))} is plain http while the issuer uses https; ` +
        "set allowInsecureHttp to allow it"
    )
  }
  if (rules.requireSameOriginTokenEndpoint === true && origin(url) !== origin(rules.issuer)) {
    return invalid(
      `token_endpoint is at ${quote(origin(url))}, not at the issuer's origin, ` +
        "and requireSameOriginTokenEndpoint is set"
    )
  }
  return valid(url)
}

/**
 * The `allowedOrigins` option as a set of origins (`origin`'s form), `undefined` when it is absent (any origin). Each
 * entry is an http(s) origin with nothing after it (a `/` at most). A problem names the entry by its position, never
 * its text.
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkAllowedOrigins = (list: unknown): Checked<ReadonlySet<string> | undefined> => {
  if (list === undefined) return valid(undefined)
  if (!Array.isArray(list)) return invalid("allowedOrigins must be an array of origins")
  if (list.length === 0) {
    return invalid("allowedOrigins is empty, so no request could be sent; leave it out to allow any origin")
  }
  const origins = new Set<string>()
  for (const [index, entry] of list.entries()) {
    const url = typeof entry === "string" ? parseHttpUrl(entry) : "NotUrl"
    // the text, not the parsed URL: `https://h?` and `https://h#` parse to an empty query and fragment
    if (typeof url === "string" || url.pathname !== "/" || /[?#]/.test(entry)) {
      return invalid(`allowedOrigins #${index + 1} is not an http(s) origin (scheme://host[:port], nothing after)`)
    }
    origins.add(origin(url))
  }
  return valid(origins)
}
