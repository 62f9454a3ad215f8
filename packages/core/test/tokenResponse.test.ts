/**
 * What a token endpoint's answer means (RFC 6749 §5), alone: the class of each status, the §5.2 error response with
 * its texts redacted first and cut after, and what makes a §5.1 token (`docs/behaviour.md#token-endpoint-answers`);
 * `expires_in` and its bounds (`docs/behaviour.md#time`, `docs/behaviour.md#bounds`); an access token's syntax, so
 * that it cannot break the `Authorization` header (RFC 6750 §2.1); texts that never show a secret or the token
 * (`docs/behaviour.md#secrets`).
 */
import { assert, describe, it } from "vitest"
import * as Redactor from "../src/redactor.js"
import * as TokenResponse from "../src/tokenResponse.js"

const secret = "s3cret"
const redactor = Redactor.make([secret])

describe("token response: bounds", () => {
  it("reads 1 MiB of response at most", () => {
    assert.strictEqual(TokenResponse.maxResponseBytes, 1_048_576)
  })

  it("believes a lifetime of 366 days at most", () => {
    assert.strictEqual(TokenResponse.maxLifetimeMillis, 31_622_400_000)
  })

  it("takes access tokens of 16,384 characters at most", () => {
    assert.strictEqual(TokenResponse.maxTokenLength, 16_384)
  })
})

describe("token response: the status table", () => {
  const table: Array<[TokenResponse.StatusClass, ReadonlyArray<number>]> = [
    ["Success", [200, 201, 203, 204, 206, 299]],
    ["Redirect", [300, 301, 302, 303, 304, 307, 308, 399]],
    ["ErrorResponse", [400, 401]],
    ["Retryable", [408, 429, 500, 501, 502, 503, 504, 505, 511, 599]],
    ["Unexpected", [100, 101, 199, 402, 403, 404, 405, 409, 410, 418, 422, 499]]
  ]

  it("classifies each status", () => {
    for (const [expected, statuses] of table) {
      for (const status of statuses) assert.strictEqual(TokenResponse.classify(status), expected, `${status}`)
    }
  })

  it("retries 408, 429, 500, 502, 503 and 504, and no other 5xx", () => {
    assert.deepStrictEqual(Array.from(TokenResponse.retryableStatuses).sort(), [408, 429, 500, 502, 503, 504])
  })
})

describe("token response: an access token's syntax", () => {
  it("takes 1 to 16,384 visible ASCII characters (%x21-7E)", () => {
    for (const value of ["a", "!", "~", "abc.DEF-_~+/=", "\"quoted\"", "x".repeat(16_384)]) {
      assert.isTrue(TokenResponse.isTokenValue(value), value.slice(0, 20))
    }
  })

  it("refuses an empty token, a space, a control character, DEL, non-ASCII, or one character too many", () => {
    for (const value of ["", " ", "a b", "a\r\nb", "a\tb", "a\u007f", "é", "a\u00a0", "x".repeat(16_385)]) {
      assert.isFalse(TokenResponse.isTokenValue(value), JSON.stringify(value.slice(0, 20)))
    }
  })
})

describe("token response: token types", () => {
  const accepted = ["Bearer", "DPoP"] as const

  it("names an accepted type without regard to case (RFC 6749 §7.1), in its canonical case", () => {
    assert.strictEqual(TokenResponse.acceptedTokenType(accepted, "Bearer"), "Bearer")
    assert.strictEqual(TokenResponse.acceptedTokenType(accepted, "bearer"), "Bearer")
    assert.strictEqual(TokenResponse.acceptedTokenType(accepted, "BEARER"), "Bearer")
    assert.strictEqual(TokenResponse.acceptedTokenType(accepted, "dpop"), "DPoP")
  })

  it("names nothing for another type or a value that is not a string", () => {
    for (const tokenType of ["mac", "Bearer ", "", undefined, null, 1, ["Bearer"]]) {
      assert.isUndefined(TokenResponse.acceptedTokenType(accepted, tokenType), JSON.stringify(tokenType))
    }
    assert.isUndefined(TokenResponse.acceptedTokenType(["Bearer"], "DPoP"))
  })
})

describe("token response: the error response (RFC 6749 §5.2)", () => {
  it("is an object with a non-empty string error", () => {
    for (
      const body of [undefined, null, "invalid_client", 1, [], ["invalid_client"], {}, { error: "" }, { error: 1 }]
    ) {
      assert.isUndefined(TokenResponse.errorResponseOf(body, redactor), JSON.stringify(body))
    }
  })

  it("keeps error, error_description and error_uri, and leaves out those absent or not strings", () => {
    assert.deepStrictEqual(
      TokenResponse.errorResponseOf({
        error: "invalid_client",
        error_description: "client authentication failed",
        error_uri: "https://login.example/errors/1"
      }, redactor),
      {
        error: "invalid_client",
        errorDescription: "client authentication failed",
        errorUri: "https://login.example/errors/1"
      }
    )
    assert.deepStrictEqual(TokenResponse.errorResponseOf({ error: "invalid_client" }, redactor), {
      error: "invalid_client"
    })
    assert.deepStrictEqual(
      TokenResponse.errorResponseOf({ error: "invalid_client", error_description: 1, error_uri: null }, redactor),
      { error: "invalid_client" }
    )
    assert.deepStrictEqual(
      TokenResponse.errorResponseOf({ error: "invalid_client", error_description: "" }, redactor),
      { error: "invalid_client", errorDescription: "" }
    )
  })

  it("redacts the secret from every text, and an unregistered error code", () => {
    assert.deepStrictEqual(
      TokenResponse.errorResponseOf({
        error: `bad_${secret}`,
        error_description: `the secret ${secret} is wrong`,
        error_uri: `https://login.example/?s=${secret}`
      }, redactor),
      {
        error: "bad_<redacted>",
        errorDescription: "the secret <redacted> is wrong",
        errorUri: "https://login.example/?s=<redacted>"
      }
    )
  })

  it("keeps a registered error code as it is, whatever the secret", () => {
    const oneLetter = Redactor.make(["i"])
    assert.deepStrictEqual(
      TokenResponse.errorResponseOf({ error: "invalid_client", error_description: "invalid" }, oneLetter),
      { error: "invalid_client", errorDescription: "<redacted>nval<redacted>d" }
    )
    assert.strictEqual(TokenResponse.errorResponseOf({ error: "custom_i" }, oneLetter)?.error, "custom_<redacted>")
  })

  it("redacts an access_token that comes with the error", () => {
    assert.deepStrictEqual(
      TokenResponse.errorResponseOf({
        error: "invalid_request",
        error_description: "token abc123 refused",
        access_token: "abc123"
      }, redactor),
      { error: "invalid_request", errorDescription: "token <redacted> refused" }
    )
  })

  it("cuts error_description and error_uri to 1 KiB of UTF-8, an unregistered code to 128 bytes", () => {
    const error = TokenResponse.errorResponseOf({
      error: "x".repeat(200),
      error_description: "é".repeat(600),
      error_uri: `https://login.example/${"u".repeat(2_000)}`
    }, redactor)
    assert.deepStrictEqual(error, {
      error: "x".repeat(128),
      errorDescription: "é".repeat(512),
      errorUri: `https://login.example/${"u".repeat(1_024 - 22)}`
    })
  })

  it("redacts first and cuts after: a secret across the limit shows none of it", () => {
    const across = TokenResponse.errorResponseOf(
      { error: "e", error_description: `${"a".repeat(1_020)}${secret}` },
      redactor
    )
    assert.strictEqual(across?.errorDescription, `${"a".repeat(1_020)}<red`)
    // what a cut leaves of the start of a secret is dropped too
    const start = TokenResponse.errorResponseOf({ error: "e", error_description: `${"a".repeat(1_022)}s3zz` }, redactor)
    assert.strictEqual(start?.errorDescription, "a".repeat(1_022))
  })
})

describe("token response: expires_in", () => {
  it("reads a number of seconds, or a numeric string, as millis", () => {
    assert.strictEqual(TokenResponse.parseExpiresIn(3_600), 3_600_000)
    assert.strictEqual(TokenResponse.parseExpiresIn("3600"), 3_600_000)
    assert.strictEqual(TokenResponse.parseExpiresIn(" 3600 "), 3_600_000)
    assert.strictEqual(TokenResponse.parseExpiresIn(1.5), 1_500)
    assert.strictEqual(TokenResponse.parseExpiresIn("1.5"), 1_500)
    assert.strictEqual(TokenResponse.parseExpiresIn(1), 1_000)
    assert.strictEqual(TokenResponse.parseExpiresIn("1"), 1_000)
  })

  it("is undefined when absent or null", () => {
    assert.isUndefined(TokenResponse.parseExpiresIn(undefined))
    assert.isUndefined(TokenResponse.parseExpiresIn(null))
  })

  it("refuses less than 1 second, negative, non-numeric and infinite values", () => {
    const refused = [0.999, 0, -1, "0.5", "0", "-1", "+1", "", " ", "1e3", "0x10", "1.", ".5", "3600s", "NaN", NaN]
    for (const value of [...refused, Infinity, "Infinity", true, {}, [3600]]) {
      assert.strictEqual(TokenResponse.parseExpiresIn(value), "invalid", JSON.stringify(value))
    }
  })
})

describe("token response: scope", () => {
  it("splits the granted scopes on spaces", () => {
    assert.deepStrictEqual(TokenResponse.parseScopes("read write", ["x"]), ["read", "write"])
    assert.deepStrictEqual(TokenResponse.parseScopes(" read  write ", ["x"]), ["read", "write"])
    assert.deepStrictEqual(TokenResponse.parseScopes("", ["x"]), [])
  })

  it("is the requested scopes when the server sent none", () => {
    assert.deepStrictEqual(TokenResponse.parseScopes(undefined, ["read"]), ["read"])
    assert.deepStrictEqual(TokenResponse.parseScopes(null, ["read"]), ["read"])
  })

  it("refuses anything but a string", () => {
    assert.strictEqual(TokenResponse.parseScopes(["read"], []), "invalid")
    assert.strictEqual(TokenResponse.parseScopes(1, []), "invalid")
  })
})

describe("token response: a 2xx answer's body (RFC 6749 §5.1)", () => {
  const options = {
    tokenTypes: ["Bearer", "DPoP"],
    defaultLifetimeMillis: 300_000,
    requestedScopes: ["read"],
    redactor
  }
  const read = (body: unknown, more: Partial<typeof options> = {}) =>
    TokenResponse.readSuccess(body, { ...options, ...more })
  const detail = (body: unknown) => {
    const result = read(body)
    if (result._tag !== "NotAToken") return assert.fail(`expected NotAToken, got ${result._tag}`)
    return result.detail
  }
  const token = { access_token: "abc.DEF-_~+/=", token_type: "Bearer" }

  it("gives the token, its type, scopes and lifetime", () => {
    assert.deepStrictEqual(read({ ...token, expires_in: 60, scope: "read write", refresh_token: "ignored" }), {
      _tag: "Token",
      token: { value: "abc.DEF-_~+/=", tokenType: "Bearer", scopes: ["read", "write"], lifetimeMillis: 60_000 }
    })
  })

  it("takes token_type in any case, and gives it in its canonical case", () => {
    const result = read({ ...token, token_type: "dPoP" })
    assert.strictEqual(result._tag === "Token" && result.token.tokenType, "DPoP")
  })

  it("gives the default lifetime and the requested scopes when the server sent none", () => {
    assert.deepStrictEqual(read(token), {
      _tag: "Token",
      token: { value: "abc.DEF-_~+/=", tokenType: "Bearer", scopes: ["read"], lifetimeMillis: 300_000 }
    })
  })

  it("takes expires_in as a numeric string", () => {
    const result = read({ ...token, expires_in: "3600" })
    assert.strictEqual(result._tag === "Token" && result.token.lifetimeMillis, 3_600_000)
  })

  it("cuts a lifetime to 366 days, the default one too", () => {
    const long = read({ ...token, expires_in: 31_622_401 })
    assert.strictEqual(long._tag === "Token" && long.token.lifetimeMillis, 31_622_400_000)
    const longDefault = read(token, { defaultLifetimeMillis: 40_000_000_000 })
    assert.strictEqual(longDefault._tag === "Token" && longDefault.token.lifetimeMillis, 31_622_400_000)
    const exact = read({ ...token, expires_in: 31_622_400 })
    assert.strictEqual(exact._tag === "Token" && exact.token.lifetimeMillis, 31_622_400_000)
  })

  it("is not a token when the body is not a JSON object", () => {
    for (const body of [null, "token", 1, [], [token]]) {
      assert.strictEqual(detail(body), "the response is not a JSON object", JSON.stringify(body))
    }
  })

  it("is an error response when it carries error, even with a token", () => {
    assert.deepStrictEqual(read({ ...token, error: "invalid_grant", error_description: `no ${secret}` }), {
      _tag: "ErrorResponse",
      error: { error: "invalid_grant", errorDescription: "no <redacted>" }
    })
  })

  it("is not a token without a non-empty string access_token", () => {
    for (const accessToken of [undefined, null, "", 1, ["abc"]]) {
      assert.strictEqual(
        detail({ ...token, access_token: accessToken }),
        "access_token is missing or not a non-empty string",
        JSON.stringify(accessToken)
      )
    }
  })

  it("is not a token when access_token could break the Authorization header", () => {
    const notVisible =
      "access_token is not visible ASCII without spaces (it has a control, space or non-ASCII character)"
    for (const accessToken of ["abc def", "abc\r\nX-Injected: 1", "abcé", "abc\u007f"]) {
      assert.strictEqual(detail({ ...token, access_token: accessToken }), notVisible, JSON.stringify(accessToken))
    }
    assert.strictEqual(
      detail({ ...token, access_token: "x".repeat(16_385) }),
      "access_token is longer than 16384 characters"
    )
    assert.strictEqual(
      detail({ ...token, access_token: `${"x".repeat(16_384)} ` }),
      "access_token is longer than 16384 characters"
    )
    assert.strictEqual(detail({ ...token, access_token: `${"x".repeat(16_383)} ` }), notVisible)
    const longest = read({ ...token, access_token: "x".repeat(16_384) })
    assert.strictEqual(longest._tag, "Token")
  })

  it("is not a token without an accepted token_type", () => {
    for (const tokenType of [undefined, "mac", "", 1]) {
      assert.strictEqual(
        detail({ ...token, token_type: tokenType }),
        "token_type is missing or not one of Bearer, DPoP",
        JSON.stringify(tokenType)
      )
    }
    const bearerOnly = read({ ...token, token_type: "DPoP" }, { tokenTypes: ["Bearer"] })
    assert.deepStrictEqual(bearerOnly, { _tag: "NotAToken", detail: "token_type is missing or not one of Bearer" })
  })

  it("is not a token with an expires_in under 1 s or not a number", () => {
    for (const expiresIn of [0, 0.5, -60, "soon", "", true]) {
      assert.strictEqual(
        detail({ ...token, expires_in: expiresIn }),
        "expires_in is not a number of seconds of at least 1",
        JSON.stringify(expiresIn)
      )
    }
  })

  it("is not a token with a scope that is not a string", () => {
    assert.strictEqual(detail({ ...token, scope: ["read"] }), "scope is not a string")
  })

  it("never quotes the token in what it says is wrong", () => {
    const value = "Zq9TokenValue"
    const bodies = [
      { access_token: `${value} x`, token_type: "Bearer" },
      { access_token: `${value}${"x".repeat(16_384)}`, token_type: "Bearer" },
      { access_token: value, token_type: value },
      { access_token: value, token_type: "Bearer", expires_in: value },
      { access_token: value, token_type: "Bearer", scope: [value] }
    ]
    for (const body of bodies) assert.notInclude(detail(body), value)
  })
})
