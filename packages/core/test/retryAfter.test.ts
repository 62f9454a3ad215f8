/**
 * Reading `Retry-After` (RFC 9110 §10.2.3), alone: delay-seconds or an HTTP date, counted from the `now` given,
 * never below 0 nor above 60 s (`docs/behaviour.md#retries-and-retry-after`).
 */
import { assert, describe, it } from "vitest"
import * as RetryAfter from "../src/retryAfter.js"

// Wed, 21 Oct 2015 07:28:00 GMT
const now = Date.UTC(2015, 9, 21, 7, 28, 0)

describe("Retry-After: delay-seconds", () => {
  it("reads whole seconds as millis", () => {
    assert.strictEqual(RetryAfter.parse("5", now), 5_000)
    assert.strictEqual(RetryAfter.parse("0", now), 0)
    assert.strictEqual(RetryAfter.parse("007", now), 7_000)
  })

  it("allows the whitespace around a field value", () => {
    assert.strictEqual(RetryAfter.parse(" 7 ", now), 7_000)
    assert.strictEqual(RetryAfter.parse("\t7", now), 7_000)
  })

  it("caps the wait at 60 s", () => {
    assert.strictEqual(RetryAfter.maxRetryAfterMillis, 60_000)
    assert.strictEqual(RetryAfter.parse("60", now), 60_000)
    assert.strictEqual(RetryAfter.parse("61", now), 60_000)
    assert.strictEqual(RetryAfter.parse("99999999999999999999999", now), 60_000)
  })
})

describe("Retry-After: HTTP-date", () => {
  it("reads an IMF-fixdate as the time from now", () => {
    assert.strictEqual(RetryAfter.parse("Wed, 21 Oct 2015 07:28:30 GMT", now), 30_000)
    assert.strictEqual(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now), 0)
  })

  it("reads the obsolete RFC 850 form", () => {
    assert.strictEqual(RetryAfter.parse("Wednesday, 21-Oct-15 07:28:45 GMT", now), 45_000)
  })

  it("counts from the now it is given, not the machine's clock", () => {
    assert.strictEqual(RetryAfter.parse("Wed, 21 Oct 2015 07:28:30 GMT", now + 10_000), 20_000)
  })

  it("reads a date in the past as no wait", () => {
    assert.strictEqual(RetryAfter.parse("Wed, 21 Oct 2015 07:27:00 GMT", now), 0)
    assert.strictEqual(RetryAfter.parse("Thu, 01 Jan 1970 00:00:00 GMT", now), 0)
  })

  it("caps a date far ahead at 60 s", () => {
    assert.strictEqual(RetryAfter.parse("Wed, 21 Oct 2015 07:29:01 GMT", now), 60_000)
    assert.strictEqual(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", now), 60_000)
  })
})

describe("Retry-After: absent or unreadable", () => {
  it("is undefined without a header", () => {
    assert.isUndefined(RetryAfter.parse(undefined, now))
  })

  it("is undefined for text that is neither seconds nor a date", () => {
    for (const header of ["", " ", "soon", "1e3", "0x10", "5 minutes", "Wed, 32 Oct 2015 07:28:30 GMT"]) {
      assert.isUndefined(RetryAfter.parse(header, now), JSON.stringify(header))
    }
  })
})
