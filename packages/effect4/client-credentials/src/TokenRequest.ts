/**
 * Which token to ask for: the scopes, audience, resources and extra parameters of one token request.
 *
 * @since 0.1.0
 */
import * as core from "@effect-oauth2/core/tokenRequest"

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
export type TokenRequest = core.TokenRequest

/**
 * The form parameter names the library sends itself; `extraParams` may not use them.
 *
 * @since 0.1.0
 * @category models
 */
export const reservedParams: ReadonlySet<string> = core.reservedParams
