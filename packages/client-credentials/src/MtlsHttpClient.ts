/**
 * The `HttpClient` of mutual TLS (RFC 8705): Node's, presenting a client certificate in every TLS handshake, for
 * `TokenService` with `tls_client_auth` or `self_signed_tls_client_auth` and for `AuthorizedClient` (an API that
 * checks certificate-bound tokens needs the same certificate). Node.js only: import it from
 * `@effect-oauth2/client-credentials/node`, with `@effect/platform-node` installed.
 *
 * @since 0.1.0
 */
import * as TlsRules from "@effect-oauth2/core/tlsClientCertificate"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as credentialOptions from "./internal/credentialOptions.js"
import * as EffectLine from "./internal/effectLine.js"
import * as NodeLine from "./internal/nodeLine.js"
import type * as TokenService from "./TokenService.js"

/**
 * An `HttpClient` (undici, on a connection pool of its own, closed with the layer) whose TLS connections present
 * `certificate`: give it the same `tlsClientCertificate` as `TokenService`'s options. Checked when the layer is built:
 * texts that are not PEM, or a key that is not the certificate's, make it die with an `IllegalArgumentException`
 * (`IllegalArgumentError` on Effect 4) that names the field, never a part of its text.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  certificate: TokenService.TlsClientCertificate
): Layer.Layer<EffectLine.HttpClient.HttpClient> =>
  EffectLine.layerUnwrap(Effect.suspend(() => {
    const checked = TlsRules.check(certificate, credentialOptions.reader.secret)
    if (checked._tag === "Invalid") {
      return Effect.die(new EffectLine.IllegalArgumentError(`MtlsHttpClient: ${checked.problem}`))
    }
    const { ca, cert, key } = checked.value
    return Effect.succeed(NodeLine.tlsHttpClient({ cert, key, ca }))
  }))
