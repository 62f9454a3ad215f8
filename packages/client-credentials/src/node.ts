/**
 * What runs on Node.js only: the `HttpClient` that presents a client certificate (mutual TLS, RFC 8705). Needs
 * `@effect/platform-node`.
 *
 * @since 0.1.0
 */

/**
 * The `HttpClient` of mutual TLS: Node's, presenting a client certificate in every TLS handshake.
 *
 * @since 0.1.0
 */
export * as MtlsHttpClient from "./MtlsHttpClient.js"
