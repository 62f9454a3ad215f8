/**
 * An issuer's authorization server metadata, found and checked as `TokenService` does with its `issuer` option: to
 * see which token endpoint an issuer names and which client authentication methods it offers.
 *
 * @since 0.1.0
 */
import type * as MetadataRules from "@effect-oauth2/core/metadata"
import * as Methods from "@effect-oauth2/core/methods"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as discovery from "./internal/discovery.js"
import * as EffectLine from "./internal/effectLine.js"
import * as options_ from "./internal/options.js"
import type * as NetworkError from "./NetworkError.js"
import type * as TokenError from "./TokenError.js"

/**
 * What an issuer's metadata says: its `issuer` as published, its `tokenEndpoint`, the client authentication methods
 * it offers (`authMethodsSupported`, `["client_secret_basic"]` when it lists none, RFC 8414 §2) and the signing
 * algorithms it lists for them.
 *
 * @since 0.1.0
 * @category models
 */
export type Metadata = MetadataRules.Metadata

/**
 * The client authentication methods there are, as `authMethod` takes them (RFC 6749 §2.3.1, RFC 7523 §2.2, OpenID
 * Connect Core §9, RFC 8705 §2).
 *
 * @since 0.1.0
 * @category models
 */
export const authMethods: ReadonlyArray<Methods.AuthMethod> = Methods.authMethods

/**
 * The issuer and what its metadata must fit, as `TokenService`'s options of the same names say:
 * - `issuer`: `https`, or `http` on a loopback address, unless `allowInsecureHttp`;
 * - `authMethod`: the method the client would use, which the metadata must offer; without it, no method is checked
 *   (`TokenService`, whose default is `client_secret_basic`, checks that one);
 * - `requireSameOriginTokenEndpoint`: refuse a token endpoint on another origin than the issuer's.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly issuer: string | URL
  readonly authMethod?: Methods.AuthMethod | undefined
  readonly allowInsecureHttp?: boolean | undefined
  readonly requireSameOriginTokenEndpoint?: boolean | undefined
}

/**
 * Reads the issuer's metadata once, with `TokenService`'s URLs, checks, retries and timeouts: RFC 8414's document,
 * then OpenID Connect's when that one is not found. Fails with `TokenError` `Discovery` when the metadata is missing
 * or wrong, `UnsupportedAuthMethod` when it does not offer `authMethod` (its `detail` names those it offers), and
 * `NetworkError` when no answer came. Dies with an `IllegalArgumentError` when the options are invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const discover = (
  options: Options
): Effect.Effect<Metadata, TokenError.TokenError | NetworkError.NetworkError, EffectLine.HttpClient.HttpClient> =>
  Effect.suspend(() => {
    // the service's own checks and defaults; the credentials only complete the options, and go nowhere
    const resolved = options_.resolveChecked({
      issuer: options.issuer,
      clientId: "discovery",
      clientSecret: Redacted.make("unused"),
      allowInsecureHttp: options.allowInsecureHttp,
      requireSameOriginTokenEndpoint: options.requireSameOriginTokenEndpoint
    })
    if (resolved._tag === "Invalid") {
      return Effect.die(new EffectLine.IllegalArgumentError(`Discovery: ${resolved.problem}`))
    }
    const { allowInsecureHttp, endpoint, requestTimeout, requireSameOriginTokenEndpoint, retry } = resolved.value
    return Effect.flatMap(EffectLine.service(EffectLine.HttpClient.HttpClient), (client) =>
      discovery.make(client, {
        issuer: endpoint.url,
        authMethod: options.authMethod,
        allowInsecureHttp,
        requireSameOriginTokenEndpoint,
        retry,
        requestTimeout
      }).pipe(Effect.flatMap((found) => found.metadata), Effect.scoped))
  })
