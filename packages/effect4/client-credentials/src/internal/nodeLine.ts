/**
 * The line's Node.js HTTP client that presents a client certificate in each TLS handshake: `@effect/platform-node`'s
 * undici client on an `Agent` of its own (Effect 4: `NodeHttpClient.layerUndiciOptions`, a scoped `Dispatcher` under
 * `layerUndiciNoDispatcher`), closed with the layer.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import type * as Layer from "effect/Layer"

/** What the TLS handshake presents (`cert`, `key`) and trusts (`ca`, the runtime's own when absent), as PEM. */
export interface Connect {
  readonly cert: string
  readonly key: string
  readonly ca: string | undefined
}

/** An `HttpClient` whose connections present `connect`'s certificate. */
export const tlsHttpClient = (connect: Connect): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerUndiciOptions({
    connect: connect.ca === undefined
      ? { cert: connect.cert, key: connect.key }
      : { cert: connect.cert, key: connect.key, ca: connect.ca }
  })
