/**
 * The line's Node.js HTTP client that presents a client certificate in each TLS handshake: `@effect/platform-node`'s
 * undici client on an `Agent` of its own (Effect 3: `NodeHttpClient.layerUndiciWithoutDispatcher` and a scoped
 * `NodeHttpClient.Dispatcher`), closed with the layer.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** What the TLS handshake presents (`cert`, `key`) and trusts (`ca`, the runtime's own when absent), as PEM. */
export interface Connect {
  readonly cert: string
  readonly key: string
  readonly ca: string | undefined
}

/** An `HttpClient` whose connections present `connect`'s certificate. */
export const tlsHttpClient = (connect: Connect): Layer.Layer<HttpClient.HttpClient> =>
  Layer.provide(
    NodeHttpClient.layerUndiciWithoutDispatcher,
    Layer.scoped(
      NodeHttpClient.Dispatcher,
      Effect.acquireRelease(
        Effect.sync(() =>
          new Undici.Agent({
            connect: connect.ca === undefined
              ? { cert: connect.cert, key: connect.key }
              : { cert: connect.cert, key: connect.key, ca: connect.ca }
          })
        ),
        (agent) => Effect.promise(() => agent.destroy())
      )
    )
  )
