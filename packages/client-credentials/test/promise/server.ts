/**
 * A token endpoint and an API on one `node:http` server, 127.0.0.1 port 0, for the Promise API's tests: tokens
 * `t1`, `t2`, … in order, with a lifetime the test sets; the API answers what the test's handler says.
 */
import * as Http from "node:http"
import type * as Net from "node:net"

export interface TestServer {
  readonly url: string
  readonly tokenUrl: string
  /** Token requests so far, with their `authorization` header. */
  readonly tokenRequests: Array<{ readonly authorization: string | undefined }>
  /** API requests so far. */
  readonly apiRequests: Array<{ readonly authorization: string | undefined; readonly body: string }>
  expiresIn: number
  tokenStatus: number
  close: () => Promise<void>
}

export type ApiHandler = (
  hit: { readonly authorization: string | undefined; readonly body: string; readonly path: string },
  response: Http.ServerResponse
) => void

export const start = (api: ApiHandler = (_, response) => response.end("ok")): Promise<TestServer> =>
  new Promise((resolve) => {
    const sockets = new Set<Net.Socket>()
    const state = {
      tokenRequests: [] as TestServer["tokenRequests"],
      apiRequests: [] as TestServer["apiRequests"],
      expiresIn: 3600,
      tokenStatus: 200
    }
    const server = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8")
        const authorization = request.headers.authorization
        if (request.url === "/token") {
          state.tokenRequests.push({ authorization })
          response.writeHead(state.tokenStatus, { "content-type": "application/json" })
          response.end(JSON.stringify(
            state.tokenStatus === 200
              ? { access_token: `t${state.tokenRequests.length}`, token_type: "Bearer", expires_in: state.expiresIn }
              : { error: "invalid_client" }
          ))
          return
        }
        state.apiRequests.push({ authorization, body })
        api({ authorization, body, path: request.url ?? "" }, response)
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
