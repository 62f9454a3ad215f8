/**
 * Signed client authentication keeps its secrets (`docs/behaviour.md#secrets`): a server (or a transport) that echoes
 * what it received — the client assertion — and, worse, the HMAC secret, the private key's PEM or its JWK's private
 * members, in an `error_description`, an `error_uri`, a 500 body or a transport failure's cause, in any of the usual
 * encodings: no printing of the error and no log line holds the first 8 characters of any of them. Also a
 * `clientAssertion` effect whose failure quotes the assertion.
 */
import type { NetworkError, TokenError } from "@effect-oauth2/client-credentials"
import { TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Keys from "./utils/keys.js"
import * as Leaks from "./utils/leaks.js"
import * as Logs from "./utils/logs.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const tokenUrl = Service.tokenUrl
const clientId = Service.clientId
const secret = Service.clientSecret

/** An assertion made elsewhere, as a Kubernetes projected token looks (its parts are made up). */
const projected = "eyJhbGciOiJSUzI1NiIsImtpZCI6InByb2plY3RlZCJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXBwIn0" +
  ".c2lnbmF0dXJlLW9mLXRoZS1wcm9qZWN0ZWQtdG9rZW4tUFJPSkVDVEVE"

interface Method {
  readonly name: string
  readonly options: TokenService.Options
  /** What the client holds that must never show, besides the assertions it sends. */
  readonly held: Readonly<Record<string, string>>
}

const methods: ReadonlyArray<Method> = [
  {
    name: "client_secret_jwt",
    options: { tokenUrl, clientId, clientSecret: Redacted.make(secret), authMethod: "client_secret_jwt" },
    held: { "the HMAC secret": secret }
  },
  {
    name: "private_key_jwt with an RSA PEM",
    options: { tokenUrl, clientId, authMethod: "private_key_jwt", privateKey: Redacted.make(Keys.rsa.pem) },
    held: { "the PEM": Keys.rsa.pem, "the PEM's base64": Keys.rsa.pemBody }
  },
  {
    name: "private_key_jwt with an EC JWK",
    options: { tokenUrl, clientId, authMethod: "private_key_jwt", privateKey: Redacted.make(Keys.p256.jwkJson) },
    held: { "the JWK's d": Keys.p256.privateJwk.d! }
  },
  {
    name: "private_key_jwt with a clientAssertion",
    options: {
      tokenUrl,
      clientId,
      authMethod: "private_key_jwt",
      clientAssertion: Effect.succeed(Redacted.make(projected))
    },
    held: {}
  }
]

/** The text a server echoes: everything it received, and everything the client holds, in one encoding. */
const echoOf = (
  request: Endpoint.RecordedRequest,
  held: Readonly<Record<string, string>>,
  encode: (s: string) => string
) => [request.form.get("client_assertion") ?? "", ...Object.values(held)].map((value) => `[${encode(value)}]`).join(" ")

const places: Readonly<Record<string, (echo: (request: Endpoint.RecordedRequest) => string) => Endpoint.Answer>> = {
  "error_description and error_uri": (echo) => (request) =>
    Endpoint.oauthError("invalid_client", 401, {
      error_description: `bad assertion ${echo(request)}`,
      error_uri: `https://idp.example.com/e?${echo(request)}`
    })(request),
  "an unregistered error code": (echo) => (request) => Endpoint.oauthError(echo(request), 400)(request),
  "a 500 body": (echo) => (request) => Endpoint.respond(500, `<pre>${echo(request)}</pre>`)(request),
  "a 400 body that is not an OAuth error": (echo) => (request) =>
    Endpoint.json({ message: echo(request) }, 400)(request),
  "a transport cause": (echo) => (request) =>
    Endpoint.transportFailure(new Error(`request failed: ${echo(request)}`))(request),
  "a nested transport cause": (echo) => (request) =>
    Endpoint.transportFailure(new Error("fetch failed", { cause: new Error(echo(request)) }))(request),
  "a transport cause's code": (echo) => (request) =>
    Endpoint.transportFailure(Object.assign(new Error("connect failed"), { code: echo(request) }))(request)
}

/** The starts no printing may hold: each value in each encoding; of an assertion also its payload and signature. */
const forbidden = (values: Readonly<Record<string, string>>): Record<string, string> => {
  const all: Record<string, string> = {}
  for (const [name, value] of Object.entries(values)) {
    for (const [encoding, encode] of Object.entries(Leaks.encodings)) all[`${name} (${encoding})`] = encode(value)
  }
  return all
}

const assertionParts = (assertion: string): Record<string, string> => {
  const [header, payload, signature] = assertion.split(".")
  return { "the assertion": assertion, "its header": header!, "its payload": payload!, "its signature": signature! }
}

/** `Leaks.assertClean`, where the failure must also have been logged; returns the error. */
const assertClean = (exit: Exit.Exit<unknown, unknown>, logs: Logs.CapturedLogs, values: Record<string, string>) => {
  assert.isAbove(logs.entries.length, 0)
  return Leaks.assertClean(exit, logs, values) as TokenError.TokenError | NetworkError.NetworkError
}

describe("signed assertions and the keys behind them never show in an error or a log", () => {
  for (const method of methods) {
    for (const [place, answerFor] of Object.entries(places)) {
      it.scoped(`${method.name}: echoed in ${place}, in every encoding`, () =>
        Effect.gen(function*() {
          for (const [encoding, encode] of Object.entries(Leaks.encodings)) {
            const endpoint = Endpoint.make()
            endpoint.script(answerFor((request) => echoOf(request, method.held, encode)))
            const service = yield* TokenService.make({ ...method.options, retry: Schedule.stop }).pipe(
              Effect.provideService(HttpClient.HttpClient, endpoint.client)
            )
            const { exit, logs } = yield* Logs.runLogged(service.get)
            assert.strictEqual(endpoint.requests.length, 1)
            const assertion = endpoint.requests[0]!.form.get("client_assertion")!
            const error = assertClean(exit, logs, forbidden({ ...assertionParts(assertion), ...method.held }))
            assert.strictEqual(
              error._tag,
              place.includes("transport") || place.includes("500") ? "NetworkError" : "TokenError",
              encoding
            )
          }
        }))
    }
  }
})

/** A failure of the kind a token reader raises, whose message quotes what it read. */
class InvalidProjectedToken extends Data.TaggedError("InvalidProjectedToken")<{ readonly message: string }> {}

/**
 * A `clientAssertion` failure is named by its code, tag or name, never by its message, which may quote the assertion:
 * each failure below quotes it, in its message or in its cause's.
 */
const failures: ReadonlyArray<{ readonly what: string; readonly failure: unknown }> = [
  { what: "an Error", failure: new Error(`token expired: ${projected}`) },
  {
    what: "an Error with a cause",
    failure: new Error("could not read the token", { cause: new Error(`bad token ${projected}`) })
  },
  { what: "a tagged error", failure: new InvalidProjectedToken({ message: `not a JWT: ${projected}` }) },
  {
    what: "an Error with a code",
    failure: Object.assign(new Error(`denied: ${projected}`), { code: "EACCES" })
  }
]

describe("a clientAssertion effect whose failure quotes the assertion", () => {
  for (const { failure, what } of failures) {
    it.scoped(`${what}: TokenError ClientAssertion, and no printing or log shows the assertion`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const service = yield* TokenService.make({
          tokenUrl,
          clientId,
          authMethod: "private_key_jwt",
          clientAssertion: Effect.fail(failure)
        }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
        const { exit, logs } = yield* Logs.runLogged(service.get)
        const error = assertClean(exit, logs, forbidden(assertionParts(projected)))
        assert.strictEqual(error._tag, "TokenError")
        assert.strictEqual((error as TokenError.TokenError).reason, "ClientAssertion")
        assert.strictEqual(endpoint.requests.length, 0)
      }))

    it.scoped(`${what}, in a background refresh: the library's own warning does not show the assertion`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const runs = yield* Ref.make(0)
        // the refresh runs on the layer's fibers: the logger must be there when the service is made
        const logs = Logs.capture()
        const service = yield* TokenService.make({
          tokenUrl,
          clientId,
          authMethod: "private_key_jwt",
          // the first assertion is good; the refresh's fails
          clientAssertion: Effect.flatMap(
            Ref.getAndUpdate(runs, (n) => n + 1),
            (n) => n === 0 ? Effect.succeed(Redacted.make(projected)) : Effect.fail(failure)
          )
        }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client), Effect.provide(logs.layer))
        yield* service.get
        // past the refresh point, before expiry: the call is served and a refresh starts in the background
        yield* TestClock.adjust("55 minutes")
        yield* service.get
        yield* Service.settle
        assert.strictEqual(yield* Ref.get(runs), 2, "the refresh ran the effect")
        assert.strictEqual(endpoint.requests.length, 1, "the refresh sent nothing")
        assert.isAbove(logs.entries.length, 0, "the failed refresh is logged")
        for (const entry of logs.entries) {
          Leaks.assertNoStart(`the ${entry.level} log`, entry.text, forbidden(assertionParts(projected)))
        }
      }))
  }
})
