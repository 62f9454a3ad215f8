/**
 * Properties of the client secret methods' encoding: any client id and secret (`:`, `%`, `+`, spaces, Unicode) come
 * back intact from the Basic credentials as a standards-following server decodes them (RFC 6749 §2.3.1: Base64, split
 * at the first `:`, then form-urldecode each part), and from `client_secret_post`'s parameters.
 */
import * as FastCheck from "fast-check"
import { assert, describe, it } from "vitest"
import * as ClientAuthentication from "../src/clientAuthentication.js"

const numRuns = 300

// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/

/** Text with what the encodings must get right, and any Unicode character. */
const anyText = FastCheck.string({
  unit: FastCheck.oneof(
    FastCheck.constantFrom(":", "%", "+", " ", "%2B", "%3A", "&", "=", "é", "€", "𝄞", "\u0000", "\n"),
    FastCheck.string({ unit: "binary", minLength: 1, maxLength: 1 })
  ),
  minLength: 1,
  maxLength: 24
})

/** A client id is never empty nor holds a control character (refused as an option); a secret may hold anything. */
const clientId = anyText.filter((id) => !controlCharacter.test(id))

/** `application/x-www-form-urlencoded` decoding of one value, written without `URLSearchParams`: `+` is a space. */
const formDecode = (text: string): string => decodeURIComponent(text.replaceAll("+", " "))

/** How a server decodes `Basic <credentials>`: Base64 to bytes (ASCII), split at the first `:`, form-decode both. */
const decodeBasic = (credentials: string): readonly [string, string] => {
  assert.match(credentials, /^[A-Za-z0-9+/]+=*$/)
  const decoded = Buffer.from(credentials, "base64").toString("latin1")
  const colon = decoded.indexOf(":")
  assert.isAtLeast(colon, 0, "no colon")
  return [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))]
}

describe("clientAuthentication: client secrets (properties)", () => {
  it("client_secret_basic: any id and secret round-trip through the Basic credentials", () =>
    FastCheck.assert(
      FastCheck.property(clientId, anyText, (id, secret) => {
        assert.deepStrictEqual(decodeBasic(ClientAuthentication.basicCredentials(id, secret)), [id, secret])
        const { headers, params } = ClientAuthentication.secretBasicCredentials(id, secret)
        assert.deepStrictEqual(params, [])
        assert.deepStrictEqual(decodeBasic(headers.authorization!.replace(/^Basic /, "")), [id, secret])
      }),
      { numRuns }
    ))

  it("client_secret_post: any id and secret round-trip through a form body", () =>
    FastCheck.assert(
      FastCheck.property(clientId, anyText, (id, secret) => {
        const { headers, params } = ClientAuthentication.secretPostCredentials(id, secret)
        assert.deepStrictEqual(headers, {})
        const body = new URLSearchParams(params.map(([name, value]) => [name, value])).toString()
        const form = new URLSearchParams(body)
        assert.deepStrictEqual([form.getAll("client_id"), form.getAll("client_secret")], [[id], [secret]])
      }),
      { numRuns }
    ))

  it("formUrlEncode: any text comes back from form-decoding, and is ASCII", () =>
    FastCheck.assert(
      FastCheck.property(anyText, (value) => {
        const encoded = ClientAuthentication.formUrlEncode(value)
        assert.match(encoded, /^[A-Za-z0-9*\-._+%]*$/)
        assert.strictEqual(formDecode(encoded), value)
      }),
      { numRuns }
    ))
})
