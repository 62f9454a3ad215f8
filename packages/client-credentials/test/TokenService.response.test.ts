/**
 * Decoding a 2xx answer (`docs/behaviour.md#token-endpoint-answers`): what makes a token, what is `InvalidResponse`,
 * how `expires_in` becomes the lifetime, counted from when the request was sent (`docs/behaviour.md#time`), and the
 * limit of 1 MiB, read incrementally (`docs/behaviour.md#bounds`).
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Server from "./utils/server.js"
import * as Service from "./utils/service.js"

const retry = Schedule.recurs(2)

const epochMillis = (dateTime: DateTime.Utc) => DateTime.toEpochMillis(dateTime)

/** The `TokenError` a 200 answer with `body` gives, after one request. */
const invalid = (answer: Endpoint.Answer) =>
  Effect.gen(function*() {
    const endpoint = Endpoint.make({ otherwise: answer })
    const service = yield* Service.make(endpoint, { retry })
    const error = yield* Effect.flip(service.get)
    assert.strictEqual(endpoint.requests.length, 1)
    return error
  })

const assertInvalidResponse = (answer: Endpoint.Answer, what: string) =>
  Effect.map(invalid(answer), (error) => {
    assert.strictEqual(error._tag, "TokenError", what)
    assert.strictEqual(error.reason, "InvalidResponse", what)
    assert.strictEqual(error.status, 200, what)
  })

describe("TokenService response decoding", () => {
  it.scoped("access_token must be a non-empty string", () =>
    Effect.gen(function*() {
      for (const accessToken of [undefined, "", 42, null, ["a"], { value: "a" }]) {
        yield* assertInvalidResponse(Endpoint.token("x", { access_token: accessToken }), `access_token ${accessToken}`)
      }
    }))

  it.scoped("token_type is required and must be Bearer, in any case; it is stored as Bearer", () =>
    Effect.gen(function*() {
      for (const tokenType of [undefined, "", "mac", "Bearer2", "DPoP2", 1]) {
        yield* assertInvalidResponse(Endpoint.token("x", { token_type: tokenType }), `token_type ${tokenType}`)
      }
      for (const tokenType of ["bearer", "BEARER", "Bearer", "bEaReR"]) {
        const endpoint = Endpoint.make({ otherwise: Endpoint.token("abc", { token_type: tokenType }) })
        const service = yield* Service.make(endpoint)
        const token = yield* service.get
        assert.strictEqual(token.tokenType, "Bearer")
        assert.strictEqual(Service.value(token), "abc")
      }
    }))

  it.scoped("expires_in may be a number or a numeric string", () =>
    Effect.gen(function*() {
      const cases = [[3600, 3_600_000], ["3600", 3_600_000], [" 90 ", 90_000], [1.5, 1500]] as const
      for (const [expiresIn, millis] of cases) {
        const endpoint = Endpoint.make({ otherwise: Endpoint.token("abc", { expires_in: expiresIn }) })
        const service = yield* Service.make(endpoint)
        const token = yield* service.get
        assert.strictEqual(epochMillis(token.issuedAt), 0)
        assert.strictEqual(epochMillis(token.expiresAt), millis, `${expiresIn}`)
      }
    }))

  it.scoped("a string expires_in drives the cache lifetime", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({
        otherwise: (request) => Endpoint.token(`token-${endpoint.requests.length}`, { expires_in: "600" })(request)
      })
      const service = yield* Service.make(endpoint, { refreshAhead: false })
      assert.strictEqual(Service.value(yield* service.get), "token-1")
      // hard expiry: 600 s − the 60 s leeway
      yield* TestClock.setTime(539_999)
      assert.strictEqual(Service.value(yield* service.get), "token-1")
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(540_000)
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("a missing expires_in means defaultLifetime", () =>
    Effect.gen(function*() {
      for (const expiresIn of [undefined, null]) {
        const endpoint = Endpoint.make({ otherwise: Endpoint.token("abc", { expires_in: expiresIn }) })
        const token = yield* Effect.flatMap(Service.make(endpoint, { defaultLifetime: "10 minutes" }), (s) => s.get)
        assert.strictEqual(epochMillis(token.expiresAt), 600_000)
      }
      const endpoint = Endpoint.make({ otherwise: Endpoint.token("abc", { expires_in: undefined }) })
      const token = yield* Effect.flatMap(Service.make(endpoint), (s) => s.get)
      assert.strictEqual(epochMillis(token.expiresAt), 300_000, "the default defaultLifetime is 5 minutes")
    }))

  it.scoped("a missing expires_in still caches the token for defaultLifetime", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({
        otherwise: (request) => Endpoint.token(`token-${endpoint.requests.length}`, { expires_in: undefined })(request)
      })
      const service = yield* Service.make(endpoint, { defaultLifetime: "10 minutes", refreshAhead: false })
      yield* service.get
      yield* TestClock.setTime(539_999)
      assert.strictEqual(Service.value(yield* service.get), "token-1")
      assert.strictEqual(endpoint.requests.length, 1)
    }))

  it.scoped("a zero, negative or non-numeric expires_in is InvalidResponse", () =>
    Effect.gen(function*() {
      for (const expiresIn of [0, -1, "0", "-5", "abc", "3600s", "", true, {}, [3600]]) {
        const what = `expires_in ${JSON.stringify(expiresIn)}`
        yield* assertInvalidResponse(Endpoint.token("x", { expires_in: expiresIn }), what)
      }
    }))

  it.scoped("a lifetime under 1 second is InvalidResponse", () =>
    Effect.gen(function*() {
      for (const expiresIn of [1e-7, 1e-300, 0.5, 0.999, "0.5", Number.MIN_VALUE]) {
        const what = `expires_in ${JSON.stringify(expiresIn)}`
        yield* assertInvalidResponse(Endpoint.token("x", { expires_in: expiresIn }), what)
      }
    }))

  it.scoped("a lifetime of exactly 1 second is a token", () =>
    Effect.gen(function*() {
      for (const expiresIn of [1, "1", 1.0]) {
        const endpoint = Endpoint.make({ otherwise: Endpoint.token("short", { expires_in: expiresIn }) })
        const token = yield* Effect.flatMap(Service.make(endpoint), (s) => s.get)
        assert.strictEqual(Service.value(token), "short")
        assert.strictEqual(epochMillis(token.expiresAt), 1000, `${expiresIn}`)
      }
    }))

  it.scoped("a 200 that carries error is TokenError OAuth", () =>
    Effect.gen(function*() {
      const error = yield* invalid(Endpoint.json({ error: "invalid_scope", error_description: "no such scope" }))
      assert.strictEqual(error._tag, "TokenError")
      assert.deepInclude(error, {
        reason: "OAuth",
        status: 200,
        error: "invalid_scope",
        errorDescription: "no such scope"
      })
      const withToken = yield* invalid(Endpoint.token("x", { error: "server_error" }))
      assert.deepInclude(withToken, { reason: "OAuth", error: "server_error" })
    }))

  it.scoped("HTML, malformed JSON and JSON that is not an object are InvalidResponse", () =>
    Effect.gen(function*() {
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
        yield* assertInvalidResponse(Endpoint.respond(200, body, { "content-type": "text/html" }), body)
      }
    }))

  it.scoped("a body over 1 MiB is InvalidResponse: by content-length, without reading it", () =>
    Effect.gen(function*() {
      let pulled = 0
      const body = () =>
        new ReadableStream<Uint8Array>({
          pull: (controller) => {
            pulled++
            controller.enqueue(new TextEncoder().encode("{}"))
            controller.close()
          }
        }, { highWaterMark: 0 })
      const answer: Endpoint.Answer = () =>
        Effect.sync(() => new Response(body(), { status: 200, headers: { "content-length": String(2 * 1024 * 1024) } }))
      yield* assertInvalidResponse(answer, "content-length 2 MiB")
      assert.strictEqual(pulled, 0)
    }))

  it.scoped("a body over 1 MiB is InvalidResponse: chunked, without content-length, stopping at the limit", () =>
    Effect.gen(function*() {
      // an endless body: reading it whole would never finish
      let pulledBytes = 0
      const chunk = new Uint8Array(64 * 1024).fill(0x20)
      const answer: Endpoint.Answer = () =>
        Effect.sync(() =>
          new Response(
            new ReadableStream<Uint8Array>({
              pull: (controller) => {
                pulledBytes += chunk.byteLength
                controller.enqueue(chunk)
              }
            }),
            { status: 200 }
          )
        )
      yield* assertInvalidResponse(answer, "endless chunked body")
      assert.isAtMost(pulledBytes, 2 * 1024 * 1024)
      assert.isAbove(pulledBytes, 1024 * 1024)
    }))

  it.scopedLive("a body over 1 MiB is InvalidResponse on a real socket: chunked, endless, the connection dropped", () =>
    Effect.gen(function*() {
      let written = 0
      const server = yield* Server.start((_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        const write = () => {
          while (!response.destroyed && response.write(chunk)) written += chunk.byteLength
          if (!response.destroyed) response.once("drain", write)
        }
        response.write("{\"access_token\":\"a\",")
        write()
      })
      const tokens = TokenService.layer({ ...Service.options, tokenUrl: `${server.url}/token`, retry: Schedule.stop })
      const error = yield* Effect.flatMap(TokenService.TokenService, (service) => Effect.flip(service.get)).pipe(
        Effect.provide(Layer.provide(tokens, FetchHttpClient.layer))
      )
      assert.strictEqual(error._tag, "TokenError")
      assert.strictEqual(error.reason, "InvalidResponse")
      assert.strictEqual(error.status, 200)
      assert.isBelow(written, 64 * 1024 * 1024)
    }))

  it.scoped("a body just under 1 MiB is read", () =>
    Effect.gen(function*() {
      const json = JSON.stringify({ access_token: "big", token_type: "Bearer", expires_in: 3600 })
      const body = json.slice(0, -1) + " ".repeat(1024 * 1024 - json.length) + "}"
      assert.strictEqual(body.length, 1024 * 1024)
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(200, body) })
      const token = yield* Effect.flatMap(Service.make(endpoint), (s) => s.get)
      assert.strictEqual(Service.value(token), "big")
    }))

  it.scoped("scopes are the response's scope split on spaces, else the requested ones", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.token("a", { scope: "read  write" }), Endpoint.token("b"))
      const service = yield* Service.make(endpoint, { scopes: ["write", "read", "admin"] })
      assert.deepStrictEqual((yield* service.get).scopes, ["read", "write"])
      assert.deepStrictEqual((yield* service.getFor({ scopes: ["x", "y"] })).scopes, ["x", "y"])
    }))

  it.scoped("the lifetime counts from when the request was sent: a slow answer shortens the cache life", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.delayed("100 seconds", Endpoint.token("slow", { expires_in: 3600 })))
      const service = yield* Service.make(endpoint, { refreshAhead: false, requestTimeout: "5 minutes" })
      const fiber = yield* Effect.fork(service.get)
      yield* TestClock.adjust("100 seconds")
      const token = yield* Fiber.join(fiber)
      assert.strictEqual(Service.value(token), "slow")
      assert.strictEqual(endpoint.requests.length, 1)
      assert.strictEqual(epochMillis(token.issuedAt), 0)
      assert.strictEqual(epochMillis(token.expiresAt), 3_600_000)
      // hard expiry: sent at 0 + 3600 s − 60 s, not received at 100 s + 3600 s − 60 s
      yield* TestClock.setTime(3_539_999)
      assert.strictEqual(Service.value(yield* service.get), "slow")
      assert.strictEqual(endpoint.requests.length, 1)
      yield* TestClock.setTime(3_540_000)
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))
})
