import * as Certificates from "@effect-oauth2/suites/fixtures/Certificates"
import { assert, describe, it } from "vitest"
import { invalid, valid } from "../src/checked.js"
import * as TlsClientCertificate from "../src/tlsClientCertificate.js"

const authority = Certificates.tlsAuthority()
const client = authority.client()
const plain = (name: string, value: unknown) =>
  typeof value === "string" ? valid(value) : invalid(`${name} must be a Redacted value`)

describe("tlsClientCertificate", () => {
  it("checked: the texts as given, the key trimmed, the certificate's SHA-256 thumbprint", () => {
    const checked = TlsClientCertificate.check({ cert: client.cert, key: `\n${client.key}`, ca: authority.ca }, plain)
    assert.deepStrictEqual(
      checked,
      valid({ cert: client.cert, key: client.key.trim(), ca: authority.ca, thumbprint: client.thumbprint })
    )
    const withChain = TlsClientCertificate.check({ cert: `${client.cert}${authority.ca}`, key: client.key }, plain)
    assert.strictEqual(withChain._tag === "Valid" && withChain.value.thumbprint, client.thumbprint)
    assert.strictEqual(
      TlsClientCertificate.keyIdentityOf({ thumbprint: client.thumbprint }),
      `x5t#S256:${client.thumbprint}`
    )
  })

  it("what is wrong, naming the field, never a part of a text", () => {
    const other = authority.client("other")
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [null, "tlsClientCertificate must be an object with cert, key and optionally ca, not null"],
      [{ key: client.key }, "tlsClientCertificate needs cert (PEM certificates)"],
      [{ cert: [], key: client.key }, "tlsClientCertificate.cert must be a string (PEM certificates), not an array"],
      [
        { cert: client.key, key: client.key },
        "tlsClientCertificate.cert holds a PEM block that is no certificate (its PEM block: PRIVATE KEY); give the " +
        "certificate of tlsClientCertificate.key, then the chain above it if any"
      ],
      [{ cert: client.cert }, "tlsClientCertificate.key must be a Redacted value"],
      [
        { cert: client.cert, key: client.cert },
        "tlsClientCertificate.key is not a PEM private key (-----BEGIN PRIVATE KEY-----)"
      ],
      [
        { cert: client.cert, key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" },
        "tlsClientCertificate.key is not a private key node:crypto can read (an encrypted key is not)"
      ],
      [
        { cert: client.cert, key: other.key },
        "tlsClientCertificate.key does not match tlsClientCertificate.cert: the public key of its first certificate " +
        "is not the key's"
      ],
      [{ ...client, ca: 7 }, "tlsClientCertificate.ca must be a string (PEM certificates), not a number"],
      [
        { cert: client.cert, key: client.key, ca: "none" },
        "tlsClientCertificate.ca is not a PEM certificate (-----BEGIN CERTIFICATE-----)"
      ],
      [{ ...client }, "tlsClientCertificate takes cert, key and ca only"]
    ]
    for (const [value, problem] of cases) {
      assert.deepStrictEqual(TlsClientCertificate.check(value, plain), invalid(problem), problem)
    }
  })

  it("the values to redact: the key's text and its base64 body", () => {
    const checked = TlsClientCertificate.check({ cert: client.cert, key: client.key }, plain)
    assert.strictEqual(checked._tag, "Valid")
    if (checked._tag !== "Valid") return
    const body = client.key.split("\n").filter((line) => line !== "" && !line.startsWith("-----")).join("")
    assert.deepStrictEqual(TlsClientCertificate.secretsOf(checked.value), [client.key.trim(), body])
  })
})
