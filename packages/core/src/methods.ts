/**
 * The client authentication methods and the algorithms `private_key_jwt` signs with: the one list of each.
 */

/**
 * The `authMethod`s there are (RFC 6749 §2.3.1, RFC 7523 §2.2, OpenID Connect Core §9, RFC 8705 §2).
 *
 * @since 0.1.0
 * @category models
 */
export const authMethods = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt",
  "tls_client_auth",
  "self_signed_tls_client_auth"
] as const

/**
 * A client authentication method.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthMethod = typeof authMethods[number]

/**
 * The mutual-TLS methods (RFC 8705 §2): the client certificate presented in the TLS handshake authenticates the
 * client, the token request carries `client_id` only.
 *
 * @since 0.1.0
 * @category models
 */
export const tlsAuthMethods = ["tls_client_auth", "self_signed_tls_client_auth"] as const

/**
 * A mutual-TLS method.
 *
 * @since 0.1.0
 * @category models
 */
export type TlsAuthMethod = typeof tlsAuthMethods[number]

/**
 * Whether `value` is one of `tlsAuthMethods`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTlsAuthMethod = (value: unknown): value is TlsAuthMethod =>
  typeof value === "string" && (tlsAuthMethods as ReadonlyArray<string>).includes(value)

/**
 * The algorithms `private_key_jwt` signs with.
 *
 * @since 0.1.0
 * @category models
 */
export const signingAlgorithms = ["RS256", "PS256", "ES256", "EdDSA"] as const

/**
 * An algorithm `private_key_jwt` signs with.
 *
 * @since 0.1.0
 * @category models
 */
export type SigningAlgorithm = typeof signingAlgorithms[number]

/**
 * Whether `value` is one of `authMethods`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isAuthMethod = (value: unknown): value is AuthMethod =>
  typeof value === "string" && (authMethods as ReadonlyArray<string>).includes(value)

/**
 * Whether `value` is one of `signingAlgorithms`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isSigningAlgorithm = (value: unknown): value is SigningAlgorithm =>
  typeof value === "string" && (signingAlgorithms as ReadonlyArray<string>).includes(value)

/**
 * RFC 8414 §2: the methods a server supports when its metadata lists none.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultSupportedAuthMethods: ReadonlyArray<AuthMethod> = ["client_secret_basic"]

/**
 * RFC 7523 §2.2's `client_assertion_type`.
 *
 * @since 0.1.0
 * @category models
 */
export const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
