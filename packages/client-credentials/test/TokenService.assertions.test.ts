/**
 * Client authentication on the wire (`docs/configuration.md#client-authentication`): `client_secret_jwt` and
 * `private_key_jwt` send an RFC 7523 assertion, signed per token request, and nothing else that authenticates; a
 * `clientAssertion` made elsewhere is asked for again for every token request and sent as given; the cache key names
 * the key by its thumbprint only (`docs/behaviour.md#secrets`). Assertions are checked with `jose`, independently of
 * how the library signs them.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as Jose from "jose"
import * as clientAuthentication from "../src/internal/clientAuthentication.js"
import * as credentialOptions from "../src/internal/credentialOptions.js"
import * as tokenRequest from "../src/internal/tokenRequest.js"
import * as Keys from "./utils/keys.js"
import * as Leaks from "./utils/leaks.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const tokenUrl = Service.tokenUrl
const clientId = Service.clientId
const secret = Service.clientSecret

/** RFC 7523 §2.2. */
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/** A moment with milliseconds, so that `iat` must be rounded down to whole seconds. */
const now = Date.UTC(2026, 0, 15, 9, 30, 0, 789)

/** `TokenService.make` with `options` on the scripted endpoint, in the current scope. */
const make = (endpoint: Endpoint.ScriptedEndpoint, options: TokenService.Options) =>
  TokenService.make(options).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))

/** The options of a `private_key_jwt` client with `key`. */
const withKey = (
  privateKey: string,
  more: Partial<TokenService.PrivateKeyJwtCredentials> = {}
): TokenService.Options => ({
  tokenUrl,
  clientId,
  authMethod: "private_key_jwt",
  privateKey: Redacted.make(privateKey),
  ...more
})

/** The assertion a recorded request carried. */
const assertionOf = (request: Endpoint.RecordedRequest): string => {
  const assertion = request.form.get("client_assertion")
  assert.isString(assertion)
  return assertion!
}

/** Checks that a request authenticates with an assertion only, and returns it. */
const assertAssertionOnly = (request: Endpoint.RecordedRequest): string => {
  assert.strictEqual(request.form.get("grant_type"), "client_credentials")
  assert.strictEqual(request.form.get("client_assertion_type"), jwtBearer)
  assert.strictEqual(request.form.get("client_id"), clientId)
  assert.deepStrictEqual(request.form.getAll("client_assertion").length, 1)
  assert.isFalse(request.form.has("client_secret"), "no client_secret in the form")
  assert.isUndefined(request.headers["authorization"], "no Authorization header")
  return assertionOf(request)
}

/** Gets a token once, and once more after it expired: two token requests. */
const fetchTwice = (service: TokenService.Service) =>
  Effect.gen(function*() {
    yield* service.get
    yield* TestClock.adjust("2 hours")
    yield* service.get
  })

/** The claims `jose` verified, at the `TestClock`'s time. */
const verify = (jwt: string, key: Jose.CryptoKey | Uint8Array, at: number, algorithms: Array<string>) =>
  Effect.promise(() =>
    Jose.jwtVerify(jwt, key, {
      algorithms,
      currentDate: new Date(at),
      issuer: clientId,
      subject: clientId,
      audience: tokenUrl,
      requiredClaims: ["jti", "iat", "exp"]
    })
  )

describe("client_secret_jwt", () => {
  it.scoped("sends an RFC 7523 assertion signed with HS256 over the secret, and no secret", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const service = yield* make(endpoint, {
        tokenUrl,
        clientId,
        clientSecret: Redacted.make(secret),
        authMethod: "client_secret_jwt"
      })
      yield* service.get
      assert.strictEqual(endpoint.requests.length, 1)
      const request = endpoint.requests[0]!
      const assertion = assertAssertionOnly(request)
      for (const [name, encode] of Object.entries(Leaks.encodings)) {
        assert.notInclude(request.body, encode(secret), `the body holds the secret (${name})`)
      }
      assert.deepStrictEqual([...request.form.keys()].sort(), [
        "client_assertion",
        "client_assertion_type",
        "client_id",
        "grant_type"
      ])
      const { payload, protectedHeader } = yield* verify(assertion, new TextEncoder().encode(secret), now, ["HS256"])
      assert.strictEqual(protectedHeader.alg, "HS256")
      assert.strictEqual(payload.iss, clientId)
      assert.strictEqual(payload.sub, clientId)
      // one audience, as a string: what RFC 7523 servers compare
      assert.strictEqual(payload.aud, tokenUrl)
      assert.isString(payload.jti)
      assert.isAbove(payload.jti!.length, 15)
      assert.strictEqual(payload.iat, Math.floor(now / 1000))
      assert.strictEqual(payload.exp, payload.iat! + 60)
    }))

  it.scoped("signs a new assertion for every token request: a fresh jti, iat on the clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const service = yield* make(endpoint, {
        tokenUrl,
        clientId,
        clientSecret: Redacted.make(secret),
        authMethod: "client_secret_jwt"
      })
      yield* fetchTwice(service)
      assert.strictEqual(endpoint.requests.length, 2)
      const [first, second] = endpoint.requests.map((request) => Jose.decodeJwt(assertAssertionOnly(request)))
      assert.notStrictEqual(first!.jti, second!.jti)
      assert.strictEqual(first!.iat, Math.floor(now / 1000))
      assert.strictEqual(second!.iat, Math.floor(now / 1000) + 2 * 3600)
      assert.strictEqual(second!.exp, second!.iat! + 60)
    }))

  it.scoped("a wrong secret does not verify: the signature is over the configured secret", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const service = yield* make(endpoint, {
        tokenUrl,
        clientId,
        clientSecret: Redacted.make(secret),
        authMethod: "client_secret_jwt"
      })
      yield* service.get
      const result = yield* Effect.either(
        Effect.tryPromise(() =>
          Jose.jwtVerify(assertionOf(endpoint.requests[0]!), new TextEncoder().encode(`${secret}x`), {
            currentDate: new Date(now)
          })
        )
      )
      assert.isTrue(Either.isLeft(result))
    }))
})

describe("private_key_jwt with a key", () => {
  const cases: ReadonlyArray<{
    readonly name: string
    readonly key: Keys.TestKey
    readonly privateKey: string
    readonly signingAlgorithm?: TokenService.SigningAlgorithm
    readonly expected: string
  }> = [
    { name: "an RSA PKCS#8 PEM signs RS256 by default", key: Keys.rsa, privateKey: Keys.rsa.pem, expected: "RS256" },
    {
      name: "an RSA private JWK signs RS256 by default",
      key: Keys.rsa,
      privateKey: Keys.rsa.jwkJson,
      expected: "RS256"
    },
    {
      name: "an RSA PEM signs PS256 when asked",
      key: Keys.rsa,
      privateKey: Keys.rsa.pem,
      signingAlgorithm: "PS256",
      expected: "PS256"
    },
    {
      name: "an RSA JWK signs PS256 when asked",
      key: Keys.rsa,
      privateKey: Keys.rsa.jwkJson,
      signingAlgorithm: "PS256",
      expected: "PS256"
    },
    { name: "an EC P-256 PEM signs ES256", key: Keys.p256, privateKey: Keys.p256.pem, expected: "ES256" },
    { name: "an EC P-256 JWK signs ES256", key: Keys.p256, privateKey: Keys.p256.jwkJson, expected: "ES256" },
    {
      name: "an EC P-256 PEM with ES256 named",
      key: Keys.p256,
      privateKey: Keys.p256.pem,
      signingAlgorithm: "ES256",
      expected: "ES256"
    },
    { name: "an Ed25519 PEM signs EdDSA", key: Keys.ed25519, privateKey: Keys.ed25519.pem, expected: "EdDSA" },
    { name: "an Ed25519 JWK signs EdDSA", key: Keys.ed25519, privateKey: Keys.ed25519.jwkJson, expected: "EdDSA" }
  ]
  for (const { expected, key, name, privateKey, signingAlgorithm } of cases) {
    it.scoped(`${name}; the public key verifies it; no kid unless keyId`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(now)
        const endpoint = Endpoint.make()
        const service = yield* make(
          endpoint,
          withKey(privateKey, signingAlgorithm === undefined ? {} : { signingAlgorithm })
        )
        yield* service.get
        const assertion = assertAssertionOnly(endpoint.requests[0]!)
        const header = Jose.decodeProtectedHeader(assertion)
        assert.strictEqual(header.alg, expected)
        assert.isUndefined(header.kid)
        const publicKey = yield* Effect.promise(() => Keys.verifierOf(key, expected))
        const { payload } = yield* verify(assertion, publicKey, now, [expected])
        assert.strictEqual(payload.aud, tokenUrl)
        assert.strictEqual(payload.iat, Math.floor(now / 1000))
        assert.strictEqual(payload.exp, payload.iat! + 60)
        // the key does not verify another key's signature: the check above means something
        const other = yield* Effect.promise(() => Keys.verifierOf(Keys.rsa2, "RS256"))
        if (expected === "RS256") {
          const wrong = yield* Effect.either(
            Effect.tryPromise(() => Jose.jwtVerify(assertion, other, { currentDate: new Date(now) }))
          )
          assert.isTrue(Either.isLeft(wrong))
        }
      }))
  }

  it.scoped("keyId is the kid header", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const service = yield* make(endpoint, withKey(Keys.p256.pem, { keyId: "key-2026-01" }))
      yield* service.get
      const header = Jose.decodeProtectedHeader(assertionOf(endpoint.requests[0]!))
      assert.strictEqual(header.kid, "key-2026-01")
      assert.strictEqual(header.alg, "ES256")
    }))

  it.scoped("a JWK's own alg and kid are the defaults; the options win over them", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const jwk = JSON.stringify({ ...Keys.rsa.privateJwk, alg: "PS256", kid: "entra-key-7" })
      const endpoint = Endpoint.make()
      const byJwk = yield* make(endpoint, withKey(jwk))
      yield* byJwk.get
      const header = Jose.decodeProtectedHeader(assertionOf(endpoint.requests[0]!))
      assert.strictEqual(header.alg, "PS256")
      assert.strictEqual(header.kid, "entra-key-7")

      const overridden = Endpoint.make()
      const byOptions = yield* make(overridden, withKey(jwk, { signingAlgorithm: "RS256", keyId: "other" }))
      yield* byOptions.get
      const chosen = Jose.decodeProtectedHeader(assertionOf(overridden.requests[0]!))
      assert.strictEqual(chosen.alg, "RS256")
      assert.strictEqual(chosen.kid, "other")
    }))

  it.scoped("signs a new assertion for every token request", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const endpoint = Endpoint.make()
      const service = yield* make(endpoint, withKey(Keys.rsa.pem))
      yield* fetchTwice(service)
      const publicKey = yield* Effect.promise(() => Keys.verifierOf(Keys.rsa, "RS256"))
      const first = yield* verify(assertionOf(endpoint.requests[0]!), publicKey, now, ["RS256"])
      const second = yield* verify(assertionOf(endpoint.requests[1]!), publicKey, now + 2 * 3600_000, ["RS256"])
      assert.notStrictEqual(first.payload.jti, second.payload.jti)
      assert.strictEqual(second.payload.iat, Math.floor(now / 1000) + 2 * 3600)
    }))

  it.scoped("assertionAudience \"tokenEndpoint\" is the token URL", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const service = yield* make(endpoint, withKey(Keys.rsa.pem, { assertionAudience: "tokenEndpoint" }))
      yield* service.get
      assert.strictEqual(Jose.decodeJwt(assertionOf(endpoint.requests[0]!)).aud, tokenUrl)
    }))
})

describe("private_key_jwt with a clientAssertion", () => {
  it.scoped("runs the effect again for every token request and sends each assertion as given", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const endpoint = Endpoint.make()
      const service = yield* make(endpoint, {
        tokenUrl,
        clientId,
        authMethod: "private_key_jwt",
        clientAssertion: Effect.map(Ref.updateAndGet(runs, (n) => n + 1), (n) => Redacted.make(`projected.token.${n}`))
      })
      assert.strictEqual(yield* Ref.get(runs), 0, "not run before a token is asked for")
      yield* fetchTwice(service)
      assert.strictEqual(yield* Ref.get(runs), 2)
      assert.deepStrictEqual(endpoint.requests.map(assertAssertionOnly), ["projected.token.1", "projected.token.2"])
    }))

  it.scoped("a cached token does not run the effect", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const endpoint = Endpoint.make()
      const service = yield* make(endpoint, {
        tokenUrl,
        clientId,
        authMethod: "private_key_jwt",
        clientAssertion: Effect.as(Ref.update(runs, (n) => n + 1), Redacted.make("a.b.c"))
      })
      yield* service.get
      yield* service.get
      assert.strictEqual(yield* Ref.get(runs), 1)
    }))

  const refusals: ReadonlyArray<readonly [string, Effect.Effect<Redacted.Redacted<string>, unknown>]> = [
    ["a failure", Effect.fail(new Error("projected token not mounted"))],
    ["a failure that is not an Error", Effect.fail("nope")],
    ["an empty assertion", Effect.succeed(Redacted.make(""))],
    // what a JavaScript caller may give
    ["a string that is not Redacted", Effect.succeed("a.b.c" as unknown as Redacted.Redacted<string>)],
    ["a Redacted non-string", Effect.succeed(Redacted.make(42) as unknown as Redacted.Redacted<string>)],
    // a defect's text may quote what the effect read: it is named by its type only
    [
      "a defect",
      Effect.sync((): Redacted.Redacted<string> => {
        throw new TypeError("cannot parse eyJhbGciOi.secret-part")
      })
    ]
  ]
  for (const [what, clientAssertion] of refusals) {
    it.scoped(`${what} is a TokenError ClientAssertion, and nothing is sent`, () =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const service = yield* make(endpoint, { tokenUrl, clientId, authMethod: "private_key_jwt", clientAssertion })
        const exit = yield* Effect.exit(service.get)
        assert.isTrue(Exit.isFailure(exit))
        const error = Option.getOrThrow(Cause.failureOption((exit as Exit.Failure<unknown, unknown>).cause))
        assert.strictEqual((error as { _tag: string })._tag, "TokenError")
        assert.strictEqual((error as { reason: string }).reason, "ClientAssertion")
        assert.notInclude(String(error), "secret-part")
        assert.strictEqual(endpoint.requests.length, 0)
      }))
  }
})

/** The identity a `private_key_jwt` client's cache keys carry, as the layer computes it. */
const keyIdentityOf = (options: TokenService.Options) =>
  Effect.gen(function*() {
    const checked = credentialOptions.check(options as TokenService.Credentials, false)
    const spec = checked._tag === "Valid" ? checked.value : yield* Effect.dieMessage(checked.problem)
    const authentication = yield* Effect.orDieWith(clientAuthentication.make(clientId, spec), (problem) =>
      new Error(problem))
    return tokenRequest.makeKey({
      endpoint: `TokenUrl:${tokenUrl}`,
      clientId,
      authMethod: authentication.method,
      keyIdentity: authentication.keyIdentity
    }, { ...tokenRequest.empty, scopes: ["read"] }).canonical
  })

describe("the cache key of a signing client", () => {
  it.effect("holds the RFC 7638 thumbprint of the public key, and nothing of the key", () =>
    Effect.gen(function*() {
      for (const key of [Keys.rsa, Keys.p256, Keys.ed25519]) {
        const thumbprint = yield* Effect.promise(() => Jose.calculateJwkThumbprint(key.publicJwk))
        for (const privateKey of [key.pem, key.jwkJson]) {
          const canonical = yield* keyIdentityOf(withKey(privateKey))
          assert.include(canonical, thumbprint)
          assert.include(canonical, "private_key_jwt")
          Leaks.assertNoStart("the cache key", canonical, Keys.partsOf(key))
        }
      }
    }))

  it.effect("differs between two keys, and is the same for one key as PEM and as JWK", () =>
    Effect.gen(function*() {
      const rsaPem = yield* keyIdentityOf(withKey(Keys.rsa.pem))
      assert.strictEqual(yield* keyIdentityOf(withKey(Keys.rsa.jwkJson)), rsaPem)
      assert.notStrictEqual(yield* keyIdentityOf(withKey(Keys.rsa2.pem)), rsaPem)
    }))

  it.effect("of client_secret_jwt holds no part of the secret", () =>
    Effect.gen(function*() {
      const canonical = yield* keyIdentityOf({
        tokenUrl,
        clientId,
        clientSecret: Redacted.make(secret),
        authMethod: "client_secret_jwt"
      })
      assert.include(canonical, "client_secret_jwt")
      Leaks.assertNoStart("the cache key", canonical, {
        ...Object.fromEntries(
          Object.entries(Leaks.encodings).map(([name, encode]) => [`the secret (${name})`, encode(secret)])
        ),
        ...Keys.piecesOf("the secret", secret)
      })
    }))

  it.scoped("two services with different keys get their own tokens from one endpoint", () =>
    Effect.gen(function*() {
      const endpoint = Endpoint.make()
      const first = yield* make(endpoint, withKey(Keys.rsa.pem))
      const second = yield* make(endpoint, withKey(Keys.rsa2.pem))
      const tokens = [yield* first.get, yield* second.get, yield* first.get, yield* second.get].map(Service.value)
      assert.deepStrictEqual(tokens, ["token-1", "token-2", "token-1", "token-2"])
      assert.strictEqual(endpoint.requests.length, 2)
      // each request was signed with its service's key
      const [one, two] = yield* Effect.all([
        Effect.promise(() => Keys.verifierOf(Keys.rsa, "RS256")),
        Effect.promise(() => Keys.verifierOf(Keys.rsa2, "RS256"))
      ])
      yield* Effect.promise(() => Jose.compactVerify(assertionOf(endpoint.requests[0]!), one))
      yield* Effect.promise(() => Jose.compactVerify(assertionOf(endpoint.requests[1]!), two))
    }))
})
