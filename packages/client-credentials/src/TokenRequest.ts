/**
 * Which token to ask for: the scopes, audience, resources and extra parameters of one token request.
 *
 * @since 0.1.0
 */

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
