/**
 * A real `node:http` server on 127.0.0.1, port 0, for the few tests that need sockets.
 */
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import type * as Net from "node:net"

/** One request as the server saw it. */
export interface Hit {
  readonly method: string
  readonly path: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

/** Answers one request; it may also never answer. */
export type Handler = (hit: Hit, response: Http.ServerResponse) => void

export interface Server {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly hits: ReadonlyArray<Hit>
  /** Connections accepted and not yet closed. */
  readonly openConnections: () => number
  readonly server: Http.Server
}

/** Starts a server answering with `handler`; closed, with every connection, when the scope closes. */
export const start = (handler: Handler) =>
  Effect.acquireRelease(
    Effect.async<Server>((resume) => {
      const hits: Array<Hit> = []
      const sockets = new Set<Net.Socket>()
      const server = Http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const hit: Hit = {
            method: request.method ?? "",
            path: request.url ?? "",
            headers: request.headers,
            body: Buffer.concat(chunks).toString("utf8")
          }
          hits.push(hit)
          handler(hit, response)
        })
      })
      server.on("connection", (socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address() as Net.AddressInfo
        resume(Effect.succeed({
          url: `http://127.0.0.1:${address.port}`,
          hits,
          openConnections: () => sockets.size,
          server
        }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** Writes a JSON answer. */
export const sendJson = (
  response: Http.ServerResponse,
  status: number,
  body: unknown,
  headers: Http.OutgoingHttpHeaders = {}
) => {
  response.writeHead(status, { "content-type": "application/json", ...headers })
  response.end(JSON.stringify(body))
}
