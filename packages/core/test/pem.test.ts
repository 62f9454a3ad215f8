import { assert, describe, it } from "vitest"
import * as Pem from "../src/pem.js"

const key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nBgkqhkiG9w0B\n-----END PRIVATE KEY-----"
const certificate = "-----BEGIN CERTIFICATE-----\nMIIDazCCAlOg\nAwIBAgIUJ0l=\n-----END CERTIFICATE-----"

describe("pem", () => {
  it("blocks: each block's label and body without whitespace; a block without its END line has no body", () => {
    assert.deepStrictEqual(Pem.blocks(`Bag Attributes\n${key}\n${certificate}\n-----BEGIN x-----\nAAAA`), [
      { label: "PRIVATE KEY", body: "MIIEvQIBADANBgkqhkiG9w0B" },
      { label: "CERTIFICATE", body: "MIIDazCCAlOgAwIBAgIUJ0l=" },
      { label: "?", body: undefined }
    ])
  })

  it("secretBodies: of one block, its body; of a key file that holds its certificate too, each body and all joined", () => {
    assert.deepStrictEqual(Pem.secretBodies(key), ["MIIEvQIBADANBgkqhkiG9w0B"])
    assert.deepStrictEqual(Pem.secretBodies(`${key}\n${certificate}\n`), [
      "MIIEvQIBADANBgkqhkiG9w0BMIIDazCCAlOgAwIBAgIUJ0l=",
      "MIIEvQIBADANBgkqhkiG9w0B",
      "MIIDazCCAlOgAwIBAgIUJ0l="
    ])
    assert.deepStrictEqual(Pem.secretBodies("not a key"), ["notakey"])
  })
})
