/**
 * A token endpoint and an API on one `node:http` server, 127.0.0.1 port 0, for the Promise API's tests: tokens
 * `t1`, `t2`, … in order, with a lifetime the test sets; the API answers what the test's handler says. With
 * `discardBodies`, API bodies are counted (`receivedBytes`, as they arrive) and dropped, so that a test may send more
 * than it wants the process to hold.
 */
import * as Http from "node:http"
import type * as Net from "node:net"

export interface TestServer {
  readonly url: string
  readonly tokenUrl: string
  /** Token requests so far, with their `authorization` header. */
  readonly tokenRequests: Array<{ readonly authorization: string | undefined }>
  /** API requests so far, once their body has ended (`""` when bodies are discarded). */
  readonly apiRequests: Array<{ readonly authorization: string | undefined; readonly body: string }>
  /** The bytes of API bodies received so far, counted as they arrive. */
  readonly receivedBytes: number
  expiresIn: number
  tokenStatus: number
  /** Leave token requests unanswered (until `close`). */
  holdTokens: boolean
  close: () => Promise<void>
}

export type ApiHandler = (
  hit: {
    readonly authorization: string | undefined
    readonly body: string
    readonly path: string
    readonly headers: Http.IncomingHttpHeaders
  },
  response: Http.ServerResponse
) => void

export interface Options {
  /** Count the API bodies' bytes and drop them; the handler sees `""` as the body. */
  readonly discardBodies?: boolean
}

export const start = (
  api: ApiHandler = (_, response) => response.end("ok"),
  options: Options = {}
): Promise<TestServer> =>
  new Promise((resolve) => {
    const sockets = new Set<Net.Socket>()
    const state = {
      tokenRequests: [] as TestServer["tokenRequests"],
      apiRequests: [] as TestServer["apiRequests"],
      receivedBytes: 0,
      expiresIn: 3600,
      tokenStatus: 200,
      holdTokens: false
    }
    const server = Http.createServer((request, response) => {
      const isToken = request.url === "/token"
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => {
        if (!isToken) state.receivedBytes += chunk.length
        if (isToken || options.discardBodies !== true) chunks.push(chunk)
      })
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8")
        const authorization = request.headers.authorization
        if (isToken) {
          state.tokenRequests.push({ authorization })
          if (state.holdTokens) return
          response.writeHead(state.tokenStatus, { "content-type": "application/json" })
          response.end(JSON.stringify(
            state.tokenStatus === 200
              ? { access_token: `t${state.tokenRequests.length}`, token_type: "Bearer", expires_in: state.expiresIn }
              : { error: "invalid_client" }
          ))
          return
        }
        state.apiRequests.push({ authorization, body })
        api({ authorization, body, path: request.url ?? "", headers: request.headers }, response)
      })
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    server.listen(0, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
      const self: TestServer = Object.assign(state, {
        url,
        tokenUrl: `${url}/token`,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
      resolve(self)
    })
  })

/** Runs `body` with a server of its own, stopped after it. */
export const withServer = async (
  api: ApiHandler | undefined,
  body: (server: TestServer) => Promise<void>,
  options?: Options
): Promise<void> => {
  const server = await start(api, options)
  try {
    await body(server)
  } finally {
    await server.close()
  }
}
