/**
 * The demo against a real provider: a token, the same token again from memory, one API call.
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import * as Config from "effect/Config"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as EffectLine from "./effectLine.js"
import { type Check, check, line, ms, step } from "./report.js"

/**
 * The variables that ask for the provider demo: the endpoint (`OAUTH_TOKEN_URL` or `OAUTH_ISSUER`), the client and
 * its credentials (`OAUTH_CLIENT_SECRET`, or for `OAUTH_AUTH_METHOD=private_key_jwt` `OAUTH_PRIVATE_KEY`,
 * `OAUTH_PRIVATE_KEY_FILE` or `OAUTH_CLIENT_ASSERTION_FILE`). `OAUTH_SCOPE`, `OAUTH_AUDIENCE`, `API_URL` are optional.
 */
export const providerVariables = [
  "OAUTH_TOKEN_URL",
  "OAUTH_ISSUER",
  "OAUTH_CLIENT_ID",
  "OAUTH_CLIENT_SECRET",
  "OAUTH_PRIVATE_KEY",
  "OAUTH_PRIVATE_KEY_FILE",
  "OAUTH_CLIENT_ASSERTION_FILE"
] as const

/** What the provider demo cannot go without, each as one alternative or several. */
export const requiredVariables: ReadonlyArray<ReadonlyArray<(typeof providerVariables)[number]>> = [
  ["OAUTH_TOKEN_URL", "OAUTH_ISSUER"],
  ["OAUTH_CLIENT_ID"],
  ["OAUTH_CLIENT_SECRET", "OAUTH_PRIVATE_KEY", "OAUTH_PRIVATE_KEY_FILE", "OAUTH_CLIENT_ASSERTION_FILE"]
]

/**
 * Fetches a token (printing its type, scopes and expiry, never its value), then again, then calls `API_URL`. Fails
 * with the library's error as it came: its message says which call failed and where. The same code runs on both
 * Effect lines (`packages/effect4/examples` links it).
 */
export const run = Effect.gen(function*() {
  const checks: Array<Check> = []
  const tokens = yield* TokenService.TokenService
  yield* step(1, "A token from the provider")
  const start = performance.now()
  const token = yield* tokens.get
  const fetchMillis = performance.now() - start
  yield* line(
    `${token.tokenType} token, scopes [${token.scopes.join(" ")}], expires ${DateTime.formatIso(token.expiresAt)}`
  )
  yield* line(`fetched in ${ms(fetchMillis)}`)

  yield* step(2, "The same token again")
  const againStart = performance.now()
  const again = yield* tokens.get
  const againMillis = performance.now() - againStart
  checks.push(
    yield* check(
      `served from memory in ${ms(againMillis)}`,
      Redacted.value(again.value) === Redacted.value(token.value)
    )
  )

  const apiUrl = yield* Config.option(EffectLine.String("API_URL"))
  if (Option.isSome(apiUrl)) {
    yield* step(3, `One call to ${apiUrl.value}`)
    const client = yield* AuthorizedClient.make({ failOnErrorStatus: false })
    const response = yield* client.get(apiUrl.value)
    checks.push(yield* check(`the API answered ${response.status}`, response.status >= 200 && response.status < 300))
  }
  return checks
})
