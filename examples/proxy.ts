/**
 * Behind a proxy: Node's `HttpClient` over undici's `EnvHttpProxyAgent`, which honours `HTTPS_PROXY`, `HTTP_PROXY`
 * and `NO_PROXY` (and their lower-case forms). undici comes with `@effect/platform-node`: nothing more to install.
 *
 *   HTTPS_PROXY=http://proxy.internal:3128 OAUTH_TOKEN_URL=… OAUTH_CLIENT_ID=… OAUTH_CLIENT_SECRET=… API_URL=… \
 *     npx tsx examples/proxy.ts
 *
 * With `API_PROXY` set as well, the API calls go through that proxy and the token requests as the environment says.
 * A proxy setting that is not a proxy URL stops it with one line that names the setting, never its value (which may
 * hold the proxy's password), and exit code 1.
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import type { EnvHttpProxyAgent } from "@effect/platform-node/Undici"
import { Config, Console, Effect, Layer, Option, Schema } from "effect"
import { isMain } from "./src/isMain.js"
import { acquireProxyAgent, checkProxyUrl, type ProxySettingError } from "./src/proxySettings.js"

export { checkProxySettings, ProxySettingError } from "./src/proxySettings.js"

/**
 * An `HttpClient` that goes through the proxies `HTTPS_PROXY` and `HTTP_PROXY` name, except to the hosts in
 * `NO_PROXY`; `options` (`httpsProxy`, `httpProxy`, `noProxy`, and any `ProxyAgent` option) override the environment.
 * A proxy setting that is not a proxy URL fails the layer with a `ProxySettingError` that names it.
 */
export const layerHttpClient = (
  options?: EnvHttpProxyAgent.Options
): Layer.Layer<HttpClient.HttpClient, ProxySettingError> =>
  NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
    Layer.provide(Layer.scoped(NodeHttpClient.Dispatcher, acquireProxyAgent(options)))
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
): Layer.Layer<AuthorizedClient.AuthorizedClient, ProxySettingError, TokenService.TokenService> =>
  Layer.scoped(
    AuthorizedClient.AuthorizedClient,
    Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      const dispatcher = yield* acquireProxyAgent(api)
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

/** `MainLayer`, or with `API_PROXY` set (and a proxy URL), `layerSplit` with the API through that proxy. */
export const layerFromEnv = Layer.unwrapEffect(
  Effect.flatMap(
    Config.option(Config.string("API_PROXY")),
    Option.match({
      onNone: () => Effect.succeed(MainLayer),
      onSome: (proxy) =>
        Effect.as(checkProxyUrl("API_PROXY", proxy), layerSplit({ api: { httpProxy: proxy, httpsProxy: proxy } }))
    })
  )
)

if (isMain(import.meta.url)) {
  const failed = (line: string) => Effect.zipRight(Console.error(line), Effect.sync(() => (process.exitCode = 1)))
  program.pipe(
    Effect.flatMap((body) => Console.log("The API answered:", body)),
    Effect.provide(layerFromEnv),
    Effect.catchTags({
      TokenError: (error) => failed(`No token: ${error.message}`),
      NetworkError: (error) => failed(`No answer: ${error.message}`),
      ApiError: (error) => failed(`The API refused: ${error.message}`),
      ProxySettingError: (error) => failed(`Proxy settings: ${error.message}`)
    }),
    NodeRuntime.runMain
  )
}
