/**
 * Runs the built `effect-oauth2` (`build/esm/bin.js`, built by `build.ts`) on the Node.js that runs the tests, with
 * only the environment a test gives (and `PATH`), and collects what it printed and its exit code.
 */
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The command as `npm install -g` links it: the `bin` of the package. */
export const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "build", "esm", "bin.js")

/** What a run printed, and how it ended. */
export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Where the command's stdout goes: a pipe read to its end, a pipe whose reader is closed before the command writes
 * (`… | true`), or a file descriptor (`> /dev/full`).
 */
export type Stdout = "pipe" | "closed" | number

/** A signal sent to the command once `when` settles. */
export interface Kill {
  readonly signal: NodeJS.Signals
  readonly when: Promise<unknown>
}

/**
 * Runs `effect-oauth2 …args` with `env` alone, its stdout to `to`, sent `kill`'s signal when it says; killed after
 * `timeoutMs`.
 */
export const runCli = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 20_000,
  to: Stdout = "pipe",
  kill?: Kill
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", typeof to === "number" ? to : "pipe", "pipe"],
      timeout: timeoutMs
    })
    let stdout = ""
    let stderr = ""
    if (to === "closed") child.stdout?.destroy()
    else child.stdout?.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk)
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
    void kill?.when.then(() => child.kill(kill.signal))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** A running `FakeAuthServer`, and how to stop it. */
export const startFakeServer = async (
  options: FakeAuthServer.Options = {}
): Promise<{ readonly server: FakeAuthServer.Service; readonly stop: () => Promise<void> }> => {
  const scope = Scope.makeUnsafe()
  const context = await Effect.runPromise(Layer.buildWithScope(FakeAuthServer.layer(options), scope))
  return {
    server: Context.get(context, FakeAuthServer.FakeAuthServer),
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/**
 * A server on 127.0.0.1 that answers every request with `answer`'s status and JSON body, over https with `tls`'s
 * certificate when given; its URL and `close`.
 */
export const startJsonServer = async (
  answer: (url: string) => { readonly status: number; readonly body: unknown },
  tls?: { readonly cert: string; readonly key: string }
): Promise<{ readonly url: string; readonly close: () => Promise<void> }> => {
  const listener = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const { body, status } = answer(request.url ?? "/")
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
  }
  const server = tls === undefined ? http.createServer(listener) : https.createServer(tls, listener)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A server on 127.0.0.1 that never answers; `requested` settles when the first request comes in. */
export const startSilentServer = async (): Promise<
  { readonly url: string; readonly requested: Promise<void>; readonly close: () => Promise<void> }
> => {
  let onRequest = () => {}
  const requested = new Promise<void>((resolve) => onRequest = resolve)
  const server = http.createServer(() => onRequest())
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requested,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A port nothing listens on: one the system gave, then closed. */
export const closedPort = async (): Promise<number> => {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** A JWT in compact form with `header` and `claims`, and a signature that signs nothing. */
export const unsignedJwt = (header: object, claims: object): string =>
  [header, claims].map((part) => Buffer.from(JSON.stringify(part)).toString("base64url")).join(".") + ".c2lnbmF0dXJl"
