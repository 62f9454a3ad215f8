/**
 * An issuer's metadata (RFC 8414, or OpenID Connect Discovery): where it is published, what its document must hold,
 * and how long it may be kept. The requests that read it, and when, are each Effect line's.
 *
 * Where: for issuer `https://h/tenant`, first `https://h/.well-known/oauth-authorization-server/tenant` (RFC 8414
 * §3.1: the well-known segment between host and path), then `https://h/tenant/.well-known/openid-configuration`
 * (OpenID Connect Discovery §4). A `/` that ends the issuer's path is dropped first.
 *
 * What is checked: the document is a JSON object; its `issuer` is the configured one (below); its `token_endpoint`
 * follows the URL rules (`urls.checkTokenEndpoint`); its two lists are lists of strings — else a `Discovery` problem;
 * the configured method is among `token_endpoint_auth_methods_supported`, or is `client_secret_basic` when that is
 * absent (RFC 8414 §2) — else `UnsupportedAuthMethod`. With a mutual-TLS method, the token endpoint is
 * `mtls_endpoint_aliases.token_endpoint` when the document names one (RFC 8705 §5), held to the same rules.
 *
 * The issuer: RFC 8414 §3.3 asks for the metadata's `issuer` to be identical to the issuer the well-known URL was
 * made from. The configured issuer is compared as the URL parser writes it (lower-case scheme and host, no default
 * port), and a single `/` at the end of either side is not significant: `https://h` and `https://h/` make the same
 * well-known URL, so the server can publish only one of them, and a `URL` object always writes the first as the
 * second. Anything else must be identical, byte for byte (case of the path, percent-encoding, a `/` more).
 *
 * Every problem names the issuer's origin at most, never a path or query (they may hold a credential); a text from
 * the server goes through the redactor and is cut to 1 KiB.
 */
import { type Checked, invalid, valid } from "./checked.js"
import { defaultSupportedAuthMethods, isTlsAuthMethod } from "./methods.js"
import * as Redactor from "./redactor.js"
import { escapeControlCharacters } from "./text.js"
import { classify } from "./tokenResponse.js"
import { checkTokenEndpoint, origin } from "./urls.js"

/**
 * What discovery found: what the token request needs to know about the authorization server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Metadata {
  /** The `issuer` as the server published it (equal to the configured one, up to a final `/`). */
  readonly issuer: string
  readonly tokenEndpoint: URL
  /** `token_endpoint_auth_methods_supported`; RFC 8414 §2's default `["client_secret_basic"]` when absent. */
  readonly authMethodsSupported: ReadonlyArray<string>
  /** `token_endpoint_auth_signing_alg_values_supported`, when given. */
  readonly signingAlgorithmsSupported: ReadonlyArray<string> | undefined
}

/**
 * What the metadata is held to: the configuration it must fit.
 *
 * @since 0.1.0
 * @category models
 */
export interface Expected {
  /** Already checked by the caller: http(s) under the https rule, no credentials, query or fragment. */
  readonly issuer: URL
  /**
   * The configured client authentication method: it must be among `authMethodsSupported`. `undefined` checks no
   * method (to read what an issuer offers).
   */
  readonly authMethod: string | undefined
  /** The https rule for the discovered token endpoint: https, or http on a loopback host, unless this is `true`. */
  readonly allowInsecureHttp: boolean
  /** Refuse a token endpoint on another origin than the issuer's; default `false`. */
  readonly requireSameOriginTokenEndpoint?: boolean | undefined
}

/**
 * What a metadata document is called in problems.
 *
 * @since 0.1.0
 * @category models
 */
export type Document = "authorization server metadata" | "OpenID configuration"

/**
 * One place metadata may be found.
 *
 * @since 0.1.0
 * @category models
 */
export interface Location {
  readonly url: string
  /** What the document is called in errors. */
  readonly document: Document
}

const withoutFinalSlash = (text: string): string => text.endsWith("/") ? text.slice(0, -1) : text

/**
 * The URLs tried, in order: RFC 8414's (the well-known segment between host and path), then OpenID Connect's
 * (appended to the path). A final `/` of the issuer's path is dropped first; a query or fragment is not used.
 *
 * @since 0.1.0
 * @category constructors
 */
export const locations = (issuer: URL): readonly [Location, Location] => {
  const at = origin(issuer)
  const path = withoutFinalSlash(issuer.pathname)
  return [
    { url: `${at}/.well-known/oauth-authorization-server${path}`, document: "authorization server metadata" },
    { url: `${at}${path}/.well-known/openid-configuration`, document: "OpenID configuration" }
  ]
}

/**
 * The largest metadata document read, in bytes, as for a token response.
 *
 * @since 0.1.0
 * @category models
 */
export const maxDocumentBytes = 1024 * 1024

/**
 * What the answer to a metadata request means, by its status: a `Document` to read (2xx); `NotFound` (404: try the
 * next location); `Retryable` (408, 429, 5xx: as for a token request); else `Refused`, with the problem. A redirect is
 * refused: discovery follows none, as its document names where credentials go.
 *
 * @since 0.1.0
 * @category models
 */
export type Answer =
  | { readonly _tag: "Document" }
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "Retryable" }
  | { readonly _tag: "Refused"; readonly problem: string }

/**
 * What the answer with `status` to a request for `document` means.
 *
 * @since 0.1.0
 * @category constructors
 */
export const answerOf = (status: number, document: Document): Answer => {
  if (status >= 300 && status < 400) {
    return {
      _tag: "Refused",
      problem: `the ${document} answered HTTP ${status}, a redirect; discovery does not follow redirects`
    }
  }
  if (status === 404) return { _tag: "NotFound" }
  if (status >= 200 && status < 300) return { _tag: "Document" }
  if (classify(status) === "Retryable") return { _tag: "Retryable" }
  return { _tag: "Refused", problem: `the ${document} answered HTTP ${status}` }
}

/**
 * What is wrong with an answer for `document` besides its status: an HTTP client that followed a redirect itself, a
 * body over `maxDocumentBytes`, a body that is not JSON.
 *
 * @since 0.1.0
 * @category constructors
 */
export const answerProblem = (document: Document, what: "FollowedRedirect" | "TooLarge" | "NotJson"): string => {
  switch (what) {
    case "FollowedRedirect":
      return `the HttpClient followed a redirect of the ${document} request; discovery does not follow redirects`
    case "TooLarge":
      return `the ${document} is larger than 1 MiB`
    case "NotJson":
      return `the ${document} is not JSON`
  }
}

/**
 * What a discovery that found no document at either location says: both answered 404.
 *
 * @since 0.1.0
 * @category models
 */
export const noMetadataProblem =
  "the issuer publishes no metadata: its authorization server metadata and its OpenID configuration both answered " +
  "HTTP 404"

/**
 * The least time metadata is kept, in seconds, whatever its response says (`max-age=0`, `no-cache`, `no-store`).
 *
 * @since 0.1.0
 * @category models
 */
export const minAgeSeconds = 60

/**
 * The time metadata is kept, in seconds, when its response says nothing of it, and the most it is kept whatever it
 * says.
 *
 * @since 0.1.0
 * @category models
 */
export const maxAgeSeconds = 24 * 60 * 60

/**
 * How long a metadata response may be kept, in seconds: its `Cache-Control` `max-age`, held to [`minAgeSeconds`,
 * `maxAgeSeconds`]; `no-cache` or `no-store`, `minAgeSeconds`; none, `maxAgeSeconds`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const maxAgeSecondsOf = (cacheControl: string | undefined): number => {
  if (cacheControl === undefined) return maxAgeSeconds
  const directives = cacheControl.split(",").map((directive) => directive.trim().toLowerCase())
  if (directives.some((directive) => directive === "no-cache" || directive === "no-store")) return minAgeSeconds
  const seconds = directives.map((directive) => /^max-age\s*=\s*"?(\d+)"?$/.exec(directive)?.[1]).find(
    (seconds) => seconds !== undefined
  )
  if (seconds === undefined) return maxAgeSeconds
  return Math.min(Math.max(Number(seconds), minAgeSeconds), maxAgeSeconds)
}

/**
 * Whether the published `issuer` is the configured one: RFC 8414 §3.3, with a final `/` not significant on either
 * side (see the module's comment).
 *
 * @since 0.1.0
 * @category guards
 */
export const sameIssuer = (configured: URL, published: string): boolean =>
  withoutFinalSlash(configured.href) === withoutFinalSlash(published)

/**
 * How a published issuer differs from the configured one, as an error may say it: its origin at most (a path or
 * query may hold a credential), passed through `quote`, and what differs — the scheme, host or port; the path, or
 * only its case; a query or fragment; or, the URL being the same once parsed, its spelling: the case of the scheme or
 * host, a default port written out, or another encoding.
 *
 * @since 0.1.0
 * @category constructors
 */
export const issuerDifference = (
  configured: URL,
  published: string,
  quote: (text: string) => string = (text) => text
): string => {
  const rule = "it must be the configured issuer (RFC 8414 §3.3)"
  if (!URL.canParse(published)) return `not a URL: ${rule}`
  const url = new URL(published)
  if (url.protocol !== "https:" && url.protocol !== "http:") return `not an http(s) URL: ${rule}`
  const parts = [
    ["scheme", url.protocol !== configured.protocol],
    ["host", url.hostname !== configured.hostname],
    ["port", url.port !== configured.port]
  ] as const
  const differ = parts.filter(([, differs]) => differs).map(([part]) => part)
  if (differ.length > 0) {
    const which = differ.length === 1 ? `its ${differ[0]} differs` : `its ${differ.join(" and ")} differ`
    return `at ${quote(origin(url))}, where ${which}: ${rule}`
  }
  const path = withoutFinalSlash(url.pathname)
  const configuredPath = withoutFinalSlash(configured.pathname)
  if (path !== configuredPath) {
    const how = path.toLowerCase() === configuredPath.toLowerCase() ? "its path in another case" : "another path"
    return `at the same origin with ${how}: ${rule}`
  }
  if (url.search !== "" || url.hash !== "") return `at the same origin with a query or fragment: ${rule}`
  return `the same URL written with ${spellingDifference(published)}: ${rule}`
}

/** How `published`, the same URL as the configured issuer once parsed, is written differently. */
const spellingDifference = (published: string): string => {
  const authority = /^[^:]*:\/\/[^/?#]*/.exec(published)?.[0] ?? ""
  return authority !== authority.toLowerCase()
    ? "its scheme or host in another case"
    : /:(80|443)$/.test(authority)
    ? "the default port written out"
    : "another spelling (percent-encoding, or characters the URL parser rewrites)"
}

/**
 * RFC 8705 §5's `mtls_endpoint_aliases`: its `token_endpoint`, `undefined` when it names none (or is absent),
 * `"invalid"` when it is not an object.
 */
const mtlsTokenEndpoint = (aliases: unknown): unknown => {
  if (aliases === undefined || aliases === null) return undefined
  if (typeof aliases !== "object" || Array.isArray(aliases)) return "invalid"
  return (aliases as Readonly<Record<string, unknown>>).token_endpoint ?? undefined
}

/** A list of strings, `undefined` when absent (or `null`), `"invalid"` when anything else. */
const stringList = (value: unknown): ReadonlyArray<string> | undefined | "invalid" => {
  if (value === undefined || value === null) return undefined
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : "invalid"
}

/**
 * The configured authentication method is not among those the metadata lists: a problem of its own, as the
 * configuration, not the document, has to change.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnsupportedAuthMethod {
  readonly _tag: "UnsupportedAuthMethod"
  readonly problem: string
}

/**
 * A metadata document checked: the metadata; or what is wrong with the document (`Invalid`: a `Discovery` problem);
 * or the configured method it does not support.
 *
 * @since 0.1.0
 * @category models
 */
export type CheckedMetadata = Checked<Metadata> | UnsupportedAuthMethod

/** The most of a text from the server a problem keeps, in UTF-8 bytes, as for an `error_description`. */
const maxServerTextBytes = 1024

// texts from the server go the one redaction path, with no value to hide here: cut to a bound
const serverText = Redactor.make([])

/** A text from the server as a problem quotes it: control characters escaped (`escapeControlCharacters`), then cut. */
const quoteServer = (text: string): string => serverText.cut(escapeControlCharacters(text), maxServerTextBytes)

/**
 * The configured method among the methods the metadata lists (`listed`, `undefined` when it lists none: RFC 8414 §2's
 * default), or the problem that says which the server supports.
 */
const checkAuthMethod = (
  listed: ReadonlyArray<string> | undefined,
  expected: Expected,
  document: Document
): Checked<ReadonlyArray<string>> | UnsupportedAuthMethod => {
  const supported: ReadonlyArray<string> = listed ?? defaultSupportedAuthMethods
  if (expected.authMethod === undefined || supported.includes(expected.authMethod)) return valid(supported)
  const said = listed === undefined
    ? "lists no token_endpoint_auth_methods_supported, which means client_secret_basic only (RFC 8414 §2)"
    : `lists ${quoteServer(listed.length === 0 ? "none" : listed.join(", "))} in token_endpoint_auth_methods_supported`
  return {
    _tag: "UnsupportedAuthMethod",
    problem: `${expected.authMethod} is configured, but the ${document} ${said}`
  }
}

/**
 * The parsed body of a metadata document, checked against `expected`: the metadata, or what is wrong, in words that
 * begin with the document's name (`the OpenID configuration has no issuer`). See the module's comment.
 *
 * @since 0.1.0
 * @category constructors
 */
export const check = (body: unknown, expected: Expected, document: Document): CheckedMetadata => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return invalid(`the ${document} is not a JSON object`)
  }
  const fields = body as Readonly<Record<string, unknown>>
  const issuer = fields.issuer
  if (typeof issuer !== "string" || issuer === "") return invalid(`the ${document} has no issuer`)
  if (!sameIssuer(expected.issuer, issuer)) {
    return invalid(
      `the ${document} is for another issuer, ${issuerDifference(expected.issuer, issuer, quoteServer)}`
    )
  }
  const tokenEndpoint = checkTokenEndpoint(fields.token_endpoint, expected, quoteServer)
  if (tokenEndpoint._tag === "Invalid") return invalid(`the ${document}'s ${tokenEndpoint.problem}`)
  const alias = isTlsAuthMethod(expected.authMethod) ? mtlsTokenEndpoint(fields.mtls_endpoint_aliases) : undefined
  let endpoint = tokenEndpoint.value
  if (alias === "invalid") return invalid(`the ${document}'s mtls_endpoint_aliases is not a JSON object`)
  if (alias !== undefined) {
    const checked = checkTokenEndpoint(alias, expected, quoteServer)
    if (checked._tag === "Invalid") return invalid(`the ${document}'s mtls_endpoint_aliases.${checked.problem}`)
    endpoint = checked.value
  }
  const authMethods = stringList(fields.token_endpoint_auth_methods_supported)
  if (authMethods === "invalid") {
    return invalid(`the ${document}'s token_endpoint_auth_methods_supported is not a list of strings`)
  }
  const algorithms = stringList(fields.token_endpoint_auth_signing_alg_values_supported)
  if (algorithms === "invalid") {
    return invalid(`the ${document}'s token_endpoint_auth_signing_alg_values_supported is not a list of strings`)
  }
  const authMethodsSupported = checkAuthMethod(authMethods, expected, document)
  if (authMethodsSupported._tag !== "Valid") return authMethodsSupported
  return valid({
    issuer,
    tokenEndpoint: endpoint,
    authMethodsSupported: authMethodsSupported.value,
    signingAlgorithmsSupported: algorithms
  })
}
