/**
 * `Discovery.discover`: an issuer's metadata read and checked once, as `TokenService` does with its `issuer` option.
 */
import { Discovery, TokenError } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { byUrl } from "./utils/byUrl.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"

const issuer = "https://auth.example.com/tenant-7"
const rfc8414Url = "https://auth.example.com/.well-known/oauth-authorization-server/tenant-7"
const metadata = {
  issuer,
  token_endpoint: `${issuer}/token`,
  token_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"]
}

const discover = (options: Discovery.Options, document: Record<string, unknown> = metadata) => {
  const endpoint = Endpoint.make({ otherwise: byUrl({ [rfc8414Url]: Endpoint.json(document) }) })
  return Discovery.discover(options).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
}

describe("Discovery.discover", () => {
  it.effect("gives the token endpoint and the methods the metadata offers", () =>
    Effect.gen(function*() {
      const found = yield* discover({ issuer })
      assert.strictEqual(found.issuer, issuer)
      assert.strictEqual(found.tokenEndpoint.href, `${issuer}/token`)
      assert.deepStrictEqual(found.authMethodsSupported, ["client_secret_basic", "private_key_jwt"])
    }))

  it.effect("checks no method when none is given: an issuer that offers only mutual TLS is read", () =>
    Effect.gen(function*() {
      const found = yield* discover({ issuer }, {
        ...metadata,
        token_endpoint_auth_methods_supported: ["tls_client_auth"]
      })
      assert.deepStrictEqual(found.authMethodsSupported, ["tls_client_auth"])
    }))

  it.effect("fails with TokenError UnsupportedAuthMethod for a method the metadata does not offer", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(discover({ issuer, authMethod: "client_secret_post" }))
      assert.isTrue(TokenError.isTokenError(error))
      assert.strictEqual((error as TokenError.TokenError).reason, "UnsupportedAuthMethod")
    }))

  it.effect("holds the token endpoint to the https rule: plain http on another host is TokenError Discovery", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        discover({ issuer }, { ...metadata, token_endpoint: "http://auth.example.com/t" })
      )
      assert.strictEqual((error as TokenError.TokenError).reason, "Discovery")
    }))

  it.effect("dies with an IllegalArgumentException for an issuer the options refuse", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(discover({ issuer: "http://auth.example.com" }))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      assert.include(String(Exit.isFailure(exit) && Cause.squash(exit.cause)), "Discovery: issuer must use https")
    }))
})
