/**
 * One token request: what a caller asks for (`TokenRequest`), resolved against the configured options, checked, put
 * in canonical form (the cache key, the same for equal requests in any order), and encoded as the form of a
 * client-credentials token request (RFC 6749 §4.4.2).
 */
import { type Checked, invalid, valid } from "./checked.js"
import { controlCharacter } from "./text.js"

/**
 * A request for a token other than the configured one, passed to `TokenService.getFor`.
 *
 * Each field works against the service's configured options:
 * - `undefined` (or absent) inherits the configured value;
 * - `null` clears it;
 * - `scopes: []` asks for no scope at all;
 * - `extraParams` merge key by key with the configured ones (a `null` value removes a configured key).
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenRequest {
  /** The scopes to ask for (RFC 6749 §3.3); sent space-separated, left out when empty. */
  readonly scopes?: ReadonlyArray<string> | null | undefined
  /** The `audience` parameter many providers (Auth0, Okta, …) use to select the API. */
  readonly audience?: string | null | undefined
  /** RFC 8707 resource indicators: absolute URIs without a fragment, one `resource` parameter each. */
  readonly resource?: string | ReadonlyArray<string> | null | undefined
  /** Further form parameters; the names the protocol reserves are refused. */
  readonly extraParams?: Readonly<Record<string, string | null>> | null | undefined
}

/**
 * The form parameter names the library sends itself; `extraParams` may not use them.
 *
 * @since 0.1.0
 * @category models
 */
export const reservedParams: ReadonlySet<string> = new Set([
  "grant_type",
  "client_id",
  "client_secret",
  "client_assertion",
  "client_assertion_type",
  "scope",
  "audience",
  "resource"
])

/**
 * A token request with every field resolved against the configured options, in canonical order.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedRequest {
  /** Sorted and unique. */
  readonly scopes: ReadonlyArray<string>
  readonly audience: string | undefined
  /** Sorted and unique. */
  readonly resources: ReadonlyArray<string>
  /** Sorted by name. */
  readonly extraParams: ReadonlyArray<readonly [string, string]>
}

/**
 * The request with nothing in it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: ResolvedRequest = { scopes: [], audience: undefined, resources: [], extraParams: [] }

/** Any object but an array. */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const sortedUnique = (values: Iterable<string>): ReadonlyArray<string> => Array.from(new Set(values)).sort()

const toArray = (value: string | ReadonlyArray<string>): ReadonlyArray<string> =>
  typeof value === "string" ? [value] : value

const isStrings = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((item) => typeof item === "string")

/**
 * What is wrong with the types of a request's fields, as a JavaScript caller or a `Config` may give them, in words
 * that name the field and never its value; `undefined` when each is absent or of its type. `null` (which clears a
 * field of a `TokenRequest`) is allowed only when `nullable`.
 */
const checkTypes = (request: TokenRequest, nullable: boolean): string | undefined => {
  // any object but an array: a `Data.struct` or a class instance is as good as a literal
  if (!isRecord(request)) return "the request must be an object"
  const absent = (value: unknown) => value === undefined || (nullable && value === null)
  if (!absent(request.scopes) && !isStrings(request.scopes)) return "scopes must be an array of strings"
  if (!absent(request.audience) && typeof request.audience !== "string") return "audience must be a string"
  if (!absent(request.resource) && typeof request.resource !== "string" && !isStrings(request.resource)) {
    return "resource must be a string or an array of strings"
  }
  if (!absent(request.extraParams)) {
    if (!isRecord(request.extraParams)) return "extraParams must be an object of strings"
    for (const value of Object.values(request.extraParams)) {
      if (typeof value !== "string" && !(nullable && value === null)) return "extraParams must be an object of strings"
    }
  }
  return undefined
}

/**
 * Applies a `TokenRequest` whose types are checked (`checkTypes`) on top of `base`: undefined inherits, null
 * clears, extra params merge by key.
 */
const resolve = (base: ResolvedRequest, request: TokenRequest): ResolvedRequest => {
  const extraParams = new Map(base.extraParams)
  if (request.extraParams === null) {
    extraParams.clear()
  } else if (request.extraParams !== undefined) {
    for (const [name, value] of Object.entries(request.extraParams)) {
      if (value === null) extraParams.delete(name)
      else extraParams.set(name, value)
    }
  }
  return {
    scopes: request.scopes === undefined ? base.scopes : sortedUnique(request.scopes ?? []),
    audience: request.audience === undefined ? base.audience : request.audience ?? undefined,
    resources: request.resource === undefined
      ? base.resources
      : sortedUnique(request.resource === null ? [] : toArray(request.resource)),
    extraParams: Array.from(extraParams).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/

// RFC 3986 §2: unreserved and reserved characters, and percent-encodings; no space, quote, control or non-ASCII
const uriCharacters = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/

/**
 * What is wrong with a request, in words that never repeat a value (a value may be a mistyped secret),
 * or `undefined` when it may be sent.
 */
const validate = (request: ResolvedRequest): string | undefined => {
  for (const [index, scope] of request.scopes.entries()) {
    if (!scopeToken.test(scope)) {
      return `scope #${
        index + 1
      } is not an RFC 6749 scope token (empty, or a space, quote, backslash or control character)`
    }
  }
  if (request.audience !== undefined && (request.audience === "" || controlCharacter.test(request.audience))) {
    return "audience is empty or contains a control character"
  }
  for (const [index, resource] of request.resources.entries()) {
    if (controlCharacter.test(resource)) return `resource #${index + 1} contains a control character`
    if (!uriCharacters.test(resource)) {
      return `resource #${index + 1} has a character a URI cannot hold (a space, quote, non-ASCII character or stray %)`
    }
    if (!URL.canParse(resource)) return `resource #${index + 1} is not an absolute URI (RFC 8707)`
    if (resource.includes("#")) return `resource #${index + 1} has a fragment (RFC 8707 forbids it)`
  }
  for (const [name, value] of request.extraParams) {
    if (name === "" || controlCharacter.test(name)) return "an extra parameter name is empty or has a control character"
    if (reservedParams.has(name)) return `extra parameter "${name}" is reserved; use the option that sets it`
    if (controlCharacter.test(value)) return `extra parameter "${name}" contains a control character`
  }
  return undefined
}

/**
 * Identifies who asks, so that keys of different clients never collide (e.g. in a shared store).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientIdentity {
  /** The token endpoint or the issuer, as configured. */
  readonly endpoint: string
  readonly clientId: string
  readonly authMethod: string
  /** What identifies the key without revealing it (a thumbprint), or `""`. */
  readonly keyIdentity: string
  /** The JWK thumbprint (RFC 7638) of the DPoP key tokens are bound to, if any. */
  readonly dpopThumbprint?: string | undefined
}

/**
 * The client a service asks as: its configured endpoint (`TokenUrl` or `Issuer`, and its URL), its id, and its
 * authentication's method and key identity.
 *
 * @since 0.1.0
 * @category constructors
 */
export const identityOf = (
  endpoint: { readonly _tag: string; readonly url: URL },
  clientId: string,
  authentication: { readonly method: string; readonly keyIdentity: string },
  dpopThumbprint?: string | undefined
): ClientIdentity => ({
  endpoint: `${endpoint._tag}:${endpoint.url.href}`,
  clientId,
  authMethod: authentication.method,
  keyIdentity: authentication.keyIdentity,
  ...(dpopThumbprint === undefined ? {} : { dpopThumbprint })
})

/**
 * The canonical form of `request` for `client`: an unambiguous string of everything that makes two requests different.
 * With a DPoP key, its thumbprint is the last member (`["dpop", thumbprint]`): tokens bound to different keys are
 * different tokens.
 *
 * @since 0.1.0
 * @category constructors
 */
export const canonicalOf = (client: ClientIdentity, request: ResolvedRequest): string =>
  JSON.stringify([
    client.endpoint,
    client.clientId,
    client.authMethod,
    client.keyIdentity,
    request.scopes,
    request.audience ?? null,
    request.resources,
    request.extraParams,
    ...(client.dpopThumbprint === undefined ? [] : [["dpop", client.dpopThumbprint]])
  ])

/**
 * `request` on top of `base`, checked: the types of its fields, then their values, in words that never repeat a
 * value. `null` clears a field only when `nullable` (a `TokenRequest`, not the options).
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveChecked = (
  base: ResolvedRequest,
  request: TokenRequest,
  options: { readonly nullable: boolean }
): Checked<ResolvedRequest> => {
  const wrongType = checkTypes(request, options.nullable)
  if (wrongType !== undefined) return invalid(wrongType)
  const resolved = resolve(base, request)
  // the caller's lists are checked as given, so that a problem numbers an entry by its place in them
  const problem = validate({
    ...resolved,
    scopes: request.scopes ?? resolved.scopes,
    resources: request.resource == null ? resolved.resources : toArray(request.resource)
  })
  return problem === undefined ? valid(resolved) : invalid(problem)
}

/**
 * The form parameters of a client-credentials token request (RFC 6749 §4.4.2), then the client authentication's.
 *
 * @since 0.1.0
 * @category constructors
 */
export const formParams = (
  request: ResolvedRequest,
  authenticationParams: ReadonlyArray<readonly [string, string]>
): Array<readonly [string, string]> => {
  const params: Array<readonly [string, string]> = [["grant_type", "client_credentials"]]
  if (request.scopes.length > 0) params.push(["scope", request.scopes.join(" ")])
  if (request.audience !== undefined) params.push(["audience", request.audience])
  for (const resource of request.resources) params.push(["resource", resource])
  params.push(...request.extraParams, ...authenticationParams)
  return params
}
