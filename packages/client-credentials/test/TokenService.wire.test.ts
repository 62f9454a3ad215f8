/**
 * What goes on the wire (`docs/behaviour.md#the-wire`): the form, its headers, both client authentication methods, and
 * no redirect ever followed, whatever `HttpClient` is used.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Server from "./utils/server.js"
import * as Service from "./utils/service.js"

/** How a server decodes `client_secret_basic` (RFC 6749 §2.3.1): Base64, split at the first colon, form-decode. */
const decodeBasic = (authorization: string | undefined) => {
  assert.isDefined(authorization)
  assert.match(authorization, /^Basic [A-Za-z0-9+/]+=*$/)
  const decoded = Buffer.from(authorization.slice("Basic ".length), "base64").toString("latin1")
  const colon = decoded.indexOf(":")
  const formDecode = (text: string) => new URLSearchParams(`v=${text}`).get("v")
  return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) }
}

describe("TokenService wire format", () => {
  it.scoped("POSTs a client-credentials form that accepts JSON, with every configured parameter", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, {
        scopes: ["write", "read"],
        audience: "https://api.example.com",
        resource: ["https://b.example.com/", "https://a.example.com/"],
        extraParams: { tenant: "t-1", "x-mode": "a b&c=d" }
      })
      yield* service.get
      assert.strictEqual(endpoint.requests.length, 1)
      const [request] = endpoint.requests
      assert.strictEqual(request!.method, "POST")
      assert.strictEqual(request!.url, Service.tokenUrl)
      assert.strictEqual(request!.headers["content-type"], "application/x-www-form-urlencoded")
      assert.strictEqual(request!.headers["accept"], "application/json")
      const form = request!.form
      assert.deepStrictEqual(form.getAll("grant_type"), ["client_credentials"])
      assert.deepStrictEqual(form.getAll("scope"), ["read write"])
      assert.include(request!.body, "scope=read+write")
      assert.deepStrictEqual(form.getAll("audience"), ["https://api.example.com"])
      assert.deepStrictEqual(form.getAll("resource"), ["https://a.example.com/", "https://b.example.com/"])
      assert.deepStrictEqual(form.getAll("tenant"), ["t-1"])
      assert.deepStrictEqual(form.getAll("x-mode"), ["a b&c=d"])
      assert.deepStrictEqual(
        [...new Set(form.keys())].sort(),
        ["audience", "grant_type", "resource", "scope", "tenant", "x-mode"]
      )
    }))

  it.scoped("one resource is one resource parameter", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { resource: "https://a.example.com/" })
      yield* service.get
      assert.deepStrictEqual(endpoint.requests[0]!.form.getAll("resource"), ["https://a.example.com/"])
    }))

  it.scoped("leaves scope, audience and resource out when there are none", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { scopes: ["read"], audience: "aud" })
      yield* service.getFor({ scopes: [], audience: null })
      const bare = Service.make(endpoint, { scopes: [] })
      yield* Effect.flatMap(bare, (other) => other.get)
      assert.strictEqual(endpoint.requests.length, 2)
      for (const request of endpoint.requests) {
        assert.deepStrictEqual([...new Set(request.form.keys())], ["grant_type"])
        assert.notInclude(request.body, "scope")
      }
    }))

  it.scoped("getFor sends its own scopes, audience, resources and merged extra parameters", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, {
        scopes: ["read"],
        audience: "configured",
        extraParams: { tenant: "t-1", keep: "yes" }
      })
      yield* service.getFor({
        scopes: ["admin", "audit"],
        resource: ["https://r2.example.com/", "https://r1.example.com/"],
        extraParams: { tenant: "t-2", keep: null, added: "1" }
      })
      const form = endpoint.requests[0]!.form
      assert.deepStrictEqual(form.getAll("scope"), ["admin audit"])
      assert.deepStrictEqual(form.getAll("audience"), ["configured"])
      assert.deepStrictEqual(form.getAll("resource"), ["https://r1.example.com/", "https://r2.example.com/"])
      assert.deepStrictEqual(form.getAll("tenant"), ["t-2"])
      assert.deepStrictEqual(form.getAll("added"), ["1"])
      assert.isFalse(form.has("keep"))
    }))

  it.scoped("client_secret_basic form-urlencodes the id and secret before Base64 (RFC 6749 §2.3.1)", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const clientId = "client:one é+%"
      const secrets = [Service.clientSecret, "a:b:c", "100%", "p+q r", "ünïcødé€😀", "x=y&z"]
      for (const secret of secrets) {
        const service = yield* Service.make(endpoint, { clientId, clientSecret: Redacted.make(secret) })
        yield* service.get
        const request = endpoint.requests[endpoint.requests.length - 1]!
        assert.deepStrictEqual(decodeBasic(request.headers["authorization"]), { clientId, clientSecret: secret })
        assert.isFalse(request.form.has("client_id"))
        assert.isFalse(request.form.has("client_secret"))
      }
      assert.strictEqual(endpoint.requests.length, secrets.length)
    }))

  it.scoped("client_secret_basic is the default and the only method used", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* Service.make(endpoint, { authMethod: "client_secret_basic" })
      yield* service.get
      const request = endpoint.requests[0]!
      assert.deepStrictEqual(decodeBasic(request.headers["authorization"]), {
        clientId: Service.clientId,
        clientSecret: Service.clientSecret
      })
      assert.notInclude(request.body, "client_secret")
    }))

  it.scoped("client_secret_post puts the id and secret in the body and sends no Authorization header", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const clientId = "client:one é"
      const service = yield* Service.make(endpoint, { clientId, authMethod: "client_secret_post", scopes: ["read"] })
      yield* service.get
      const request = endpoint.requests[0]!
      assert.isUndefined(request.headers["authorization"])
      assert.deepStrictEqual(request.form.getAll("client_id"), [clientId])
      assert.deepStrictEqual(request.form.getAll("client_secret"), [Service.clientSecret])
      assert.deepStrictEqual(request.form.getAll("grant_type"), ["client_credentials"])
      assert.deepStrictEqual(request.form.getAll("scope"), ["read"])
    }))

  for (const status of [301, 302, 303, 307, 308]) {
    it.scoped(`a ${status} is TokenError InvalidResponse and its Location is never requested`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.respond(status, null, { location: "https://elsewhere.example.com/token" }))
        const service = yield* Service.make(endpoint, { retry: Schedule.recurs(3) })
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error._tag, "TokenError")
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.status, status)
        assert.deepStrictEqual(endpoint.requests.map((request) => request.url), [Service.tokenUrl])
      }))
  }
})

describe("TokenService never follows a redirect on a real socket", () => {
  const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
    ["FetchHttpClient", FetchHttpClient.layer],
    ["NodeHttpClient", NodeHttpClient.layer],
    ["NodeHttpClient (undici)", NodeHttpClient.layerUndici]
  ]
  for (const [name, clientLayer] of clients) {
    it.scopedLive(`${name}: a 302 fails with InvalidResponse and the target gets no request`, () =>
      Effect.gen(function*() {
        const server = yield* Server.start((hit, response) => {
          if (hit.path === "/token") {
            response.writeHead(302, { location: "/stolen" })
            response.end()
          } else {
            Server.sendJson(response, 200, { access_token: "redirected-token", token_type: "Bearer", expires_in: 3600 })
          }
        })
        const tokens = TokenService.layer({
          ...Service.options,
          tokenUrl: `${server.url}/token`,
          retry: Schedule.recurs(2)
        })
        const exit = yield* Effect.exit(
          Effect.flatMap(TokenService.TokenService, (service) => service.get).pipe(
            Effect.provide(Layer.provide(tokens, clientLayer))
          )
        )
        assert.isTrue(Exit.isFailure(exit))
        const error = yield* Effect.flip(exit)
        assert.strictEqual(error._tag, "TokenError")
        assert.strictEqual(error.reason, "InvalidResponse")
        assert.strictEqual(error.status, 302)
        assert.deepStrictEqual(server.hits.map((hit) => `${hit.method} ${hit.path}`), ["POST /token"])
      }))
  }
})
