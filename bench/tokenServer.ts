/**
 * A token endpoint and a protected API on 127.0.0.1, for the benchmark: `POST /token` answers a client-credentials
 * request after a configurable delay and counts it; `GET /api` answers 200 to any bearer token it issued.
 * Runs in this process (`start`) or in a child process (`startInChildProcess`), so that a client under test does
 * not share its event loop with the server.
 */
import * as ChildProcess from "node:child_process"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Url from "node:url"

/** How the server behaves; both can be changed while it runs. */
export interface Options {
  /** How long the token endpoint takes to answer, in milliseconds. Default 0. */
  readonly delayMs?: number | undefined
  /** The `expires_in` of the tokens it issues, in seconds. Default 3600. */
  readonly lifetimeSeconds?: number | undefined
}

/** A running server, its counters and its settings. */
export interface TokenServer {
  readonly tokenUrl: string
  readonly apiUrl: string
  /** Token requests answered or being answered since the last `reset`. */
  readonly tokenRequests: number
  /** When each of those token requests arrived, `performance.now()` milliseconds. */
  readonly tokenRequestTimes: ReadonlyArray<number>
  /** When each answer to a token request was sent, `performance.now()` milliseconds. */
  readonly tokenAnswerTimes: ReadonlyArray<number>
  /** Requests to the protected API since the last `reset`. */
  readonly apiRequests: number
  delayMs: number
  lifetimeSeconds: number
  /** Sets the counters back to zero. */
  readonly reset: () => void
  readonly close: () => Promise<void>
}

const readBody = (request: Http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

const sendJson = (response: Http.ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
  response.end(text)
}

/**
 * Starts the server on 127.0.0.1, on a port the system picks.
 */
export const start = async (options: Options = {}): Promise<TokenServer> => {
  let tokenRequests = 0
  let apiRequests = 0
  let issued = 0
  let tokenRequestTimes: Array<number> = []
  let tokenAnswerTimes: Array<number> = []
  const state = { delayMs: options.delayMs ?? 0, lifetimeSeconds: options.lifetimeSeconds ?? 3600 }

  const server = Http.createServer((request, response) => {
    const path = (request.url ?? "/").split("?", 1)[0]
    if (request.method === "POST" && path === "/token") {
      tokenRequests++
      tokenRequestTimes.push(performance.now())
      readBody(request).then((body) => {
        const params = new URLSearchParams(body)
        const answer = () => {
          if (params.get("grant_type") !== "client_credentials") {
            return sendJson(response, 400, { error: "unsupported_grant_type" })
          }
          issued++
          const scope = params.get("scope")
          sendJson(response, 200, {
            access_token: `tok-${issued}`,
            token_type: "Bearer",
            expires_in: state.lifetimeSeconds,
            ...(scope === null ? {} : { scope })
          })
          tokenAnswerTimes.push(performance.now())
        }
        if (state.delayMs > 0) setTimeout(answer, state.delayMs)
        else answer()
      }, () => response.destroy())
      return
    }
    if (request.method === "GET" && path === "/api") {
      apiRequests++
      request.resume()
      if (!(request.headers.authorization ?? "").startsWith("Bearer tok-")) {
        response.writeHead(401, { "www-authenticate": "Bearer error=\"invalid_token\"", "content-length": 0 })
        return response.end()
      }
      return sendJson(response, 200, { ok: true })
    }
    request.resume()
    sendJson(response, 404, { error: "not_found" })
  })
  // the stampede opens 1,000 connections at once
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen({ host: "127.0.0.1", port: 0, backlog: 2048 }, resolve)
  })
  const port = (server.address() as Net.AddressInfo).port
  const base = `http://127.0.0.1:${port}`

  return {
    tokenUrl: `${base}/token`,
    apiUrl: `${base}/api`,
    get tokenRequests() {
      return tokenRequests
    },
    get tokenRequestTimes() {
      return tokenRequestTimes
    },
    get tokenAnswerTimes() {
      return tokenAnswerTimes
    },
    get apiRequests() {
      return apiRequests
    },
    get delayMs() {
      return state.delayMs
    },
    set delayMs(value: number) {
      state.delayMs = value
    },
    get lifetimeSeconds() {
      return state.lifetimeSeconds
    },
    set lifetimeSeconds(value: number) {
      state.lifetimeSeconds = value
    },
    reset: () => {
      tokenRequests = 0
      apiRequests = 0
      tokenRequestTimes = []
      tokenAnswerTimes = []
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => error === undefined ? resolve() : reject(error))
        server.closeAllConnections()
      })
  }
}

/**
 * The server of a child process: only its URLs, and a way to stop it.
 */
export interface RemoteTokenServer {
  readonly tokenUrl: string
  readonly apiUrl: string
  readonly close: () => Promise<void>
}

interface Ready {
  readonly tokenUrl: string
  readonly apiUrl: string
}

/**
 * Starts the server in a child process (this file, run with this process's flags), on its own event loop.
 */
export const startInChildProcess = (options: Options = {}): Promise<RemoteTokenServer> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.fork(Url.fileURLToPath(import.meta.url), ["--child", JSON.stringify(options)], {
      execArgv: process.execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the token server's process exited early (${code})`)))
    child.once("message", (message) => {
      const ready = message as Ready
      resolve({
        tokenUrl: ready.tokenUrl,
        apiUrl: ready.apiUrl,
        close: () => {
          child.disconnect()
          return exited
        }
      })
    })
  })

// child process mode: serve until the parent disconnects
if (process.argv[2] === "--child" && process.send !== undefined) {
  const server = await start(JSON.parse(process.argv[3] ?? "{}") as Options)
  process.once("disconnect", () => void server.close().then(() => process.exit(0)))
  process.send({ tokenUrl: server.tokenUrl, apiUrl: server.apiUrl } satisfies Ready)
}
