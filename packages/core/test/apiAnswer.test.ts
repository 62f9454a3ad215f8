/**
 * An API's error answer without an Effect line (`docs/behaviour.md`, AuthorizedClient): the URL without query or
 * fragment, the challenge of the token's scheme with the token redacted from its parameters, the body's start
 * redacted and cut.
 */
import { assert, describe, it } from "vitest"
import * as ApiAnswer from "../src/apiAnswer.js"
import * as Redactor from "../src/redactor.js"

const token = "tok-9f8e7d6c5b4a"
const redactor = Redactor.make([token])

describe("apiAnswer: the URL", () => {
  it("without its query string or fragment", () => {
    assert.strictEqual(
      ApiAnswer.urlWithoutQuery("https://api.example.com/v1/items?key=s3cret#top"),
      "https://api.example.com/v1/items"
    )
    assert.strictEqual(ApiAnswer.urlWithoutQuery("https://api.example.com/v1#a?b"), "https://api.example.com/v1")
    assert.strictEqual(ApiAnswer.urlWithoutQuery("https://api.example.com/v1"), "https://api.example.com/v1")
    assert.strictEqual(ApiAnswer.urlWithoutQuery(""), "")
  })
})

describe("apiAnswer: the body's start", () => {
  it("redacted, cut, and never ending in the start of the token; nothing left is no body", () => {
    assert.strictEqual(
      ApiAnswer.bodyPreview({ text: `{"echo":"${token}"}`, truncated: false }, 1024, redactor),
      "{\"echo\":\"<redacted>\"}"
    )
    assert.strictEqual(ApiAnswer.bodyPreview({ text: "abcdef", truncated: false }, 4, redactor), "abcd")
    assert.strictEqual(ApiAnswer.bodyPreview({ text: "ab tok-9f", truncated: true }, 1024, redactor), "ab ")
    assert.strictEqual(ApiAnswer.bodyPreview({ text: "ab tok-9f", truncated: false }, 1024, redactor), "ab tok-9f")
    assert.strictEqual(ApiAnswer.bodyPreview({ text: "", truncated: false }, 1024, redactor), undefined)
    assert.strictEqual(ApiAnswer.bodyPreview({ text: "tok-9", truncated: true }, 1024, redactor), undefined)
  })
})

describe("apiAnswer: the ApiError's fields", () => {
  it("status, method, URL without query, the token scheme's challenge redacted, the body", () => {
    assert.deepStrictEqual(
      ApiAnswer.apiFailure({
        status: 401,
        method: "GET",
        url: "https://api.example.com/v1/items?page=2",
        wwwAuthenticate: `Basic realm="x", Bearer error="invalid_token", error_description="${token} expired"`,
        tokenType: "Bearer",
        body: "denied"
      }, redactor),
      {
        status: 401,
        method: "GET",
        url: "https://api.example.com/v1/items",
        wwwAuthenticate: {
          scheme: "Bearer",
          params: { error: "invalid_token", error_description: "<redacted> expired" }
        },
        body: "denied"
      }
    )
  })

  it("the challenge is the one of the token's own scheme", () => {
    assert.deepStrictEqual(
      ApiAnswer.apiFailure({
        status: 401,
        method: "GET",
        url: "https://api.example.com/",
        wwwAuthenticate: "Bearer error=\"invalid_token\", DPoP error=\"use_dpop_nonce\", algs=\"ES256\"",
        tokenType: "DPoP",
        body: undefined
      }, redactor).wwwAuthenticate,
      { scheme: "DPoP", params: { error: "use_dpop_nonce", algs: "ES256" } }
    )
  })

  it("no challenge of the token's scheme, no body: neither field", () => {
    assert.deepStrictEqual(
      ApiAnswer.apiFailure({
        status: 403,
        method: "POST",
        url: "https://api.example.com/v1",
        wwwAuthenticate: "Basic realm=\"x\"",
        tokenType: "Bearer",
        body: undefined
      }, redactor),
      { status: 403, method: "POST", url: "https://api.example.com/v1" }
    )
    assert.deepStrictEqual(
      ApiAnswer.apiFailure({
        status: 500,
        method: "GET",
        url: "https://api.example.com/",
        wwwAuthenticate: undefined,
        tokenType: "DPoP",
        body: undefined
      }, redactor),
      { status: 500, method: "GET", url: "https://api.example.com/" }
    )
  })
})
