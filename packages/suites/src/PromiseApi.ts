/**
 * The Promise API (`docs/promise.md`): `createTokenClient` (`docs/promise.md#createtokenclient`), `getToken`
 * (`docs/promise.md#gettoken`), `fetch` (`docs/promise.md#fetch`), `close` (`docs/promise.md#close`) and what calls
 * reject with (`docs/promise.md#errors`), against a real `node:http` server on 127.0.0.1 (the fast path reads the
 * monotonic clock, so the tests that cross a refresh point use real lifetimes of about a second).
 *
 * @since 0.1.0
 */
import * as Crypto from "node:crypto"
import * as Server from "./fixtures/PromiseServer.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** Waits until `condition` holds, at most `millis`. */
const until = async (condition: () => boolean, millis = 2000) => {
  const deadline = Date.now() + millis
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await sleep(10)
  }
}

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error)

/** How `promise` settled within `millis`: its value, its rejection, or `"pending"`. */
const settledWithin = <A>(promise: Promise<A>, millis: number) =>
  Promise.race([
    promise.then((value) => ({ value }), (error: unknown) => ({ error })),
    sleep(millis).then(() => "pending" as const)
  ])

const basic = (secret: string) => `Basic ${Buffer.from(`app:${secret}`).toString("base64")}`

const secret = "s3cret-VALUE-never-shown"

const MiB = 1024 * 1024

const streamInit = (body: ReadableStream<Uint8Array>, signal?: AbortSignal): RequestInit =>
  ({ method: "POST", body, duplex: "half", ...(signal === undefined ? {} : { signal }) }) as RequestInit

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

/** Answers 200 with a body that announces 1000 bytes and breaks off after 7. */
const breaksOff: Server.ApiHandler = (_, response) => {
  response.writeHead(200, { "content-type": "text/plain", "content-length": "1000" })
  response.write("partial")
  setTimeout(() => response.destroy(), 10)
}

/** A stream that gives `first`, then fails with `error`. */
const failing = (first: string, error: Error) => {
  let given = false
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (given) return controller.error(error)
      given = true
      controller.enqueue(new TextEncoder().encode(first))
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

const optionCases: ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>, string]> = [
  ["an empty secret", { clientSecret: "" }, "clientSecret is empty"],
  [
    "an undefined secret (an unset environment variable)",
    { clientSecret: undefined },
    "clientSecret is undefined: is the environment variable it is read from set?"
  ],
  [
    "no secret at all",
    { clientSecret: "drop" },
    "clientSecret is undefined: is the environment variable it is read from set?"
  ],
  ["a secret of another type", { clientSecret: 42 }, "clientSecret must be a string or a Redacted value, not a number"],
  [
    "an undefined private key",
    { clientSecret: "drop", authMethod: "private_key_jwt", privateKey: undefined },
    "privateKey is undefined: is the environment variable it is read from set?"
  ],
  [
    "a private key that is no key",
    { clientSecret: "drop", authMethod: "private_key_jwt", privateKey: secret },
    "privateKey is neither a PKCS#8 PEM nor a JWK in JSON"
  ],
  [
    "a token URL over http to another host",
    { tokenUrl: "http://auth.example.com/token" },
    "tokenUrl must use https (RFC 6749 §3.2), not http://auth.example.com; set allowInsecureHttp to allow http"
  ],
  ["an empty client id", { clientId: "" }, "clientId is empty or contains a control character"],
  ["a negative replayBodyLimit", { replayBodyLimit: -1 }, "replayBodyLimit must be a whole number of bytes, 0 or more"],
  [
    "a fractional replayBodyLimit",
    { replayBodyLimit: 1.5 },
    "replayBodyLimit must be a whole number of bytes, 0 or more"
  ]
]

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  const { ClosedError, createTokenClient, NetworkError, TokenError } = line.promise

  /** A client of `server`, closed after `body`. */
  const withClient = async (
    server: Server.TestServer,
    options: Readonly<Record<string, unknown>>,
    body: (client: Line.PromiseClient) => Promise<void>
  ) => {
    const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret", ...options })
    try {
      await body(client)
    } finally {
      await client.close()
    }
  }

  const assertClosed = (error: unknown) => {
    assert.instanceOf(error, ClosedError)
    assert.strictEqual((error as Error).name, "ClosedError")
    assert.strictEqual((error as Error).message, "createTokenClient: the client is closed")
  }

  describe("the Promise API: getToken and fetch", () => {
    it(
      "1,000 concurrent getToken() on a cold client share one token request, its token or its failure",
      () =>
        Server.withServer(undefined, (server) =>
          withClient(server, {}, async (client) => {
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
          })),
      20_000
    )

    it("getToken gives the token, a plain string secret sent as Basic, and a cached call sends nothing", () =>
      Server.withServer(undefined, (server) =>
        withClient(server, {}, async (client) => {
          assert.strictEqual(await client.getToken(), "t1")
          assert.strictEqual(await client.getToken(), "t1")
          assert.deepStrictEqual(server.tokenRequests, [{ authorization: basic("s3cret") }])
        })))

    it("rejects with the line's own TokenError, never a wrapper of it; fetch sends nothing then", () =>
      Server.withServer(undefined, async (server) => {
        server.tokenStatus = 401
        await withClient(server, {}, async (client) => {
          const error = await rejection(client.getToken())
          assert.instanceOf(error, TokenError)
          assert.strictEqual((error as unknown as { reason: string }).reason, "OAuth")
          assert.strictEqual((error as unknown as { error: string }).error, "invalid_client")
          assert.instanceOf(await rejection(client.fetch(`${server.url}/api`)), TokenError)
          assert.strictEqual(server.apiRequests.length, 0)
        })
      }))

    it("fetch rejects with NetworkError (source Api) when the API cannot be reached", () =>
      Server.withServer(undefined, async (server) => {
        const closed = await Server.start()
        await closed.close()
        await withClient(server, {}, async (client) => {
          const error = await rejection(client.fetch(`${closed.url}/api`))
          assert.instanceOf(error, NetworkError)
          assert.strictEqual((error as unknown as { source: string }).source, "Api")
          assert.notInclude(String(error), "t1")
        })
      }))

    it("a body that breaks off errors its stream with a NetworkError that says so, showing no token", () =>
      Server.withServer(breaksOff, (server) =>
        withClient(server, {}, async (client) => {
          const response = await client.fetch(`${server.url}/api`)
          const error = await rejection(response.text())
          const cause = error instanceof TypeError ? error.cause ?? error : error
          assert.instanceOf(cause, NetworkError)
          assert.strictEqual((cause as unknown as { status: number }).status, 200)
          assert.match(
            (cause as Error).message,
            /^API http:\/\/127\.0\.0\.1:\d+ broke off its answer after HTTP 200 \(.+\)$/
          )
          assert.notInclude(String(cause), "t1")
        })))

    it("fetch sends the token and resolves for every status, with status, headers and body", () =>
      Server.withServer((hit, response) => {
        const status = hit.path === "/missing" ? 404 : hit.path === "/empty" ? 204 : 200
        response.writeHead(status, { "x-answer": "yes", "content-type": "text/plain" })
        response.end(status === 204 ? undefined : `${status} ${hit.body}`)
      }, (server) =>
        withClient(server, {}, async (client) => {
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
        })))

    it("after a 401, fetch sends the body again with a fresh token, and getToken never hands out the rejected one", () =>
      Server.withServer(Server.refusesT1, (server) =>
        withClient(server, {}, async (client) => {
          assert.strictEqual(await client.getToken(), "t1")
          const response = await client.fetch(`${server.url}/api`, { method: "PUT", body: "payload" })
          assert.strictEqual(response.status, 200)
          assert.strictEqual(await response.text(), "ok 7")
          assert.deepStrictEqual(server.apiRequests, [
            { authorization: "Bearer t1", body: "payload" },
            { authorization: "Bearer t2", body: "payload" }
          ])
          assert.strictEqual(await client.getToken(), "t2")
          assert.strictEqual(await client.getToken(), "t2")
          assert.strictEqual(server.tokenRequests.length, 2)
        })))

    it("after the refresh point, getToken starts the background refresh and the next calls get the new token", () =>
      Server.withServer(undefined, async (server) => {
        // usable for 1000 ms, refreshed from 450–500 ms
        server.expiresIn = 1
        await withClient(server, { expiryLeeway: 0, refreshAhead: 0.5 }, async (client) => {
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
          assert.strictEqual(server.tokenRequests.length, 2)
        })
      }))

    it("getToken(request) gets a token for that request, cached separately", () =>
      Server.withServer(undefined, (server) =>
        withClient(server, {}, async (client) => {
          assert.strictEqual(await client.getToken(), "t1")
          assert.strictEqual(await client.getToken({ scopes: ["other"] }), "t2")
          assert.strictEqual(await client.getToken({ scopes: ["other"] }), "t2")
          assert.strictEqual(await client.getToken(), "t1")
        })))
  })

  describe("the Promise API: createTokenClient checks its options when it is called", () => {
    for (const [name, overrides, problem] of optionCases) {
      it(`throws a TypeError naming the option for ${name}`, () => {
        const options: Record<string, unknown> = {
          tokenUrl: "http://127.0.0.1:9/token",
          clientId: "app",
          clientSecret: secret,
          ...overrides
        }
        if (options.clientSecret === "drop") delete options.clientSecret
        let thrown: unknown
        try {
          createTokenClient(options)
        } catch (error) {
          thrown = error
        }
        assert.instanceOf(thrown, TypeError)
        assert.strictEqual((thrown as TypeError).message, `createTokenClient: ${problem}`)
        assert.notInclude(String(thrown), secret)
        assert.notInclude((thrown as TypeError).stack ?? "", secret)
      })
    }

    it("a private key that cannot be imported makes every call reject with a TypeError naming privateKey", () =>
      Server.withServer(undefined, async (server) => {
        const { privateKey } = Crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
        const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
        const client = createTokenClient({
          tokenUrl: server.tokenUrl,
          clientId: "app",
          authMethod: "private_key_jwt",
          privateKey: pem,
          signingAlgorithm: "RS256"
        })
        try {
          const errors = [
            await rejection(client.getToken()),
            await rejection(client.getToken({ scopes: ["other"] })),
            await rejection(client.fetch(`${server.url}/api`))
          ]
          for (const error of errors) {
            assert.instanceOf(error, TypeError)
            assert.strictEqual(
              (error as TypeError).message,
              "createTokenClient: privateKey does not fit signingAlgorithm RS256"
            )
            for (const pemLine of pem.split("\n").filter((text) => text.length > 0 && !text.startsWith("-----"))) {
              assert.notInclude(String(error), pemLine)
            }
          }
          assert.strictEqual(server.tokenRequests.length, 0)
          assert.strictEqual(server.apiRequests.length, 0)
        } finally {
          await client.close()
        }
      }))
  })

  describe("the Promise API: request bodies", () => {
    it("a body of replayBodyLimit bytes is sent again after a 401; one byte more is sent once, and the 401 is the answer", async () => {
      await Server.withServer(
        Server.refusesT1,
        (server) =>
          withClient(server, { replayBodyLimit: 10 }, async (client) => {
            const response = await client.fetch(`${server.url}/api`, { method: "POST", body: "0123456789" })
            assert.strictEqual(await response.text(), "ok 10")
            assert.deepStrictEqual(server.apiRequests, [
              { authorization: "Bearer t1", body: "0123456789" },
              { authorization: "Bearer t2", body: "0123456789" }
            ])
          })
      )
      await Server.withServer(
        Server.refusesT1,
        (server) =>
          withClient(server, { replayBodyLimit: 10 }, async (client) => {
            const response = await client.fetch(`${server.url}/api`, { method: "POST", body: "0123456789A" })
            assert.strictEqual(response.status, 401)
            assert.deepStrictEqual(server.apiRequests, [{ authorization: "Bearer t1", body: "0123456789A" }])
            // the refused token is dropped all the same
            assert.strictEqual(await client.getToken(), "t2")
          })
      )
    })

    it(
      "the default limit is 1 MiB: a stream past it is sent once, whole, and the 401 is the answer",
      () =>
        Server.withServer(Server.refusesT1, (server) =>
          withClient(server, {}, async (client) => {
            const half = "b".repeat(MiB / 2)
            const response = await client.fetch(`${server.url}/api`, streamInit(streamOf(half, half, "c", "tail")))
            assert.strictEqual(response.status, 401)
            assert.strictEqual(server.apiRequests.length, 1)
            assert.strictEqual(server.apiRequests[0]?.body, `${half}${half}ctail`)
          })),
      20_000
    )
  })

  describe("the Promise API: fetch through the HTTP client given", () => {
    it("an answer's body that breaks off is a NetworkError naming the origin fetch was called with, after a redirect too", () =>
      Server.withServer(breaksOff, (elsewhere) =>
        Server.withServer((_, response) => {
          response.writeHead(302, { location: `${elsewhere.url}/moved` })
          response.end()
        }, (server) =>
          withClient(server, { httpClient: line.promise.httpClient({ followRedirects: true }) }, async (client) => {
            const response = await client.fetch(`${server.url}/api`)
            assert.strictEqual(response.status, 200)
            assert.strictEqual(elsewhere.apiRequests.length, 1)
            const error = await rejection(response.text())
            const cause = error instanceof TypeError ? error.cause ?? error : error
            assert.instanceOf(cause, NetworkError)
            const fields = cause as unknown as {
              readonly source: string
              readonly origin: string
              readonly status: number
            }
            assert.deepStrictEqual([fields.source, fields.origin, fields.status], ["Api", server.url, 200])
            assert.match((cause as Error).message, /^API \S+ broke off its answer after HTTP 200 \(.+\)$/)
            assert.isTrue((cause as Error).message.startsWith(`API ${server.url} broke off`))
            assert.notInclude(String(cause), "t1")
          }))))

    it("a request body that fails while it is read rejects with NetworkError naming the origin; nothing is sent", () =>
      Server.withServer(
        undefined,
        (server) =>
          withClient(server, { httpClient: line.promise.httpClient() }, async (client) => {
            const error = await rejection(
              client.fetch(`${server.url}/api`, streamInit(failing("ab", new Error("disk gone"))))
            )
            assert.instanceOf(error, NetworkError)
            const fields = error as unknown as { readonly source: string; readonly origin: string }
            assert.deepStrictEqual([fields.source, fields.origin], ["Api", server.url])
            assert.strictEqual((error as Error).message, `API ${server.url} could not be called (disk gone)`)
            assert.strictEqual(server.apiRequests.length, 0)
            assert.strictEqual(server.tokenRequests.length, 0)
          })
      ))
  })

  describe("the Promise API: a call cut short", () => {
    it("getToken cut by close() rejects with ClosedError, as a call after close() does; close twice is fine", () =>
      Server.withServer(undefined, async (server) => {
        server.holdTokens = true
        const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: secret })
        const call = rejection(client.getToken())
        await until(() => server.tokenRequests.length === 1)
        await client.close()
        await client.close()
        assertClosed(await call)
        assertClosed(await rejection(client.getToken()))
        assertClosed(await rejection(client.getToken({ scopes: ["other"] })))
        assertClosed(await rejection(client.fetch(`${server.url}/api`)))
        assert.strictEqual(server.tokenRequests.length, 1)
      }))

    it("fetch cut by close() while the API answers rejects with ClosedError", () =>
      Server.withServer(() => {}, async (server) => {
        const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: secret })
        const call = rejection(client.fetch(`${server.url}/api`, { method: "POST", body: "payload" }))
        await until(() => server.apiRequests.length === 1)
        await client.close()
        assertClosed(await call)
      }))

    it("fetch aborted by its signal rejects with the signal's reason: an AbortError DOMException unless one is given", () =>
      Server.withServer(() => {}, (server) =>
        withClient(server, {}, async (client) => {
          const plain = new AbortController()
          const first = rejection(client.fetch(`${server.url}/api`, { signal: plain.signal }))
          await until(() => server.apiRequests.length === 1)
          plain.abort()
          const error = await first
          assert.instanceOf(error, DOMException)
          assert.strictEqual((error as DOMException).name, "AbortError")
          assert.strictEqual(error, plain.signal.reason)

          const reason = new Error("the caller gave up")
          const ofRequest = new AbortController()
          const second = rejection(client.fetch(new Request(`${server.url}/api`, { signal: ofRequest.signal })))
          await until(() => server.apiRequests.length === 2)
          ofRequest.abort(reason)
          assert.strictEqual(await second, reason)
        })))

    it("an abort while the body is read rejects at once with the signal's reason, and cancels the stream", () =>
      Server.withServer(undefined, (server) =>
        withClient(server, {}, async (client) => {
          const reason = new Error("the caller gave up")
          const { state, stream } = stalled("start")
          const controller = new AbortController()
          const call = client.fetch(`${server.url}/api`, streamInit(stream, controller.signal))
          await sleep(50)
          const abortedAt = Date.now()
          controller.abort(reason)
          assert.deepStrictEqual(await settledWithin(call, 2000), { error: reason })
          assert.isBelow(Date.now() - abortedAt, 500)
          assert.strictEqual(state.cancelled, reason)
          assert.strictEqual(server.apiRequests.length, 0)
        })))

    it("close() while the body is read rejects with ClosedError at once, and cancels the stream", () =>
      Server.withServer(undefined, async (server) => {
        const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
        const { state, stream } = stalled("start")
        const call = client.fetch(`${server.url}/api`, streamInit(stream))
        await sleep(50)
        await client.close()
        const outcome = await settledWithin(call, 2000)
        assert.notStrictEqual(outcome, "pending")
        assertClosed((outcome as { readonly error: unknown }).error)
        assert.isDefined(state.cancelled)
        assert.strictEqual(server.apiRequests.length, 0)
      }))
  })
}
