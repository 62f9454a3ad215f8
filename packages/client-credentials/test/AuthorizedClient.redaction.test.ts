/**
 * Redaction in `AuthorizedClient`, case by case (`docs/api-client.md#errors`, `docs/behaviour.md#secrets`): the token,
 * in every form an API echoes it in, is replaced in `ApiError.body` and the `WWW-Authenticate` parameters, and a
 * transport failure whose cause quotes the request shows none of it. The Secrets suite (`@effect-oauth2/suites/Secrets`,
 * run on both lines) places it at every offset.
 */
import { type ApiError, AuthorizedClient, type NetworkError } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FixedTokens from "./authorized/fixedTokens.js"
import * as Leaks from "./utils/leaks.js"

const token = "tok/+=é'&x<1>"

/** An API that answers every request with `answer`. */
const api = (answer: (request: Parameters<Parameters<typeof HttpClient.make>[0]>[0]) => Response) =>
  HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, answer(request))))

const call = (client: HttpClient.HttpClient) =>
  Effect.flip(
    AuthorizedClient.withTokens(client, { tokens: FixedTokens.make(token) }).get("https://api.example.com/x")
  )

describe("AuthorizedClient: redaction, case by case", () => {
  it.effect("a transport failure whose cause quotes the Authorization header shows no part of the token", () =>
    Effect.gen(function*() {
      const failing = HttpClient.make((request) =>
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new Error(`request failed: Authorization: ${request.headers["authorization"]}`)
          })
        )
      )
      const error = (yield* call(failing)) as NetworkError.NetworkError
      assert.strictEqual(error._tag, "NetworkError")
      assert.strictEqual(error.detail, "could not be called (request failed: Authorization: Bearer <redacted>)")
    }))

  it.effect("an error body echoing the token JSON-escaped, percent-encoded or as HTML has each replaced", () =>
    Effect.gen(function*() {
      const echoed = Object.entries(Leaks.encodings).map(([name, encode]) => `${name}: [${encode(token)}]`)
      const error = (yield* call(api(() => new Response(echoed.join("\n"), { status: 500 })))) as ApiError.ApiError
      assert.strictEqual(error.body, Object.keys(Leaks.encodings).map((name) => `${name}: [<redacted>]`).join("\n"))
    }))

  it.effect("a challenge echoing the token form-encoded has it replaced", () =>
    Effect.gen(function*() {
      const challenge = `Bearer error="insufficient_scope", error_description="token ${
        Leaks.formEncode(token)
      } lacks x"`
      const error = (yield* call(
        api(() => new Response(null, { status: 403, headers: { "www-authenticate": challenge } }))
      )) as ApiError.ApiError
      assert.deepStrictEqual(error.wwwAuthenticate?.params, {
        error: "insufficient_scope",
        error_description: "token <redacted> lacks x"
      })
    }))

  it.effect("a body read up to its limit that ends inside a form of the token shows none of it", () =>
    Effect.gen(function*() {
      // whole numeric-HTML forms, each replaced by a shorter marker, then one that the read limit cuts: the text left
      // is shorter than 1 KiB, so only knowing that the read was cut can drop the partial form
      const form = Leaks.encodings["HTML, numeric"]!(token)
      const error = (yield* call(api(() => new Response(form.repeat(40), { status: 500 })))) as ApiError.ApiError
      assert.isDefined(error.body)
      assert.match(error.body!, /^(<redacted>)+$/)
      Leaks.assertNoStart("ApiError.body", error.body!, { "the token's numeric HTML form": form })
    }))
})
