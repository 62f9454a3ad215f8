/**
 * An access token as issued by the token endpoint.
 *
 * @since 0.1.0
 */
export * as AccessToken from "./AccessToken.js"

/**
 * Which token to ask for.
 *
 * @since 0.1.0
 */
export * as TokenRequest from "./TokenRequest.js"

/**
 * A store of tokens shared by the replicas of a service, behind each process's own cache.
 *
 * @since 0.1.0
 */
export * as TokenStore from "./TokenStore.js"
