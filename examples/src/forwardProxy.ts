/**
 * A forward proxy for tests, on 127.0.0.1 and a free port, that records what reaches it: the `CONNECT` targets
 * (undici's proxy agents tunnel every request with `CONNECT`, plain http ones too), the request lines sent through
 * those tunnels (readable, the targets being plain http), and absolute-form requests (`GET http://host/path`) if any.
 * Only request lines are kept for the test to read, never headers or bodies: they carry the client secret and tokens.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as Net from "node:net"

/** One request that went through the proxy: its method, the `host:port` it was for, and its path. */
export interface ProxiedRequest {
  readonly method: string
  readonly authority: string
  readonly path: string
}

/** A running forward proxy and what it has seen so far. */
export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`, for `HTTP_PROXY`, `HTTPS_PROXY` or an agent's options. */
  readonly url: string
  /** Every `CONNECT` target (`host:port`), in order of arrival. */
  readonly connects: Effect.Effect<ReadonlyArray<string>>
  /** Every request sent through a tunnel or in absolute form, in order of arrival. */
  readonly requests: Effect.Effect<ReadonlyArray<ProxiedRequest>>
  /** How many connections are open now, from clients to the proxy and from it to targets. */
  readonly openConnections: Effect.Effect<number>
  /** Waits until no connection is open: the clients closed their tunnels. */
  readonly idle: Effect.Effect<void>
}

/** Options for `make`. */
export interface Options {
  /** Where the proxy connects a target's host (default: the host itself); tests name hosts that do not exist. */
  readonly resolve?: ((host: string) => string) | undefined
  /**
   * Refuse every `CONNECT` with `407 Proxy Authentication Required` (recorded in `connects`, nothing tunnelled), as a
   * proxy does that wants credentials it was not given.
   */
  readonly requireAuthentication?: boolean | undefined
}

const requestLine = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/

/** Splits `host:port` (or `[v6]:port`) into its parts. */
const splitAuthority = (authority: string): { readonly host: string; readonly port: number } => {
  const colon = authority.lastIndexOf(":")
  return { host: authority.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port: Number(authority.slice(colon + 1)) }
}

/** Starts a forward proxy that lives as long as the scope; closing the scope closes it and every tunnel. */
export const make = (options: Options = {}): Effect.Effect<ForwardProxy, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly proxy: ForwardProxy; readonly close: () => Promise<void> }>((resume) => {
      const resolve = options.resolve ?? ((host: string) => host)
      const connects: Array<string> = []
      // per tunnel: its target and everything the client sent through it, as latin1 text, parsed when read
      const tunnels: Array<{ readonly authority: string; sent: string }> = []
      const absolute: Array<ProxiedRequest> = []
      const sockets = new Set<Net.Socket>()
      let waiters: Array<() => void> = []
      const track = (socket: Net.Socket) => {
        sockets.add(socket)
        socket.on("close", () => {
          sockets.delete(socket)
          if (sockets.size === 0) {
            const ready = waiters
            waiters = []
            ready.forEach((f) => f())
          }
        })
      }

      const server = Http.createServer((req, res) => {
        // absolute form: `GET http://host:port/path HTTP/1.1`
        const target = new URL(req.url ?? "/")
        absolute.push({ method: req.method ?? "", authority: target.host, path: target.pathname + target.search })
        const upstream = Http.request({
          host: resolve(target.hostname),
          port: target.port,
          method: req.method,
          path: target.pathname + target.search,
          headers: req.headers
        }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        })
        upstream.on("error", () => res.destroy())
        req.pipe(upstream)
      })
      server.on("connection", track)
      server.on("connect", (req: Http.IncomingMessage, client: Net.Socket, head: Buffer) => {
        const authority = req.url ?? ""
        connects.push(authority)
        if (options.requireAuthentication === true) {
          client.end(
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\n" +
              "Content-Length: 0\r\n\r\n"
          )
          return
        }
        const tunnel = { authority, sent: head.toString("latin1") }
        tunnels.push(tunnel)
        const { host, port } = splitAuthority(authority)
        const upstream = Net.connect(port, resolve(host), () => {
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
          if (head.length > 0) upstream.write(head)
          client.on("data", (chunk: Buffer) => {
            tunnel.sent += chunk.toString("latin1")
          })
          client.pipe(upstream)
          upstream.pipe(client)
        })
        track(upstream)
        upstream.on("error", () => client.destroy())
        client.on("error", () => upstream.destroy())
        client.on("close", () => upstream.destroy())
        upstream.on("close", () => client.destroy())
      })

      const proxy: ForwardProxy = {
        url: "",
        connects: Effect.sync(() => [...connects]),
        requests: Effect.sync(() => [
          ...tunnels.flatMap(({ authority, sent }) =>
            sent.split("\r\n").flatMap((line) => {
              const match = requestLine.exec(line)
              return match ? [{ method: match[1]!, authority, path: match[2]! }] : []
            })
          ),
          ...absolute
        ]),
        openConnections: Effect.sync(() => sockets.size),
        idle: Effect.async<void>((resume) => {
          if (sockets.size === 0) return resume(Effect.void)
          const done = () => resume(Effect.void)
          waiters.push(done)
          return Effect.sync(() => {
            waiters = waiters.filter((f) => f !== done)
          })
        })
      }
      const close = () =>
        new Promise<void>((done) => {
          sockets.forEach((socket) => socket.destroy())
          server.close(() => done())
        })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address() as Net.AddressInfo
        resume(Effect.succeed({ proxy: { ...proxy, url: `http://127.0.0.1:${address.port}` }, close }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ proxy }) => proxy))
