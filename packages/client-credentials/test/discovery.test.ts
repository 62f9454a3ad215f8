/**
 * Discovery (`docs/configuration.md#discovery`, `docs/behaviour.md#discovery-answers`): the issuer's metadata from RFC
 * 8414's well-known URL, then OpenID Connect's on a 404; its checks (issuer, token endpoint and the https rule, client
 * authentication method, body); network failures retried on the schedule and never kept; good metadata kept, and read
 * again; one discovery for concurrent callers, which an interrupted caller does not stop. An in-memory server answers
 * by URL; time is `TestClock`'s.
 */
import { NetworkError, TokenError } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Discovery from "../src/internal/discovery.js"
import { byUrl } from "./utils/byUrl.js"
import * as Logs from "./utils/logs.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import { pollNow, settle } from "./utils/service.js"

const issuer = "https://auth.example.com/tenant-7"
const rfc8414Url = "https://auth.example.com/.well-known/oauth-authorization-server/tenant-7"
const openIdUrl = "https://auth.example.com/tenant-7/.well-known/openid-configuration"
const tokenEndpoint = "https://auth.example.com/tenant-7/oauth2/token"

/** A metadata document for `issuer`; `fields` add to or override it (`undefined` drops one). */
const metadata = (
  fields: Record<string, unknown> = {},
  forIssuer = issuer,
  headers: Record<string, string> = {}
): Endpoint.Answer =>
  Endpoint.json(
    {
      issuer: forIssuer,
      token_endpoint: tokenEndpoint,
      token_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"],
      ...fields
    },
    200,
    headers
  )

/** The server: `routes` by URL, a 404 anywhere else. */
const server = (routes: Parameters<typeof byUrl>[0]) => Endpoint.make({ otherwise: byUrl(routes) })

const options: Discovery.Options = {
  issuer: new URL(issuer),
  authMethod: "client_secret_basic",
  allowInsecureHttp: false,
  retry: Schedule.stop,
  requestTimeout: Duration.seconds(30)
}

/** `Discovery.make` on `endpoint`, in the test's scope. */
const makeDiscovery = (endpoint: Endpoint.ScriptedEndpoint, overrides: Partial<Discovery.Options> = {}) =>
  Discovery.make(endpoint.client, { ...options, ...overrides })

/** The metadata effect of `Discovery.make` on `endpoint`, in the test's scope. */
const make = (endpoint: Endpoint.ScriptedEndpoint, overrides: Partial<Discovery.Options> = {}) =>
  Effect.map(makeDiscovery(endpoint, overrides), (discovery) => discovery.metadata)

/** The first discovery's error, with `overrides`. */
const failureOf = (endpoint: Endpoint.ScriptedEndpoint, overrides: Partial<Discovery.Options> = {}) =>
  Effect.flatMap(make(endpoint, overrides), Effect.flip)

const urls = (endpoint: Endpoint.ScriptedEndpoint) => endpoint.requests.map((request) => request.url)

const assertTokenError = (error: unknown, reason: TokenError.Reason): TokenError.TokenError => {
  assert.isTrue(TokenError.isTokenError(error), `expected a TokenError, got ${String(error)}`)
  const tokenError = error as TokenError.TokenError
  assert.strictEqual(tokenError.reason, reason)
  assert.strictEqual(tokenError.origin, "https://auth.example.com")
  return tokenError
}

const assertNetworkError = (error: unknown, reason: NetworkError.Reason): NetworkError.NetworkError => {
  assert.isTrue(NetworkError.isNetworkError(error), `expected a NetworkError, got ${String(error)}`)
  const networkError = error as NetworkError.NetworkError
  assert.strictEqual(networkError.reason, reason)
  assert.strictEqual(networkError.source, "Discovery")
  assert.strictEqual(networkError.origin, "https://auth.example.com")
  return networkError
}

describe("discovery: where it looks", () => {
  it.scoped("RFC 8414 first: the well-known segment between host and path; the metadata as published", () =>
    Effect.gen(function*() {
      const endpoint = server({
        [rfc8414Url]: metadata({ token_endpoint_auth_signing_alg_values_supported: ["RS256"] })
      })
      const found = yield* Effect.flatten(make(endpoint))
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url])
      assert.strictEqual(endpoint.requests[0]!.method, "GET")
      assert.strictEqual(endpoint.requests[0]!.headers["accept"], "application/json")
      assert.strictEqual(found.issuer, issuer)
      assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
      assert.deepStrictEqual(found.authMethodsSupported, ["client_secret_basic", "private_key_jwt"])
      assert.deepStrictEqual(found.signingAlgorithmsSupported, ["RS256"])
    }))

  for (const configured of ["https://auth.example.com", "https://auth.example.com/"]) {
    it.scoped(`an issuer without a path (${configured}): no path after the well-known segment`, () =>
      Effect.gen(function*() {
        const root = "https://auth.example.com/.well-known/oauth-authorization-server"
        const endpoint = server({ [root]: metadata({}, "https://auth.example.com") })
        const found = yield* Effect.flatten(make(endpoint, { issuer: new URL(configured) }))
        assert.deepStrictEqual(urls(endpoint), [root])
        assert.strictEqual(found.issuer, "https://auth.example.com")
      }))
  }

  it.scoped("an issuer whose path ends with /: the / is dropped before the segment is inserted", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: metadata() })
      yield* Effect.flatten(make(endpoint, { issuer: new URL(`${issuer}/`) }))
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url])
    }))

  it.scoped("OpenID Connect's URL when RFC 8414's answers 404", () =>
    Effect.gen(function*() {
      const endpoint = server({ [openIdUrl]: metadata() })
      const found = yield* Effect.flatten(make(endpoint))
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url, openIdUrl])
      assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
    }))

  for (
    const [configured, expected] of [
      [`${issuer}/`, openIdUrl],
      ["https://auth.example.com", "https://auth.example.com/.well-known/openid-configuration"],
      ["https://auth.example.com/", "https://auth.example.com/.well-known/openid-configuration"]
    ] as const
  ) {
    it.scoped(`OpenID Connect's URL for ${configured}: no double /`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [expected]: metadata({}, configured) })
        yield* Effect.flatten(make(endpoint, { issuer: new URL(configured) }))
        assert.strictEqual(urls(endpoint)[1], expected)
      }))
  }

  it.scoped("both 404: TokenError Discovery, after one request to each", () =>
    Effect.gen(function*() {
      const endpoint = server({})
      const error = assertTokenError(yield* failureOf(endpoint), "Discovery")
      assert.strictEqual(error.status, 404)
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url, openIdUrl])
    }))

  for (const status of [400, 401, 403, 410]) {
    it.scoped(`RFC 8414's URL answers ${status}: TokenError Discovery, no fallback, no retry`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [rfc8414Url]: Endpoint.respond(status), [openIdUrl]: metadata() })
        const error = assertTokenError(yield* failureOf(endpoint, { retry: Schedule.recurs(3) }), "Discovery")
        assert.strictEqual(error.status, status)
        assert.deepStrictEqual(urls(endpoint), [rfc8414Url])
      }))
  }

  it.scoped("OpenID Connect's URL answers 403 after RFC 8414's 404: TokenError Discovery", () =>
    Effect.gen(function*() {
      const endpoint = server({ [openIdUrl]: Endpoint.respond(403) })
      const error = assertTokenError(yield* failureOf(endpoint), "Discovery")
      assert.strictEqual(error.status, 403)
    }))

  it.scoped("a 5xx from RFC 8414's URL is no reason to fall back: NetworkError, OpenID Connect's URL not asked", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: Endpoint.respond(500), [openIdUrl]: metadata() })
      assertNetworkError(yield* failureOf(endpoint), "ServerError")
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url])
    }))

  for (const status of [301, 302, 307, 308]) {
    it.scoped(`a redirect (${status}) is not followed: TokenError Discovery`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [rfc8414Url]: Endpoint.respond(status, null, { location: openIdUrl }) })
        const error = assertTokenError(yield* failureOf(endpoint), "Discovery")
        assert.strictEqual(error.status, status)
        assert.deepStrictEqual(urls(endpoint), [rfc8414Url])
      }))
  }

  it.scoped("a client that follows redirects itself: TokenError Discovery", () =>
    Effect.gen(function*() {
      const elsewhere = "https://auth.example.com/elsewhere"
      const endpoint = server({
        [rfc8414Url]: Endpoint.respond(302, null, { location: elsewhere }),
        [elsewhere]: metadata()
      })
      const error = yield* Effect.flip(
        Effect.flatMap(Discovery.make(HttpClient.followRedirects(endpoint.client), options), (d) => d.metadata)
      )
      assertTokenError(error, "Discovery")
    }))

  it.scoped("a client that turns statuses into errors (filterStatusOk): the 404 still falls back", () =>
    Effect.gen(function*() {
      const endpoint = server({ [openIdUrl]: metadata() })
      const found = yield* Effect.flatMap(
        Discovery.make(HttpClient.filterStatusOk(endpoint.client), options),
        (d) => d.metadata
      )
      assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url, openIdUrl])
    }))
})

describe("discovery: the issuer", () => {
  for (
    const [configured, published] of [
      [issuer, issuer],
      [issuer, `${issuer}/`],
      [`${issuer}/`, issuer],
      [`${issuer}/`, `${issuer}/`],
      ["https://auth.example.com", "https://auth.example.com"],
      ["https://auth.example.com", "https://auth.example.com/"],
      ["https://auth.example.com/", "https://auth.example.com"]
    ] as const
  ) {
    it.scoped(`configured ${configured}, published ${published}: the same issuer (a final / is not significant)`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [Discovery.locations(new URL(configured))[0].url]: metadata({}, published) })
        const found = yield* Effect.flatten(make(endpoint, { issuer: new URL(configured) }))
        assert.strictEqual(found.issuer, published)
      }))
  }

  for (
    const published of [
      "https://evil.example/tenant-7",
      "https://auth.example.com/tenant-8",
      "https://auth.example.com/Tenant-7",
      "https://auth.example.com/tenant-7//",
      "https://auth.example.com/tenant-7/v2.0",
      "https://auth.example.com",
      "http://auth.example.com/tenant-7",
      "https://auth.example.com:8443/tenant-7",
      "auth.example.com/tenant-7",
      "",
      42,
      undefined
    ]
  ) {
    it.scoped(`published issuer ${JSON.stringify(published)}: TokenError Discovery, not retried`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [rfc8414Url]: metadata({ issuer: published }), [openIdUrl]: metadata() })
        const error = assertTokenError(yield* failureOf(endpoint, { retry: Schedule.recurs(3) }), "Discovery")
        assert.deepStrictEqual(urls(endpoint), [rfc8414Url])
        assert.notInclude(error.message, "tenant")
      }))
  }

  it.scoped("OpenID Connect's configuration is held to the same issuer", () =>
    Effect.gen(function*() {
      const endpoint = server({ [openIdUrl]: metadata({}, "https://evil.example/tenant-7") })
      assertTokenError(yield* failureOf(endpoint), "Discovery")
    }))

  it.scoped("a mismatch says what differs: scheme, host, port, path, its case, or the spelling", () =>
    Effect.gen(function*() {
      const rule = ": it must be the configured issuer (RFC 8414 §3.3)"
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        ["https://auth.example.com", "HTTP://auth.example.com", "at http://auth.example.com, where its scheme differs"],
        [
          "https://auth.example.com",
          "http://auth.example.com:8443",
          "at http://auth.example.com:8443, where its scheme and port differ"
        ],
        [issuer, "https://evil.example/tenant-7", "at https://evil.example, where its host differs"],
        [issuer, "https://auth.example.com:8443/tenant-7", "at https://auth.example.com:8443, where its port differs"],
        [issuer, "https://auth.example.com/tenant-8", "at the same origin with another path"],
        [issuer, "https://auth.example.com/Tenant-7", "at the same origin with its path in another case"],
        [issuer, "https://auth.example.com/tenant-7?x=1", "at the same origin with a query or fragment"],
        [
          "https://auth.example.com",
          "HTTPS://auth.example.com",
          "the same URL written with its scheme or host in another case"
        ],
        [issuer, "https://Auth.Example.com/tenant-7", "the same URL written with its scheme or host in another case"],
        [issuer, "https://auth.example.com:443/tenant-7", "the same URL written with the default port written out"],
        [
          "https://auth.example.com/tenant%2D7",
          "https://auth.example.com/tenant%2d7",
          "at the same origin with its path in another case"
        ],
        [
          "https://auth.example.com/t\u00e9nant",
          "https://auth.example.com/t\u00e9nant",
          "the same URL written with another spelling (percent-encoding, or characters the URL parser rewrites)"
        ]
      ]
      for (const [configured, published, said] of cases) {
        const url = new URL(configured)
        const endpoint = server({ [Discovery.locations(url)[0].url]: metadata({}, published) })
        const error = assertTokenError(yield* failureOf(endpoint, { issuer: url }), "Discovery")
        assert.strictEqual(
          error.detail,
          `the authorization server metadata is for another issuer, ${said}${rule}`,
          `${configured} / ${published}`
        )
      }
    }))

  it.scoped("a mismatch names the other issuer's origin, never its path", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: metadata({}, "https://evil.example/secret-path?key=abc") })
      const error = assertTokenError(yield* failureOf(endpoint), "Discovery")
      assert.include(error.detail, "https://evil.example")
      assert.notInclude(error.message, "secret-path")
      assert.notInclude(error.message, "key=abc")
    }))
})

describe("discovery: the token endpoint", () => {
  for (
    const value of [
      undefined,
      "",
      42,
      "/tenant-7/oauth2/token",
      "auth.example.com/token",
      "ftp://auth.example.com/token",
      "javascript:alert(1)",
      "https://user:pass@auth.example.com/token",
      "https://auth.example.com/token#fragment",
      "http://auth.example.com/token",
      "http://127.evil.example/token",
      "http://localhost.evil.example/token",
      "http://127.0.0.1.nip.io/token",
      "http://[::ffff:8.8.8.8]/token"
    ]
  ) {
    it.scoped(`token_endpoint ${JSON.stringify(value)}: TokenError Discovery, not retried`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [rfc8414Url]: metadata({ token_endpoint: value }) })
        const error = assertTokenError(yield* failureOf(endpoint, { retry: Schedule.recurs(3) }), "Discovery")
        assert.strictEqual(endpoint.requests.length, 1)
        assert.notInclude(error.message, "pass")
      }))
  }

  it.scoped("requireSameOriginTokenEndpoint: a token endpoint on the issuer's origin is accepted", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: metadata() })
      const found = yield* Effect.flatten(make(endpoint, { requireSameOriginTokenEndpoint: true }))
      assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
    }))

  for (
    const value of [
      "https://login.other.example/tenant-7/oauth2/token",
      "https://auth.example.com:8443/tenant-7/oauth2/token",
      "https://sub.auth.example.com/tenant-7/oauth2/token"
    ]
  ) {
    it.scoped(`requireSameOriginTokenEndpoint: token_endpoint ${value} is refused, naming its origin only`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [rfc8414Url]: metadata({ token_endpoint: value }) })
        const error = assertTokenError(
          yield* failureOf(endpoint, { requireSameOriginTokenEndpoint: true, retry: Schedule.recurs(3) }),
          "Discovery"
        )
        assert.strictEqual(endpoint.requests.length, 1)
        assert.strictEqual(
          error.detail,
          `the authorization server metadata's token_endpoint is at ${new URL(value).origin}, not at the issuer's ` +
            "origin, and requireSameOriginTokenEndpoint is set"
        )
        assert.notInclude(error.message, "tenant-7")
      }))
  }

  it.scoped("token_endpoint https elsewhere: accepted", () =>
    Effect.gen(function*() {
      const value = "https://login.other.example/tenant-7/token?api-version=2"
      const endpoint = server({ [rfc8414Url]: metadata({ token_endpoint: value }) })
      const found = yield* Effect.flatten(make(endpoint))
      assert.strictEqual(found.tokenEndpoint.href, value)
    }))

  const loopbackEndpoints = [
    "http://localhost/token",
    "http://127.0.0.1:8080/token",
    "http://127.1/token",
    "http://[::1]:8080/token"
  ]
  for (const value of loopbackEndpoints) {
    it.scoped(`token_endpoint ${value}: accepted from an issuer on this machine`, () =>
      Effect.gen(function*() {
        const local = "http://127.0.0.1:9000/tenant-7"
        const endpoint = server({
          "http://127.0.0.1:9000/.well-known/oauth-authorization-server/tenant-7": metadata(
            { token_endpoint: value },
            local
          )
        })
        const found = yield* Effect.flatten(make(endpoint, { issuer: new URL(local) }))
        assert.strictEqual(found.tokenEndpoint.href, new URL(value).href)
      }))

    it.scoped(`token_endpoint ${value}: refused from an https issuer (credentials in clear to whatever listens here)`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [rfc8414Url]: metadata({ token_endpoint: value }) })
        const error = assertTokenError(yield* failureOf(endpoint), "Discovery")
        assert.include(error.message, "plain http while the issuer uses https")
      }))
  }

  it.scoped("an http token endpoint elsewhere is accepted with allowInsecureHttp", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: metadata({ token_endpoint: "http://auth.example.com/token" }) })
      const found = yield* Effect.flatten(make(endpoint, { allowInsecureHttp: true }))
      assert.strictEqual(found.tokenEndpoint.href, "http://auth.example.com/token")
    }))

  for (const value of ["ftp://auth.example.com/token", "javascript:alert(1)", "file:///etc/token"]) {
    it.scoped(`token_endpoint ${value}: TokenError Discovery, even with allowInsecureHttp`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [rfc8414Url]: metadata({ token_endpoint: value }) })
        assertTokenError(yield* failureOf(endpoint, { allowInsecureHttp: true }), "Discovery")
      }))
  }

  it.scoped("a breach of the https rule names the token endpoint's origin, never its path or query", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: metadata({ token_endpoint: "http://evil.example/t0k3n?key=abc" }) })
      const error = assertTokenError(yield* failureOf(endpoint), "Discovery")
      assert.include(error.detail, "http://evil.example")
      assert.notInclude(error.message, "t0k3n")
      assert.notInclude(error.message, "key=abc")
    }))
})

describe("discovery: client authentication methods", () => {
  it.scoped("a method missing from token_endpoint_auth_methods_supported: TokenError UnsupportedAuthMethod", () =>
    Effect.gen(function*() {
      const endpoint = server({
        [rfc8414Url]: metadata({ token_endpoint_auth_methods_supported: ["private_key_jwt", "tls_client_auth"] })
      })
      const error = assertTokenError(yield* failureOf(endpoint, { retry: Schedule.recurs(3) }), "UnsupportedAuthMethod")
      assert.include(error.detail, "private_key_jwt, tls_client_auth")
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("an empty list supports nothing", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: metadata({ token_endpoint_auth_methods_supported: [] }) })
      assertTokenError(yield* failureOf(endpoint), "UnsupportedAuthMethod")
    }))

  it.scoped("absent: client_secret_basic only (RFC 8414 §2)", () =>
    Effect.gen(function*() {
      const absent = { token_endpoint_auth_methods_supported: undefined }
      const basic = server({ [rfc8414Url]: metadata(absent) })
      const found = yield* Effect.flatten(make(basic))
      assert.deepStrictEqual(found.authMethodsSupported, ["client_secret_basic"])
      assert.isUndefined(found.signingAlgorithmsSupported)
      const post = server({ [rfc8414Url]: metadata(absent) })
      assertTokenError(yield* failureOf(post, { authMethod: "client_secret_post" }), "UnsupportedAuthMethod")
    }))

  it.scoped("the configured method is compared exactly", () =>
    Effect.gen(function*() {
      const endpoint = server({
        [rfc8414Url]: metadata({ token_endpoint_auth_methods_supported: ["Private_Key_JWT"] })
      })
      assertTokenError(yield* failureOf(endpoint, { authMethod: "private_key_jwt" }), "UnsupportedAuthMethod")
    }))

  for (const field of ["token_endpoint_auth_methods_supported", "token_endpoint_auth_signing_alg_values_supported"]) {
    for (const value of ["client_secret_basic", [1], { a: "client_secret_basic" }]) {
      it.scoped(`${field} ${JSON.stringify(value)}: TokenError Discovery`, () =>
        Effect.gen(function*() {
          const endpoint = server({ [rfc8414Url]: metadata({ [field]: value }) })
          assertTokenError(yield* failureOf(endpoint), "Discovery")
        }))
    }
  }

  it.scoped("a server's list is cut to 1 KiB in the error", () =>
    Effect.gen(function*() {
      const many = Array.from({ length: 2000 }, (_, i) => `method_${i}`)
      const endpoint = server({ [rfc8414Url]: metadata({ token_endpoint_auth_methods_supported: many }) })
      const error = assertTokenError(yield* failureOf(endpoint), "UnsupportedAuthMethod")
      assert.isBelow(new TextEncoder().encode(error.detail!).byteLength, 1300)
    }))
})

describe("discovery: the document", () => {
  const good = JSON.stringify({ issuer, token_endpoint: tokenEndpoint })
  const bodies: ReadonlyArray<readonly [string, Endpoint.Answer]> = [
    ["not JSON", Endpoint.respond(200, "<html>metadata</html>", { "content-type": "text/html" })],
    ["a JSON array", Endpoint.json([{ issuer }])],
    ["a JSON string", Endpoint.json(issuer)],
    ["JSON null", Endpoint.json(null)],
    ["an empty body", Endpoint.respond(200, "")],
    [
      "good metadata padded past 1 MiB, streamed without a length",
      Endpoint.respond(
        200,
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(good))
            for (let i = 0; i < 16; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(64 * 1024)))
            controller.close()
          }
        })
      )
    ],
    ["good metadata announced over 1 MiB", Endpoint.respond(200, good, { "content-length": String(1024 * 1024 + 1) })]
  ]
  for (const [what, answer] of bodies) {
    it.scoped(`${what}: TokenError Discovery, not retried`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [rfc8414Url]: answer })
        assertTokenError(yield* failureOf(endpoint, { retry: Schedule.recurs(3) }), "Discovery")
        assert.strictEqual(endpoint.requests.length, 1)
      }))
  }

  it.scoped("good metadata padded to exactly 1 MiB is read", () =>
    Effect.gen(function*() {
      const padded = good + " ".repeat(1024 * 1024 - good.length)
      const endpoint = server({ [rfc8414Url]: Endpoint.respond(200, padded) })
      const found = yield* Effect.flatten(make(endpoint))
      assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
    }))
})

describe("discovery: network failures", () => {
  it.scoped("a transport failure: NetworkError Transport from Discovery, retried on the schedule", () =>
    Effect.gen(function*() {
      const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
      const endpoint = server({ [rfc8414Url]: Endpoint.transportFailure(refused) })
      const error = assertNetworkError(
        yield* failureOf(endpoint, { retry: Schedule.recurs(2) }),
        "Transport"
      )
      assert.strictEqual(endpoint.requests.length, 3)
      assert.strictEqual(error.message, "issuer https://auth.example.com unreachable (ECONNREFUSED)")
    }))

  it.scoped("a transport failure then metadata: found", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: [Endpoint.transportFailure(), metadata()] })
      const found = yield* Effect.flatten(make(endpoint, { retry: Schedule.recurs(1) }))
      assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  for (const [status, reason] of [[503, "ServerError"], [429, "RateLimited"], [408, "ServerError"]] as const) {
    it.scoped(`${status} with Retry-After: 5: the retry waits 5 s, then finds the metadata`, () =>
      Effect.gen(function*() {
        const endpoint = server({
          [rfc8414Url]: [Endpoint.respond(status, null, { "retry-after": "5" }), metadata()]
        })
        const discovered = yield* make(endpoint, {
          retry: Schedule.spaced("100 millis").pipe(Schedule.upTo("1 minute"))
        })
        const fiber = yield* Effect.fork(discovered)
        yield* TestClock.adjust("4999 millis")
        assert.strictEqual(endpoint.requests.length, 1)
        yield* TestClock.adjust("1 millis")
        const found = yield* Fiber.join(fiber)
        assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
        assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 5000])
      }))

    it.scoped(`${status} until the schedule ends: NetworkError ${reason} with its status and Retry-After`, () =>
      Effect.gen(function*() {
        const endpoint = server({ [rfc8414Url]: Endpoint.respond(status, null, { "retry-after": "2" }) })
        const discovered = yield* make(endpoint, { retry: Schedule.recurs(2) })
        const fiber = yield* Effect.fork(Effect.flip(discovered))
        yield* TestClock.adjust("1 minute")
        const error = assertNetworkError(yield* Fiber.join(fiber), reason)
        assert.strictEqual(error.status, status)
        assert.deepStrictEqual(error.retryAfter, Duration.seconds(2))
        assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 2000, 4000])
      }))
  }

  it.scoped("OpenID Connect's URL is retried on its own after RFC 8414's 404", () =>
    Effect.gen(function*() {
      const endpoint = server({ [openIdUrl]: [Endpoint.respond(503), metadata()] })
      const found = yield* Effect.flatten(make(endpoint, { retry: Schedule.recurs(1) }))
      assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url, openIdUrl, openIdUrl])
    }))

  it.scoped("a timeout per attempt of requestTimeout: NetworkError Timeout from Discovery, retried", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: [Endpoint.hang(), metadata()] })
      const discovered = yield* make(endpoint, { retry: Schedule.recurs(1), requestTimeout: Duration.seconds(10) })
      const fiber = yield* Effect.fork(discovered)
      yield* TestClock.adjust("9999 millis")
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(endpoint.requests.map((request) => request.at), [0, 10_000])
    }))

  it.scoped("a timeout with no retry left: NetworkError Timeout, source Discovery", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: Endpoint.hang() })
      const discovered = yield* make(endpoint, { requestTimeout: Duration.seconds(10) })
      const fiber = yield* Effect.fork(Effect.flip(discovered))
      yield* TestClock.adjust("10 seconds")
      assertNetworkError(yield* Fiber.join(fiber), "Timeout")
    }))

  it.scoped("a body that breaks off: NetworkError Transport, retried", () =>
    Effect.gen(function*() {
      const broken = () =>
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("{\"issuer\":"))
            controller.error(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }))
          }
        })
      const endpoint = server({ [rfc8414Url]: () => Effect.sync(() => new Response(broken(), { status: 200 })) })
      const error = assertNetworkError(yield* failureOf(endpoint, { retry: Schedule.recurs(1) }), "Transport")
      assert.strictEqual(error.status, 200)
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.effect("the Source schema knows Discovery", () =>
    Effect.gen(function*() {
      const error = new NetworkError.NetworkError({ reason: "Transport", source: "Discovery", origin: "https://h" })
      const encoded = yield* Schema.encode(NetworkError.NetworkError)(error)
      const decoded = yield* Schema.decodeUnknown(NetworkError.NetworkError)(encoded)
      assert.strictEqual(decoded.source, "Discovery")
      assert.strictEqual(decoded.message, "issuer https://h unreachable")
    }))
})

describe("discovery: what is kept", () => {
  it.scoped("good metadata is kept: later calls within its maximum age ask nothing", () =>
    Effect.gen(function*() {
      const endpoint = server({ [openIdUrl]: metadata() })
      const discovered = yield* make(endpoint)
      const first = yield* discovered
      for (let i = 0; i < 5; i++) assert.strictEqual(yield* discovered, first)
      yield* TestClock.adjust("23 hours")
      assert.strictEqual(yield* discovered, first)
      yield* settle
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url, openIdUrl])
    }))

  it.scoped("a NetworkError is not kept: the next call discovers again", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: [Endpoint.respond(503), metadata()] })
      const discovered = yield* make(endpoint)
      assertNetworkError(yield* Effect.flip(discovered), "ServerError")
      const found = yield* discovered
      assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("a TokenError is not kept either: the next call discovers again", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: [metadata({}, "https://evil.example"), metadata()] })
      const discovered = yield* make(endpoint)
      assertTokenError(yield* Effect.flip(discovered), "Discovery")
      const found = yield* discovered
      assert.strictEqual(found.issuer, issuer)
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.effect("metadata is kept for the scope it was made in: a new scope discovers again", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: metadata() })
      yield* Effect.scoped(Effect.flatten(make(endpoint)))
      yield* Effect.scoped(Effect.flatten(make(endpoint)))
      assert.strictEqual(endpoint.requests.length, 2)
    }))
})

describe("discovery: concurrent callers", () => {
  it.scoped("1,000 concurrent first callers share one discovery: one request per URL tried", () =>
    Effect.gen(function*() {
      const endpoint = server({
        [rfc8414Url]: Endpoint.delayed("1 second", Endpoint.respond(404)),
        [openIdUrl]: Endpoint.delayed("1 second", metadata())
      })
      const discovered = yield* make(endpoint)
      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 1000 }, () => discovered), {
        concurrency: "unbounded"
      }))
      yield* TestClock.adjust("2 seconds")
      const all = yield* Fiber.join(fiber)
      assert.strictEqual(all.length, 1000)
      assert.isTrue(all.every((found) => found === all[0]))
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url, openIdUrl])
    }))

  it.scoped("concurrent callers of a failed discovery share its failure, and the next call starts afresh", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: [Endpoint.delayed("1 second", Endpoint.respond(503)), metadata()] })
      const discovered = yield* make(endpoint)
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 100 }, () => Effect.flip(discovered)), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      const errors = yield* Fiber.join(fiber)
      assert.isTrue(errors.every((error) => NetworkError.isNetworkError(error)))
      assert.strictEqual(endpoint.requests.length, 1)
      yield* discovered
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("an interrupted caller stops waiting at once; the others get the metadata", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: Endpoint.delayed("1 second", metadata()) })
      const discovered = yield* make(endpoint)
      const first = yield* Effect.fork(discovered)
      const second = yield* Effect.fork(discovered)
      yield* settle
      yield* Fiber.interrupt(first)
      const exit = yield* Fiber.await(first)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.isUndefined(yield* pollNow(second))
      yield* TestClock.adjust("1 second")
      const found = yield* Fiber.join(second)
      assert.strictEqual(found.tokenEndpoint.href, tokenEndpoint)
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("a discovery whose only caller left finishes, and its metadata is kept", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: Endpoint.delayed("1 second", metadata()) })
      const discovered = yield* make(endpoint)
      const caller = yield* Effect.fork(discovered)
      yield* settle
      yield* Fiber.interrupt(caller)
      yield* TestClock.adjust("1 second")
      const later = yield* Effect.fork(discovered)
      assert.isDefined(yield* pollNow(later))
      assert.strictEqual((yield* Fiber.join(later)).tokenEndpoint.href, tokenEndpoint)
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.effect("the discovery ends with the scope, and so do its callers; after it, calls are interrupted", () =>
    Effect.gen(function*() {
      let abandoned = 0
      const endpoint = server({ [rfc8414Url]: Endpoint.hang(() => abandoned++) })
      const scope = yield* Scope.make()
      const discovered = yield* Scope.extend(make(endpoint), scope)
      const caller = yield* Effect.fork(discovered)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 1)
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(abandoned, 1)
      assert.isTrue(Exit.isInterrupted(yield* Fiber.await(caller)))
      assert.isTrue(Exit.isInterrupted(yield* Effect.exit(discovered)))
      assert.strictEqual(endpoint.requests.length, 1)
    }))
})

describe("discovery: reading the metadata again", () => {
  const moved = "https://login.auth.example.com/tenant-7/oauth2/v2/token"

  /** Discovery on `endpoint` with its logs captured; the first metadata, read at time 0. */
  const discovered = (endpoint: Endpoint.ScriptedEndpoint, overrides: Partial<Discovery.Options> = {}) =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      const discovery = yield* makeDiscovery(endpoint, overrides).pipe(Effect.provide(logs.layer))
      const first = yield* discovery.metadata
      return { discovery, first, logs }
    })

  const messages = (logs: Logs.CapturedLogs, level: string) =>
    logs.entries.filter((entry) => entry.level === level).map((entry) => /message="([^"]*)"/.exec(entry.text)?.[1])

  it("maxAgeOf: Cache-Control max-age held to [1 minute, 24 hours]; no-cache, no-store: 1 minute; none: 24 hours", () => {
    const cases: ReadonlyArray<readonly [string | undefined, Duration.DurationInput]> = [
      [undefined, "24 hours"],
      ["public", "24 hours"],
      ["max-age=600", "10 minutes"],
      ["public, Max-Age=3600, must-revalidate", "1 hour"],
      ["max-age=\"120\"", "2 minutes"],
      ["max-age=0", "1 minute"],
      ["max-age=10", "1 minute"],
      ["max-age=31536000", "24 hours"],
      ["no-cache", "1 minute"],
      ["no-store, max-age=3600", "1 minute"],
      ["max-age=ten", "24 hours"]
    ]
    for (const [header, expected] of cases) {
      assert.deepStrictEqual(Discovery.maxAgeOf(header), Duration.decode(expected), String(header))
    }
  })

  it.scoped("after 24 hours without Cache-Control: served at once from memory, read again once in the background", () =>
    Effect.gen(function*() {
      const endpoint = server({
        [rfc8414Url]: [metadata(), Endpoint.delayed("1 second", metadata({ token_endpoint: moved }))]
      })
      const { discovery, first } = yield* discovered(endpoint)
      yield* TestClock.adjust(Duration.subtract(Discovery.maxMetadataAge, Duration.millis(1)))
      assert.strictEqual(yield* discovery.metadata, first)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 1, "not stale yet")
      yield* TestClock.adjust("1 millis")
      // stale: every caller is served the known metadata at once while one re-read runs
      const during = yield* Effect.all(Array.from({ length: 50 }, () => discovery.metadata), {
        concurrency: "unbounded"
      })
      assert.isTrue(during.every((metadata) => metadata === first))
      yield* settle
      assert.strictEqual(endpoint.requests.length, 2)
      assert.strictEqual(yield* discovery.metadata, first)
      yield* TestClock.adjust("1 second")
      const second = yield* discovery.metadata
      assert.strictEqual(second.tokenEndpoint.href, moved)
      assert.strictEqual(endpoint.requests.length, 2)
      assert.deepStrictEqual(urls(endpoint), [rfc8414Url, rfc8414Url])
    }))

  it.scoped("Cache-Control: max-age=600 is read again after 10 minutes; max-age=5 after 1 minute", () =>
    Effect.gen(function*() {
      for (const [header, age] of [["max-age=600", "10 minutes"], ["max-age=5", "1 minute"]] as const) {
        const endpoint = server({
          [rfc8414Url]: [metadata({}, issuer, { "cache-control": header }), metadata({ token_endpoint: moved })]
        })
        const { discovery } = yield* discovered(endpoint)
        yield* TestClock.adjust(Duration.subtract(Duration.decode(age), Duration.millis(1)))
        yield* discovery.metadata
        yield* settle
        assert.strictEqual(endpoint.requests.length, 1, header)
        yield* TestClock.adjust("1 millis")
        yield* discovery.metadata
        yield* settle
        assert.strictEqual((yield* discovery.metadata).tokenEndpoint.href, moved, header)
        assert.strictEqual(endpoint.requests.length, 2, header)
      }
    }))

  it.scoped("endpointFailed: a re-read once the cool-down since the last read has passed, one however many say so", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: [metadata(), metadata({ token_endpoint: moved })] })
      const { discovery, first } = yield* discovered(endpoint)
      yield* TestClock.adjust(Duration.subtract(Discovery.rereadCooldown, Duration.millis(1)))
      yield* discovery.endpointFailed(first)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 1, "within the cool-down: nothing")
      yield* TestClock.adjust("1 millis")
      yield* Effect.all(Array.from({ length: 20 }, () => discovery.endpointFailed(first)), { concurrency: "unbounded" })
      yield* settle
      assert.strictEqual(endpoint.requests.length, 2)
      const second = yield* discovery.metadata
      assert.strictEqual(second.tokenEndpoint.href, moved)
      // about metadata no longer served: nothing, whenever
      yield* TestClock.adjust("1 hour")
      yield* discovery.endpointFailed(first)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 2)
      assert.strictEqual(yield* discovery.metadata, second)
    }))

  it.scoped("a re-read that fails keeps the metadata, is logged at warning once, and is tried again after the cool-down", () =>
    Effect.gen(function*() {
      const endpoint = server({
        [rfc8414Url]: [
          metadata(),
          Endpoint.respond(503),
          metadata({}, "https://evil.example"),
          metadata({ token_endpoint: moved })
        ]
      })
      const { discovery, first, logs } = yield* discovered(endpoint)
      const warnings = () => messages(logs, "WARN")
      yield* TestClock.adjust(Discovery.rereadCooldown)
      yield* discovery.endpointFailed(first)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 2)
      assert.strictEqual(yield* discovery.metadata, first, "a 503: the metadata is kept")
      assert.deepStrictEqual(warnings(), [
        "effect-oauth2: reading the issuer's metadata again failed; keeping the metadata read before"
      ])
      // within the cool-down from the failed read: nothing
      yield* TestClock.adjust(Duration.subtract(Discovery.rereadCooldown, Duration.millis(1)))
      yield* discovery.endpointFailed(first)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 2)
      yield* TestClock.adjust("1 millis")
      yield* discovery.endpointFailed(first)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 3)
      assert.strictEqual(yield* discovery.metadata, first, "another issuer: the metadata is kept")
      assert.lengthOf(warnings(), 1, "a run of failures is logged at warning once")
      yield* TestClock.adjust(Discovery.rereadCooldown)
      yield* discovery.endpointFailed(first)
      yield* settle
      assert.strictEqual((yield* discovery.metadata).tokenEndpoint.href, moved)
      assert.include(messages(logs, "INFO"), "effect-oauth2: the issuer's metadata was read again")
      const text = logs.entries.map((entry) => entry.text).join("\n")
      assert.notInclude(text, "tenant-7")
    }))

  it.scoped("stale metadata whose re-read fails: tried again by a caller once the cool-down has passed, not before", () =>
    Effect.gen(function*() {
      const endpoint = server({
        [rfc8414Url]: [metadata(), Endpoint.respond(503), metadata({ token_endpoint: moved })]
      })
      const { discovery, first } = yield* discovered(endpoint)
      yield* TestClock.adjust(Discovery.maxMetadataAge)
      assert.strictEqual(yield* discovery.metadata, first)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 2)
      for (let i = 0; i < 5; i++) {
        yield* TestClock.adjust("5 seconds")
        assert.strictEqual(yield* discovery.metadata, first)
        yield* settle
      }
      assert.strictEqual(endpoint.requests.length, 2, "within the cool-down: no re-read")
      yield* TestClock.adjust("5 seconds")
      yield* discovery.metadata
      yield* settle
      assert.strictEqual(endpoint.requests.length, 3)
      assert.strictEqual((yield* discovery.metadata).tokenEndpoint.href, moved)
    }))

  it.scoped("the token endpoint's origin is logged at debug once: on the issuer's origin, or another; a move at info", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: [metadata(), metadata({ token_endpoint: moved })] })
      const { discovery, first, logs } = yield* discovered(endpoint)
      yield* discovery.metadata
      const debug = () => messages(logs, "DEBUG").filter((message) => message?.includes("token endpoint"))
      assert.deepStrictEqual(debug(), ["effect-oauth2: the token endpoint is on the issuer's origin"])
      yield* TestClock.adjust(Discovery.rereadCooldown)
      yield* discovery.endpointFailed(first)
      yield* settle
      assert.deepStrictEqual(messages(logs, "INFO"), [
        "effect-oauth2: the issuer's metadata names another token endpoint, on another origin than the issuer's; using it"
      ])
      assert.include(logs.entries.at(-1)!.text, "https://login.auth.example.com")
      assert.notInclude(logs.entries.map((entry) => entry.text).join("\n"), "tenant-7")

      const elsewhere = server({ [rfc8414Url]: metadata({ token_endpoint: moved }) })
      const other = yield* discovered(elsewhere)
      assert.deepStrictEqual(
        messages(other.logs, "DEBUG").filter((message) => message?.includes("token endpoint")),
        ["effect-oauth2: the token endpoint is on another origin than the issuer's"]
      )
    }))

  it.scoped("ages follow the Clock's monotonic time: a wall clock set forward or back changes nothing", () =>
    Effect.gen(function*() {
      const endpoint = server({ [rfc8414Url]: [metadata(), metadata({ token_endpoint: moved })] })
      let wall = 0
      let monotonic = BigInt(0)
      const clock: Clock.Clock = {
        [Clock.ClockTypeId]: Clock.ClockTypeId,
        unsafeCurrentTimeMillis: () => wall,
        currentTimeMillis: Effect.sync(() => wall),
        unsafeCurrentTimeNanos: () => monotonic,
        currentTimeNanos: Effect.sync(() => monotonic),
        sleep: () => Effect.never
      }
      // the reads run on the test's clock; the callers, who decide when to read again, on this one
      const discovery = yield* makeDiscovery(endpoint)
      const metadataNow = Effect.withClock(discovery.metadata, clock)
      const first = yield* metadataNow
      wall += Duration.toMillis("365 days")
      assert.strictEqual(yield* metadataNow, first)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 1, "the wall clock set forward a year: not stale")
      wall = 0
      monotonic += Duration.unsafeToNanos(Discovery.maxMetadataAge)
      assert.strictEqual(yield* metadataNow, first)
      yield* settle
      assert.strictEqual(
        endpoint.requests.length,
        2,
        "24 hours of monotonic time: stale, though the wall clock is back"
      )
      assert.strictEqual((yield* metadataNow).tokenEndpoint.href, moved)
    }))

  it.effect("a re-read ends with the scope; the metadata is still served", () =>
    Effect.gen(function*() {
      let abandoned = 0
      const endpoint = server({ [rfc8414Url]: [metadata(), Endpoint.hang(() => abandoned++)] })
      const scope = yield* Scope.make()
      const { discovery, first } = yield* Scope.extend(discovered(endpoint), scope)
      yield* TestClock.adjust(Discovery.rereadCooldown)
      yield* discovery.endpointFailed(first)
      yield* settle
      assert.strictEqual(endpoint.requests.length, 2)
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(abandoned, 1)
      assert.strictEqual(yield* discovery.metadata, first)
    }))
})

describe("isEndpointGone: what a token request's failure says of the token endpoint", () => {
  it("a 404 or 410, no answer, or no answer in time: gone; an answer, or discovery's own failure: not", () => {
    const origin = "https://auth.example.com"
    const gone = [
      new TokenError.TokenError({ reason: "InvalidResponse", origin, status: 404 }),
      new TokenError.TokenError({ reason: "InvalidResponse", origin, status: 410 }),
      new NetworkError.NetworkError({ reason: "Transport", source: "TokenEndpoint", origin, detail: "unreachable" }),
      new NetworkError.NetworkError({ reason: "Timeout", source: "TokenEndpoint", origin })
    ]
    const alive = [
      new TokenError.TokenError({ reason: "InvalidResponse", origin, status: 400 }),
      new TokenError.TokenError({ reason: "OAuth", origin, status: 401, error: "invalid_client" }),
      new TokenError.TokenError({ reason: "Discovery", origin, status: 404 }),
      new NetworkError.NetworkError({ reason: "ServerError", source: "TokenEndpoint", origin, status: 503 }),
      new NetworkError.NetworkError({ reason: "Transport", source: "TokenEndpoint", origin, status: 200 }),
      new NetworkError.NetworkError({ reason: "Transport", source: "Discovery", origin })
    ]
    for (const error of gone) assert.isTrue(Discovery.isEndpointGone(error), error.message)
    for (const error of alive) assert.isFalse(Discovery.isEndpointGone(error), error.message)
  })
})
