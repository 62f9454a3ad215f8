/**
 * No error the library raises, and no log line it writes, shows the client secret (in any encoding it goes on the wire
 * in) or an access token, however it is printed (`docs/behaviour.md#secrets`). The servers below echo both wherever
 * they can.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as util from "node:util"
import { renderings } from "./utils/leaks.js"
import * as Logs from "./utils/logs.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const secret = Service.clientSecret
const formEncode = (value: string) => new URLSearchParams([["", value]]).toString().slice(1)
/** The secret as `client_secret_post` sends it. */
const formSecret = formEncode(secret)
/** The secret as `client_secret_basic` sends it. */
const basicCredentials = btoa(`${formEncode(Service.clientId)}:${formSecret}`)
/** An access token that a misbehaving server puts where it does not belong. */
const strayToken = "at-STRAY-5f1b2c"
/** The access token the service holds while the errors happen. */
const issuedToken = "at-ISSUED-9d8e7f"

const forbidden = [secret, "VERY-SECRET", formSecret, basicCredentials, strayToken, issuedToken]

/** The credentials as a server that echoes its request can echo them. */
const echo = `secret=${secret} form=${formSecret} header=Basic ${basicCredentials}`

const assertClean = (what: string, text: string) => {
  for (const value of forbidden) {
    const kind = value === strayToken || value === issuedToken ? "a token" : "the secret"
    assert.notInclude(text, value, `${what} shows ${kind}`)
  }
}

interface Scenario {
  readonly name: string
  /** The error's `_tag` and `reason`, so that each scenario is known to raise what it claims. */
  readonly expect: string
  readonly overrides?: Partial<Service.SecretOptions>
  readonly answer?: Endpoint.Answer
  readonly call?: (service: TokenService.Service) => Effect.Effect<unknown, unknown>
}

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "OAuth error whose description and URI echo the credentials",
    expect: "TokenError OAuth",
    answer: Endpoint.oauthError("invalid_client", 401, {
      error_description: echo,
      error_uri: `https://e.example/?${echo}`
    })
  },
  {
    name: "OAuth error whose code is the secret",
    expect: "TokenError OAuth",
    answer: Endpoint.oauthError(secret, 400, { error_description: formSecret })
  },
  {
    name: "OAuth error in a 200 that also carries an access token",
    expect: "TokenError OAuth",
    answer: Endpoint.token(strayToken, {
      error: "server_error",
      error_description: `${echo} token=${strayToken}`,
      error_uri: `https://e.example/?token=${strayToken}`
    })
  },
  {
    name: "InvalidResponse: HTML",
    expect: "TokenError InvalidResponse",
    answer: Endpoint.respond(200, `<html>${echo}</html>`, { "content-type": "text/html" })
  },
  {
    name: "InvalidResponse: unknown token_type",
    expect: "TokenError InvalidResponse",
    answer: Endpoint.token(strayToken, { token_type: strayToken })
  },
  {
    name: "InvalidResponse: bad expires_in",
    expect: "TokenError InvalidResponse",
    answer: Endpoint.token(strayToken, { expires_in: `${echo} ${strayToken}` })
  },
  {
    name: "InvalidResponse: bad scope",
    expect: "TokenError InvalidResponse",
    answer: Endpoint.token(strayToken, { scope: [echo, strayToken] })
  },
  {
    name: "InvalidResponse: redirect",
    expect: "TokenError InvalidResponse",
    answer: Endpoint.respond(302, echo, { location: `https://e.example/?${formSecret}&${strayToken}` })
  },
  {
    name: "InvalidResponse: 403",
    expect: "TokenError InvalidResponse",
    answer: Endpoint.respond(403, echo)
  },
  {
    name: "InvalidResponse: 400 without an RFC 6749 body",
    expect: "TokenError InvalidResponse",
    answer: Endpoint.json({ message: echo }, 400)
  },
  {
    name: "InvalidResponse: too large",
    expect: "TokenError InvalidResponse",
    answer: Endpoint.respond(200, echo.repeat(20_000))
  },
  {
    name: "InvalidRequest: a control character next to the secret in an extra parameter",
    expect: "TokenError InvalidRequest",
    call: (service) => service.getFor({ extraParams: { note: `${secret}\r\n${strayToken}` } })
  },
  {
    name: "InvalidRequest: the secret as a scope",
    expect: "TokenError InvalidRequest",
    call: (service) => service.getFor({ scopes: [secret] })
  },
  {
    name: "InvalidRequest: the secret as a resource",
    expect: "TokenError InvalidRequest",
    call: (service) => service.getFor({ resource: `${secret}#${strayToken}` })
  },
  {
    name: "Transport: a connection error whose message echoes the credentials",
    expect: "NetworkError Transport",
    answer: Endpoint.transportFailure(new Error(`connect failed: ${echo}`))
  },
  {
    name: "Transport: a nested cause echoing the credentials",
    expect: "NetworkError Transport",
    answer: Endpoint.transportFailure(new Error("fetch failed", { cause: new Error(`reset: ${echo}`) }))
  },
  {
    name: "Transport: the body fails while being read",
    expect: "NetworkError Transport",
    answer: () =>
      Effect.sync(() =>
        new Response(
          new ReadableStream({
            start: (controller) => controller.error(new Error(`body aborted: ${echo}`))
          }),
          { status: 200 }
        )
      )
  },
  {
    name: "Timeout",
    expect: "NetworkError Timeout",
    answer: Endpoint.hang(),
    overrides: { requestTimeout: "1 second" }
  },
  {
    name: "ServerError",
    expect: "NetworkError ServerError",
    answer: Endpoint.respond(503, echo)
  },
  {
    name: "RateLimited",
    expect: "NetworkError RateLimited",
    answer: Endpoint.respond(429, echo, { "retry-after": "5" })
  }
]

describe("TokenService never shows a secret or a token", () => {
  for (const scenario of scenarios) {
    it.scoped(scenario.name, () =>
      Effect.gen(function*() {
        for (const authMethod of ["client_secret_basic", "client_secret_post"] as const) {
          const logs = Logs.capture()
          yield* Effect.gen(function*() {
            const endpoint = Endpoint.make()
            endpoint.script(Endpoint.token(issuedToken))
            const service = yield* Service.make(endpoint, { retry: Schedule.stop, authMethod, ...scenario.overrides })
            const token = yield* service.get
            yield* Effect.log("got a token", token).pipe(Effect.annotateLogs("token", token))
            if (scenario.answer !== undefined) endpoint.script(scenario.answer)
            const call = scenario.call ?? ((s: TokenService.Service) => s.getFor({ scopes: ["other"] }))
            const fiber = yield* Effect.fork(call(service))
            yield* TestClock.adjust("1 minute")
            const exit = yield* fiber.await
            assert.isTrue(Exit.isFailure(exit))
            const cause = Exit.isFailure(exit) ? exit.cause : Cause.empty
            const error = Option.getOrThrow(Cause.failureOption(cause)) as { _tag: string; reason: string }
            assert.strictEqual(`${error._tag} ${error.reason}`, scenario.expect)
            for (const [what, text] of renderings(error, cause)) assertClean(`${authMethod}: ${what}`, text)
            yield* Effect.logError("token request failed", cause).pipe(Effect.annotateLogs({ error }))
            yield* Effect.logWarning(error)
          }).pipe(Effect.provide(logs.layer))
          assert.isAtLeast(logs.entries.length, 3)
          for (const entry of logs.entries) assertClean(`${authMethod}: the ${entry.level} log`, entry.text)
        }
      }))
  }

  it.scoped("the background-refresh warning shows neither", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      yield* Effect.gen(function*() {
        const endpoint = Endpoint.make()
        endpoint.script(
          Endpoint.token(issuedToken),
          Endpoint.oauthError("invalid_client", 401, { error_description: echo, error_uri: echo })
        )
        const service = yield* Service.make(endpoint)
        yield* service.get
        yield* TestClock.setTime(2_832_000)
        assert.strictEqual(Service.value(yield* service.get), issuedToken)
        yield* Service.settle
        assert.strictEqual(endpoint.requests.length, 2)
      }).pipe(Effect.provide(logs.layer), Effect.withRandom(Random.fixed([0])))
      const warnings = logs.entries.filter((entry) => entry.level === "WARN")
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0]!.text, "invalid_client")
      for (const entry of logs.entries) assertClean(`the ${entry.level} log`, entry.text)
    }))

  it.effect("the defect of a layer built with bad options shows neither", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const layer = TokenService.layer({ ...Service.options, extraParams: { note: `${echo}\n` }, scopes: [echo] })
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(Layer.provide(layer, endpoint.layer))))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      const cause = Exit.isFailure(exit) ? exit.cause : Cause.empty
      const defect = Option.getOrThrow(Cause.dieOption(cause))
      for (const [what, text] of renderings(defect, cause)) assertClean(what, text)
    }))

  it.effect("the ConfigError of layerConfig with bad options shows neither", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const layer = TokenService.layerConfig({
        tokenUrl: Config.succeed(Service.tokenUrl),
        clientId: Config.succeed(Service.clientId),
        clientSecret: Config.succeed(Redacted.make(secret)),
        extraParams: Config.succeed({ note: `${echo}\n` })
      })
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(Layer.provide(layer, endpoint.layer))))
      assert.isTrue(Exit.isFailure(exit))
      const cause = Exit.isFailure(exit) ? exit.cause : Cause.empty
      const error = Option.getOrThrow(Cause.failureOption(cause))
      for (const [what, text] of renderings(error, cause)) assertClean(what, text)
    }))

  it.scoped("a token in the logs shows nothing of its value", () =>
    Effect.gen(function*() {
      const logs = Logs.capture()
      yield* Effect.gen(function*() {
        const endpoint = Endpoint.make()
        endpoint.script(Endpoint.token(issuedToken))
        const service = yield* Service.make(endpoint)
        const token = yield* service.get
        yield* Effect.log(token, token.authorization).pipe(
          Effect.annotateLogs({ token, authorization: token.authorization })
        )
        assertClean("util.inspect(token)", util.inspect(token, { depth: Infinity }))
        assertClean("JSON.stringify(token)", JSON.stringify(token))
      }).pipe(Effect.provide(logs.layer))
      // the application's line, and the library's debug line for the fetch: neither shows the token
      assert.strictEqual(logs.entries.filter((entry) => entry.level !== "DEBUG").length, 1)
      for (const entry of logs.entries) assertClean("the log", entry.text)
    }))
})
