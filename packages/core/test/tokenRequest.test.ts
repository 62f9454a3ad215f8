/**
 * One token request, alone: a `TokenRequest` resolved against the configured options (undefined inherits, null
 * clears, extra parameters merge by key), its types and values checked (`docs/behaviour.md#scopes-and-resources`,
 * and the malformed `getFor` request of `docs/behaviour.md#token-endpoint-answers`) in words that never repeat a
 * value, its canonical form, the same for equal requests in any order (`docs/behaviour.md#single-flight`), and the form
 * of a client-credentials token request (RFC 6749 §4.4.2, `docs/behaviour.md#the-wire`).
 */
import { assert, describe, it } from "vitest"
import * as TokenRequest from "../src/tokenRequest.js"

const check = (request: unknown, base: TokenRequest.ResolvedRequest = TokenRequest.empty, nullable = true) =>
  TokenRequest.resolveChecked(base, request as TokenRequest.TokenRequest, { nullable })

const resolved = (request: unknown, base?: TokenRequest.ResolvedRequest, nullable?: boolean) => {
  const checked = check(request, base, nullable)
  if (checked._tag === "Invalid") return assert.fail(`expected a valid request, got: ${checked.problem}`)
  return checked.value
}

const problem = (request: unknown, base?: TokenRequest.ResolvedRequest, nullable?: boolean) => {
  const checked = check(request, base, nullable)
  if (checked._tag === "Valid") return assert.fail("expected an invalid request")
  return checked.problem
}

const base: TokenRequest.ResolvedRequest = {
  scopes: ["read"],
  audience: "api",
  resources: ["https://api.example/"],
  extraParams: [["a", "1"], ["tenant", "t1"]]
}

describe("token request: reserved parameters and the empty request", () => {
  it("reserves the names the library sends itself", () => {
    assert.deepStrictEqual(Array.from(TokenRequest.reservedParams).sort(), [
      "audience",
      "client_assertion",
      "client_assertion_type",
      "client_id",
      "client_secret",
      "grant_type",
      "resource",
      "scope"
    ])
  })

  it("the empty request holds nothing", () => {
    assert.deepStrictEqual(TokenRequest.empty, { scopes: [], audience: undefined, resources: [], extraParams: [] })
    assert.deepStrictEqual(resolved({}), TokenRequest.empty)
  })
})

describe("token request: resolving against the configured options", () => {
  it("inherits every field left undefined or absent", () => {
    assert.deepStrictEqual(resolved({}, base), base)
    assert.deepStrictEqual(
      resolved({ scopes: undefined, audience: undefined, resource: undefined, extraParams: undefined }, base),
      base
    )
  })

  it("clears every field set to null", () => {
    assert.deepStrictEqual(
      resolved({ scopes: null, audience: null, resource: null, extraParams: null }, base),
      TokenRequest.empty
    )
  })

  it("asks for no scope with scopes: []", () => {
    assert.deepStrictEqual(resolved({ scopes: [] }, base), { ...base, scopes: [] })
  })

  it("replaces scopes, audience and resources; a single resource is one, whatever it holds", () => {
    const request = { scopes: ["write"], audience: "other", resource: "urn:example:orders,billing" }
    assert.deepStrictEqual(resolved(request, base), {
      ...base,
      scopes: ["write"],
      audience: "other",
      resources: ["urn:example:orders,billing"]
    })
  })

  it("sorts scopes and resources by code unit and drops repeats", () => {
    assert.deepStrictEqual(resolved({ scopes: ["write", "read", "write", "Read"] }).scopes, ["Read", "read", "write"])
    assert.deepStrictEqual(
      resolved({ resource: ["https://b.example/", "https://a.example/", "https://b.example/"] }).resources,
      ["https://a.example/", "https://b.example/"]
    )
  })

  it("merges extra parameters key by key: a value replaces, null removes, a new key is added", () => {
    assert.deepStrictEqual(resolved({ extraParams: { tenant: null, b: "2", a: "9" } }, base).extraParams, [
      ["a", "9"],
      ["b", "2"]
    ])
    // the configured options are left as they were
    assert.deepStrictEqual(base.extraParams, [["a", "1"], ["tenant", "t1"]])
  })

  it("sorts extra parameters by name, by code unit", () => {
    assert.deepStrictEqual(resolved({ extraParams: { b: "1", B: "2", _: "3", a: "4" } }).extraParams, [
      ["B", "2"],
      ["_", "3"],
      ["a", "4"],
      ["b", "1"]
    ])
  })
})

describe("token request: types", () => {
  it("must be an object, of any kind but an array", () => {
    for (const request of [null, undefined, [], "scopes", 1]) {
      assert.strictEqual(problem(request), "the request must be an object", String(request))
    }
    class Request {
      readonly scopes = ["b", "a"]
    }
    assert.deepStrictEqual(resolved(new Request()).scopes, ["a", "b"])
    assert.deepStrictEqual(resolved(Object.assign(Object.create(null), { audience: "api" })).audience, "api")
  })

  it("names the field of the wrong type", () => {
    const wrong: Array<[unknown, string]> = [
      [{ scopes: "read" }, "scopes must be an array of strings"],
      [{ scopes: ["read", 1] }, "scopes must be an array of strings"],
      [{ scopes: {} }, "scopes must be an array of strings"],
      [{ audience: 1 }, "audience must be a string"],
      [{ audience: ["api"] }, "audience must be a string"],
      [{ resource: 1 }, "resource must be a string or an array of strings"],
      [{ resource: ["https://a.example/", 1] }, "resource must be a string or an array of strings"],
      [{ extraParams: [] }, "extraParams must be an object of strings"],
      [{ extraParams: "a=1" }, "extraParams must be an object of strings"],
      [{ extraParams: { a: 1 } }, "extraParams must be an object of strings"]
    ]
    for (const [request, expected] of wrong) assert.strictEqual(problem(request), expected, JSON.stringify(request))
  })

  it("allows null only where it clears a field (a TokenRequest, not the options)", () => {
    const options: Array<[unknown, string]> = [
      [{ scopes: null }, "scopes must be an array of strings"],
      [{ audience: null }, "audience must be a string"],
      [{ resource: null }, "resource must be a string or an array of strings"],
      [{ extraParams: null }, "extraParams must be an object of strings"],
      [{ extraParams: { a: null } }, "extraParams must be an object of strings"]
    ]
    for (const [request, expected] of options) {
      assert.strictEqual(problem(request, TokenRequest.empty, false), expected, JSON.stringify(request))
    }
    assert.deepStrictEqual(resolved({ scopes: undefined }, base, false), base)
  })

  it("checks the types before the values", () => {
    assert.strictEqual(problem({ scopes: ["a b"], audience: 1 }), "audience must be a string")
  })
})

describe("token request: values", () => {
  const notAScopeToken = "is not an RFC 6749 scope token (empty, or a space, quote, backslash or control character)"

  it("takes scopes made of RFC 6749 §3.3 scope-token characters (%x21 / %x23-5B / %x5D-7E)", () => {
    const scopes = ["!", "#", "[", "]", "~", "read:all", "https://api.example/orders.read"]
    assert.deepStrictEqual(resolved({ scopes }).scopes, [...scopes].sort())
  })

  it("refuses an empty scope, a space, a quote, a backslash, DEL, a control or non-ASCII character", () => {
    for (const scope of ["", "a b", "a\"b", "a\\b", "a\u007fb", "a\tb", "é"]) {
      assert.strictEqual(problem({ scopes: [scope] }), `scope #1 ${notAScopeToken}`, JSON.stringify(scope))
    }
  })

  it("numbers the scope that is wrong by its place in the caller's list", () => {
    assert.strictEqual(problem({ scopes: ["a", "b", "c d"] }), `scope #3 ${notAScopeToken}`)
    assert.strictEqual(problem({ scopes: ["read", "b\"ad"] }), `scope #2 ${notAScopeToken}`)
  })

  it("refuses an audience that is empty or holds a control character", () => {
    for (const audience of ["", "a\nb", "api\u0085"]) {
      assert.strictEqual(
        problem({ audience }),
        "audience is empty or contains a control character",
        JSON.stringify(audience)
      )
    }
    assert.strictEqual(resolved({ audience: "my api" }).audience, "my api")
  })

  it("takes resources that are absolute URIs in URI characters, percent-encodings included", () => {
    const resource = ["https://api.example/v1?x=1&y=[2]", "urn:example:api", "https://api.example/a%20b%C3%A9"]
    assert.deepStrictEqual(resolved({ resource }).resources, [...resource].sort())
  })

  it("refuses a resource with a control character", () => {
    assert.strictEqual(problem({ resource: "https://api.example/\u0000" }), "resource #1 contains a control character")
  })

  it("refuses a resource with a character a URI cannot hold", () => {
    const expected = "resource #1 has a character a URI cannot hold (a space, quote, non-ASCII character or stray %)"
    for (const resource of ["https://api.example/a b", "https://api.example/\"", "https://é.example/"]) {
      assert.strictEqual(problem({ resource }), expected, resource)
    }
    for (const resource of ["https://api.example/%zz", "https://api.example/%2", "https://api.example/100%"]) {
      assert.strictEqual(problem({ resource }), expected, resource)
    }
  })

  it("refuses a resource that is not an absolute URI (RFC 8707)", () => {
    for (const resource of ["/orders", "api.example", ""]) {
      assert.strictEqual(problem({ resource }), "resource #1 is not an absolute URI (RFC 8707)", resource)
    }
  })

  it("refuses a resource with a fragment, even an empty one (RFC 8707)", () => {
    for (const resource of ["https://api.example/#orders", "https://api.example/#"]) {
      assert.strictEqual(problem({ resource }), "resource #1 has a fragment (RFC 8707 forbids it)", resource)
    }
  })

  it("numbers the resource that is wrong by its place in the caller's list", () => {
    assert.strictEqual(
      problem({ resource: ["https://a.example/", "https://b.example/#x"] }),
      "resource #2 has a fragment (RFC 8707 forbids it)"
    )
    assert.strictEqual(
      problem({ resource: ["https://b.example/", "https://a.example/#x"] }),
      "resource #2 has a fragment (RFC 8707 forbids it)"
    )
  })

  it("refuses every reserved name as an extra parameter", () => {
    for (const name of TokenRequest.reservedParams) {
      assert.strictEqual(
        problem({ extraParams: { [name]: "x" } }),
        `extra parameter "${name}" is reserved; use the option that sets it`
      )
    }
    // removing a name is no use of it
    assert.deepStrictEqual(resolved({ extraParams: { scope: null } }).extraParams, [])
  })

  it("refuses an extra parameter name that is empty or holds a control character", () => {
    for (const name of ["", "a\nb"]) {
      assert.strictEqual(
        problem({ extraParams: { [name]: "x" } }),
        "an extra parameter name is empty or has a control character",
        JSON.stringify(name)
      )
    }
  })

  it("refuses an extra parameter value with a control character, and takes any other", () => {
    assert.strictEqual(
      problem({ extraParams: { tenant: "t1\r\nX-Injected: 1" } }),
      "extra parameter \"tenant\" contains a control character"
    )
    assert.deepStrictEqual(resolved({ extraParams: { tenant: "", region: "é u" } }).extraParams, [
      ["region", "é u"],
      ["tenant", ""]
    ])
  })

  it("checks the options it inherits as well as what the request sets", () => {
    const broken: TokenRequest.ResolvedRequest = { ...TokenRequest.empty, audience: "" }
    assert.strictEqual(problem({ scopes: ["read"] }, broken), "audience is empty or contains a control character")
  })

  it("never repeats a value", () => {
    const value = "Zq9Secret"
    const requests = [
      { scopes: [`${value} x`] },
      { audience: `${value}\n` },
      { resource: `${value}` },
      { resource: `https://api.example/${value} x` },
      { resource: `https://api.example/#${value}` },
      { extraParams: { tenant: `${value}\n` } },
      { scopes: value },
      { extraParams: { tenant: [value] } }
    ]
    for (const request of requests) assert.notInclude(problem(request), value, JSON.stringify(request))
  })
})

describe("token request: canonical form", () => {
  const client: TokenRequest.ClientIdentity = {
    endpoint: "https://login.example/token",
    clientId: "orders",
    authMethod: "client_secret_basic",
    keyIdentity: ""
  }
  const request = resolved({
    scopes: ["b", "a"],
    audience: "api",
    resource: ["https://y.example/", "https://x.example/"],
    extraParams: { z: "1", y: "2" }
  })

  it("is a JSON array of the client and the resolved request", () => {
    assert.strictEqual(
      TokenRequest.canonicalOf(client, TokenRequest.empty),
      "[\"https://login.example/token\",\"orders\",\"client_secret_basic\",\"\",[],null,[],[]]"
    )
    assert.strictEqual(
      TokenRequest.canonicalOf(client, request),
      "[\"https://login.example/token\",\"orders\",\"client_secret_basic\",\"\",[\"a\",\"b\"],\"api\"," +
        "[\"https://x.example/\",\"https://y.example/\"],[[\"y\",\"2\"],[\"z\",\"1\"]]]"
    )
  })

  it("ends with the DPoP key's thumbprint when there is one", () => {
    assert.strictEqual(
      TokenRequest.canonicalOf({ ...client, dpopThumbprint: "abc" }, TokenRequest.empty),
      "[\"https://login.example/token\",\"orders\",\"client_secret_basic\",\"\",[],null,[],[],[\"dpop\",\"abc\"]]"
    )
    assert.strictEqual(
      TokenRequest.canonicalOf(
        TokenRequest.identityOf({ _tag: "TokenUrl", url: new URL("https://login.example/token") }, "orders", {
          method: "client_secret_basic",
          keyIdentity: ""
        }, "abc"),
        TokenRequest.empty
      ),
      TokenRequest.canonicalOf(
        { ...client, endpoint: "TokenUrl:https://login.example/token", dpopThumbprint: "abc" },
        TokenRequest.empty
      )
    )
  })

  it("is the same for equal requests in any order", () => {
    const reordered = resolved({
      extraParams: { y: "2", z: "1" },
      resource: ["https://x.example/", "https://y.example/", "https://x.example/"],
      audience: "api",
      scopes: ["a", "b", "a"]
    })
    assert.strictEqual(TokenRequest.canonicalOf(client, reordered), TokenRequest.canonicalOf(client, request))
  })

  it("differs when any part differs", () => {
    const forms = [
      TokenRequest.canonicalOf(client, request),
      TokenRequest.canonicalOf({ ...client, endpoint: "https://login.example/other" }, request),
      TokenRequest.canonicalOf({ ...client, clientId: "billing" }, request),
      TokenRequest.canonicalOf({ ...client, authMethod: "client_secret_post" }, request),
      TokenRequest.canonicalOf({ ...client, keyIdentity: "thumbprint" }, request),
      TokenRequest.canonicalOf({ ...client, dpopThumbprint: "key-1" }, request),
      TokenRequest.canonicalOf({ ...client, dpopThumbprint: "key-2" }, request),
      TokenRequest.canonicalOf(client, { ...request, scopes: ["a"] }),
      TokenRequest.canonicalOf(client, { ...request, audience: undefined }),
      TokenRequest.canonicalOf(client, { ...request, resources: ["https://x.example/"] }),
      TokenRequest.canonicalOf(client, { ...request, extraParams: [["y", "2"]] })
    ]
    assert.strictEqual(new Set(forms).size, forms.length)
  })

  it("is unambiguous: values that join alike stay apart", () => {
    const of = (request: TokenRequest.ResolvedRequest) => TokenRequest.canonicalOf(client, request)
    assert.notStrictEqual(
      of({ ...TokenRequest.empty, scopes: ["a,b"] }),
      of({ ...TokenRequest.empty, scopes: ["a", "b"] })
    )
    assert.notStrictEqual(of({ ...TokenRequest.empty, audience: "null" }), of(TokenRequest.empty))
    assert.notStrictEqual(
      of({ ...TokenRequest.empty, extraParams: [["a", "b=c"]] }),
      of({ ...TokenRequest.empty, extraParams: [["a=b", "c"]] })
    )
  })
})

describe("token request: the form (RFC 6749 §4.4.2)", () => {
  it("holds the grant type alone for the empty request", () => {
    assert.deepStrictEqual(TokenRequest.formParams(TokenRequest.empty, []), [["grant_type", "client_credentials"]])
  })

  it("sends scopes space-separated, the audience, one resource parameter each, the extras, then authentication", () => {
    const request = resolved({
      scopes: ["write", "read"],
      audience: "api",
      resource: ["https://y.example/", "https://x.example/"],
      extraParams: { tenant: "t1", region: "eu" }
    })
    assert.deepStrictEqual(TokenRequest.formParams(request, [["client_id", "orders"], ["client_secret", "s"]]), [
      ["grant_type", "client_credentials"],
      ["scope", "read write"],
      ["audience", "api"],
      ["resource", "https://x.example/"],
      ["resource", "https://y.example/"],
      ["region", "eu"],
      ["tenant", "t1"],
      ["client_id", "orders"],
      ["client_secret", "s"]
    ])
  })

  it("leaves out scope with no scopes, and audience without one", () => {
    const request = resolved({ resource: "urn:example:api" })
    assert.deepStrictEqual(TokenRequest.formParams(request, []), [
      ["grant_type", "client_credentials"],
      ["resource", "urn:example:api"]
    ])
  })
})

describe("tokenRequest: the client's identity", () => {
  it("names the endpoint by its kind and URL, with the client id and the authentication's method and key", () => {
    assert.deepStrictEqual(
      TokenRequest.identityOf({ _tag: "Issuer", url: new URL("https://id.example.com/tenant") }, "billing", {
        method: "private_key_jwt",
        keyIdentity: "thumbprint"
      }),
      {
        endpoint: "Issuer:https://id.example.com/tenant",
        clientId: "billing",
        authMethod: "private_key_jwt",
        keyIdentity: "thumbprint"
      }
    )
  })
})
