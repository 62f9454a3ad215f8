/**
 * One call to an authorization server without an Effect line (`docs/behaviour.md#token-endpoint-answers`,
 * `docs/behaviour.md#retries-and-retry-after`): a 408, 429 or 5xx as a `NetworkError`'s fields with the wait
 * `Retry-After` asks for; an HTTP client's failure in words that name no credential; a body announced too large; a body
 * read up to a limit as JSON.
 */
import { assert, describe, it } from "vitest"
import * as HttpCall from "../src/httpCall.js"
import * as Redactor from "../src/redactor.js"

const none = Redactor.make([])
const call: HttpCall.Call = { source: "TokenEndpoint", origin: "https://auth.example.com", redactor: none }

// Wed, 21 Oct 2015 07:28:00 GMT
const now = Date.UTC(2015, 9, 21, 7, 28, 0)

/** An `Error` with `fields` (`code`, …). */
const failure = (message: string, fields: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(message), fields)

describe("httpCall: try later", () => {
  it("a 429 is RateLimited, any other status ServerError, with the status and the origin", () => {
    assert.deepStrictEqual(HttpCall.tryLater(429, undefined, now, call), {
      reason: "RateLimited",
      source: "TokenEndpoint",
      origin: "https://auth.example.com",
      status: 429
    })
    for (const status of [408, 500, 503, 599]) {
      assert.deepStrictEqual(HttpCall.tryLater(status, undefined, now, { ...call, source: "Discovery" }), {
        reason: "ServerError",
        source: "Discovery",
        origin: "https://auth.example.com",
        status
      })
    }
  })

  it("carries the wait Retry-After asks for, in millis from now, capped at 60 s; none when unreadable", () => {
    assert.strictEqual(HttpCall.tryLater(503, "7", now, call).retryAfterMillis, 7_000)
    assert.strictEqual(HttpCall.tryLater(429, "Wed, 21 Oct 2015 07:28:30 GMT", now, call).retryAfterMillis, 30_000)
    assert.strictEqual(HttpCall.tryLater(429, "3600", now, call).retryAfterMillis, 60_000)
    assert.strictEqual(HttpCall.tryLater(503, "0", now, call).retryAfterMillis, 0)
    const unreadable = HttpCall.tryLater(503, "soon", now, call)
    assert.isFalse("retryAfterMillis" in unreadable)
  })
})

describe("httpCall: a client's failure", () => {
  const url = "https://auth.example.com/token"

  it("an answer whose body broke off, or could not be decoded: its status, and the cause's code or name", () => {
    assert.deepStrictEqual(
      HttpCall.transportFailure({
        _tag: "Answered",
        status: 200,
        cause: failure("terminated", { code: "UND_ERR_SOCKET" })
      }, none),
      { status: 200, detail: "broke off its answer after HTTP 200 (UND_ERR_SOCKET: terminated)" }
    )
    assert.deepStrictEqual(
      HttpCall.transportFailure({ _tag: "Answered", status: 502, cause: new SyntaxError("s3cret") }, none),
      { status: 502, detail: "answered HTTP 502 with a body that could not be decoded (SyntaxError)" }
    )
  })

  it("a request the client refused: not sent, with the reason and the cause", () => {
    assert.deepStrictEqual(
      HttpCall.transportFailure({ _tag: "NotSent", reason: "InvalidUrl", cause: new TypeError("Invalid URL") }, none),
      { detail: "not sent (InvalidUrl: Invalid URL)" }
    )
    assert.deepStrictEqual(
      HttpCall.transportFailure({ _tag: "NotSent", reason: "Encode", cause: failure("bad", { code: "EBADF" }) }, none),
      { detail: "not sent (Encode: EBADF)" }
    )
  })

  it("a request that could not be sent or got no answer: where it went, by the cause's code", () => {
    assert.deepStrictEqual(
      HttpCall.transportFailure({
        _tag: "Unanswered",
        url,
        cause: failure("connect ECONNREFUSED", { code: "ECONNREFUSED", address: "10.0.0.5", port: 3128 })
      }, none),
      { detail: "not reached: the proxy 10.0.0.5:3128 is unreachable (ECONNREFUSED)" }
    )
    assert.deepStrictEqual(
      HttpCall.transportFailure({ _tag: "Unanswered", url, cause: failure("reset", { code: "ECONNRESET" }) }, none),
      { detail: "could not be called (ECONNRESET)" }
    )
  })

  it("every text goes through the redactor", () => {
    const redactor = Redactor.make(["s3cret-value"])
    const cause = new Error("refused: client_secret=s3cret-value")
    assert.deepStrictEqual(HttpCall.transportFailure({ _tag: "NotSent", reason: "Encode", cause }, redactor), {
      detail: "not sent (Encode: refused: client_secret=<redacted>)"
    })
    assert.deepStrictEqual(HttpCall.transportFailure({ _tag: "Unanswered", url, cause }, redactor), {
      detail: "could not be called (refused: client_secret=<redacted>)"
    })
  })

  it("as a NetworkError: Transport, from the call's source and origin, with the redactor of the call", () => {
    const redactor = Redactor.make(["s3cret-value"])
    assert.deepStrictEqual(
      HttpCall.transportError(
        { _tag: "Unanswered", url, cause: new Error("no s3cret-value") },
        { source: "Discovery", origin: "https://issuer.example.com", redactor }
      ),
      {
        reason: "Transport",
        source: "Discovery",
        origin: "https://issuer.example.com",
        detail: "could not be called (no <redacted>)"
      }
    )
    assert.deepStrictEqual(
      HttpCall.transportError({ _tag: "Answered", status: 200, cause: new SyntaxError("x") }, call),
      {
        reason: "Transport",
        source: "TokenEndpoint",
        origin: "https://auth.example.com",
        status: 200,
        detail: "answered HTTP 200 with a body that could not be decoded (SyntaxError)"
      }
    )
  })
})

describe("httpCall: the body", () => {
  it("a Content-Length above the limit is refused unread; at the limit, absent or not a number, it is read", () => {
    assert.isTrue(HttpCall.announcesMoreThan("1025", 1024))
    assert.isFalse(HttpCall.announcesMoreThan("1024", 1024))
    assert.isFalse(HttpCall.announcesMoreThan(undefined, 1024))
    assert.isFalse(HttpCall.announcesMoreThan("1e9", 1024))
    assert.isFalse(HttpCall.announcesMoreThan("-5000", 1024))
    assert.isFalse(HttpCall.announcesMoreThan(" 5000", 1024))
  })

  it("a body read whole is its JSON; one cut by the limit is too large; one that does not parse is not JSON", () => {
    assert.deepStrictEqual(HttpCall.jsonOf({ text: "{\"a\":[1,\"b\"]}", truncated: false }), {
      _tag: "Json",
      value: { a: [1, "b"] }
    })
    assert.deepStrictEqual(HttpCall.jsonOf({ text: "null", truncated: false }), { _tag: "Json", value: null })
    assert.deepStrictEqual(HttpCall.jsonOf({ text: "{\"a\":1}", truncated: true }), { _tag: "TooLarge" })
    assert.deepStrictEqual(HttpCall.jsonOf({ text: "<html>s3cret</html>", truncated: false }), { _tag: "NotJson" })
    assert.deepStrictEqual(HttpCall.jsonOf({ text: "", truncated: false }), { _tag: "NotJson" })
  })
})
