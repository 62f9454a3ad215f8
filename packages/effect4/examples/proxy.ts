/**
 * Behind a proxy, on Effect 4: Node's `HttpClient` over undici's `EnvHttpProxyAgent`, which honours `HTTPS_PROXY`,
 * `HTTP_PROXY` and `NO_PROXY` (and their lower-case forms). undici comes with `@effect/platform-node`: nothing more to
 * install. The settings are checked first (`src/proxySettings.ts`, shared with the Effect 3 example): one that is not
 * a proxy URL fails the layer with a `ProxySettingError` that names it, never its value.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { EnvHttpProxyAgent } from "@effect/platform-node/Undici"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import { acquireProxyAgent, type ProxySettingError } from "./src/proxySettings.js"

/**
 * An `HttpClient` that goes through the proxies `HTTPS_PROXY` and `HTTP_PROXY` name, except to the hosts in
 * `NO_PROXY`; `options` (`httpsProxy`, `httpProxy`, `noProxy`, and any `ProxyAgent` option) override the environment.
 */
export const layerHttpClient = (
  options?: EnvHttpProxyAgent.Options
): Layer.Layer<HttpClient.HttpClient, ProxySettingError> =>
  NodeHttpClient.layerUndiciNoDispatcher.pipe(
    Layer.provide(Layer.effect(NodeHttpClient.Dispatcher, acquireProxyAgent(options)))
  )
