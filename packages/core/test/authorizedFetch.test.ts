/**
 * The authorized `fetch` on the platform's `fetch` (`docs/promise.md#fetch`), with a fake `fetch` in its place: the
 * token in `Authorization` (the caller's headers kept), the 401 rule (`docs/behaviour.md#rejected-tokens`), bodies
 * kept or streamed once, failures to send and of an answer's body as the line's network error, calls cut by their
 * signal or by the client's closing.
 */
import { afterEach, assert, beforeEach, describe, it, vi } from "vitest"
import * as AuthorizedFetch from "../src/authorizedFetch.js"

interface Token {
  readonly tokenType: string
  readonly secret: string
}

const first: Token = { tokenType: "Bearer", secret: "first-token" }
const second: Token = { tokenType: "Bearer", secret: "second-token" }

class Closed extends Error {}

/** A call to the fake `fetch`: its URL and init as the platform would get them. */
interface Sent {
  readonly url: string
  readonly init: RequestInit
}

/** Answers the fake `fetch` gives, in order; a function answers from what was sent. */
type Answer = Response | Error | ((sent: Sent) => Response | Promise<Response>)

let sent: Array<Sent> = []
let answers: Array<Answer> = []

beforeEach(() => {
  sent = []
  answers = []
  vi.stubGlobal("fetch", async (url: string, init: RequestInit): Promise<Response> => {
    const call = { url, init }
    sent.push(call)
    const answer = answers.shift() ?? new Response("ok")
    if (answer instanceof Error) throw answer
    return typeof answer === "function" ? answer(call) : answer
  })
})

afterEach(() => {
  vi.unstubAllGlobals()
})

/** A client with `overrides`, and what it was asked. */
const clientOf = (overrides: Partial<AuthorizedFetch.Client<Token>> = {}) => {
  const seen = { tokenCalls: 0, invalidated: [] as Array<Token>, rejected: 0, recovered: 0, values: 0, cuts: 0 }
  const cuts = new Set<() => void>()
  const closing = new AbortController()
  let closed = false
  let tokens = [first, second]
  const client: AuthorizedFetch.Client<Token> = {
    isClosed: () => closed,
    closing: closing.signal,
    track: (cut) => {
      cuts.add(cut)
      return () => cuts.delete(cut)
    },
    freshToken: () => undefined,
    token: () => {
      seen.tokenCalls++
      return Promise.resolve(tokens[0]!)
    },
    invalidate: (token) => {
      seen.invalidated.push(token)
      tokens = tokens.slice(1)
      return Promise.resolve()
    },
    telemetry: () => ({ rejected: () => seen.rejected++, recovered: () => seen.recovered++ }),
    replayBodyLimit: 16,
    reveal: (token) => {
      seen.values++
      return token.secret
    },
    closedError: () => new Closed("createTokenClient: the client is closed"),
    networkError: (failure) => ({ networkError: failure }),
    ...overrides
  }
  const close = () => {
    closed = true
    closing.abort()
    for (const cut of cuts) cut()
  }
  return { client, fetch: AuthorizedFetch.make(client), seen, close, tracked: () => cuts.size }
}

const rejection = <A>(promise: Promise<A>): Promise<unknown> =>
  promise.then(() => assert.fail("expected a rejection"), (error: unknown) => error)

const authorizationOf = (init: RequestInit): string | null => new Headers(init.headers).get("authorization")

const rejecting = () =>
  new Response("no", { status: 401, headers: { "www-authenticate": "Bearer error=\"invalid_token\"" } })

describe("authorizedFetch: the token", () => {
  it("a fresh token is used at once, its Authorization built once; the answer is the platform's own", async () => {
    const answer = new Response("hello")
    answers = [answer]
    const { fetch, seen } = clientOf({ freshToken: () => first })
    const response = await fetch("https://api.example.com/things?x=1")
    assert.strictEqual(response, answer, "the platform's Response, not a copy")
    assert.strictEqual(await response.text(), "hello")
    assert.deepStrictEqual(sent, [{
      url: "https://api.example.com/things?x=1",
      init: { method: "GET", headers: { authorization: "Bearer first-token" }, redirect: "follow" }
    }])
    await fetch(new URL("https://api.example.com/other"))
    assert.strictEqual(sent[1]!.url, "https://api.example.com/other")
    assert.strictEqual(seen.tokenCalls, 0)
    assert.strictEqual(seen.values, 1)
  })

  it("without a fresh token, the service's token", async () => {
    const { fetch, seen } = clientOf()
    await fetch("https://api.example.com/")
    assert.strictEqual(seen.tokenCalls, 1)
    assert.strictEqual(authorizationOf(sent[0]!.init), "Bearer first-token")
  })

  it("the caller's headers are kept, its Authorization replaced: a record stays a record", async () => {
    const { fetch } = clientOf({ freshToken: () => first })
    await fetch("https://api.example.com/", {
      method: "POST",
      headers: { "x-trace": "1", Authorization: "Basic caller" },
      redirect: "manual"
    })
    assert.deepStrictEqual(sent[0]!.init, {
      method: "POST",
      headers: { "x-trace": "1", authorization: "Bearer first-token" },
      redirect: "manual"
    })
    await fetch("https://api.example.com/", { headers: new Headers({ "x-trace": "2", authorization: "Basic caller" }) })
    await fetch("https://api.example.com/", { headers: [["x-trace", "3"], ["authorization", "Basic caller"]] })
    for (const [index, trace] of [[1, "2"], [2, "3"]] as const) {
      const headers = sent[index]!.init.headers as Headers
      assert.instanceOf(headers, Headers)
      assert.strictEqual(headers.get("x-trace"), trace)
      assert.strictEqual(headers.get("authorization"), "Bearer first-token")
    }
  })

  it("a signal the caller gave goes to the platform's fetch; the client's closing never does", async () => {
    const { fetch } = clientOf()
    const controller = new AbortController()
    await fetch("https://api.example.com/", { signal: controller.signal })
    assert.strictEqual(sent[0]!.init.signal, controller.signal)
    await fetch("https://api.example.com/")
    assert.notProperty(sent[1]!.init, "signal")
  })
})

describe("authorizedFetch: the 401 rule", () => {
  it("a 401 that rejects the token: dropped, the request sent once more with a fresh one; counted", async () => {
    const answer = rejecting()
    answers = [answer, new Response("second")]
    const { fetch, seen } = clientOf()
    const response = await fetch("https://api.example.com/", { method: "PUT", body: "small" })
    assert.strictEqual(await response.text(), "second")
    assert.deepStrictEqual(seen.invalidated, [first])
    assert.deepStrictEqual(sent.map((call) => authorizationOf(call.init)), [
      "Bearer first-token",
      "Bearer second-token"
    ])
    assert.deepStrictEqual(sent.map((call) => new TextDecoder().decode(call.init.body as Uint8Array)), [
      "small",
      "small"
    ])
    assert.deepStrictEqual([seen.rejected, seen.recovered], [1, 1])
    assert.isTrue(answer.bodyUsed, "the first answer's body is let go")
  })

  it("a 401 that does not reject the token (another error): the answer, the token kept", async () => {
    for (const challenge of ["Bearer error=\"insufficient_scope\"", "Bearer error=\"invalid_request\""]) {
      answers = [new Response("no", { status: 401, headers: { "www-authenticate": challenge } })]
      const { fetch, seen } = clientOf()
      assert.strictEqual((await fetch("https://api.example.com/")).status, 401)
      assert.deepStrictEqual(seen.invalidated, [])
      assert.strictEqual(seen.rejected, 0)
    }
    assert.strictEqual(sent.length, 2)
  })

  it("the header and the challenge are the token's own type's", async () => {
    const bound: Token = { tokenType: "DPoP", secret: "bound-token" }
    answers = [
      new Response("no", {
        status: 401,
        headers: { "www-authenticate": "Bearer error=\"invalid_token\", DPoP error=\"insufficient_scope\"" }
      })
    ]
    const { fetch, seen } = clientOf({ freshToken: () => bound })
    assert.strictEqual((await fetch("https://api.example.com/")).status, 401)
    assert.strictEqual(authorizationOf(sent[0]!.init), "DPoP bound-token")
    assert.deepStrictEqual(seen.invalidated, [])
  })

  it("a 401 with no challenge rejects the token", async () => {
    answers = [new Response("no", { status: 401 })]
    const { fetch, seen } = clientOf()
    assert.strictEqual((await fetch("https://api.example.com/")).status, 200)
    assert.deepStrictEqual(seen.invalidated, [first])
  })

  it("the service hands back a token of the same value: the 401 is the answer, nothing sent again", async () => {
    const same: Token = { tokenType: "Bearer", secret: "first-token" }
    const answer = rejecting()
    answers = [answer]
    let asked = 0
    const { fetch, seen } = clientOf({ token: () => Promise.resolve(asked++ === 0 ? first : same) })
    const response = await fetch("https://api.example.com/")
    assert.strictEqual(response, answer)
    assert.strictEqual(sent.length, 1)
    assert.deepStrictEqual([seen.rejected, seen.recovered], [1, 0])
    assert.strictEqual(await response.text(), "no", "its body is the caller's to read")
  })

  it("a body streamed once (past replayBodyLimit): the token is dropped, the 401 is the answer", async () => {
    answers = [async (call) => {
      await new Response(call.init.body).arrayBuffer()
      return rejecting()
    }]
    const { fetch, seen } = clientOf()
    // a string body is read from a stream like any other
    const response = await fetch("https://api.example.com/", {
      method: "POST",
      body: "a body longer than sixteen bytes"
    })
    assert.strictEqual(response.status, 401)
    assert.deepStrictEqual(seen.invalidated, [first])
    assert.strictEqual(seen.tokenCalls, 1, "no fresh token is asked for")
    assert.strictEqual(sent.length, 1)
    assert.strictEqual(sent[0]!.init.redirect, "error", "a streamed body never follows a redirect")
    assert.strictEqual((sent[0]!.init as { readonly duplex?: string }).duplex, "half")
    assert.instanceOf(sent[0]!.init.body, ReadableStream)
  })

  it("the fresh token is rejected too: that 401 is the answer, not counted as recovered", async () => {
    answers = [rejecting(), rejecting()]
    const { fetch, seen } = clientOf()
    assert.strictEqual((await fetch("https://api.example.com/")).status, 401)
    assert.strictEqual(sent.length, 2)
    assert.deepStrictEqual([seen.rejected, seen.recovered], [1, 0])
  })
})

describe("authorizedFetch: failures", () => {
  const refused = () =>
    new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) })

  it("a request that could not be sent: the line's network error, the URL's origin, the cause's code", async () => {
    answers = [refused()]
    const { fetch } = clientOf()
    assert.deepStrictEqual(await rejection(fetch("https://api.example.com:8443/path?q=secret")), {
      networkError: {
        reason: "Transport",
        source: "Api",
        origin: "https://api.example.com:8443",
        detail: "unreachable (ECONNREFUSED)"
      }
    })
  })

  it("a request body whose stream failed: the line's network error, nothing sent", async () => {
    const body = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error("disk gone")) })
    const { fetch } = clientOf()
    const error = await rejection(
      fetch("https://api.example.com/", { method: "POST", body, duplex: "half" } as RequestInit)
    )
    assert.deepStrictEqual(error, {
      networkError: {
        reason: "Transport",
        source: "Api",
        origin: "https://api.example.com",
        detail: "could not be called (disk gone)"
      }
    })
    assert.strictEqual(sent.length, 0)
  })

  it("an answer whose body breaks off: the line's network error, its status, whichever way it is read", async () => {
    const brokenBody = () =>
      new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new TextEncoder().encode("par")),
        pull: (controller) =>
          controller.error(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }))
      })
    const expected = {
      networkError: {
        reason: "Transport",
        source: "Api",
        origin: "https://api.example.com",
        status: 200,
        detail: "broke off its answer after HTTP 200 (UND_ERR_SOCKET: other side closed)"
      }
    }
    const { fetch } = clientOf()
    for (const method of ["text", "json", "arrayBuffer", "blob", "bytes"] as const) {
      answers = [new Response(brokenBody())]
      const response = await fetch("https://api.example.com/")
      assert.deepStrictEqual(await rejection(response[method]()), expected, method)
    }
    answers = [new Response(brokenBody())]
    const response = await fetch("https://api.example.com/")
    const reader = response.body!.getReader()
    assert.strictEqual(new TextDecoder().decode((await reader.read()).value), "par")
    assert.deepStrictEqual(await rejection(reader.read()), expected)
    assert.strictEqual(response.body, response.body, "the wrapped stream is made once")
  })

  it("an answer that cannot be decoded: its error's name only", async () => {
    answers = [new Response("{ not json with a token in it")]
    const { fetch } = clientOf()
    const response = await fetch("https://api.example.com/")
    assert.deepStrictEqual(await rejection(response.json()), {
      networkError: {
        reason: "Transport",
        source: "Api",
        origin: "https://api.example.com",
        status: 200,
        detail: "answered HTTP 200 with a body that could not be decoded (SyntaxError)"
      }
    })
  })

  it("a malformed request: the platform's own TypeError", async () => {
    const { fetch } = clientOf()
    const error = await rejection(fetch("https://api.example.com/", { method: "GET", body: "no body on a GET" }))
    assert.instanceOf(error, TypeError)
    assert.notProperty(error as object, "networkError")
  })
})

describe("authorizedFetch: calls cut", () => {
  it("after the client's close: the line's closed error, nothing sent", async () => {
    const { close, fetch } = clientOf()
    close()
    const error = await rejection(fetch("https://api.example.com/"))
    assert.instanceOf(error, Closed)
    assert.strictEqual(sent.length, 0)
  })

  it("a signal aborted before the call: its reason, nothing sent, the caller's body cancelled", async () => {
    let cancelled: unknown
    const body = new ReadableStream<Uint8Array>({
      cancel: (reason) => {
        cancelled = reason
      }
    })
    const controller = new AbortController()
    const reason = new Error("gave up")
    controller.abort(reason)
    const { fetch } = clientOf()
    const error = await rejection(
      fetch(
        "https://api.example.com/",
        { method: "POST", body, duplex: "half", signal: controller.signal } as RequestInit
      )
    )
    assert.strictEqual(error, reason)
    assert.strictEqual(cancelled, reason)
    assert.strictEqual(sent.length, 0)
  })

  it("while it waits for a token: its signal's reason, or the closed error, at once", async () => {
    const never = () => new Promise<Token>(() => {})
    const controller = new AbortController()
    const bySignal = clientOf({ token: never })
    const waiting = bySignal.fetch("https://api.example.com/", { signal: controller.signal })
    controller.abort("gave up")
    assert.strictEqual(await rejection(waiting), "gave up")

    const byClose = clientOf({ token: never })
    const closing = byClose.fetch("https://api.example.com/")
    byClose.close()
    assert.instanceOf(await rejection(closing), Closed)
    assert.strictEqual(sent.length, 0)
  })

  it("a token that comes after close() sends nothing", async () => {
    let give: (token: Token) => void = () => {}
    const { close, fetch } = clientOf({ token: () => new Promise<Token>((resolve) => give = resolve) })
    const call = rejection(fetch("https://api.example.com/"))
    await Promise.resolve()
    close()
    give(first)
    assert.instanceOf(await call, Closed)
    await new Promise((resolve) => setTimeout(resolve, 0))
    assert.strictEqual(sent.length, 0)
  })

  it("an answer's body failing after close(): the closed error", async () => {
    let fail: (error: unknown) => void = () => {}
    answers = [
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => {
            fail = (error) => controller.error(error)
          }
        })
      )
    ]
    const { close, fetch } = clientOf({ freshToken: () => first })
    const response = await fetch("https://api.example.com/")
    const reading = rejection(response.text())
    close()
    fail(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }))
    assert.instanceOf(await reading, Closed)
  })

  it("while it waits for the answer: the closed error at once; tracked only while in flight", async () => {
    answers = [() => new Promise<Response>(() => {})]
    const { close, fetch, tracked } = clientOf({ freshToken: () => first })
    const call = fetch("https://api.example.com/")
    await Promise.resolve()
    assert.strictEqual(tracked(), 1)
    close()
    assert.instanceOf(await rejection(call), Closed)

    const other = clientOf({ freshToken: () => first })
    await other.fetch("https://api.example.com/")
    assert.strictEqual(other.tracked(), 0)
  })

  it("an answer's body failing after the call was cut: the reason that cut it", async () => {
    let fail: (error: unknown) => void = () => {}
    answers = [
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => {
            fail = (error) => controller.error(error)
          }
        })
      )
    ]
    const controller = new AbortController()
    const { fetch } = clientOf({ freshToken: () => first })
    const response = await fetch("https://api.example.com/", { signal: controller.signal })
    const reading = rejection(response.text())
    controller.abort("gave up")
    fail(new Error("aborted"))
    assert.strictEqual(await reading, "gave up")
  })

  it("a send that fails after the call was cut: the reason that cut it", async () => {
    const controller = new AbortController()
    answers = [(call) => {
      controller.abort("gave up")
      return Promise.reject(call.init.signal!.reason)
    }]
    const { fetch } = clientOf({ freshToken: () => first })
    assert.strictEqual(await rejection(fetch("https://api.example.com/", { signal: controller.signal })), "gave up")
  })
})
