/**
 * An OAuth 2.0 access token as issued by the token endpoint.
 *
 * @since 0.1.0
 */
export * as AccessToken from "./AccessToken.js"
