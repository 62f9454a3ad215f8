/**
 * Errors (`docs/behaviour.md#errors`): where, then what happened, once. A `NetworkError` names its source (the token
 * endpoint, the issuer or the API) and the origin it called, a `TokenError` the token endpoint's origin, each with the
 * reason once, and never a path or a query. Real sockets over a closed port show the texts a user sees; scripted
 * answers cover every other reason.
 *
 * @since 0.1.0
 */
import * as Kit from "./internal/kit.js"
import * as Server from "./internal/server.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

/** The path and query every URL below carries: no message may show them. */
const pathAndQuery = "/tenant-7/oauth2/token?customer=acme"

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  const assertNoPathOrQuery = (message: string) => {
    assert.notInclude(message, "tenant-7")
    assert.notInclude(message, "acme")
  }

  /** The error the first call fails with, on the scripted endpoint answering `answers`, with no retries. */
  const failureOf = (...answers: ReadonlyArray<Line.Answer>) =>
    Kit.withScripted(line, {}, async (net) => {
      net.script(...answers)
      const service = await net.service(
        Kit.optionsWith({ tokenUrl: `https://auth.example.com${pathAndQuery}`, retry: { times: 0 } })
      )
      const call = service.get()
      await net.advance(60_000)
      return Kit.errorOf(call)
    })

  describe("errors: what they say", () => {
    it("an unreachable token endpoint: the source, the origin and the reason, once", async () => {
      const port = await Server.closedPort()
      const error = await Kit.withLive(line, {}, async (net) => {
        const service = await net.service(
          Kit.optionsWith({ tokenUrl: `http://127.0.0.1:${port}${pathAndQuery}`, retry: { times: 0 } })
        )
        return Kit.errorOf(service.get())
      })
      assert.strictEqual(error.tag, "NetworkError")
      assert.strictEqual(error.fields.source, "TokenEndpoint")
      assert.strictEqual(error.fields.origin, `http://127.0.0.1:${port}`)
      assert.strictEqual(error.message, `token endpoint http://127.0.0.1:${port} unreachable (ECONNREFUSED)`)
      assert.strictEqual(error.printings.find(([how]) => how === "String")?.[1], `NetworkError: ${error.message}`)
    }, 10_000)

    it("an unreachable API: said to be the API, at its origin, without the path or query", async () => {
      const port = await Server.closedPort()
      const error = await Kit.withLive(line, {}, async (net) => {
        const client = await net.authorizedClient(net.fixedTokens("api-token-1"))
        return Kit.errorOf(client.send({ url: `http://127.0.0.1:${port}${pathAndQuery}` }))
      })
      assert.strictEqual(error.tag, "NetworkError")
      assert.strictEqual(error.fields.source, "Api")
      assert.strictEqual(error.fields.origin, `http://127.0.0.1:${port}`)
      assert.strictEqual(error.message, `API http://127.0.0.1:${port} unreachable (ECONNREFUSED)`)
      assertNoPathOrQuery(error.message)
    }, 10_000)

    it("an answer that breaks off is said so, with its status, and retried", async () => {
      let answers = 0
      await Server.withServer((_, response) => {
        answers++
        response.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        response.write("{\"access_token\":")
        // the connection ends with 984 of the announced bytes unsent
        setTimeout(() => response.destroy(), 10)
      }, (server) =>
        Kit.withLive(line, {}, async (net) => {
          const service = await net.service(
            Kit.optionsWith({ tokenUrl: `${server.url}${pathAndQuery}`, retry: { times: 1, spacedMillis: 1 } })
          )
          const error = await Kit.errorOf(service.get())
          assert.strictEqual(answers, 2, "retried once, as a transport failure is")
          assert.strictEqual(error.reason, "Transport")
          assert.strictEqual(error.fields.status, 200)
          assert.strictEqual(error.fields.isRetryable, true)
          assert.match(
            error.message,
            new RegExp(`^token endpoint ${server.url} broke off its answer after HTTP 200 \\(.+\\)$`)
          )
          assertNoPathOrQuery(error.message)
        }))
    }, 10_000)

    it("a timeout, a 503 and a 429 read naturally", async () => {
      const timeout = await failureOf(Kit.hang)
      assert.strictEqual(timeout.message, "token endpoint https://auth.example.com timed out (no answer within 30s)")
      const serverError = await failureOf(Kit.respond(503, "down", { "retry-after": "2" }))
      assert.strictEqual(
        serverError.message,
        "token endpoint https://auth.example.com failed (HTTP 503), retry after 2s"
      )
      const rateLimited = await failureOf(Kit.respond(429, "slow down", { "retry-after": "5" }))
      assert.strictEqual(
        rateLimited.message,
        "token endpoint https://auth.example.com rate limited the request (HTTP 429), retry after 5s"
      )
      for (const error of [timeout, serverError, rateLimited]) {
        assert.strictEqual(error.tag, "NetworkError")
        assert.strictEqual(error.fields.source, "TokenEndpoint")
        assert.strictEqual(error.fields.origin, "https://auth.example.com")
      }
    })

    it("a TokenError names the token endpoint's origin: refused, unusable, redirected, or not sent", async () => {
      const refused = await failureOf(Kit.oauthError("invalid_client", 401, { error_description: "unknown client" }))
      assert.strictEqual(
        refused.message,
        "token endpoint https://auth.example.com refused the token request: invalid_client (unknown client), HTTP 401"
      )
      const unusable = await failureOf(Kit.respond(200, "<html>sign in</html>", { "content-type": "text/html" }))
      assert.strictEqual(
        unusable.message,
        "token endpoint https://auth.example.com gave no usable token: the response is not JSON, HTTP 200"
      )
      const redirected = await failureOf(Kit.respond(302, undefined, { location: "https://elsewhere.example.com/" }))
      assert.strictEqual(
        redirected.message,
        "token endpoint https://auth.example.com gave no usable token: a redirect (token requests are never redirected), HTTP 302"
      )
      const notSent = await Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ tokenUrl: `https://auth.example.com${pathAndQuery}` }))
        return Kit.errorOf(service.get({ scopes: ["a\nb"] }))
      })
      assert.strictEqual(notSent.reason, "InvalidRequest")
      assert.match(notSent.message, /^token request for https:\/\/auth\.example\.com not sent: .+/)
      for (const error of [refused, unusable, redirected, notSent]) {
        assert.strictEqual(error.tag, "TokenError")
        assert.strictEqual(error.fields.origin, "https://auth.example.com")
        assertNoPathOrQuery(error.message)
      }
    })

    it("a transport failure says what happened: unreachable, TLS, could not be called, with undici's reason", async () => {
      const cases: ReadonlyArray<readonly [Error, string]> = [
        [Kit.errorWithCode("connect ENOTFOUND", "ENOTFOUND"), "unreachable (ENOTFOUND)"],
        [
          Kit.errorWithCode("certificate has expired", "CERT_HAS_EXPIRED"),
          "failed TLS verification (CERT_HAS_EXPIRED)"
        ],
        [Kit.errorWithCode("read ECONNRESET", "ECONNRESET"), "could not be called (ECONNRESET)"],
        [
          Kit.errorWithCode("Proxy response (407) !== 200 when HTTP Tunneling", "UND_ERR_ABORTED"),
          "could not be called (UND_ERR_ABORTED: Proxy response (407) !== 200 when HTTP Tunneling)"
        ]
      ]
      for (const [cause, said] of cases) {
        const error = await failureOf(Kit.transportError(cause))
        assert.strictEqual(error.message, `token endpoint https://auth.example.com ${said}`)
      }
    })

    it("a connection that failed elsewhere than the URL's host and port: the proxy is said to be unreachable", async () => {
      const refused = (fields: Readonly<Record<string, unknown>>) =>
        Kit.errorWithCode("connect ECONNREFUSED", "ECONNREFUSED", { syscall: "connect", ...fields })
      const notFound = (hostname: string) =>
        Kit.errorWithCode(`getaddrinfo ENOTFOUND ${hostname}`, "ENOTFOUND", { hostname })
      const cases: ReadonlyArray<readonly [string, Error & { readonly code: string }, string]> = [
        // the token endpoint is https://auth.example.com: port 443
        ["another port", refused({ address: "10.0.0.5", port: 3128 }), "the proxy 10.0.0.5:3128"],
        ["another port, IPv6", refused({ address: "fd00::5", port: 3128 }), "the proxy [fd00::5]:3128"],
        ["another host name looked up", notFound("proxy.internal"), "the proxy proxy.internal"],
        ["the URL's port, a host name: cannot tell", refused({ address: "10.0.0.5", port: 443 }), ""],
        ["the URL's host name looked up", notFound("auth.example.com"), ""],
        ["a Unix socket: no port", refused({ address: "/run/proxy.sock" }), ""],
        ["no address", refused({}), ""]
      ]
      for (const [what, cause, proxy] of cases) {
        const error = await failureOf(Kit.transportError(cause))
        assert.strictEqual(
          error.message,
          proxy === ""
            ? `token endpoint https://auth.example.com unreachable (${cause.code})`
            : `token endpoint https://auth.example.com not reached: ${proxy} is unreachable (${cause.code})`,
          what
        )
        assert.strictEqual(error.fields.isRetryable, true, what)
      }
    })

    it("an API call that cannot be sent says so; an origin outside allowedOrigins reads without repeating itself", () =>
      Kit.withScripted(line, {}, async (net) => {
        const relative = await net.authorizedClient(net.fixedTokens("api-token-1"))
        const notSent = await Kit.errorOf(relative.send({ url: "orders/42" }))
        assert.strictEqual(notSent.tag, "NetworkError")
        assert.isUndefined(notSent.fields.origin)
        assert.match(notSent.message, /^API not sent \(InvalidUrl: .+\)$/)

        const guarded = await net.authorizedClient(net.fixedTokens("api-token-1"), {
          allowedOrigins: ["https://api.example.com"]
        })
        const refused = await Kit.errorOf(guarded.send({ url: "https://evil.example.com/x" }))
        assert.match(
          refused.message,
          /^API request refused: the origin https:\/\/evil\.example\.com is not in allowedOrigins/
        )
        assert.strictEqual(net.requests().length, 0)
      }))

    it("an issuer that cannot be reached is named as the issuer", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.transportError(Kit.errorWithCode("connect ECONNREFUSED", "ECONNREFUSED")))
        const service = await net.service({
          issuer: "https://login.example.com/tenant-7",
          clientId: Kit.clientId,
          clientSecret: Kit.clientSecret,
          retry: { times: 0 }
        })
        const error = await Kit.errorOf(service.get())
        assert.strictEqual(error.message, "issuer https://login.example.com unreachable (ECONNREFUSED)")
        assert.strictEqual(error.fields.source, "Discovery")
      }))
  })
}
