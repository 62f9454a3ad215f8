/**
 * The wire (`docs/behaviour.md#the-wire`): a `POST` of an `application/x-www-form-urlencoded` form that accepts JSON,
 * with every configured parameter; what each client authentication method sends
 * (`docs/configuration.md#client-authentication`): `client_secret_basic` form-urlencodes the id and secret before
 * Base64 (RFC 6749 §2.3.1), `client_secret_post` puts them in the body, `client_secret_jwt` and `private_key_jwt`
 * send an RFC 7523 assertion and nothing else that authenticates, `private_key_jwt` with a `certificate` naming it
 * by its `x5t#S256` (and its chain in `x5c` when asked), as Microsoft Entra ID takes a certificate credential; and no
 * redirect is ever followed, on any of the line's socket clients. Assertions are checked with `jose`, and by a token
 * endpoint that verifies them with `node:crypto`, independently of how the line signs them. As a property (with
 * fast-check): any client id and secret (`:`, `%`, `+`, spaces, Unicode; control characters in the secret) arrive
 * intact through `client_secret_basic` and `client_secret_post`, as a standards-following server decodes them.
 *
 * @since 0.1.0
 */
import * as FastCheck from "fast-check"
import * as Jose from "jose"
import * as Crypto from "node:crypto"
import * as Certificates from "./fixtures/Certificates.js"
import * as Kit from "./internal/kit.js"
import * as Server from "./internal/server.js"
import type * as Line from "./Line.js"
import type { Assert, Suite } from "./TestApi.js"

/** How a server decodes `client_secret_basic` (RFC 6749 §2.3.1): Base64, split at the first colon, form-decode. */
const decodeBasic = (assert: Assert, header: string | undefined) => {
  const authorization = header ?? ""
  assert.match(authorization, /^Basic [A-Za-z0-9+/]+=*$/)
  const decoded = Buffer.from(authorization.slice("Basic ".length), "base64").toString("latin1")
  const colon = decoded.indexOf(":")
  const formDecode = (text: string) => new URLSearchParams(`v=${text}`).get("v")
  return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) }
}

/** Text with what the encodings must get right, and any Unicode character. */
const anyText = FastCheck.string({
  unit: FastCheck.oneof(
    FastCheck.constantFrom(":", "%", "+", " ", "%2B", "%3A", "&", "=", "é", "€", "😀", "\u0000", "\n"),
    FastCheck.string({ unit: "binary", minLength: 1, maxLength: 1 })
  ),
  minLength: 1,
  maxLength: 24
})

// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/

/** A client id: never empty, no control character (refused as an option). */
const anyClientId = anyText.filter((id) => !controlCharacter.test(id))

/** RFC 7523 §2.2. */
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/** A moment with milliseconds, so that `iat` must be rounded down to whole seconds. */
const now = Date.UTC(2026, 0, 15, 9, 30, 0, 789)

/** Checks that a request authenticates with an assertion only, and returns it. */
const assertionOnly = (assert: Assert, request: Line.RecordedRequest): string => {
  const form = Kit.form(request)
  assert.strictEqual(form.get("grant_type"), "client_credentials")
  assert.strictEqual(form.get("client_assertion_type"), jwtBearer)
  assert.strictEqual(form.get("client_id"), Kit.clientId)
  assert.strictEqual(form.getAll("client_assertion").length, 1)
  assert.isFalse(form.has("client_secret"), "no client_secret in the form")
  assert.isUndefined(request.headers["authorization"], "no Authorization header")
  return form.get("client_assertion")!
}

/** The protected header of a compact JWS, and its signing input and signature. */
const jwsParts = (assertion: string) => {
  const [header = "", payload = "", signature = ""] = assertion.split(".")
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>,
    signed: Buffer.from(`${header}.${payload}`),
    signature: Buffer.from(signature, "base64url")
  }
}

/**
 * A token endpoint that knows a client by the certificate registered for it, as Entra ID does: the assertion's
 * `x5t#S256` must name that certificate, and the certificate's public key must verify it (PS256 or RS256); anything
 * else is `invalid_client`.
 */
const certificateEndpoint = (registered: Certificates.TestCertificate) => (request: Line.RecordedRequest) => {
  const refused = (why: string) => Kit.oauthError("invalid_client", 401, { error_description: why })
  const { header, signature, signed } = jwsParts(Kit.form(request).get("client_assertion") ?? "..")
  if (header["x5t#S256"] !== registered.thumbprint) return refused("no certificate registered under this x5t#S256")
  const key = new Crypto.X509Certificate(registered.pem).publicKey
  const verified = header.alg === "PS256"
    ? Crypto.verify(
      "sha256",
      signed,
      { key, padding: Crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      signature
    )
    : header.alg === "RS256" && Crypto.verify("sha256", signed, key, signature)
  return verified ? Kit.token() : refused("the certificate's key does not verify the assertion")
}

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("the wire", () => {
    it("POSTs a client-credentials form that accepts JSON, with every configured parameter", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({
          scopes: ["write", "read"],
          audience: "https://api.example.com",
          resource: ["https://b.example.com/", "https://a.example.com/"],
          extraParams: { tenant: "t-1", "x-mode": "a b&c=d" }
        }))
        await Kit.valueOf(service.get())
        assert.strictEqual(net.requests().length, 1)
        const request = net.requests()[0]!
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.url, Kit.tokenUrl)
        assert.strictEqual(request.headers["content-type"], "application/x-www-form-urlencoded")
        assert.strictEqual(request.headers["accept"], "application/json")
        const form = Kit.form(request)
        assert.deepStrictEqual(form.getAll("grant_type"), ["client_credentials"])
        assert.deepStrictEqual(form.getAll("scope"), ["read write"])
        assert.include(request.body, "scope=read+write")
        assert.deepStrictEqual(form.getAll("audience"), ["https://api.example.com"])
        assert.deepStrictEqual(form.getAll("resource"), ["https://a.example.com/", "https://b.example.com/"])
        assert.deepStrictEqual(form.getAll("tenant"), ["t-1"])
        assert.deepStrictEqual(form.getAll("x-mode"), ["a b&c=d"])
        assert.deepStrictEqual(
          Kit.distinct([...form.keys()]).sort(),
          ["audience", "grant_type", "resource", "scope", "tenant", "x-mode"]
        )
      }))

    it("one resource is one resource parameter", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ resource: "https://a.example.com/" }))
        await Kit.valueOf(service.get())
        assert.deepStrictEqual(Kit.form(net.requests()[0]!).getAll("resource"), ["https://a.example.com/"])
      }))

    it("leaves scope, audience and resource out when there are none", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ scopes: ["read"], audience: "aud" }))
        await Kit.valueOf(service.get({ scopes: [], audience: null }))
        const bare = await net.service(Kit.optionsWith({ scopes: [] }))
        await Kit.valueOf(bare.get())
        assert.strictEqual(net.requests().length, 2)
        for (const request of net.requests()) {
          assert.deepStrictEqual(Kit.distinct([...Kit.form(request).keys()]), ["grant_type"])
          assert.notInclude(request.body, "scope")
        }
      }))

    it("a request sends its own scopes, audience, resources and merged extra parameters", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({
          scopes: ["read"],
          audience: "configured",
          extraParams: { tenant: "t-1", keep: "yes" }
        }))
        await Kit.valueOf(service.get({
          scopes: ["admin", "audit"],
          resource: ["https://r2.example.com/", "https://r1.example.com/"],
          extraParams: { tenant: "t-2", keep: null, added: "1" }
        }))
        const form = Kit.form(net.requests()[0]!)
        assert.deepStrictEqual(form.getAll("scope"), ["admin audit"])
        assert.deepStrictEqual(form.getAll("audience"), ["configured"])
        assert.deepStrictEqual(form.getAll("resource"), ["https://r1.example.com/", "https://r2.example.com/"])
        assert.deepStrictEqual(form.getAll("tenant"), ["t-2"])
        assert.deepStrictEqual(form.getAll("added"), ["1"])
        assert.isFalse(form.has("keep"))
      }))

    it("client_secret_basic (the default) form-urlencodes the id and secret before Base64 (RFC 6749 §2.3.1)", () =>
      Kit.withScripted(line, {}, async (net) => {
        const clientId = "client:one é+%"
        const secrets = [Kit.clientSecret, "a:b:c", "100%", "p+q r", "ünïcødé€😀", "x=y&z"]
        for (const secret of secrets) {
          const service = await net.service(Kit.optionsWith({ clientId, clientSecret: secret }))
          await Kit.valueOf(service.get())
          const request = net.requests().at(-1)!
          assert.deepStrictEqual(decodeBasic(assert, request.headers["authorization"]), {
            clientId,
            clientSecret: secret
          })
          assert.isFalse(Kit.form(request).has("client_id"))
          assert.isFalse(Kit.form(request).has("client_secret"))
          assert.notInclude(request.body, "client_secret")
        }
        assert.strictEqual(net.requests().length, secrets.length)
      }))

    it("any client id and secret arrive intact through client_secret_basic and client_secret_post (property)", () =>
      Kit.withScripted(line, {}, async (net) => {
        await FastCheck.assert(
          FastCheck.asyncProperty(
            anyClientId,
            anyText,
            FastCheck.constantFrom("client_secret_basic" as const, "client_secret_post" as const),
            async (clientId, clientSecret, authMethod) => {
              const service = await net.service(Kit.optionsWith({ clientId, clientSecret, authMethod }))
              try {
                await Kit.valueOf(service.get())
              } finally {
                await service.close()
              }
              const request = net.requests().at(-1)!
              const form = Kit.form(request)
              if (authMethod === "client_secret_basic") {
                assert.deepStrictEqual(decodeBasic(assert, request.headers["authorization"]), {
                  clientId,
                  clientSecret
                })
                assert.deepStrictEqual([form.has("client_id"), form.has("client_secret")], [false, false])
              } else {
                assert.isUndefined(request.headers["authorization"])
                assert.deepStrictEqual([form.getAll("client_id"), form.getAll("client_secret")], [[clientId], [
                  clientSecret
                ]])
              }
            }
          ),
          { numRuns: 150 }
        )
      }))

    it("client_secret_post puts the id and secret in the body and sends no Authorization header", () =>
      Kit.withScripted(line, {}, async (net) => {
        const clientId = "client:one é"
        const service = await net.service(
          Kit.optionsWith({ clientId, authMethod: "client_secret_post", scopes: ["read"] })
        )
        await Kit.valueOf(service.get())
        const request = net.requests()[0]!
        const form = Kit.form(request)
        assert.isUndefined(request.headers["authorization"])
        assert.deepStrictEqual(form.getAll("client_id"), [clientId])
        assert.deepStrictEqual(form.getAll("client_secret"), [Kit.clientSecret])
        assert.deepStrictEqual(form.getAll("grant_type"), ["client_credentials"])
        assert.deepStrictEqual(form.getAll("scope"), ["read"])
      }))

    it("client_secret_jwt sends an RFC 7523 assertion signed with HS256 over the secret, a new one per request", () =>
      Kit.withScripted(line, {}, async (net) => {
        await Kit.setTime(net, now)
        const service = await net.service(Kit.optionsWith({ authMethod: "client_secret_jwt" }))
        await Kit.valueOf(service.get())
        await net.advance(7_200_000)
        await Kit.valueOf(service.get())
        assert.strictEqual(net.requests().length, 2)
        const [first, second] = net.requests().map((request) => assertionOnly(assert, request))
        assert.deepStrictEqual(Kit.distinct([...Kit.form(net.requests()[0]!).keys()]).sort(), [
          "client_assertion",
          "client_assertion_type",
          "client_id",
          "grant_type"
        ])
        assert.notInclude(net.requests()[0]!.body, encodeURIComponent(Kit.clientSecret))
        const { payload, protectedHeader } = await Jose.jwtVerify(first!, new TextEncoder().encode(Kit.clientSecret), {
          algorithms: ["HS256"],
          currentDate: new Date(now),
          issuer: Kit.clientId,
          subject: Kit.clientId,
          audience: Kit.tokenUrl,
          requiredClaims: ["jti", "iat", "exp"]
        })
        assert.strictEqual(protectedHeader.alg, "HS256")
        // one audience, as a string: what RFC 7523 servers compare
        assert.strictEqual(payload.aud, Kit.tokenUrl)
        assert.strictEqual(payload.iat, Math.floor(now / 1000))
        assert.strictEqual(payload.exp, payload.iat! + 60)
        const next = Jose.decodeJwt(second!)
        assert.notStrictEqual(next.jti, payload.jti)
        assert.strictEqual(next.iat, Math.floor(now / 1000) + 7200)
      }))

    for (const alg of ["ES256", "RS256", "EdDSA"] as const) {
      it(`private_key_jwt with a PKCS#8 PEM signs ${alg}; the public key verifies it`, () =>
        Kit.withScripted(line, {}, async (net) => {
          await Kit.setTime(net, now)
          const { privateKey, publicKey } = await Jose.generateKeyPair(alg, { extractable: true })
          const service = await net.service({
            tokenUrl: Kit.tokenUrl,
            clientId: Kit.clientId,
            authMethod: "private_key_jwt",
            privateKey: await Jose.exportPKCS8(privateKey)
          })
          await Kit.valueOf(service.get())
          const assertion = assertionOnly(assert, net.requests()[0]!)
          const { payload, protectedHeader } = await Jose.jwtVerify(assertion, publicKey, {
            algorithms: [alg],
            currentDate: new Date(now),
            issuer: Kit.clientId,
            subject: Kit.clientId,
            audience: Kit.tokenUrl,
            requiredClaims: ["jti", "iat", "exp"]
          })
          assert.strictEqual(protectedHeader.alg, alg)
          assert.isUndefined(protectedHeader.kid)
          assert.strictEqual(payload.exp, payload.iat! + 60)
        }))
    }

    describe("private_key_jwt with a certificate (Microsoft Entra ID)", () => {
      const client = Certificates.client("rsa")
      const withCertificate = (more: Line.ServiceOptions) => ({
        tokenUrl: Kit.tokenUrl,
        clientId: Kit.clientId,
        authMethod: "private_key_jwt" as const,
        privateKey: client.privateKeyPem,
        ...more
      })

      it("PS256, named by x5t#S256 (the SHA-256 of the certificate's DER): the endpoint verifies it with the certificate", () =>
        Kit.withScripted(line, { fallback: certificateEndpoint(client.certificate) }, async (net) => {
          await Kit.setTime(net, now)
          const service = await net.service(
            withCertificate({ certificate: client.certificate.pem, signingAlgorithm: "PS256" })
          )
          await Kit.valueOf(service.get())
          const assertion = assertionOnly(assert, net.requests()[0]!)
          const { protectedHeader } = await Jose.jwtVerify(
            assertion,
            await Jose.importX509(client.certificate.pem, "PS256"),
            {
              algorithms: ["PS256"],
              currentDate: new Date(now),
              issuer: Kit.clientId,
              subject: Kit.clientId,
              audience: Kit.tokenUrl,
              requiredClaims: ["jti", "iat", "exp"]
            }
          )
          const thumbprint = Crypto.createHash("sha256").update(client.certificate.der).digest("base64url")
          assert.deepStrictEqual(protectedHeader, { alg: "PS256", typ: "JWT", "x5t#S256": thumbprint })
        }))

      it("RS256 with sendCertificateChain and keyId: x5c holds the chain in standard base64, the key's first; kid too", () =>
        Kit.withScripted(line, { fallback: certificateEndpoint(client.certificate) }, async (net) => {
          const service = await net.service(
            withCertificate({ certificate: client.chain, sendCertificateChain: true, keyId: "entra-key-1" })
          )
          await Kit.valueOf(service.get())
          const { header } = jwsParts(assertionOnly(assert, net.requests()[0]!))
          assert.deepStrictEqual(header, {
            alg: "RS256",
            typ: "JWT",
            kid: "entra-key-1",
            "x5t#S256": client.certificate.thumbprint,
            x5c: [client.certificate.base64, client.authority.base64]
          })
          assert.strictEqual(
            Buffer.from((header.x5c as ReadonlyArray<string>)[0]!, "base64").compare(client.certificate.der),
            0
          )
        }))

      it("the chain is not sent unless asked; without a certificate, such an endpoint refuses the key", () =>
        Kit.withScripted(line, { fallback: certificateEndpoint(client.certificate) }, async (net) => {
          const chained = await net.service(withCertificate({ certificate: client.chain }))
          await Kit.valueOf(chained.get())
          const { header } = jwsParts(assertionOnly(assert, net.requests()[0]!))
          assert.strictEqual(header["x5t#S256"], client.certificate.thumbprint)
          assert.isFalse("x5c" in header)
          const bare = await net.service(withCertificate({ keyId: "entra-key-1" }))
          const error = await Kit.errorOf(bare.get())
          assert.deepStrictEqual([error.tag, error.reason, error.fields.error], [
            "TokenError",
            "OAuth",
            "invalid_client"
          ])
        }))
    })

    it("private_key_jwt with a clientAssertion sends it as given", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service({
          tokenUrl: Kit.tokenUrl,
          clientId: Kit.clientId,
          authMethod: "private_key_jwt",
          clientAssertion: "projected.token.1"
        })
        await Kit.valueOf(service.get())
        await Kit.valueOf(service.get())
        assert.deepStrictEqual(net.requests().map((request) => assertionOnly(assert, request)), ["projected.token.1"])
      }))

    for (const [what, assertion] of [["an empty assertion", ""], ["one that is not a compact JWS", "not-a-jws"]]) {
      it(`a clientAssertion that is ${what} is TokenError ClientAssertion, and nothing is sent`, () =>
        Kit.withScripted(line, {}, async (net) => {
          const service = await net.service({
            tokenUrl: Kit.tokenUrl,
            clientId: Kit.clientId,
            authMethod: "private_key_jwt",
            clientAssertion: assertion!
          })
          const error = await Kit.errorOf(service.get())
          assert.strictEqual(error.tag, "TokenError")
          assert.strictEqual(error.reason, "ClientAssertion")
          assert.strictEqual(net.requests().length, 0)
        }))
    }

    for (const status of [301, 302, 303, 307, 308]) {
      it(`a ${status} is TokenError InvalidResponse and its Location is never requested`, () =>
        Kit.withScripted(line, {}, async (net) => {
          net.script(Kit.respond(status, undefined, { location: "https://elsewhere.example.com/token" }))
          const service = await net.service(Kit.optionsWith({ retry: { times: 3 } }))
          const error = await Kit.errorOf(service.get())
          assert.strictEqual(error.tag, "TokenError")
          assert.strictEqual(error.reason, "InvalidResponse")
          assert.strictEqual(error.fields.status, status)
          assert.deepStrictEqual(net.requests().map((request) => request.url), [Kit.tokenUrl])
        }))
    }

    for (const httpClient of line.httpClients) {
      it(
        `on a real socket with ${httpClient}: a 302 fails with InvalidResponse and the target gets no request`,
        () =>
          Server.withServer((hit, response) => {
            if (hit.path === "/token") {
              response.writeHead(302, { location: "/stolen" })
              response.end()
            } else {
              Server.sendJson(response, 200, {
                access_token: "redirected-token",
                token_type: "Bearer",
                expires_in: 3600
              })
            }
          }, (server) =>
            Kit.withLive(line, { httpClient }, async (net) => {
              const service = await net.service(
                Kit.optionsWith({ tokenUrl: `${server.url}/token`, retry: { times: 2 } })
              )
              const error = await Kit.errorOf(service.get())
              assert.strictEqual(error.tag, "TokenError")
              assert.strictEqual(error.reason, "InvalidResponse")
              assert.strictEqual(error.fields.status, 302)
              assert.deepStrictEqual(server.hits.map((hit) => `${hit.method} ${hit.path}`), ["POST /token"])
            })),
        10_000
      )
    }
  })
}
