/**
 * The Promise API without a runtime (`docs/promise.md`): the options' check and its order, the closed client's error,
 * the configured token's hot path and shared call, a request read for `fetch`, what `close()` cuts.
 */
import { afterEach, assert, describe, it, vi } from "vitest"
import * as PromiseClient from "../src/promiseClient.js"
import { closedMessage } from "../src/requestBody.js"

class Secret {
  constructor(readonly value: string) {}
}

class Layer {}

const line = (problem: (service: Record<string, unknown>) => string | undefined = () => undefined) => ({
  isSecret: (value: unknown) => value instanceof Secret,
  secret: (value: string) => new Secret(value),
  problem,
  isLayer: (value: unknown) => value instanceof Layer
})

/** `check` with options of any shape, as a caller without types may give them. */
const check = (options: Record<string, unknown>, with_ = line()) =>
  PromiseClient.check<Record<string, unknown>, unknown>(options as PromiseClient.ClientOptions<unknown>, with_)

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  return undefined
}

const secret = "s3cret-VALUE"

describe("promiseClient: ClosedError", () => {
  it("has the closed message and its own name", () => {
    const error = PromiseClient.closedError()
    assert.instanceOf(error, PromiseClient.ClosedError)
    assert.instanceOf(error, Error)
    assert.strictEqual(error.message, closedMessage)
    assert.strictEqual(error.name, "ClosedError")
  })
})

describe("promiseClient: check", () => {
  const base = { tokenUrl: "https://as.example/token", clientId: "app" }

  it("wraps a string secret in the line's type, keeps one already wrapped, and fills in the replay limit", () => {
    const checked = check({ ...base, clientSecret: secret }, line())
    assert.instanceOf(checked.service.clientSecret, Secret)
    assert.strictEqual((checked.service.clientSecret as Secret).value, secret)
    assert.strictEqual(checked.replayBodyLimit, PromiseClient.defaultReplayBodyLimit)
    assert.strictEqual(PromiseClient.defaultReplayBodyLimit, 1024 * 1024)
    assert.strictEqual(checked.httpClient, undefined)
    const given = new Secret(secret)
    const again = check({ ...base, clientSecret: given }, line())
    assert.strictEqual(again.service.clientSecret, given)
    assert.notProperty(again.service, "httpClient")
    assert.notProperty(again.service, "replayBodyLimit")
  })

  it("wraps a private key given as a string", () => {
    const checked = check({ ...base, authMethod: "private_key_jwt", privateKey: "pem" }, line())
    assert.instanceOf(checked.service.privateKey, Secret)
  })

  it("keeps the httpClient and replay limit given", () => {
    const layer = new Layer()
    const checked = check(
      { ...base, clientSecret: secret, httpClient: layer, replayBodyLimit: 0 },
      line()
    )
    assert.strictEqual(checked.httpClient, layer)
    assert.strictEqual(checked.replayBodyLimit, 0)
  })

  it("names an undefined secret, as an unset environment variable gives it", () => {
    const error = thrown(() => check({ ...base, clientSecret: undefined }, line()))
    assert.instanceOf(error, TypeError)
    assert.strictEqual(
      (error as Error).message,
      "createTokenClient: clientSecret is undefined: is the environment variable it is read from set?"
    )
    const key = thrown(() => check({ ...base, authMethod: "private_key_jwt" }, line()))
    assert.match((key as Error).message, /^createTokenClient: privateKey is undefined/)
    // an assertion made elsewhere needs no secret
    check({ ...base, authMethod: "private_key_jwt", clientAssertion: "x" }, line())
  })

  it("refuses a secret that is neither a string nor the line's secret type, without showing it", () => {
    const error = thrown(() => check({ ...base, clientSecret: [secret] }, line()))
    assert.strictEqual(
      (error as Error).message,
      "createTokenClient: clientSecret must be a string or a Redacted value, not an array"
    )
    const key = thrown(() => check({ ...base, authMethod: "private_key_jwt", privateKey: 42 }, line()))
    assert.match((key as Error).message, /^createTokenClient: privateKey must be a string or a Redacted value/)
  })

  it("throws the line's problem with the service's options, secrets wrapped", () => {
    let seen: Record<string, unknown> | undefined
    const error = thrown(() =>
      check(
        { ...base, clientSecret: secret },
        line((service) => {
          seen = service
          return "tokenUrl is not a URL"
        })
      )
    )
    assert.strictEqual((error as Error).message, "createTokenClient: tokenUrl is not a URL")
    assert.instanceOf(seen?.clientSecret, Secret)
  })

  it("checks the secret before the line's options, those before httpClient, that before replayBodyLimit", () => {
    const all = { ...base, clientSecret: undefined, httpClient: {}, replayBodyLimit: -1 }
    const first = thrown(() => check(all, line(() => "x")))
    assert.match((first as Error).message, /clientSecret is undefined/)
    const second = thrown(() => check({ ...all, clientSecret: secret }, line(() => "x")))
    assert.strictEqual((second as Error).message, "createTokenClient: x")
    const third = thrown(() => check({ ...all, clientSecret: secret }, line()))
    assert.strictEqual(
      (third as Error).message,
      "createTokenClient: httpClient must be a Layer that provides HttpClient (e.g. FetchHttpClient.layer)"
    )
    const fourth = thrown(() => check({ ...all, clientSecret: secret, httpClient: undefined }, line()))
    assert.strictEqual(
      (fourth as Error).message,
      "createTokenClient: replayBodyLimit must be a whole number of bytes, 0 or more"
    )
  })

  it("takes a whole replay limit of 0 or more only", () => {
    for (const replayBodyLimit of [-1, 1.5, Number.NaN, Infinity, 2 ** 53]) {
      const error = thrown(() => check({ ...base, clientSecret: secret, replayBodyLimit }, line()))
      assert.instanceOf(error, TypeError, String(replayBodyLimit))
    }
    assert.strictEqual(
      check({ ...base, clientSecret: secret, replayBodyLimit: 2 ** 53 - 1 }, line()).replayBodyLimit,
      2 ** 53 - 1
    )
  })
})

describe("promiseClient: hasNoBody", () => {
  it("is true for HEAD and the statuses a Response refuses a body for", () => {
    for (const status of [101, 103, 204, 205, 304]) assert.isTrue(PromiseClient.hasNoBody("GET", status), `${status}`)
    assert.isTrue(PromiseClient.hasNoBody("HEAD", 200))
    for (const status of [200, 201, 202, 206, 400, 401, 500]) {
      assert.isFalse(PromiseClient.hasNoBody("GET", status), `${status}`)
    }
  })
})

interface Token {
  readonly value: string
}

/** A configured token over a scripted service: its calls, the clock and whether the client is closed. */
const configured = () => {
  const state = {
    now: 0n,
    closed: false,
    calls: 0,
    reveals: 0,
    answers: [] as Array<{ resolve: (token: Token) => void; reject: (error: unknown) => void }>
  }
  const token = new PromiseClient.ConfiguredToken<Token>({
    nowNanos: () => state.now,
    reveal: (token) => {
      state.reveals++
      return token.value
    },
    isClosed: () => state.closed,
    fromService: () => {
      state.calls++
      return new Promise<Token>((resolve, reject) => state.answers.push({ resolve, reject }))
    }
  })
  return { state, token }
}

describe("promiseClient: ConfiguredToken", () => {
  it("serves the cell's token without the service while the clock is before its refresh point", async () => {
    const { state, token } = configured()
    const held = { value: "t1" }
    token.found(() => ({ token: held, refreshAtNanos: 100n }))
    state.now = 99n
    assert.strictEqual(token.fresh(), held)
    assert.strictEqual(await token.token(), held)
    assert.strictEqual(await token.value(), "t1")
    assert.strictEqual(await token.value(), "t1")
    assert.strictEqual(state.calls, 0)
    assert.strictEqual(state.reveals, 1)
    state.now = 100n
    assert.strictEqual(token.fresh(), undefined)
    const value = token.value()
    assert.strictEqual(state.calls, 1)
    state.answers[0]!.resolve({ value: "t2" })
    assert.strictEqual(await value, "t2")
  })

  it("keeps the first cell it is given", () => {
    const { token } = configured()
    const first = { value: "t1" }
    token.found(() => ({ token: first, refreshAtNanos: 1n }))
    token.found(() => ({ token: { value: "other" }, refreshAtNanos: 1n }))
    assert.strictEqual(token.fresh(), first)
  })

  it("shares one call to the service among the callers meanwhile, and forgets it once settled", async () => {
    const { state, token } = configured()
    const calls = [token.value(), token.value(), token.token()]
    assert.strictEqual(state.calls, 1)
    state.answers[0]!.resolve({ value: "t1" })
    const [a, b, c] = await Promise.all(calls)
    assert.strictEqual(a, "t1")
    assert.strictEqual(b, "t1")
    assert.deepStrictEqual(c, { value: "t1" })
    const later = token.value()
    assert.strictEqual(state.calls, 2)
    state.answers[1]!.reject(new Error("refused"))
    const error = await later.then(() => undefined, (error: unknown) => error)
    assert.strictEqual((error as Error).message, "refused")
    void token.token().catch(() => {})
    assert.strictEqual(state.calls, 3)
  })

  it("rejects with ClosedError when the client is closed and nothing is fresh; serves nothing once forgotten", async () => {
    const { state, token } = configured()
    token.found(() => ({ token: { value: "t1" }, refreshAtNanos: 100n }))
    state.closed = true
    assert.strictEqual(await token.value(), "t1")
    token.forget()
    token.found(() => ({ token: { value: "t1" }, refreshAtNanos: 100n }))
    assert.strictEqual(token.fresh(), undefined)
    for (const call of [token.value(), token.token()]) {
      const error = await call.then(() => undefined, (error: unknown) => error)
      assert.instanceOf(error, PromiseClient.ClosedError)
    }
    assert.strictEqual(state.calls, 0)
  })
})

const encoder = new TextEncoder()

describe("promiseClient: readRequest", () => {
  const reading = (isClosed = () => false, closing = new AbortController().signal) => ({
    isClosed,
    closing,
    replayBodyLimit: 4
  })

  it("reads a body within the limit, and gives the signal", async () => {
    const signal = new AbortController().signal
    const read = await PromiseClient.readRequest(
      "http://api.example/x",
      { method: "POST", body: "abc", signal },
      reading()
    )
    assert.strictEqual(read.web.method, "POST")
    assert.strictEqual(read.origin, "http://api.example")
    assert.deepStrictEqual(read.headers, { "content-type": "text/plain;charset=UTF-8" })
    assert.strictEqual(read.signal, signal)
    assert.strictEqual(read.body?._tag, "Kept")
    const none = await PromiseClient.readRequest("http://api.example/x", undefined, reading())
    assert.strictEqual(none.body, undefined)
    assert.strictEqual(none.signal, undefined)
  })

  it("takes a Request's own signal", async () => {
    const controller = new AbortController()
    const request = new Request("http://api.example/x", { signal: controller.signal })
    const read = await PromiseClient.readRequest(request, undefined, reading())
    assert.strictEqual(read.signal, request.signal)
    controller.abort()
    assert.isTrue(read.signal?.aborted)
  })

  it("rejects with ClosedError on a closed client, before it looks at the request", async () => {
    const error = await PromiseClient.readRequest("not a url", undefined, reading(() => true)).then(
      () => undefined,
      (error: unknown) => error
    )
    assert.instanceOf(error, PromiseClient.ClosedError)
  })

  it("rejects with an aborted signal's reason and cancels the body", async () => {
    const controller = new AbortController()
    controller.abort(new Error("gone"))
    let cancelled: unknown
    const body = new ReadableStream<Uint8Array>({ cancel: (reason) => void (cancelled = reason) })
    const error = await PromiseClient.readRequest(
      "http://api.example/x",
      { method: "POST", body, duplex: "half", signal: controller.signal } as RequestInit,
      reading()
    ).then(() => undefined, (error: unknown) => error)
    assert.strictEqual((error as Error).message, "gone")
    assert.strictEqual((cancelled as Error | undefined)?.message, "gone")
  })

  it("rejects with the platform's TypeError for a malformed input", async () => {
    const error = await PromiseClient.readRequest("not a url", undefined, reading()).then(
      () => undefined,
      (error: unknown) => error
    )
    assert.instanceOf(error, TypeError)
  })

  it("rejects with ClosedError when the client closed while the body was read, cancelling the rest", async () => {
    let closed = false
    let cancelled = false
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        closed = true
        controller.enqueue(encoder.encode("more than four"))
      },
      cancel: () => void (cancelled = true)
    })
    const error = await PromiseClient.readRequest(
      "http://api.example/x",
      { method: "POST", body, duplex: "half" } as RequestInit,
      reading(() => closed)
    ).then(() => undefined, (error: unknown) => error)
    assert.instanceOf(error, PromiseClient.ClosedError)
    assert.isTrue(cancelled)
  })

  it("rejects with the signal's reason when it aborted while the body was read", async () => {
    const controller = new AbortController()
    const body = new ReadableStream<Uint8Array>({
      pull: (stream) => {
        stream.enqueue(encoder.encode("ab"))
        stream.close()
        controller.abort(new Error("late"))
      }
    })
    const error = await PromiseClient.readRequest(
      "http://api.example/x",
      { method: "POST", body, duplex: "half", signal: controller.signal } as RequestInit,
      reading()
    ).then(() => undefined, (error: unknown) => error)
    assert.strictEqual((error as Error).message, "late")
  })
})

describe("promiseClient: Lifecycle", () => {
  it("aborts closing and cuts the calls it keeps, not those let go", () => {
    const lifecycle = new PromiseClient.Lifecycle()
    const cut: Array<string> = []
    lifecycle.track(() => cut.push("a"))
    const untrack = lifecycle.track(() => cut.push("b"))
    untrack()
    assert.isFalse(lifecycle.closing.aborted)
    lifecycle.close()
    assert.isTrue(lifecycle.closing.aborted)
    assert.deepStrictEqual(cut, ["a"])
  })
})

const settled = (promise: Promise<unknown>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }))

describe("promiseClient: runCall", () => {
  it("resolves with a success and rejects with a failure's error, even one reported before start returns", async () => {
    const ok = PromiseClient.runCall(
      (done) => {
        done({ _tag: "Success", value: 1 })
        return () => {}
      },
      undefined,
      () => false
    )
    assert.deepStrictEqual(await settled(ok), { value: 1 })
    const failed = PromiseClient.runCall(
      (done) => {
        done({ _tag: "Failure", error: "boom" })
        return () => {}
      },
      undefined,
      () => true
    )
    assert.deepStrictEqual(await settled(failed), { error: "boom" })
  })

  it("interrupts the call when the signal aborts, and rejects with its reason", async () => {
    const controller = new AbortController()
    let interrupted = 0
    const call = PromiseClient.runCall<number>(
      (done) => () => {
        interrupted++
        done({ _tag: "Interrupted", error: "interrupted" })
      },
      controller.signal,
      () => true
    )
    controller.abort("left")
    assert.deepStrictEqual(await settled(call), { error: "left" })
    assert.strictEqual(interrupted, 1)
    controller.signal.dispatchEvent(new Event("abort"))
    assert.strictEqual(interrupted, 1)
  })

  it("stops listening to the signal once the call has ended", async () => {
    const controller = new AbortController()
    let interrupted = 0
    await PromiseClient.runCall(
      (done) => {
        done({ _tag: "Success", value: 1 })
        return () => void interrupted++
      },
      controller.signal,
      () => false
    )
    controller.abort()
    assert.strictEqual(interrupted, 0)
  })

  it("rejects an interruption with ClosedError when the client is closed, else with the line's error", async () => {
    const interrupted = (closed: boolean) =>
      settled(PromiseClient.runCall(
        (done) => {
          done({ _tag: "Interrupted", error: "interrupted" })
          return () => {}
        },
        undefined,
        () => closed
      ))
    const closed = await interrupted(true) as { error: unknown }
    assert.instanceOf(closed.error, PromiseClient.ClosedError)
    assert.deepStrictEqual(await interrupted(false), { error: "interrupted" })
  })
})

/** A client over scripted parts: the calls it made of them. */
const clientOf = (options: { readonly clientFetch?: boolean } = {}) => {
  const state = {
    closed: false,
    closes: 0,
    fromService: 0,
    getFor: [] as Array<string>,
    invalidated: [] as Array<Token>
  }
  const client = new PromiseClient.Client<Token & { readonly tokenType: string }, string>({
    isClosed: () => state.closed,
    close: () => {
      state.closed = true
      state.closes++
      return Promise.resolve()
    },
    fromService: () => {
      state.fromService++
      return Promise.resolve({ value: "t1", tokenType: "Bearer" })
    },
    getFor: (request) => {
      state.getFor.push(request)
      return Promise.resolve({ value: `for ${request}`, tokenType: "Bearer" })
    },
    invalidate: (token) => {
      state.invalidated.push(token)
      return Promise.resolve()
    },
    nowNanos: () => 0n,
    reveal: (token) => token.value,
    networkError: (failure) => failure,
    replayBodyLimit: 4,
    clientFetch: options.clientFetch === true
      ? (reading) => () => Promise.resolve(new Response(String(reading.replayBodyLimit)))
      : undefined
  })
  return { client, state }
}

describe("promiseClient: Client", () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it("gives the configured token from the service, and another request's through getFor", async () => {
    const { client, state } = clientOf()
    assert.strictEqual(await client.getToken(), "t1")
    assert.strictEqual(await client.getToken("other"), "for other")
    assert.deepStrictEqual(state.getFor, ["other"])
    assert.strictEqual(state.fromService, 1)
  })

  it("serves the cell's fresh token once it has found the service", async () => {
    const { client, state } = clientOf()
    client.found(() => ({ token: { value: "held", tokenType: "Bearer" }, refreshAtNanos: 1n }), {
      rejected: () => {},
      recovered: () => {}
    })
    assert.strictEqual(await client.getToken(), "held")
    assert.strictEqual(state.fromService, 0)
  })

  it("counts on the service's counters a token an API rejected and its recovery, on the platform's fetch", async () => {
    const seen: Array<string | null> = []
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      const authorization = new Headers(init.headers).get("authorization")
      seen.push(authorization)
      return authorization === "Bearer t1"
        ? new Response(null, { status: 401, headers: { "www-authenticate": "Bearer error=\"invalid_token\"" } })
        : new Response("ok")
    })
    const { client, state } = clientOf()
    let next = 0
    const tokens = [{ value: "t1", tokenType: "Bearer" }, { value: "t2", tokenType: "Bearer" }]
    client.found(() => ({ token: tokens[next]!, refreshAtNanos: 1n }), {
      rejected: () => counted.push("rejected"),
      recovered: () => counted.push("recovered")
    })
    const counted: Array<string> = []
    state.invalidated.push = (...items) => {
      next = 1
      return Array.prototype.push.apply(state.invalidated, items)
    }
    const response = await client.fetch("http://api.example/x")
    assert.strictEqual(await response.text(), "ok")
    assert.deepStrictEqual(seen, ["Bearer t1", "Bearer t2"])
    assert.deepStrictEqual(counted, ["rejected", "recovered"])
  })

  it("fetches through the line's HTTP client when it has one, given the reading", async () => {
    const { client } = clientOf({ clientFetch: true })
    assert.strictEqual(await (await client.fetch("http://api.example/x")).text(), "4")
  })

  it("closes once: the runtime, the hot path and closing; every call after it rejects with ClosedError", async () => {
    const { client, state } = clientOf()
    client.found(() => ({ token: { value: "held", tokenType: "Bearer" }, refreshAtNanos: 1n }), {
      rejected: () => {},
      recovered: () => {}
    })
    await client.close()
    await client.close()
    assert.strictEqual(state.closes, 1)
    for (const call of [client.getToken(), client.getToken("other"), client.fetch("http://api.example/x")]) {
      assert.instanceOf((await settled(call) as { error: unknown }).error, PromiseClient.ClosedError)
    }
    assert.deepStrictEqual(state.getFor, [])
  })
})
