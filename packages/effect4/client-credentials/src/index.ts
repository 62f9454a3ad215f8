/**
 * An access token as issued by the token endpoint.
 *
 * @since 0.1.0
 */
export * as AccessToken from "./AccessToken.js"

/**
 * A protected API refused a request made with a token.
 *
 * @since 0.1.0
 */
export * as ApiError from "./ApiError.js"

/**
 * An `HttpClient` that sends every request with an access token, and recovers once from a rejected token.
 *
 * @since 0.1.0
 */
export * as AuthorizedClient from "./AuthorizedClient.js"

/**
 * An issuer's authorization server metadata, found and checked as `TokenService` does with its `issuer` option.
 *
 * @since 0.1.0
 */
export * as Discovery from "./Discovery.js"

/**
 * No answer that could be used, from the token endpoint or from an API called through `AuthorizedClient`.
 *
 * @since 0.1.0
 */
export * as NetworkError from "./NetworkError.js"

/**
 * The authorization server said no, or answered something that is not a usable token.
 *
 * @since 0.1.0
 */
export * as TokenError from "./TokenError.js"

/**
 * Which token to ask for.
 *
 * @since 0.1.0
 */
export * as TokenRequest from "./TokenRequest.js"

/**
 * The service that gets and keeps access tokens.
 *
 * @since 0.1.0
 */
export * as TokenService from "./TokenService.js"

/**
 * A store of tokens shared by the replicas of a service, behind each process's own cache.
 *
 * @since 0.1.0
 */
export * as TokenStore from "./TokenStore.js"
