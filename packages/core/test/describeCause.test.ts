/**
 * What went wrong in transport, in words for an error: a cause's code or name, where a failed connection went, a
 * body that broke off or could not be decoded; redacted, cut, and never a decoding error's message.
 */
import { assert, describe, it } from "vitest"
import * as describeCause from "../src/describeCause.js"
import * as Redactor from "../src/redactor.js"

const none = Redactor.make([])

/** An `Error` with `fields` (`code`, `address`, `port`, `hostname`) and `cause`. */
const failure = (message: string, fields: Record<string, unknown> = {}, cause?: unknown): Error =>
  Object.assign(new Error(message, cause === undefined ? undefined : { cause }), fields)

const wrapped = (cause: unknown, depth: number): unknown =>
  depth === 0 ? cause : wrapped(new Error(`layer ${depth}`, { cause }), depth - 1)

describe("describeCause: a failure's name", () => {
  it("the first code down the cause chain, else the first tag or name, never a message", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [failure("read /run/secrets/token: no such file", { code: "ENOENT" }), "ENOENT"],
      [new Error("outer", { cause: failure("inner says s3cret", { code: "EACCES" }) }), "EACCES"],
      [{ _tag: "InvalidProjectedToken", message: "token s3cret is bad" }, "InvalidProjectedToken"],
      [{ _tag: "Outer", cause: { code: "ENOENT" } }, "ENOENT"],
      [{ _tag: "Outer", cause: { _tag: "Inner" } }, "Outer"],
      [new TypeError("s3cret"), "TypeError"],
      [Object.assign(() => 0, { code: "ECONNRESET" }), "ECONNRESET"],
      [{ code: "lower-case s3cret" }, "unknown cause"],
      [{ _tag: "a tag with s3cret" }, "unknown cause"],
      [{ _tag: "Outer", code: "not a code" }, "Outer"],
      ["s3cret", "unknown cause"],
      [null, "unknown cause"],
      [wrapped({ code: "ENOENT" }, 3), "ENOENT"],
      [{ cause: { cause: { cause: { cause: { code: "ENOENT" } } } } }, "unknown cause"]
    ]
    for (const [error, name] of cases) assert.strictEqual(describeCause.describeFailureName(error), name)
  })
})

describe("describeCause: a cause", () => {
  it("the first code; undici's generic codes with their message; else the deepest message", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [failure("connect ECONNREFUSED 10.0.0.5:443", { code: "ECONNREFUSED" }), "ECONNREFUSED"],
      [
        new Error("fetch failed", { cause: failure("other side closed", { code: "UND_ERR_SOCKET" }) }),
        "UND_ERR_SOCKET: other side closed"
      ],
      [failure("", { code: "UND_ERR_SOCKET" }), "UND_ERR_SOCKET"],
      [new Error("fetch failed", { cause: new Error("disk gone") }), "disk gone"],
      [wrapped(failure("deep", { code: "ECONNRESET" }), 3), "ECONNRESET"],
      [wrapped(failure("too deep", { code: "ECONNRESET" }), 4), "unknown cause"],
      [{ code: "ECONNRESET" }, "unknown cause"],
      [undefined, "unknown cause"]
    ]
    for (const [cause, said] of cases) assert.strictEqual(describeCause.describeCause(cause, none), said)
  })

  it("redacted first, then cut to 200 bytes", () => {
    const secret = "s3cr3t-value"
    const redactor = Redactor.make([secret])
    assert.strictEqual(
      describeCause.describeCause(new Error(`request failed: Authorization: Basic ${secret}`), redactor),
      `request failed: Authorization: Basic ${Redactor.marker}`
    )
    const long = `${"y".repeat(190)}${secret}`
    const said = describeCause.describeCause(new Error(long), redactor)
    assert.strictEqual(said, `${"y".repeat(190)}${Redactor.marker}`)
    assert.strictEqual(describeCause.describeCause(new Error("z".repeat(500)), none), "z".repeat(200))
    assert.strictEqual(describeCause.maxCauseBytes, 200)
  })
})

describe("describeCause: a request that got no answer", () => {
  const url = "https://auth.example.com/token"
  const refused = (fields: Record<string, unknown>) =>
    failure("connect ECONNREFUSED", { code: "ECONNREFUSED", ...fields })

  it("unreachable, failed TLS verification, or could not be called, by the cause's code", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [refused({}), "unreachable (ECONNREFUSED)"],
      [failure("getaddrinfo ENOTFOUND", { code: "ENOTFOUND" }), "unreachable (ENOTFOUND)"],
      [failure("timeout", { code: "UND_ERR_CONNECT_TIMEOUT" }), "unreachable (UND_ERR_CONNECT_TIMEOUT: timeout)"],
      [failure("connect ETIMEDOUT", { code: "ETIMEDOUT" }), "unreachable (ETIMEDOUT)"],
      [failure("certificate has expired", { code: "CERT_HAS_EXPIRED" }), "failed TLS verification (CERT_HAS_EXPIRED)"],
      [
        failure("self-signed", { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
        "failed TLS verification (DEPTH_ZERO_SELF_SIGNED_CERT)"
      ],
      [
        failure("self-signed", { code: "SELF_SIGNED_CERT_IN_CHAIN" }),
        "failed TLS verification (SELF_SIGNED_CERT_IN_CHAIN)"
      ],
      [
        failure("unable", { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }),
        "failed TLS verification (UNABLE_TO_VERIFY_LEAF_SIGNATURE)"
      ],
      [
        failure("tls", { code: "ERR_TLS_CERT_ALTNAME_INVALID" }),
        "failed TLS verification (ERR_TLS_CERT_ALTNAME_INVALID)"
      ],
      [failure("read ECONNRESET", { code: "ECONNRESET" }), "could not be called (ECONNRESET)"],
      [
        failure("Proxy response (407) !== 200 when HTTP Tunneling", { code: "UND_ERR_ABORTED" }),
        "could not be called (UND_ERR_ABORTED: Proxy response (407) !== 200 when HTTP Tunneling)"
      ],
      [new Error("disk gone"), "could not be called (disk gone)"]
    ]
    for (const [cause, detail] of cases) assert.deepStrictEqual(describeCause.sendFailure(cause, url, none), { detail })
  })

  it("a connection that failed elsewhere than the URL's host and port: the proxy is said to be unreachable", () => {
    const cases: ReadonlyArray<readonly [string, unknown, string | undefined]> = [
      [url, refused({ address: "10.0.0.5", port: 3128 }), "10.0.0.5:3128"],
      [url, refused({ address: "fd00::5", port: 3128 }), "[fd00::5]:3128"],
      [url, failure("getaddrinfo ENOTFOUND", { code: "ENOTFOUND", hostname: "proxy.internal" }), "proxy.internal"],
      ["https://10.0.0.1/token", refused({ address: "10.0.0.5", port: 443 }), "10.0.0.5:443"],
      ["http://127.0.0.1:8080/token", refused({ address: "127.0.0.1", port: 3128 }), "127.0.0.1:3128"],
      // the URL's own host and port: no proxy
      [url, refused({ address: "93.184.216.34", port: 443 }), undefined],
      ["http://auth.example.com/token", refused({ address: "93.184.216.34", port: 80 }), undefined],
      ["https://auth.example.com:8443/token", refused({ address: "93.184.216.34", port: 8443 }), undefined],
      ["https://10.0.0.1/token", refused({ address: "10.0.0.1", port: 443 }), undefined],
      ["https://[fd00::1]/token", refused({ address: "FD00::1", port: 443 }), undefined],
      [url, failure("getaddrinfo ENOTFOUND", { code: "ENOTFOUND", hostname: "AUTH.example.com" }), undefined],
      // a Unix socket's path, a port that is not a number, an empty host name, a URL that does not parse
      [url, refused({ address: "/run/proxy.sock" }), undefined],
      [url, refused({ address: "10.0.0.5", port: "3128" }), undefined],
      [url, failure("getaddrinfo ENOTFOUND", { code: "ENOTFOUND", hostname: "" }), undefined],
      ["not a url", refused({ address: "10.0.0.5", port: 3128 }), undefined]
    ]
    for (const [to, cause, proxy] of cases) {
      const code = (cause as { readonly code: string }).code
      assert.strictEqual(
        describeCause.sendFailure(cause, to, none).detail,
        proxy === undefined
          ? `unreachable (${code})`
          : `not reached: the proxy ${proxy} is unreachable (${code})`,
        `${to} ${JSON.stringify(cause)}`
      )
    }
  })

  it("a proxy's name goes through the redactor", () => {
    const redactor = Redactor.make(["user:s3cret"])
    const cause = failure("getaddrinfo ENOTFOUND", { code: "ENOTFOUND", hostname: "user:s3cret@proxy.internal" })
    assert.strictEqual(
      describeCause.sendFailure(cause, url, redactor).detail,
      `not reached: the proxy ${Redactor.marker}@proxy.internal is unreachable (ENOTFOUND)`
    )
  })
})

describe("describeCause: an answer that broke off", () => {
  it("a body that broke off says its cause; one that could not be decoded, the error's name only", () => {
    assert.deepStrictEqual(describeCause.answerFailure(failure("terminated", { code: "UND_ERR_SOCKET" }), 200, none), {
      status: 200,
      detail: "broke off its answer after HTTP 200 (UND_ERR_SOCKET: terminated)"
    })
    assert.deepStrictEqual(
      describeCause.answerFailure(new SyntaxError("Unexpected token s3cret in JSON"), 200, none),
      { status: 200, detail: "answered HTTP 200 with a body that could not be decoded (SyntaxError)" }
    )
    const named = Object.assign(new Error("s3cret"), { name: "N".repeat(100) })
    assert.strictEqual(
      describeCause.answerFailure(named, 502, none).detail,
      `answered HTTP 502 with a body that could not be decoded (${"N".repeat(64)})`
    )
    assert.strictEqual(
      describeCause.answerFailure("s3cret", 200, none).detail,
      "answered HTTP 200 with a body that could not be decoded (unknown)"
    )
  })
})
