/**
 * Secrets (`docs/behaviour.md#secrets`): no error the library raises and no log line it writes shows the client secret
 * (in any encoding it goes on the wire in), an assertion or an access token, however it is printed. Case by case,
 * then as properties (with fast-check): a secret, its form-encoded and Basic forms, a token and an assertion, each as
 * the usual encoders write them, echoed at any offset of an `error_description`, an `error` code, an `error_uri`, a
 * cause's text, an `ApiError` body or a `WWW-Authenticate` challenge; no printing and no log line holds the first 8
 * characters of any of them. The same for the secrets of the other credentials: a private key (PEM or JWK), a
 * `client_secret_jwt` secret, a TLS client key, a DPoP key, and the assertion or DPoP proof a request carried, no
 * printing holds any piece of them (each cut in pieces of 8 characters, in every encoding). Replace first, cut after;
 * a registered `error` code is kept as it is. A `certificate` that is not the private key's, or no PEM certificate
 * (the key itself given in its place included), is refused when the service is built, naming the options and showing
 * nothing of the key or the certificate.
 *
 * Secrets and tokens in the properties are drawn from characters every encoding changes (plus letters and digits),
 * the text around them from characters disjoint from those and from every encoding's output, so that no false match
 * is possible.
 *
 * @since 0.1.0
 */
import * as FastCheck from "fast-check"
import * as Crypto from "node:crypto"
import * as Certificates from "./fixtures/Certificates.js"
import * as Kit from "./internal/kit.js"
import * as Leaks from "./internal/leaks.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

const secret = Kit.clientSecret
const formSecret = Leaks.formEncode(secret)
const basicCredentials = Leaks.basicCredentials(Kit.clientId, secret)
/** An access token that a misbehaving server puts where it does not belong. */
const strayToken = "at-STRAY-5f1b2c"
/** The access token the service holds while the errors happen. */
const issuedToken = "at-ISSUED-9d8e7f"

const forbidden = [secret, "VERY-SECRET", formSecret, basicCredentials, strayToken, issuedToken]

/** The credentials as a server that echoes its request can echo them. */
const echo = `secret=${secret} form=${formSecret} header=Basic ${basicCredentials}`

interface Scenario {
  readonly name: string
  /** The error's tag and reason, so that each scenario is known to raise what it claims. */
  readonly expect: string
  readonly overrides?: Line.ServiceOptions
  readonly answer?: Line.Answer
  readonly request?: Line.TokenRequest
}

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "OAuth error whose description and URI echo the credentials",
    expect: "TokenError OAuth",
    answer: Kit.oauthError("invalid_client", 401, { error_description: echo, error_uri: `https://e.example/?${echo}` })
  },
  {
    name: "OAuth error whose code is the secret",
    expect: "TokenError OAuth",
    answer: Kit.oauthError(secret, 400, { error_description: formSecret })
  },
  {
    name: "OAuth error in a 200 that also carries an access token",
    expect: "TokenError OAuth",
    answer: Kit.token(strayToken, {
      error: "server_error",
      error_description: `${echo} token=${strayToken}`,
      error_uri: `https://e.example/?token=${strayToken}`
    })
  },
  {
    name: "InvalidResponse: HTML",
    expect: "TokenError InvalidResponse",
    answer: Kit.respond(200, `<html>${echo}</html>`, { "content-type": "text/html" })
  },
  {
    name: "InvalidResponse: unknown token_type",
    expect: "TokenError InvalidResponse",
    answer: Kit.token(strayToken, { token_type: strayToken })
  },
  {
    name: "InvalidResponse: bad expires_in",
    expect: "TokenError InvalidResponse",
    answer: Kit.token(strayToken, { expires_in: `${echo} ${strayToken}` })
  },
  {
    name: "InvalidResponse: bad scope",
    expect: "TokenError InvalidResponse",
    answer: Kit.token(strayToken, { scope: [echo, strayToken] })
  },
  {
    name: "InvalidResponse: redirect",
    expect: "TokenError InvalidResponse",
    answer: Kit.respond(302, echo, { location: `https://e.example/?${formSecret}&${strayToken}` })
  },
  { name: "InvalidResponse: 403", expect: "TokenError InvalidResponse", answer: Kit.respond(403, echo) },
  {
    name: "InvalidResponse: 400 without an RFC 6749 body",
    expect: "TokenError InvalidResponse",
    answer: Kit.json({ message: echo }, 400)
  },
  {
    name: "InvalidResponse: too large",
    expect: "TokenError InvalidResponse",
    answer: Kit.respond(200, echo.repeat(20_000))
  },
  {
    name: "InvalidRequest: a control character next to the secret in an extra parameter",
    expect: "TokenError InvalidRequest",
    request: { extraParams: { note: `${secret}\r\n${strayToken}` } }
  },
  { name: "InvalidRequest: the secret as a scope", expect: "TokenError InvalidRequest", request: { scopes: [secret] } },
  {
    name: "InvalidRequest: the secret as a resource",
    expect: "TokenError InvalidRequest",
    request: { resource: `${secret}#${strayToken}` }
  },
  {
    name: "Transport: a connection error whose message echoes the credentials",
    expect: "NetworkError Transport",
    answer: Kit.transportError(new Error(`connect failed: ${echo}`))
  },
  {
    name: "Transport: a nested cause echoing the credentials",
    expect: "NetworkError Transport",
    answer: Kit.transportError(new Error("fetch failed", { cause: new Error(`reset: ${echo}`) }))
  },
  {
    name: "Transport: the body fails while being read",
    expect: "NetworkError Transport",
    answer: Kit.respond(
      200,
      () => new ReadableStream({ start: (controller) => controller.error(new Error(`body aborted: ${echo}`)) })
    )
  },
  { name: "Timeout", expect: "NetworkError Timeout", answer: Kit.hang, overrides: { requestTimeout: 1000 } },
  { name: "ServerError", expect: "NetworkError ServerError", answer: Kit.respond(503, echo) },
  { name: "RateLimited", expect: "NetworkError RateLimited", answer: Kit.respond(429, echo, { "retry-after": "5" }) }
]

// -- the properties

/** Characters each encoding changes, and letters and digits: what secrets and tokens are made of. */
const valueAlphabet = [..."ABCDEFGHJKLMNPQRSTUVWXYZ0123456789:%+/= é!&<>\"'"]

/** Text around an echoed value: disjoint from `valueAlphabet` and from every encoding's output. */
const fillerAscii = [..."-_.~()[]{}|,?@^$*"]

const value = FastCheck.string({ unit: FastCheck.constantFrom(...valueAlphabet), minLength: 8, maxLength: 40 })
  // a start of one repeated character (eight spaces…) could be any indentation
  .filter((text) => new Set(text.slice(0, Leaks.leading)).size >= 3)

/** A short run of filler characters, repeated to make the text around a value. */
const fillerPattern = (ascii = false) =>
  FastCheck.array(
    ascii
      ? FastCheck.constantFrom(...fillerAscii)
      : FastCheck.oneof(
        { arbitrary: FastCheck.constantFrom(...fillerAscii), weight: 6 },
        // multi-byte characters: the cuts are by UTF-8 bytes
        { arbitrary: FastCheck.constantFrom("€", "𝄞"), weight: 1 }
      ),
    { minLength: 1, maxLength: 12 }
  )

/** `pattern` repeated to at most `bytes` UTF-8 bytes (fewer by at most 3). */
const fill = (pattern: ReadonlyArray<string>, bytes: number): string => {
  let text = ""
  let size = 0
  for (let i = 0;; i++) {
    const char = pattern[i % pattern.length]!
    const length = new TextEncoder().encode(char).byteLength
    if (size + length > bytes) return text
    text += char
    size += length
  }
}

/**
 * Where the value starts, in bytes: anywhere up to past the cut at `limit`, and often just before it, where a cut
 * first and replace after would leave its first characters.
 */
const offset = (limit: number) =>
  FastCheck.oneof(
    FastCheck.integer({ min: 0, max: limit + 16 }),
    FastCheck.integer({ min: Math.max(0, limit - 48), max: limit + 2 })
  )

const encoding = FastCheck.constantFrom(...Object.keys(Leaks.encodings))

/** The start of every form of the token, and of the secret when there is one, that no printing may hold. */
const forbiddenForms = (token: string, secret?: string): Record<string, string> => {
  const values: Record<string, string> = {}
  if (secret !== undefined) values["the Basic credentials"] = Leaks.basicCredentials(Kit.clientId, secret)
  for (const [name, encode] of Object.entries(Leaks.encodings)) {
    if (secret !== undefined) values[`the secret (${name})`] = encode(secret)
    values[`the token (${name})`] = encode(token)
  }
  return values
}

/** Enough to place each value at many offsets of each place; the suite stays within a few seconds. */
const numRuns = 40

/** Where the token endpoint's answer, or its transport, echoes a value; how many bytes of it an error keeps. */
const endpointPlaces = {
  "error_description": 1024,
  "error": 128,
  "error_uri": 1024,
  "cause": 200,
  "nested cause": 200,
  "cause code": 200
} as const

type EndpointPlace = keyof typeof endpointPlaces

const endpointCase = FastCheck.constantFrom(...Object.keys(endpointPlaces) as Array<EndpointPlace>).chain((place) =>
  FastCheck.record({
    place: FastCheck.constant(place),
    secret: value,
    token: value,
    // the token goes in errors of answers that carry it: not in a transport's cause
    echoed: place.includes("cause")
      ? FastCheck.constantFrom("secret", "basic")
      : FastCheck.constantFrom("secret", "basic", "token"),
    encoding,
    offset: offset(endpointPlaces[place]),
    filler: fillerPattern(),
    after: FastCheck.integer({ min: 0, max: 300 }),
    authMethod: FastCheck.constantFrom(...["client_secret_basic", "client_secret_post", "client_secret_jwt"] as const)
  })
)
  // client_secret_jwt never sends the Basic credentials: a server cannot echo them
  .filter(({ authMethod, echoed }) => !(authMethod === "client_secret_jwt" && echoed === "basic"))

/** The scripted answer that echoes `text` at `place`. */
const endpointAnswer = (place: EndpointPlace, text: string, token: string): Line.Answer => {
  const body = (field: "error" | "error_description" | "error_uri") => ({
    // an answer that carries an access token: the library knows the token, and must redact it
    access_token: token,
    token_type: "Bearer",
    error: "invalid_client",
    error_description: "the client is not known",
    [field]: text
  })
  switch (place) {
    case "error_description":
    case "error":
    case "error_uri":
      return Kit.json(body(place), 200)
    case "cause":
      return Kit.transportError(new Error(text))
    case "nested cause":
      return Kit.transportError(new Error("fetch failed", { cause: new Error(text) }))
    case "cause code":
      return Kit.transportError(Object.assign(new Error("connect failed"), { code: text }))
  }
}

/** One part of a compact JWS, of letters and digits (the base64url characters no filler holds). */
const jwsPart = (minLength: number) =>
  FastCheck.string({
    unit: FastCheck.constantFrom(...valueAlphabet.filter((char) => /[A-Z0-9]/.test(char))),
    minLength,
    maxLength: 16
  })

/** A client assertion: a compact JWS (the library sends nothing else), whose first 8 characters are its header's. */
const assertionValue = FastCheck.tuple(jwsPart(8), jwsPart(1), jwsPart(1)).map((parts) => parts.join("."))
  .filter((text) => new Set(text.slice(0, Leaks.leading)).size >= 3)

const assertionCase = FastCheck.constantFrom(...Object.keys(endpointPlaces) as Array<EndpointPlace>).chain((place) =>
  FastCheck.record({
    place: FastCheck.constant(place),
    assertion: assertionValue,
    token: value,
    echoed: place.includes("cause")
      ? FastCheck.constant("assertion" as const)
      : FastCheck.constantFrom("assertion" as const, "token" as const),
    encoding,
    offset: offset(endpointPlaces[place]),
    filler: fillerPattern(),
    after: FastCheck.integer({ min: 0, max: 300 })
  })
)

/** The client's credentials whose parts are secret, and what of them a server (or a transport) may echo. */
const keyKinds = {
  "private_key_jwt, a PEM key": ["the key", "the key's base64", "the assertion"],
  "private_key_jwt, a JWK": ["the key", "the key's d", "the assertion"],
  "client_secret_jwt": ["the secret", "the assertion"],
  "tls_client_auth, the certificate's key": ["the key", "the key's base64"],
  "DPoP, a PEM key": ["the key", "the key's base64", "the proof"],
  "DPoP, a JWK": ["the key", "the key's d", "the proof"]
} as const

type KeyKind = keyof typeof keyKinds

/** How many keys of each kind the property draws from: made once, as a key takes time to make. */
const keysPerKind = 3

const keyCase = FastCheck.constantFrom(...Object.keys(keyKinds) as Array<KeyKind>).chain((kind) =>
  FastCheck.constantFrom(...Object.keys(endpointPlaces) as Array<EndpointPlace>).chain((place) =>
    FastCheck.record({
      kind: FastCheck.constant(kind),
      key: FastCheck.nat({ max: keysPerKind - 1 }),
      secret: value,
      place: FastCheck.constant(place),
      echoed: FastCheck.constantFrom(...keyKinds[kind]),
      encoding,
      offset: offset(endpointPlaces[place]),
      filler: fillerPattern(),
      after: FastCheck.integer({ min: 0, max: 300 })
    })
  )
)

/** A PEM's base64, its lines joined. */
const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "")

/** Where an API echoes the token; how many bytes of it an error keeps. */
const apiPlaces = {
  "body": 1024,
  "challenge description": 100,
  "challenge error": 100,
  "transport cause": 200,
  "nested transport cause": 200
} as const

type ApiPlace = keyof typeof apiPlaces

const apiCase = FastCheck.constantFrom(...Object.keys(apiPlaces) as Array<ApiPlace>).chain((place) =>
  FastCheck.record({
    place: FastCheck.constant(place),
    token: value,
    encoding,
    offset: offset(apiPlaces[place]),
    // a header value is Latin-1: the text around the token in a challenge is ASCII
    filler: fillerPattern(place.startsWith("challenge")),
    after: FastCheck.integer({ min: 0, max: 300 })
  })
)

/** A quoted-string (RFC 9110 §5.6.4). */
const quoted = (text: string) => `"${text.replace(/["\\]/g, (char) => `\\${char}`)}"`

/** The answer of an API that echoes `text` at `place`. */
const apiAnswer = (place: ApiPlace, text: string): Line.Answer => {
  switch (place) {
    case "body":
      return Kit.respond(500, text)
    case "challenge description":
    case "challenge error": {
      const params = place === "challenge error"
        ? `error=${quoted(text)}`
        : `error="insufficient_scope", error_description=${quoted(text)}`
      return Kit.respond(403, undefined, { "www-authenticate": `Bearer realm="api", ${params}` })
    }
    case "transport cause":
      return Kit.transportError(new Error(`request failed: ${text}`))
    case "nested transport cause":
      return Kit.transportError(new Error("fetch failed", { cause: new Error(`request failed: ${text}`) }))
  }
}

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  const assertCleanText = (what: string, text: string) => {
    for (const forbiddenValue of forbidden) {
      const kind = forbiddenValue === strayToken || forbiddenValue === issuedToken ? "a token" : "the secret"
      assert.notInclude(text, forbiddenValue, `${what} shows ${kind}`)
    }
  }

  describe("secrets: never shown, case by case", () => {
    for (const scenario of scenarios) {
      it(scenario.name, async () => {
        for (const authMethod of ["client_secret_basic", "client_secret_post"] as const) {
          await Kit.withScripted(line, {}, async (net) => {
            net.script(Kit.token(issuedToken))
            const service = await net.service(
              Kit.optionsWith({ retry: { times: 0 }, authMethod, ...scenario.overrides })
            )
            const token = await Kit.tokenOf(service.get())
            for (const [how, text] of token.printings) assertCleanText(`${authMethod}: the token, ${how}`, text)
            if (scenario.answer !== undefined) net.script(scenario.answer)
            const call = service.get(scenario.request ?? { scopes: ["other"] })
            await net.advance(60_000)
            const error = await Kit.errorOf(call)
            assert.strictEqual(`${error.tag} ${error.reason}`, scenario.expect)
            for (const [how, text] of error.printings) assertCleanText(`${authMethod}: ${how}`, text)
            for (const log of net.logs()) assertCleanText(`${authMethod}: the ${log.level} log`, log.text)
          })
        }
      })
    }

    it("the background-refresh warning shows neither", () =>
      Kit.withScripted(line, { random: 0 }, async (net) => {
        net.script(
          Kit.token(issuedToken),
          Kit.oauthError("invalid_client", 401, { error_description: echo, error_uri: echo })
        )
        const service = await net.service(Kit.options)
        await Kit.valueOf(service.get())
        await Kit.setTime(net, 2_832_000)
        assert.strictEqual(await Kit.valueOf(service.get()), issuedToken)
        await net.advance(0)
        assert.strictEqual(net.requests().length, 2)
        const warnings = net.logs().filter((log) => log.level === "Warning")
        assert.strictEqual(warnings.length, 1)
        assert.include(warnings[0]!.text, "invalid_client")
        for (const log of net.logs()) assertCleanText(`the ${log.level} log`, log.text)
      }))

    it("options refused when the service is built show neither", () =>
      Kit.withScripted(line, {}, async (net) => {
        const refusal = await net.service(Kit.optionsWith({ extraParams: { note: `${echo}\n` }, scopes: [echo] })).then(
          () => assert.fail("the service was built"),
          (error: Error) => error
        )
        assertCleanText("the refusal", refusal.message)
        assert.strictEqual(net.requests().length, 0)
      }))

    it("a certificate not of the key, or no PEM certificate: refused naming the options, showing neither", () =>
      Kit.withScripted(line, {}, async (net) => {
        const client = Certificates.client("rsa")
        const stranger = Certificates.client("rsa")
        // a line of the DER changed: base64 still, no certificate any more
        const damaged = client.certificate.pem.replace(/\n(.{12})/, "\nAAAAAAAAAAAA")
        const hidden = {
          ...Leaks.pemPieces("the private key", client.privateKeyPem),
          ...Leaks.pemPieces("the certificate", client.certificate.pem),
          ...Leaks.pemPieces("the damaged certificate", damaged),
          ...Leaks.pemPieces("another key's certificate", stranger.certificate.pem),
          ...Leaks.pemPieces("its authority's", stranger.authority.pem)
        }
        const withKey = (more: Line.ServiceOptions): Line.ServiceOptions => ({
          tokenUrl: Kit.tokenUrl,
          clientId: Kit.clientId,
          authMethod: "private_key_jwt",
          privateKey: client.privateKeyPem,
          signingAlgorithm: "PS256",
          ...more
        })
        const cases: ReadonlyArray<readonly [string, Line.ServiceOptions, ReadonlyArray<string>]> = [
          [
            "another key's certificate",
            withKey({ certificate: stranger.certificate.pem }),
            ["privateKey does not match certificate"]
          ],
          [
            "a chain that starts above the key's certificate",
            withKey({ certificate: `${stranger.authority.pem}${client.certificate.pem}` }),
            ["privateKey does not match certificate"]
          ],
          ["a damaged certificate", withKey({ certificate: damaged }), ["certificate is not a PEM certificate"]],
          [
            "the private key given as the certificate",
            withKey({ certificate: client.privateKeyPem }),
            ["certificate holds a PEM block that is no certificate", "PRIVATE KEY"]
          ],
          [
            "a certificate with a client secret",
            Kit.optionsWith({ certificate: client.certificate.pem }),
            ["certificate is not an option of client_secret_basic"]
          ]
        ]
        for (const [what, options, says] of cases) {
          const refusal = await net.service(options).then(
            () => assert.fail(`${what}: the service was built`),
            (error: Error) => error
          )
          for (const words of says) assert.include(refusal.message, words, what)
          Leaks.assertNoStart(assert, `${what}: the refusal`, refusal.message, hidden)
        }
        for (const log of net.logs()) Leaks.assertNoStart(assert, `the ${log.level} log`, log.text, hidden)
        assert.strictEqual(net.requests().length, 0)
        // the same key and certificate, as they belong, are taken
        await net.service(withKey({ certificate: client.chain, sendCertificateChain: true }))
      }))

    it("a DPoP key's PEM base64, or its JWK's d, echoed by the token endpoint, shows nowhere", async () => {
      const { privateKey } = Crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
      const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
      const jwk = privateKey.export({ format: "jwk" })
      const cases = [
        ["a PEM key, its base64", pem, pemBody(pem)],
        ["a JWK, its d", JSON.stringify(jwk), jwk.d!]
      ] as const
      for (const [what, key, echoed] of cases) {
        await Kit.withScripted(line, {}, async (net) => {
          net.script(Kit.oauthError("invalid_client", 401, { error_description: `key: ${echoed}` }))
          const service = await net.service(Kit.optionsWith({ retry: { times: 0 }, dpop: { privateKey: key } }))
          const error = await Kit.errorOf(service.get())
          // compared, not shown: a failing test must not print the key
          assert.isTrue(error.fields.errorDescription === "key: <redacted>", `${what}: replaced`)
          Leaks.assertClean(assert, error, net.logs(), Leaks.encodedPieces(what, echoed))
        })
      }
    })

    it("a description echoing the secret at offset 1,000 shows none of it: replaced first, then cut", async () => {
      for (const authMethod of ["client_secret_basic", "client_secret_post"] as const) {
        await Kit.withScripted(line, {}, async (net) => {
          const description = `${"d".repeat(1000)}${secret}${"e".repeat(100)}`
          net.script(Kit.oauthError("invalid_client", 401, { error_description: description }))
          const service = await net.service(Kit.optionsWith({ retry: { times: 0 }, authMethod }))
          const error = await Kit.errorOf(service.get())
          assert.strictEqual(error.fields.errorDescription, `${"d".repeat(1000)}<redacted>${"e".repeat(14)}`)
          Leaks.assertClean(assert, error, net.logs(), { "the secret": secret })
        })
      }
    })

    it("an unregistered error code echoing the Basic credentials past 128 bytes shows none of them", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.oauthError(`${"c".repeat(110)}${basicCredentials}`, 400))
        const service = await net.service(Kit.optionsWith({ retry: { times: 0 } }))
        const error = await Kit.errorOf(service.get())
        assert.strictEqual(error.fields.error, `${"c".repeat(110)}<redacted>`)
        Leaks.assertClean(assert, error, net.logs(), { "the Basic credentials": basicCredentials })
      }))

    it("a cause echoing the form-encoded secret across its 200-byte cut shows none of it", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.transportError(new Error(`${"y".repeat(190)}${formSecret}${"z".repeat(40)}`)))
        const service = await net.service(Kit.optionsWith({ retry: { times: 0 }, authMethod: "client_secret_post" }))
        const error = await Kit.errorOf(service.get())
        assert.strictEqual(error.fields.detail, `could not be called (${"y".repeat(190)}<redacted>)`)
        Leaks.assertClean(assert, error, net.logs(), { "the form-encoded secret": formSecret })
      }))

    it("with a 1- or 2-character secret, invalid_client stays invalid_client: terminal, and cooled down", async () => {
      for (const shortSecret of ["i", "in"]) {
        for (const authMethod of ["client_secret_basic", "client_secret_post"] as const) {
          await Kit.withScripted(line, {
            fallback: Kit.oauthError("invalid_client", 401, { error_description: "client i is invalid" })
          }, async (net) => {
            const service = await net.service(
              Kit.optionsWith({ clientSecret: shortSecret, authMethod, retry: { times: 0 } })
            )
            const error = await Kit.errorOf(service.get())
            assert.strictEqual(error.tag, "TokenError")
            assert.strictEqual(error.fields.error, "invalid_client", `secret ${JSON.stringify(shortSecret)}`)
            assert.strictEqual(error.fields.isTerminal, true)
            assert.notInclude(String(error.fields.errorDescription), shortSecret)
            // remembered for terminalErrorCooldown: the second call sends nothing
            await Kit.errorOf(service.get())
            assert.strictEqual(net.requests().length, 1)
          })
        }
      }
    })

    it("an unregistered error code is redacted even with a 2-character secret", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.oauthError("custom_zq_code", 400))
        const service = await net.service(Kit.optionsWith({ clientSecret: "zq", retry: { times: 0 } }))
        assert.strictEqual((await Kit.errorOf(service.get())).fields.error, "custom_<redacted>_code")
      }))

    it("an access token that comes with an error is redacted in every form it is echoed in", () =>
      Kit.withScripted(line, {}, async (net) => {
        const token = "tok/+=é'&x<1>"
        const echoed = Object.entries(Leaks.encodings).map(([name, encode]) => `${name}: [${encode(token)}]`)
        net.script(Kit.token(token, {
          error: "server_error",
          error_description: echoed.join("; "),
          error_uri: `https://e.example/?token=${encodeURIComponent(token)}`
        }))
        const service = await net.service(Kit.optionsWith({ retry: { times: 0 } }))
        const error = await Kit.errorOf(service.get())
        assert.strictEqual(
          error.fields.errorDescription,
          Object.keys(Leaks.encodings).map((name) => `${name}: [<redacted>]`).join("; ")
        )
        assert.strictEqual(error.fields.errorUri, "https://e.example/?token=<redacted>")
        Leaks.assertClean(
          assert,
          error,
          net.logs(),
          Object.fromEntries(echoed.map((text, i) => [`form ${i}`, text.split("[")[1]!]))
        )
      }))
  })

  describe("secrets: no printing holds the start of a secret, an assertion or a token (properties)", () => {
    it(
      "a secret, its Basic credentials or a token, echoed at any offset of a description, an error code, an error URI or a cause, in each secret method",
      () =>
        FastCheck.assert(
          FastCheck.asyncProperty(
            endpointCase,
            ({ after, authMethod, echoed, encoding, filler, offset, place, secret, token }) =>
              Kit.withScripted(line, {}, async (net) => {
                const shown = echoed === "basic"
                  ? Leaks.basicCredentials(Kit.clientId, secret)
                  : Leaks.encodings[encoding]!(echoed === "secret" ? secret : token)
                net.script(endpointAnswer(place, `${fill(filler, offset)}${shown}${fill(filler, after)}`, token))
                const service = await net.service(
                  Kit.optionsWith({ clientSecret: secret, authMethod, retry: { times: 0 } })
                )
                const error = await Kit.errorOf(service.get())
                Leaks.assertClean(assert, error, net.logs(), forbiddenForms(token, secret))
                assert.strictEqual(error.tag, place.includes("cause") ? "NetworkError" : "TokenError")
              })
          ),
          { numRuns }
        ),
      60_000
    )

    it(
      "a client assertion, or a token, echoed at any offset of a description, an error code, an error URI or a cause",
      () =>
        FastCheck.assert(
          FastCheck.asyncProperty(
            assertionCase,
            ({ after, assertion, echoed, encoding, filler, offset, place, token }) =>
              Kit.withScripted(line, {}, async (net) => {
                const shown = Leaks.encodings[encoding]!(echoed === "assertion" ? assertion : token)
                net.script(endpointAnswer(place, `${fill(filler, offset)}${shown}${fill(filler, after)}`, token))
                const service = await net.service({
                  tokenUrl: Kit.tokenUrl,
                  clientId: Kit.clientId,
                  authMethod: "private_key_jwt",
                  clientAssertion: assertion,
                  retry: { times: 0 }
                })
                const error = await Kit.errorOf(service.get())
                const values = forbiddenForms(token)
                for (const [name, encode] of Object.entries(Leaks.encodings)) {
                  values[`the assertion (${name})`] = encode(assertion)
                }
                Leaks.assertClean(assert, error, net.logs(), values)
                assert.strictEqual(error.tag, place.includes("cause") ? "NetworkError" : "TokenError")
                assert.strictEqual(Kit.form(net.requests()[0]!).get("client_assertion"), assertion, "sent as given")
              })
          ),
          { numRuns }
        ),
      60_000
    )

    it(
      "a private key (PEM or JWK), a client_secret_jwt secret, a TLS client key, a DPoP key, an assertion or a DPoP proof, echoed in any form at any offset, shows no piece of it",
      async () => {
        const ecKeys = Array.from({ length: keysPerKind }, () => {
          const { privateKey } = Crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
          const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
          const jwk = privateKey.export({ format: "jwk" })
          return { pem, json: JSON.stringify(jwk), d: jwk.d! }
        })
        const authority = Certificates.tlsAuthority()
        const tlsClients = Array.from({ length: keysPerKind }, () => authority.client())
        await FastCheck.assert(
          FastCheck.asyncProperty(
            keyCase,
            ({ after, echoed, encoding, filler, key, kind, offset, place, secret }) =>
              Kit.withScripted(line, {}, async (net) => {
                const ec = ecKeys[key]!
                const tls = tlsClients[key]!
                const base = { tokenUrl: Kit.tokenUrl, clientId: Kit.clientId, retry: { times: 0 } }
                const [options, keyText]: readonly [Line.ServiceOptions, string] = kind === "private_key_jwt, a PEM key"
                  ? [{ ...base, authMethod: "private_key_jwt", privateKey: ec.pem, signingAlgorithm: "ES256" }, ec.pem]
                  : kind === "private_key_jwt, a JWK"
                  ? [
                    { ...base, authMethod: "private_key_jwt", privateKey: ec.json, signingAlgorithm: "ES256" },
                    ec.json
                  ]
                  : kind === "client_secret_jwt"
                  ? [{ ...base, authMethod: "client_secret_jwt", clientSecret: secret }, secret]
                  : kind === "tls_client_auth, the certificate's key"
                  ? [
                    { ...base, authMethod: "tls_client_auth", tlsClientCertificate: { cert: tls.cert, key: tls.key } },
                    tls.key
                  ]
                  : kind === "DPoP, a PEM key"
                  ? [{ ...base, clientSecret: Kit.clientSecret, dpop: { privateKey: ec.pem } }, ec.pem]
                  : [{ ...base, clientSecret: Kit.clientSecret, dpop: { privateKey: ec.json } }, ec.json]
                const echoedOf = (request: Line.RecordedRequest): string => {
                  switch (echoed) {
                    case "the key":
                    case "the secret":
                      return keyText
                    case "the key's base64":
                      return pemBody(keyText)
                    case "the key's d":
                      return ec.d
                    case "the assertion":
                      return Kit.form(request).get("client_assertion") ?? ""
                    case "the proof":
                      return request.headers["dpop"] ?? ""
                  }
                }
                net.script((request) =>
                  endpointAnswer(
                    place,
                    `${fill(filler, offset)}${Leaks.encodings[encoding]!(echoedOf(request))}${fill(filler, after)}`,
                    "at-ISSUED-9d8e7f"
                  )
                )
                const service = await net.service(options)
                const error = await Kit.errorOf(service.get())
                const request = net.requests()[0]!
                const sent = echoedOf(request)
                assert.isAbove(sent.length, 0, `${echoed} was sent`)
                // every secret of the credentials, whatever was echoed: a cut may leave a part of any of them
                const values: Record<string, string> = kind === "client_secret_jwt"
                  ? Leaks.encodedPieces("the secret", secret)
                  : kind.includes("JWK")
                  ? Leaks.encodedPieces("the key's d", ec.d)
                  : Leaks.encodedPieces("the key's base64", pemBody(keyText))
                const perRequest = kind.startsWith("DPoP")
                  ? request.headers["dpop"]
                  : Kit.form(request).get("client_assertion") ?? undefined
                if (perRequest !== undefined) {
                  Object.assign(values, Leaks.encodedPieces("the request's JWS", perRequest))
                }
                Leaks.assertClean(assert, error, net.logs(), values)
                assert.strictEqual(error.tag, place.includes("cause") ? "NetworkError" : "TokenError")
              })
          ),
          { numRuns: 60 }
        )
      },
      60_000
    )

    it(
      "a token echoed by an API in any form at any offset of an error body, a challenge or a transport cause",
      () =>
        FastCheck.assert(
          FastCheck.asyncProperty(apiCase, ({ after, encoding, filler, offset, place, token }) =>
            Kit.withScripted(line, {}, async (net) => {
              const shown = Leaks.encodings[encoding]!(token)
              // a transport's cause that quotes the request's header: `request failed: <filler>Authorization: Bearer <token>`
              const text = place.includes("transport")
                ? `${fill(filler, offset - 38)}Authorization: Bearer ${shown}${fill(filler, after)}`
                : `${fill(filler, offset)}${shown}${fill(filler, after)}`
              net.script(apiAnswer(place, text))
              const client = await net.authorizedClient(net.fixedTokens(token))
              const error = await Kit.errorOf(client.send({ url: "https://api.example.com/x" }))
              Leaks.assertClean(assert, error, net.logs(), forbiddenForms(token))
              assert.strictEqual(error.tag, place.includes("transport") ? "NetworkError" : "ApiError")
            })),
          { numRuns }
        ),
      60_000
    )
  })
}
