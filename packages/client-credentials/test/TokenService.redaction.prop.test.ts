/**
 * Property tests of redaction (`docs/behaviour.md#secrets`): a client secret, its form-encoded and Basic forms, an
 * access token, a client assertion, and each of them as the usual encoders write them, echoed at any offset of an
 * `error_description`, an `error` code, an `error_uri` or a cause's text — through the token endpoint in each
 * secret-based client authentication method (`client_secret_jwt` included) and with a `clientAssertion`, and through
 * `AuthorizedClient` (an `ApiError` body, a `WWW-Authenticate` challenge, a transport cause). No printing of the error
 * (`String`, `message`, `stack`, JSON, `util.inspect` at any depth, `Cause.pretty`) and no log line holds the first 8
 * characters of any of them.
 *
 * Secrets and tokens are drawn from characters every encoding changes (plus letters and digits), the text around them
 * from characters disjoint from those and from every encoding's output, so that no false match is possible.
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as FixedTokens from "./authorized/fixedTokens.js"
import * as Leaks from "./utils/leaks.js"
import * as Logs from "./utils/logs.js"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Service from "./utils/service.js"

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
const forbidden = (token: string, secret?: string): Record<string, string> => {
  const values: Record<string, string> = {}
  if (secret !== undefined) values["the Basic credentials"] = Leaks.basicCredentials(Service.clientId, secret)
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
const endpointAnswer = (place: EndpointPlace, text: string, token: string): Endpoint.Answer => {
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
      return Endpoint.json(body(place), 200)
    case "cause":
      return Endpoint.transportFailure(new Error(text))
    case "nested cause":
      return Endpoint.transportFailure(new Error("fetch failed", { cause: new Error(text) }))
    case "cause code":
      return Endpoint.transportFailure(Object.assign(new Error("connect failed"), { code: text }))
  }
}

describe("TokenService: no printing holds the start of a secret or a token (properties)", () => {
  it.effect.prop(
    "echoed at any offset of a description, an error code, an error URI or a cause, in each secret auth method",
    [endpointCase],
    ([{ after, authMethod, echoed, encoding, filler, offset, place, secret, token }]) =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const shown = echoed === "basic"
          ? Leaks.basicCredentials(Service.clientId, secret)
          : Leaks.encodings[encoding]!(echoed === "secret" ? secret : token)
        endpoint.script(endpointAnswer(place, `${fill(filler, offset)}${shown}${fill(filler, after)}`, token))
        const { exit, logs } = yield* Effect.scoped(Effect.gen(function*() {
          const service = yield* TokenService.make({
            ...Service.options,
            clientSecret: Redacted.make(secret),
            authMethod,
            retry: Schedule.stop
          }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
          return yield* Logs.runLogged(service.get)
        }))
        const error = Leaks.assertClean(exit, logs, forbidden(token, secret))
        assert.strictEqual(error._tag, place.includes("cause") ? "NetworkError" : "TokenError")
      }),
    { timeout: 60_000, fastCheck: { numRuns } }
  )
})

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

describe("TokenService: no printing holds the start of a client assertion (properties)", () => {
  it.effect.prop(
    "a clientAssertion echoed at any offset of a description, an error code, an error URI or a cause",
    [assertionCase],
    ([{ after, assertion, echoed, encoding, filler, offset, place, token }]) =>
      Effect.gen(function*() {
        const endpoint = Endpoint.make()
        const shown = Leaks.encodings[encoding]!(echoed === "assertion" ? assertion : token)
        endpoint.script(endpointAnswer(place, `${fill(filler, offset)}${shown}${fill(filler, after)}`, token))
        const { exit, logs } = yield* Effect.scoped(Effect.gen(function*() {
          const service = yield* TokenService.make({
            tokenUrl: Service.tokenUrl,
            clientId: Service.clientId,
            authMethod: "private_key_jwt",
            clientAssertion: Effect.succeed(Redacted.make(assertion)),
            retry: Schedule.stop
          }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))
          return yield* Logs.runLogged(service.get)
        }))
        const values = forbidden(token)
        for (const [name, encode] of Object.entries(Leaks.encodings)) {
          values[`the assertion (${name})`] = encode(assertion)
        }
        const error = Leaks.assertClean(exit, logs, values)
        assert.strictEqual(error._tag, place.includes("cause") ? "NetworkError" : "TokenError")
        assert.strictEqual(endpoint.requests[0]?.form.get("client_assertion"), assertion, "sent as given")
      }),
    { timeout: 60_000, fastCheck: { numRuns } }
  )
})

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

/** An API that echoes `text` at `place`. */
const echoingApi = (place: ApiPlace, text: string) =>
  HttpClient.make((request) => {
    switch (place) {
      case "body":
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(text, { status: 500 })))
      case "challenge description":
      case "challenge error": {
        const params = place === "challenge error"
          ? `error=${quoted(text)}`
          : `error="insufficient_scope", error_description=${quoted(text)}`
        return Effect.succeed(HttpClientResponse.fromWeb(
          request,
          new Response(null, { status: 403, headers: { "www-authenticate": `Bearer realm="api", ${params}` } })
        ))
      }
      case "transport cause":
      case "nested transport cause": {
        const cause = new Error(`request failed: ${text}`)
        return Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: place === "transport cause" ? cause : new Error("fetch failed", { cause })
          })
        )
      }
    }
  })

describe("AuthorizedClient: no printing holds the start of the token (properties)", () => {
  it.effect.prop(
    "echoed in any form at any offset of an error body, a challenge or a transport cause",
    [apiCase],
    ([{ after, encoding, filler, offset, place, token }]) =>
      Effect.gen(function*() {
        const shown = Leaks.encodings[encoding]!(token)
        // a transport's cause that quotes the request's header: `request failed: <filler>Authorization: Bearer <token>`
        const text = place.includes("transport")
          ? `${fill(filler, offset - 38)}Authorization: Bearer ${shown}${fill(filler, after)}`
          : `${fill(filler, offset)}${shown}${fill(filler, after)}`
        const client = AuthorizedClient.withTokens(echoingApi(place, text), { tokens: FixedTokens.make(token) })
        const { exit, logs } = yield* Logs.runLogged(client.get("https://api.example.com/x"))
        const error = Leaks.assertClean(exit, logs, forbidden(token))
        assert.strictEqual(error._tag, place.includes("transport") ? "NetworkError" : "ApiError")
      }),
    { timeout: 60_000, fastCheck: { numRuns } }
  )
})
