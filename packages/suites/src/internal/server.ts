/**
 * A real `node:http` server on 127.0.0.1, port 0, for the suites that need sockets; and a port with nothing on it.
 */
import * as Http from "node:http"
import * as Net from "node:net"

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
  /** How many connections it has accepted. */
  readonly connections: () => number
  /** Closes it, and every connection. */
  readonly close: () => Promise<void>
}

/** Starts a server answering with `handler`. */
export const start = (handler: Handler): Promise<Server> =>
  new Promise((resolve) => {
    const hits: Array<Hit> = []
    let connections = 0
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
    server.on("connection", () => connections++)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as Net.AddressInfo
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        hits,
        connections: () => connections,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

/** Runs `body` with a server of its own, closed after it. */
export const withServer = async <A>(handler: Handler, body: (server: Server) => Promise<A>): Promise<A> => {
  const server = await start(handler)
  try {
    return await body(server)
  } finally {
    await server.close()
  }
}

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

/** A port on 127.0.0.1 that was free a moment ago and has nothing listening on it now. */
export const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = Net.createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
