/**
 * Redaction at the token endpoint, case by case (`docs/behaviour.md#secrets`): replace first, then cut; no cut ends in
 * the start of a secret's form; a registered `error` code is compared before any redaction.
 * The Secrets suite (`@effect-oauth2/suites/Secrets`, run on both lines) places the values at every offset.
 */
import { TokenError } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Leaks from "./utils/leaks.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const secret = Service.clientSecret
const authMethods = ["client_secret_basic", "client_secret_post"] as const

/** The failure of the first `get` on a service whose endpoint answers `answer`. */
const failure = (
  answer: Endpoint.Answer,
  overrides: Parameters<typeof Service.make>[1] = {}
) =>
  Effect.scoped(Effect.gen(function*() {
    const endpoint = Endpoint.make()
    endpoint.script(answer)
    const service = yield* Service.make(endpoint, { retry: Schedule.stop, ...overrides })
    const exit = yield* Effect.exit(service.get)
    assert.isTrue(Exit.isFailure(exit))
    const cause = Exit.isFailure(exit) ? exit.cause : Cause.empty
    return { error: Cause.squash(cause) as Record<string, unknown>, cause }
  }))

const assertNoStart = (error: unknown, cause: Cause.Cause<unknown>, values: Record<string, string>) => {
  for (const [what, text] of Leaks.renderings(error, cause)) Leaks.assertNoStart(what, text, values)
}

describe("TokenService: redaction, case by case", () => {
  it.effect("a description echoing the secret at offset 1,000 shows none of it (the issue's case)", () =>
    Effect.gen(function*() {
      for (const authMethod of authMethods) {
        const description = `${"d".repeat(1000)}${secret}${"e".repeat(100)}`
        const { cause, error } = yield* failure(
          Endpoint.oauthError("invalid_client", 401, { error_description: description }),
          { authMethod }
        )
        assert.strictEqual(error.errorDescription, `${"d".repeat(1000)}<redacted>${"e".repeat(14)}`)
        assertNoStart(error, cause, { "the secret": secret })
      }
    }))

  it.effect("an unregistered error code echoing the Basic credentials past 128 bytes shows none of them", () =>
    Effect.gen(function*() {
      const basic = Leaks.basicCredentials(Service.clientId, secret)
      const { cause, error } = yield* failure(
        Endpoint.oauthError(`${"c".repeat(110)}${basic}`, 400),
        { authMethod: "client_secret_basic" }
      )
      assert.strictEqual(error.error, `${"c".repeat(110)}<redacted>`)
      assertNoStart(error, cause, { "the Basic credentials": basic })
    }))

  it.effect("a cause echoing the form-encoded secret across its 200-byte cut shows none of it", () =>
    Effect.gen(function*() {
      const formSecret = Leaks.formEncode(secret)
      const { cause, error } = yield* failure(
        Endpoint.transportFailure(new Error(`${"y".repeat(190)}${formSecret}${"z".repeat(40)}`)),
        { authMethod: "client_secret_post" }
      )
      assert.strictEqual(error.detail, `could not be called (${"y".repeat(190)}<redacted>)`)
      assertNoStart(error, cause, { "the form-encoded secret": formSecret })
    }))

  it.effect("with a 1- or 2-character secret, invalid_client stays invalid_client: terminal, and cooled down", () =>
    Effect.gen(function*() {
      for (const shortSecret of ["i", "in"]) {
        for (const authMethod of authMethods) {
          yield* Effect.scoped(Effect.gen(function*() {
            const endpoint = Endpoint.make({
              otherwise: Endpoint.oauthError("invalid_client", 401, { error_description: "client i is invalid" })
            })
            const service = yield* Service.make(endpoint, {
              clientSecret: Redacted.make(shortSecret),
              authMethod,
              retry: Schedule.stop
            })
            const error = yield* Effect.flip(service.get)
            assert.isTrue(TokenError.isTokenError(error))
            const tokenError = error as TokenError.TokenError
            assert.strictEqual(tokenError.error, "invalid_client", `secret ${JSON.stringify(shortSecret)}`)
            assert.isTrue(tokenError.isTerminal)
            assert.notInclude(tokenError.errorDescription, shortSecret)
            // remembered for terminalErrorCooldown: the second call sends nothing
            yield* Effect.flip(service.get)
            assert.strictEqual(endpoint.requests.length, 1)
          }))
        }
      }
    }))

  it.effect("an unregistered error code is redacted even with a 2-character secret", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(Endpoint.oauthError("custom_zq_code", 400), {
        clientSecret: Redacted.make("zq")
      })
      assert.strictEqual(error.error, "custom_<redacted>_code")
    }))

  it.effect("an access token that comes with an error is redacted in every form it is echoed in", () =>
    Effect.gen(function*() {
      const token = "tok/+=é'&x<1>"
      const echoed = Object.entries(Leaks.encodings).map(([name, encode]) => `${name}: [${encode(token)}]`)
      const { cause, error } = yield* failure(Endpoint.token(token, {
        error: "server_error",
        error_description: echoed.join("; "),
        error_uri: `https://e.example/?token=${encodeURIComponent(token)}`
      }))
      assert.strictEqual(
        error.errorDescription,
        Object.keys(Leaks.encodings).map((name) => `${name}: [<redacted>]`).join("; ")
      )
      assert.strictEqual(error.errorUri, "https://e.example/?token=<redacted>")
      assertNoStart(error, cause, Object.fromEntries(echoed.map((text, i) => [`form ${i}`, text.split("[")[1]!])))
    }))
})
