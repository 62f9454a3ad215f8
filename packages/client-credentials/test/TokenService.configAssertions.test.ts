/**
 * Signed client authentication from the environment (`docs/configuration.md#environment-variables`,
 * `docs/configuration.md#client-authentication`), through `ConfigProvider.fromMap`: `private_key_jwt` with
 * `OAUTH_PRIVATE_KEY` or `OAUTH_PRIVATE_KEY_FILE`, `OAUTH_KEY_ID` and `OAUTH_SIGNING_ALGORITHM`, the key's certificate
 * from `OAUTH_CERTIFICATE_FILE` with `OAUTH_SEND_CERTIFICATE_CHAIN`; an assertion from
 * `OAUTH_CLIENT_ASSERTION_FILE`, read again for every token request; `client_secret_jwt`; and the `ConfigError`s:
 * `OAUTH_TOKEN_URL` with `OAUTH_ISSUER`, a key file that cannot be read, a key that is not one — none of which shows
 * the key.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as Certificates from "@effect-oauth2/suites/fixtures/Certificates"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Jose from "jose"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Keys from "./utils/keys.js"
import * as Leaks from "./utils/leaks.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const now = Date.UTC(2026, 0, 15, 9, 30, 0, 250)

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

const base = { OAUTH_TOKEN_URL: Service.tokenUrl, OAUTH_CLIENT_ID: Service.clientId }

/** `layerConfig()` reading `env`, on the scripted endpoint. */
const fromEnvironment = (env: Record<string, string>, endpoint: Endpoint.ScriptedEndpoint) =>
  Layer.provide(TokenService.layerConfig(), endpoint.layer).pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
  )

/** Builds `env`'s layer in the current scope and returns the service. */
const build = (env: Record<string, string>, endpoint: Endpoint.ScriptedEndpoint) =>
  Effect.map(Layer.build(fromEnvironment(env, endpoint)), Context.get(TokenService.TokenService))

/** The build's failure: a `ConfigError`, with every printing of it. */
const configErrorOf = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const endpoint = Endpoint.make()
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(fromEnvironment(env, endpoint))))
    assert.isTrue(Exit.isFailure(exit), "the layer is not built")
    const cause = (exit as Exit.Failure<unknown, unknown>).cause
    const error = Option.getOrUndefined(Cause.failureOption(cause))
    assert.isTrue(ConfigError.isConfigError(error), `a ConfigError, not ${Cause.pretty(cause).slice(0, 200)}`)
    assert.strictEqual(endpoint.requests.length, 0)
    return { text: String(error), renderings: Leaks.renderings(error, cause) }
  })

/** A directory of its own, removed with everything in it when the scope closes. */
const tempDirectory = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth2-"))),
  (directory) => Effect.sync(() => Fs.rmSync(directory, { recursive: true, force: true }))
)

/** Writes `text` to `name` in `directory` (owner-only, as a key file is), returning its path. */
const writeFile = (directory: string, name: string, text: string) =>
  Effect.sync(() => {
    const path = Path.join(directory, name)
    Fs.writeFileSync(path, text, { mode: 0o600 })
    return path
  })

const assertionOf = (request: Endpoint.RecordedRequest): string => {
  assert.strictEqual(request.form.get("client_assertion_type"), jwtBearer)
  assert.strictEqual(request.form.get("client_id"), Service.clientId)
  assert.isFalse(request.form.has("client_secret"))
  assert.isUndefined(request.headers["authorization"])
  return request.form.get("client_assertion")!
}

const verifyWith = (jwt: string, key: Jose.CryptoKey | Uint8Array, algorithm: string) =>
  Effect.promise(() =>
    Jose.jwtVerify(jwt, key, {
      algorithms: [algorithm],
      currentDate: new Date(now),
      issuer: Service.clientId,
      subject: Service.clientId,
      audience: Service.tokenUrl
    })
  )

describe("layerConfig: private_key_jwt", () => {
  it.scoped("OAUTH_PRIVATE_KEY holds the PEM: signs RS256, verified by the public key", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const service = yield* build(
        { ...base, OAUTH_AUTH_METHOD: "private_key_jwt", OAUTH_PRIVATE_KEY: Keys.rsa.pem },
        endpoint
      )
      yield* service.get
      const assertion = assertionOf(endpoint.requests[0]!)
      const { protectedHeader } = yield* verifyWith(
        assertion,
        yield* Effect.promise(() => Keys.verifierOf(Keys.rsa, "RS256")),
        "RS256"
      )
      assert.strictEqual(protectedHeader.alg, "RS256")
      assert.isUndefined(protectedHeader.kid)
    }))

  it.scoped("OAUTH_PRIVATE_KEY holds a JWK", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const service = yield* build(
        { ...base, OAUTH_AUTH_METHOD: "private_key_jwt", OAUTH_PRIVATE_KEY: Keys.p256.jwkJson },
        endpoint
      )
      yield* service.get
      const key = yield* Effect.promise(() => Keys.verifierOf(Keys.p256, "ES256"))
      yield* verifyWith(assertionOf(endpoint.requests[0]!), key, "ES256")
    }))

  it.scoped("OAUTH_PRIVATE_KEY_FILE names a file that holds the PEM", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const directory = yield* tempDirectory
      const path = yield* writeFile(directory, "client.key", Keys.p256.pem)
      const endpoint = Endpoint.make()
      const service = yield* build(
        { ...base, OAUTH_AUTH_METHOD: "private_key_jwt", OAUTH_PRIVATE_KEY_FILE: path },
        endpoint
      )
      yield* service.get
      const assertion = assertionOf(endpoint.requests[0]!)
      const key = yield* Effect.promise(() => Keys.verifierOf(Keys.p256, "ES256"))
      const { protectedHeader } = yield* verifyWith(assertion, key, "ES256")
      assert.strictEqual(protectedHeader.alg, "ES256")
    }))

  it.scoped("OAUTH_KEY_ID is the kid header and OAUTH_SIGNING_ALGORITHM the algorithm", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const directory = yield* tempDirectory
      const path = yield* writeFile(directory, "client.key", Keys.rsa.pem)
      const endpoint = Endpoint.make()
      const service = yield* build({
        ...base,
        OAUTH_AUTH_METHOD: "private_key_jwt",
        OAUTH_PRIVATE_KEY_FILE: path,
        OAUTH_KEY_ID: "kid-2026",
        OAUTH_SIGNING_ALGORITHM: "PS256"
      }, endpoint)
      yield* service.get
      const key = yield* Effect.promise(() => Keys.verifierOf(Keys.rsa, "PS256"))
      const { protectedHeader } = yield* verifyWith(assertionOf(endpoint.requests[0]!), key, "PS256")
      assert.strictEqual(protectedHeader.alg, "PS256")
      assert.strictEqual(protectedHeader.kid, "kid-2026")
    }))

  it.scoped("OAUTH_CLIENT_ASSERTION_FILE is read again for every token request", () =>
    Effect.gen(function*() {
      const directory = yield* tempDirectory
      const path = yield* writeFile(directory, "token", "projected.assertion.one\n")
      const endpoint = Endpoint.make()
      const service = yield* build(
        { ...base, OAUTH_AUTH_METHOD: "private_key_jwt", OAUTH_CLIENT_ASSERTION_FILE: path },
        endpoint
      )
      assert.strictEqual(endpoint.requests.length, 0)
      yield* service.get
      // the kubelet rotates the projected token
      yield* writeFile(directory, "token", "projected.assertion.two\n")
      yield* TestClock.adjust("2 hours")
      yield* service.get
      assert.deepStrictEqual(endpoint.requests.map(assertionOf), ["projected.assertion.one", "projected.assertion.two"])
    }))

  it.scoped("an assertion file that is gone at a token request: TokenError ClientAssertion, not the path", () =>
    Effect.gen(function*() {
      const directory = yield* tempDirectory
      const path = yield* writeFile(directory, "token-SECRETNAME", "projected.assertion.one")
      const endpoint = Endpoint.make()
      const service = yield* build(
        { ...base, OAUTH_AUTH_METHOD: "private_key_jwt", OAUTH_CLIENT_ASSERTION_FILE: path },
        endpoint
      )
      yield* Effect.sync(() => Fs.rmSync(path))
      const error = yield* Effect.flip(service.get)
      assert.strictEqual(error._tag, "TokenError")
      assert.strictEqual((error as { reason?: string }).reason, "ClientAssertion")
      assert.notInclude(error.message, "SECRETNAME")
      assert.strictEqual(endpoint.requests.length, 0)
    }))

  it.effect("OAUTH_PRIVATE_KEY_FILE that cannot be read: a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      for (const path of ["/nonexistent/effect-oauth2/client.key", Os.tmpdir()]) {
        const { text } = yield* configErrorOf({
          ...base,
          OAUTH_AUTH_METHOD: "private_key_jwt",
          OAUTH_PRIVATE_KEY_FILE: path
        })
        assert.include(text, "OAUTH_PRIVATE_KEY_FILE")
      }
    }))

  it.scoped("OAUTH_PRIVATE_KEY_FILE that holds no usable key: a ConfigError that shows none of the file", () =>
    Effect.gen(function*() {
      const directory = yield* tempDirectory
      for (
        const [name, text] of [["pkcs1.pem", Keys.rsaPkcs1Pem], ["public.json", JSON.stringify(Keys.rsa.publicJwk)]]
      ) {
        const path = yield* writeFile(directory, name!, text!)
        const { renderings } = yield* configErrorOf({
          ...base,
          OAUTH_AUTH_METHOD: "private_key_jwt",
          OAUTH_PRIVATE_KEY_FILE: path
        })
        const hidden = {
          ...Keys.partsOf(Keys.rsa, Keys.rsaPkcs1Pem),
          ...Keys.piecesOf("the modulus", Keys.rsa.publicJwk.n!)
        }
        for (const [how, rendering] of renderings) Leaks.assertNoStart(how, rendering, hidden)
      }
    }))

  it.effect("OAUTH_PRIVATE_KEY that holds no usable key: a ConfigError that shows none of it", () =>
    Effect.gen(function*() {
      const { renderings, text } = yield* configErrorOf({
        ...base,
        OAUTH_AUTH_METHOD: "private_key_jwt",
        OAUTH_PRIVATE_KEY: Keys.rsaPkcs1Pem
      })
      assert.include(text, "privateKey")
      const hidden = Keys.partsOf(Keys.rsa, Keys.rsaPkcs1Pem)
      for (const [how, rendering] of renderings) Leaks.assertNoStart(how, rendering, hidden)
    }))

  /**
   * A key found wrong only when it is imported fails `layerConfig` with a `ConfigError`, as a key found wrong before
   * the import (PKCS#1, a public JWK) does (it once killed the layer: these cases failed then).
   */
  const importedKeys: ReadonlyArray<readonly [string, Record<string, string>, Keys.TestKey]> = [
    ["an EC key with OAUTH_SIGNING_ALGORITHM=RS256", {
      OAUTH_PRIVATE_KEY: Keys.p256.pem,
      OAUTH_SIGNING_ALGORITHM: "RS256"
    }, Keys.p256],
    ["an EC P-384 key", { OAUTH_PRIVATE_KEY: Keys.p384.pem }, Keys.p384],
    ["a damaged PEM", { OAUTH_PRIVATE_KEY: Keys.rsa.pem.replace(Keys.rsa.pemLines[2]!, "*".repeat(64)) }, Keys.rsa]
  ]
  for (const [what, env, key] of importedKeys) {
    it.effect(`${what}: a ConfigError naming the option, showing none of the key`, () =>
      Effect.gen(function*() {
        const { renderings, text } = yield* configErrorOf({ ...base, OAUTH_AUTH_METHOD: "private_key_jwt", ...env })
        assert.include(text, "privateKey")
        for (const [how, rendering] of renderings) Leaks.assertNoStart(how, rendering, Keys.partsOf(key))
      }))
  }

  it.scoped("a key and no secret, without OAUTH_AUTH_METHOD: private_key_jwt", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const service = yield* build({ ...base, OAUTH_PRIVATE_KEY: Keys.p256.pem }, endpoint)
      yield* service.get
      assert.strictEqual(endpoint.requests[0]!.form.get("client_assertion_type"), jwtBearer)
      assert.isNull(endpoint.requests[0]!.form.get("client_secret"))
    }))

  it.effect("a key and OAUTH_CLIENT_ASSERTION_FILE both: a ConfigError, not one chosen silently", () =>
    Effect.gen(function*() {
      const { text } = yield* configErrorOf({
        ...base,
        OAUTH_AUTH_METHOD: "private_key_jwt",
        OAUTH_PRIVATE_KEY: Keys.p256.pem,
        OAUTH_CLIENT_ASSERTION_FILE: "/var/run/secrets/tokens/oauth-token"
      })
      assert.include(text, "not both")
      Leaks.assertNoStart("the ConfigError", text, Keys.partsOf(Keys.p256))
    }))

  it.effect("private_key_jwt with no key and no assertion file: a ConfigError", () =>
    Effect.gen(function*() {
      const { text } = yield* configErrorOf({ ...base, OAUTH_AUTH_METHOD: "private_key_jwt" })
      assert.include(text, "OAUTH_PRIVATE_KEY")
    }))
})

describe("layerConfig: private_key_jwt with a certificate", () => {
  const client = Certificates.client("rsa")
  const stranger = Certificates.client("rsa")
  /** What no printing may hold: no run of 15 characters of the key or of a certificate. */
  const hidden = {
    ...Keys.piecesOf("the private key", Keys.pemLinesOf(client.privateKeyPem).join("")),
    ...Keys.piecesOf("the certificate", client.certificate.base64),
    ...Keys.piecesOf("another key's certificate", stranger.certificate.base64)
  }

  it.scoped("OAUTH_CERTIFICATE_FILE names the certificate (x5t#S256); OAUTH_SEND_CERTIFICATE_CHAIN=true sends x5c", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const directory = yield* tempDirectory
      const keyFile = yield* writeFile(directory, "client.key", client.privateKeyPem)
      const certificateFile = yield* writeFile(directory, "client.pem", `${client.chain}\n`)
      const env = {
        ...base,
        OAUTH_PRIVATE_KEY_FILE: keyFile,
        OAUTH_CERTIFICATE_FILE: certificateFile,
        OAUTH_SIGNING_ALGORITHM: "PS256"
      }
      for (
        const [send, x5c] of [
          [undefined, undefined],
          ["false", undefined],
          ["true", [client.certificate.base64, client.authority.base64]]
        ] as const
      ) {
        const endpoint = Endpoint.make()
        const service = yield* build(
          send === undefined ? env : { ...env, OAUTH_SEND_CERTIFICATE_CHAIN: send },
          endpoint
        )
        yield* service.get
        const key = yield* Effect.promise(() => Jose.importX509(client.certificate.pem, "PS256"))
        const { protectedHeader } = yield* verifyWith(assertionOf(endpoint.requests[0]!), key, "PS256")
        assert.strictEqual(protectedHeader["x5t#S256"], client.certificate.thumbprint, String(send))
        assert.deepStrictEqual(protectedHeader.x5c, x5c === undefined ? undefined : [...x5c], String(send))
      }
    }))

  it.scoped("OAUTH_CERTIFICATE_FILE that holds no PEM certificate, or another key's: a ConfigError showing neither", () =>
    Effect.gen(function*() {
      const directory = yield* tempDirectory
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        ["damaged.pem", client.certificate.pem.replace(/\n(.{12})/, "\nAAAAAAAAAAAA"), "OAUTH_CERTIFICATE_FILE"],
        ["key.pem", client.privateKeyPem, "OAUTH_CERTIFICATE_FILE"],
        ["stranger.pem", stranger.certificate.pem, "privateKey does not match certificate"]
      ]
      for (const [name, text, says] of cases) {
        const { renderings, text: error } = yield* configErrorOf({
          ...base,
          OAUTH_PRIVATE_KEY: client.privateKeyPem,
          OAUTH_CERTIFICATE_FILE: yield* writeFile(directory, name, text)
        })
        assert.include(error, says, name)
        assert.include(error, "certificate", name)
        for (const [how, rendering] of renderings) {
          Leaks.assertNoStart(`${name}: ${how}`, rendering, {
            ...hidden,
            ...Keys.piecesOf("the file", Keys.pemLinesOf(text).join(""))
          })
        }
      }
    }))

  it.scoped("OAUTH_CERTIFICATE_FILE that cannot be read, or with no key: a ConfigError naming it", () =>
    Effect.gen(function*() {
      const directory = yield* tempDirectory
      const certificateFile = yield* writeFile(directory, "client.pem", client.certificate.pem)
      const unread = yield* configErrorOf({
        ...base,
        OAUTH_PRIVATE_KEY: client.privateKeyPem,
        OAUTH_CERTIFICATE_FILE: Os.tmpdir()
      })
      assert.include(unread.text, "OAUTH_CERTIFICATE_FILE names a directory")
      const withSecret = yield* configErrorOf({
        ...base,
        OAUTH_CLIENT_SECRET: "s",
        OAUTH_CERTIFICATE_FILE: certificateFile
      })
      assert.include(
        withSecret.text,
        "OAUTH_CERTIFICATE_FILE goes with a private key (OAUTH_PRIVATE_KEY or OAUTH_PRIVATE_KEY_FILE) of private_key_jwt"
      )
      const yes = yield* configErrorOf({
        ...base,
        OAUTH_PRIVATE_KEY: client.privateKeyPem,
        OAUTH_CERTIFICATE_FILE: certificateFile,
        OAUTH_SEND_CERTIFICATE_CHAIN: "yes"
      })
      assert.include(yes.text, "OAUTH_SEND_CERTIFICATE_CHAIN")
      for (const { renderings } of [unread, withSecret, yes]) {
        for (const [how, rendering] of renderings) Leaks.assertNoStart(how, rendering, hidden)
      }
    }))
})

describe("layerConfig: client_secret_jwt and the endpoint", () => {
  it.scoped("client_secret_jwt signs HS256 over OAUTH_CLIENT_SECRET and sends no secret", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const service = yield* build({
        ...base,
        OAUTH_AUTH_METHOD: "client_secret_jwt",
        OAUTH_CLIENT_SECRET: Service.clientSecret
      }, endpoint)
      yield* service.get
      const request = endpoint.requests[0]!
      assert.notInclude(request.body, Leaks.formEncode(Service.clientSecret))
      const { protectedHeader } = yield* verifyWith(
        assertionOf(request),
        new TextEncoder().encode(Service.clientSecret),
        "HS256"
      )
      assert.strictEqual(protectedHeader.alg, "HS256")
    }))

  it.effect("client_secret_jwt without OAUTH_CLIENT_SECRET: a ConfigError naming it", () =>
    Effect.gen(function*() {
      const { text } = yield* configErrorOf({ ...base, OAUTH_AUTH_METHOD: "client_secret_jwt" })
      assert.include(text, "OAUTH_CLIENT_SECRET")
    }))

  it.effect("OAUTH_TOKEN_URL and OAUTH_ISSUER both set: a ConfigError", () =>
    Effect.gen(function*() {
      const { text } = yield* configErrorOf({
        ...base,
        OAUTH_ISSUER: "https://idp.example.com",
        OAUTH_CLIENT_SECRET: Service.clientSecret
      })
      assert.include(text, "OAUTH_ISSUER")
    }))

  it.effect("neither OAUTH_TOKEN_URL nor OAUTH_ISSUER: a ConfigError", () =>
    Effect.gen(function*() {
      const { text } = yield* configErrorOf({ OAUTH_CLIENT_ID: Service.clientId, OAUTH_CLIENT_SECRET: "x" })
      assert.include(text, "OAUTH_TOKEN_URL")
    }))

  it.effect("an http OAUTH_ISSUER on a non-loopback host: a ConfigError naming the origin, not the path", () =>
    Effect.gen(function*() {
      const { renderings, text } = yield* configErrorOf({
        OAUTH_ISSUER: "http://idp.example.com/tenant-SECRETPATH",
        OAUTH_CLIENT_ID: Service.clientId,
        OAUTH_CLIENT_SECRET: Service.clientSecret
      })
      assert.include(text, "issuer")
      assert.include(text, "http://idp.example.com")
      for (const [how, rendering] of renderings) Leaks.assertNoStart(how, rendering, { path: "tenant-SECRETPATH" })
    }))

  it.scoped("OAUTH_ISSUER alone builds", () =>
    Effect.gen(function*() {
      yield* build({
        OAUTH_ISSUER: "https://idp.example.com/tenant",
        OAUTH_CLIENT_ID: Service.clientId,
        OAUTH_AUTH_METHOD: "private_key_jwt",
        OAUTH_PRIVATE_KEY: Keys.ed25519.pem
      }, Endpoint.make())
    }))
})
