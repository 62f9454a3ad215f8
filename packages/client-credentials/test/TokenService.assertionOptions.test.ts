/**
 * Client authentication options, checked when the layer is built (`docs/configuration.md#client-authentication`,
 * `docs/configuration.md#options`): keys that do not fit kill the layer with an `IllegalArgumentException` that names
 * the option and shows nothing of the key (a JWK without a member jose needs, a text with more than one PEM block, each
 * named for what it is); so does a `certificate` that is not the key's or no PEM certificate, naming `privateKey` and
 * `certificate` and showing nothing of either; a `clientSecret` or a `certificate` where no method takes it, `tokenUrl` with `issuer`, neither, an
 * `assertionAudience` of `"issuer"` without an issuer, and an issuer that is not a plain https URL do too, sending
 * nothing. The rules TypeScript enforces are `@ts-expect-error` lines here: `tsc -b` fails when one of them stops being
 * an error.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as Certificates from "@effect-oauth2/suites/fixtures/Certificates"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Keys from "./utils/keys.js"
import * as Leaks from "./utils/leaks.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

const tokenUrl = Service.tokenUrl
const clientId = Service.clientId
const secret = Redacted.make(Service.clientSecret)

/** The defect that killed the layer built from `options`, and every printing of its cause; nothing may be sent. */
const defectOf = (options: TokenService.Options) =>
  Effect.gen(function*() {
    const endpoint = Endpoint.make()
    const exit = yield* Effect.exit(
      Effect.scoped(Layer.build(Layer.provide(TokenService.layer(options), endpoint.layer)))
    )
    assert.strictEqual(endpoint.requests.length, 0, "nothing is sent")
    assert.isTrue(Exit.isFailure(exit), "the layer is not built")
    const cause = (exit as Exit.Failure<unknown, unknown>).cause
    const defect = Option.getOrThrow(Cause.dieOption(cause))
    assert.instanceOf(defect, Cause.IllegalArgumentException)
    return { message: (defect as Cause.IllegalArgumentException).message, renderings: Leaks.renderings(defect, cause) }
  })

/** Builds the layer from `options`, and fails the test if it is not built. */
const builds = (options: TokenService.Options) =>
  Effect.gen(function*() {
    const endpoint = Endpoint.make()
    const exit = yield* Effect.exit(
      Effect.scoped(Layer.build(Layer.provide(TokenService.layer(options), endpoint.layer)))
    )
    assert.isTrue(Exit.isSuccess(exit), Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "")
  })

/** What no message about `key` may hold: no run of 15 characters of its PEM or of its JWK's private members. */
const keyParts = Keys.partsOf

const privateKeyJwt = (privateKey: string, more: Partial<TokenService.PrivateKeyJwtCredentials> = {}) => ({
  tokenUrl,
  clientId,
  authMethod: "private_key_jwt" as const,
  privateKey: Redacted.make(privateKey),
  ...more
})

/** `jwk` without the members `names`. */
const withoutMembers = (jwk: object, names: ReadonlyArray<string>): object =>
  Object.fromEntries(Object.entries(jwk).filter(([name]) => !names.includes(name)))

/** A client's key and certificate (issued by a test authority), another client's, and an EC client's. */
const client = Certificates.client("rsa")
const stranger = Certificates.client("rsa")
const ecClient = Certificates.client("ec")

/** The client's certificate with a line of its DER changed: still base64, no certificate any more. */
const damagedCertificate = client.certificate.pem.replace(/\n(.{12})/, "\nAAAAAAAAAAAA")

/** What no message about the client's key and certificates may hold: no run of 15 characters of any of them. */
const certificateParts = {
  ...Keys.piecesOf("the private key", Keys.pemLinesOf(client.privateKeyPem).join("")),
  ...Keys.piecesOf("the certificate", client.certificate.base64),
  ...Keys.piecesOf("the authority's certificate", client.authority.base64),
  ...Keys.piecesOf("another key's certificate", stranger.certificate.base64)
}

/** A certificate's PEM block, as a key file followed by the certificate holds it (its DER is made up). */
const certificateBody = "MIIBszCCAVmgAwIBAgIUYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowCgYIKoZIzj0EAwIw"
const certificatePem = `-----BEGIN CERTIFICATE-----\n${certificateBody}\n-----END CERTIFICATE-----\n`

describe("private_key_jwt: a key that does not fit kills the layer, naming the option and showing none of the key", () => {
  const cases: ReadonlyArray<{
    readonly what: string
    readonly options: TokenService.Options
    /** The options the message must name. */
    readonly names: ReadonlyArray<string>
    readonly hidden: Record<string, string>
  }> = [
    {
      what: "a 1024-bit RSA PEM, which jose refuses only when it signs",
      options: privateKeyJwt(Keys.rsa1024.pem),
      names: ["privateKey", "2048"],
      hidden: keyParts(Keys.rsa1024)
    },
    {
      what: "an EC P-256 PEM with signingAlgorithm RS256",
      options: privateKeyJwt(Keys.p256.pem, { signingAlgorithm: "RS256" }),
      names: ["privateKey", "signingAlgorithm"],
      hidden: keyParts(Keys.p256)
    },
    {
      what: "an EC P-256 JWK with signingAlgorithm RS256",
      options: privateKeyJwt(Keys.p256.jwkJson, { signingAlgorithm: "RS256" }),
      names: ["privateKey", "signingAlgorithm"],
      hidden: keyParts(Keys.p256)
    },
    {
      what: "an RSA PEM with signingAlgorithm ES256",
      options: privateKeyJwt(Keys.rsa.pem, { signingAlgorithm: "ES256" }),
      names: ["privateKey", "signingAlgorithm"],
      hidden: keyParts(Keys.rsa)
    },
    {
      what: "an RSA JWK with signingAlgorithm ES256",
      options: privateKeyJwt(Keys.rsa.jwkJson, { signingAlgorithm: "ES256" }),
      names: ["privateKey", "signingAlgorithm"],
      hidden: keyParts(Keys.rsa)
    },
    {
      what: "an Ed25519 PEM with signingAlgorithm PS256",
      options: privateKeyJwt(Keys.ed25519.pem, { signingAlgorithm: "PS256" }),
      names: ["privateKey", "signingAlgorithm"],
      hidden: keyParts(Keys.ed25519)
    },
    {
      what: "a PKCS#1 PEM (BEGIN RSA PRIVATE KEY)",
      options: privateKeyJwt(Keys.rsaPkcs1Pem),
      names: ["privateKey"],
      hidden: keyParts(Keys.rsa, Keys.rsaPkcs1Pem)
    },
    {
      what: "a public JWK",
      options: privateKeyJwt(JSON.stringify(Keys.rsa.publicJwk)),
      names: ["privateKey"],
      hidden: Keys.piecesOf("the modulus", Keys.rsa.publicJwk.n!)
    },
    {
      what: "a symmetric JWK",
      options: privateKeyJwt(JSON.stringify({ kty: "oct", k: "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkw" })),
      names: ["privateKey"],
      hidden: Keys.piecesOf("the key", "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkw")
    },
    {
      what: "garbage",
      options: privateKeyJwt("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-not-a-key"),
      names: ["privateKey"],
      hidden: Keys.piecesOf("the text", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-not-a-key")
    },
    {
      what: "JSON that is not a JWK",
      options: privateKeyJwt(`{"d":"${Keys.rsa.privateJwk.d}"`),
      names: ["privateKey"],
      hidden: keyParts(Keys.rsa)
    },
    {
      what: "a PEM whose base64 is damaged",
      options: privateKeyJwt(Keys.rsa.pem.replace(Keys.rsa.pemLines[3]!, Keys.rsa.pemLines[3]!.replace(/[A-Z]/g, "*"))),
      names: ["privateKey"],
      hidden: keyParts(Keys.rsa)
    },
    {
      what: "an EC P-384 JWK without signingAlgorithm",
      options: privateKeyJwt(Keys.p384.jwkJson),
      names: ["privateKey", "signingAlgorithm"],
      hidden: keyParts(Keys.p384)
    },
    {
      what: "an EC P-384 PEM without signingAlgorithm",
      options: privateKeyJwt(Keys.p384.pem),
      names: ["privateKey"],
      hidden: keyParts(Keys.p384)
    },
    {
      what: "an EC P-384 PEM with ES256",
      options: privateKeyJwt(Keys.p384.pem, { signingAlgorithm: "ES256" }),
      names: ["privateKey", "signingAlgorithm"],
      hidden: keyParts(Keys.p384)
    },
    {
      what: "a signingAlgorithm the library does not sign with (a JavaScript caller)",
      options: privateKeyJwt(Keys.rsa.pem, { signingAlgorithm: "HS256" as TokenService.SigningAlgorithm }),
      names: ["signingAlgorithm"],
      hidden: keyParts(Keys.rsa)
    },
    {
      what: "an RSA JWK without its CRT parameters, no signingAlgorithm: named, not a misfit of RS256",
      options: privateKeyJwt(JSON.stringify(withoutMembers(Keys.rsa.privateJwk, ["p", "q", "dp", "dq", "qi"]))),
      names: ["privateKey is an RSA JWK without its CRT parameters (p, q, dp, dq, qi); jose needs them"],
      hidden: keyParts(Keys.rsa)
    },
    {
      what: "an RSA JWK without its CRT parameters, with signingAlgorithm PS256",
      options: privateKeyJwt(JSON.stringify(withoutMembers(Keys.rsa.privateJwk, ["p", "q", "dp", "dq", "qi"])), {
        signingAlgorithm: "PS256"
      }),
      names: ["privateKey is an RSA JWK without its CRT parameters (p, q, dp, dq, qi)"],
      hidden: keyParts(Keys.rsa)
    },
    {
      what: "an RSA JWK without qi",
      options: privateKeyJwt(JSON.stringify(withoutMembers(Keys.rsa.privateJwk, ["qi"]))),
      names: ["privateKey is an RSA JWK without qi of its CRT parameters (p, q, dp, dq, qi); jose needs them all"],
      hidden: keyParts(Keys.rsa)
    },
    {
      what: "an EC P-256 JWK without x and y, no signingAlgorithm: named, not a misfit of ES256",
      options: privateKeyJwt(JSON.stringify(withoutMembers(Keys.p256.privateJwk, ["x", "y"]))),
      names: ["privateKey is an EC JWK without x, y (its curve and public point); jose needs them"],
      hidden: keyParts(Keys.p256)
    },
    {
      what: "an Ed25519 JWK without x",
      options: privateKeyJwt(JSON.stringify(withoutMembers(Keys.ed25519.privateJwk, ["x"]))),
      names: ["privateKey is an OKP JWK without x (its curve and public key); jose needs them"],
      hidden: keyParts(Keys.ed25519)
    },
    {
      what: "two PKCS#8 PEMs, one after the other",
      options: privateKeyJwt(`${Keys.p256.pem}${Keys.ed25519.pem}`),
      names: ["privateKey holds 2 PEM blocks (PRIVATE KEY, PRIVATE KEY); give the private key alone"],
      hidden: { ...keyParts(Keys.p256), ...keyParts(Keys.ed25519) }
    },
    {
      what: "a PKCS#8 PEM followed by a certificate",
      options: privateKeyJwt(`${Keys.rsa.pem}\n${certificatePem}`),
      names: ["privateKey holds 2 PEM blocks (PRIVATE KEY, CERTIFICATE); give the private key alone"],
      hidden: { ...keyParts(Keys.rsa), ...Keys.piecesOf("the certificate", certificateBody) }
    },
    {
      what: "an empty privateKey",
      options: privateKeyJwt(""),
      names: ["privateKey"],
      hidden: {}
    },
    {
      what: "an empty keyId",
      options: privateKeyJwt(Keys.rsa.pem, { keyId: "" }),
      names: ["keyId"],
      hidden: keyParts(Keys.rsa)
    },
    {
      what: "a certificate of another key",
      options: privateKeyJwt(client.privateKeyPem, { certificate: stranger.certificate.pem }),
      names: ["privateKey does not match certificate"],
      hidden: certificateParts
    },
    {
      what: "a certificate of an EC key for an RSA key",
      options: privateKeyJwt(client.privateKeyPem, { certificate: ecClient.certificate.pem }),
      names: ["privateKey does not match certificate"],
      hidden: { ...certificateParts, ...Keys.piecesOf("the EC certificate", ecClient.certificate.base64) }
    },
    {
      what: "a damaged certificate",
      options: privateKeyJwt(client.privateKeyPem, { certificate: damagedCertificate }),
      names: ["certificate is not a PEM certificate (its PEM block is no X.509 certificate)"],
      hidden: { ...certificateParts, ...Keys.piecesOf("the damaged certificate", damagedCertificate) }
    },
    {
      what: "the private key given as the certificate too",
      options: privateKeyJwt(client.privateKeyPem, { certificate: client.privateKeyPem }),
      names: ["certificate holds a PEM block that is no certificate (its PEM block: PRIVATE KEY)"],
      hidden: certificateParts
    },
    {
      what: "a chain out of order, sent",
      options: privateKeyJwt(client.privateKeyPem, {
        certificate: `${client.authority.pem}${client.certificate.pem}`,
        sendCertificateChain: true
      }),
      names: ["certificate holds a chain out of order"],
      hidden: certificateParts
    },
    {
      what: "sendCertificateChain without a certificate",
      options: privateKeyJwt(client.privateKeyPem, { sendCertificateChain: true }),
      names: ["sendCertificateChain needs the certificate option"],
      hidden: certificateParts
    }
  ]
  for (const { hidden, names, options, what } of cases) {
    it.effect(what, () =>
      Effect.gen(function*() {
        const { message, renderings } = yield* defectOf(options)
        for (const name of names) assert.include(message, name)
        for (const [how, text] of renderings) Leaks.assertNoStart(how, text, hidden)
      }))
  }

  it.effect("the same keys, where they fit, build", () =>
    Effect.gen(function*() {
      yield* builds(privateKeyJwt(Keys.p256.pem, { signingAlgorithm: "ES256" }))
      yield* builds(privateKeyJwt(Keys.rsa.pem, { signingAlgorithm: "PS256" }))
      yield* builds(privateKeyJwt(Keys.ed25519.pem, { signingAlgorithm: "EdDSA" }))
      yield* builds(privateKeyJwt(` \n${Keys.rsa.pem}\n\n`))
      yield* builds(privateKeyJwt(Keys.rsa.pem, { keyId: "k1" }))
      yield* builds(privateKeyJwt(client.privateKeyPem, { certificate: client.certificate.pem }))
      yield* builds(
        privateKeyJwt(client.privateKeyPem, { certificate: client.chain, sendCertificateChain: true, keyId: "k1" })
      )
    }))
})

describe("which options each method takes", () => {
  it.effect("a clientSecret with private_key_jwt kills the layer, naming it; it does not compile", () =>
    Effect.gen(function*() {
      // @ts-expect-error a private_key_jwt client has no clientSecret
      const keyAndSecret: TokenService.Options = {
        tokenUrl,
        clientId,
        authMethod: "private_key_jwt",
        privateKey: Redacted.make(Keys.rsa.pem),
        clientSecret: secret
      }
      const withKey = yield* defectOf(keyAndSecret)
      assert.include(withKey.message, "clientSecret")
      // @ts-expect-error a private_key_jwt client has no clientSecret
      const assertionAndSecret: TokenService.Options = {
        tokenUrl,
        clientId,
        authMethod: "private_key_jwt",
        clientAssertion: Effect.succeed(Redacted.make("a.b.c")),
        clientSecret: secret
      }
      const withAssertion = yield* defectOf(assertionAndSecret)
      assert.include(withAssertion.message, "clientSecret")
    }))

  it.effect("client_secret_jwt without a clientSecret kills the layer, naming it; it does not compile", () =>
    Effect.gen(function*() {
      // @ts-expect-error client_secret_jwt signs with the clientSecret
      const options: TokenService.Options = { tokenUrl, clientId, authMethod: "client_secret_jwt" }
      const { message } = yield* defectOf(options)
      assert.include(message, "clientSecret")
    }))

  it.effect("private_key_jwt with neither privateKey nor clientAssertion kills the layer; it does not compile", () =>
    Effect.gen(function*() {
      // @ts-expect-error private_key_jwt needs a privateKey or a clientAssertion
      const options: TokenService.Options = { tokenUrl, clientId, authMethod: "private_key_jwt" }
      const { message } = yield* defectOf(options)
      assert.include(message, "privateKey")
      assert.include(message, "clientAssertion")
    }))

  it.effect("a privateKey with a clientAssertion, or with a secret method, kills the layer", () =>
    Effect.gen(function*() {
      // @ts-expect-error one or the other
      const keyAndAssertion: TokenService.Options = {
        tokenUrl,
        clientId,
        authMethod: "private_key_jwt",
        clientAssertion: Effect.succeed(Redacted.make("a.b.c")),
        privateKey: Redacted.make(Keys.rsa.pem)
      }
      const both = yield* defectOf(keyAndAssertion)
      assert.include(both.message, "privateKey")
      // @ts-expect-error client_secret_basic signs nothing
      const basicWithKey: TokenService.Options = {
        tokenUrl,
        clientId,
        clientSecret: secret,
        privateKey: Redacted.make(Keys.rsa.pem)
      }
      const basic = yield* defectOf(basicWithKey)
      assert.include(basic.message, "privateKey")
      for (const [name, hidden] of [["both", both], ["basic", basic]] as const) {
        for (const [how, text] of hidden.renderings) Leaks.assertNoStart(`${name}: ${how}`, text, keyParts(Keys.rsa))
      }
    }))

  it.effect("a certificate with a secret method or a clientAssertion kills the layer, naming it; it does not compile", () =>
    Effect.gen(function*() {
      // @ts-expect-error a certificate names a private key
      const withSecret: TokenService.Options = { ...Service.options, certificate: client.certificate.pem }
      assert.include((yield* defectOf(withSecret)).message, "certificate is not an option of client_secret_basic")
      // @ts-expect-error a certificate names a private key, not an assertion made elsewhere
      const withAssertion: TokenService.Options = {
        tokenUrl,
        clientId,
        authMethod: "private_key_jwt",
        clientAssertion: Effect.succeed(Redacted.make("a.b.c")),
        sendCertificateChain: true
      }
      assert.include(
        (yield* defectOf(withAssertion)).message,
        "sendCertificateChain is not an option of clientAssertion"
      )
    }))

  it.effect("assertionAudience \"issuer\" with a tokenUrl kills the layer, naming the option", () =>
    Effect.gen(function*() {
      const signed = yield* defectOf(privateKeyJwt(Keys.rsa.pem, { assertionAudience: "issuer" }))
      assert.include(signed.message, "assertionAudience")
      const hmac = yield* defectOf({
        tokenUrl,
        clientId,
        clientSecret: secret,
        authMethod: "client_secret_jwt",
        assertionAudience: "issuer"
      })
      assert.include(hmac.message, "assertionAudience")
    }))

  it.effect("assertionAudience \"issuer\" with an issuer builds", () =>
    Effect.gen(function*() {
      yield* builds({
        issuer: "https://idp.example.com/tenant",
        clientId,
        authMethod: "private_key_jwt",
        privateKey: Redacted.make(Keys.rsa.pem),
        assertionAudience: "issuer"
      })
      yield* builds({
        issuer: "https://idp.example.com/tenant",
        clientId,
        clientSecret: secret,
        authMethod: "client_secret_jwt",
        assertionAudience: "issuer"
      })
    }))
})

describe("tokenUrl and issuer", () => {
  it.effect("both kill the layer, naming both; it does not compile", () =>
    Effect.gen(function*() {
      // @ts-expect-error tokenUrl and issuer are exclusive
      const options: TokenService.Options = { ...Service.options, issuer: "https://idp.example.com" }
      const { message } = yield* defectOf(options)
      assert.include(message, "tokenUrl")
      assert.include(message, "issuer")
    }))

  it.effect("neither kills the layer, naming both; it does not compile", () =>
    Effect.gen(function*() {
      // @ts-expect-error one of tokenUrl and issuer is required
      const options: TokenService.Options = { clientId, clientSecret: secret }
      const { message } = yield* defectOf(options)
      assert.include(message, "tokenUrl")
      assert.include(message, "issuer")
    }))

  /** A path and a query that may hold a credential: never in a message. */
  const hidden = {
    "the path": "/tenant-SECRETPATH/x",
    "the query": "api-key=QUERYSECRET",
    "the fragment": "FRAGSECRET"
  }

  const refusedIssuers: ReadonlyArray<readonly [string, string, ReadonlyArray<string>]> = [
    ["an issuer with a query", "https://idp.example.com/tenant-SECRETPATH/x?api-key=QUERYSECRET", ["issuer", "query"]],
    ["an issuer with a fragment", "https://idp.example.com/tenant-SECRETPATH/x#FRAGSECRET", ["issuer", "fragment"]],
    ["an issuer with credentials", "https://user:PASSWORDSECRET@idp.example.com/tenant-SECRETPATH/x", ["issuer"]],
    ["an issuer that is not http(s)", "ftp://idp.example.com/tenant-SECRETPATH/x", ["issuer"]],
    ["an issuer that is not a URL", "idp.example.com/tenant-SECRETPATH/x", ["issuer"]],
    [
      "an http issuer on a non-loopback host",
      "http://idp.example.com:8080/tenant-SECRETPATH/x",
      ["issuer", "http://idp.example.com:8080"]
    ],
    [
      "an http issuer on a private address",
      "http://10.1.2.3/tenant-SECRETPATH/x",
      ["issuer", "http://10.1.2.3"]
    ]
  ]
  for (const [what, issuer, names] of refusedIssuers) {
    it.effect(`${what} kills the layer, naming the option, never the path, query or password`, () =>
      Effect.gen(function*() {
        const { message, renderings } = yield* defectOf({ issuer, clientId, clientSecret: secret })
        for (const name of names) assert.include(message, name)
        for (const [how, text] of renderings) {
          Leaks.assertNoStart(how, text, { ...hidden, "the password": "PASSWORDSECRET" })
        }
      }))
  }

  it.effect("an http tokenUrl on a non-loopback host: the message names the origin, not the path or query", () =>
    Effect.gen(function*() {
      const { message, renderings } = yield* defectOf({
        ...Service.options,
        tokenUrl: "http://idp.example.com:8080/tenant-SECRETPATH/x?api-key=QUERYSECRET"
      })
      assert.include(message, "tokenUrl")
      assert.include(message, "http://idp.example.com:8080")
      for (const [how, text] of renderings) Leaks.assertNoStart(how, text, hidden)
    }))

  it.effect("an https issuer, an http one on loopback, and any with allowInsecureHttp build", () =>
    Effect.gen(function*() {
      for (const issuer of ["https://idp.example.com", "https://idp.example.com/tenant", "http://127.0.0.1:8080/t"]) {
        yield* builds({ issuer, clientId, clientSecret: secret })
        yield* builds({ issuer: new URL(issuer), clientId, clientSecret: secret })
      }
      yield* builds({ issuer: "http://localhost:9000", clientId, clientSecret: secret })
      yield* builds({ issuer: "http://idp.example.com/t", clientId, clientSecret: secret, allowInsecureHttp: true })
    }))
})
