/**
 * The Promise API (`docs/promise.md`): `createTokenClient` from `@effect-oauth2/client-credentials/promise`
 * (`docs/promise.md#createtokenclient`), its `getToken` (`docs/promise.md#gettoken`), `fetch` (`docs/promise.md#fetch`)
 * and `close` (`docs/promise.md#close`), against a real `node:http` server on 127.0.0.1 (the fast path reads the
 * monotonic clock, so the tests that cross a refresh point use real lifetimes of about a second).
 */
import * as ApiErrorModule from "@effect-oauth2/client-credentials/ApiError"
import * as NetworkErrorModule from "@effect-oauth2/client-credentials/NetworkError"
import {
  ApiError,
  ClosedError,
  createTokenClient,
  NetworkError,
  TokenError
} from "@effect-oauth2/client-credentials/promise"
import * as TokenErrorModule from "@effect-oauth2/client-credentials/TokenError"
import { assert, describe, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Server from "./promise/server.js"

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** Waits until `condition` holds, at most `millis`. */
const until = async (condition: () => boolean, millis = 2000) => {
  const deadline = Date.now() + millis
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await sleep(10)
  }
}

const basic = (secret: string) => `Basic ${Buffer.from(`app:${secret}`).toString("base64")}`

const withServer = async (
  api: Server.ApiHandler | undefined,
  body: (server: Server.TestServer) => Promise<void>
) => {
  const server = await Server.start(api)
  try {
    await body(server)
  } finally {
    await server.close()
  }
}

describe("promise", () => {
  it("exports the very error classes of the main entry", () => {
    assert.strictEqual(TokenError, TokenErrorModule.TokenError)
    assert.strictEqual(NetworkError, NetworkErrorModule.NetworkError)
    assert.strictEqual(ApiError, ApiErrorModule.ApiError)
  })

  it("1,000 concurrent getToken() on a cold client share one token request, its token or its failure", () =>
    withServer(undefined, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        server.tokenStatus = 503
        const failed = await Promise.allSettled(Array.from({ length: 1000 }, () => client.getToken()))
        const reasons = new Set(failed.map((result) => result.status === "rejected" ? result.reason : undefined))
        assert.strictEqual(reasons.size, 1, "one failure, shared")
        assert.instanceOf([...reasons][0], NetworkError)
        const afterFailure = server.tokenRequests.length
        assert.strictEqual(afterFailure, 4, "one fetch with its retries")
        server.tokenStatus = 200
        const tokens = await Promise.all(Array.from({ length: 1000 }, () => client.getToken()))
        assert.deepStrictEqual([...new Set(tokens)], ["t5"])
        assert.strictEqual(server.tokenRequests.length, afterFailure + 1, "the next calls asked again, once")
        const fetched = await Promise.all(Array.from({ length: 100 }, () => client.fetch(`${server.url}/api`)))
        assert.deepStrictEqual([...new Set(fetched.map((response) => response.status))], [200])
        assert.strictEqual(server.tokenRequests.length, afterFailure + 1)
      } finally {
        await client.close()
      }
    }))

  it("getToken gives the token, a plain string secret sent as Basic, and a cached call sends nothing", () =>
    withServer(undefined, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        assert.strictEqual(await client.getToken(), "t1")
        assert.strictEqual(await client.getToken(), "t1")
        assert.deepStrictEqual(server.tokenRequests, [{ authorization: basic("s3cret") }])
        // a Redacted secret works as well
        const other = createTokenClient({
          tokenUrl: server.tokenUrl,
          clientId: "app",
          clientSecret: Redacted.make("other")
        })
        assert.strictEqual(await other.getToken(), "t2")
        assert.strictEqual(server.tokenRequests[1]?.authorization, basic("other"))
        await other.close()
      } finally {
        await client.close()
      }
    }))

  it("rejects with the library's own TokenError, never a FiberFailure", () =>
    withServer(undefined, async (server) => {
      server.tokenStatus = 401
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        const error = await client.getToken().then(() => undefined, (error: unknown) => error)
        assert.instanceOf(error, TokenError)
        assert.strictEqual((error as TokenError).reason, "OAuth")
        assert.strictEqual((error as TokenError).error, "invalid_client")
        const viaFetch = await client.fetch(`${server.url}/api`).then(() => undefined, (error: unknown) => error)
        assert.instanceOf(viaFetch, TokenError)
        assert.strictEqual(server.apiRequests.length, 0)
      } finally {
        await client.close()
      }
    }))

  it("fetch rejects with NetworkError (source Api) when the API cannot be reached", () =>
    withServer(undefined, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      const closed = await Server.start()
      await closed.close()
      try {
        const error = await client.fetch(`${closed.url}/api`).then(() => undefined, (error: unknown) => error)
        assert.instanceOf(error, NetworkError)
        assert.strictEqual((error as NetworkError).source, "Api")
        assert.notInclude(String(error), "t1")
      } finally {
        await client.close()
      }
    }))

  it("a body that breaks off errors its stream with a NetworkError that says so, showing no token", () =>
    withServer((_, response) => {
      response.writeHead(200, { "content-type": "text/plain", "content-length": "1000" })
      response.write("partial")
      setTimeout(() => response.destroy(), 10)
    }, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        const response = await client.fetch(`${server.url}/api`)
        const error = await response.text().then(() => undefined, (error: unknown) => error)
        const cause = error instanceof TypeError ? error.cause ?? error : error
        assert.instanceOf(cause, NetworkError)
        assert.strictEqual((cause as NetworkError).status, 200)
        assert.match(
          (cause as NetworkError).message,
          /^API http:\/\/127\.0\.0\.1:\d+ broke off its answer after HTTP 200 \(.+\)$/
        )
        assert.notInclude(String(cause), "t1")
      } finally {
        await client.close()
      }
    }))

  it("fetch sends the token and resolves for every status, with status, headers and body", () =>
    withServer((hit, response) => {
      const status = hit.path === "/missing" ? 404 : hit.path === "/empty" ? 204 : 200
      response.writeHead(status, { "x-answer": "yes", "content-type": "text/plain" })
      response.end(status === 204 ? undefined : `${status} ${hit.body}`)
    }, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        const ok = await client.fetch(`${server.url}/ok`, { method: "POST", body: "hello" })
        assert.strictEqual(ok.status, 200)
        assert.strictEqual(ok.headers.get("x-answer"), "yes")
        assert.strictEqual(await ok.text(), "200 hello")
        const missing = await client.fetch(new URL(`${server.url}/missing`))
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(await missing.text(), "404 ")
        const empty = await client.fetch(new Request(`${server.url}/empty`))
        assert.strictEqual(empty.status, 204)
        assert.deepStrictEqual(server.apiRequests.map((hit) => hit.authorization), [
          "Bearer t1",
          "Bearer t1",
          "Bearer t1"
        ])
      } finally {
        await client.close()
      }
    }))

  it("after a 401, fetch sends the body again with a fresh token, and getToken never hands out the rejected one", () =>
    withServer((hit, response) => {
      if (hit.authorization === "Bearer t1") {
        response.writeHead(401, { "www-authenticate": "Bearer error=\"invalid_token\"" })
        response.end()
        return
      }
      response.end(`ok ${hit.body}`)
    }, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        assert.strictEqual(await client.getToken(), "t1")
        assert.strictEqual(await client.getToken(), "t1")
        const response = await client.fetch(`${server.url}/api`, { method: "PUT", body: "payload" })
        assert.strictEqual(response.status, 200)
        assert.strictEqual(await response.text(), "ok payload")
        assert.deepStrictEqual(server.apiRequests, [
          { authorization: "Bearer t1", body: "payload" },
          { authorization: "Bearer t2", body: "payload" }
        ])
        assert.strictEqual(await client.getToken(), "t2")
        assert.strictEqual(await client.getToken(), "t2")
        assert.strictEqual(server.tokenRequests.length, 2)
      } finally {
        await client.close()
      }
    }))

  it("after the refresh point, getToken starts the background refresh and the next calls get the new token", () =>
    withServer(undefined, async (server) => {
      // usable for 1000 ms, refreshed from 450–500 ms
      server.expiresIn = 1
      const client = createTokenClient({
        tokenUrl: server.tokenUrl,
        clientId: "app",
        clientSecret: "s3cret",
        expiryLeeway: 0,
        refreshAhead: 0.5
      })
      try {
        assert.strictEqual(await client.getToken(), "t1")
        await sleep(100)
        assert.strictEqual(await client.getToken(), "t1")
        assert.strictEqual(server.tokenRequests.length, 1)
        await sleep(500)
        // past the refresh point, before the hard expiry: the old token, and a refresh in the background
        assert.strictEqual(await client.getToken(), "t1")
        await until(() => server.tokenRequests.length === 2)
        await sleep(20)
        assert.strictEqual(await client.getToken(), "t2")
        assert.strictEqual(await client.getToken(), "t2")
        assert.strictEqual(server.tokenRequests.length, 2)
      } finally {
        await client.close()
      }
    }))

  it("getToken(request) gets a token for that request, cached separately", () =>
    withServer(undefined, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        assert.strictEqual(await client.getToken(), "t1")
        assert.strictEqual(await client.getToken({ scopes: ["other"] }), "t2")
        assert.strictEqual(await client.getToken({ scopes: ["other"] }), "t2")
        assert.strictEqual(await client.getToken(), "t1")
      } finally {
        await client.close()
      }
    }))

  it("after close, calls reject and nothing is sent", () =>
    withServer(undefined, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      assert.strictEqual(await client.getToken(), "t1")
      await client.close()
      await client.close()
      const error = await client.getToken().then(() => undefined, (error: unknown) => error)
      assert.instanceOf(error, ClosedError)
      assert.strictEqual((error as Error).message, "createTokenClient: the client is closed")
      assert.strictEqual(server.tokenRequests.length, 1)
    }))

  it("a program that never calls close exits when its own work is done", async () => {
    const child = spawn(
      process.execPath,
      ["--conditions=@effect-oauth2/source", "--import", "tsx", "neverClosed.ts"],
      { cwd: Path.join(Path.dirname(fileURLToPath(import.meta.url)), "promise"), stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    const started = Date.now()
    const code = await new Promise<number | null | "timeout">((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        resolve("timeout")
      }, 8000)
      child.on("exit", (code) => {
        clearTimeout(timer)
        resolve(code)
      })
    })
    assert.strictEqual(code, 0, output)
    assert.strictEqual(output.trim(), "t1 api ok")
    assert.isBelow(Date.now() - started, 8000)
  }, 15_000)
})
