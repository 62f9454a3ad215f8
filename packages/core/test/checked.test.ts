/**
 * A checked value, alone: the value, or what is wrong with it, the shape every core check returns
 * (`docs/configuration.md#options`: an invalid option is named, never its value).
 */
import { assert, describe, it } from "vitest"
import * as Checked from "../src/checked.js"

describe("checked", () => {
  it("valid holds the value as it is", () => {
    const value = { scopes: ["a"] }
    const checked = Checked.valid(value)
    assert.deepStrictEqual(checked, { _tag: "Valid", value })
    assert.strictEqual(checked._tag === "Valid" && checked.value, value)
  })

  it("invalid holds the problem and nothing else", () => {
    assert.deepStrictEqual(Checked.invalid("scopes must be an array of strings"), {
      _tag: "Invalid",
      problem: "scopes must be an array of strings"
    })
  })
})
