/**
 * What `AuthorizedClient` decides without an Effect line (`docs/behaviour.md`, AuthorizedClient): its options checked,
 * the origin rule before a request goes out and after a redirect, which bodies can be sent again after a 401, the
 * error statuses, and one value per token.
 */
import { assert, describe, it } from "vitest"
import * as AuthorizedClient from "../src/authorizedClient.js"
import type { Checked } from "../src/checked.js"

const problemOf = (checked: Checked<unknown>): string | undefined =>
  checked._tag === "Invalid" ? checked.problem : undefined

describe("authorizedClient: the options", () => {
  it("booleans must be booleans; allowedOrigins as urls checks them; nothing given allows any origin", () => {
    assert.deepStrictEqual(AuthorizedClient.checkOptions({}), { _tag: "Valid", value: undefined })
    assert.deepStrictEqual(
      AuthorizedClient.checkOptions({ retryOnUnauthorized: false, failOnErrorStatus: true }),
      { _tag: "Valid", value: undefined }
    )
    assert.strictEqual(
      problemOf(AuthorizedClient.checkOptions({ retryOnUnauthorized: "yes" as never })),
      "retryOnUnauthorized must be a boolean"
    )
    assert.strictEqual(
      problemOf(AuthorizedClient.checkOptions({ failOnErrorStatus: 0 as never })),
      "failOnErrorStatus must be a boolean"
    )
    assert.strictEqual(
      problemOf(AuthorizedClient.checkOptions({ allowedOrigins: [] })),
      "allowedOrigins is empty, so no request could be sent; leave it out to allow any origin"
    )
    const checked = AuthorizedClient.checkOptions({ allowedOrigins: ["https://API.example.com:443/"] })
    assert.deepStrictEqual(checked, { _tag: "Valid", value: new Set(["https://api.example.com"]) })
  })
})

describe("authorizedClient: the origin rule", () => {
  const allowed = new Set(["https://api.example.com"])

  it("any origin when none is listed, even a URL that is not absolute", () => {
    assert.isUndefined(AuthorizedClient.originRefusal(undefined, new URL("https://elsewhere.example"), "outbound"))
    assert.isUndefined(AuthorizedClient.originRefusal(undefined, undefined, "outbound"))
  })

  it("a listed origin passes, whatever the path, query or fragment", () => {
    const url = new URL("https://api.example.com/v1/items?key=s3cret#top")
    assert.isUndefined(AuthorizedClient.originRefusal(allowed, url, "outbound"))
    assert.isUndefined(AuthorizedClient.originRefusal(allowed, url, "answered"))
  })

  it("another scheme, host or port is refused, naming its origin only; a URL not absolute is refused", () => {
    for (const url of ["http://api.example.com/x", "https://api.example.com:8443/x", "https://evil.example/x?t=1"]) {
      const origin = new URL(url).origin
      assert.strictEqual(
        AuthorizedClient.originRefusal(allowed, new URL(url), "outbound"),
        `the origin ${origin} is not in allowedOrigins; nothing was sent`
      )
      assert.strictEqual(
        AuthorizedClient.originRefusal(allowed, new URL(url), "answered"),
        `the request was redirected to the origin ${origin}, which is not in allowedOrigins; its answer is not used`
      )
    }
    assert.strictEqual(
      AuthorizedClient.originRefusal(allowed, undefined, "outbound"),
      "the request URL is not absolute, so it cannot be checked against allowedOrigins; nothing was sent"
    )
  })
})

describe("authorizedClient: bodies and statuses", () => {
  it("every body can be sent again but a stream, and a raw body that is neither text nor bytes", () => {
    for (const tag of ["Empty", "Uint8Array", "FormData"] as const) {
      assert.isTrue(AuthorizedClient.isReplayable({ _tag: tag }), tag)
    }
    assert.isTrue(AuthorizedClient.isReplayable({ _tag: "Raw", body: "text" }))
    assert.isTrue(AuthorizedClient.isReplayable({ _tag: "Raw", body: new Uint8Array([1]) }))
    assert.isFalse(AuthorizedClient.isReplayable({ _tag: "Raw", body: new ReadableStream() }))
    assert.isFalse(AuthorizedClient.isReplayable({ _tag: "Stream" }))
  })

  it("an error status is anything but 2xx", () => {
    for (const status of [100, 199, 300, 401, 500]) assert.isTrue(AuthorizedClient.isErrorStatus(status), `${status}`)
    for (const status of [200, 204, 299]) assert.isFalse(AuthorizedClient.isErrorStatus(status), `${status}`)
  })
})

describe("authorizedClient: one value per token", () => {
  it("computed once for each token, apart for another token", () => {
    let made = 0
    const header = AuthorizedClient.perToken((token: { readonly value: string }) => {
      made++
      return `Bearer ${token.value}`
    })
    const a = { value: "a" }
    const b = { value: "a" }
    assert.strictEqual(header(a), "Bearer a")
    assert.strictEqual(header(a), "Bearer a")
    assert.strictEqual(made, 1)
    assert.strictEqual(header(b), "Bearer a")
    assert.strictEqual(made, 2)
  })
})
