/**
 * What goes into an `Authorization` header is a token (`docs/behaviour.md#bounds`, an access token): an `access_token`
 * must be visible ASCII without spaces (`%x21-7E`) and at most `AccessToken.maxValueLength` characters; anything else
 * is `TokenError` `InvalidResponse`, nothing is cached, and the error shows no part of it.
 */
import { AccessToken } from "@effect-oauth2/client-credentials"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as util from "node:util"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

/** A marker in every refused token: no printing of the error may hold it. */
const marker = "SeCrEtToKeN"

const refused: ReadonlyArray<readonly [string, string]> = [
  ["CR/LF", `${marker}\r\nX-Injected: yes`],
  ["LF", `${marker}\nabc`],
  ["CR", `${marker}\rabc`],
  ["NUL", `${marker}\u0000abc`],
  ["a tab", `${marker}\tabc`],
  ["DEL", `${marker}\u007fabc`],
  ["é", `${marker}-caf\u00e9`],
  ["a non-BMP character", `${marker}-\u{1F511}`],
  ["a space", `${marker} abc`],
  ["a leading space", ` ${marker}`],
  ["a trailing space", `${marker} `],
  ["17 KiB", marker + "a".repeat(17 * 1024 - marker.length)],
  ["one character over the limit", marker + "a".repeat(AccessToken.maxValueLength + 1 - marker.length)]
]

const accepted: ReadonlyArray<readonly [string, string]> = [
  [
    "a JWT",
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjbGllbnQtMSIsImF1ZCI6ImFwaSJ9.c2lnbmF0dXJlLXBhcnQtLV8"
  ],
  ["a Salesforce token", "00Dxx0000001gPL!AR8AQJX"],
  [
    "every visible ASCII character",
    Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join("")
  ],
  ["exactly the limit", "a".repeat(AccessToken.maxValueLength)]
]

describe("TokenService access_token syntax", () => {
  it("the limit is 16 KiB", () => {
    assert.strictEqual(AccessToken.maxValueLength, 16 * 1024)
  })

  it.scoped("a token with CR/LF, NUL, non-ASCII, a space or over 16 KiB is InvalidResponse, showing none of it", () =>
    Effect.gen(function*() {
      for (const [what, value] of refused) {
        const endpoint = Endpoint.make({ otherwise: Endpoint.token(value) })
        const service = yield* Service.make(endpoint, { retry: Schedule.recurs(3) })
        const error = yield* Effect.flip(service.get)
        assert.strictEqual(error._tag, "TokenError", what)
        assert.deepInclude(error, { reason: "InvalidResponse", status: 200 }, what)
        assert.strictEqual(endpoint.requests.length, 1, what)
        const printings = [
          String(error),
          error.message,
          error.stack ?? "",
          JSON.stringify(error),
          Inspectable.format(error),
          util.inspect(error, { depth: null }),
          Cause.pretty(Cause.fail(error))
        ]
        for (const printing of printings) assert.notInclude(printing, marker, what)
      }
    }))

  it.scoped("a refused token is not cached: once the server sends a good one, it is served", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      endpoint.script(Endpoint.token(`${marker}\r\nX: y`))
      const service = yield* Service.make(endpoint)
      const error = yield* Effect.flip(service.get)
      assert.deepInclude(error, { _tag: "TokenError", reason: "InvalidResponse" })
      // past any time a service may remember a failure for
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(Service.value(yield* service.get), "token-2")
      assert.strictEqual(endpoint.requests.length, 2)
    }))

  it.scoped("a JWT, a Salesforce token with '!', every visible ASCII character and a 16 KiB token are accepted", () =>
    Effect.gen(function*() {
      for (const [what, value] of accepted) {
        const endpoint = Endpoint.make({ otherwise: Endpoint.token(value) })
        const service = yield* Service.make(endpoint)
        const token = yield* service.get
        assert.strictEqual(Service.value(token), value, what)
        assert.strictEqual(header(token), `Bearer ${value}`, what)
      }
    }))
})

/** The `Authorization` value the token makes. */
const header = (token: AccessToken.AccessToken): string => Service.value({ value: token.authorization })
