/**
 * No error the library raises, and no log line it writes, shows the client secret (in any encoding it goes on the wire
 * in) or an access token, however it is printed (`docs/behaviour.md#secrets`). The cases every line shares are the
 * Secrets suite's (`test/suites/Secrets.test.ts`); here are the Effect 3 line's own: the defect of a layer built with
 * bad options and `layerConfig`'s `ConfigError`, rendered every way a `Cause` is, and a token put in Effect's logs.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
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

describe("TokenService never shows a secret or a token: Effect 3's own renderings", () => {
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
