/**
 * The token endpoint on the wire without an Effect line (`docs/behaviour.md#token-endpoint-answers`): the request's
 * method, URL, headers and form; what each status says to do; a 2xx body as a token with its times or a `TokenError`'s
 * fields; a 400/401 body as an error response or not one; the texts of an answer that gave no token.
 */
import { assert, describe, it } from "vitest"
import * as Redactor from "../src/redactor.js"
import * as TokenEndpoint from "../src/tokenEndpoint.js"
import * as TokenRequest from "../src/tokenRequest.js"

const origin = "https://auth.example.com"
const answer = (status: number, redactor = Redactor.make([])): TokenEndpoint.Answer => ({
  origin,
  status,
  sentAt: 1_700_000_000_000,
  requestedScopes: ["read"],
  redactor
})
const readOptions = { tokenTypes: ["Bearer", "DPoP"] as const, defaultLifetimeMillis: 3_600_000 }

describe("tokenEndpoint: the request", () => {
  it("a POST asking for JSON, with the authentication's headers, and the form then the authentication's params", () => {
    const resolved: TokenRequest.ResolvedRequest = {
      scopes: ["a", "b"],
      audience: "api",
      resources: ["https://api.example.com/"],
      extraParams: [["tenant", "t1"]]
    }
    assert.deepStrictEqual(
      TokenEndpoint.wireRequest(`${origin}/token`, resolved, {
        headers: { authorization: "Basic Y2xpZW50OnNlY3JldA==" },
        params: []
      }),
      {
        method: "POST",
        url: "https://auth.example.com/token",
        headers: { accept: "application/json", authorization: "Basic Y2xpZW50OnNlY3JldA==" },
        form: [
          ["grant_type", "client_credentials"],
          ["scope", "a b"],
          ["audience", "api"],
          ["resource", "https://api.example.com/"],
          ["tenant", "t1"]
        ]
      }
    )
    assert.deepStrictEqual(
      TokenEndpoint.wireRequest(`${origin}/token`, TokenRequest.empty, {
        headers: {},
        params: [["client_id", "c"], ["client_secret", "s"]]
      }),
      {
        method: "POST",
        url: "https://auth.example.com/token",
        headers: { accept: "application/json" },
        form: [["grant_type", "client_credentials"], ["client_id", "c"], ["client_secret", "s"]]
      }
    )
  })
})

describe("tokenEndpoint: the status", () => {
  it("2xx reads a token, 408/429/5xx tries later, 400/401 reads an error response", () => {
    for (const status of [200, 201, 299]) {
      assert.deepStrictEqual(TokenEndpoint.answerStep(status, origin), { _tag: "ReadToken" })
    }
    for (const status of [408, 429, 500, 501, 503, 599]) {
      assert.deepStrictEqual(TokenEndpoint.answerStep(status, origin), { _tag: "TryLater" })
    }
    for (const status of [400, 401]) {
      assert.deepStrictEqual(TokenEndpoint.answerStep(status, origin), { _tag: "ReadError" })
    }
  })

  it("a redirect is refused, as is any other status, the body unread", () => {
    for (const status of [301, 302, 303, 307, 308]) {
      assert.deepStrictEqual(TokenEndpoint.answerStep(status, origin), {
        _tag: "Refused",
        failure: {
          reason: "InvalidResponse",
          origin,
          status,
          detail: "a redirect (token requests are never redirected)"
        }
      })
    }
    for (const status of [100, 403, 404, 410, 418]) {
      assert.deepStrictEqual(TokenEndpoint.answerStep(status, origin), {
        _tag: "Refused",
        failure: { reason: "InvalidResponse", origin, status, detail: "unexpected status" }
      })
    }
  })

  it("an answer a wrapped client got by following a redirect: refused, with no status", () => {
    assert.deepStrictEqual(TokenEndpoint.followedRedirect(origin), {
      reason: "InvalidResponse",
      origin,
      detail: "the HttpClient followed a redirect; the token request must not be redirected"
    })
  })
})

describe("tokenEndpoint: the body", () => {
  it("too large or not JSON", () => {
    assert.deepStrictEqual(TokenEndpoint.unreadableBody("TooLarge", answer(200)), {
      reason: "InvalidResponse",
      origin,
      status: 200,
      detail: "the response is larger than 1 MiB"
    })
    assert.deepStrictEqual(TokenEndpoint.unreadableBody("NotJson", answer(401)), {
      reason: "InvalidResponse",
      origin,
      status: 401,
      detail: "the response is not JSON"
    })
  })

  it("a 2xx token: its value, type in canonical case, scopes, issued when sent, expiring its lifetime later", () => {
    assert.deepStrictEqual(
      TokenEndpoint.tokenOf({ access_token: "tok", token_type: "bearer", expires_in: 60 }, answer(200), readOptions),
      {
        _tag: "Token",
        token: {
          value: "tok",
          tokenType: "Bearer",
          scopes: ["read"],
          issuedAt: 1_700_000_000_000,
          expiresAt: 1_700_000_060_000
        }
      }
    )
    assert.deepStrictEqual(
      TokenEndpoint.tokenOf({ access_token: "tok", token_type: "DPoP", scope: "x y" }, answer(201), readOptions),
      {
        _tag: "Token",
        token: {
          value: "tok",
          tokenType: "DPoP",
          scopes: ["x", "y"],
          issuedAt: 1_700_000_000_000,
          expiresAt: 1_700_003_600_000
        }
      }
    )
  })

  it("a 2xx that is no token: InvalidResponse with the status and why; an error response: OAuth", () => {
    assert.deepStrictEqual(TokenEndpoint.tokenOf({ token_type: "Bearer" }, answer(200), readOptions), {
      _tag: "Failure",
      failure: {
        reason: "InvalidResponse",
        origin,
        status: 200,
        detail: "access_token is missing or not a non-empty string"
      }
    })
    assert.deepStrictEqual(
      TokenEndpoint.tokenOf({ error: "invalid_scope", error_description: "no" }, answer(200), readOptions),
      {
        _tag: "Failure",
        failure: { reason: "OAuth", origin, status: 200, error: "invalid_scope", errorDescription: "no" }
      }
    )
  })

  it("an answer to a DPoP request: a DPoP token in any case; Bearer refused in words of its own", () => {
    const dpop = { ...readOptions, dpop: true }
    const read = TokenEndpoint.tokenOf({ access_token: "tok", token_type: "dpop" }, answer(200), dpop)
    assert.strictEqual(read._tag === "Token" ? read.token.tokenType : read._tag, "DPoP")
    assert.deepStrictEqual(
      TokenEndpoint.tokenOf({ access_token: "tok", token_type: "Bearer" }, answer(200), dpop),
      {
        _tag: "Failure",
        failure: {
          reason: "InvalidResponse",
          origin,
          status: 200,
          detail: "token_type is Bearer, not DPoP: the server did not bind the token to the DPoP key"
        }
      }
    )
  })

  it("a 400/401: its error response, redacted, or InvalidResponse when it carries none", () => {
    const redactor = Redactor.make(["s3cret"])
    assert.deepStrictEqual(
      TokenEndpoint.errorOf(
        { error: "invalid_client", error_description: "bad s3cret", error_uri: "https://e/x" },
        answer(401, redactor)
      ),
      {
        reason: "OAuth",
        origin,
        status: 401,
        error: "invalid_client",
        errorDescription: "bad <redacted>",
        errorUri: "https://e/x"
      }
    )
    for (const body of [undefined, {}, { error: "" }, "invalid_client"]) {
      assert.deepStrictEqual(TokenEndpoint.errorOf(body, answer(400)), {
        reason: "InvalidResponse",
        origin,
        status: 400,
        detail: "the error answer is not an RFC 6749 error response"
      })
    }
  })

  it("the fields of an InvalidResponse and an OAuth error", () => {
    assert.deepStrictEqual(TokenEndpoint.invalidResponse(origin, "why"), {
      reason: "InvalidResponse",
      origin,
      detail: "why"
    })
    assert.deepStrictEqual(TokenEndpoint.invalidResponse(origin, "why", 500), {
      reason: "InvalidResponse",
      origin,
      status: 500,
      detail: "why"
    })
    assert.deepStrictEqual(TokenEndpoint.oauthError({ error: "invalid_grant" }, origin, 400), {
      reason: "OAuth",
      origin,
      status: 400,
      error: "invalid_grant"
    })
  })
})
