/**
 * The Effect 4 fake authorization server over real sockets (`docs/testing.md#fakeauthserver`): where it listens,
 * the token endpoint and the protected resource served from the core's decisions, scripted answers sent as given,
 * hangs, dropped connections and delays, and closing with every connection. The decisions themselves are the
 * core's (`packages/core/test/fakeAuthServer.test.ts`).
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { FakeAuthServer } from "@effect-oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import * as net from "node:net"

const basic = `Basic ${btoa("test-client:test-secret")}`

/** What a plain `fetch` got back: status, headers, body text. */
const call = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() }
  })

/** A token request from the default client with `client_secret_basic`. */
const askToken = (server: FakeAuthServer.Service, body = "grant_type=client_credentials") =>
  call(server.tokenUrl, {
    method: "POST",
    headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
    body
  })

/** A fetch's outcome as a promise that never rejects, started now, outside any fiber. */
const pendingFetch = (url: string, init: RequestInit): Promise<string> =>
  fetch(url, init).then((response) => `answered ${response.status}`, () => "failed")

/** Waits on real time until `effect` gives `true`, a few seconds at most. */
const eventually = (effect: Effect.Effect<boolean>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200; i++) {
      if (yield* effect) return
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    assert.fail("not reached in time")
  })

const served = <A, E>(
  effect: (server: FakeAuthServer.Service) => Effect.Effect<A, E>,
  options?: FakeAuthServer.Options
) => Effect.flatMap(FakeAuthServer.FakeAuthServer, effect).pipe(Effect.provide(FakeAuthServer.layer(options)))

describe("FakeAuthServer (Effect 4)", () => {
  it.effect("listens on 127.0.0.1 and a free port: the token endpoint, the protected resource, nothing else", () =>
    served((server) =>
      Effect.gen(function*() {
        const url = new URL(server.tokenUrl)
        assert.strictEqual(url.hostname, "127.0.0.1")
        assert.notStrictEqual(url.port, "")
        assert.strictEqual(url.pathname, "/oauth/token")
        assert.strictEqual(server.apiUrl, `http://127.0.0.1:${url.port}/api`)
        assert.strictEqual((yield* call(`http://127.0.0.1:${url.port}/elsewhere`)).status, 404)
        const refused = yield* Effect.promise(() =>
          new Promise<boolean>((resolve) => {
            const socket = net.connect({ host: "::1", port: Number(url.port) })
            socket.once("connect", () => resolve(false))
            socket.once("error", () => resolve(true))
          })
        )
        assert.isTrue(refused, "reachable on the IPv6 loopback")
      })
    ))

  it.effect("issues a token the protected resource accepts until it is revoked; records and counts the requests", () =>
    served((server) =>
      Effect.gen(function*() {
        const answer = yield* askToken(server, "grant_type=client_credentials&scope=read")
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.headers["cache-control"], "no-store")
        const body = JSON.parse(answer.text)
        assert.deepStrictEqual([body.token_type, body.expires_in, body.scope], ["Bearer", 3600, "read"])
        const api = yield* call(`${server.apiUrl}/things`, {
          method: "POST",
          headers: { authorization: `Bearer ${body.access_token}` },
          body: "abc"
        })
        assert.strictEqual(api.status, 200)
        // what the socket side reads of the request; the rest of the answer is the core's (`fakeAuthServer.test.ts`)
        const { bodyLength, method, path } = JSON.parse(api.text)
        assert.deepStrictEqual({ path, method, bodyLength }, { path: "/api/things", method: "POST", bodyLength: 3 })
        yield* server.revoke(body.access_token)
        const revoked = yield* call(server.apiUrl, { headers: { authorization: `Bearer ${body.access_token}` } })
        assert.strictEqual(revoked.status, 401)
        assert.strictEqual(JSON.parse(revoked.text).error_description, "revoked token")
        assert.strictEqual(yield* server.apiRequests, 2)
        const [record] = yield* server.tokenRequests
        assert.deepStrictEqual(record!.params, [["grant_type", "client_credentials"], ["scope", "read"]])
        assert.deepStrictEqual([record!.clientId, record!.authMethod], ["test-client", "client_secret_basic"])
        assert.strictEqual(record!.headers["authorization"], basic)
      })
    ))

  it.effect("revokes an AccessToken by its value; refuses a request without credentials", () =>
    served((server) =>
      Effect.gen(function*() {
        const value = JSON.parse((yield* askToken(server)).text).access_token as string
        yield* server.revoke(
          new AccessToken.AccessToken({
            value: Redacted.make(value),
            tokenType: "Bearer",
            scopes: [],
            issuedAt: DateTime.makeUnsafe(0),
            expiresAt: DateTime.makeUnsafe(1)
          })
        )
        const revoked = yield* call(server.apiUrl, { headers: { authorization: `Bearer ${value}` } })
        assert.strictEqual(JSON.parse(revoked.text).error_description, "revoked token")
        const bare = yield* call(server.apiUrl)
        assert.deepStrictEqual([bare.status, bare.headers["www-authenticate"]], [401, "Bearer realm=\"fake\""])
      })
    ))

  it.effect("decides as its options say: only client_secret_post here, so Basic gets a challenge", () =>
    served((server) =>
      Effect.gen(function*() {
        const refused = yield* askToken(server)
        assert.strictEqual(refused.status, 401)
        assert.strictEqual(refused.headers["www-authenticate"], "Basic realm=\"fake\"")
        assert.deepStrictEqual(JSON.parse(refused.text), {
          error: "invalid_client",
          error_description: "client_secret_basic is not accepted"
        })
        const [record] = yield* server.tokenRequests
        assert.deepStrictEqual([record!.clientId, record!.authMethod], [undefined, undefined])
      }), { authMethod: "client_secret_post" }))

  it.effect("tokens expire on the Clock of the fiber that built the layer; setTokenLifetime changes the next ones", () =>
    served((server) =>
      Effect.gen(function*() {
        const value = JSON.parse((yield* askToken(server)).text).access_token
        const use = call(server.apiUrl, { headers: { authorization: `Bearer ${value}` } })
        yield* TestClock.adjust("59 seconds")
        assert.strictEqual((yield* use).status, 200)
        yield* TestClock.adjust("1 second")
        assert.strictEqual(JSON.parse((yield* use).text).error_description, "expired token")
        yield* server.setTokenLifetime("2.6 seconds")
        assert.strictEqual(JSON.parse((yield* askToken(server)).text).expires_in, 3)
      }), { tokenLifetime: "1 minute" }))

  it.effect("fault mode: about `rate` of the token requests get a fault of the kinds asked, each recorded", () =>
    served((server) =>
      Effect.gen(function*() {
        yield* server.setFaults({ rate: 0.5, seed: 3, kinds: ["unavailable", "rateLimited"], retryAfterSeconds: 2 })
        const statuses: Array<number> = []
        for (let index = 0; index < 40; index++) {
          const answer = yield* askToken(server)
          statuses.push(answer.status)
          if (answer.status === 429) assert.strictEqual(answer.headers["retry-after"], "2")
        }
        const faults = yield* server.faults
        assert.isTrue(faults.length >= 10 && faults.length <= 30, `${faults.length} faults in 40`)
        assert.deepStrictEqual(
          statuses.filter((status) => status !== 200),
          faults.map((fault) => fault.kind === "unavailable" ? 503 : 429)
        )
        const issued = yield* server.issuedTokens
        assert.strictEqual(issued.length, 40 - faults.length)
        for (const token of issued) assert.strictEqual(token.expiresAt - token.issuedAt, 60_000)
        yield* server.setFaults(undefined)
        assert.strictEqual((yield* askToken(server)).status, 200)
      }), { tokenLifetime: "1 minute" }))

  it.effect("a lifetime that is not finite is a defect, when the layer is built and when it is set", () =>
    Effect.gen(function*() {
      const built = yield* Effect.exit(served(() => Effect.void, { tokenLifetime: "Infinity" }))
      assert.isTrue(Exit.isFailure(built) && Cause.hasDies(built.cause))
      assert.include(String(Exit.isFailure(built) ? Cause.pretty(built.cause) : ""), "finite duration")
      const set = yield* served((server) => Effect.exit(server.setTokenLifetime("Infinity")))
      assert.isTrue(Exit.isFailure(set) && Cause.hasDies(set.cause))
    }))

  it.effect("sends a scripted answer as given: status, headers, body; an empty one without a body", () =>
    served((server) =>
      Effect.gen(function*() {
        yield* server.script(
          FakeAuthServer.rateLimited(7),
          FakeAuthServer.redirect("https://elsewhere.example/"),
          FakeAuthServer.html(503)
        )
        const limited = yield* askToken(server)
        assert.deepStrictEqual([limited.status, limited.headers["retry-after"], limited.text], [
          429,
          "7",
          "Too Many Requests"
        ])
        assert.strictEqual(limited.headers["content-type"], "text/plain; charset=utf-8")
        const redirected = yield* call(server.tokenUrl, { method: "POST", redirect: "manual" })
        assert.deepStrictEqual([redirected.status, redirected.headers["location"], redirected.text], [
          302,
          "https://elsewhere.example/",
          ""
        ])
        assert.isUndefined(redirected.headers["content-type"])
        const page = yield* askToken(server)
        assert.deepStrictEqual([page.status, page.headers["content-type"]], [503, "text/html; charset=utf-8"])
        assert.strictEqual((yield* askToken(server)).status, 200)
        assert.strictEqual((yield* server.tokenRequests).length, 4)
      })
    ))

  it.effect("a delayed answer comes once the server's TestClock passes the delay", () =>
    served((server) =>
      Effect.gen(function*() {
        yield* server.script(FakeAuthServer.delayed("10 seconds", FakeAuthServer.respond(503, "late")))
        const fiber = yield* Effect.forkChild(askToken(server))
        yield* eventually(Effect.map(server.tokenRequests, (records) => records.length === 1))
        // the request has arrived; its handler sleeps on the TestClock
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("10 seconds")
        const answer = yield* Fiber.join(fiber)
        assert.deepStrictEqual([answer.status, answer.text], [503, "late"])
      })
    ))

  it.live("a dropped connection fails the request; a hung one is ended when the layer closes, at once", () =>
    Effect.gen(function*() {
      const init = {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials"
      }
      const hung = yield* served((server) =>
        Effect.gen(function*() {
          yield* server.script(FakeAuthServer.dropConnection, FakeAuthServer.hang)
          assert.strictEqual(yield* Effect.promise(() => pendingFetch(server.tokenUrl, init)), "failed")
          const hung = pendingFetch(server.tokenUrl, init)
          yield* eventually(Effect.map(server.tokenRequests, (records) => records.length === 2))
          return hung
        })
      )
      const closed = Date.now()
      assert.strictEqual(yield* Effect.promise(() => hung), "failed")
      assert.isBelow(Date.now() - closed, 2_000)
    }))

  it.live("closing the layer stops the server: the port refuses connections", () =>
    Effect.gen(function*() {
      const port = yield* served((server) => Effect.succeed(Number(new URL(server.tokenUrl).port)))
      const connected = yield* Effect.promise(() =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect({ host: "127.0.0.1", port })
          socket.once("connect", () => {
            socket.destroy()
            resolve(true)
          })
          socket.once("error", () => resolve(false))
        })
      )
      assert.isFalse(connected)
    }))
})
