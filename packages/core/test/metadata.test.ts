/**
 * An issuer's metadata: where it is published, how long it is kept, what its answer and its document must be, with
 * the problems discovery reports, word for word.
 */
import { assert, describe, it } from "vitest"
import * as metadata from "../src/metadata.js"
import * as Redactor from "../src/redactor.js"

const issuer = "https://auth.example.com/tenant-7"
const tokenEndpoint = "https://auth.example.com/tenant-7/oauth2/token"

const expected: metadata.Expected = {
  issuer: new URL(issuer),
  authMethod: "client_secret_basic",
  allowInsecureHttp: false
}

/** A document for `issuer`; `fields` add to or override it (`undefined` drops one). */
const document = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  issuer,
  token_endpoint: tokenEndpoint,
  token_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"],
  ...fields
})

const problemOf = (checked: metadata.CheckedMetadata): string => {
  assert.strictEqual(checked._tag, "Invalid")
  return (checked as { readonly problem: string }).problem
}

describe("metadata: where and how long", () => {
  it("RFC 8414's well-known URL, then OpenID Connect's; a final / of the issuer's path dropped first", () => {
    const expectedLocations: ReadonlyArray<metadata.Location> = [
      {
        url: "https://auth.example.com/.well-known/oauth-authorization-server/tenant-7",
        document: "authorization server metadata"
      },
      { url: "https://auth.example.com/tenant-7/.well-known/openid-configuration", document: "OpenID configuration" }
    ]
    assert.deepStrictEqual(metadata.locations(new URL(issuer)), expectedLocations)
    assert.deepStrictEqual(metadata.locations(new URL(`${issuer}/`)), expectedLocations)
    assert.deepStrictEqual(metadata.locations(new URL("https://auth.example.com")).map((location) => location.url), [
      "https://auth.example.com/.well-known/oauth-authorization-server",
      "https://auth.example.com/.well-known/openid-configuration"
    ])
  })

  it("Cache-Control: max-age held to [1 minute, 24 hours]; no-cache or no-store, 1 minute; none, 24 hours", () => {
    const cases: ReadonlyArray<readonly [string | undefined, number]> = [
      [undefined, 86400],
      ["public", 86400],
      ["max-age=600", 600],
      ["public, Max-Age=3600, must-revalidate", 3600],
      ["max-age=\"120\"", 120],
      ["max-age = 120", 120],
      ["max-age=0", 60],
      ["max-age=10", 60],
      ["max-age=31536000", 86400],
      [`max-age=${"9".repeat(400)}`, 86400],
      ["no-cache", 60],
      ["NO-STORE, max-age=3600", 60],
      ["max-age=ten", 86400],
      ["s-maxage=600", 86400],
      ["x-max-age=600", 86400]
    ]
    for (const [header, seconds] of cases) assert.strictEqual(metadata.maxAgeSecondsOf(header), seconds, String(header))
  })
})

describe("metadata: the answer", () => {
  it("by status: a document, not found, retryable, or refused with what it was", () => {
    const document = "OpenID configuration"
    assert.deepStrictEqual(metadata.answerOf(200, document), { _tag: "Document" })
    assert.deepStrictEqual(metadata.answerOf(203, document), { _tag: "Document" })
    assert.deepStrictEqual(metadata.answerOf(404, document), { _tag: "NotFound" })
    for (const status of [408, 429, 500, 501, 502, 503, 504, 599]) {
      assert.deepStrictEqual(metadata.answerOf(status, document), { _tag: "Retryable" }, String(status))
    }
    for (const status of [301, 302, 307, 308]) {
      assert.deepStrictEqual(metadata.answerOf(status, document), {
        _tag: "Refused",
        problem: `the OpenID configuration answered HTTP ${status}, a redirect; discovery does not follow redirects`
      })
    }
    for (const status of [400, 401, 403, 410]) {
      assert.deepStrictEqual(metadata.answerOf(status, "authorization server metadata"), {
        _tag: "Refused",
        problem: `the authorization server metadata answered HTTP ${status}`
      })
    }
  })

  it("what else is wrong with an answer, and with finding none", () => {
    assert.strictEqual(
      metadata.answerProblem("OpenID configuration", "FollowedRedirect"),
      "the HttpClient followed a redirect of the OpenID configuration request; discovery does not follow redirects"
    )
    assert.strictEqual(
      metadata.answerProblem("authorization server metadata", "TooLarge"),
      "the authorization server metadata is larger than 1 MiB"
    )
    assert.strictEqual(
      metadata.answerProblem("OpenID configuration", "NotJson"),
      "the OpenID configuration is not JSON"
    )
    assert.strictEqual(metadata.maxDocumentBytes, 1024 * 1024)
    assert.strictEqual(
      metadata.noMetadataProblem,
      "the issuer publishes no metadata: its authorization server metadata and its OpenID configuration both " +
        "answered HTTP 404"
    )
  })
})

describe("metadata: the issuer", () => {
  it("the same issuer up to a final / on either side", () => {
    for (const [configured, published] of [[issuer, `${issuer}/`], [`${issuer}/`, issuer], [issuer, issuer]]) {
      assert.isTrue(metadata.sameIssuer(new URL(configured!), published!), `${configured} / ${published}`)
    }
    assert.isTrue(metadata.sameIssuer(new URL("https://auth.example.com"), "https://auth.example.com"))
    for (const published of [`${issuer}//`, "https://auth.example.com/Tenant-7", "https://auth.example.com", ""]) {
      assert.isFalse(metadata.sameIssuer(new URL(issuer), published), published)
    }
  })

  it("a difference says what differs: scheme, host, port, path, its case, a query, or the spelling", () => {
    const rule = ": it must be the configured issuer (RFC 8414 §3.3)"
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      [issuer, "auth.example.com/tenant-7", "not a URL"],
      [issuer, "ftp://auth.example.com/tenant-7", "not an http(s) URL"],
      ["https://auth.example.com", "HTTP://auth.example.com", "at http://auth.example.com, where its scheme differs"],
      [
        "https://auth.example.com",
        "http://auth.example.com:8443",
        "at http://auth.example.com:8443, where its scheme and port differ"
      ],
      [issuer, "https://evil.example/tenant-7", "at https://evil.example, where its host differs"],
      [issuer, "https://auth.example.com:8443/tenant-7", "at https://auth.example.com:8443, where its port differs"],
      [issuer, "https://auth.example.com/tenant-8", "at the same origin with another path"],
      [issuer, "https://auth.example.com/Tenant-7", "at the same origin with its path in another case"],
      [issuer, "https://auth.example.com/tenant-7?x=1", "at the same origin with a query or fragment"],
      [issuer, "https://auth.example.com/tenant-7#x", "at the same origin with a query or fragment"],
      [
        "https://auth.example.com",
        "HTTPS://auth.example.com",
        "the same URL written with its scheme or host in another case"
      ],
      [issuer, "https://Auth.Example.com/tenant-7", "the same URL written with its scheme or host in another case"],
      [issuer, "https://auth.example.com:443/tenant-7", "the same URL written with the default port written out"],
      [
        "http://auth.example.com/t",
        "http://auth.example.com:80/t",
        "the same URL written with the default port written out"
      ],
      [
        "https://auth.example.com/tenant%2D7",
        "https://auth.example.com/tenant%2d7",
        "at the same origin with its path in another case"
      ],
      [
        "https://auth.example.com/t\u00e9nant",
        "https://auth.example.com/t\u00e9nant",
        "the same URL written with another spelling (percent-encoding, or characters the URL parser rewrites)"
      ]
    ]
    for (const [configured, published, said] of cases) {
      assert.strictEqual(metadata.issuerDifference(new URL(configured), published), `${said}${rule}`, published)
    }
  })

  it("names the other issuer's origin through quote, never its path or query", () => {
    const said = metadata.issuerDifference(
      new URL(issuer),
      "https://evil.example/secret-path?key=abc",
      (text) => `«${text}»`
    )
    assert.strictEqual(
      said,
      "at «https://evil.example», where its host differs: it must be the configured issuer (RFC 8414 §3.3)"
    )
  })
})

describe("metadata: the document", () => {
  it("good metadata: the published issuer, the token endpoint, the lists", () => {
    const checked = metadata.check(
      document({ issuer: `${issuer}/`, token_endpoint_auth_signing_alg_values_supported: ["RS256"] }),
      expected,
      "authorization server metadata"
    )
    assert.deepStrictEqual(checked, {
      _tag: "Valid",
      value: {
        issuer: `${issuer}/`,
        tokenEndpoint: new URL(tokenEndpoint),
        authMethodsSupported: ["client_secret_basic", "private_key_jwt"],
        signingAlgorithmsSupported: ["RS256"]
      }
    })
  })

  it("mutual TLS: mtls_endpoint_aliases.token_endpoint is the token endpoint, held to the same rules", () => {
    const alias = "https://mtls.auth.example.com/tenant-7/oauth2/token"
    const tls = { ...expected, authMethod: "tls_client_auth" }
    const methods = { token_endpoint_auth_methods_supported: ["tls_client_auth", "self_signed_tls_client_auth"] }
    const endpointOf = (checked: metadata.CheckedMetadata) =>
      checked._tag === "Valid" ? checked.value.tokenEndpoint.href : checked
    const withAlias = document({ ...methods, mtls_endpoint_aliases: { token_endpoint: alias } })
    assert.strictEqual(endpointOf(metadata.check(withAlias, tls, "OpenID configuration")), alias)
    assert.strictEqual(
      endpointOf(
        metadata.check(withAlias, { ...tls, authMethod: "self_signed_tls_client_auth" }, "OpenID configuration")
      ),
      alias
    )
    // another method keeps token_endpoint; no alias, or none for the token endpoint, keeps it too
    assert.strictEqual(
      endpointOf(metadata.check({ ...withAlias, ...document() }, expected, "OpenID configuration")),
      tokenEndpoint
    )
    for (const aliases of [undefined, null, {}, { revocation_endpoint: alias }]) {
      const checked = metadata.check(
        document({ ...methods, mtls_endpoint_aliases: aliases }),
        tls,
        "OpenID configuration"
      )
      assert.strictEqual(endpointOf(checked), tokenEndpoint)
    }
    assert.strictEqual(
      problemOf(metadata.check(document({ ...methods, mtls_endpoint_aliases: [alias] }), tls, "OpenID configuration")),
      "the OpenID configuration's mtls_endpoint_aliases is not a JSON object"
    )
    assert.strictEqual(
      problemOf(
        metadata.check(
          document({ ...methods, mtls_endpoint_aliases: { token_endpoint: "http://mtls.example.com/token" } }),
          tls,
          "OpenID configuration"
        )
      ),
      "the OpenID configuration's mtls_endpoint_aliases.token_endpoint http://mtls.example.com does not use https " +
        "(nor http on a loopback host); set allowInsecureHttp to allow http"
    )
  })

  it("no methods listed (absent or null): client_secret_basic only (RFC 8414 §2)", () => {
    for (const listed of [undefined, null]) {
      const checked = metadata.check(
        document({
          token_endpoint_auth_methods_supported: listed,
          token_endpoint_auth_signing_alg_values_supported: null
        }),
        expected,
        "OpenID configuration"
      )
      assert.strictEqual(checked._tag, "Valid")
      const found = (checked as { readonly value: metadata.Metadata }).value
      assert.deepStrictEqual(found.authMethodsSupported, ["client_secret_basic"])
      assert.isUndefined(found.signingAlgorithmsSupported)
    }
  })

  it("says what is wrong with the document, beginning with its name", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [null, "the OpenID configuration is not a JSON object"],
      [[document()], "the OpenID configuration is not a JSON object"],
      ["{}", "the OpenID configuration is not a JSON object"],
      [document({ issuer: undefined }), "the OpenID configuration has no issuer"],
      [document({ issuer: "" }), "the OpenID configuration has no issuer"],
      [document({ issuer: 42 }), "the OpenID configuration has no issuer"],
      [
        document({ issuer: "https://evil.example/secret-path" }),
        "the OpenID configuration is for another issuer, at https://evil.example, where its host differs: " +
        "it must be the configured issuer (RFC 8414 §3.3)"
      ],
      [document({ token_endpoint: undefined }), "the OpenID configuration's token_endpoint is missing or not a string"],
      [
        document({ token_endpoint: "http://evil.example/t0k3n" }),
        "the OpenID configuration's token_endpoint http://evil.example does not use https (nor http on a loopback " +
        "host); set allowInsecureHttp to allow http"
      ],
      [
        document({ token_endpoint_auth_methods_supported: "client_secret_basic" }),
        "the OpenID configuration's token_endpoint_auth_methods_supported is not a list of strings"
      ],
      [
        document({ token_endpoint_auth_signing_alg_values_supported: [1] }),
        "the OpenID configuration's token_endpoint_auth_signing_alg_values_supported is not a list of strings"
      ]
    ]
    for (const [body, problem] of cases) {
      assert.strictEqual(
        problemOf(metadata.check(body, expected, "OpenID configuration")),
        problem,
        JSON.stringify(body)
      )
    }
  })

  it("requireSameOriginTokenEndpoint and allowInsecureHttp reach the token endpoint's check", () => {
    const elsewhere = document({ token_endpoint: "http://login.other.example/token" })
    assert.strictEqual(
      problemOf(
        metadata.check(
          elsewhere,
          { ...expected, allowInsecureHttp: true, requireSameOriginTokenEndpoint: true },
          "OpenID configuration"
        )
      ),
      "the OpenID configuration's token_endpoint is at http://login.other.example, not at the issuer's origin, and " +
        "requireSameOriginTokenEndpoint is set"
    )
    assert.strictEqual(
      metadata.check(elsewhere, { ...expected, allowInsecureHttp: true }, "OpenID configuration")._tag,
      "Valid"
    )
  })

  it("a configured method the document does not list: UnsupportedAuthMethod, saying what it lists", () => {
    const cases: ReadonlyArray<readonly [unknown, string, string]> = [
      [
        ["private_key_jwt", "tls_client_auth"],
        "client_secret_basic",
        "client_secret_basic is configured, but the authorization server metadata lists private_key_jwt, " +
        "tls_client_auth in token_endpoint_auth_methods_supported"
      ],
      [
        [],
        "client_secret_basic",
        "client_secret_basic is configured, but the authorization server metadata lists none in " +
        "token_endpoint_auth_methods_supported"
      ],
      [
        undefined,
        "client_secret_post",
        "client_secret_post is configured, but the authorization server metadata lists no " +
        "token_endpoint_auth_methods_supported, which means client_secret_basic only (RFC 8414 §2)"
      ],
      [
        ["Private_Key_JWT"],
        "private_key_jwt",
        "private_key_jwt is configured, but the authorization server metadata lists Private_Key_JWT in " +
        "token_endpoint_auth_methods_supported"
      ]
    ]
    for (const [listed, authMethod, problem] of cases) {
      assert.deepStrictEqual(
        metadata.check(
          document({ token_endpoint_auth_methods_supported: listed }),
          { ...expected, authMethod },
          "authorization server metadata"
        ),
        { _tag: "UnsupportedAuthMethod", problem }
      )
    }
  })

  it("a server's texts are quoted with their control characters escaped: no line of their own, no terminal escape", () => {
    const checked = metadata.check(
      document({ token_endpoint_auth_methods_supported: ["a\r\u001b[2Kall good\n\u001b]0;x\u0007", "b\u202e"] }),
      { ...expected, authMethod: "private_key_jwt" },
      "OpenID configuration"
    )
    assert.strictEqual(
      (checked as metadata.UnsupportedAuthMethod).problem,
      "private_key_jwt is configured, but the OpenID configuration lists " +
        "a\\u000d\\u001b[2Kall good\\u000a\\u001b]0;x\\u0007, b\\u202e in token_endpoint_auth_methods_supported"
    )
  })

  it("a server's list of methods goes through the redactor, cut to 1 KiB", () => {
    const listed = Array.from({ length: 400 }, (_, index) => `method_${index}`)
    const checked = metadata.check(
      document({ token_endpoint_auth_methods_supported: listed }),
      { ...expected, authMethod: "private_key_jwt" },
      "OpenID configuration"
    )
    assert.strictEqual(checked._tag, "UnsupportedAuthMethod")
    const problem = (checked as metadata.UnsupportedAuthMethod).problem
    const quoted = Redactor.make([]).cut(listed.join(", "), 1024)
    assert.isBelow(quoted.length, listed.join(", ").length)
    assert.strictEqual(
      problem,
      `private_key_jwt is configured, but the OpenID configuration lists ${quoted} in token_endpoint_auth_methods_supported`
    )
  })
})
