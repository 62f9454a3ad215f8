/**
 * Proxy settings for Node's undici `HttpClient`: each checked before undici reads it, and the `EnvHttpProxyAgent` made
 * of them, destroyed when its scope closes. `examples/proxy.ts` builds its `HttpClient` layer on these (on each Effect
 * line, with that line's `@effect/platform-node`).
 */
import { type Dispatcher, EnvHttpProxyAgent } from "@effect/platform-node/Undici"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

/** An undici dispatcher made with the layer and destroyed when the layer's scope closes, so a program can exit. */
export const acquireDispatcher = <D extends Dispatcher>(make: () => D) =>
  Effect.acquireRelease(Effect.sync(make), (dispatcher) => Effect.promise(() => dispatcher.destroy()))

/**
 * A proxy setting undici would refuse, by its name only: its value may hold the proxy's password (undici's own error,
 * a `TypeError: Invalid URL`, holds the whole value in its `input`).
 */
export class ProxySettingError extends Data.TaggedError("ProxySettingError")<{ readonly name: string }> {
  override get message() {
    return `${this.name} is not a proxy URL (http://[user:password@]host:port); its value is not shown`
  }
}

/** Fails with a `ProxySettingError` naming `name` when `value`, if set, is not a URL of a proxy undici can use. */
export const checkProxyUrl = (name: string, value: string | undefined): Effect.Effect<void, ProxySettingError> =>
  !value || URL.canParse(value) && ["http:", "https:", "socks:", "socks5:"].includes(new URL(value).protocol)
    ? Effect.void
    : Effect.fail(new ProxySettingError({ name }))

/** Where `EnvHttpProxyAgent` takes each of its two proxies from, in its order: an option, then two variables. */
const proxySources = [["httpProxy", "http_proxy", "HTTP_PROXY"], ["httpsProxy", "https_proxy", "HTTPS_PROXY"]] as const

/**
 * Checks the proxies `EnvHttpProxyAgent` would be built with, each where undici takes it from: the option
 * (`httpProxy`, `httpsProxy`), else `http_proxy`/`https_proxy`, else `HTTP_PROXY`/`HTTPS_PROXY`.
 */
export const checkProxySettings = (
  options: EnvHttpProxyAgent.Options = {},
  env: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<void, ProxySettingError> =>
  Effect.forEach(proxySources, ([option, lower, upper]) => {
    // undici takes the first one set (`??`), and makes a proxy agent of it unless it is empty
    const [name, value] = options[option] != null
      ? [`the ${option} option`, options[option]]
      : env[lower] != null
      ? [lower, env[lower]]
      : [upper, env[upper]]
    return checkProxyUrl(name, value)
  }, { discard: true })

/** `EnvHttpProxyAgent` with `options`, its proxies checked first: a bad one fails with `ProxySettingError`. */
export const acquireProxyAgent = (options?: EnvHttpProxyAgent.Options) =>
  Effect.andThen(checkProxySettings(options), acquireDispatcher(() => new EnvHttpProxyAgent(options)))
