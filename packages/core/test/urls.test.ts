/**
 * The URL rules: an absolute http(s) URL without credentials or fragment, https or http on a loopback host, and the
 * three places they are checked (the `tokenUrl`/`issuer` options, a metadata's `token_endpoint`, `allowedOrigins`),
 * with the problems `TokenService` and `AuthorizedClient` report, word for word.
 */
import { assert, describe, it } from "vitest"
import type { Checked } from "../src/checked.js"
import * as urls from "../src/urls.js"

const problemOf = (checked: Checked<unknown>): string | undefined =>
  checked._tag === "Invalid" ? checked.problem : undefined

const valueOf = <A>(checked: Checked<A>): A => {
  if (checked._tag === "Invalid") throw new Error(`expected a value, got: ${checked.problem}`)
  return checked.value
}

describe("urls: the primitives", () => {
  it("loopback: localhost, [::1] and 127.x.x.x as the parser writes them, nothing that only starts like one", () => {
    for (
      const url of ["http://localhost/", "http://[::1]:8080/", "http://127.0.0.1/", "http://127.1/", "http://0x7f.1/"]
    ) {
      assert.isTrue(urls.isLoopback(new URL(url).hostname), url)
    }
    for (const url of ["http://127.evil.example/", "http://localhost.evil.example/", "http://[::ffff:8.8.8.8]/"]) {
      assert.isFalse(urls.isLoopback(new URL(url).hostname), url)
    }
  })

  it("the https rule: https anywhere, http on a loopback host only", () => {
    assert.isTrue(urls.isSecureOrLoopback(new URL("https://auth.example.com/token")))
    assert.isTrue(urls.isSecureOrLoopback(new URL("http://127.0.0.1:8080/token")))
    assert.isFalse(urls.isSecureOrLoopback(new URL("http://auth.example.com/token")))
    assert.isFalse(urls.isSecureOrLoopback(new URL("ftp://localhost/token")))
  })

  it("origin: scheme, host and a port other than the default, as the parser writes them; nothing else", () => {
    assert.strictEqual(
      urls.origin(new URL("HTTPS://User:Pass@Auth.Example.com:443/p?q=1#f")),
      "https://auth.example.com"
    )
    assert.strictEqual(urls.origin(new URL("http://127.0.0.1:8080/x")), "http://127.0.0.1:8080")
  })

  it("parseHttpUrl: the first problem, in order: not a URL, not http(s), credentials, fragment", () => {
    const cases: ReadonlyArray<readonly [string, urls.UrlProblem]> = [
      ["auth.example.com/token", "NotUrl"],
      ["/token", "NotUrl"],
      ["ftp://user:pass@auth.example.com/#f", "NotHttp"],
      ["javascript:alert(1)", "NotHttp"],
      ["https://user:pass@auth.example.com/#f", "Credentials"],
      ["https://user@auth.example.com/", "Credentials"],
      ["https://:pass@auth.example.com/", "Credentials"],
      ["https://auth.example.com/token#f", "Fragment"]
    ]
    for (const [text, problem] of cases) assert.strictEqual(urls.parseHttpUrl(text), problem, text)
    const url = urls.parseHttpUrl("https://auth.example.com/token?x=1")
    assert.instanceOf(url, URL)
    assert.strictEqual((url as URL).href, "https://auth.example.com/token?x=1")
  })
})

describe("urls: the tokenUrl and issuer options", () => {
  it("says what is wrong, naming the option", () => {
    const cases: ReadonlyArray<readonly ["tokenUrl" | "issuer", unknown, string]> = [
      ["tokenUrl", 42, "tokenUrl must be a string or a URL"],
      ["issuer", undefined, "issuer must be a string or a URL"],
      ["tokenUrl", "not a url", "tokenUrl is not a URL"],
      ["issuer", "idp.example.com/tenant", "issuer is not a URL"],
      ["tokenUrl", "ftp://auth.example.com/token", "tokenUrl must be http(s)"],
      ["tokenUrl", "https://user:pass@auth.example.com/token", "tokenUrl must not carry credentials"],
      [
        "tokenUrl",
        "https://auth.example.com/token#f",
        "tokenUrl must not have a fragment (RFC 6749 §3.2, RFC 8414 §2)"
      ],
      ["issuer", "https://auth.example.com/#f", "issuer must not have a fragment (RFC 6749 §3.2, RFC 8414 §2)"],
      ["issuer", "https://auth.example.com/t?x=1", "issuer must not have a query (RFC 8414 §2)"],
      [
        "tokenUrl",
        "http://auth.example.com/t0k3n?key=abc",
        "tokenUrl must use https (RFC 6749 §3.2), not http://auth.example.com; set allowInsecureHttp to allow http"
      ],
      [
        "issuer",
        "http://auth.example.com:8080/tenant",
        "issuer must use https (RFC 6749 §3.2), not http://auth.example.com:8080; set allowInsecureHttp to allow http"
      ]
    ]
    for (const [name, value, problem] of cases) {
      assert.strictEqual(problemOf(urls.checkEndpointOption(name, value, false)), problem, String(value))
    }
  })

  it("a token URL may have a query; http is allowed on a loopback host, or anywhere with allowInsecureHttp", () => {
    assert.strictEqual(
      valueOf(urls.checkEndpointOption("tokenUrl", "https://auth.example.com/token?api-version=2", false)).href,
      "https://auth.example.com/token?api-version=2"
    )
    assert.strictEqual(
      valueOf(urls.checkEndpointOption("tokenUrl", new URL("http://127.0.0.1:8080/token"), false)).href,
      "http://127.0.0.1:8080/token"
    )
    assert.strictEqual(
      valueOf(urls.checkEndpointOption("issuer", "http://auth.example.com/tenant", true)).href,
      "http://auth.example.com/tenant"
    )
    assert.strictEqual(
      problemOf(urls.checkEndpointOption("tokenUrl", "ftp://auth.example.com/token", true)),
      "tokenUrl must be http(s)"
    )
  })
})

describe("urls: a metadata's token_endpoint", () => {
  const https = { issuer: new URL("https://auth.example.com/tenant-7"), allowInsecureHttp: false }

  it("says what is wrong, naming the origin at most, through quote", () => {
    const quote = (text: string) => `«${text}»`
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [undefined, "token_endpoint is missing or not a string"],
      ["", "token_endpoint is missing or not a string"],
      [42, "token_endpoint is missing or not a string"],
      ["/tenant-7/oauth2/token", "token_endpoint is not an absolute URL"],
      ["javascript:alert(1)", "token_endpoint is not an http(s) URL"],
      ["https://user:pass@auth.example.com/token", "token_endpoint carries credentials"],
      ["https://auth.example.com/token#fragment", "token_endpoint has a fragment (RFC 6749 §3.2)"],
      [
        "http://evil.example/t0k3n?key=abc",
        "token_endpoint «http://evil.example» does not use https (nor http on a loopback host); " +
        "set allowInsecureHttp to allow http"
      ],
      [
        "http://127.0.0.1:8080/token",
        "token_endpoint «http://127.0.0.1:8080» is plain http while the issuer uses https; " +
        "set allowInsecureHttp to allow it"
      ]
    ]
    for (const [value, problem] of cases) {
      assert.strictEqual(problemOf(urls.checkTokenEndpoint(value, https, quote)), problem, String(value))
    }
  })

  it("http on a loopback host from an issuer on this machine; http anywhere with allowInsecureHttp", () => {
    const local = { issuer: new URL("http://127.0.0.1:9000/tenant-7"), allowInsecureHttp: false }
    assert.strictEqual(valueOf(urls.checkTokenEndpoint("http://localhost/token", local)).href, "http://localhost/token")
    assert.isDefined(problemOf(urls.checkTokenEndpoint("http://auth.example.com/token", local)))
    const insecure = { ...https, allowInsecureHttp: true }
    assert.strictEqual(
      valueOf(urls.checkTokenEndpoint("http://auth.example.com/token", insecure)).href,
      "http://auth.example.com/token"
    )
    assert.strictEqual(
      valueOf(urls.checkTokenEndpoint("http://[::1]:8080/token", insecure)).href,
      "http://[::1]:8080/token"
    )
  })

  it("requireSameOriginTokenEndpoint: another scheme, host or port is refused, naming its origin only", () => {
    const same = { ...https, requireSameOriginTokenEndpoint: true }
    assert.strictEqual(
      valueOf(urls.checkTokenEndpoint("https://auth.example.com/tenant-7/oauth2/token", same)).href,
      "https://auth.example.com/tenant-7/oauth2/token"
    )
    for (
      const value of ["https://login.other.example/tenant-7/token", "https://auth.example.com:8443/tenant-7/token"]
    ) {
      assert.strictEqual(
        problemOf(urls.checkTokenEndpoint(value, same)),
        `token_endpoint is at ${new URL(value).origin}, not at the issuer's origin, ` +
          "and requireSameOriginTokenEndpoint is set"
      )
    }
    assert.strictEqual(
      valueOf(urls.checkTokenEndpoint("https://login.other.example/tenant-7/token", https)).href,
      "https://login.other.example/tenant-7/token"
    )
  })
})

describe("urls: allowedOrigins", () => {
  it("absent: any origin; else the set of origins, as the parser writes them", () => {
    assert.isUndefined(valueOf(urls.checkAllowedOrigins(undefined)))
    assert.deepStrictEqual(
      valueOf(urls.checkAllowedOrigins(["https://API.example.com:443/", "http://127.0.0.1:8080"])),
      new Set(["https://api.example.com", "http://127.0.0.1:8080"])
    )
  })

  it("says what is wrong, naming an entry by its position, never its text", () => {
    assert.strictEqual(
      problemOf(urls.checkAllowedOrigins("https://api.example.com")),
      "allowedOrigins must be an array of origins"
    )
    assert.strictEqual(
      problemOf(urls.checkAllowedOrigins([])),
      "allowedOrigins is empty, so no request could be sent; leave it out to allow any origin"
    )
    const entries = [
      42,
      "api.example.com",
      "ftp://api.example.com",
      "https://user:secret@api.example.com",
      "https://api.example.com/v1",
      "https://api.example.com?",
      "https://api.example.com/?x=1",
      "https://api.example.com#",
      "https://api.example.com/#f"
    ]
    for (const entry of entries) {
      assert.strictEqual(
        problemOf(urls.checkAllowedOrigins(["https://ok.example.com", entry])),
        "allowedOrigins #2 is not an http(s) origin (scheme://host[:port], nothing after)",
        String(entry)
      )
    }
  })
})
