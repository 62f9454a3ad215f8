/**
 * Client authentication on Effect 4 (`docs/authentication.md`): the assertions `client_secret_jwt` and
 * `private_key_jwt` sign, verified with `jose` — their header, their claims on `TestClock`'s time, their audience —, a
 * key's identity in cache keys, and an assertion made elsewhere, refused in words that never quote it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import * as Jose from "jose"
import * as clientAuthentication from "../src/internal/clientAuthentication.js"
import * as TokenError from "../src/TokenError.js"

const clientId = "client-1"
const secret = "a-shared-secret-of-32-bytes-or-more!"
const destination: clientAuthentication.Destination = {
  tokenUrl: new URL("https://login.example.com/oauth2/token"),
  issuer: "https://login.example.com/"
}
const now = 1_700_000_000_000

const es256 = await Jose.generateKeyPair("ES256", { extractable: true })
const es256Pem = await Jose.exportPKCS8(es256.privateKey)
const es256Public = await Jose.exportJWK(es256.publicKey)

/** The assertion in `credentials`' form parameters. */
const assertionOf = (credentials: clientAuthentication.Credentials): string => {
  const params = new Map(credentials.params)
  assert.strictEqual(params.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
  assert.strictEqual(params.get("client_id"), clientId)
  const assertion = params.get("client_assertion") ?? ""
  assert.notStrictEqual(assertion, "")
  assert.deepStrictEqual(credentials.secrets, [assertion], "the assertion is a value to redact")
  return assertion
}

/** Verifies `assertion` with `key` at the test's time; its header and claims. */
const verify = (assertion: string, key: Jose.CryptoKey | Uint8Array, algorithm: string) =>
  Effect.promise(() => Jose.jwtVerify(assertion, key, { algorithms: [algorithm], currentDate: new Date(now) }))

describe("client_secret_jwt", () => {
  it.effect("an HS256 assertion over the secret: iss and sub the client, aud the token endpoint, 60 s from now", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const authentication = yield* clientAuthentication.make(clientId, {
        _tag: "SecretJwt",
        secret: Redacted.make(secret),
        audience: "tokenEndpoint"
      })
      assert.strictEqual(authentication.method, "client_secret_jwt")
      const assertion = assertionOf(yield* authentication.credentials(destination))
      const { payload, protectedHeader } = yield* verify(assertion, new TextEncoder().encode(secret), "HS256")
      assert.deepStrictEqual(protectedHeader, { alg: "HS256", typ: "JWT" })
      assert.strictEqual(payload.iss, clientId)
      assert.strictEqual(payload.sub, clientId)
      assert.strictEqual(payload.aud, destination.tokenUrl.href)
      assert.strictEqual(payload.iat, now / 1000)
      assert.strictEqual(payload.exp, now / 1000 + 60)
      assert.isString(payload.jti)
      const second = assertionOf(yield* authentication.credentials(destination))
      assert.notStrictEqual(second, assertion, "a fresh assertion for every request")
    }))

  it.effect("audience issuer: aud is the issuer as published", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const authentication = yield* clientAuthentication.make(clientId, {
        _tag: "SecretJwt",
        secret: Redacted.make(secret),
        audience: "issuer"
      })
      const assertion = assertionOf(yield* authentication.credentials(destination))
      const { payload } = yield* verify(assertion, new TextEncoder().encode(secret), "HS256")
      assert.strictEqual(payload.aud, destination.issuer)
    }))
})

describe("private_key_jwt", () => {
  it.effect("a PKCS#8 EC key: ES256 found by probing, signed with the key, its kid; identity its thumbprint", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const authentication = yield* clientAuthentication.make(clientId, {
        _tag: "PrivateKey",
        key: { _tag: "Pem", pem: Redacted.make(es256Pem) },
        algorithm: undefined,
        keyId: "key-1",
        audience: "tokenEndpoint"
      })
      assert.strictEqual(authentication.method, "private_key_jwt")
      assert.strictEqual(
        authentication.keyIdentity,
        `jkt:${yield* Effect.promise(() => Jose.calculateJwkThumbprint(es256Public))}`
      )
      const assertion = assertionOf(yield* authentication.credentials(destination))
      const { payload, protectedHeader } = yield* verify(assertion, es256.publicKey, "ES256")
      assert.deepStrictEqual(protectedHeader, { alg: "ES256", typ: "JWT", kid: "key-1" })
      assert.strictEqual(payload.sub, clientId)
      assert.strictEqual(payload.exp, now / 1000 + 60)
    }))

  it.effect("a key that does not fit the algorithm: the layer fails, in words that show nothing of the key", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        clientAuthentication.make(clientId, {
          _tag: "PrivateKey",
          key: { _tag: "Pem", pem: Redacted.make(es256Pem) },
          algorithm: "RS256",
          keyId: undefined,
          audience: "tokenEndpoint"
        })
      )
      assert.deepStrictEqual(exit, Exit.fail("privateKey does not fit signingAlgorithm RS256"))
    }))
})

describe("an assertion made elsewhere", () => {
  const assertionCredentials = (assertion: Effect.Effect<Redacted.Redacted<string>, unknown>) =>
    Effect.flatMap(
      clientAuthentication.make(clientId, { _tag: "Assertion", assertion }),
      (authentication) => Effect.flip(authentication.credentials(destination))
    )

  it.effect("its failure, its defect, or no JWS: a TokenError ClientAssertion that quotes none of it", () =>
    Effect.gen(function*() {
      const quoted = "eyJhbGciOiJSUzI1NiJ9.SECRET-PAYLOAD.sig"
      const cases: ReadonlyArray<readonly [Effect.Effect<Redacted.Redacted<string>, unknown>, string]> = [
        [Effect.fail(new Error(quoted)), "the clientAssertion effect failed (Error)"],
        [Effect.die(new Error(quoted)), "the clientAssertion effect died (Error)"],
        [Effect.succeed(Redacted.make("")), "the clientAssertion effect gave no assertion"],
        [Effect.succeed(Redacted.make(`${quoted} x`)), "the clientAssertion effect gave an assertion that is no"]
      ]
      for (const [assertion, detail] of cases) {
        const error = yield* assertionCredentials(assertion)
        assert.isTrue(TokenError.isTokenError(error))
        assert.strictEqual(error.reason, "ClientAssertion")
        assert.strictEqual(error.origin, "https://login.example.com")
        assert.isTrue(error.detail?.startsWith(detail), error.detail)
        for (const text of [error.message, JSON.stringify(error), String(error)]) {
          assert.notInclude(text, "SECRET-PAYLOAD")
        }
      }
    }))

  it.effect("a compact JWS is sent as it is, and redacted in errors of the request", () =>
    Effect.gen(function*() {
      const jws = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjIn0.c2ln"
      const authentication = yield* clientAuthentication.make(clientId, {
        _tag: "Assertion",
        assertion: Effect.succeed(Redacted.make(jws))
      })
      assert.strictEqual(authentication.keyIdentity, "assertion")
      assert.strictEqual(assertionOf(yield* authentication.credentials(destination)), jws)
    }))
})
