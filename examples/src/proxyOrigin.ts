/**
 * Which proxy a request goes through: what the demo says before it starts, so that a closed or refusing proxy is not
 * taken for the provider's fault. The same rules undici's `EnvHttpProxyAgent` (`examples/proxy.ts`) follows.
 */

const defaultPorts: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 }

/**
 * The origin of the proxy `EnvHttpProxyAgent` sends a request for `url` through, as `env` sets the variables (undici's
 * rules: `https_proxy`, `HTTPS_PROXY`, else the http proxy, for an https URL; `http_proxy`, `HTTP_PROXY` for an http
 * one; none for a host, or a subdomain of a host, that `no_proxy`/`NO_PROXY` names, with its port if given; `*` for
 * all). `undefined` when the request goes direct, or when either URL does not parse or the proxy's is not http(s) (the
 * agent refuses such a proxy when it is built). Only the origin: never the `user:password@` a proxy URL may hold.
 */
export const proxyOrigin = (
  url: string | URL,
  env: Readonly<Record<string, string | undefined>> = process.env
): string | undefined => {
  const target = parse(url)
  if (target === undefined) return undefined
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY
  const proxy = target.protocol === "https:" ? httpsProxy || httpProxy : httpProxy
  if (!proxy || bypassesProxy(target, env.no_proxy ?? env.NO_PROXY ?? "")) return undefined
  const parsed = parse(proxy)
  return parsed?.protocol === "http:" || parsed?.protocol === "https:" ? parsed.origin : undefined
}

const parse = (url: string | URL): URL | undefined => {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/** Whether `noProxy` (a `NO_PROXY` value) names `target`'s host, as undici's `EnvHttpProxyAgent` reads it. */
const bypassesProxy = (target: URL, noProxy: string): boolean => {
  if (noProxy === "*") return true
  // `host` keeps an IPv6 address's brackets, as undici compares it
  const hostname = target.host.replace(/:\d*$/, "").toLowerCase()
  const port = Number.parseInt(target.port, 10) || defaultPorts[target.protocol] || 0
  return noProxy.split(/[,\s]/).some((entry) => {
    if (entry === "") return false
    const withPort = /^(.+):(\d+)$/.exec(entry)
    const name = (withPort ? withPort[1]! : entry).replace(/^\*?\./, "").toLowerCase()
    const entryPort = withPort ? Number.parseInt(withPort[2]!, 10) : 0
    if (entryPort !== 0 && entryPort !== port) return false
    return hostname === name || hostname.endsWith(`.${name}`)
  })
}
