/**
 * The rule every URL the library sends a request to follows: https, or http on a loopback host (a server on the same
 * machine, where nothing crosses a network), unless the user allows insecure http.
 */

/**
 * Whether `hostname`, as the URL parser writes it, names this machine: `localhost`, `[::1]` or `127.x.x.x`. The parser
 * normalises IPv4 forms (`127.1`, `0x7f.1`) to dotted decimal, so a name that only starts like one
 * (`127.evil.example`, `localhost.evil.example`) is not loopback.
 */
export const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname)

/** Whether `url` may be called without `allowInsecureHttp`: https, or http on a loopback host. */
export const isSecureOrLoopback = (url: URL): boolean =>
  url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))
