/**
 * The three errors as plain fields (`docs/behaviour.md#errors`): the message each reason reads as, word for word,
 * with and without each optional field; which are terminal, which retryable; durations in words as Effect writes them.
 */
import { assert, describe, it } from "vitest"
import * as Errors from "../src/errors.js"

const origin = "https://login.example.com"

describe("errors: TokenError", () => {
  it("has the six reasons, in order", () => {
    assert.deepStrictEqual(Errors.tokenErrorReasons, [
      "OAuth",
      "InvalidResponse",
      "InvalidRequest",
      "Discovery",
      "UnsupportedAuthMethod",
      "ClientAssertion"
    ])
  })

  it("OAuth: the code, the description and the status, after the endpoint", () => {
    assert.strictEqual(
      Errors.tokenErrorMessage({
        reason: "OAuth",
        origin,
        status: 401,
        error: "invalid_client",
        errorDescription: "bad secret",
        errorUri: "https://docs.example.com/errors"
      }),
      "token endpoint https://login.example.com refused the token request: invalid_client (bad secret), HTTP 401"
    )
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "OAuth", error: "invalid_scope" }),
      "token endpoint refused the token request: invalid_scope"
    )
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "OAuth", origin, status: 400 }),
      "token endpoint https://login.example.com refused the token request: an unnamed error, HTTP 400"
    )
  })

  it("InvalidResponse: the detail and the status, or no usable token", () => {
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "InvalidResponse", origin, status: 200, detail: "the body is not JSON" }),
      "token endpoint https://login.example.com gave no usable token: the body is not JSON, HTTP 200"
    )
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "InvalidResponse" }),
      "token endpoint gave no usable token: no usable token"
    )
  })

  it("InvalidRequest: a token request not sent, or without an origin an API request refused", () => {
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "InvalidRequest", origin, status: 400, detail: "scope #1 is empty" }),
      "token request for https://login.example.com not sent: scope #1 is empty"
    )
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "InvalidRequest", detail: "origin https://evil.example is not allowed" }),
      "API request refused: origin https://evil.example is not allowed"
    )
    assert.strictEqual(Errors.tokenErrorMessage({ reason: "InvalidRequest" }), "API request refused: no usable token")
  })

  it("Discovery: for the issuer's origin when there is one", () => {
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "Discovery", origin, status: 404, detail: "no metadata" }),
      "discovery failed for https://login.example.com: no metadata"
    )
    assert.strictEqual(Errors.tokenErrorMessage({ reason: "Discovery" }), "discovery failed: no usable token")
  })

  it("ClientAssertion: for the endpoint", () => {
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "ClientAssertion", origin, status: 401, detail: "the effect failed" }),
      "no client assertion for token endpoint https://login.example.com: the effect failed"
    )
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "ClientAssertion" }),
      "no client assertion for token endpoint: no usable token"
    )
  })

  it("UnsupportedAuthMethod: the issuer, or the authorization server, and the status", () => {
    assert.strictEqual(
      Errors.tokenErrorMessage({
        reason: "UnsupportedAuthMethod",
        origin,
        status: 401,
        detail: "private_key_jwt is not listed"
      }),
      "issuer https://login.example.com does not support the client authentication method: " +
        "private_key_jwt is not listed, HTTP 401"
    )
    assert.strictEqual(
      Errors.tokenErrorMessage({ reason: "UnsupportedAuthMethod" }),
      "the authorization server does not support the client authentication method: no usable token"
    )
  })

  it("the terminal ones: Discovery, UnsupportedAuthMethod, and the four OAuth codes", () => {
    assert.deepStrictEqual(Array.from(Errors.terminalErrorCodes), [
      "invalid_client",
      "unauthorized_client",
      "unsupported_grant_type",
      "invalid_scope"
    ])
    assert.isTrue(Errors.isTerminal({ reason: "Discovery" }))
    assert.isTrue(Errors.isTerminal({ reason: "UnsupportedAuthMethod" }))
    for (const error of Errors.terminalErrorCodes) assert.isTrue(Errors.isTerminal({ reason: "OAuth", error }), error)
    assert.isFalse(Errors.isTerminal({ reason: "OAuth", error: "invalid_grant" }))
    assert.isFalse(Errors.isTerminal({ reason: "OAuth" }))
    // a terminal code on another reason is not the server's answer
    assert.isFalse(Errors.isTerminal({ reason: "InvalidResponse", error: "invalid_client" }))
    assert.isFalse(Errors.isTerminal({ reason: "InvalidRequest" }))
    assert.isFalse(Errors.isTerminal({ reason: "ClientAssertion" }))
  })
})

describe("errors: NetworkError", () => {
  it("has the four reasons and the three sources, in order", () => {
    assert.deepStrictEqual(Errors.networkErrorReasons, ["Transport", "Timeout", "ServerError", "RateLimited"])
    assert.deepStrictEqual(Errors.networkErrorSources, ["TokenEndpoint", "Discovery", "Api"])
  })

  it("names the call by its source", () => {
    assert.strictEqual(Errors.calledOf("TokenEndpoint"), "token endpoint")
    assert.strictEqual(Errors.calledOf("Discovery"), "issuer")
    assert.strictEqual(Errors.calledOf("Api"), "API")
  })

  it("Transport: where, then the detail as the phrase that follows, else unreachable", () => {
    assert.strictEqual(
      Errors.networkErrorMessage({
        reason: "Transport",
        source: "TokenEndpoint",
        origin,
        status: 200,
        detail: "broke off its answer after HTTP 200 (UND_ERR_SOCKET)"
      }),
      "token endpoint https://login.example.com broke off its answer after HTTP 200 (UND_ERR_SOCKET)"
    )
    assert.strictEqual(
      Errors.networkErrorMessage({ reason: "Transport", source: "Discovery", origin }),
      "issuer https://login.example.com unreachable"
    )
    assert.strictEqual(
      Errors.networkErrorMessage({ reason: "Transport", source: "Api", detail: "unreachable (ECONNREFUSED)" }),
      "API unreachable (ECONNREFUSED)"
    )
  })

  it("Timeout: timed out, and the detail in parentheses", () => {
    assert.strictEqual(
      Errors.networkErrorMessage({
        reason: "Timeout",
        source: "TokenEndpoint",
        origin,
        detail: "no answer within 30s"
      }),
      "token endpoint https://login.example.com timed out (no answer within 30s)"
    )
    assert.strictEqual(Errors.networkErrorMessage({ reason: "Timeout", source: "Api" }), "API timed out")
  })

  it("ServerError: failed, the status, the Retry-After, the detail", () => {
    assert.strictEqual(
      Errors.networkErrorMessage({
        reason: "ServerError",
        source: "TokenEndpoint",
        origin,
        status: 503,
        retryAfter: 5_000,
        detail: "maintenance"
      }),
      "token endpoint https://login.example.com failed (HTTP 503), retry after 5s (maintenance)"
    )
    assert.strictEqual(Errors.networkErrorMessage({ reason: "ServerError", source: "Discovery" }), "issuer failed")
  })

  it("RateLimited: rate limited the request, the status, the Retry-After, the detail", () => {
    assert.strictEqual(
      Errors.networkErrorMessage({
        reason: "RateLimited",
        source: "TokenEndpoint",
        origin,
        status: 429,
        retryAfter: 90_500,
        detail: "slow down"
      }),
      "token endpoint https://login.example.com rate limited the request (HTTP 429), retry after 1m 30s 500ms " +
        "(slow down)"
    )
    assert.strictEqual(
      Errors.networkErrorMessage({ reason: "RateLimited", source: "Api", status: 429 }),
      "API rate limited the request (HTTP 429)"
    )
    assert.strictEqual(
      Errors.networkErrorMessage({ reason: "RateLimited", source: "Api", retryAfter: 0 }),
      "API rate limited the request, retry after 0"
    )
  })

  it("gives a Retry-After in Effect's words, or nothing", () => {
    assert.strictEqual(Errors.retryAfterWords(undefined), "")
    assert.strictEqual(Errors.retryAfterWords(60_000), ", retry after 1m")
  })

  it("writes a duration as Effect's Duration.format does", () => {
    const cases: ReadonlyArray<readonly [number, string]> = [
      [0, "0"],
      [1, "1ms"],
      [999, "999ms"],
      [1000, "1s"],
      [30_000, "30s"],
      [61_001, "1m 1s 1ms"],
      [3_600_000, "1h"],
      [90_061_001, "1d 1h 1m 1s 1ms"],
      [1.5, "1ms 500000ns"],
      [0.000_001, "1ns"],
      // nanoseconds rounded, as Effect rounds a duration of millis
      [0.000_000_6, "1ns"],
      [0.000_000_4, "0"],
      [2 * 86_400_000 + 5, "2d 5ms"],
      [Infinity, "Infinity"]
    ]
    for (const [millis, words] of cases) assert.strictEqual(Errors.durationWords(millis), words, String(millis))
  })

  it("retryable: a transport failure, no status, or a retryable status", () => {
    assert.isTrue(Errors.isRetryable({ reason: "Transport", status: 200 }))
    assert.isTrue(Errors.isRetryable({ reason: "Timeout" }))
    assert.isTrue(Errors.isRetryable({ reason: "ServerError" }))
    for (const status of [408, 429, 500, 502, 503, 504]) {
      assert.isTrue(Errors.isRetryable({ reason: "ServerError", status }), String(status))
    }
    assert.isFalse(Errors.isRetryable({ reason: "ServerError", status: 501 }))
    assert.isFalse(Errors.isRetryable({ reason: "ServerError", status: 505 }))
    assert.isFalse(Errors.isRetryable({ reason: "RateLimited", status: 420 }))
  })
})

describe("errors: ApiError", () => {
  it("keeps 1 KiB of a body", () => {
    assert.strictEqual(Errors.maxApiBodyBytes, 1024)
  })

  it("the request, its status and the challenge's error", () => {
    assert.strictEqual(
      Errors.apiErrorMessage({
        status: 401,
        method: "GET",
        url: "https://api.example.com/v1/orders",
        wwwAuthenticate: { scheme: "Bearer", params: { realm: "api", error: "invalid_token" } }
      }),
      "GET https://api.example.com/v1/orders answered 401 (invalid_token)"
    )
    assert.strictEqual(
      Errors.apiErrorMessage({
        status: 403,
        method: "POST",
        url: "https://api.example.com/v1/orders",
        wwwAuthenticate: { scheme: "Bearer", params: { realm: "api" } }
      }),
      "POST https://api.example.com/v1/orders answered 403"
    )
    assert.strictEqual(
      Errors.apiErrorMessage({ status: 500, method: "DELETE", url: "https://api.example.com/v1/orders/7" }),
      "DELETE https://api.example.com/v1/orders/7 answered 500"
    )
  })
})
