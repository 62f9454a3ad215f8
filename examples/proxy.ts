/**
 * Behind a proxy: Node's `HttpClient` over undici's `EnvHttpProxyAgent`, which honours `HTTPS_PROXY`, `HTTP_PROXY`
 * and `NO_PROXY` (and their lower-case forms). undici comes with `@effect/platform-node`: nothing more to install.
 *
 *   HTTPS_PROXY=http://proxy.internal:3128 OAUTH_TOKEN_URL=… OAUTH_CLIENT_ID=… OAUTH_CLIENT_SECRET=… API_URL=… \
 *     npx tsx examples/proxy.ts
 *
 * With `API_PROXY` set as well, the API calls go through that proxy and the token requests as the environment says.
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { type Dispatcher, EnvHttpProxyAgent } from "@effect/platform-node/Undici"
import { Config, Console, Effect, Layer, Option, Schema } from "effect"
import { isMain } from "./src/isMain.js"

/** An undici dispatcher made with the layer and destroyed when the layer's scope closes, so a program can exit. */
export const acquireDispatcher = <D extends Dispatcher>(make: () => D) =>
  Effect.acquireRelease(Effect.sync(make), (dispatcher) => Effect.promise(() => dispatcher.destroy()))

/**
 * An `HttpClient` that goes through the proxies `HTTPS_PROXY` and `HTTP_PROXY` name, except to the hosts in
 * `NO_PROXY`; `options` (`httpsProxy`, `httpProxy`, `noProxy`, and any `ProxyAgent` option) override the environment.
 */
export const layerHttpClient = (options?: EnvHttpProxyAgent.Options): Layer.Layer<HttpClient.HttpClient> =>
  NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
    Layer.provide(Layer.scoped(NodeHttpClient.Dispatcher, acquireDispatcher(() => new EnvHttpProxyAgent(options))))
  )

/** (a) One proxy-aware client for both: the token endpoint and the API, tokens from the `OAUTH_*` variables. */
export const MainLayer = AuthorizedClient.layer().pipe(
  Layer.provideMerge(TokenService.layerConfig()),
  Layer.provide(layerHttpClient())
)

/**
 * (b) The API through a proxy of its own: `AuthorizedClient` over a client with `api`'s options, its tokens from the
 * `TokenService` (which takes the `HttpClient` this layer is given, for the token endpoint).
 */
export const layerApiClient = (
  api: EnvHttpProxyAgent.Options
): Layer.Layer<AuthorizedClient.AuthorizedClient, never, TokenService.TokenService> =>
  Layer.scoped(
    AuthorizedClient.AuthorizedClient,
    Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      const dispatcher = yield* acquireDispatcher(() => new EnvHttpProxyAgent(api))
      return AuthorizedClient.withTokens(NodeHttpClient.makeUndici(dispatcher), { tokens })
    })
  )

/** (b) wired: token requests over `layerHttpClient(tokenEndpoint)`, API calls over a client with `api`'s options. */
export const layerSplit = (options: {
  readonly tokenEndpoint?: EnvHttpProxyAgent.Options | undefined
  readonly api: EnvHttpProxyAgent.Options
}) =>
  layerApiClient(options.api).pipe(
    Layer.provideMerge(TokenService.layerConfig()),
    Layer.provide(layerHttpClient(options.tokenEndpoint))
  )

/** Calls `API_URL` with a token and returns what it answered. */
export const program = Effect.gen(function*() {
  const apiUrl = yield* Config.string("API_URL")
  const client = yield* AuthorizedClient.AuthorizedClient
  return yield* client.get(apiUrl).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Schema.Unknown)))
})

/** `MainLayer`, or with `API_PROXY` set, `layerSplit` with the API through that proxy. */
export const layerFromEnv = Layer.unwrapEffect(
  Effect.map(
    Config.option(Config.string("API_PROXY")),
    Option.match({
      onNone: () => MainLayer,
      onSome: (proxy) => layerSplit({ api: { httpProxy: proxy, httpsProxy: proxy } })
    })
  )
)

if (isMain(import.meta.url)) {
  program.pipe(
    Effect.flatMap((body) => Console.log("The API answered:", body)),
    Effect.catchTags({
      TokenError: (error) => Console.error(`No token: ${error.message}`),
      NetworkError: (error) => Console.error(`No answer: ${error.message}`),
      ApiError: (error) => Console.error(`The API refused: ${error.message}`)
    }),
    Effect.provide(layerFromEnv),
    NodeRuntime.runMain
  )
}
