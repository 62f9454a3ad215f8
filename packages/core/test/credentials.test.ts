/**
 * The credential options checked by method, private keys parsed, and the values to redact, with the problems
 * `TokenService` reports, word for word. A line's secret wrapper is played by `{ wrapped: value }` here.
 */
import * as Certificates from "@effect-oauth2/suites/fixtures/Certificates"
import { assert, describe, it } from "vitest"
import * as Certificate from "../src/certificate.js"
import type { Checked } from "../src/checked.js"
import { invalid, valid } from "../src/checked.js"
import * as credentials from "../src/credentials.js"

/** A line's reader: a secret is `{ wrapped: value }`, an assertion source a function. */
const reader: credentials.Reader<() => string> = {
  secret: (name, value) =>
    typeof value === "object" && value !== null && "wrapped" in value
      ? credentials.checkSecretText(name, value.wrapped)
      : invalid(`${name} is not wrapped`),
  assertion: (value) =>
    typeof value === "function" ? valid(value as () => string) : invalid("clientAssertion is not a function")
}

const wrap = (value: unknown) => ({ wrapped: value })

const check = (options: Record<string, unknown>, hasIssuer = false) => credentials.check(options, hasIssuer, reader)

const problemOf = (checked: Checked<unknown>): string | undefined =>
  checked._tag === "Invalid" ? checked.problem : undefined

const pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----"

const rsaJwk = { kty: "RSA", n: "n", e: "AQAB", d: "d", p: "p", q: "q", dp: "dp", dq: "dq", qi: "qi" }

/** A client's certificate and the authority's above it: the key is checked against it when it is imported. */
const client = Certificates.client("ec")

describe("credentials: kindOf and secret text", () => {
  it("kindOf names a kind of value, never the value", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [null, "null"],
      [[1], "an array"],
      [{ a: 1 }, "an object"],
      ["secret", "a string"],
      [42, "a number"],
      [undefined, "a undefined"],
      [() => 1, "a function"]
    ]
    for (const [value, kind] of cases) assert.strictEqual(credentials.kindOf(value), kind)
  })

  it("a secret's text is a non-empty string", () => {
    assert.deepStrictEqual(credentials.checkSecretText("clientSecret", "s"), valid("s"))
    assert.strictEqual(problemOf(credentials.checkSecretText("clientSecret", "")), "clientSecret is empty")
    assert.strictEqual(
      problemOf(credentials.checkSecretText("privateKey", 42)),
      "privateKey must hold a string, not a number"
    )
  })
})

describe("credentials: parseKey", () => {
  it("a PKCS#8 PEM, trimmed; a private JWK", () => {
    assert.deepStrictEqual(credentials.parseKey(`\n  ${pem}\n`), valid({ _tag: "Pem", pem }))
    assert.deepStrictEqual(credentials.parseKey(JSON.stringify(rsaJwk)), valid({ _tag: "Jwk", jwk: rsaJwk }))
    const ec = { kty: "EC", crv: "P-256", x: "x", y: "y", d: "d" }
    assert.deepStrictEqual(credentials.parseKey(JSON.stringify(ec)), valid({ _tag: "Jwk", jwk: ec }))
    const okp = { kty: "OKP", crv: "Ed25519", x: "x", d: "d" }
    assert.deepStrictEqual(credentials.parseKey(JSON.stringify(okp)), valid({ _tag: "Jwk", jwk: okp }))
    const other = { kty: "oct", k: "k", d: "d" }
    assert.deepStrictEqual(credentials.parseKey(JSON.stringify(other)), valid({ _tag: "Jwk", jwk: other }))
  })

  it("says what is wrong, naming PEM labels and JWK members only", () => {
    const certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    const without = (names: ReadonlyArray<string>) =>
      JSON.stringify(Object.fromEntries(Object.entries(rsaJwk).filter(([name]) => !names.includes(name))))
    const cases: ReadonlyArray<readonly [string, string]> = [
      [
        `${pem}\n${pem}`,
        "privateKey holds 2 PEM blocks (PRIVATE KEY, PRIVATE KEY); give the private key alone, " +
        "one -----BEGIN PRIVATE KEY----- block"
      ],
      [
        `${pem}\n${certificate}`,
        "privateKey holds 2 PEM blocks (PRIVATE KEY, CERTIFICATE); give the private key alone, " +
        "one -----BEGIN PRIVATE KEY----- block"
      ],
      [
        `${pem}\n-----BEGIN secret stuff-----`,
        "privateKey holds 2 PEM blocks (PRIVATE KEY, ?); give the private key alone, one -----BEGIN PRIVATE KEY----- block"
      ],
      [
        "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
        "privateKey must be PKCS#8 (-----BEGIN PRIVATE KEY-----), e.g. from openssl pkcs8 -topk8 -nocrypt"
      ],
      ["MIGHAgEAMBMGByqGSM49", "privateKey is neither a PKCS#8 PEM nor a JWK in JSON"],
      ["{not json", "privateKey is not a JWK in JSON (an object with kty)"],
      ["{\"d\": \"d\"}", "privateKey is not a JWK in JSON (an object with kty)"],
      ["{\"kty\": 1, \"d\": \"d\"}", "privateKey is not a JWK in JSON (an object with kty)"],
      [without(["d"]), "privateKey is a public JWK: it has no private part (d)"],
      [without(["n"]), "privateKey is an RSA JWK without n"],
      [without(["n", "e"]), "privateKey is an RSA JWK without n, e"],
      [
        without(["p", "q", "dp", "dq", "qi"]),
        "privateKey is an RSA JWK without its CRT parameters (p, q, dp, dq, qi); jose needs them"
      ],
      [
        without(["qi"]),
        "privateKey is an RSA JWK without qi of its CRT parameters (p, q, dp, dq, qi); jose needs them all"
      ],
      [
        JSON.stringify({ kty: "EC", crv: "P-256", d: "d" }),
        "privateKey is an EC JWK without x, y (its curve and public point); jose needs them"
      ],
      [
        JSON.stringify({ kty: "OKP", crv: "Ed25519", d: "d" }),
        "privateKey is an OKP JWK without x (its curve and public key); jose needs them"
      ],
      [
        JSON.stringify({ kty: "OKP", x: "x", d: "d" }),
        "privateKey is an OKP JWK without crv (its curve and public key); jose needs them"
      ]
    ]
    for (const [text, problem] of cases) assert.strictEqual(problemOf(credentials.parseKey(text)), problem, text)
  })

  it("a JWK's algorithm: its own alg when one private_key_jwt signs with, else by its type", () => {
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string | undefined]> = [
      [{ kty: "RSA", alg: "PS256" }, "PS256"],
      [{ kty: "RSA", alg: "RS512" }, "RS256"],
      [{ kty: "RSA" }, "RS256"],
      [{ kty: "EC", crv: "P-256" }, "ES256"],
      [{ kty: "EC", crv: "P-384" }, undefined],
      [{ kty: "OKP", crv: "Ed25519" }, "EdDSA"],
      [{ kty: "OKP", crv: "X25519" }, undefined],
      [{ kty: "EC", crv: "P-384", alg: "ES256" }, "ES256"]
    ]
    for (const [jwk, algorithm] of cases) {
      assert.strictEqual(credentials.defaultAlgorithmOf(jwk), algorithm, JSON.stringify(jwk))
    }
    assert.deepStrictEqual(credentials.pemProbeOrder, ["RS256", "ES256", "EdDSA"])
  })
})

describe("credentials: check", () => {
  it("the shared-secret methods: the secret, and client_secret_jwt's audience (default the token endpoint)", () => {
    assert.deepStrictEqual(
      check({ clientSecret: wrap("s") }),
      valid({ _tag: "Secret", method: "client_secret_basic", secret: "s" })
    )
    assert.deepStrictEqual(
      check({ authMethod: "client_secret_post", clientSecret: wrap("s") }),
      valid({ _tag: "Secret", method: "client_secret_post", secret: "s" })
    )
    assert.deepStrictEqual(
      check({ authMethod: "client_secret_jwt", clientSecret: wrap("s") }),
      valid({ _tag: "SecretJwt", secret: "s", audience: "tokenEndpoint" })
    )
    assert.deepStrictEqual(
      check({ authMethod: "client_secret_jwt", clientSecret: wrap("s") }, true),
      valid({ _tag: "SecretJwt", secret: "s", audience: "tokenEndpoint" })
    )
    assert.deepStrictEqual(
      check({ authMethod: "client_secret_jwt", clientSecret: wrap("s"), assertionAudience: "issuer" }, true),
      valid({ _tag: "SecretJwt", secret: "s", audience: "issuer" })
    )
  })

  it("private_key_jwt: a key with its algorithm, key id and audience; or an assertion source", () => {
    assert.deepStrictEqual(
      check({ authMethod: "private_key_jwt", privateKey: wrap(pem) }),
      valid({
        _tag: "PrivateKey",
        key: { _tag: "Pem", pem },
        algorithm: undefined,
        keyId: undefined,
        audience: "tokenEndpoint"
      })
    )
    assert.deepStrictEqual(
      check(
        {
          authMethod: "private_key_jwt",
          privateKey: wrap(JSON.stringify(rsaJwk)),
          signingAlgorithm: "PS256",
          keyId: "key-1",
          assertionAudience: "issuer"
        },
        true
      ),
      valid({
        _tag: "PrivateKey",
        key: { _tag: "Jwk", jwk: rsaJwk },
        algorithm: "PS256",
        keyId: "key-1",
        audience: "issuer"
      })
    )
    const source = () => "a.b.c"
    assert.deepStrictEqual(
      check({ authMethod: "private_key_jwt", clientAssertion: source }),
      valid({ _tag: "Assertion", assertion: source })
    )
  })

  it("private_key_jwt with a certificate: read, its chain sent or not (default not)", () => {
    const privateKey = wrap(client.privateKeyPem)
    const read = (text: string, chainInOrder: boolean) => {
      const parsed = Certificate.parse(text, chainInOrder)
      assert.strictEqual(parsed._tag, "Valid")
      return (parsed as { readonly value: Certificate.Certificate }).value
    }
    const spec = {
      _tag: "PrivateKey",
      key: { _tag: "Pem", pem: client.privateKeyPem.trim() },
      algorithm: undefined,
      keyId: undefined,
      audience: "tokenEndpoint"
    } as const
    assert.deepStrictEqual(
      check({ authMethod: "private_key_jwt", privateKey, certificate: client.chain }),
      valid({ ...spec, certificate: read(client.chain, false), sendCertificateChain: false })
    )
    assert.deepStrictEqual(
      check({ authMethod: "private_key_jwt", privateKey, certificate: client.chain, sendCertificateChain: true }),
      valid({ ...spec, certificate: read(client.chain, true), sendCertificateChain: true })
    )
  })

  it("says what is wrong, naming the option, in the order the options are read", () => {
    const key = wrap(pem)
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [
        { authMethod: "none" },
        "authMethod must be one of client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, " +
        "tls_client_auth, self_signed_tls_client_auth"
      ],
      [
        { authMethod: 42 },
        "authMethod must be one of client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, " +
        "tls_client_auth, self_signed_tls_client_auth"
      ],
      [{ authMethod: "tls_client_auth" }, "tls_client_auth needs tlsClientCertificate"],
      [
        { authMethod: "self_signed_tls_client_auth", tlsClientCertificate: {}, privateKey: key },
        "privateKey is not an option of self_signed_tls_client_auth"
      ],
      [
        { clientSecret: wrap("s"), tlsClientCertificate: {} },
        "tlsClientCertificate is not an option of client_secret_basic"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, tlsClientCertificate: {} },
        "tlsClientCertificate is not an option of private_key_jwt"
      ],
      [
        { authMethod: "tls_client_auth", tlsClientCertificate: "pem" },
        "tlsClientCertificate must be an object with cert, key and optionally ca, not a string"
      ],
      [
        { authMethod: "tls_client_auth", tlsClientCertificate: { cert: 1 } },
        "tlsClientCertificate.cert must be a string (PEM certificates), not a number"
      ],
      [{ clientSecret: "plain", privateKey: key }, "privateKey is not an option of client_secret_basic"],
      [
        { clientSecret: wrap("s"), assertionAudience: "issuer" },
        "assertionAudience is not an option of client_secret_basic"
      ],
      [
        { authMethod: "client_secret_post", clientSecret: wrap("s"), keyId: "k" },
        "keyId is not an option of client_secret_post"
      ],
      [
        { authMethod: "client_secret_jwt", clientSecret: wrap("s"), signingAlgorithm: "RS256" },
        "signingAlgorithm is not an option of client_secret_jwt"
      ],
      [{ clientSecret: "plain" }, "clientSecret is not wrapped"],
      [{ clientSecret: wrap("") }, "clientSecret is empty"],
      [{ clientSecret: wrap(42) }, "clientSecret must hold a string, not a number"],
      [
        { authMethod: "client_secret_jwt", clientSecret: wrap("s"), assertionAudience: "aud" },
        "assertionAudience must be \"tokenEndpoint\" or \"issuer\""
      ],
      [
        { authMethod: "client_secret_jwt", clientSecret: "plain", assertionAudience: "aud" },
        "clientSecret is not wrapped"
      ],
      [
        { authMethod: "client_secret_jwt", clientSecret: wrap("s"), assertionAudience: "issuer" },
        "assertionAudience \"issuer\" needs the issuer option"
      ],
      [
        { authMethod: "private_key_jwt", clientSecret: wrap("s"), privateKey: key },
        "clientSecret is not an option of private_key_jwt"
      ],
      [{ authMethod: "private_key_jwt" }, "private_key_jwt needs privateKey or clientAssertion"],
      [{ authMethod: "private_key_jwt", privateKey: pem }, "privateKey is not wrapped"],
      [
        { authMethod: "private_key_jwt", privateKey: wrap("MIIB"), signingAlgorithm: "HS256" },
        "privateKey is neither a PKCS#8 PEM nor a JWK in JSON"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, signingAlgorithm: "HS256", keyId: "" },
        "signingAlgorithm must be one of RS256, PS256, ES256, EdDSA"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, signingAlgorithm: 256 },
        "signingAlgorithm must be one of RS256, PS256, ES256, EdDSA"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, keyId: "" },
        "keyId must be a non-empty string without control characters"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, keyId: "a\nb" },
        "keyId must be a non-empty string without control characters"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, keyId: 7, assertionAudience: "x" },
        "keyId must be a non-empty string without control characters"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, assertionAudience: "issuer" },
        "assertionAudience \"issuer\" needs the issuer option"
      ],
      [
        { authMethod: "private_key_jwt", clientAssertion: () => "", privateKey: key },
        "privateKey is not an option of clientAssertion"
      ],
      [
        { authMethod: "private_key_jwt", clientAssertion: () => "", assertionAudience: "issuer" },
        "assertionAudience is not an option of clientAssertion"
      ],
      [
        { authMethod: "private_key_jwt", clientAssertion: "a.b.c", keyId: "k" },
        "keyId is not an option of clientAssertion"
      ],
      [{ authMethod: "private_key_jwt", clientAssertion: "a.b.c" }, "clientAssertion is not a function"],
      [
        { clientSecret: wrap("s"), certificate: client.certificate.pem },
        "certificate is not an option of client_secret_basic"
      ],
      [
        { authMethod: "client_secret_jwt", clientSecret: wrap("s"), sendCertificateChain: true },
        "sendCertificateChain is not an option of client_secret_jwt"
      ],
      [
        { authMethod: "private_key_jwt", clientAssertion: () => "", certificate: client.certificate.pem },
        "certificate is not an option of clientAssertion"
      ],
      [
        { authMethod: "private_key_jwt", clientAssertion: () => "", sendCertificateChain: false },
        "sendCertificateChain is not an option of clientAssertion"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, keyId: "", certificate: "x" },
        "keyId must be a non-empty string without control characters"
      ],
      [
        {
          authMethod: "private_key_jwt",
          privateKey: key,
          certificate: client.certificate.pem,
          sendCertificateChain: 1
        },
        "sendCertificateChain must be a boolean"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, sendCertificateChain: true },
        "sendCertificateChain needs the certificate option: it sends the certificate's chain"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, certificate: wrap(client.certificate.pem) },
        "certificate must be a string (the PEM certificate of privateKey), not an object"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, certificate: client.privateKeyPem },
        "certificate holds a PEM block that is no certificate (its PEM block: PRIVATE KEY); give the certificate of " +
        "privateKey, then the chain above it if any"
      ],
      [
        {
          authMethod: "private_key_jwt",
          privateKey: key,
          certificate: `${client.authority.pem}${client.certificate.pem}`,
          sendCertificateChain: true
        },
        "certificate holds a chain out of order: certificate #1 is not issued by #2 (x5c lists the certificate of " +
        "privateKey first, then each one's issuer)"
      ],
      [
        { authMethod: "private_key_jwt", privateKey: key, certificate: client.certificate.pem, assertionAudience: "x" },
        "assertionAudience must be \"tokenEndpoint\" or \"issuer\""
      ]
    ]
    for (const [options, problem] of cases) {
      assert.strictEqual(problemOf(check(options)), problem, JSON.stringify(options))
    }
  })
})

describe("credentials: secretsOf", () => {
  it("the secret and the Basic credentials that hold it; a PEM and its body; a JWK's private members; no assertion", () => {
    assert.deepStrictEqual(
      credentials.secretsOf("id", { _tag: "Secret", method: "client_secret_post", secret: "s:1" }),
      [
        "s:1",
        btoa("id:s%3A1")
      ]
    )
    assert.deepStrictEqual(
      credentials.secretsOf("id", { _tag: "SecretJwt", secret: "s", audience: "tokenEndpoint" }),
      ["s"]
    )
    const privateKey = { algorithm: undefined, keyId: undefined, audience: "tokenEndpoint" } as const
    assert.deepStrictEqual(
      credentials.secretsOf("id", { _tag: "PrivateKey", key: { _tag: "Pem", pem }, ...privateKey }),
      [
        pem,
        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"
      ]
    )
    const jwk = { ...rsaJwk, k: "k", x: "public", kid: "kid" }
    assert.deepStrictEqual(
      credentials.secretsOf("id", { _tag: "PrivateKey", key: { _tag: "Jwk", jwk }, ...privateKey }),
      [
        "d",
        "p",
        "q",
        "dp",
        "dq",
        "qi",
        "k"
      ]
    )
    assert.deepStrictEqual(credentials.secretsOf("id", { _tag: "Assertion", assertion: () => "a.b.c" }), [])
  })
})

describe("credentials: secretsOfKeyText", () => {
  it("a PEM (trimmed) and its body; a JWK's text and its private members; any other text as it is", () => {
    assert.deepStrictEqual(credentials.secretsOfKeyText(`\n${pem}\n`), [
      pem,
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"
    ])
    const json = JSON.stringify({ kty: "EC", crv: "P-256", x: "public-x", y: "public-y", d: "private-d" })
    assert.deepStrictEqual(credentials.secretsOfKeyText(json), [json, "private-d"])
    const rsa = JSON.stringify({ ...rsaJwk, kid: "kid" })
    assert.deepStrictEqual(credentials.secretsOfKeyText(rsa), [rsa, "d", "p", "q", "dp", "dq", "qi"])
    assert.deepStrictEqual(credentials.secretsOfKeyText("{not json"), ["{not json"])
    assert.deepStrictEqual(credentials.secretsOfKeyText("not-a-key"), ["not-a-key"])
  })
})

describe("credentials: readerOf, a line's values", () => {
  class Wrapped {
    constructor(readonly held: unknown) {}
  }
  const assertionSource = { effect: true }
  const reader = credentials.readerOf<Wrapped, typeof assertionSource>({
    isSecret: (value): value is Wrapped => value instanceof Wrapped,
    reveal: (secret) => secret.held,
    isAssertion: (value) => value === assertionSource
  })

  it("a wrapped secret's text, checked; one not wrapped, or holding undefined: named, never shown", () => {
    assert.deepStrictEqual(reader.secret("clientSecret", new Wrapped("s3cr3t")), { _tag: "Valid", value: "s3cr3t" })
    assert.deepStrictEqual(reader.secret("clientSecret", "s3cr3t"), {
      _tag: "Invalid",
      problem: "clientSecret must be a Redacted value (Redacted.make or Config.redacted)"
    })
    assert.deepStrictEqual(reader.secret("privateKey", new Wrapped(undefined)), {
      _tag: "Invalid",
      problem: "privateKey holds undefined, not a string: is the environment variable it was read from set? Read it " +
        "with Config.redacted (or use TokenService.layerConfig()) to be told which variable is missing"
    })
    assert.deepStrictEqual(reader.secret("clientSecret", new Wrapped("")), {
      _tag: "Invalid",
      problem: "clientSecret is empty"
    })
  })

  it("an assertion source of the line's kind, or what it must be", () => {
    assert.deepStrictEqual(reader.assertion(assertionSource), { _tag: "Valid", value: assertionSource })
    assert.deepStrictEqual(reader.assertion("eyJ.a.b"), {
      _tag: "Invalid",
      problem: "clientAssertion must be an Effect that gives a Redacted assertion"
    })
  })
})
