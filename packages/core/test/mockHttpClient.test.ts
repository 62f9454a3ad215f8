/**
 * The in-memory client's plain parts (`docs/testing.md#mockhttpclient`): token answers, the Web `Response` of an
 * answer, a body as text, a request as recorded, and the script with its fallback.
 */
import { assert, describe, it } from "vitest"
import * as Mock from "../src/mockHttpClient.js"

const respond = (status: number, body = "x") => ({ _tag: "Respond" as const, status, headers: {}, body })

describe("mockHttpClient: answers", () => {
  it("token: a 200 with a fresh random token, `no-store`, fields merged over the defaults", () => {
    const first = Mock.tokenAnswer(Mock.token())
    const second = Mock.tokenAnswer(Mock.token())
    assert.strictEqual(first.status, 200)
    assert.deepStrictEqual(first.headers, { "content-type": "application/json", "cache-control": "no-store" })
    const body = JSON.parse(first.body) as Record<string, unknown>
    assert.match(String(body.access_token), /^[A-Za-z0-9_-]{43}$/)
    assert.deepStrictEqual({ ...body, access_token: "-" }, {
      access_token: "-",
      token_type: "Bearer",
      expires_in: 3600
    })
    assert.notStrictEqual(JSON.parse(second.body).access_token, body.access_token)

    const custom = JSON.parse(
      Mock.tokenAnswer(Mock.token({ expires_in: undefined, scope: "read", token_type: "mac" })).body
    )
    assert.deepStrictEqual({ ...custom, access_token: "-" }, { access_token: "-", token_type: "mac", scope: "read" })
  })

  it("oauthError: an RFC 6749 §5.2 body, 400 unless told", () => {
    assert.deepStrictEqual(Mock.oauthError("invalid_scope"), {
      _tag: "Respond",
      status: 400,
      headers: { "content-type": "application/json" },
      body: "{\"error\":\"invalid_scope\"}"
    })
    const unauthorized = Mock.oauthError("invalid_client", "bad secret", 401)
    assert.strictEqual(unauthorized.status, 401)
    assert.deepStrictEqual(JSON.parse(unauthorized.body), { error: "invalid_client", error_description: "bad secret" })
  })

  it("webResponse: status, headers and body; none for a status that may not have one", async () => {
    const response = Mock.webResponse({ _tag: "Respond", status: 503, headers: { "retry-after": "2" }, body: "busy" })
    assert.strictEqual(response.status, 503)
    assert.strictEqual(response.headers.get("retry-after"), "2")
    assert.strictEqual(await response.text(), "busy")
    for (const status of [204, 205, 304]) {
      const empty = Mock.webResponse(respond(status))
      assert.strictEqual(empty.status, status)
      assert.isNull(empty.body)
    }
    assert.strictEqual(await Mock.webResponse(respond(200)).text(), "x")
  })
})

describe("mockHttpClient: bodies and records", () => {
  it("bodyText: strings and bytes at once, anything else through a Response, String() when that fails", async () => {
    assert.strictEqual(Mock.bodyText("a=1&b=2"), "a=1&b=2")
    assert.strictEqual(Mock.bodyText(new TextEncoder().encode("héllo")), "héllo")
    const form = new FormData()
    form.append("field", "value")
    const multipart = await Mock.bodyText(form)
    assert.include(multipart, "name=\"field\"")
    assert.include(multipart, "value")
    assert.strictEqual(await Mock.bodyText(new Blob(["blob"])), "blob")
    const failing = new ReadableStream({
      start: (controller) => controller.error(new Error("broken"))
    })
    assert.strictEqual(await Mock.bodyText(failing), "[object ReadableStream]")
    const locked = new ReadableStream()
    locked.getReader()
    assert.strictEqual(Mock.bodyText(locked), "[object ReadableStream]")
  })

  it("bytesText: chunks joined before decoding, so a character split across chunks survives", () => {
    const bytes = new TextEncoder().encode("añb")
    assert.strictEqual(Mock.bytesText([bytes.slice(0, 2), bytes.slice(2)]), "añb")
    assert.strictEqual(Mock.bytesText([]), "")
  })

  it("recordedRequest: the body's content type and length only when the request does not set them", () => {
    const base = { method: "POST", url: "https://a.example/t?x=1", body: "a=1" }
    assert.deepStrictEqual(
      Mock.recordedRequest({ ...base, headers: { accept: "*/*" }, contentType: "text/plain", contentLength: 3 }),
      { ...base, headers: { accept: "*/*", "content-type": "text/plain", "content-length": "3" } }
    )
    assert.deepStrictEqual(
      Mock.recordedRequest({
        ...base,
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "99" },
        contentType: "text/plain",
        contentLength: 3
      }).headers,
      { "content-type": "application/x-www-form-urlencoded", "content-length": "99" }
    )
    assert.deepStrictEqual(
      Mock.recordedRequest({ ...base, headers: {}, contentType: undefined, contentLength: undefined }).headers,
      {}
    )
    assert.strictEqual(
      Mock.recordedRequest({ ...base, headers: {}, contentType: undefined, contentLength: 0 })
        .headers["content-length"],
      "0"
    )
  })
})

describe("mockHttpClient: the script", () => {
  it("answers the scripted responses in order, then the fallback for good", () => {
    const state = new Mock.MockState<number>({ script: [respond(500)], fallback: respond(201) })
    state.append([respond(502), Mock.hang])
    assert.strictEqual(state.remaining(), 3)
    assert.deepStrictEqual(state.next(), respond(500))
    assert.deepStrictEqual(state.next(), respond(502))
    assert.deepStrictEqual(state.next(), Mock.hang)
    assert.strictEqual(state.remaining(), 0)
    assert.deepStrictEqual(state.next(), respond(201))
    assert.deepStrictEqual(state.next(), respond(201))
  })

  it("falls back to a token answer; the options' script is copied, not shared", () => {
    const script = [respond(500)]
    const state = new Mock.MockState<number>({ script })
    state.next()
    assert.strictEqual(script.length, 1)
    assert.deepStrictEqual(state.next(), Mock.token())
  })

  it("records every request in order and gives a copy", () => {
    const state = new Mock.MockState<number>({})
    const request = (url: string) => ({ method: "GET", url, headers: {}, body: "" })
    state.record(request("a"))
    const seen = state.requests()
    state.record(request("b"))
    assert.deepStrictEqual(seen.map((r) => r.url), ["a"])
    assert.deepStrictEqual(state.requests().map((r) => r.url), ["a", "b"])
  })
})
