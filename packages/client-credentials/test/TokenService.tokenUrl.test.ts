/**
 * The token endpoint is reached over TLS (RFC 6749 §3.2): plain http only on a loopback address, or with
 * `allowInsecureHttp` (`docs/configuration.md#options`: `tokenUrl`, `allowInsecureHttp`).
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const build = (options: Partial<Service.SecretOptions>) =>
  Effect.gen(function*() {
    const endpoint = Endpoint.make()
    const exit = yield* Effect.exit(
      Effect.scoped(Layer.build(Layer.provide(TokenService.layer({ ...Service.options, ...options }), endpoint.layer)))
    )
    const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
    return defect instanceof Cause.IllegalArgumentException ? defect.message : "built"
  })

describe("TokenService token URL", () => {
  it.effect("accepts https, and http on loopback addresses", () =>
    Effect.gen(function*() {
      for (
        const tokenUrl of [
          "https://auth.example.com/token",
          "https://auth.example.com/token?tenant=a",
          "http://localhost:8080/token",
          "http://127.0.0.1/token",
          "http://127.1.2.3/token",
          "http://[::1]:9000/token"
        ]
      ) {
        assert.strictEqual(yield* build({ tokenUrl }), "built", tokenUrl)
      }
    }))

  it.effect("refuses plain http elsewhere, hosts that only look like loopback included", () =>
    Effect.gen(function*() {
      for (
        const tokenUrl of [
          "http://auth.example.com/token",
          "http://127.evil.example/token",
          "http://127.0.0.1.nip.io/token",
          "http://10.0.0.1/token"
        ]
      ) {
        assert.include(yield* build({ tokenUrl }), "must use https", tokenUrl)
      }
      assert.strictEqual(yield* build({ tokenUrl: "http://auth.example.com/token", allowInsecureHttp: true }), "built")
    }))

  it.effect("refuses URLs that are not http(s), carry credentials or a fragment", () =>
    Effect.gen(function*() {
      assert.include(yield* build({ tokenUrl: "not a url" }), "not a URL")
      assert.include(yield* build({ tokenUrl: "ftp://auth.example.com/token" }), "http(s)")
      assert.include(yield* build({ tokenUrl: "https://user:pw@auth.example.com/token" }), "credentials")
      assert.include(yield* build({ tokenUrl: "https://auth.example.com/token#x" }), "fragment")
    }))
})
