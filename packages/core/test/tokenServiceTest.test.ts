/**
 * What the test `TokenService` of each line records (`docs/testing.md#tokenservicetest`): every request and every
 * invalidated token, in order, given as copies.
 */
import { assert, describe, it } from "vitest"
import { Recorder, recorderKey } from "../src/tokenServiceTest.js"

describe("tokenServiceTest: the recorder", () => {
  it("keeps every request in order; gives a copy", () => {
    const recorder = new Recorder<{ readonly scopes?: ReadonlyArray<string> }, string>()
    recorder.ask({})
    const seen = recorder.requests()
    recorder.ask({ scopes: ["a"] })
    recorder.ask({})
    assert.deepStrictEqual(seen, [{}])
    assert.deepStrictEqual(recorder.requests(), [{}, { scopes: ["a"] }, {}])
    assert.deepStrictEqual(recorder.invalidated(), [])
  })

  it("keeps every invalidated token in order, repeats included; gives a copy", () => {
    const recorder = new Recorder<unknown, string>()
    recorder.invalidate("t1")
    const seen = recorder.invalidated()
    recorder.invalidate("t2")
    recorder.invalidate("t1")
    assert.deepStrictEqual(seen, ["t1"])
    assert.deepStrictEqual(recorder.invalidated(), ["t1", "t2", "t1"])
    assert.deepStrictEqual(recorder.requests(), [])
  })
})

describe("tokenServiceTest: the recorder's key", () => {
  it("names the token service it stands for, under the test kit's prefix", () => {
    assert.strictEqual(recorderKey("app/Billing"), "@effect-oauth2/testing/TokenServiceTest/app/Billing")
    assert.notStrictEqual(recorderKey("app/Billing"), recorderKey("app/Shipping"))
  })
})
