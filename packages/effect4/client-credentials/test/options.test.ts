/**
 * The `OAUTH_*` variables read as an Effect 4 `Config` (`docs/configuration.md#environment-variables`): what they
 * make, and where their errors say the problem is — a `ConfigError` whose `SchemaError` is at the variable to blame
 * (or the option, for options given in code; at no path for a problem about no one option), with the same words as
 * the Effect 3 line, never a value.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as options_ from "../src/internal/options.js"
import type * as TokenService from "../src/TokenService.js"

const base = {
  OAUTH_TOKEN_URL: "https://login.example.com/oauth2/token",
  OAUTH_CLIENT_ID: "client-1",
  OAUTH_CLIENT_SECRET: "s3cr3t-VALUE"
}

/** What `config` reads from `env`. */
const read = <A>(config: Config.Config<A>, env: Record<string, string>) =>
  Effect.exit(config.parse(ConfigProvider.fromEnv({ env })))

/** The `ConfigError` `config` fails with on `env`, as `String` prints it. */
const errorOf = <A>(config: Config.Config<A>, env: Record<string, string>) =>
  Effect.map(read(config, env), (exit) => {
    assert.isTrue(Exit.isFailure(exit), "the config is not read")
    const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
    assert.strictEqual(error?._tag, "Fail")
    const configError = error?._tag === "Fail" ? error.error : undefined
    assert.instanceOf(configError, Config.ConfigError)
    return String(configError)
  })

describe("fromEnv: what the variables make", () => {
  it.effect("a token URL, a client id and a secret: client_secret_basic, the secret Redacted", () =>
    Effect.gen(function*() {
      const exit = yield* read(options_.fromEnv, { ...base, OAUTH_SCOPE: " read  write ", OAUTH_AUDIENCE: "api" })
      assert.isTrue(Exit.isSuccess(exit))
      const options = Exit.isSuccess(exit) ? exit.value as unknown as Record<string, unknown> : {}
      assert.strictEqual(options.tokenUrl, base.OAUTH_TOKEN_URL)
      assert.strictEqual(options.clientId, "client-1")
      assert.deepStrictEqual(options.scopes, ["read", "write"])
      assert.strictEqual(options.audience, "api")
      assert.isTrue(Redacted.isRedacted(options.clientSecret))
      assert.strictEqual(Redacted.value(options.clientSecret as Redacted.Redacted<string>), base.OAUTH_CLIENT_SECRET)
      assert.isUndefined(options.authMethod)
    }))

  it.effect("an issuer instead of a token URL; a prefix reads its own variables", () =>
    Effect.gen(function*() {
      const exit = yield* read(options_.fromEnvWithPrefix("BILLING_"), {
        BILLING_ISSUER: "https://login.example.com/tenant",
        BILLING_CLIENT_ID: "billing",
        BILLING_CLIENT_SECRET: "x",
        BILLING_AUTH_METHOD: "client_secret_post"
      })
      assert.isTrue(Exit.isSuccess(exit))
      const options = Exit.isSuccess(exit) ? exit.value as unknown as Record<string, unknown> : {}
      assert.strictEqual(options.issuer, "https://login.example.com/tenant")
      assert.strictEqual(options.authMethod, "client_secret_post")
      assert.strictEqual(options.clientId, "billing")
    }))

  it.effect("a key with OAUTH_CERTIFICATE_FILE (its text, trimmed) and OAUTH_SEND_CERTIFICATE_CHAIN", () =>
    Effect.gen(function*() {
      const directory = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth2-"))
      try {
        const certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
        const path = Path.join(directory, "client.pem")
        Fs.writeFileSync(path, `\n${certificate}\n\n`)
        const { OAUTH_CLIENT_SECRET: _, ...noSecret } = base
        const env = { ...noSecret, OAUTH_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----", OAUTH_CERTIFICATE_FILE: path }
        for (const [send, expected] of [[undefined, undefined], ["true", true], ["false", false]] as const) {
          const exit = yield* read(
            options_.fromEnv,
            send === undefined ? env : { ...env, OAUTH_SEND_CERTIFICATE_CHAIN: send }
          )
          assert.isTrue(Exit.isSuccess(exit), String(send))
          const options = Exit.isSuccess(exit) ? exit.value as unknown as Record<string, unknown> : {}
          assert.strictEqual(options.authMethod, "private_key_jwt")
          assert.strictEqual(options.certificate, certificate)
          assert.strictEqual(options.sendCertificateChain, expected)
        }
        assert.include(
          yield* errorOf(options_.fromEnv, { ...env, OAUTH_SEND_CERTIFICATE_CHAIN: "yes" }),
          "at [\"OAUTH_SEND_CERTIFICATE_CHAIN\"]"
        )
        assert.strictEqual(
          yield* errorOf(options_.fromEnv, { ...base, OAUTH_CERTIFICATE_FILE: path }),
          "ConfigError(SchemaError(OAUTH_CERTIFICATE_FILE goes with a private key (OAUTH_PRIVATE_KEY or " +
            "OAUTH_PRIVATE_KEY_FILE) of private_key_jwt\n  at [\"OAUTH_CERTIFICATE_FILE\"]))"
        )
      } finally {
        Fs.rmSync(directory, { recursive: true, force: true })
      }
    }))
})

describe("fromEnv: DPoP", () => {
  it.effect("OAUTH_DPOP=true; OAUTH_DPOP_PRIVATE_KEY (Redacted) and OAUTH_DPOP_SIGNING_ALGORITHM; OAUTH_DPOP=false", () =>
    Effect.gen(function*() {
      const dpopOf = (exit: Exit.Exit<TokenService.Options, unknown>) =>
        Exit.isSuccess(exit) ? (exit.value as unknown as Record<string, unknown>).dpop : "failed"
      assert.strictEqual(dpopOf(yield* read(options_.fromEnv, { ...base, OAUTH_DPOP: "true" })), true)
      assert.isUndefined(dpopOf(yield* read(options_.fromEnv, { ...base, OAUTH_DPOP: "false" })))
      assert.isUndefined(dpopOf(yield* read(options_.fromEnv, base)))
      const given = dpopOf(
        yield* read(options_.fromEnv, {
          ...base,
          OAUTH_DPOP_PRIVATE_KEY: "{\"kty\":\"EC\"}",
          OAUTH_DPOP_SIGNING_ALGORITHM: "ES256"
        })
      ) as { readonly privateKey: Redacted.Redacted<string>; readonly signingAlgorithm: string }
      assert.isTrue(Redacted.isRedacted(given.privateKey))
      assert.strictEqual(Redacted.value(given.privateKey), "{\"kty\":\"EC\"}")
      assert.strictEqual(given.signingAlgorithm, "ES256")
    }))

  it.effect("a DPoP key with OAUTH_DPOP=false: at OAUTH_DPOP, without the key", () =>
    Effect.gen(function*() {
      const text = yield* errorOf(options_.fromEnv, {
        ...base,
        OAUTH_DPOP: "false",
        OAUTH_DPOP_PRIVATE_KEY: "KEY-VERY-SECRET"
      })
      assert.include(text, "OAUTH_DPOP")
      assert.notInclude(text, "VERY-SECRET")
    }))

  it.effect("a problem with the DPoP key: at the variable it came from", () =>
    Effect.gen(function*() {
      const exit = yield* read(options_.fromEnv, { ...base, OAUTH_DPOP_PRIVATE_KEY: "not a key" })
      const options = Exit.isSuccess(exit) ? exit.value : ({} as TokenService.Options)
      const problem = "dpop.privateKey: the DPoP private key is neither a JWK in JSON nor a PKCS#8 PEM"
      assert.include(String(options_.invalidOptions(options, problem)), "at [\"OAUTH_DPOP_PRIVATE_KEY\"]")
    }))
})

describe("fromEnv: errors at the variable", () => {
  it.effect("both endpoints: invalid data at the issuer's variable", () =>
    Effect.gen(function*() {
      const text = yield* errorOf(options_.fromEnv, { ...base, OAUTH_ISSUER: "https://login.example.com" })
      assert.strictEqual(
        text,
        "ConfigError(SchemaError(set OAUTH_TOKEN_URL or OAUTH_ISSUER, not both\n  at [\"OAUTH_ISSUER\"]))"
      )
    }))

  it.effect("no endpoint, no secret: missing data at the variable, in Effect 3's words", () =>
    Effect.gen(function*() {
      const { OAUTH_TOKEN_URL: _, ...noEndpoint } = base
      assert.strictEqual(
        yield* errorOf(options_.fromEnv, noEndpoint),
        "ConfigError(SchemaError(Expected OAUTH_TOKEN_URL or OAUTH_ISSUER to exist\n  at [\"OAUTH_TOKEN_URL\"]))"
      )
      const { OAUTH_CLIENT_SECRET: __, ...noSecret } = base
      assert.strictEqual(
        yield* errorOf(options_.fromEnv, noSecret),
        "ConfigError(SchemaError(Expected OAUTH_CLIENT_SECRET to exist in the process context\n" +
          "  at [\"OAUTH_CLIENT_SECRET\"]))"
      )
    }))

  it.effect("an unknown auth method: at its variable, without the value", () =>
    Effect.gen(function*() {
      const text = yield* errorOf(options_.fromEnv, { ...base, OAUTH_AUTH_METHOD: "client_secret_X" })
      assert.include(text, "at [\"OAUTH_AUTH_METHOD\"]")
    }))

  it.effect("a private key file that is a directory: at the file's variable, naming neither path nor contents", () =>
    Effect.gen(function*() {
      const directory = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth2-SECRETDIR-"))
      try {
        const { OAUTH_CLIENT_SECRET: _, ...noSecret } = base
        const text = yield* errorOf(options_.fromEnv, {
          ...noSecret,
          OAUTH_AUTH_METHOD: "private_key_jwt",
          OAUTH_PRIVATE_KEY_FILE: directory
        })
        assert.strictEqual(
          text,
          "ConfigError(SchemaError(OAUTH_PRIVATE_KEY_FILE names a directory, not a regular file\n" +
            "  at [\"OAUTH_PRIVATE_KEY_FILE\"]))"
        )
      } finally {
        Fs.rmSync(directory, { recursive: true, force: true })
      }
    }))

  it.effect("a private key given and an assertion file too: at the assertion file's variable", () =>
    Effect.gen(function*() {
      const { OAUTH_CLIENT_SECRET: _, ...noSecret } = base
      const text = yield* errorOf(options_.fromEnv, {
        ...noSecret,
        OAUTH_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----",
        OAUTH_CLIENT_ASSERTION_FILE: "/var/run/secrets/token"
      })
      assert.strictEqual(
        text,
        "ConfigError(SchemaError(set a private key (OAUTH_PRIVATE_KEY or OAUTH_PRIVATE_KEY_FILE) or " +
          "OAUTH_CLIENT_ASSERTION_FILE, not both\n  at [\"OAUTH_CLIENT_ASSERTION_FILE\"]))"
      )
      assert.notInclude(text, "BEGIN")
    }))
})

describe("invalidOptions: where a problem found in the options is", () => {
  it.effect("options read from the variables: at the variable the option came from", () =>
    Effect.gen(function*() {
      const exit = yield* read(options_.fromEnvWithPrefix("BILLING_"), {
        BILLING_TOKEN_URL: "not a url",
        BILLING_CLIENT_ID: "billing",
        BILLING_CLIENT_SECRET: "x"
      })
      assert.isTrue(Exit.isSuccess(exit))
      const options = Exit.isSuccess(exit) ? exit.value : ({} as TokenService.Options)
      const problem = Result.match(options_.resolve(options), { onFailure: (p) => p, onSuccess: () => "" })
      assert.strictEqual(problem, "tokenUrl is not a URL")
      assert.strictEqual(
        String(options_.invalidOptions(options, problem)),
        "ConfigError(SchemaError(TokenService: tokenUrl is not a URL\n  at [\"BILLING_TOKEN_URL\"]))"
      )
    }))

  it("options given in code: at the option's name; a problem about no one option, its message alone", () => {
    assert.strictEqual(
      String(options_.invalidOptions({}, "tokenUrl is not a URL")),
      "ConfigError(SchemaError(TokenService: tokenUrl is not a URL\n  at [\"tokenUrl\"]))"
    )
    assert.strictEqual(
      String(options_.invalidOptions({}, "set tokenUrl or issuer, not both")),
      "ConfigError(SchemaError(TokenService: set tokenUrl or issuer, not both))"
    )
  })
})

describe("resolve", () => {
  it("fills in the defaults as this line's durations and schedule", () => {
    const resolved = options_.resolve({
      tokenUrl: base.OAUTH_TOKEN_URL,
      clientId: "client-1",
      clientSecret: Redacted.make("s"),
      requestTimeout: "2 seconds"
    })
    assert.isTrue(Result.isSuccess(resolved))
    if (Result.isSuccess(resolved)) {
      assert.strictEqual(Duration.toMillis(resolved.success.requestTimeout), 2_000)
      assert.strictEqual(Duration.toMillis(resolved.success.expiryLeeway), 60_000)
      assert.strictEqual(resolved.success.credentials._tag, "Secret")
    }
  })

  it("a duration that is none: named, the value not shown", () => {
    const resolved = options_.resolve({
      tokenUrl: base.OAUTH_TOKEN_URL,
      clientId: "client-1",
      clientSecret: Redacted.make("s"),
      requestTimeout: "soon-SECRET" as Duration.Input
    })
    assert.isTrue(Result.isFailure(resolved))
    if (Result.isFailure(resolved)) {
      assert.include(resolved.failure, "requestTimeout")
      assert.notInclude(resolved.failure, "SECRET")
    }
  })
})
