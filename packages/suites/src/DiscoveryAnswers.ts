/**
 * Discovery answers (`docs/behaviour.md#discovery-answers`, `docs/configuration.md#discovery`), through a token service
 * configured with an `issuer`: RFC 8414's well-known URL first, OpenID Connect's after its 404; what each answer of the
 * issuer becomes and whether it is retried; a `TokenError` of discovery remembered for `terminalErrorCooldown`, a
 * `NetworkError` never kept; one discovery for concurrent callers, which an interrupted caller does not stop.
 *
 * @since 0.1.0
 */
import * as Kit from "./internal/kit.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

const issuer = "https://auth.example.com/tenant-7"
const rfc8414Url = "https://auth.example.com/.well-known/oauth-authorization-server/tenant-7"
const openIdUrl = "https://auth.example.com/tenant-7/.well-known/openid-configuration"
const tokenEndpoint = "https://auth.example.com/tenant-7/oauth2/token"

/** A metadata document for `issuer`; `fields` add to or override it (`undefined` drops one). */
const metadata = (fields: Readonly<Record<string, unknown>> = {}, forIssuer = issuer): Line.Answer =>
  Kit.json({
    issuer: forIssuer,
    token_endpoint: tokenEndpoint,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"],
    ...fields
  })

/** The issuer's server: `routes` by URL, a token at the token endpoint unless routed, a 404 anywhere else. */
const server = (routes: Readonly<Record<string, Line.Answer | ReadonlyArray<Line.Answer>>>): Line.ScriptedOptions => ({
  fallback: Kit.byUrl({ [tokenEndpoint]: Kit.token(), ...routes })
})

const options = (overrides: Line.ServiceOptions = {}): Line.ServiceOptions => ({
  issuer,
  clientId: Kit.clientId,
  clientSecret: Kit.clientSecret,
  retry: { times: 0 },
  ...overrides
})

const urls = (net: Line.Scripted) => net.requests().map((request) => request.url)

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  /** The error of the first call, after asserting its tag, reason and origin; with the requests made. */
  const failureOf = (
    routes: Readonly<Record<string, Line.Answer | ReadonlyArray<Line.Answer>>>,
    tag: "TokenError" | "NetworkError",
    reason: string,
    overrides: Line.ServiceOptions = {}
  ) =>
    Kit.withScripted(line, server(routes), async (net) => {
      const service = await net.service(options(overrides))
      const call = service.get()
      await net.advance(120_000)
      const error = await Kit.errorOf(call)
      assert.strictEqual(error.tag, tag, error.message)
      assert.strictEqual(error.reason, reason, error.message)
      assert.strictEqual(error.fields.origin, new URL(overrides.issuer ?? issuer).origin)
      if (tag === "NetworkError") assert.strictEqual(error.fields.source, "Discovery")
      return { error, urls: urls(net) }
    })

  /** The URLs asked, once a token was found. */
  const found = (
    routes: Readonly<Record<string, Line.Answer | ReadonlyArray<Line.Answer>>>,
    overrides: Line.ServiceOptions = {}
  ) =>
    Kit.withScripted(line, server(routes), async (net) => {
      const service = await net.service(options(overrides))
      const call = service.get()
      await net.advance(120_000)
      await Kit.tokenOf(call)
      return net.requests()
    })

  describe("discovery answers: where it looks", () => {
    it("RFC 8414 first, a GET that accepts JSON; then the token endpoint it names", async () => {
      const requests = await found({ [rfc8414Url]: metadata() })
      assert.deepStrictEqual(requests.map((request) => request.url), [rfc8414Url, tokenEndpoint])
      assert.strictEqual(requests[0]!.method, "GET")
      assert.strictEqual(requests[0]!.headers["accept"], "application/json")
    })

    for (const configured of ["https://auth.example.com", "https://auth.example.com/"]) {
      it(`an issuer without a path (${configured}): no path after the well-known segment`, async () => {
        const root = "https://auth.example.com/.well-known/oauth-authorization-server"
        const requests = await found({ [root]: metadata({}, "https://auth.example.com") }, { issuer: configured })
        assert.strictEqual(requests[0]!.url, root)
      })
    }

    it("OpenID Connect's URL when RFC 8414's answers 404", async () => {
      const requests = await found({ [openIdUrl]: metadata() })
      assert.deepStrictEqual(requests.map((request) => request.url), [rfc8414Url, openIdUrl, tokenEndpoint])
    })

    it("404 at both URLs: TokenError Discovery, status 404, after one request to each", async () => {
      const { error, urls } = await failureOf({}, "TokenError", "Discovery")
      assert.strictEqual(error.fields.status, 404)
      assert.deepStrictEqual(urls, [rfc8414Url, openIdUrl])
    })

    for (const status of [400, 401, 403, 410]) {
      it(`RFC 8414's URL answers ${status}: TokenError Discovery, no fallback, no retry`, async () => {
        const { error, urls } = await failureOf(
          { [rfc8414Url]: Kit.respond(status), [openIdUrl]: metadata() },
          "TokenError",
          "Discovery",
          { retry: { times: 3 } }
        )
        assert.strictEqual(error.fields.status, status)
        assert.deepStrictEqual(urls, [rfc8414Url])
      })
    }

    it("a 5xx from RFC 8414's URL is no reason to fall back: NetworkError, OpenID Connect's URL not asked", async () => {
      const { urls } = await failureOf(
        { [rfc8414Url]: Kit.respond(500), [openIdUrl]: metadata() },
        "NetworkError",
        "ServerError"
      )
      assert.deepStrictEqual(urls, [rfc8414Url])
    })

    for (const status of [301, 302, 307, 308]) {
      it(`a redirect (${status}) is not followed: TokenError Discovery`, async () => {
        const { error, urls } = await failureOf(
          { [rfc8414Url]: Kit.respond(status, undefined, { location: openIdUrl }) },
          "TokenError",
          "Discovery"
        )
        assert.strictEqual(error.fields.status, status)
        assert.deepStrictEqual(urls, [rfc8414Url])
      })
    }
  })

  describe("discovery answers: the metadata", () => {
    it("metadata for another issuer: TokenError Discovery, naming its origin, never its path", async () => {
      const { error } = await failureOf(
        { [rfc8414Url]: metadata({}, "https://evil.example/t3nant-path") },
        "TokenError",
        "Discovery"
      )
      assert.include(error.message, "https://evil.example")
      assert.notInclude(error.message, "t3nant-path")
    })

    for (
      const value of [
        undefined,
        "",
        42,
        "/tenant-7/oauth2/token",
        "ftp://auth.example.com/token",
        "javascript:alert(1)",
        "https://user:pass@auth.example.com/token",
        "https://auth.example.com/token#fragment",
        "http://auth.example.com/token",
        "http://127.evil.example/token",
        "http://[::ffff:8.8.8.8]/token"
      ]
    ) {
      it(`token_endpoint ${JSON.stringify(value)}: TokenError Discovery, not retried`, async () => {
        const { error, urls } = await failureOf(
          { [rfc8414Url]: metadata({ token_endpoint: value }) },
          "TokenError",
          "Discovery",
          { retry: { times: 3 } }
        )
        assert.deepStrictEqual(urls, [rfc8414Url])
        assert.notInclude(error.message, "pass")
      })
    }

    it("a token endpoint on another origin over https is used; refused with requireSameOriginTokenEndpoint", async () => {
      const elsewhere = "https://login.other.example/tenant-7/token"
      const requests = await found({ [rfc8414Url]: metadata({ token_endpoint: elsewhere }), [elsewhere]: Kit.token() })
      assert.deepStrictEqual(requests.map((request) => request.url), [rfc8414Url, elsewhere])
      const { error, urls } = await failureOf(
        { [rfc8414Url]: metadata({ token_endpoint: elsewhere }) },
        "TokenError",
        "Discovery",
        { requireSameOriginTokenEndpoint: true }
      )
      assert.include(error.message, "requireSameOriginTokenEndpoint")
      assert.include(error.message, "https://login.other.example")
      assert.notInclude(error.message, "tenant-7/token")
      assert.deepStrictEqual(urls, [rfc8414Url])
    })

    it("an http token endpoint on this machine is used when the issuer is on this machine, refused from an https one", async () => {
      const local = "http://127.0.0.1:9000/tenant-7"
      const localMetadata = "http://127.0.0.1:9000/.well-known/oauth-authorization-server/tenant-7"
      const requests = await found(
        {
          [localMetadata]: metadata({ token_endpoint: "http://127.0.0.1:8080/token" }, local),
          "http://127.0.0.1:8080/token": Kit.token()
        },
        { issuer: local }
      )
      assert.deepStrictEqual(requests.map((request) => request.url), [localMetadata, "http://127.0.0.1:8080/token"])
      const { error } = await failureOf(
        { [rfc8414Url]: metadata({ token_endpoint: "http://127.0.0.1:8080/token" }) },
        "TokenError",
        "Discovery"
      )
      assert.include(error.message, "plain http while the issuer uses https")
    })

    it("an http token endpoint elsewhere is used with allowInsecureHttp", async () => {
      const requests = await found(
        {
          [rfc8414Url]: metadata({ token_endpoint: "http://auth.example.com/token" }),
          "http://auth.example.com/token": Kit.token()
        },
        { allowInsecureHttp: true }
      )
      assert.strictEqual(requests[1]!.url, "http://auth.example.com/token")
    })

    it("a method missing from token_endpoint_auth_methods_supported: TokenError UnsupportedAuthMethod, naming the list", async () => {
      const { error } = await failureOf(
        { [rfc8414Url]: metadata({ token_endpoint_auth_methods_supported: ["private_key_jwt", "tls_client_auth"] }) },
        "TokenError",
        "UnsupportedAuthMethod",
        { retry: { times: 3 } }
      )
      assert.include(error.message, "private_key_jwt, tls_client_auth")
    })

    it("no list: client_secret_basic only (RFC 8414 §2); an empty list: nothing", async () => {
      const absent = { token_endpoint_auth_methods_supported: undefined }
      await found({ [rfc8414Url]: metadata(absent) })
      await failureOf({ [rfc8414Url]: metadata(absent) }, "TokenError", "UnsupportedAuthMethod", {
        authMethod: "client_secret_post"
      })
      await failureOf(
        { [rfc8414Url]: metadata({ token_endpoint_auth_methods_supported: [] }) },
        "TokenError",
        "UnsupportedAuthMethod"
      )
    })

    for (const value of ["client_secret_basic", [1], { a: "client_secret_basic" }]) {
      it(`token_endpoint_auth_methods_supported ${JSON.stringify(value)}: TokenError Discovery`, () =>
        failureOf(
          { [rfc8414Url]: metadata({ token_endpoint_auth_methods_supported: value }) },
          "TokenError",
          "Discovery"
        ).then(() => undefined))
    }

    const good = JSON.stringify({ issuer, token_endpoint: tokenEndpoint })
    const bodies: ReadonlyArray<readonly [string, Line.Answer]> = [
      ["not JSON", Kit.respond(200, "<html>metadata</html>", { "content-type": "text/html" })],
      ["a JSON array", Kit.json([{ issuer }])],
      ["JSON null", Kit.json(null)],
      ["an empty body", Kit.respond(200, "")],
      ["good metadata announced over 1 MiB", Kit.respond(200, good, { "content-length": String(1024 * 1024 + 1) })],
      [
        "good metadata padded past 1 MiB, streamed without a length",
        Kit.respond(200, () =>
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(good))
              for (let i = 0; i < 17; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(64 * 1024)))
              controller.close()
            }
          }))
      ]
    ]
    for (const [what, answer] of bodies) {
      it(`${what}: TokenError Discovery, not retried`, async () => {
        const { urls } = await failureOf({ [rfc8414Url]: answer }, "TokenError", "Discovery", { retry: { times: 3 } })
        assert.deepStrictEqual(urls, [rfc8414Url])
      })
    }

    it("good metadata padded to exactly 1 MiB is read", async () => {
      const requests = await found({ [rfc8414Url]: Kit.respond(200, good + " ".repeat(1024 * 1024 - good.length)) })
      assert.strictEqual(requests.length, 2)
    })
  })

  describe("discovery answers: failures retried, remembered or not", () => {
    it("a transport failure: NetworkError Transport from Discovery, retried on the schedule", async () => {
      const refused = Kit.errorWithCode("connect ECONNREFUSED", "ECONNREFUSED")
      const { error, urls } = await failureOf(
        { [rfc8414Url]: Kit.transportError(refused) },
        "NetworkError",
        "Transport",
        { retry: { times: 2 } }
      )
      assert.strictEqual(urls.length, 3)
      assert.strictEqual(error.message, "issuer https://auth.example.com unreachable (ECONNREFUSED)")
    })

    for (const [status, reason] of [[503, "ServerError"], [429, "RateLimited"], [408, "ServerError"]] as const) {
      it(`${status} with Retry-After: 5: the retry waits 5 s, then finds the metadata`, () =>
        Kit.withScripted(
          line,
          server({ [rfc8414Url]: [Kit.respond(status, undefined, { "retry-after": "5" }), metadata()] }),
          async (net) => {
            const service = await net.service(options({ retry: { spacedMillis: 100 } }))
            const call = service.get()
            await net.advance(4999)
            assert.strictEqual(net.requests().length, 1)
            await net.advance(1)
            await Kit.tokenOf(call)
            assert.deepStrictEqual(Kit.times(net).slice(0, 2), [0, 5000])
          }
        ))

      it(`${status} until the schedule ends: NetworkError ${reason} with its status and Retry-After`, async () => {
        const { error, urls } = await failureOf(
          { [rfc8414Url]: Kit.respond(status, undefined, { "retry-after": "2" }) },
          "NetworkError",
          reason,
          { retry: { times: 2 } }
        )
        assert.strictEqual(error.fields.status, status)
        assert.strictEqual(error.fields.retryAfter, 2000)
        assert.strictEqual(urls.length, 3)
      })
    }

    it("OpenID Connect's URL is retried on its own after RFC 8414's 404", async () => {
      const requests = await found({ [openIdUrl]: [Kit.respond(503), metadata()] }, { retry: { times: 1 } })
      assert.deepStrictEqual(requests.map((request) => request.url), [rfc8414Url, openIdUrl, openIdUrl, tokenEndpoint])
    })

    it("no answer within requestTimeout: NetworkError Timeout from Discovery, retried", () =>
      Kit.withScripted(line, server({ [rfc8414Url]: [Kit.hang, metadata()] }), async (net) => {
        const service = await net.service(options({ retry: { times: 1 }, requestTimeout: 10_000 }))
        const call = service.get()
        await net.advance(9999)
        assert.strictEqual(net.requests().length, 1)
        await net.advance(1)
        await Kit.tokenOf(call)
        assert.deepStrictEqual(Kit.times(net).slice(0, 2), [0, 10_000])
      }))

    it("a NetworkError of discovery is not kept: the next call discovers again", () =>
      Kit.withScripted(line, server({ [rfc8414Url]: [Kit.respond(503), metadata()] }), async (net) => {
        const service = await net.service(options())
        assert.strictEqual((await Kit.errorOf(service.get())).reason, "ServerError")
        await Kit.tokenOf(service.get())
        assert.deepStrictEqual(urls(net), [rfc8414Url, rfc8414Url, tokenEndpoint])
      }))

    const unusable = [
      [
        "the configured method missing",
        metadata({ token_endpoint_auth_methods_supported: ["private_key_jwt"] }),
        "UnsupportedAuthMethod"
      ],
      ["another issuer", metadata({}, "https://evil.example.com"), "Discovery"]
    ] as const
    for (const [what, answer, reason] of unusable) {
      it(`${what}: ${reason}, remembered for terminalErrorCooldown: calls inside 5 s ask nothing, after it ask again`, () =>
        Kit.withScripted(line, server({ [rfc8414Url]: answer }), async (net) => {
          const service = await net.service(options())
          const first = await Kit.errorOf(service.get())
          assert.strictEqual(first.reason, reason)
          assert.strictEqual(first.fields.isTerminal, true)
          assert.strictEqual(net.requests().length, 1)
          await net.advance(4999)
          assert.strictEqual((await Kit.errorOf(service.get())).reason, reason)
          assert.strictEqual((await Kit.errorOf(service.get({}))).reason, reason)
          assert.strictEqual(net.requests().length, 1, "remembered: nothing asked")
          await net.advance(2)
          await Kit.errorOf(service.get())
          assert.strictEqual(net.requests().length, 2, "forgotten after the cool-down: asked again")
        }))
    }

    it("good metadata is kept: later token requests ask the issuer nothing", () =>
      Kit.withScripted(line, server({ [openIdUrl]: metadata() }), async (net) => {
        const service = await net.service(options())
        await Kit.tokenOf(service.get())
        await Kit.tokenOf(service.get({ scopes: ["a"] }))
        await net.advance(3_600_000)
        await Kit.tokenOf(service.get({ scopes: ["b"] }))
        assert.deepStrictEqual(urls(net), [rfc8414Url, openIdUrl, tokenEndpoint, tokenEndpoint, tokenEndpoint])
      }))
  })

  describe("discovery answers: concurrent callers", () => {
    it(
      "1,000 concurrent first callers share one discovery: one request per URL tried",
      () =>
        Kit.withScripted(
          line,
          server({
            [rfc8414Url]: Kit.delayed(1000, Kit.respond(404)),
            [openIdUrl]: Kit.delayed(1000, metadata())
          }),
          async (net) => {
            const service = await net.service(options())
            const calls = Array.from({ length: 1000 }, (_, i) => service.get({ scopes: [`s${i % 10}`] }))
            await net.advance(2000)
            await Promise.all(calls.map(Kit.tokenOf))
            assert.deepStrictEqual(urls(net).slice(0, 2), [rfc8414Url, openIdUrl])
            assert.strictEqual(urls(net).filter((url) => url !== tokenEndpoint).length, 2)
          }
        ),
      30_000
    )

    it("an interrupted caller stops waiting at once; the others get their token", () =>
      Kit.withScripted(line, server({ [rfc8414Url]: Kit.delayed(1000, metadata()) }), async (net) => {
        const service = await net.service(options())
        const first = service.get()
        const second = service.get()
        await first.poll()
        await first.interrupt()
        assert.strictEqual((await first.outcome)._tag, "Interrupted")
        assert.isUndefined(await second.poll())
        await net.advance(1000)
        await Kit.tokenOf(second)
        assert.deepStrictEqual(urls(net), [rfc8414Url, tokenEndpoint])
      }))
  })
}
