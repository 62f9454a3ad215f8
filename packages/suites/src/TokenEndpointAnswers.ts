/**
 * Token endpoint answers (`docs/behaviour.md#token-endpoint-answers`): what each status and body becomes, and whether
 * it is retried. The retry schedule is 2 retries at once, so a retried failure is sent exactly 3 times and any other
 * exactly once. What makes a token: an `access_token` of 1 to 16,384 visible ASCII characters without spaces
 * (`docs/behaviour.md#bounds`), a Bearer `token_type` in any case, an `expires_in` of at least 1 s, a body of at most
 * 1 MiB once decoded, read incrementally. As a property (with fast-check): any status, with any bytes, text or JSON
 * value as its body (token-like objects with fields of any type included), is a token, a `TokenError` or a
 * `NetworkError`: never a defect, and never a call that does not end.
 *
 * @since 0.1.0
 */
import * as FastCheck from "fast-check"
import * as Kit from "./internal/kit.js"
import * as Server from "./internal/server.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

const retry = { times: 2 }

/** Any §5.2-looking body: a retryable status is retried whatever it says. */
const errorBody = JSON.stringify({ error: "invalid_client", error_description: "looks terminal" })

/** A marker in every refused token: no printing of the error may hold it. */
const marker = "SeCrEtToKeN"

const maxValueLength = 16 * 1024

const refusedTokens: ReadonlyArray<readonly [string, string]> = [
  ["CR/LF", `${marker}\r\nX-Injected: yes`],
  ["LF", `${marker}\nabc`],
  ["CR", `${marker}\rabc`],
  ["NUL", `${marker}\u0000abc`],
  ["a tab", `${marker}\tabc`],
  ["DEL", `${marker}\u007fabc`],
  ["é", `${marker}-caf\u00e9`],
  ["a non-BMP character", `${marker}-\u{1F511}`],
  ["a space", `${marker} abc`],
  ["a leading space", ` ${marker}`],
  ["a trailing space", `${marker} `],
  ["17 KiB", marker + "a".repeat(17 * 1024 - marker.length)],
  ["one character over the limit", marker + "a".repeat(maxValueLength + 1 - marker.length)]
]

const acceptedTokens: ReadonlyArray<readonly [string, string]> = [
  [
    "a JWT",
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjbGllbnQtMSIsImF1ZCI6ImFwaSJ9.c2lnbmF0dXJlLXBhcnQtLV8"
  ],
  ["a Salesforce token", "00Dxx0000001gPL!AR8AQJX"],
  [
    "every visible ASCII character",
    Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join("")
  ],
  ["exactly the limit", "a".repeat(maxValueLength)]
]

// -- the property

/** Enough bodies of each kind to reach each decoding step; the property stays within a couple of seconds. */
const numRuns = 100

/** Any JSON value where a token response has a field: of the right type or not. */
const fieldValue = (right: FastCheck.Arbitrary<unknown>) => FastCheck.oneof(right, FastCheck.jsonValue({ maxDepth: 2 }))

/** An object with some of a token response's fields (RFC 6749 §5.1, §5.2), each of any type. */
const tokenLike = FastCheck.record({
  access_token: fieldValue(
    FastCheck.oneof(FastCheck.string({ minLength: 1 }), FastCheck.string({ unit: "binary", minLength: 1 }))
  ),
  token_type: fieldValue(FastCheck.constantFrom("Bearer", "bearer", "DPoP", "mac", "")),
  expires_in: fieldValue(
    FastCheck.oneof(FastCheck.integer(), FastCheck.double(), FastCheck.constantFrom("3600", "1e3", "-1", "NaN"))
  ),
  scope: fieldValue(FastCheck.string()),
  error: fieldValue(FastCheck.constantFrom("invalid_client", "server_error", "use_dpop_nonce")),
  error_description: fieldValue(FastCheck.string({ unit: "binary" })),
  error_uri: fieldValue(FastCheck.webUrl())
}, { requiredKeys: [] })

/** A body: any bytes (UTF-8 or not), any text, any JSON value, or a token-like object. */
const anyBody = FastCheck.oneof(
  FastCheck.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: "bytes", bytes } as const)),
  FastCheck.string({ unit: "binary", maxLength: 64 }).map((text) => ({ kind: "text", text } as const)),
  FastCheck.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: "text", text: JSON.stringify(value) } as const)),
  tokenLike.map((value) => ({ kind: "text", text: JSON.stringify(value) } as const))
)

const anyAnswer = FastCheck.record({
  status: FastCheck.oneof(FastCheck.constantFrom(200, 400, 401, 429, 503), FastCheck.integer({ min: 200, max: 599 })),
  body: anyBody,
  contentType: FastCheck.constantFrom(
    undefined,
    "application/json",
    "application/json; charset=utf-8",
    "text/html",
    "application/x-www-form-urlencoded"
  ),
  retryAfter: FastCheck.constantFrom(undefined, "0", "5", "-1", "abc", "99999999999", "Wed, 21 Oct 2015 07:28:00 GMT")
})

type AnyAnswer = typeof anyAnswer extends FastCheck.Arbitrary<infer A> ? A : never

/** The scripted answer: bytes as a stream that gives them in one chunk, text as it is. */
const answerOf = ({ body, contentType, retryAfter, status }: AnyAnswer): Line.Answer =>
  Kit.respond(
    status,
    body.kind === "bytes"
      ? () =>
        new ReadableStream<Uint8Array>({
          start: (controller) => {
            controller.enqueue(body.bytes)
            controller.close()
          }
        })
      : body.text,
    {
      ...(contentType === undefined ? {} : { "content-type": contentType }),
      ...(retryAfter === undefined ? {} : { "retry-after": retryAfter })
    }
  )

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  /** The error of the first call on a service whose endpoint always answers `answer`, after one request. */
  const invalid = (answer: Line.Answer) =>
    Kit.withScripted(line, { fallback: answer }, async (net) => {
      const service = await net.service(Kit.optionsWith({ retry }))
      const error = await Kit.errorOf(service.get())
      assert.strictEqual(net.requests().length, 1)
      return error
    })

  const assertInvalidResponse = async (answer: Line.Answer, what: string) => {
    const error = await invalid(answer)
    assert.strictEqual(error.tag, "TokenError", what)
    assert.strictEqual(error.reason, "InvalidResponse", what)
    assert.strictEqual(error.fields.status, 200, what)
    return error
  }

  describe("token endpoint answers: the status table", () => {
    it("408, 429, 500, 502, 503 and 504 are NetworkErrors, retried whatever the body", async () => {
      for (const status of [408, 429, 500, 502, 503, 504]) {
        await Kit.withScripted(line, {
          fallback: Kit.respond(status, errorBody, { "content-type": "application/json" })
        }, async (net) => {
          const service = await net.service(Kit.optionsWith({ retry }))
          const error = await Kit.errorOf(service.get())
          assert.strictEqual(error.tag, "NetworkError", `${status}`)
          assert.strictEqual(error.reason, status === 429 ? "RateLimited" : "ServerError", `${status}`)
          assert.strictEqual(error.fields.status, status)
          assert.strictEqual(error.fields.isRetryable, true)
          assert.strictEqual(net.requests().length, 3, `${status}`)
        })
      }
    })

    it("a retried status followed by a token succeeds", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.respond(503), Kit.respond(429))
        const service = await net.service(Kit.optionsWith({ retry }))
        assert.strictEqual(await Kit.valueOf(service.get()), "token-3")
        assert.strictEqual(net.requests().length, 3)
      }))

    it("other 5xx (501, 505, 507, 511, 599) are NetworkError ServerError, not retried", async () => {
      for (const status of [501, 505, 507, 511, 599]) {
        const error = await invalid(Kit.respond(status, "down"))
        assert.strictEqual(error.tag, "NetworkError", `${status}`)
        assert.strictEqual(error.reason, "ServerError", `${status}`)
        assert.strictEqual(error.fields.status, status)
      }
    })

    it("400 and 401 with an RFC 6749 §5.2 body are TokenError OAuth, not retried", async () => {
      for (const status of [400, 401]) {
        const error = await invalid(Kit.oauthError("invalid_grant", status, {
          error_description: "nope",
          error_uri: "https://auth.example.com/errors/invalid_grant"
        }))
        assert.strictEqual(error.tag, "TokenError")
        assert.deepInclude(error.fields, {
          reason: "OAuth",
          status,
          error: "invalid_grant",
          errorDescription: "nope",
          errorUri: "https://auth.example.com/errors/invalid_grant"
        })
      }
    })

    it("400 and 401 without a §5.2 body are TokenError InvalidResponse with the status, not retried", async () => {
      const bodies = [
        "<html>Bad Request</html>",
        "",
        "{}",
        "{\"error\":42}",
        "{\"error\":\"\"}",
        "[\"invalid_client\"]"
      ]
      for (const status of [400, 401]) {
        for (const body of bodies) {
          const error = await invalid(Kit.respond(status, body))
          assert.strictEqual(error.tag, "TokenError", body)
          assert.strictEqual(error.reason, "InvalidResponse", body)
          assert.strictEqual(error.fields.status, status)
        }
      }
    })

    it("403, 404, 405, 418 and 422 are TokenError InvalidResponse, even with a §5.2 body, not retried", async () => {
      for (const status of [403, 404, 405, 418, 422]) {
        const error = await invalid(Kit.oauthError("invalid_client", status))
        assert.strictEqual(error.tag, "TokenError")
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.fields.status, status)
      }
    })

    it("every 3xx is TokenError InvalidResponse, not retried", async () => {
      for (const status of [300, 301, 302, 303, 304, 307, 308]) {
        const error = await invalid(Kit.respond(status, undefined, { location: "https://elsewhere.example.com/" }))
        assert.strictEqual(error.tag, "TokenError")
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.fields.status, status)
      }
    })

    it("any 2xx is decoded", async () => {
      for (const status of [200, 201, 203]) {
        await Kit.withScripted(line, {
          fallback: Kit.json({ access_token: "t", token_type: "Bearer" }, status)
        }, async (net) => {
          const service = await net.service(Kit.optionsWith({ retry }))
          assert.strictEqual(await Kit.valueOf(service.get()), "t")
        })
      }
    })

    it("a transport failure is NetworkError Transport, retried; followed by a token, it succeeds", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.transportError(), Kit.transportError(), Kit.transportError(), Kit.transportError())
        const service = await net.service(Kit.optionsWith({ retry }))
        const error = await Kit.errorOf(service.get())
        assert.strictEqual(error.tag, "NetworkError")
        assert.strictEqual(error.reason, "Transport")
        assert.isUndefined(error.fields.status)
        assert.strictEqual(net.requests().length, 3)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-5")
      }))

    it("an attempt that outlives requestTimeout is NetworkError Timeout, retried", () =>
      Kit.withScripted(line, { fallback: Kit.hang }, async (net) => {
        const service = await net.service(Kit.optionsWith({ retry, requestTimeout: 2000 }))
        const call = service.get()
        await net.advance(1999)
        assert.strictEqual(net.requests().length, 1)
        await net.advance(1)
        assert.strictEqual(net.requests().length, 2)
        assert.strictEqual(net.abandoned(), 1)
        await net.advance(4000)
        const error = await Kit.errorOf(call)
        assert.strictEqual(error.tag, "NetworkError")
        assert.strictEqual(error.reason, "Timeout")
        assert.strictEqual(net.requests().length, 3)
        assert.strictEqual(net.abandoned(), 3)
      }))

    it("a 200 that carries error is TokenError OAuth", async () => {
      const error = await invalid(Kit.json({ error: "invalid_scope", error_description: "no such scope" }))
      assert.strictEqual(error.tag, "TokenError")
      assert.deepInclude(error.fields, {
        reason: "OAuth",
        status: 200,
        error: "invalid_scope",
        errorDescription: "no such scope"
      })
      const withToken = await invalid(Kit.token("x", { error: "server_error" }))
      assert.deepInclude(withToken.fields, { reason: "OAuth", error: "server_error" })
    })
  })

  describe("token endpoint answers: what is a token", () => {
    it("access_token must be a non-empty string", async () => {
      for (const accessToken of [undefined, "", 42, null, ["a"], { value: "a" }]) {
        await assertInvalidResponse(Kit.token("x", { access_token: accessToken }), `access_token ${accessToken}`)
      }
    })

    it("token_type is required and must be Bearer, in any case; it is kept as Bearer", async () => {
      for (const tokenType of [undefined, "", "mac", "Bearer2", "DPoP2", 1]) {
        await assertInvalidResponse(Kit.token("x", { token_type: tokenType }), `token_type ${tokenType}`)
      }
      for (const tokenType of ["bearer", "BEARER", "Bearer", "bEaReR"]) {
        await Kit.withScripted(line, { fallback: Kit.token("abc", { token_type: tokenType }) }, async (net) => {
          const token = await Kit.tokenOf((await net.service(Kit.options)).get())
          assert.strictEqual(token.tokenType, "Bearer")
          assert.strictEqual(token.value, "abc")
        })
      }
    })

    it("a zero, negative or non-numeric expires_in is InvalidResponse", async () => {
      for (const expiresIn of [0, -1, "0", "-5", "abc", "3600s", "", true, {}, [3600]]) {
        await assertInvalidResponse(
          Kit.token("x", { expires_in: expiresIn }),
          `expires_in ${JSON.stringify(expiresIn)}`
        )
      }
    })

    it("a lifetime under 1 second is InvalidResponse", async () => {
      for (const expiresIn of [1e-7, 1e-300, 0.5, 0.999, "0.5", Number.MIN_VALUE]) {
        await assertInvalidResponse(
          Kit.token("x", { expires_in: expiresIn }),
          `expires_in ${JSON.stringify(expiresIn)}`
        )
      }
    })

    it("HTML, malformed JSON and JSON that is not an object are InvalidResponse", async () => {
      const bodies = [
        "<!doctype html><html><body>Sign in</body></html>",
        "{\"access_token\":\"abc\",\"token_type\":\"Bearer\"",
        "",
        "null",
        "[]",
        "\"abc\"",
        "42"
      ]
      for (const body of bodies) {
        await assertInvalidResponse(Kit.respond(200, body, { "content-type": "text/html" }), body)
      }
    })

    it("scopes are the response's scope split on spaces, else the requested ones", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.token("a", { scope: "read  write" }), Kit.token("b"))
        const service = await net.service(Kit.optionsWith({ scopes: ["write", "read", "admin"] }))
        assert.deepStrictEqual((await Kit.tokenOf(service.get())).scopes, ["read", "write"])
        assert.deepStrictEqual((await Kit.tokenOf(service.get({ scopes: ["x", "y"] }))).scopes, ["x", "y"])
      }))

    it("a token with CR/LF, NUL, non-ASCII, a space or over 16 KiB is InvalidResponse, showing none of it", async () => {
      for (const [what, value] of refusedTokens) {
        const error = await assertInvalidResponse(Kit.token(value), what)
        for (const [how, text] of error.printings) assert.notInclude(text, marker, `${what}: ${how}`)
      }
    })

    it("a refused token is not cached: once the server sends a good one, it is served", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.token(`${marker}\r\nX: y`))
        const service = await net.service(Kit.options)
        assert.deepInclude(await Kit.errorOf(service.get()), { tag: "TokenError", reason: "InvalidResponse" })
        // past any time a service may remember a failure for
        await net.advance(60_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("a JWT, a Salesforce token with '!', every visible ASCII character and a 16 KiB token are accepted", async () => {
      for (const [what, value] of acceptedTokens) {
        await Kit.withScripted(line, { fallback: Kit.token(value) }, async (net) => {
          const token = await Kit.tokenOf((await net.service(Kit.options)).get())
          assert.strictEqual(token.value, value, what)
          assert.strictEqual(token.authorization, `Bearer ${value}`, what)
        })
      }
    })
  })

  describe("token endpoint answers: any answer (property)", () => {
    it(
      "any status with any bytes, text or JSON value as its body is a token, a TokenError or a NetworkError",
      () =>
        FastCheck.assert(
          FastCheck.asyncProperty(anyAnswer, (answer) =>
            Kit.withScripted(line, { fallback: answerOf(answer) }, async (net) => {
              // one retry, at once: a retried answer goes through the retry too (a Retry-After is waited for)
              const service = await net.service(Kit.optionsWith({ retry: { times: 1 } }))
              const call = service.get()
              // a Retry-After is capped at 60 s
              if (await call.poll() === undefined) {
                await net.advance(120_000)
              }
              const outcome = await call.poll()
              if (outcome === undefined) {
                return assert.fail("the call still waits")
              }
              if (outcome._tag === "Defect") {
                return assert.fail(`a defect: ${outcome.message}`)
              }
              if (outcome._tag === "Interrupted") {
                return assert.fail("the call was interrupted")
              }
              if (outcome._tag === "Success") {
                assert.strictEqual(answer.status < 300, true, "a token from a status that is not 2xx")
                return
              }
              assert.isTrue(
                outcome.error.tag === "TokenError" || outcome.error.tag === "NetworkError",
                `failed with ${outcome.error.tag}`
              )
            })),
          { numRuns }
        ),
      60_000
    )
  })

  describe("token endpoint answers: 1 MiB at most", () => {
    it("a body over 1 MiB by content-length is InvalidResponse, without reading it", async () => {
      let pulled = 0
      const body = () =>
        new ReadableStream<Uint8Array>({
          pull: (controller) => {
            pulled++
            controller.enqueue(new TextEncoder().encode("{}"))
            controller.close()
          }
        }, { highWaterMark: 0 })
      await assertInvalidResponse(
        Kit.respond(200, body, { "content-length": String(2 * 1024 * 1024) }),
        "content-length 2 MiB"
      )
      assert.strictEqual(pulled, 0)
    })

    it("a body over 1 MiB, chunked, without content-length, is InvalidResponse, read up to the limit only", async () => {
      // an endless body: reading it whole would never finish
      let pulledBytes = 0
      const chunk = new Uint8Array(64 * 1024).fill(0x20)
      const body = () =>
        new ReadableStream<Uint8Array>({
          pull: (controller) => {
            pulledBytes += chunk.byteLength
            controller.enqueue(chunk)
          }
        })
      await assertInvalidResponse(Kit.respond(200, body), "endless chunked body")
      assert.isAtMost(pulledBytes, 2 * 1024 * 1024)
      assert.isAbove(pulledBytes, 1024 * 1024)
    })

    it("a body just under 1 MiB is read", () => {
      const json = JSON.stringify({ access_token: "big", token_type: "Bearer", expires_in: 3600 })
      const body = json.slice(0, -1) + " ".repeat(1024 * 1024 - json.length) + "}"
      assert.strictEqual(body.length, 1024 * 1024)
      return Kit.withScripted(line, { fallback: Kit.respond(200, body) }, async (net) => {
        assert.strictEqual(await Kit.valueOf((await net.service(Kit.options)).get()), "big")
      })
    })

    it("on a real socket, an endless body over 1 MiB is InvalidResponse and the connection is dropped", async () => {
      let written = 0
      const server = await Server.start((_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        const write = () => {
          while (!response.destroyed && response.write(chunk)) written += chunk.byteLength
          if (!response.destroyed) response.once("drain", write)
        }
        response.write("{\"access_token\":\"a\",")
        write()
      })
      try {
        const error = await Kit.withLive(line, {}, async (net) => {
          const service = await net.service(Kit.optionsWith({ tokenUrl: `${server.url}/token`, retry: { times: 0 } }))
          return Kit.errorOf(service.get())
        })
        assert.strictEqual(error.tag, "TokenError")
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.fields.status, 200)
        assert.isBelow(written, 64 * 1024 * 1024)
      } finally {
        await server.close()
      }
    }, 20_000)
  })
}
