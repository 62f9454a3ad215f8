/**
 * What `TokenService` offers, and the options of `TokenService` that read the same on each line: the endpoint, the
 * credentials, what a token asks for, all of them together. `TokenService.ts` of each line exports them, with the
 * options whose docs name its own types (`PolicyOptions`, `StoreOptions`) and the service's key and layers.
 */
import type * as CredentialRules from "@effect-oauth2/core/credentials"
import type * as methods from "@effect-oauth2/core/methods"
import type * as CoreOptions from "@effect-oauth2/core/options"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as AccessToken from "../AccessToken.js"
import type * as NetworkError from "../NetworkError.js"
import type * as TokenError from "../TokenError.js"
import type * as TokenRequest from "../TokenRequest.js"
import type * as TokenStore from "../TokenStore.js"
import type * as EffectLine from "./effectLine.js"

/**
 * What `TokenService` offers: the configured token, other tokens, and dropping a refused one.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The token for the configured request: from memory while it is valid, fetched once when it is not. */
  readonly get: Effect.Effect<AccessToken.AccessToken, TokenError.TokenError | NetworkError.NetworkError>
  /**
   * A token for another request (other scopes, audience, resources or extra parameters), cached separately.
   * Fails with `TokenError` `InvalidRequest`, sending nothing, when the request is malformed.
   */
  readonly getFor: (
    request: TokenRequest.TokenRequest
  ) => Effect.Effect<AccessToken.AccessToken, TokenError.TokenError | NetworkError.NetworkError>
  /**
   * Drops the cached entry that holds this token, if one still does, so the next call fetches a new one. Call it
   * when a resource server rejects the token. Tokens this service did not issue are ignored, and so is a token that
   * was itself fetched to replace a rejected one, until `terminalErrorCooldown` after that rejection: an API that
   * rejects every token costs at most one token request per cool-down.
   */
  readonly invalidate: (token: AccessToken.AccessToken) => Effect.Effect<void>
}

/**
 * Where the token endpoint is: `tokenUrl`, or an `issuer` whose metadata names it.
 *
 * @since 0.1.0
 * @category models
 */
export type EndpointOptions = TokenUrlOptions | IssuerOptions

/**
 * The token endpoint, given as is (`TokenUrlOptions` of `@effect-oauth2/core/options`, where each option is
 * described).
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenUrlOptions extends CoreOptions.TokenUrlOptions {}

/**
 * The token endpoint, discovered from the issuer's metadata (RFC 8414, then OpenID Connect Discovery) at the first
 * call, and read again when it is old or the token endpoint it names fails (`IssuerOptions` of
 * `@effect-oauth2/core/options` says how).
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuerOptions extends CoreOptions.IssuerOptions {}

/**
 * Client authentication with a shared secret sent to the server (RFC 6749 §2.3.1).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretCredentials extends CoreOptions.ClientSecretCredentials<Redacted.Redacted<string>> {}

/**
 * Where a signed client assertion is addressed (`aud`): the token endpoint's URL (the default, what Entra ID,
 * Okta and Keycloak expect) or the issuer identifier (needs `issuer`).
 *
 * @since 0.1.0
 * @category models
 */
export type AssertionAudience = CredentialRules.AssertionAudience

/**
 * `client_secret_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): a JWT signed with HS256 over the client secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretJwtCredentials extends CoreOptions.ClientSecretJwtCredentials<Redacted.Redacted<string>> {}

/**
 * The algorithms `private_key_jwt` signs with.
 *
 * @since 0.1.0
 * @category models
 */
export type SigningAlgorithm = methods.SigningAlgorithm

/**
 * `private_key_jwt` (RFC 7523 §2.2): a JWT signed with the client's private key.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrivateKeyJwtCredentials extends CoreOptions.PrivateKeyJwtCredentials<Redacted.Redacted<string>> {}

/**
 * `private_key_jwt` with an assertion made elsewhere (workload identity), from an effect run again for every token
 * request.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientAssertionCredentials
  extends CoreOptions.ClientAssertionCredentials<Effect.Effect<Redacted.Redacted<string>, unknown>>
{}

/**
 * The client certificate of mutual TLS: `cert` and `ca` as PEM texts, `key` a `Redacted` PEM text
 * (`TlsClientCertificateOptions` of `@effect-oauth2/core/options`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsClientCertificate extends CoreOptions.TlsClientCertificateOptions<Redacted.Redacted<string>> {}

/**
 * Mutual TLS (RFC 8705 §2), `tls_client_auth` or `self_signed_tls_client_auth`: the certificate is presented in the
 * TLS handshake by the `HttpClient` of `MtlsHttpClient.layer` (`@effect-oauth2/client-credentials/node`), the token
 * request carries `client_id` only (`TlsClientCredentials` of `@effect-oauth2/core/options` says the rest).
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsClientCredentials extends CoreOptions.TlsClientCredentials<Redacted.Redacted<string>> {}

/**
 * How the client authenticates, discriminated by `authMethod`.
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials =
  | ClientSecretCredentials
  | ClientSecretJwtCredentials
  | PrivateKeyJwtCredentials
  | ClientAssertionCredentials
  | TlsClientCredentials

/**
 * What the configured token asks for; `getFor` can ask for others.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions extends CoreOptions.RequestOptions {}

/**
 * Everything `TokenService` needs: `EndpointOptions & Credentials & RequestOptions & PolicyOptions`, the
 * `TokenServiceOptions` of `@effect-oauth2/core/options` with this line's secrets, assertions, durations and retry
 * schedules.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = CoreOptions.TokenServiceOptions<
  Redacted.Redacted<string>,
  Effect.Effect<Redacted.Redacted<string>, unknown>,
  EffectLine.DurationInput,
  Schedule.Schedule<unknown, NetworkError.NetworkError>
>

/**
 * The layers of a named token service (`TagClass`) that read the same on each line, providing `Self`; `StoreOptions`
 * are the line's.
 *
 * @since 0.1.0
 * @category models
 */
export interface TagLayers<Self, StoreOptions> {
  /** Like `TokenService.layer`. */
  readonly layer: (options: Options) => Layer.Layer<Self, never, EffectLine.HttpClient.HttpClient>
  /** Like `TokenService.layerWithStore`. */
  readonly layerWithStore: (
    options: Options & StoreOptions
  ) => Layer.Layer<Self, never, EffectLine.HttpClient.HttpClient | TokenStore.TokenStore>
  /** Like `TokenService.layerPrefetched`. */
  readonly layerPrefetched: (
    options: Options
  ) => Layer.Layer<Self, TokenError.TokenError | NetworkError.NetworkError, EffectLine.HttpClient.HttpClient>
}
