/**
 * The interop harness (`docs/development.md#tests`), proved without the library: plain `fetch` and jose's `SignJWT`
 * against oidc-provider 8. Also the evidence for what oidc-provider expects of a client assertion (see `provider.ts`'s
 * opening comment).
 */
import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Jose from "jose"
import * as Crypto from "node:crypto"
import * as Net from "node:net"
import * as Interop from "./provider.js"

interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

const post = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...headers },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(5_000)
    })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

const get = (url: string) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

/** RFC 6749 §2.3.1: each of id and secret form-encoded, then Basic. */
const basic = (clientId: string, secret: string) => {
  const encode = (value: string) => new URLSearchParams({ value }).toString().slice("value=".length)
  return { authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString("base64")}` }
}

/** A raw TCP connection to 127.0.0.1:`port`, or the error code that prevented it. */
const connect = (port: number) =>
  Effect.async<Either.Either<Net.Socket, string>>((resume) => {
    const socket = Net.createConnection({ host: "127.0.0.1", port })
    socket.once("connect", () => resume(Effect.succeed(Either.right(socket))))
    socket.once("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed(Either.left(error.code ?? "error"))))
  })

const grant = { grant_type: "client_credentials" }

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/** Claims left `undefined` are left out of the assertion. */
interface Claims {
  readonly iss?: string | undefined
  readonly sub?: string | undefined
  readonly aud?: string | ReadonlyArray<string> | undefined
  readonly jti?: string | undefined
  readonly iat?: number | undefined
  readonly exp?: number | undefined
}

const now = () => Math.floor(Date.now() / 1000)

/** An RFC 7523 assertion for `clientId`: `aud` the token endpoint, a fresh `jti`, 60 s of life, unless overridden. */
const assertion = (
  harness: Interop.Harness,
  clientId: string,
  key: Jose.CryptoKey | Uint8Array,
  header: Jose.JWTHeaderParameters,
  claims: Claims = {}
) =>
  Effect.promise(() =>
    new Jose.SignJWT({
      iss: clientId,
      sub: clientId,
      aud: harness.tokenEndpoint,
      jti: Crypto.randomUUID(),
      iat: now(),
      exp: now() + 60,
      ...claims
    } as Jose.JWTPayload).setProtectedHeader(header).sign(key)
  )

const withAssertion = (harness: Interop.Harness, clientAssertion: string, extra: Record<string, string> = {}) =>
  post(harness.tokenEndpoint, {
    ...grant,
    client_assertion_type: jwtBearer,
    client_assertion: clientAssertion,
    ...extra
  })

const importPem = (client: Interop.KeyClient, alg: string) =>
  Effect.promise(() => Jose.importPKCS8(Redacted.value(client.privateKeyPem), alg))

const importJwk = (client: Interop.KeyClient, alg: string) =>
  Effect.promise(() =>
    Jose.importJWK(JSON.parse(Redacted.value(client.privateKeyJwk)) as Jose.JWK, alg)
  ) as Effect.Effect<
    Jose.CryptoKey
  >

const hmacKey = (client: Interop.SecretClient<"client_secret_jwt">) =>
  new TextEncoder().encode(Redacted.value(client.clientSecret))

/** A 200 token response whose token the provider's introspection says is active and the client's. */
const assertIssuedTo = (harness: Interop.Harness, answer: Answer, clientId: string) =>
  Effect.gen(function*() {
    assert.strictEqual(answer.status, 200, JSON.stringify(answer.body))
    assert.strictEqual(answer.body.token_type, "Bearer")
    const token = answer.body.access_token
    assert.isString(token)
    const introspection = yield* harness.introspect(token as string)
    assert.isTrue(introspection.active)
    assert.strictEqual(introspection.clientId, clientId)
  })

/** 401 `invalid_client`, for the reason oidc-provider gives in its `grant.error` event (it sends no detail). */
const lastTokenRequest = (harness: Interop.Harness) => {
  const seen = harness.tokenRequests().at(-1)
  assert.isDefined(seen)
  return seen
}

const assertInvalidClient = (harness: Interop.Harness, answer: Answer, reason: string) => {
  assert.strictEqual(answer.status, 401, JSON.stringify(answer.body))
  assert.strictEqual(answer.body.error, "invalid_client")
  assert.include(harness.refusals().at(-1)?.detail, reason)
}

layer(Interop.layer({ rfc8414: true }), { timeout: 20_000 })("oidc-provider harness", (it) => {
  it.effect("client_secret_basic: an id and a secret that need form-encoding (: % + space)", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const client = harness.clients.basic
      assert.match(Redacted.value(client.clientSecret), /:.*%.*\+ /)
      assert.include(client.clientId, ":")
      const answer = yield* post(
        harness.tokenEndpoint,
        grant,
        basic(client.clientId, Redacted.value(client.clientSecret))
      )
      yield* assertIssuedTo(harness, answer, client.clientId)
      const seen = lastTokenRequest(harness)
      assert.strictEqual(seen.authentication, "client_secret_basic")
      assert.strictEqual(seen.clientId, client.clientId)
      assert.strictEqual(seen.status, 200)
    }))

  it.effect("client_secret_post: the secret in the form body", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const client = harness.clients.post
      assert.match(Redacted.value(client.clientSecret), /:.*%.*\+ /)
      const answer = yield* post(harness.tokenEndpoint, {
        ...grant,
        client_id: client.clientId,
        client_secret: Redacted.value(client.clientSecret)
      })
      yield* assertIssuedTo(harness, answer, client.clientId)
      assert.strictEqual(lastTokenRequest(harness).authentication, "client_secret_post")
    }))

  it.effect("client_secret_jwt: an HS256 assertion over the secret, no secret on the wire", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const client = harness.clients.secretJwt
      const signed = yield* assertion(harness, client.clientId, hmacKey(client), { alg: "HS256" })
      yield* assertIssuedTo(harness, yield* withAssertion(harness, signed), client.clientId)
      const seen = lastTokenRequest(harness)
      assert.strictEqual(seen.authentication, "client_assertion")
      assert.strictEqual(seen.assertion?.header.alg, "HS256")
      assert.strictEqual(seen.assertion?.claims.aud, harness.tokenEndpoint)
    }))

  it.effect("private_key_jwt, RSA: RS256 with the PEM key, PS256 with the JWK", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const client = harness.clients.rsa
      assert.deepStrictEqual(client.algorithms, ["RS256", "PS256"])
      const rs256 = yield* assertion(harness, client.clientId, yield* importPem(client, "RS256"), {
        alg: "RS256",
        kid: client.keyId
      })
      yield* assertIssuedTo(harness, yield* withAssertion(harness, rs256), client.clientId)
      const ps256 = yield* assertion(harness, client.clientId, yield* importJwk(client, "PS256"), { alg: "PS256" })
      yield* assertIssuedTo(harness, yield* withAssertion(harness, ps256), client.clientId)
    }))

  it.effect("private_key_jwt, EC P-256: ES256 with the PEM key and with the JWK", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const client = harness.clients.ec
      for (const key of [yield* importPem(client, "ES256"), yield* importJwk(client, "ES256")]) {
        const signed = yield* assertion(harness, client.clientId, key, { alg: "ES256", kid: client.keyId })
        yield* assertIssuedTo(harness, yield* withAssertion(harness, signed), client.clientId)
      }
    }))

  it.effect("private_key_jwt, Ed25519: EdDSA with the PEM key and with the JWK", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const client = harness.clients.ed25519
      for (const key of [yield* importPem(client, "EdDSA"), yield* importJwk(client, "EdDSA")]) {
        const signed = yield* assertion(harness, client.clientId, key, { alg: "EdDSA" })
        yield* assertIssuedTo(harness, yield* withAssertion(harness, signed), client.clientId)
      }
    }))

  it.effect("resource indicator: a JWT access token for the resource, verified against the provider's JWKS", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const client = harness.clients.basic
      const answer = yield* post(
        harness.tokenEndpoint,
        { ...grant, scope: Interop.resourceScope, resource: Interop.resource },
        basic(client.clientId, Redacted.value(client.clientSecret))
      )
      assert.strictEqual(answer.status, 200, JSON.stringify(answer.body))
      assert.strictEqual(answer.body.scope, Interop.resourceScope)
      const claims = yield* harness.verifyJwt(Redacted.make(answer.body.access_token as string))
      assert.strictEqual(claims.aud, Interop.resource)
      assert.strictEqual(claims.client_id, client.clientId)
      assert.strictEqual(claims.scope, Interop.resourceScope)
      assert.strictEqual(claims.iss, harness.issuer)
    }))

  it.effect("without resource the token is opaque and the resource's scope is dropped", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const client = harness.clients.post
      const answer = yield* post(harness.tokenEndpoint, {
        ...grant,
        scope: Interop.resourceScope,
        client_id: client.clientId,
        client_secret: Redacted.value(client.clientSecret)
      })
      yield* assertIssuedTo(harness, answer, client.clientId)
      assert.isUndefined(answer.body.scope)
      const verified = yield* Effect.either(harness.verifyJwt(answer.body.access_token as string))
      assert.isTrue(Either.isLeft(verified), "an opaque token is no JWT")
    }))

  it.effect("a resource the provider does not know is refused: 400 invalid_target", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const client = harness.clients.basic
      const answer = yield* post(
        harness.tokenEndpoint,
        { ...grant, resource: "https://other.example.com/" },
        basic(client.clientId, Redacted.value(client.clientSecret))
      )
      assert.strictEqual(answer.status, 400)
      assert.strictEqual(answer.body.error, "invalid_target")
    }))

  it.effect("the checks can fail: introspection of an unknown token, a JWT signed by another key", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      assert.isFalse((yield* harness.introspect("not-a-token-the-provider-issued")).active)
      const { privateKey } = yield* Effect.promise(() => Jose.generateKeyPair("ES256"))
      const forged = yield* Effect.promise(() =>
        new Jose.SignJWT({ client_id: harness.clients.basic.clientId, aud: Interop.resource })
          .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "provider-signing" })
          .setIssuer(harness.issuer)
          .setIssuedAt()
          .setExpirationTime("5m")
          .sign(privateKey)
      )
      const rejected = yield* Effect.flip(harness.verifyJwt(forged))
      assert.strictEqual(rejected._tag, "JwtRejected")
      assert.strictEqual(rejected.code, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED")
    }))

  it.effect("a private key the provider does not know: 401 invalid_client, for each key type", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      for (
        const [client, alg] of [
          [harness.clients.rsa, "RS256"],
          [harness.clients.ec, "ES256"],
          [harness.clients.ed25519, "EdDSA"]
        ] as const
      ) {
        const { privateKey } = yield* Effect.promise(() => Jose.generateKeyPair(alg))
        // the registered kid too: a key that merely claims to be the client's
        const signed = yield* assertion(harness, client.clientId, privateKey, { alg, kid: client.keyId })
        assertInvalidClient(harness, yield* withAssertion(harness, signed), "signature verification failed")
      }
    }))

  it.effect("a wrong secret: 401 invalid_client for basic, post and client_secret_jwt", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      const { basic: basicClient, post: postClient, secretJwt } = harness.clients
      assertInvalidClient(
        harness,
        yield* post(harness.tokenEndpoint, grant, basic(basicClient.clientId, "wrong:%+ secret")),
        "invalid secret provided"
      )
      assertInvalidClient(
        harness,
        yield* post(harness.tokenEndpoint, { ...grant, client_id: postClient.clientId, client_secret: "wrong" }),
        "invalid secret provided"
      )
      const signed = yield* assertion(
        harness,
        secretJwt.clientId,
        new TextEncoder().encode("a-wrong-secret-that-is-long-enough-for-hs256"),
        { alg: "HS256" }
      )
      assertInvalidClient(harness, yield* withAssertion(harness, signed), "signature verification failed")
    }))

  it.effect("discovery at both URL forms: the provider's own metadata, the four methods and the algorithms", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      assert.strictEqual(harness.rfc8414Url, `${harness.origin}/.well-known/oauth-authorization-server/tenant-a`)
      assert.strictEqual(harness.openidConfigurationUrl, `${harness.issuer}/.well-known/openid-configuration`)
      const rfc8414 = yield* get(harness.rfc8414Url)
      const openid = yield* get(harness.openidConfigurationUrl)
      assert.strictEqual(rfc8414.status, 200)
      assert.strictEqual(openid.status, 200)
      assert.deepStrictEqual(rfc8414.body, openid.body)
      const metadata = rfc8414.body
      assert.strictEqual(metadata.issuer, harness.issuer)
      assert.strictEqual(metadata.token_endpoint, harness.tokenEndpoint)
      assert.strictEqual(metadata.token_endpoint, `${harness.issuer}/token`)
      assert.strictEqual(metadata.introspection_endpoint, harness.introspectionEndpoint)
      assert.sameMembers(metadata.token_endpoint_auth_methods_supported as Array<string>, [
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
        "private_key_jwt"
      ])
      assert.sameMembers(metadata.token_endpoint_auth_signing_alg_values_supported as Array<string>, [
        "HS256",
        "RS256",
        "PS256",
        "ES256",
        "EdDSA"
      ])
    }))

  describe("what oidc-provider 8 expects of a client assertion", () => {
    const signWith = (harness: Interop.Harness, claims: Claims, header: Partial<Jose.JWTHeaderParameters> = {}) =>
      Effect.gen(function*() {
        const client = harness.clients.ec
        const key = yield* importPem(client, "ES256")
        return yield* assertion(harness, client.clientId, key, { alg: "ES256", ...header }, claims)
      })

    it.effect("aud: the issuer, the token endpoint, or a list holding one; nothing else", () =>
      Effect.gen(function*() {
        const harness = yield* Interop.InteropProvider
        const clientId = harness.clients.ec.clientId
        for (const aud of [harness.issuer, harness.tokenEndpoint, ["https://elsewhere.example.com", harness.issuer]]) {
          yield* assertIssuedTo(harness, yield* withAssertion(harness, yield* signWith(harness, { aud })), clientId)
        }
        for (const aud of [harness.origin, `${harness.issuer}/`, harness.introspectionEndpoint]) {
          assertInvalidClient(
            harness,
            yield* withAssertion(harness, yield* signWith(harness, { aud })),
            "audience (aud) must equal the endpoint url, issuer identifier or token endpoint url"
          )
        }
      }))

    it.effect("jti: required, and used once", () =>
      Effect.gen(function*() {
        const harness = yield* Interop.InteropProvider
        assertInvalidClient(
          harness,
          yield* withAssertion(harness, yield* signWith(harness, { jti: undefined })),
          "unique jti (JWT ID) must be provided"
        )
        const once = yield* signWith(harness, {})
        yield* assertIssuedTo(harness, yield* withAssertion(harness, once), harness.clients.ec.clientId)
        assertInvalidClient(
          harness,
          yield* withAssertion(harness, once),
          "client assertion tokens must only be used once"
        )
      }))

    it.effect("exp: required, 15 s of tolerance, no upper bound; iat optional", () =>
      Effect.gen(function*() {
        const harness = yield* Interop.InteropProvider
        const clientId = harness.clients.ec.clientId
        assertInvalidClient(
          harness,
          yield* withAssertion(harness, yield* signWith(harness, { exp: undefined })),
          "expiration must be specified"
        )
        assertInvalidClient(
          harness,
          yield* withAssertion(harness, yield* signWith(harness, { iat: now() - 60, exp: now() - 16 })),
          "jwt expired"
        )
        for (const claims of [{ exp: now() - 5 }, { exp: now() + 3600 }, { iat: undefined }]) {
          yield* assertIssuedTo(harness, yield* withAssertion(harness, yield* signWith(harness, claims)), clientId)
        }
      }))

    it.effect("iss and sub: the client id; a client_id in the body must match; a kid must be the registered one", () =>
      Effect.gen(function*() {
        const harness = yield* Interop.InteropProvider
        const client = harness.clients.ec
        assertInvalidClient(
          harness,
          yield* withAssertion(harness, yield* signWith(harness, { iss: "someone-else" })),
          "iss (JWT issuer) must be the client_id"
        )
        const mismatch = yield* withAssertion(harness, yield* signWith(harness, {}), { client_id: "someone-else" })
        assert.strictEqual(mismatch.status, 400)
        assert.strictEqual(mismatch.body.error, "invalid_request")
        const matching = yield* withAssertion(harness, yield* signWith(harness, {}), { client_id: client.clientId })
        yield* assertIssuedTo(harness, matching, client.clientId)
        assertInvalidClient(
          harness,
          yield* withAssertion(harness, yield* signWith(harness, {}, { kid: "not-registered" })),
          "no applicable key found"
        )
      }))

    it.effect("HS256 for a private_key_jwt client, RS256 for a client_secret_jwt one, jose 6's \"Ed25519\": refused", () =>
      Effect.gen(function*() {
        const harness = yield* Interop.InteropProvider
        const client = harness.clients.rsa
        const hs256 = yield* assertion(harness, client.clientId, new TextEncoder().encode("x".repeat(32)), {
          alg: "HS256"
        })
        assertInvalidClient(harness, yield* withAssertion(harness, hs256), "alg mismatch")
        const secretJwt = harness.clients.secretJwt
        const rs256 = yield* assertion(harness, secretJwt.clientId, yield* importPem(client, "RS256"), { alg: "RS256" })
        assertInvalidClient(harness, yield* withAssertion(harness, rs256), "alg mismatch")
        // jose 6 also signs with the fully-specified "Ed25519" (RFC 9864); oidc-provider 8 knows "EdDSA" only
        const ed25519 = harness.clients.ed25519
        const fullySpecified = yield* assertion(harness, ed25519.clientId, yield* importPem(ed25519, "Ed25519"), {
          alg: "Ed25519"
        })
        assertInvalidClient(harness, yield* withAssertion(harness, fullySpecified), "alg mismatch")
      }))
  })

  it.effect("the provider met no error of its own; received lists the tests' requests, not the harness's", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.InteropProvider
      assert.deepStrictEqual(harness.serverErrors(), [])
      const paths = harness.received().map(({ path }) => path)
      assert.include(paths, "/tenant-a/token")
      assert.include(paths, "/.well-known/oauth-authorization-server/tenant-a")
      assert.isFalse(paths.some((path) => path.includes("?")))
      assert.notInclude(paths, "/tenant-a/token/introspection")
      assert.notInclude(paths, "/tenant-a/jwks")
    }))
})

describe("oidc-provider harness, its own scope", () => {
  it.live("without rfc8414: 404 at RFC 8414's URL, the OpenID document under the issuer", () =>
    Effect.gen(function*() {
      const harness = yield* Interop.start({ rfc8414: false })
      const rfc8414 = yield* get(harness.rfc8414Url)
      assert.strictEqual(rfc8414.status, 404)
      const openid = yield* get(harness.openidConfigurationUrl)
      assert.strictEqual(openid.status, 200)
      assert.strictEqual(openid.body.issuer, harness.issuer)
    }).pipe(Effect.scoped), 10_000)

  it.live(
    "closed when the scope closes, a connection in the middle of a request included",
    () =>
      Effect.gen(function*() {
        const { closed, port } = yield* Effect.scoped(
          Effect.gen(function*() {
            const harness = yield* Interop.start()
            const port = Number(new URL(harness.origin).port)
            const socket = yield* Effect.flatten(connect(port))
            // headers never finished: a connection `server.close()` alone would wait for
            socket.write("POST /tenant-a/token HTTP/1.1\r\nhost: 127.0.0.1\r\n")
            const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()))
            return { closed, port }
          })
        ).pipe(Effect.timeoutFail({ duration: "3 seconds", onTimeout: () => new Error("the scope did not close") }))
        yield* Effect.promise(() => closed)
        const refused = yield* connect(port)
        assert.strictEqual(Either.isLeft(refused) ? refused.left : "connected", "ECONNREFUSED")
      }),
    10_000
  )
})
