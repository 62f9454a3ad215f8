/**
 * The Promise API's `fetch` and request bodies (`docs/promise.md#fetch`): a body of at most `replayBodyLimit` bytes is
 * kept and sent again after a 401; a longer one is sent once, streamed, and the 401 is the answer; the caller's signal
 * and `close()` stop the reading of a body at once; and what a body costs in memory, measured in a child process
 * (`bodyMemory.ts`, with `--expose-gc`).
 */
import { ClosedError, createTokenClient, NetworkError } from "@effect-oauth2/client-credentials/promise"
import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Server from "./server.js"

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

const MiB = 1024 * 1024

/** Refuses the first token, `t1`, as RFC 6750 says; answers the others with the length of the body received. */
const refusesT1: Server.ApiHandler = (hit, response) => {
  if (hit.authorization === "Bearer t1") {
    response.writeHead(401, { "www-authenticate": "Bearer error=\"invalid_token\"" })
    response.end()
    return
  }
  response.end(`ok ${hit.body.length}`)
}

const chunked = (hit: { readonly headers: Record<string, unknown> }) =>
  hit.headers["transfer-encoding"] === "chunked" && hit.headers["content-length"] === undefined

/** A stream of `chunks`, then its end. */
const streamOf = (...chunks: ReadonlyArray<string>) => {
  const encoder = new TextEncoder()
  let index = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++]
      if (chunk === undefined) controller.close()
      else controller.enqueue(encoder.encode(chunk))
    }
  })
}

/** A stream that gives `first` and then nothing, ever; `cancelled` holds the reason it was cancelled with. */
const stalled = (first: string) => {
  const state: { cancelled?: unknown } = {}
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first))
    },
    pull: () => new Promise(() => {}),
    cancel(reason) {
      state.cancelled = reason ?? "cancelled"
    }
  })
  return { stream, state }
}

/** How `promise` settled within `millis`: its value, its rejection, or `"pending"`. */
const settledWithin = <A>(promise: Promise<A>, millis: number) =>
  Promise.race([
    promise.then((value) => ({ value }), (error: unknown) => ({ error })),
    sleep(millis).then(() => "pending" as const)
  ])

const streamInit = (body: ReadableStream<Uint8Array>, signal?: AbortSignal): RequestInit =>
  ({ method: "POST", body, duplex: "half", ...(signal === undefined ? {} : { signal }) }) as RequestInit

/** A stream that gives `first`, then fails with `error`. */
const failing = (first: string, error: Error) => {
  let pulls = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulls++ === 0) controller.enqueue(new TextEncoder().encode(first))
      else controller.error(error)
    }
  })
}

describe("promise fetch: request bodies", () => {
  it("a body of replayBodyLimit bytes is sent again after a 401; one byte more is sent once, streamed, and the 401 resolves", async () => {
    await Server.withServer(refusesT1, async (server) => {
      const client = createTokenClient({
        tokenUrl: server.tokenUrl,
        clientId: "app",
        clientSecret: "s3cret",
        replayBodyLimit: 10
      })
      try {
        const response = await client.fetch(`${server.url}/api`, { method: "POST", body: "0123456789" })
        assert.strictEqual(response.status, 200)
        assert.strictEqual(await response.text(), "ok 10")
        assert.deepStrictEqual(server.apiRequests, [
          { authorization: "Bearer t1", body: "0123456789" },
          { authorization: "Bearer t2", body: "0123456789" }
        ])
      } finally {
        await client.close()
      }
    })
    const hits: Array<boolean> = []
    await Server.withServer((hit, response) => {
      hits.push(chunked(hit))
      refusesT1(hit, response)
    }, async (server) => {
      const client = createTokenClient({
        tokenUrl: server.tokenUrl,
        clientId: "app",
        clientSecret: "s3cret",
        replayBodyLimit: 10
      })
      try {
        const response = await client.fetch(`${server.url}/api`, { method: "POST", body: "0123456789A" })
        assert.strictEqual(response.status, 401)
        assert.deepStrictEqual(server.apiRequests, [{ authorization: "Bearer t1", body: "0123456789A" }])
        assert.deepStrictEqual(hits, [true])
        // the refused token is dropped all the same
        assert.strictEqual(await client.getToken(), "t2")
      } finally {
        await client.close()
      }
    })
  })

  it("the default limit is 1 MiB: a body of 1 MiB, or a stream that ends within it, is sent again; a stream past it once, whole", () =>
    Server.withServer(refusesT1, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        const whole = await client.fetch(`${server.url}/api`, { method: "PUT", body: "a".repeat(MiB) })
        assert.strictEqual(await whole.text(), `ok ${MiB}`)
        assert.deepStrictEqual(server.apiRequests.map((hit) => [hit.authorization, hit.body.length]), [
          ["Bearer t1", MiB],
          ["Bearer t2", MiB]
        ])
        // t2 is good from here: a stream within the limit is kept all the same (a 401 would find it)
        const short = await client.fetch(`${server.url}/api`, streamInit(streamOf("he", "llo")))
        assert.strictEqual(await short.text(), "ok 5")
        assert.strictEqual(server.apiRequests[2]?.body, "hello")
      } finally {
        await client.close()
      }
    }))

  it("a stream past the default limit is sent once, whole and streamed, and the 401 is the answer", () => {
    const hits: Array<boolean> = []
    return Server.withServer((hit, response) => {
      hits.push(chunked(hit))
      refusesT1(hit, response)
    }, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        const half = "b".repeat(MiB / 2)
        const response = await client.fetch(`${server.url}/api`, streamInit(streamOf(half, half, "c", "tail")))
        assert.strictEqual(response.status, 401)
        assert.strictEqual(server.apiRequests.length, 1)
        assert.strictEqual(server.apiRequests[0]?.body, `${half}${half}ctail`)
        assert.deepStrictEqual(hits, [true])
      } finally {
        await client.close()
      }
    })
  })

  it("a body stream that fails rejects with NetworkError (source Api), while it is read or once it is sent", () =>
    Server.withServer(undefined, async (server) => {
      const client = createTokenClient({
        tokenUrl: server.tokenUrl,
        clientId: "app",
        clientSecret: "s3cret",
        replayBodyLimit: 4
      })
      try {
        const failed = async (first: string) => {
          const call = client.fetch(`${server.url}/api`, streamInit(failing(first, new Error("disk gone"))))
          const error = await call.then(() => undefined, (error: unknown) => error)
          assert.instanceOf(error, NetworkError)
          assert.strictEqual((error as NetworkError).source, "Api")
          assert.match(
            (error as NetworkError).message,
            /^API http:\/\/127\.0\.0\.1:\d+ could not be called \(disk gone\)$/
          )
        }
        // within the limit: nothing is sent, not even a token request
        await failed("ab")
        assert.strictEqual(server.tokenRequests.length, 0)
        // past it: the request was on its way
        await failed("abcdefgh")
        assert.strictEqual(server.tokenRequests.length, 1)
      } finally {
        await client.close()
      }
    }))

  it("with the default client, a streamed body follows no redirect: the redirect rejects with NetworkError", () =>
    Server.withServer((hit, response) => {
      if (hit.path === "/api") {
        response.writeHead(303, { location: "/other" })
        response.end()
      } else response.end(`other ${hit.body.length}`)
    }, async (server) => {
      const client = createTokenClient({
        tokenUrl: server.tokenUrl,
        clientId: "app",
        clientSecret: "s3cret",
        replayBodyLimit: 4
      })
      try {
        // a body kept in memory is sent as the platform's fetch sends it: a 303 is followed
        const kept = await client.fetch(`${server.url}/api`, { method: "POST", body: "abcd" })
        assert.strictEqual(await kept.text(), "other 0")
        const error = await client.fetch(`${server.url}/api`, { method: "POST", body: "abcde" }).then(
          () => undefined,
          (error: unknown) => error
        )
        assert.instanceOf(error, NetworkError)
        assert.match((error as NetworkError).message, /could not be called \(unexpected redirect\)$/)
        assert.deepStrictEqual(server.apiRequests.map((hit) => hit.body), ["abcd", "", "abcde"])
      } finally {
        await client.close()
      }
    }))

  it("an abort while the body is read rejects at once with the signal's reason, and cancels the stream", () =>
    Server.withServer(undefined, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      try {
        const reason = new Error("the caller gave up")
        const { state, stream } = stalled("start")
        const controller = new AbortController()
        const call = client.fetch(`${server.url}/api`, streamInit(stream, controller.signal))
        await sleep(50)
        const abortedAt = Date.now()
        controller.abort(reason)
        const outcome = await settledWithin(call, 2000)
        assert.deepStrictEqual(outcome, { error: reason })
        assert.isBelow(Date.now() - abortedAt, 500)
        assert.strictEqual(state.cancelled, reason)
        // no reason given: an AbortError, as the platform's fetch rejects with
        const other = stalled("start")
        const plain = new AbortController()
        const second = client.fetch(`${server.url}/api`, streamInit(other.stream, plain.signal))
        await sleep(20)
        plain.abort()
        const error = await settledWithin(second, 2000)
        assert.notStrictEqual(error, "pending")
        const rejected = (error as { readonly error: unknown }).error
        assert.instanceOf(rejected, DOMException)
        assert.strictEqual((rejected as DOMException).name, "AbortError")
        assert.strictEqual(rejected, plain.signal.reason)
        assert.strictEqual(server.apiRequests.length, 0)
      } finally {
        await client.close()
      }
    }))

  it("close() while the body is read rejects with ClosedError at once, and cancels the stream", () =>
    Server.withServer(undefined, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
      const { state, stream } = stalled("start")
      const call = client.fetch(`${server.url}/api`, streamInit(stream))
      await sleep(50)
      await client.close()
      const outcome = await settledWithin(call, 2000)
      assert.notStrictEqual(outcome, "pending")
      const error = (outcome as { readonly error: unknown }).error
      assert.instanceOf(error, ClosedError)
      assert.strictEqual((error as Error).message, "createTokenClient: the client is closed")
      assert.isDefined(state.cancelled)
      assert.strictEqual(server.apiRequests.length, 0)
    }))
})

interface Measured {
  readonly peakGrowthMiB: number
  readonly heldPeakMiB: number
  readonly receivedMiB: number
  readonly outcome: {
    readonly status?: number
    readonly rejected?: string
    readonly isReason?: boolean
    readonly afterAbortMs?: number
  }
}

/** Runs `bodyMemory.ts` for `scenario` in a child process with `--expose-gc`, and reads what it measured. */
const measure = async (scenario: string): Promise<Measured> => {
  const child = spawn(
    process.execPath,
    ["--expose-gc", "--conditions=@effect-oauth2/source", "--import", "tsx", "bodyMemory.ts", scenario],
    { cwd: Path.dirname(fileURLToPath(import.meta.url)), stdio: ["ignore", "pipe", "pipe"] }
  )
  let output = ""
  child.stdout.on("data", (chunk) => (output += chunk))
  child.stderr.on("data", (chunk) => (output += chunk))
  const code = await new Promise<number | null | "timeout">((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      resolve("timeout")
    }, 25_000)
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
  assert.strictEqual(code, 0, output)
  return JSON.parse(output.trim().split("\n").at(-1)!) as Measured
}

describe("promise fetch: what a body costs", () => {
  it("a 50 MiB body costs at most a few MiB over its own size", async () => {
    const measured = await measure("buffer50")
    assert.strictEqual(measured.outcome.status, 200, JSON.stringify(measured))
    assert.strictEqual(measured.receivedMiB, 50)
    assert.isAtMost(measured.heldPeakMiB, 58, JSON.stringify(measured))
    assert.isAtMost(measured.peakGrowthMiB, 58, JSON.stringify(measured))
  }, 30_000)

  it(
    "an endless stream is sent as it is read, holding a few MiB, and an abort rejects at once with its reason",
    async () => {
      const measured = await measure("endless")
      assert.strictEqual(measured.outcome.isReason, true, JSON.stringify(measured))
      assert.isBelow(measured.outcome.afterAbortMs!, 500, JSON.stringify(measured))
      assert.isAtLeast(measured.receivedMiB, 64)
      // an eighth of what the server received, at most
      assert.isAtMost(measured.heldPeakMiB, 8, JSON.stringify(measured))
      assert.isAtMost(measured.peakGrowthMiB, 32, JSON.stringify(measured))
    },
    30_000
  )
})
