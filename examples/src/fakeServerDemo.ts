/**
 * The classic snippet's production failures, played against the embedded fake authorization server, the right way.
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { type Check, check, line, ms, step } from "./report.js"

const credentials = {
  clientId: FakeAuthServer.defaultClient.clientId,
  clientSecret: Redacted.make(FakeAuthServer.defaultClient.clientSecret)
}

/** How long `effect` took, in milliseconds, on the real clock. */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    const result = yield* effect
    return [result, performance.now() - start] as const
  })

/**
 * Runs the five scenes; needs a running `FakeAuthServer` and an `HttpClient`. Returns every checked claim. The same
 * code runs on both Effect lines (`packages/effect4/examples` links it).
 */
export const run = Effect.gen(function*() {
  const server = yield* FakeAuthServer.FakeAuthServer
  const checks: Array<Check> = []
  const tokenRequests = Effect.map(server.tokenRequests, (requests) => requests.length)
  yield* line(`fake authorization server: ${server.tokenUrl}`)

  const tokens = yield* TokenService.make({ tokenUrl: server.tokenUrl, ...credentials, scopes: ["orders:read"] })
  // the `HttpClient` in context, authorized with these tokens
  const api = yield* Effect.provideService(AuthorizedClient.make(), TokenService.TokenService, tokens)

  yield* step(1, "Cold start: 100 concurrent API calls")
  const [responses, coldMillis] = yield* timed(
    Effect.all(Array.from({ length: 100 }, (_, i) => api.get(`${server.apiUrl}/orders/${i}`)), {
      concurrency: "unbounded"
    })
  )
  const coldRequests = yield* tokenRequests
  yield* line(`${responses.filter((r) => r.status === 200).length} answered 200 in ${ms(coldMillis)}`)
  checks.push(
    yield* check(`1 token request for 100 callers (the snippet sends 100): ${coldRequests}`, coldRequests === 1)
  )

  yield* step(2, "A short-lived token renewed in the background while calls go on")
  yield* server.setTokenLifetime("4 seconds")
  const shortLived = yield* TokenService.make({ tokenUrl: server.tokenUrl, ...credentials, expiryLeeway: "1 second" })
  const first = yield* shortLived.get
  // the renewal will take 300 ms at the token endpoint: no caller should notice
  yield* server.script(FakeAuthServer.delayed("300 millis"))
  const before = yield* tokenRequests
  const start = yield* Clock.currentTimeMillis
  let calls = 0
  let slowest = 0
  let renewedAfter: number | undefined
  // calls made once the renewal request had reached the token endpoint, and those of them served the current token
  // the calls made while the renewal's token request was in flight, and those of them served the current token: all
  // but, at most, the one the new token arrived during
  let duringRenewal = 0
  let servedCurrent = 0
  const caller = Effect.gen(function*() {
    while ((yield* Clock.currentTimeMillis) - start < 3500) {
      const renewing = renewedAfter === undefined && (yield* tokenRequests) > before
      const [token, millis] = yield* timed(shortLived.get)
      calls++
      slowest = Math.max(slowest, millis)
      const current = Redacted.value(token.value) === Redacted.value(first.value)
      if (renewing) {
        duringRenewal++
        if (current) servedCurrent++
      }
      if (renewedAfter === undefined && !current) {
        renewedAfter = (yield* Clock.currentTimeMillis) - start
      }
      yield* Effect.sleep("20 millis")
    }
  })
  yield* Effect.all(Array.from({ length: 10 }, () => caller), { concurrency: "unbounded" })
  const renewals = (yield* tokenRequests) - before
  yield* line(`token lifetime 4 s, leeway 1 s: refresh due after about 2.4 s, the token endpoint takes 300 ms`)
  yield* line(`${calls} calls by 10 callers over 3.5 s; the new token was in use after ${ms(renewedAfter ?? NaN)}`)
  yield* line(`slowest get ${ms(slowest)} (timings: npm run bench)`)
  checks.push(yield* check(`renewed once, in the background: ${renewals} token request`, renewals === 1))
  checks.push(
    yield* check(
      `no caller waited for the token endpoint: the ${servedCurrent} calls made while the renewal's request was in ` +
        `flight got the current token, the calls after it the new one`,
      servedCurrent > 0 && duringRenewal - servedCurrent <= 1 && renewedAfter !== undefined
    )
  )
  yield* server.setTokenLifetime("1 hour")

  yield* step(3, "The token endpoint answers 503 twice")
  yield* server.script(
    FakeAuthServer.respond(503, "Service Unavailable"),
    FakeAuthServer.respond(503, "Service Unavailable")
  )
  const beforeRetry = yield* tokenRequests
  const [reports, retryMillis] = yield* timed(tokens.getFor({ scopes: ["reports:read"] }))
  const attempts = (yield* tokenRequests) - beforeRetry
  yield* line(`got a token with scopes [${reports.scopes.join(" ")}] after ${attempts} attempts in ${ms(retryMillis)}`)
  checks.push(yield* check(`both 503s absorbed by the retry schedule, the caller saw none`, attempts === 3))

  yield* step(4, "The authorization server revokes the token in use")
  const current = yield* tokens.get
  yield* server.revoke(current)
  const beforeRevoke = yield* tokenRequests
  const apiBefore = yield* server.apiRequests
  const recovered = yield* api.get(`${server.apiUrl}/orders/after-revocation`)
  const apiCalls = (yield* server.apiRequests) - apiBefore
  const newTokens = (yield* tokenRequests) - beforeRevoke
  yield* line(`the API answered 401 invalid_token; the token was dropped, a new one fetched, the call sent again`)
  checks.push(
    yield* check(
      `the same call returned ${recovered.status} (${apiCalls} API requests, ${newTokens} new token)`,
      recovered.status === 200 && apiCalls === 2 && newTokens === 1
    )
  )

  yield* step(5, "A wrong client secret")
  const wrong = yield* TokenService.make({
    tokenUrl: server.tokenUrl,
    clientId: credentials.clientId,
    clientSecret: Redacted.make("not-the-secret")
  })
  const outcome = yield* wrong.get.pipe(
    Effect.as("a token?!"),
    Effect.catchTag("TokenError", (error) => Effect.succeed(`TokenError ${error.reason}: ${error.error}`))
  )
  yield* line(`Effect.catchTag("TokenError", …) caught: ${outcome}`)
  const beforeCooldown = yield* tokenRequests
  yield* Effect.exit(wrong.get)
  const sentDuringCooldown = (yield* tokenRequests) - beforeCooldown
  checks.push(yield* check(`a typed invalid_client, not a string`, outcome === "TokenError OAuth: invalid_client"))
  checks.push(
    yield* check(
      `asking again within the cooldown sends nothing: ${sentDuringCooldown} requests`,
      sentDuringCooldown === 0
    )
  )
  return checks
})
