/**
 * What the Promise API throws and rejects with (`docs/promise.md#errors`): a `TypeError` naming the option when
 * `createTokenClient` is given invalid options (a key that cannot be imported: at every call); `ClosedError` for a call
 * made after `close()` or cut by it (`docs/promise.md#close`); the signal's reason for a `fetch` it aborts. No message
 * holds a secret.
 */
import { ClosedError, createTokenClient, type Options } from "@effect-oauth2/client-credentials/promise"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Keys from "../utils/keys.js"
import * as Server from "./server.js"

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

const secret = "s3cret-VALUE-never-shown"

/** What `createTokenClient(options)` throws; fails when it returns. */
const thrownBy = (options: unknown): unknown => {
  try {
    createTokenClient(options as Options)
  } catch (error) {
    return error
  }
  throw new Error("createTokenClient returned")
}

const assertClosed = (error: unknown) => {
  assert.instanceOf(error, ClosedError)
  assert.strictEqual((error as Error).name, "ClosedError")
  assert.strictEqual((error as Error).message, "createTokenClient: the client is closed")
}

const tokenUrl = "http://127.0.0.1:9/token"

describe("promise: createTokenClient checks its options when it is called", () => {
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
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
    [
      "a secret of another type",
      { clientSecret: 42 },
      "clientSecret must be a string or a Redacted value, not a number"
    ],
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
    [
      "a negative replayBodyLimit",
      { replayBodyLimit: -1 },
      "replayBodyLimit must be a whole number of bytes, 0 or more"
    ],
    [
      "a fractional replayBodyLimit",
      { replayBodyLimit: 1.5 },
      "replayBodyLimit must be a whole number of bytes, 0 or more"
    ],
    [
      "an httpClient that is not a layer",
      { httpClient: {} },
      "httpClient must be a Layer that provides HttpClient (e.g. FetchHttpClient.layer)"
    ]
  ]
  for (const [name, overrides, problem] of cases) {
    it(`throws a TypeError naming the option for ${name}`, () => {
      const options: Record<string, unknown> = { tokenUrl, clientId: "app", clientSecret: secret, ...overrides }
      if (options.clientSecret === "drop") delete options.clientSecret
      const error = thrownBy(options)
      assert.instanceOf(error, TypeError)
      assert.strictEqual((error as TypeError).message, `createTokenClient: ${problem}`)
      assert.notInclude(String(error), secret)
      assert.notInclude((error as TypeError).stack ?? "", secret)
    })
  }

  it("valid options, a Redacted secret or a plain one, create a client and send nothing", async () => {
    const client = createTokenClient({
      tokenUrl,
      clientId: "app",
      clientSecret: secret,
      replayBodyLimit: 0,
      httpClient: FetchHttpClient.layer
    })
    await client.close()
  })

  it("a private key that cannot be imported makes every call reject with a TypeError naming privateKey", () =>
    Server.withServer(undefined, async (server) => {
      const client = createTokenClient({
        tokenUrl: server.tokenUrl,
        clientId: "app",
        authMethod: "private_key_jwt",
        privateKey: Keys.p256.pem,
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
          for (const line of Keys.p256.pemLines) assert.notInclude(String(error), line)
        }
        assert.strictEqual(server.tokenRequests.length, 0)
        assert.strictEqual(server.apiRequests.length, 0)
      } finally {
        await client.close()
      }
    }))
})

describe("promise: a call cut short", () => {
  it("getToken cut by close() rejects with ClosedError, as a call after close() does", () =>
    Server.withServer(undefined, async (server) => {
      server.holdTokens = true
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: secret })
      const call = rejection(client.getToken())
      await until(() => server.tokenRequests.length === 1)
      await client.close()
      assertClosed(await call)
      assertClosed(await rejection(client.getToken()))
      assertClosed(await rejection(client.getToken({ scopes: ["other"] })))
      assertClosed(await rejection(client.fetch(`${server.url}/api`)))
    }))

  it("fetch cut by close() while the API answers rejects with ClosedError", () =>
    Server.withServer(() => {}, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: secret })
      const call = rejection(client.fetch(`${server.url}/api`, { method: "POST", body: "payload" }))
      await until(() => server.apiRequests.length === 1)
      await client.close()
      assertClosed(await call)
    }))

  it("fetch aborted by init.signal rejects with the signal's reason: an AbortError DOMException unless one is given", () =>
    Server.withServer(() => {}, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: secret })
      try {
        const plain = new AbortController()
        const first = rejection(client.fetch(`${server.url}/api`, { signal: plain.signal }))
        await until(() => server.apiRequests.length === 1)
        plain.abort()
        const error = await first
        assert.instanceOf(error, DOMException)
        assert.strictEqual((error as DOMException).name, "AbortError")
        assert.strictEqual(error, plain.signal.reason)

        const reason = new Error("the caller gave up")
        const given = new AbortController()
        const second = rejection(client.fetch(`${server.url}/api`, { signal: given.signal }))
        await until(() => server.apiRequests.length === 2)
        given.abort(reason)
        assert.strictEqual(await second, reason)

        // the signal of a Request
        const ofRequest = new AbortController()
        const third = rejection(client.fetch(new Request(`${server.url}/api`, { signal: ofRequest.signal })))
        await until(() => server.apiRequests.length === 3)
        ofRequest.abort(reason)
        assert.strictEqual(await third, reason)
      } finally {
        await client.close()
      }
    }))

  it("fetch with a signal aborted already rejects with its reason, cancels the body and sends nothing", () =>
    Server.withServer(undefined, async (server) => {
      const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: secret })
      try {
        const reason = new Error("too late")
        const error = await rejection(client.fetch(`${server.url}/api`, { signal: AbortSignal.abort(reason) }))
        assert.strictEqual(error, reason)
        // a body that would never end is not read
        let cancelled: unknown
        const body = new ReadableStream<Uint8Array>({
          pull: () => new Promise(() => {}),
          cancel: (why) => {
            cancelled = why
          }
        })
        const init = { method: "POST", body, duplex: "half", signal: AbortSignal.abort(reason) } as RequestInit
        const withBody = await Promise.race([rejection(client.fetch(`${server.url}/api`, init)), sleep(2000)])
        assert.strictEqual(withBody, reason)
        assert.strictEqual(cancelled, reason)
        assert.strictEqual(server.tokenRequests.length, 0)
        assert.strictEqual(server.apiRequests.length, 0)
      } finally {
        await client.close()
      }
    }))
})
