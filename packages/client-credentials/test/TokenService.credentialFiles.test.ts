/**
 * Credential files (`docs/configuration.md#environment-variables`) are regular files of at most 64 KiB, read without
 * blocking: `OAUTH_PRIVATE_KEY_FILE` (and a prefixed `<prefix>PRIVATE_KEY_FILE`) naming a FIFO, a device, a directory,
 * a file too large or no file is a `ConfigError` naming the variable; `OAUTH_CLIENT_ASSERTION_FILE` naming one is a
 * `TokenError` `ClientAssertion` naming the variable, and nothing is sent. Neither shows the path or the contents; the
 * process's memory does not grow by the file's size; a FIFO holds no thread of libuv's pool, so the process's other
 * file reads, `dns.lookup` and token requests go on. An assertion that is not a compact JWS, from a file or from a
 * `clientAssertion` effect, is refused before it is sent. Real files, a real FIFO and `/dev/zero`, in real time where a
 * real socket is used.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Dns from "node:dns"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Files from "./utils/files.js"
import * as Keys from "./utils/keys.js"
import * as Leaks from "./utils/leaks.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Server from "./utils/server.js"
import * as Service from "./utils/service.js"

const MiB = 1024 * 1024

const base = { OAUTH_TOKEN_URL: Service.tokenUrl, OAUTH_CLIENT_ID: Service.clientId }

/** `config` read from `env` (with `prefix` in place of `OAUTH_`), with `overrides` on top. */
const layerFrom = (
  env: Record<string, string>,
  overrides: Partial<TokenService.RequestOptions & TokenService.PolicyOptions> = {},
  prefix = "OAUTH_"
) =>
  TokenService.layerConfig(
    Config.map(TokenService.configWithPrefix(prefix), (options) => ({ ...options, ...overrides }))
  ).pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))

/** Builds `env`'s layer on the scripted endpoint, in the current scope, and returns the service. */
const build = (env: Record<string, string>, endpoint: Endpoint.ScriptedEndpoint) =>
  Effect.map(Layer.build(Layer.provide(layerFrom(env), endpoint.layer)), Context.get(TokenService.TokenService))

/** The `ConfigError` the layer built from `env` fails with, and every printing of it; nothing may be sent. */
const configErrorOf = (env: Record<string, string>, prefix?: string) =>
  Effect.gen(function*() {
    const endpoint = Endpoint.make()
    const exit = yield* Effect.exit(
      Effect.scoped(Layer.build(Layer.provide(layerFrom(env, {}, prefix), endpoint.layer)))
    )
    assert.isTrue(Exit.isFailure(exit), "the layer is not built")
    const cause = (exit as Exit.Failure<unknown, unknown>).cause
    const error = Option.getOrUndefined(Cause.failureOption(cause))
    assert.isTrue(ConfigError.isConfigError(error), `a ConfigError, not ${Cause.pretty(cause).slice(0, 200)}`)
    assert.strictEqual(endpoint.requests.length, 0)
    return { text: String(error), renderings: Leaks.renderings(error, cause) }
  })

/** The `TokenError` `ClientAssertion` a token request fails with, and every printing of it; nothing was sent. */
const assertionErrorOf = (service: TokenService.Service, endpoint: Endpoint.ScriptedEndpoint) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(service.get)
    assert.isTrue(Exit.isFailure(exit), "no token")
    const cause = (exit as Exit.Failure<unknown, unknown>).cause
    const error = Option.getOrThrow(Cause.failureOption(cause)) as { _tag: string; reason?: string; message: string }
    assert.strictEqual(error._tag, "TokenError")
    assert.strictEqual(error.reason, "ClientAssertion")
    assert.strictEqual(endpoint.requests.length, 0, "nothing is sent")
    return { message: error.message, renderings: Leaks.renderings(error, cause) }
  })

/** Text no file holds but these tests' contents. */
const marker = "FILE-CONTENTS-"

/** Each kind of path that is no credential file: how to make it, and what the message says it is. */
const refusals: ReadonlyArray<{
  readonly what: string
  readonly make: (directory: string) => Effect.Effect<string, never, Scope.Scope>
  readonly says: string
}> = [
  { what: "a FIFO", make: (directory) => Files.fifo(directory, "fifo"), says: "names a FIFO, not a regular file" },
  {
    what: "a device (/dev/zero)",
    make: () => Effect.succeed("/dev/zero"),
    says: "names a character device, not a regular file"
  },
  {
    what: "a file of 64 KiB and 1 byte",
    make: (directory) => Files.writeFile(directory, "large", marker.repeat(8 * 1024).slice(0, 64 * 1024 + 1)),
    says: "names a file of 65537 bytes; at most 65536 are read"
  },
  {
    what: "a directory",
    make: (directory) => Effect.succeed(directory),
    says: "names a directory, not a regular file"
  },
  {
    what: "a path to no file",
    make: (directory) => Effect.succeed(Path.join(directory, "missing")),
    says: "names a file that does not exist (ENOENT)"
  }
]

/** What no printing may hold: the path, its temporary directory's marker, and the contents. */
const hiddenOf = (path: string) => ({ "the path": path, "the directory": "SECRETDIR", "the contents": marker })

describe("memory: a file's size is never read into the process", () => {
  // first in the file: the peak memory of the process only grows
  it.scoped("a sparse file of 1 GiB and /dev/zero, as key file and as assertion file: refused, peak memory flat", () =>
    Effect.gen(function*() {
      const directory = yield* Files.tempDirectory
      const sparse = yield* Files.sparseFile(directory, "huge", 1024 * MiB)
      // warm every module on the path first
      yield* configErrorOf({ ...base, OAUTH_PRIVATE_KEY_FILE: Path.join(directory, "missing") })
      const peakRss = () => process.resourceUsage().maxRSS * 1024
      const before = peakRss()
      for (const path of [sparse, "/dev/zero"]) {
        const { text } = yield* configErrorOf({ ...base, OAUTH_PRIVATE_KEY_FILE: path })
        assert.include(text, "OAUTH_PRIVATE_KEY_FILE names ")
        const endpoint = Endpoint.make()
        const service = yield* build({ ...base, OAUTH_CLIENT_ASSERTION_FILE: path }, endpoint)
        const { message } = yield* assertionErrorOf(service, endpoint)
        assert.include(message, "OAUTH_CLIENT_ASSERTION_FILE names ")
      }
      const grown = peakRss() - before
      assert.isBelow(grown, 32 * MiB, `the peak memory grew by ${Math.round(grown / MiB)} MiB`)
    }))
})

describe("OAUTH_PRIVATE_KEY_FILE: a regular file of at most 64 KiB, or a ConfigError naming the variable", () => {
  for (const { make, says, what } of refusals) {
    it.scoped(`${what}: refused at once, showing neither the path nor the contents`, () =>
      Effect.gen(function*() {
        const directory = yield* Files.tempDirectory
        const path = yield* make(directory)
        const { renderings, text } = yield* configErrorOf({
          ...base,
          OAUTH_AUTH_METHOD: "private_key_jwt",
          OAUTH_PRIVATE_KEY_FILE: path
        })
        assert.include(text, `OAUTH_PRIVATE_KEY_FILE ${says}`)
        for (const [how, rendering] of renderings) Leaks.assertNoStart(how, rendering, hiddenOf(path))
      }))
  }

  it.scoped("a prefixed BILLING_PRIVATE_KEY_FILE naming a FIFO: the ConfigError names that variable", () =>
    Effect.gen(function*() {
      const directory = yield* Files.tempDirectory
      const path = yield* Files.fifo(directory, "fifo")
      const { text } = yield* configErrorOf({
        BILLING_TOKEN_URL: Service.tokenUrl,
        BILLING_CLIENT_ID: Service.clientId,
        BILLING_PRIVATE_KEY_FILE: path
      }, "BILLING_")
      assert.include(text, "BILLING_PRIVATE_KEY_FILE names a FIFO, not a regular file")
    }))

  it.scoped("a key file of exactly 64 KiB (a PEM with trailing blank lines) is read", () =>
    Effect.gen(function*() {
      const directory = yield* Files.tempDirectory
      const text = Keys.p256.pem.padEnd(64 * 1024, "\n")
      const path = yield* Files.writeFile(directory, "client.key", text)
      const endpoint = Endpoint.make()
      const service = yield* build({ ...base, OAUTH_PRIVATE_KEY_FILE: path }, endpoint)
      yield* service.get
      assert.strictEqual(endpoint.requests.length, 1)
    }))
})

describe("OAUTH_CLIENT_ASSERTION_FILE: a regular file of at most 64 KiB, or a TokenError ClientAssertion", () => {
  for (const { make, says, what } of refusals) {
    it.scoped(`${what}: refused at the token request, nothing sent, neither path nor contents shown`, () =>
      Effect.gen(function*() {
        const directory = yield* Files.tempDirectory
        const path = yield* make(directory)
        const endpoint = Endpoint.make()
        const service = yield* build({ ...base, OAUTH_CLIENT_ASSERTION_FILE: path }, endpoint)
        const { message, renderings } = yield* assertionErrorOf(service, endpoint)
        assert.include(message, `OAUTH_CLIENT_ASSERTION_FILE ${says}`)
        for (const [how, rendering] of renderings) Leaks.assertNoStart(how, rendering, hiddenOf(path))
      }))
  }

  it.scopedLive(
    "three token requests on a FIFO hold no thread: later file reads, dns.lookup and token requests go on",
    () =>
      Effect.gen(function*() {
        const directory = yield* Files.tempDirectory
        const path = yield* Files.fifo(directory, "token")
        const other = yield* Files.writeFile(directory, "other", "other file")
        const server = yield* Server.start((_, response) =>
          Server.sendJson(response, 200, { access_token: "from-the-server", token_type: "Bearer", expires_in: 3600 })
        )
        const env = { OAUTH_TOKEN_URL: `${server.url}/token`, OAUTH_CLIENT_ID: Service.clientId }
        const withAssertion = yield* Layer.build(
          Layer.provide(
            layerFrom({ ...env, OAUTH_CLIENT_ASSERTION_FILE: path }, { requestTimeout: "300 millis" }),
            FetchHttpClient.layer
          )
        )
        const promptly = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>) =>
          Effect.timeoutFail(effect, { duration: "3 seconds", onTimeout: () => new Error(`${what}: no end in 3 s`) })
        const errors: Array<{ readonly _tag: string; readonly message: string }> = []
        for (let i = 0; i < 3; i++) {
          errors.push(yield* Effect.flip(Context.get(withAssertion, TokenService.TokenService).get))
        }
        assert.strictEqual(
          yield* promptly("fs.promises.readFile", Effect.promise(() => Fs.promises.readFile(other, "utf8"))),
          "other file"
        )
        const address = yield* promptly("dns.lookup", Effect.promise(() => Dns.promises.lookup("localhost")))
        assert.isString(address.address)
        const withSecret = yield* Layer.build(
          Layer.provide(layerFrom({ ...env, OAUTH_CLIENT_SECRET: Service.clientSecret }), FetchHttpClient.layer)
        )
        const token = yield* promptly("a token request", Context.get(withSecret, TokenService.TokenService).get)
        assert.strictEqual(Redacted.value(token.value), "from-the-server")
        assert.strictEqual(server.hits.length, 1, "only the request with a secret was sent")
        for (const error of errors) {
          assert.strictEqual(error._tag, "TokenError")
          assert.include(error.message, "OAUTH_CLIENT_ASSERTION_FILE names a FIFO")
          assert.notInclude(error.message, "timed out")
        }
      }),
    30_000
  )
})

/** Assertions that are not a compact JWS, and what the message says of each. */
const malformed: ReadonlyArray<readonly [string, string, string]> = [
  ["whitespace inside", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJNQUxGT1JNRUQifQ\n.c2lnbmF0dXJl", "it holds whitespace"],
  ["two parts", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJNQUxGT1JNRUQifQ", "it has 2 parts separated by dots, not 3"],
  [
    "padded base64 (not base64url)",
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJNQUxGT1JNRUQifQ==.c2lnbmF0dXJl",
    "its payload holds a character outside base64url"
  ],
  ["an empty signature", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJNQUxGT1JNRUQifQ.", "its signature is empty"]
]

/** What no printing may hold: any run of the assertion, wherever it starts. */
const hiddenAssertion = (assertion: string) => Keys.piecesOf("the assertion", assertion.replace(/\s/g, ""))

describe("an assertion that is not a compact JWS: TokenError ClientAssertion, nothing sent, nothing quoted", () => {
  for (const [what, assertion, says] of malformed) {
    it.scoped(`from OAUTH_CLIENT_ASSERTION_FILE: ${what}`, () =>
      Effect.gen(function*() {
        const directory = yield* Files.tempDirectory
        const path = yield* Files.writeFile(directory, "token", `${assertion}\n`)
        const endpoint = Endpoint.make()
        const service = yield* build({ ...base, OAUTH_CLIENT_ASSERTION_FILE: path }, endpoint)
        const { message, renderings } = yield* assertionErrorOf(service, endpoint)
        assert.include(message, "OAUTH_CLIENT_ASSERTION_FILE names a file that holds no compact JWS")
        assert.include(message, says)
        for (const [how, rendering] of renderings) Leaks.assertNoStart(how, rendering, hiddenAssertion(assertion))
      }))

    it.scoped(`from a clientAssertion effect: ${what}`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const service = yield* TokenService.make({
          tokenUrl: Service.tokenUrl,
          clientId: Service.clientId,
          authMethod: "private_key_jwt",
          clientAssertion: Effect.succeed(Redacted.make(assertion))
        }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
        const { message, renderings } = yield* assertionErrorOf(service, endpoint)
        assert.include(message, "the clientAssertion effect gave an assertion that is no compact JWS")
        assert.include(message, says)
        for (const [how, rendering] of renderings) Leaks.assertNoStart(how, rendering, hiddenAssertion(assertion))
      }))
  }

  it.scoped("a compact JWS from a file, its trailing newline trimmed, is sent as it is", () =>
    Effect.gen(function*() {
      const assertion = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQtMSJ9.c2ln-bmF0_dXJl"
      const directory = yield* Files.tempDirectory
      const path = yield* Files.writeFile(directory, "token", `${assertion}\n`)
      const endpoint = Endpoint.make()
      const service = yield* build({ ...base, OAUTH_CLIENT_ASSERTION_FILE: path }, endpoint)
      yield* service.get
      assert.strictEqual(endpoint.requests[0]!.form.get("client_assertion"), assertion)
    }))
})
