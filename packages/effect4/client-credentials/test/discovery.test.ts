/**
 * Discovery on Effect 4 (`docs/behaviour.md#discovery`): the issuer's metadata read once for many callers, on the
 * layer's fibers, RFC 8414's document first and OpenID Connect's after a 404; a document that names another issuer
 * refused. An in-memory client stands for the server.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schedule from "effect/Schedule"
import * as Discovery from "../src/internal/discovery.js"
import * as TokenError from "../src/TokenError.js"

const issuer = "https://login.example.com/tenant"

/** A server with `documents` by URL (a 404 for any other), and the URLs it was asked. */
const server = (documents: Record<string, unknown>) => {
  const asked: Array<string> = []
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      asked.push(request.url)
      const document = documents[request.url]
      return HttpClientResponse.fromWeb(
        request,
        document === undefined
          ? new Response("not found", { status: 404 })
          : new Response(JSON.stringify(document), { status: 200, headers: { "content-type": "application/json" } })
      )
    })
  )
  return { client, asked }
}

const options: Discovery.Options = {
  issuer: new URL(issuer),
  authMethod: "client_secret_basic",
  allowInsecureHttp: false,
  retry: Schedule.recurs(0),
  requestTimeout: Duration.seconds(5)
}

const document = (issued: string) => ({ issuer: issued, token_endpoint: "https://login.example.com/tenant/token" })

describe("discovery on Effect 4", () => {
  it.effect("RFC 8414's document, read once for callers at once and after", () =>
    Effect.gen(function*() {
      const rfc8414 = "https://login.example.com/.well-known/oauth-authorization-server/tenant"
      const { asked, client } = server({ [rfc8414]: document(issuer) })
      const discovery = yield* Discovery.make(client, options)
      const [first, second] = yield* Effect.all([discovery.metadata, discovery.metadata], { concurrency: 2 })
      assert.strictEqual(first.tokenEndpoint.href, "https://login.example.com/tenant/token")
      assert.strictEqual(second, first)
      assert.strictEqual((yield* discovery.metadata).issuer, issuer)
      assert.deepStrictEqual(asked, [rfc8414])
    }).pipe(Effect.scoped))

  it.effect("a 404: OpenID Connect's document; one that names another issuer: a Discovery TokenError", () =>
    Effect.gen(function*() {
      const openId = "https://login.example.com/tenant/.well-known/openid-configuration"
      const found = server({ [openId]: document(issuer) })
      assert.strictEqual(
        (yield* (yield* Discovery.make(found.client, options)).metadata).tokenEndpoint.pathname,
        "/tenant/token"
      )
      assert.strictEqual(found.asked.length, 2)
      const other = server({ [openId]: document("https://evil.example.com") })
      const error = yield* Effect.flip((yield* Discovery.make(other.client, options)).metadata)
      assert.isTrue(TokenError.isTokenError(error))
      if (TokenError.isTokenError(error)) assert.strictEqual(error.reason, "Discovery")
    }).pipe(Effect.scoped))
})
