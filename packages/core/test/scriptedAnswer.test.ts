/**
 * The scripted answers both test kits serve (`docs/testing.md`): headers with lower-cased names and a default
 * content type, JSON bodies, RFC 6749 §5.2 error bodies, redirects, and random token values.
 */
import { assert, describe, it } from "vitest"
import * as ScriptedAnswer from "../src/scriptedAnswer.js"

describe("scriptedAnswer", () => {
  it("lower-cases header names; of two that differ in case, the later wins", () => {
    assert.deepStrictEqual(ScriptedAnswer.lowerCaseKeys({ "Retry-After": "2", "X-Id": "1", "x-id": "3" }), {
      "retry-after": "2",
      "x-id": "3"
    })
  })

  it("text: plain text unless the headers set another content type", () => {
    assert.deepStrictEqual(ScriptedAnswer.text(503, "busy", { "Retry-After": "2" }), {
      _tag: "Respond",
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "2" },
      body: "busy"
    })
    assert.deepStrictEqual(ScriptedAnswer.text(200, "<p>", { "Content-Type": "text/html" }).headers, {
      "content-type": "text/html"
    })
    assert.deepStrictEqual(ScriptedAnswer.text(204, "").headers, { "content-type": "text/plain; charset=utf-8" })
  })

  it("json: the body as JSON, application/json unless the headers set another", () => {
    assert.deepStrictEqual(ScriptedAnswer.json(200, { a: [1, "b"] }, { "X-Id": "1" }), {
      _tag: "Respond",
      status: 200,
      headers: { "content-type": "application/json", "x-id": "1" },
      body: "{\"a\":[1,\"b\"]}"
    })
    assert.strictEqual(
      ScriptedAnswer.json(200, {}, { "content-type": "application/problem+json" }).headers["content-type"],
      "application/problem+json"
    )
  })

  it("oauthErrorBody: error_description only when there is one", () => {
    assert.deepStrictEqual(ScriptedAnswer.oauthErrorBody("invalid_scope"), { error: "invalid_scope" })
    assert.deepStrictEqual(ScriptedAnswer.oauthErrorBody("invalid_client", "bad secret"), {
      error: "invalid_client",
      error_description: "bad secret"
    })
  })

  it("redirect: a location, an empty body, 302 unless told", () => {
    assert.deepStrictEqual(ScriptedAnswer.redirect("https://elsewhere.example/"), {
      _tag: "Respond",
      status: 302,
      headers: { location: "https://elsewhere.example/" },
      body: ""
    })
    assert.strictEqual(ScriptedAnswer.redirect("/x", 307).status, 307)
  })

  it("randomToken: 43 base64url characters (32 bytes, no padding), a new one each time", () => {
    const tokens = Array.from({ length: 200 }, () => ScriptedAnswer.randomToken())
    for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{43}$/)
    assert.strictEqual(new Set(tokens).size, tokens.length)
    // the alphabet's last two characters appear: the encoding is base64url, not base64 with `+` and `/`
    assert.match(tokens.join(""), /-/)
    assert.match(tokens.join(""), /_/)
  })
})
