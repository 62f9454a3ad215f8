/**
 * An issuer whose metadata cannot be used (another issuer, or the configured method missing) is a configuration error
 * like `invalid_client` (`docs/behaviour.md#discovery-answers`): remembered for `terminalErrorCooldown`, so calls
 * inside it ask nothing. Also `requireSameOriginTokenEndpoint`, and a token endpoint that stops working, which has the
 * metadata read again (`docs/configuration.md#discovery`).
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import type { NetworkError, TokenError } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Discovery from "../src/internal/discovery.js"
import { byUrl } from "./utils/byUrl.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"

const issuer = "https://auth.example.com/tenant-7"
const rfc8414Url = "https://auth.example.com/.well-known/oauth-authorization-server/tenant-7"

const serviceWith = (metadata: Record<string, unknown>) =>
  Effect.gen(function*() {
    const endpoint = Endpoint.make({ otherwise: byUrl({ [rfc8414Url]: Endpoint.json(metadata) }) })
    const service = yield* TokenService.make({
      issuer,
      clientId: "client-1",
      clientSecret: Redacted.make("secret-1"),
      authMethod: "client_secret_post"
    }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
    return { endpoint, service }
  })

describe("a discovery TokenError is remembered for terminalErrorCooldown", () => {
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    ["the configured method missing", {
      issuer,
      token_endpoint: `${issuer}/token`,
      token_endpoint_auth_methods_supported: ["private_key_jwt"]
    }, "UnsupportedAuthMethod"],
    ["another issuer", { issuer: "https://evil.example.com", token_endpoint: `${issuer}/token` }, "Discovery"]
  ]
  for (const [what, metadata, reason] of cases) {
    it.scoped(`${what}: ${reason}; get and getFor inside 5 s ask nothing, after it ask again`, () =>
      Effect.gen(function*() {
        const { endpoint, service } = yield* serviceWith(metadata)
        const first = yield* Effect.flip(service.get)
        assert.strictEqual(first.reason, reason)
        assert.strictEqual(endpoint.requests.length, 1)
        yield* TestClock.adjust("4999 millis")
        assert.strictEqual((yield* Effect.flip(service.get)).reason, reason)
        assert.strictEqual(endpoint.requests.length, 1, "remembered: nothing asked")
        yield* TestClock.adjust("2 millis")
        yield* Effect.flip(service.get)
        assert.strictEqual(endpoint.requests.length, 2, "forgotten after the cool-down: asked again")
      }))
  }
})

describe("requireSameOriginTokenEndpoint", () => {
  const elsewhere = { issuer, token_endpoint: "https://login.other.example/token" }

  it.scoped("set: a token endpoint on another origin is refused with TokenError Discovery, and nothing is sent there", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({ otherwise: byUrl({ [rfc8414Url]: Endpoint.json(elsewhere) }) })
      const service = yield* TokenService.make({
        issuer,
        requireSameOriginTokenEndpoint: true,
        clientId: "client-1",
        clientSecret: Redacted.make("secret-1")
      }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
      const error = yield* Effect.flip(service.get)
      assert.strictEqual(error._tag === "TokenError" ? error.reason : error._tag, "Discovery")
      assert.include(error.message, "requireSameOriginTokenEndpoint")
      assert.deepStrictEqual(endpoint.requests.map((request) => request.url), [rfc8414Url])
    }))

  it.scoped("not set: the same metadata is used, as RFC 8414 allows", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make({
        otherwise: byUrl({ [rfc8414Url]: Endpoint.json(elsewhere) }, Endpoint.token("t-1"))
      })
      const service = yield* TokenService.make({
        issuer,
        clientId: "client-1",
        clientSecret: Redacted.make("secret-1")
      })
        .pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
      yield* service.get
      assert.deepStrictEqual(endpoint.requests.map((request) => request.url), [rfc8414Url, elsewhere.token_endpoint])
    }))

  it.effect("with tokenUrl, or not a boolean: the options are refused", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
        [
          { tokenUrl: "https://auth.example.com/token", requireSameOriginTokenEndpoint: true },
          "requireSameOriginTokenEndpoint needs the issuer option"
        ],
        [{ issuer, requireSameOriginTokenEndpoint: "yes" }, "requireSameOriginTokenEndpoint must be a boolean"]
      ]
      for (const [endpointOptions, message] of cases) {
        const exit = yield* Effect.exit(Effect.scoped(
          TokenService.make({
            ...endpointOptions,
            clientId: "client-1",
            clientSecret: Redacted.make("secret-1")
          } as unknown as TokenService.Options).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
        ))
        const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
        assert.isTrue(Cause.isIllegalArgumentException(defect), message)
        assert.include((defect as Error).message, message)
      }
    }))
})

describe("a token endpoint that stops working: the metadata is read again", () => {
  const oldEndpoint = "https://auth.example.com/tenant-7/oauth2/token"
  const newEndpoint = "https://login.auth.example.com/tenant-7/oauth2/v2/token"
  const document = (tokenEndpoint: string) => Endpoint.json({ issuer, token_endpoint: tokenEndpoint })

  const cases: ReadonlyArray<readonly [string, Endpoint.Answer, string]> = [
    ["answers 404", Endpoint.respond(404), "InvalidResponse"],
    ["answers 410", Endpoint.respond(410), "InvalidResponse"],
    [
      "is unreachable",
      Endpoint.transportFailure(Object.assign(new Error("refused"), { code: "ECONNREFUSED" })),
      "Transport"
    ]
  ]
  for (const [what, answer, reason] of cases) {
    it.scoped(`the token endpoint ${what}: after the cool-down, the next failure reads the metadata again; then the new one is used`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make({
          otherwise: byUrl({
            [rfc8414Url]: [document(oldEndpoint), document(newEndpoint)],
            [oldEndpoint]: answer,
            [newEndpoint]: Endpoint.token("token-new")
          })
        })
        const service = yield* TokenService.make({
          issuer,
          clientId: "client-1",
          clientSecret: Redacted.make("secret-1"),
          retry: Schedule.stop
        }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
        const reasonOf = (error: TokenError.TokenError | NetworkError.NetworkError) => error.reason
        assert.strictEqual(reasonOf(yield* Effect.flip(service.get)), reason)
        // a failure is remembered for a second: each call below is a new token request
        yield* TestClock.adjust(Duration.subtract(Discovery.rereadCooldown, Duration.seconds(2)))
        assert.strictEqual(reasonOf(yield* Effect.flip(service.get)), reason)
        yield* TestClock.adjust(0)
        const urls = () => endpoint.requests.map((request) => request.url)
        assert.deepStrictEqual(urls(), [rfc8414Url, oldEndpoint, oldEndpoint], "within the cool-down: not read again")
        yield* TestClock.adjust("2 seconds")
        assert.strictEqual(reasonOf(yield* Effect.flip(service.get)), reason)
        yield* TestClock.adjust(0)
        assert.deepStrictEqual(urls(), [rfc8414Url, oldEndpoint, oldEndpoint, oldEndpoint, rfc8414Url])
        // the failure is remembered for a second; then the token endpoint the metadata names now
        yield* TestClock.adjust("1 second")
        const token = yield* service.get
        assert.strictEqual(Redacted.value(token.value), "token-new")
        assert.deepStrictEqual(urls().slice(-1), [newEndpoint])
      }))
  }

  it.scoped("a token endpoint that answers, even 503 or 400: the metadata is not read again", () =>
    Effect.gen(function*() {
      for (const answer of [Endpoint.respond(503), Endpoint.oauthError("invalid_grant")]) {
        const endpoint = Endpoint.make({
          otherwise: byUrl({ [rfc8414Url]: document(oldEndpoint), [oldEndpoint]: answer })
        })
        const service = yield* TokenService.make({
          issuer,
          clientId: "client-1",
          clientSecret: Redacted.make("secret-1"),
          retry: Schedule.stop
        }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
        for (let i = 0; i < 3; i++) {
          yield* Effect.flip(service.get)
          yield* TestClock.adjust(Discovery.rereadCooldown)
        }
        assert.deepStrictEqual(endpoint.requests.map((request) => request.url), [
          rfc8414Url,
          oldEndpoint,
          oldEndpoint,
          oldEndpoint
        ])
      }
    }))
})
