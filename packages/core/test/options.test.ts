/**
 * `TokenService`'s options without an Effect line (`docs/configuration.md`): the defaults, every check's text and
 * boundary, the order the checks run in, the option a problem names, and the variables of the environment and what
 * they make. A line's reader is played by plain values: a duration is a number of millis or `{ ms }`, a retry
 * schedule `{ schedule: true }`, credentials checked by a stub that records what it was given.
 */
import { assert, describe, it } from "vitest"
import type { Checked } from "../src/checked.js"
import { invalid, valid } from "../src/checked.js"
import * as Options from "../src/options.js"

const problemOf = (checked: Checked<unknown>): string | undefined =>
  checked._tag === "Invalid" ? checked.problem : undefined

const valueOf = <A>(checked: Checked<A>): A => {
  if (checked._tag === "Invalid") throw new Error(`expected a value, got: ${checked.problem}`)
  return checked.value
}

/** The credentials check's calls, and its answer. */
const calls: Array<{ readonly options: Options.Input; readonly hasIssuer: boolean }> = []

const reader = (credentials: Checked<string> = valid("the credentials")): Options.Reader<string> => ({
  millis: (value) =>
    typeof value === "number"
      ? value
      : typeof value === "object" && value !== null && "ms" in value
      ? (value as { ms: number }).ms
      : undefined,
  isRetry: (value) => typeof value === "object" && value !== null && "schedule" in value,
  credentials: (options, hasIssuer) => {
    calls.push({ options, hasIssuer })
    return credentials
  }
})

const base = { tokenUrl: "https://auth.example.com/token", clientId: "billing" }

const resolve = (options: Options.Input, credentials?: Checked<string>) =>
  Options.resolve<string, { schedule: true }>(options, reader(credentials))

const problem = (options: Options.Input, credentials?: Checked<string>) => problemOf(resolve(options, credentials))

describe("options: defaults", () => {
  it("are, in millis: leeway 60 s, lifetime 5 min, timeout 30 s, cool-down 5 s, store 250 ms, lease 10 s", () => {
    assert.deepStrictEqual(Options.defaults, {
      expiryLeewayMillis: 60_000,
      refreshAhead: 0.8,
      defaultLifetimeMillis: 300_000,
      requestTimeoutMillis: 30_000,
      terminalErrorCooldownMillis: 5_000,
      cacheCapacity: 1000,
      storeTimeoutMillis: 250,
      leaseTtlMillis: 10_000
    })
    assert.strictEqual(Options.minDefaultLifetimeMillis, 1000)
  })

  it("retry: exponential from 200 ms, doubling, at most 3 retries", () => {
    assert.deepStrictEqual(Options.defaultRetry, { baseMillis: 200, factor: 2, retries: 3 })
  })

  it("fill in every option not given; the retry schedule is left to the line", () => {
    calls.length = 0
    const resolved = valueOf(resolve(base))
    assert.deepStrictEqual({ ...resolved, endpoint: { ...resolved.endpoint, url: resolved.endpoint.url.href } }, {
      endpoint: { _tag: "TokenUrl", url: "https://auth.example.com/token" },
      allowInsecureHttp: false,
      requireSameOriginTokenEndpoint: false,
      clientId: "billing",
      credentials: "the credentials",
      request: { scopes: [], audience: undefined, resources: [], extraParams: [] },
      expiryLeewayMillis: 60_000,
      refreshAhead: 0.8,
      defaultLifetimeMillis: 300_000,
      retry: undefined,
      requestTimeoutMillis: 30_000,
      terminalErrorCooldownMillis: 5_000,
      cacheCapacity: 1000,
      dpop: undefined
    })
    assert.deepStrictEqual(calls, [{ options: base, hasIssuer: false }])
  })

  it("keep what is given", () => {
    const schedule = { schedule: true as const }
    const resolved = valueOf(resolve({
      issuer: "http://idp.internal/tenant",
      allowInsecureHttp: true,
      requireSameOriginTokenEndpoint: true,
      clientId: "billing",
      scopes: ["write", "read", "read"],
      audience: "api",
      resource: "https://api.example.com",
      extraParams: { tenant: "7" },
      expiryLeeway: 1_000,
      refreshAhead: false,
      defaultLifetime: { ms: 2_000 },
      retry: schedule,
      requestTimeout: 3_000,
      terminalErrorCooldown: 0,
      cacheCapacity: 1
    }))
    assert.strictEqual(resolved.endpoint._tag, "Issuer")
    assert.strictEqual(resolved.endpoint.url.href, "http://idp.internal/tenant")
    assert.isTrue(resolved.allowInsecureHttp)
    assert.isTrue(resolved.requireSameOriginTokenEndpoint)
    assert.deepStrictEqual(resolved.request, {
      scopes: ["read", "write"],
      audience: "api",
      resources: ["https://api.example.com"],
      extraParams: [["tenant", "7"]]
    })
    assert.strictEqual(resolved.expiryLeewayMillis, 1_000)
    assert.strictEqual(resolved.refreshAhead, false)
    assert.strictEqual(resolved.defaultLifetimeMillis, 2_000)
    assert.strictEqual(resolved.retry, schedule)
    assert.strictEqual(resolved.requestTimeoutMillis, 3_000)
    assert.strictEqual(resolved.terminalErrorCooldownMillis, 0)
    assert.strictEqual(resolved.cacheCapacity, 1)
  })
})

describe("options: the endpoint", () => {
  it("is exactly one of tokenUrl and issuer", () => {
    assert.strictEqual(
      problemOf(Options.checkEndpoint({ tokenUrl: "https://a.example/token", issuer: "https://a.example" })),
      "tokenUrl and issuer are exclusive: give the issuer to discover the token endpoint, or tokenUrl"
    )
    assert.strictEqual(problemOf(Options.checkEndpoint({})), "tokenUrl or issuer is required")
  })

  it("is checked by the URL rules, under its own name", () => {
    assert.strictEqual(problemOf(Options.checkEndpoint({ tokenUrl: "not a url" })), "tokenUrl is not a URL")
    assert.strictEqual(problemOf(Options.checkEndpoint({ issuer: 42 })), "issuer must be a string or a URL")
    assert.strictEqual(
      problemOf(Options.checkEndpoint({ issuer: "http://idp.example.com" })),
      "issuer must use https (RFC 6749 §3.2), not http://idp.example.com; set allowInsecureHttp to allow http"
    )
    assert.strictEqual(
      problemOf(Options.checkEndpoint({ tokenUrl: "http://idp.example.com/token" })),
      "tokenUrl must use https (RFC 6749 §3.2), not http://idp.example.com; set allowInsecureHttp to allow http"
    )
  })

  it("allows http on any host with allowInsecureHttp, and only when it is true", () => {
    const tokenUrl = valueOf(
      Options.checkEndpoint({ tokenUrl: "http://idp.example.com/token", allowInsecureHttp: true })
    )
    assert.strictEqual(tokenUrl._tag, "TokenUrl")
    assert.strictEqual(tokenUrl.url.href, "http://idp.example.com/token")
    const issuer = valueOf(Options.checkEndpoint({ issuer: "http://idp.example.com", allowInsecureHttp: true }))
    assert.strictEqual(issuer._tag, "Issuer")
    assert.isDefined(problemOf(Options.checkEndpoint({ issuer: "http://idp.example.com", allowInsecureHttp: "yes" })))
  })
})

describe("options: types, before anything else", () => {
  const typeProblem = (options: Options.Input) => Options.optionTypesProblem(options, reader().isRetry)

  it("each in words, never the value", () => {
    assert.strictEqual(typeProblem({ ...base, allowInsecureHttp: "true" }), "allowInsecureHttp must be a boolean")
    assert.strictEqual(
      typeProblem({ ...base, requireSameOriginTokenEndpoint: 1 }),
      "requireSameOriginTokenEndpoint must be a boolean"
    )
    assert.strictEqual(typeProblem({ ...base, clientId: undefined }), "clientId must be a string")
    assert.strictEqual(
      typeProblem({ ...base, refreshAhead: "0.5" }),
      "refreshAhead must be a number between 0 and 1 (exclusive), or false"
    )
    assert.strictEqual(
      typeProblem({ ...base, refreshAhead: true }),
      "refreshAhead must be a number between 0 and 1 (exclusive), or false"
    )
    assert.strictEqual(
      typeProblem({ ...base, retry: 3 }),
      "retry must be a Schedule (e.g. Schedule.recurs(3)), not a number of retries"
    )
  })

  it("none for the types each option may have", () => {
    assert.isUndefined(typeProblem(base))
    assert.isUndefined(typeProblem({
      ...base,
      allowInsecureHttp: false,
      requireSameOriginTokenEndpoint: true,
      refreshAhead: false,
      retry: { schedule: true }
    }))
    assert.isUndefined(typeProblem({ ...base, refreshAhead: 0.5 }))
  })

  it("in order: allowInsecureHttp, requireSameOriginTokenEndpoint, clientId, refreshAhead, retry", () => {
    const all = { allowInsecureHttp: 1, requireSameOriginTokenEndpoint: 1, clientId: 1, refreshAhead: "x", retry: 1 }
    assert.strictEqual(typeProblem(all), "allowInsecureHttp must be a boolean")
    assert.strictEqual(
      typeProblem({ ...all, allowInsecureHttp: true }),
      "requireSameOriginTokenEndpoint must be a boolean"
    )
    assert.strictEqual(
      typeProblem({ ...all, allowInsecureHttp: true, requireSameOriginTokenEndpoint: true }),
      "clientId must be a string"
    )
  })

  it("come first in resolve: a wrong type is told before a missing endpoint", () => {
    assert.strictEqual(problem({ clientId: 7 }), "clientId must be a string")
  })
})

describe("options: resolve, check by check", () => {
  it("requireSameOriginTokenEndpoint only with an issuer", () => {
    assert.strictEqual(
      problem({ ...base, requireSameOriginTokenEndpoint: true }),
      "requireSameOriginTokenEndpoint needs the issuer option: it is about discovery"
    )
    assert.isUndefined(problem({ ...base, requireSameOriginTokenEndpoint: false }))
  })

  it("the client id: not empty, no control character", () => {
    assert.strictEqual(problem({ ...base, clientId: "" }), "clientId is empty or contains a control character")
    assert.strictEqual(problem({ ...base, clientId: "bill\ning" }), "clientId is empty or contains a control character")
    assert.strictEqual(
      problem({ ...base, clientId: "bill\u007fing" }),
      "clientId is empty or contains a control character"
    )
    assert.isUndefined(problem({ ...base, clientId: "b" }))
  })

  it("the credentials through the line's check, told whether there is an issuer", () => {
    calls.length = 0
    assert.strictEqual(problem(base, invalid("clientSecret is empty")), "clientSecret is empty")
    assert.isUndefined(problem({ issuer: "https://auth.example.com", clientId: "billing" }))
    assert.deepStrictEqual(calls.map((call) => call.hasIssuer), [false, true])
  })

  it("the request, with no null allowed", () => {
    assert.strictEqual(problem({ ...base, scopes: "read" }), "scopes must be an array of strings")
    assert.strictEqual(problem({ ...base, audience: null }), "audience must be a string")
    assert.strictEqual(
      problem({ ...base, scopes: ["read", ""] }),
      "scope #2 is not an RFC 6749 scope token (empty, or a space, quote, backslash or control character)"
    )
  })

  it("each duration finite, by its name", () => {
    for (const name of ["expiryLeeway", "defaultLifetime", "requestTimeout", "terminalErrorCooldown"] as const) {
      assert.strictEqual(problem({ ...base, [name]: "soon" }), `${name} is not a finite duration`)
      assert.strictEqual(problem({ ...base, [name]: Infinity }), `${name} is not a finite duration`)
      assert.strictEqual(problem({ ...base, [name]: NaN }), `${name} is not a finite duration`)
    }
  })

  it("defaultLifetime at least 1 second", () => {
    assert.strictEqual(problem({ ...base, defaultLifetime: 999 }), "defaultLifetime must be at least 1 second")
    assert.strictEqual(valueOf(resolve({ ...base, defaultLifetime: 1000 })).defaultLifetimeMillis, 1000)
  })

  it("requestTimeout positive", () => {
    assert.strictEqual(problem({ ...base, requestTimeout: 0 }), "requestTimeout must be positive")
    assert.strictEqual(problem({ ...base, requestTimeout: -1 }), "requestTimeout must be positive")
    assert.strictEqual(valueOf(resolve({ ...base, requestTimeout: 0.001 })).requestTimeoutMillis, 0.001)
  })

  it("the leeway and the cool-down may be 0", () => {
    const resolved = valueOf(resolve({ ...base, expiryLeeway: 0, terminalErrorCooldown: 0 }))
    assert.strictEqual(resolved.expiryLeewayMillis, 0)
    assert.strictEqual(resolved.terminalErrorCooldownMillis, 0)
  })

  it("refreshAhead strictly between 0 and 1, or false", () => {
    const text = "refreshAhead must be a number between 0 and 1 (exclusive), or false"
    assert.strictEqual(problem({ ...base, refreshAhead: 0 }), text)
    assert.strictEqual(problem({ ...base, refreshAhead: 1 }), text)
    assert.strictEqual(problem({ ...base, refreshAhead: NaN }), text)
    assert.strictEqual(valueOf(resolve({ ...base, refreshAhead: 0.01 })).refreshAhead, 0.01)
    assert.strictEqual(valueOf(resolve({ ...base, refreshAhead: 0.99 })).refreshAhead, 0.99)
  })

  it("cacheCapacity a positive whole number", () => {
    const text = "cacheCapacity must be a positive whole number"
    for (const cacheCapacity of [0, -1, 1.5, "10", Number.MAX_SAFE_INTEGER + 1, Infinity]) {
      assert.strictEqual(problem({ ...base, cacheCapacity }), text, String(cacheCapacity))
    }
    assert.strictEqual(valueOf(resolve({ ...base, cacheCapacity: 1 })).cacheCapacity, 1)
    assert.strictEqual(
      valueOf(resolve({ ...base, cacheCapacity: Number.MAX_SAFE_INTEGER })).cacheCapacity,
      Number.MAX_SAFE_INTEGER
    )
  })

  it("in order: endpoint, client id, credentials, request, durations, then their bounds", () => {
    const wrong = {
      tokenUrl: "not a url",
      clientId: "",
      scopes: "read",
      expiryLeeway: "x",
      defaultLifetime: "x",
      requestTimeout: "x",
      terminalErrorCooldown: "x",
      refreshAhead: 2,
      cacheCapacity: 0
    }
    const credentials = invalid("clientSecret is empty")
    const steps: ReadonlyArray<readonly [Options.Input, string]> = [
      [wrong, "tokenUrl is not a URL"],
      [{ ...wrong, tokenUrl: base.tokenUrl }, "clientId is empty or contains a control character"],
      [{ ...wrong, ...base }, "clientSecret is empty"]
    ]
    for (const [options, expected] of steps) assert.strictEqual(problem(options, credentials), expected)
    const fine = { ...wrong, ...base }
    const after: ReadonlyArray<readonly [Options.Input, string]> = [
      [fine, "scopes must be an array of strings"],
      [{ ...fine, scopes: [] }, "expiryLeeway is not a finite duration"],
      [{ ...fine, scopes: [], expiryLeeway: 0 }, "defaultLifetime is not a finite duration"],
      [{ ...fine, scopes: [], expiryLeeway: 0, defaultLifetime: 0 }, "requestTimeout is not a finite duration"],
      [
        { ...fine, scopes: [], expiryLeeway: 0, defaultLifetime: 0, requestTimeout: 0 },
        "terminalErrorCooldown is not a finite duration"
      ],
      [
        { ...fine, scopes: [], expiryLeeway: 0, defaultLifetime: 0, requestTimeout: 0, terminalErrorCooldown: 0 },
        "defaultLifetime must be at least 1 second"
      ],
      [
        { ...fine, scopes: [], expiryLeeway: 0, defaultLifetime: 1000, requestTimeout: 0, terminalErrorCooldown: 0 },
        "requestTimeout must be positive"
      ],
      [
        { ...fine, scopes: [], expiryLeeway: 0, defaultLifetime: 1000, requestTimeout: 1, terminalErrorCooldown: 0 },
        "refreshAhead must be a number between 0 and 1 (exclusive), or false"
      ],
      [
        {
          ...fine,
          scopes: [],
          expiryLeeway: 0,
          defaultLifetime: 1000,
          requestTimeout: 1,
          terminalErrorCooldown: 0,
          refreshAhead: 0.5
        },
        "cacheCapacity must be a positive whole number"
      ]
    ]
    for (const [options, expected] of after) assert.strictEqual(problem(options), expected)
  })
})

describe("options: durationMillis", () => {
  const millis = reader().millis

  it("the fallback when absent, else the finite millis the line reads", () => {
    assert.deepStrictEqual(Options.durationMillis("leaseTtl", undefined, 7, millis), valid(7))
    assert.deepStrictEqual(Options.durationMillis("leaseTtl", { ms: 0 }, 7, millis), valid(0))
    assert.deepStrictEqual(
      Options.durationMillis("leaseTtl", "x", 7, millis),
      invalid("leaseTtl is not a finite duration")
    )
    assert.deepStrictEqual(
      Options.durationMillis("storeTimeout", -Infinity, 7, millis),
      invalid("storeTimeout is not a finite duration")
    )
  })
})

describe("options: the store's", () => {
  const millis = reader().millis

  it("default to 250 ms and 10 s", () => {
    assert.deepStrictEqual(Options.resolveStore({}, millis), valid({ storeTimeoutMillis: 250, leaseTtlMillis: 10_000 }))
    assert.deepStrictEqual(
      Options.resolveStore({ storeTimeout: 1, leaseTtl: { ms: 2 } }, millis),
      valid({ storeTimeoutMillis: 1, leaseTtlMillis: 2 })
    )
  })

  it("are finite and positive, storeTimeout's problem first", () => {
    assert.strictEqual(
      problemOf(Options.resolveStore({ storeTimeout: "x" }, millis)),
      "storeTimeout is not a finite duration"
    )
    assert.strictEqual(
      problemOf(Options.resolveStore({ leaseTtl: Infinity }, millis)),
      "leaseTtl is not a finite duration"
    )
    assert.strictEqual(problemOf(Options.resolveStore({ storeTimeout: 0 }, millis)), "storeTimeout must be positive")
    assert.strictEqual(problemOf(Options.resolveStore({ leaseTtl: 0 }, millis)), "leaseTtl must be positive")
    assert.strictEqual(
      problemOf(Options.resolveStore({ storeTimeout: 0, leaseTtl: "x" }, millis)),
      "leaseTtl is not a finite duration"
    )
    assert.strictEqual(
      problemOf(Options.resolveStore({ storeTimeout: 0, leaseTtl: 0 }, millis)),
      "storeTimeout must be positive"
    )
  })
})

describe("options: the option a problem is about", () => {
  it("is its first word, when that names an option", () => {
    assert.strictEqual(Options.optionOf("tokenUrl is not a URL"), "tokenUrl")
    assert.strictEqual(Options.optionOf("leaseTtl must be positive"), "leaseTtl")
    assert.strictEqual(Options.optionOf("privateKey is a public JWK: it has no private part (d)"), "privateKey")
    assert.strictEqual(Options.optionOf("assertionAudience \"issuer\" needs the issuer option"), "assertionAudience")
    assert.strictEqual(
      Options.optionOf("certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)"),
      "certificate"
    )
    assert.strictEqual(Options.optionOf("sendCertificateChain must be a boolean"), "sendCertificateChain")
  })

  it("is scopes for a scope, extraParams for an extra parameter", () => {
    assert.strictEqual(
      Options.optionOf(
        "scope #2 is not an RFC 6749 scope token (empty, or a space, quote, backslash or control character)"
      ),
      "scopes"
    )
    assert.strictEqual(Options.optionOf("extra parameter \"grant_type\" is reserved"), "extraParams")
    assert.strictEqual(Options.optionOf("an extra parameter name is empty or has a control character"), "extraParams")
  })

  it("is none for a problem about no one option", () => {
    assert.isUndefined(Options.optionOf("private_key_jwt needs privateKey or clientAssertion"))
    assert.isUndefined(Options.optionOf("the request must be an object"))
    assert.isUndefined(Options.optionOf("toString is not an option"))
    assert.isUndefined(Options.optionOf("extraParameter"))
    assert.isUndefined(Options.optionOf(""))
  })

  it("is said after the service's name", () => {
    assert.strictEqual(Options.invalidOptionsMessage("tokenUrl is not a URL"), "TokenService: tokenUrl is not a URL")
  })
})

describe("options: the environment's variables", () => {
  it("are OAUTH_* by default, the prefix used as given", () => {
    assert.strictEqual(Options.defaultPrefix, "OAUTH_")
    assert.deepStrictEqual(Options.variablesOf("OAUTH_"), {
      tokenUrl: "OAUTH_TOKEN_URL",
      issuer: "OAUTH_ISSUER",
      clientId: "OAUTH_CLIENT_ID",
      authMethod: "OAUTH_AUTH_METHOD",
      clientSecret: "OAUTH_CLIENT_SECRET",
      privateKey: "OAUTH_PRIVATE_KEY",
      privateKeyFile: "OAUTH_PRIVATE_KEY_FILE",
      keyId: "OAUTH_KEY_ID",
      signingAlgorithm: "OAUTH_SIGNING_ALGORITHM",
      certificateFile: "OAUTH_CERTIFICATE_FILE",
      sendCertificateChain: "OAUTH_SEND_CERTIFICATE_CHAIN",
      clientAssertionFile: "OAUTH_CLIENT_ASSERTION_FILE",
      tlsCertificateFile: "OAUTH_TLS_CERTIFICATE_FILE",
      tlsKeyFile: "OAUTH_TLS_KEY_FILE",
      tlsCaFile: "OAUTH_TLS_CA_FILE",
      scope: "OAUTH_SCOPE",
      audience: "OAUTH_AUDIENCE",
      dpop: "OAUTH_DPOP",
      dpopPrivateKey: "OAUTH_DPOP_PRIVATE_KEY",
      dpopPrivateKeyFile: "OAUTH_DPOP_PRIVATE_KEY_FILE",
      dpopSigningAlgorithm: "OAUTH_DPOP_SIGNING_ALGORITHM"
    })
    assert.strictEqual(Options.variablesOf("billing").clientId, "billingCLIENT_ID")
  })

  it("each option's, for an error: the private key's where it was read from", () => {
    const expected = {
      tokenUrl: "B_TOKEN_URL",
      issuer: "B_ISSUER",
      clientId: "B_CLIENT_ID",
      authMethod: "B_AUTH_METHOD",
      clientSecret: "B_CLIENT_SECRET",
      privateKey: "B_PRIVATE_KEY",
      keyId: "B_KEY_ID",
      signingAlgorithm: "B_SIGNING_ALGORITHM",
      certificate: "B_CERTIFICATE_FILE",
      sendCertificateChain: "B_SEND_CERTIFICATE_CHAIN",
      clientAssertion: "B_CLIENT_ASSERTION_FILE",
      tlsClientCertificate: "B_TLS_CERTIFICATE_FILE",
      scopes: "B_SCOPE",
      audience: "B_AUDIENCE",
      dpop: "B_DPOP"
    }
    assert.deepStrictEqual(Options.optionVariables("B_", true), expected)
    assert.deepStrictEqual(Options.optionVariables("B_", false), { ...expected, privateKey: "B_PRIVATE_KEY_FILE" })
    assert.strictEqual(Options.optionVariables("B_", true, "variable").dpop, "B_DPOP_PRIVATE_KEY")
    assert.strictEqual(Options.optionVariables("B_", true, "file").dpop, "B_DPOP_PRIVATE_KEY_FILE")
  })

  it("DPOP, DPOP_PRIVATE_KEY(_FILE), DPOP_SIGNING_ALGORITHM: on with DPOP=true, a key or an algorithm", () => {
    const env = { dpop: undefined, privateKey: undefined, signingAlgorithm: undefined }
    const valid = (value: unknown): Options.FromEnv<unknown> => ({ _tag: "Valid", value })
    assert.deepStrictEqual<Options.FromEnv<unknown>>(Options.dpopFromEnv("B_", env), valid(undefined))
    assert.deepStrictEqual<Options.FromEnv<unknown>>(
      Options.dpopFromEnv("B_", { ...env, dpop: "false" }),
      valid(undefined)
    )
    assert.deepStrictEqual<Options.FromEnv<unknown>>(Options.dpopFromEnv("B_", { ...env, dpop: "true" }), valid(true))
    assert.deepStrictEqual<Options.FromEnv<unknown>>(
      Options.dpopFromEnv("B_", { ...env, privateKey: "k" }),
      valid({ privateKey: "k" })
    )
    assert.deepStrictEqual<Options.FromEnv<unknown>>(
      Options.dpopFromEnv("B_", { dpop: "true", privateKey: "k", signingAlgorithm: "PS256" }),
      valid({ privateKey: "k", signingAlgorithm: "PS256" })
    )
    assert.deepStrictEqual<Options.FromEnv<unknown>>(
      Options.dpopFromEnv("B_", { ...env, dpop: "true", signingAlgorithm: "EdDSA" }),
      valid({ signingAlgorithm: "EdDSA" })
    )
    assert.deepStrictEqual<Options.FromEnv<unknown>>(
      Options.dpopFromEnv("B_", { ...env, signingAlgorithm: "EdDSA" }),
      valid({ signingAlgorithm: "EdDSA" })
    )
    assert.deepStrictEqual<Options.FromEnv<unknown>>(
      Options.dpopFromEnv("B_", { ...env, dpop: "false", privateKey: "k" }),
      {
        _tag: "InvalidData",
        variable: "B_DPOP",
        message: "is false, and a DPoP private key or signing algorithm is set"
      }
    )
  })

  it("SCOPE: split on spaces, empty entries dropped", () => {
    assert.deepStrictEqual(Options.scopesOf("read  write "), ["read", "write"])
    assert.deepStrictEqual(Options.scopesOf(" "), [])
    assert.deepStrictEqual(Options.scopesOf("a\tb"), ["a\tb"])
  })

  it("a missing variable is expected in the process context", () => {
    assert.strictEqual(
      Options.missingMessage("OAUTH_CLIENT_ID"),
      "Expected OAUTH_CLIENT_ID to exist in the process context"
    )
  })
})

describe("options: the endpoint from the environment", () => {
  it("TOKEN_URL or ISSUER", () => {
    assert.deepStrictEqual(
      Options.endpointFromEnv("OAUTH_", { tokenUrl: "https://a.example/token", issuer: undefined }),
      { _tag: "Valid", value: { tokenUrl: "https://a.example/token" } }
    )
    assert.deepStrictEqual(
      Options.endpointFromEnv("OAUTH_", { tokenUrl: undefined, issuer: "https://a.example" }),
      { _tag: "Valid", value: { issuer: "https://a.example" } }
    )
  })

  it("not both, blamed on ISSUER", () => {
    assert.deepStrictEqual(Options.endpointFromEnv("X_", { tokenUrl: "t", issuer: "i" }), {
      _tag: "InvalidData",
      variable: "X_ISSUER",
      message: "set X_TOKEN_URL or X_ISSUER, not both"
    })
  })

  it("one of them, missing at TOKEN_URL", () => {
    assert.deepStrictEqual(Options.endpointFromEnv("X_", { tokenUrl: undefined, issuer: undefined }), {
      _tag: "MissingData",
      variable: "X_TOKEN_URL",
      message: "Expected X_TOKEN_URL or X_ISSUER to exist"
    })
  })
})

describe("options: the credentials from the environment", () => {
  const none = {
    clientId: "billing",
    authMethod: undefined,
    clientSecret: undefined,
    privateKey: undefined,
    keyId: undefined,
    signingAlgorithm: undefined,
    certificate: undefined,
    sendCertificateChain: undefined,
    clientAssertion: undefined,
    tlsCertificate: undefined,
    tlsKey: undefined,
    tlsCa: undefined
  }
  const env = (set: Partial<Options.CredentialsEnv<string, string>>): Options.CredentialsEnv<string, string> => ({
    ...none,
    ...set
  })
  const fromEnv = (set: Partial<Options.CredentialsEnv<string, string>>) => Options.credentialsFromEnv("X_", env(set))

  it("a secret: the default method, or the one named", () => {
    assert.deepStrictEqual(fromEnv({ clientSecret: "s" }), {
      _tag: "Valid",
      value: { clientId: "billing", clientSecret: "s", authMethod: undefined }
    })
    for (const authMethod of ["client_secret_basic", "client_secret_post", "client_secret_jwt"] as const) {
      assert.deepStrictEqual(fromEnv({ clientSecret: "s", authMethod }), {
        _tag: "Valid",
        value: { clientId: "billing", clientSecret: "s", authMethod }
      })
    }
  })

  it("mutual TLS: the certificate and key files (and the CA's), with the TLS methods only", () => {
    for (const authMethod of ["tls_client_auth", "self_signed_tls_client_auth"] as const) {
      assert.deepStrictEqual(fromEnv({ authMethod, tlsCertificate: "c", tlsKey: "k", tlsCa: "a" }), {
        _tag: "Valid",
        value: { clientId: "billing", authMethod, tlsClientCertificate: { cert: "c", key: "k", ca: "a" } }
      })
    }
    assert.deepStrictEqual(fromEnv({ authMethod: "tls_client_auth", tlsKey: "k" }), {
      _tag: "MissingData",
      variable: "X_TLS_CERTIFICATE_FILE",
      message: "Expected X_TLS_CERTIFICATE_FILE to exist in the process context"
    })
    assert.deepStrictEqual(fromEnv({ authMethod: "tls_client_auth", tlsCertificate: "c" }), {
      _tag: "MissingData",
      variable: "X_TLS_KEY_FILE",
      message: "Expected X_TLS_KEY_FILE to exist in the process context"
    })
    for (
      const [set, variable] of [
        [{ tlsCertificate: "c" }, "X_TLS_CERTIFICATE_FILE"],
        [{ tlsKey: "k" }, "X_TLS_KEY_FILE"],
        [{ tlsCa: "a" }, "X_TLS_CA_FILE"]
      ] as const
    ) {
      assert.deepStrictEqual(fromEnv({ clientSecret: "s", ...set }), {
        _tag: "InvalidData",
        variable,
        message: `${variable} goes with X_AUTH_METHOD tls_client_auth or self_signed_tls_client_auth`
      })
    }
  })

  it("a secret, missing for the secret methods", () => {
    const missing = {
      _tag: "MissingData",
      variable: "X_CLIENT_SECRET",
      message: "Expected X_CLIENT_SECRET to exist in the process context"
    } as const
    assert.deepStrictEqual(fromEnv({}), missing)
    assert.deepStrictEqual(fromEnv({ authMethod: "client_secret_post" }), missing)
    // a key does not stand for a secret when a secret method is named
    assert.deepStrictEqual(fromEnv({ authMethod: "client_secret_jwt", privateKey: "k" }), missing)
  })

  it("a key or an assertion and no secret mean private_key_jwt", () => {
    assert.deepStrictEqual(fromEnv({ privateKey: "k", keyId: "kid", signingAlgorithm: "ES256" }), {
      _tag: "Valid",
      value: {
        clientId: "billing",
        authMethod: "private_key_jwt",
        privateKey: "k",
        keyId: "kid",
        signingAlgorithm: "ES256",
        certificate: undefined,
        sendCertificateChain: undefined
      }
    })
    assert.deepStrictEqual(fromEnv({ clientAssertion: "a" }), {
      _tag: "Valid",
      value: { clientId: "billing", authMethod: "private_key_jwt", clientAssertion: "a" }
    })
  })

  it("with a secret as well, a key means the default secret method", () => {
    assert.deepStrictEqual(fromEnv({ clientSecret: "s", privateKey: "k" }), {
      _tag: "Valid",
      value: { clientId: "billing", clientSecret: "s", authMethod: undefined }
    })
  })

  it("private_key_jwt named: a key or an assertion, not both, not none", () => {
    assert.deepStrictEqual(fromEnv({ authMethod: "private_key_jwt", privateKey: "k", clientSecret: "s" }), {
      _tag: "Valid",
      value: {
        clientId: "billing",
        authMethod: "private_key_jwt",
        privateKey: "k",
        keyId: undefined,
        signingAlgorithm: undefined,
        certificate: undefined,
        sendCertificateChain: undefined
      }
    })
    assert.deepStrictEqual(fromEnv({ privateKey: "k", clientAssertion: "a" }), {
      _tag: "InvalidData",
      variable: "X_CLIENT_ASSERTION_FILE",
      message: "set a private key (X_PRIVATE_KEY or X_PRIVATE_KEY_FILE) or X_CLIENT_ASSERTION_FILE, not both"
    })
    assert.deepStrictEqual(fromEnv({ authMethod: "private_key_jwt", clientSecret: "s" }), {
      _tag: "MissingData",
      variable: "X_PRIVATE_KEY",
      message: "Expected X_PRIVATE_KEY to exist in the process context"
    })
  })

  it("a key's certificate file and SEND_CERTIFICATE_CHAIN go with the key", () => {
    assert.deepStrictEqual(
      fromEnv({ privateKey: "k", signingAlgorithm: "PS256", certificate: "c", sendCertificateChain: true }),
      {
        _tag: "Valid",
        value: {
          clientId: "billing",
          authMethod: "private_key_jwt",
          privateKey: "k",
          keyId: undefined,
          signingAlgorithm: "PS256",
          certificate: "c",
          sendCertificateChain: true
        }
      }
    )
  })

  it("a certificate file or SEND_CERTIFICATE_CHAIN without a key: refused at its variable, not left unused", () => {
    const refused = (variable: string) => ({
      _tag: "InvalidData" as const,
      variable,
      message: `${variable} goes with a private key (X_PRIVATE_KEY or X_PRIVATE_KEY_FILE) of private_key_jwt`
    })
    assert.deepStrictEqual(fromEnv({ clientSecret: "s", certificate: "c" }), refused("X_CERTIFICATE_FILE"))
    assert.deepStrictEqual(
      fromEnv({ clientSecret: "s", privateKey: "k", certificate: "c" }),
      refused("X_CERTIFICATE_FILE")
    )
    assert.deepStrictEqual(fromEnv({ clientAssertion: "a", certificate: "c" }), refused("X_CERTIFICATE_FILE"))
    assert.deepStrictEqual(
      fromEnv({ authMethod: "private_key_jwt", clientAssertion: "a", sendCertificateChain: false }),
      refused("X_SEND_CERTIFICATE_CHAIN")
    )
  })
})

describe("options: the files variables name", () => {
  it("a problem names the variable, then what the file is", () => {
    assert.strictEqual(Options.fileProblem("X_PRIVATE_KEY_FILE", "a directory"), "X_PRIVATE_KEY_FILE names a directory")
  })

  it("a key file's text, trimmed", () => {
    assert.strictEqual(Options.keyOfFile("\n -----BEGIN PRIVATE KEY-----\n…\n "), "-----BEGIN PRIVATE KEY-----\n…")
  })

  it("an assertion file's text: trimmed, a compact JWS, else what is wrong and nothing of it", () => {
    assert.deepStrictEqual(
      Options.assertionOfFile("X_CLIENT_ASSERTION_FILE", " eyJh.e30.c2ln\n"),
      valid("eyJh.e30.c2ln")
    )
    const refused = Options.assertionOfFile("X_CLIENT_ASSERTION_FILE", "secret-part.only")
    assert.deepStrictEqual(
      refused,
      invalid(
        "X_CLIENT_ASSERTION_FILE names a file that holds no compact JWS (three base64url parts separated by dots): " +
          "it has 2 parts separated by dots, not 3"
      )
    )
    assert.notInclude(problemOf(refused), "secret-part")
  })
})

describe("options: in a line's terms", () => {
  const terms: Options.LineTerms<string, string, string, string> = {
    duration: (millis) => `${millis} ms`,
    defaultRetry: "the default retry",
    secretsOf: (clientId, credentials) => [`${clientId}:${credentials}`]
  }

  it("resolveIn: durations in the line's terms, its default retry, its secrets; a problem as it is", () => {
    const resolved = valueOf(Options.resolveIn(base, reader(), terms))
    const plain = valueOf(resolve(base))
    assert.deepStrictEqual(resolved, {
      endpoint: plain.endpoint,
      allowInsecureHttp: plain.allowInsecureHttp,
      requireSameOriginTokenEndpoint: plain.requireSameOriginTokenEndpoint,
      clientId: "billing",
      credentials: "the credentials",
      secrets: ["billing:the credentials"],
      request: plain.request,
      expiryLeeway: `${plain.expiryLeewayMillis} ms`,
      refreshAhead: plain.refreshAhead,
      defaultLifetime: `${plain.defaultLifetimeMillis} ms`,
      retry: "the default retry",
      requestTimeout: `${plain.requestTimeoutMillis} ms`,
      terminalErrorCooldown: `${plain.terminalErrorCooldownMillis} ms`,
      cacheCapacity: plain.cacheCapacity,
      dpop: undefined
    })
    const schedule = { schedule: true }
    assert.strictEqual(
      valueOf(Options.resolveIn<string, unknown, string, string>({ ...base, retry: schedule }, reader(), terms)).retry,
      schedule
    )
    assert.deepStrictEqual(
      Options.resolveIn({ ...base, clientId: "" }, reader(), terms),
      invalid("clientId is empty or contains a control character")
    )
  })

  it("resolveStoreIn: the store's durations in the line's terms; a problem as it is", () => {
    const millis = (value: unknown) => typeof value === "number" ? value : undefined
    assert.deepStrictEqual(valueOf(Options.resolveStoreIn({}, millis, (ms) => `${ms} ms`)), {
      storeTimeout: "250 ms",
      leaseTtl: "10000 ms"
    })
    assert.deepStrictEqual(
      Options.resolveStoreIn({ leaseTtl: 0 }, millis, (ms) => `${ms} ms`),
      invalid("leaseTtl must be positive")
    )
  })
})

describe("options: dpop", () => {
  it("absent, true, or an object with an optional privateKey and signingAlgorithm", () => {
    assert.isUndefined(valueOf(resolve(base)).dpop)
    assert.deepStrictEqual(valueOf(resolve({ ...base, dpop: true })).dpop, {
      privateKey: undefined,
      signingAlgorithm: undefined
    })
    const key = { secret: true }
    assert.deepStrictEqual(valueOf(resolve({ ...base, dpop: { privateKey: key, signingAlgorithm: "PS256" } })).dpop, {
      privateKey: key,
      signingAlgorithm: "PS256"
    })
  })

  it("refuses anything else, naming the option and never its value", () => {
    const refusals = [
      [{ dpop: "yes-SECRET" }, "dpop must be true or an object with privateKey and signingAlgorithm"],
      [{ dpop: ["SECRET"] }, "dpop must be true or an object with privateKey and signingAlgorithm"],
      [
        { dpop: { signingAlgorithm: "HS256-SECRET" } },
        "dpop.signingAlgorithm must be one of ES256, PS256, RS256, EdDSA"
      ],
      [
        { dpop: { privateKey: "k", keyId: "SECRET" } },
        "dpop has members other than privateKey and signingAlgorithm (1)"
      ]
    ] as const
    for (const [options, problem] of refusals) {
      const found = problemOf(resolve({ ...base, ...options }))
      assert.strictEqual(found, problem)
      assert.notInclude(found, "SECRET")
      assert.strictEqual(Options.optionOf(problem), "dpop")
    }
  })
})
