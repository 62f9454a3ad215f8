/**
 * The fake authorization server's plain parts (`docs/testing.md#fakeauthserver`): the scripted answers, the token
 * endpoint's decision (client authentication as RFC 6749 §2.3.1 says, the grant, the scope), the error responses,
 * and what a server remembers: tokens issued, revoked and expired, the script, the records, the protected
 * resource's RFC 6750 answers.
 */
import { assert, describe, it } from "vitest"
import * as Fake from "../src/fakeAuthServer.js"

const form = "application/x-www-form-urlencoded"
const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`
const defaultBasic = basic("test-client", "test-secret")

/** The verdict on a POST form from the default rules (or `options`). */
const decide = (
  params: ReadonlyArray<readonly [string, string]>,
  headers: Readonly<Record<string, string>> = {},
  options: Fake.Options<number> = {}
) =>
  Fake.decide(
    Fake.endpointRules(options),
    Fake.readTokenRequest(
      "POST",
      { "content-type": form, ...headers },
      new URLSearchParams(params as Array<[string, string]>).toString()
    )
  )

const grant = [["grant_type", "client_credentials"]] as const

/** The refusal's status, error and description, or "granted". */
const outcome = (verdict: Fake.Verdict) =>
  verdict.outcome._tag === "Grant"
    ? "granted"
    : `${verdict.outcome.status} ${verdict.outcome.error}: ${verdict.outcome.description}${
      verdict.outcome.challenge ? " (challenge)" : ""
    }`

describe("fakeAuthServer: scripted answers", () => {
  it("respond, json, oauthError, rateLimited, html, malformedJson, redirect", () => {
    assert.deepStrictEqual(Fake.respond(503, "busy"), {
      _tag: "Respond",
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: "busy"
    })
    assert.strictEqual(Fake.respond(204).body, "")
    assert.deepStrictEqual(Fake.json(200, { a: 1 }, { "X-Id": "1" }).headers, {
      "content-type": "application/json",
      "cache-control": "no-store",
      "x-id": "1"
    })
    assert.strictEqual(Fake.json(200, {}, { "Cache-Control": "max-age=60" }).headers["cache-control"], "max-age=60")
    assert.deepStrictEqual(Fake.oauthError("invalid_scope"), {
      _tag: "Respond",
      status: 400,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
      body: "{\"error\":\"invalid_scope\"}"
    })
    assert.strictEqual(
      Fake.oauthError("invalid_client", "bad", 401).body,
      "{\"error\":\"invalid_client\",\"error_description\":\"bad\"}"
    )
    assert.strictEqual(Fake.oauthError("invalid_client", "bad", 401).status, 401)
    assert.deepStrictEqual(Fake.rateLimited(), Fake.respond(429, "Too Many Requests", { "Retry-After": "1" }))
    assert.strictEqual(
      Fake.rateLimited("Wed, 21 Oct 2015 07:28:00 GMT").headers["retry-after"],
      "Wed, 21 Oct 2015 07:28:00 GMT"
    )
    assert.strictEqual(Fake.html().status, 200)
    assert.strictEqual(Fake.html(503).headers["content-type"], "text/html; charset=utf-8")
    assert.include(Fake.html().body, "<html>")
    assert.throws(() => JSON.parse(Fake.malformedJson.body))
    assert.strictEqual(Fake.malformedJson.status, 200)
    assert.deepStrictEqual(Fake.redirect("https://elsewhere.example/", 301).headers, {
      location: "https://elsewhere.example/"
    })
  })

  it("a lifetime in whole seconds, at least 1; none when it is not finite", () => {
    assert.strictEqual(Fake.wholeSeconds(3600), 3600)
    assert.strictEqual(Fake.wholeSeconds(2.5), 3)
    assert.strictEqual(Fake.wholeSeconds(2.4), 2)
    assert.strictEqual(Fake.wholeSeconds(0.001), 1)
    assert.strictEqual(Fake.wholeSeconds(0), 1)
    assert.isUndefined(Fake.wholeSeconds(Infinity))
    assert.isUndefined(Fake.wholeSeconds(Number.NaN))
  })
})

describe("fakeAuthServer: endpoints", () => {
  it("the token endpoint at /oauth/token, the protected resource at /api and below, nothing else", () => {
    assert.strictEqual(Fake.endpointOf("/oauth/token"), "token")
    assert.strictEqual(Fake.endpointOf("http://127.0.0.1:8080/oauth/token?x=1"), "token")
    assert.isUndefined(Fake.endpointOf("/oauth/token/more"))
    assert.isUndefined(Fake.endpointOf("/oauth"))
    assert.strictEqual(Fake.endpointOf("/api"), "api")
    assert.strictEqual(Fake.endpointOf("/api/admin/users?page=2"), "api")
    assert.strictEqual(Fake.endpointOf("http://127.0.0.1:8080/api/"), "api")
    assert.isUndefined(Fake.endpointOf("/apis"))
    assert.isUndefined(Fake.endpointOf("/"))
  })
})

describe("fakeAuthServer: reading a token request", () => {
  it("lower-cases the headers; a form only for application/x-www-form-urlencoded, parameters in order", () => {
    const request = Fake.readTokenRequest("POST", {
      "Content-Type": "Application/X-WWW-Form-Urlencoded ; charset=UTF-8",
      Authorization: "Basic x"
    }, "scope=a+b&grant_type=client_credentials&scope=c")
    assert.deepStrictEqual(request, {
      method: "POST",
      headers: { "content-type": "Application/X-WWW-Form-Urlencoded ; charset=UTF-8", authorization: "Basic x" },
      isForm: true,
      params: [["scope", "a b"], ["grant_type", "client_credentials"], ["scope", "c"]]
    })
    const json = Fake.readTokenRequest("POST", { "content-type": "application/json" }, "{\"grant_type\":\"x\"}")
    assert.isFalse(json.isForm)
    assert.deepStrictEqual(json.params, [])
    assert.isFalse(Fake.readTokenRequest("POST", {}, "grant_type=client_credentials").isForm)
  })

  it("Basic credentials: Base64 of the form-urlencoded id and secret, split at the first colon", () => {
    assert.deepStrictEqual(Fake.basicCredentials(basic("id:1", "s:e%c r+t")), {
      clientId: "id:1",
      clientSecret: "s:e%c r+t"
    })
    assert.deepStrictEqual(Fake.basicCredentials(`bAsIc \t${btoa("a+b:c+d")} `), {
      clientId: "a b",
      clientSecret: "c d"
    })
    assert.deepStrictEqual(Fake.basicCredentials(`Basic ${btoa("id:")}`), { clientId: "id", clientSecret: "" })
    assert.deepStrictEqual(Fake.basicCredentials(`Basic ${btoa("id:se:cret")}`), {
      clientId: "id",
      clientSecret: "se:cret"
    })
    // UTF-8 text, percent-encoded or not
    assert.deepStrictEqual(Fake.basicCredentials(`Basic ${Buffer.from("é:ü").toString("base64")}`), {
      clientId: "é",
      clientSecret: "ü"
    })
    assert.deepStrictEqual(Fake.basicCredentials(basic("é", "ü")), { clientId: "é", clientSecret: "ü" })
    assert.isUndefined(Fake.basicCredentials(`Bearer ${btoa("a:b")}`))
    assert.isUndefined(Fake.basicCredentials(`Basic ${btoa("no colon")}`))
    assert.isUndefined(Fake.basicCredentials(`Basic ${btoa("a%zz:b")}`))
    assert.isUndefined(Fake.basicCredentials(`Basic ${btoa("a:b%")}`))
    assert.isUndefined(Fake.basicCredentials(`Basic ${btoa("ab:c").replace(/=+$/, "")}Z`))
    assert.isUndefined(Fake.basicCredentials("Basic YWI6Yw"))
    assert.isUndefined(Fake.basicCredentials("Basic"))
    assert.isUndefined(Fake.basicCredentials("Basic a*b="))
  })
})

describe("fakeAuthServer: the token endpoint's decision", () => {
  it("POST only; a form body only; no parameter twice but resource", () => {
    const get = Fake.decide(Fake.endpointRules({}), Fake.readTokenRequest("GET", { authorization: defaultBasic }, ""))
    assert.strictEqual(outcome(get), "405 invalid_request: the token endpoint accepts POST only")
    assert.deepStrictEqual([get.clientId, get.authMethod], [undefined, undefined])
    const json = Fake.decide(
      Fake.endpointRules({}),
      Fake.readTokenRequest("POST", { "content-type": "application/json", authorization: defaultBasic }, "{}")
    )
    assert.strictEqual(outcome(json), "400 invalid_request: the body must be application/x-www-form-urlencoded")
    assert.strictEqual(
      outcome(decide([...grant, ["scope", "a"], ["scope", "b"]], { authorization: defaultBasic })),
      "400 invalid_request: the parameter scope is repeated"
    )
    assert.strictEqual(
      outcome(
        decide([...grant, ["resource", "https://a"], ["resource", "https://b"]], { authorization: defaultBasic })
      ),
      "granted"
    )
  })

  it("client_secret_basic: the registered client and secret; a 401 carries a challenge", () => {
    const verdict = decide(grant, { authorization: defaultBasic })
    assert.deepStrictEqual(verdict, {
      clientId: "test-client",
      authMethod: "client_secret_basic",
      outcome: { _tag: "Grant", clientId: "test-client", scopes: [] }
    })
    assert.strictEqual(
      outcome(decide(grant, { authorization: basic("test-client", "wrong") })),
      "401 invalid_client: client authentication failed (challenge)"
    )
    assert.strictEqual(
      outcome(decide(grant, { authorization: basic("someone", "test-secret") })),
      "401 invalid_client: client authentication failed (challenge)"
    )
    assert.strictEqual(
      outcome(decide(grant, { authorization: "Basic !!!" })),
      "401 invalid_client: malformed Basic credentials (challenge)"
    )
    assert.strictEqual(
      outcome(decide(grant, { authorization: defaultBasic }, { authMethod: "client_secret_post" })),
      "401 invalid_client: client_secret_basic is not accepted (challenge)"
    )
    assert.strictEqual(
      outcome(decide(grant, { authorization: defaultBasic }, { authMethod: "client_secret_basic" })),
      "granted"
    )
  })

  it("client_secret_post: the id and secret in the body; no challenge", () => {
    const credentials = [["client_id", "test-client"], ["client_secret", "test-secret"]] as const
    const verdict = decide([...grant, ...credentials])
    assert.deepStrictEqual([verdict.clientId, verdict.authMethod, outcome(verdict)], [
      "test-client",
      "client_secret_post",
      "granted"
    ])
    assert.strictEqual(
      outcome(decide([...grant, ["client_id", "test-client"], ["client_secret", "nope"]])),
      "401 invalid_client: client authentication failed"
    )
    assert.strictEqual(
      outcome(decide([...grant, ["client_id", "test-client"]])),
      "401 invalid_client: client authentication failed"
    )
    assert.strictEqual(
      outcome(decide([...grant, ["client_secret", "test-secret"]])),
      "401 invalid_client: client authentication failed"
    )
    assert.strictEqual(
      outcome(decide([...grant, ...credentials], {}, { authMethod: "client_secret_basic" })),
      "401 invalid_client: client_secret_post is not accepted"
    )
    assert.strictEqual(outcome(decide([...grant, ...credentials], {}, { authMethod: "client_secret_post" })), "granted")
  })

  it("exactly one client authentication method; none is a 401 without challenge", () => {
    assert.strictEqual(
      outcome(decide([...grant, ["client_id", "test-client"]], { authorization: defaultBasic })),
      "400 invalid_request: more than one client authentication method"
    )
    assert.strictEqual(
      outcome(decide([...grant, ["client_secret", "x"]], { authorization: defaultBasic })),
      "400 invalid_request: more than one client authentication method"
    )
    assert.strictEqual(outcome(decide(grant)), "401 invalid_client: no client authentication")
  })

  it("the registered clients replace the default one", () => {
    const clients = [{ clientId: "a", clientSecret: "1" }, { clientId: "b", clientSecret: "2" }]
    assert.strictEqual(outcome(decide(grant, { authorization: basic("b", "2") }, { clients })), "granted")
    assert.strictEqual(decide(grant, { authorization: basic("b", "2") }, { clients }).clientId, "b")
    assert.strictEqual(
      outcome(decide(grant, { authorization: defaultBasic }, { clients })),
      "401 invalid_client: client authentication failed (challenge)"
    )
  })

  it("client_credentials only, after authentication; the scopes asked for, once each, if allowed", () => {
    const auth = { authorization: defaultBasic }
    const missing = decide([], auth)
    assert.strictEqual(outcome(missing), "400 invalid_request: grant_type is missing")
    assert.strictEqual(missing.clientId, "test-client")
    assert.strictEqual(
      outcome(decide([["grant_type", "password"]], auth)),
      "400 unsupported_grant_type: only client_credentials is supported"
    )
    assert.strictEqual(outcome(decide([["grant_type", "password"]])), "401 invalid_client: no client authentication")
    const scoped = decide([...grant, ["scope", "read  write read"]], auth).outcome
    assert.deepStrictEqual(scoped, { _tag: "Grant", clientId: "test-client", scopes: ["read", "write"] })
    assert.strictEqual(
      outcome(decide([...grant, ["scope", "read write"]], auth, { scopes: ["read", "write"] })),
      "granted"
    )
    assert.strictEqual(
      outcome(decide([...grant, ["scope", "read admin"]], auth, { scopes: ["read"] })),
      "400 invalid_scope: a requested scope is unknown"
    )
    assert.strictEqual(outcome(decide(grant, auth, { scopes: [] })), "granted")
  })

  it("a refusal's answer: RFC 6749 §5.2 JSON, no-store, a Basic challenge on a challenged 401, Allow on a 405", () => {
    const refusal = (status: number, challenge: boolean): Fake.Refusal => ({
      _tag: "Refusal",
      status,
      error: "invalid_client",
      description: "d",
      challenge
    })
    const challenged = Fake.refusalAnswer(refusal(401, true))
    assert.deepStrictEqual(challenged, {
      _tag: "Respond",
      status: 401,
      headers: {
        "content-type": "application/json",
        "cache-control": "no-store",
        pragma: "no-cache",
        "www-authenticate": "Basic realm=\"fake\""
      },
      body: "{\"error\":\"invalid_client\",\"error_description\":\"d\"}"
    })
    assert.notProperty(Fake.refusalAnswer(refusal(401, false)).headers, "www-authenticate")
    assert.notProperty(Fake.refusalAnswer(refusal(400, true)).headers, "www-authenticate")
    assert.strictEqual(Fake.refusalAnswer(refusal(405, false)).headers["allow"], "POST")
    assert.notProperty(Fake.refusalAnswer(refusal(400, false)).headers, "allow")
  })
})

/** A server with default rules and one-hour tokens, and a way to get a token at `now`. */
const server = (options: Fake.Options<number> = {}) => {
  const state = new Fake.ServerState<number>(Fake.endpointRules(options), 3600)
  const issue = (now: number, scope = ""): string => {
    const verdict = state.receive(
      "POST",
      { "content-type": form, authorization: defaultBasic },
      `grant_type=client_credentials&scope=${scope}`
    )
    return String(JSON.parse(state.answer(verdict, now).body).access_token)
  }
  const call = (token: string | undefined, now: number, url = "/api/things?x=1", method = "GET") =>
    state.answerApiRequest({
      method,
      url,
      authorization: token === undefined ? undefined : `Bearer ${token}`,
      bodyLength: 3
    }, now)
  return { state, issue, call }
}

const bodyOf = (answer: Fake.ScriptedResponse<number>) =>
  answer._tag === "Respond" ? JSON.parse(answer.body) as Record<string, unknown> : undefined

describe("fakeAuthServer: the server's state", () => {
  it("records every token request as it arrived, with who authenticated; gives a copy", () => {
    const { state } = server()
    state.receive(
      "POST",
      { "Content-Type": form, Authorization: defaultBasic },
      "grant_type=client_credentials&scope=a"
    )
    const seen = state.tokenRequests()
    state.receive("GET", {}, "")
    assert.deepStrictEqual(seen, [{
      method: "POST",
      headers: { "content-type": form, authorization: defaultBasic },
      params: [["grant_type", "client_credentials"], ["scope", "a"]],
      clientId: "test-client",
      authMethod: "client_secret_basic"
    }])
    assert.deepStrictEqual(state.tokenRequests()[1], {
      method: "GET",
      headers: {},
      params: [],
      clientId: undefined,
      authMethod: undefined
    })
  })

  it("issues a token (RFC 6749 §5.1): a random value, Bearer, the lifetime, the scope when one was asked", () => {
    const { state } = server()
    const verdict = state.receive(
      "POST",
      { "content-type": form, authorization: defaultBasic },
      "grant_type=client_credentials&scope=b+a"
    )
    const answer = state.answer(verdict, 0)
    assert.strictEqual(answer.status, 200)
    assert.deepStrictEqual(answer.headers, {
      "content-type": "application/json",
      "cache-control": "no-store",
      pragma: "no-cache"
    })
    const body = JSON.parse(answer.body)
    assert.match(body.access_token, /^[A-Za-z0-9_-]{43}$/)
    assert.deepStrictEqual({ ...body, access_token: "-" }, {
      access_token: "-",
      token_type: "Bearer",
      expires_in: 3600,
      scope: "b a"
    })
    const unscoped = JSON.parse(
      state.answer(
        state.receive("POST", { "content-type": form, authorization: defaultBasic }, "grant_type=client_credentials"),
        0
      ).body
    )
    assert.notProperty(unscoped, "scope")
    assert.notStrictEqual(unscoped.access_token, body.access_token)
    state.setLifetimeSeconds(5)
    assert.strictEqual(JSON.parse(state.answer(verdict, 0).body).expires_in, 5)
  })

  it("answers a refused request with the refusal", () => {
    const { state } = server()
    const verdict = state.receive("POST", { "content-type": form }, "grant_type=client_credentials")
    const answer = state.answer(verdict, 0)
    assert.strictEqual(answer.status, 401)
    assert.deepStrictEqual(bodyOf(answer), { error: "invalid_client", error_description: "no client authentication" })
  })

  it("takes scripted answers in order, then answers normally", () => {
    const { state } = server()
    state.appendScript([Fake.hang, Fake.respond(503)])
    state.appendScript([Fake.dropConnection])
    assert.deepStrictEqual(
      [state.nextAnswer(0), state.nextAnswer(0), state.nextAnswer(0), state.nextAnswer(0), state.nextAnswer(0)],
      [Fake.hang, Fake.respond(503), Fake.dropConnection, Fake.normal, Fake.normal]
    )
  })

  it("fault mode: about `rate` of the answers are faults, every kind in turn, the same for the same seed", () => {
    const draw = (mode: Fake.FaultMode, count: number) => {
      const { state } = server()
      state.setFaults(mode)
      const answers = Array.from({ length: count }, (_, index) => state.nextAnswer(index))
      return { answers, faults: state.faultRecords() }
    }
    const { answers, faults } = draw({ rate: 0.2, seed: 7 }, 10_000)
    const faulty = answers.filter((answer) => answer._tag !== "Normal").length
    assert.isTrue(faulty > 1_850 && faulty < 2_150, `${faulty} faults in 10000`)
    assert.strictEqual(faults.length, faulty)
    assert.deepStrictEqual(new Set(faults.map((fault) => fault.kind)), new Set(Fake.faultKinds))
    // the kinds come in turn: each once in every six faults, in a random order
    for (let start = 0; start + 6 <= faults.length; start += 6) {
      assert.deepStrictEqual(
        new Set(faults.slice(start, start + 6).map((fault) => fault.kind)),
        new Set(Fake.faultKinds)
      )
    }
    assert.notDeepEqual(faults.slice(0, 6).map((fault) => fault.kind), faults.slice(6, 12).map((fault) => fault.kind))
    // each fault is recorded with the time of its request, and answered as its kind says
    for (const fault of faults.slice(0, 50)) assert.deepStrictEqual(answers[fault.at], Fake.faultAnswer(fault.kind))
    assert.deepStrictEqual(draw({ rate: 0.2, seed: 7 }, 500), draw({ rate: 0.2, seed: 7 }, 500))
    assert.notDeepEqual(draw({ rate: 0.2, seed: 8 }, 500).faults, draw({ rate: 0.2, seed: 7 }, 500).faults)
    assert.deepStrictEqual(draw({ rate: 1, seed: 1, kinds: ["hang"] }, 3).answers, [Fake.hang, Fake.hang, Fake.hang])
    assert.deepStrictEqual(draw({ rate: 0, seed: 1 }, 3).answers, [Fake.normal, Fake.normal, Fake.normal])
  })

  it("fault mode: a rate that is not a number in [0, 1] is refused", () => {
    const { state } = server()
    for (const rate of [-0.1, 1.5, Number.NaN]) {
      assert.throws(() => state.setFaults({ rate, seed: 1 }), RangeError, "rate must be a number in [0, 1]")
    }
    state.setFaults({ rate: 1, seed: 1 })
  })

  it("fault mode: scripted answers come first; rateLimited says its Retry-After; off again with undefined", () => {
    const { state } = server()
    state.setFaults({ rate: 1, seed: 1, kinds: ["rateLimited"], retryAfterSeconds: 3 })
    state.appendScript([Fake.normal])
    assert.deepStrictEqual(state.nextAnswer(1), Fake.normal)
    assert.deepStrictEqual(state.nextAnswer(2), Fake.rateLimited(3))
    assert.deepStrictEqual(state.faultRecords(), [{ kind: "rateLimited", at: 2 }])
    state.setFaults(undefined)
    assert.deepStrictEqual(state.nextAnswer(3), Fake.normal)
    assert.deepStrictEqual(
      Fake.faultKinds.map((kind) => Fake.faultAnswer(kind)),
      [
        Fake.respond(503, "Service Unavailable"),
        Fake.rateLimited(1),
        Fake.dropConnection,
        Fake.hang,
        Fake.malformedJson,
        Fake.html()
      ]
    )
  })

  it("logs each token it issues: its value, when, and until when", () => {
    const { issue, state } = server()
    const first = issue(1_000)
    state.setLifetimeSeconds(3)
    const second = issue(2_000)
    assert.deepStrictEqual(state.issueRecords(), [
      { token: first, issuedAt: 1_000, expiresAt: 1_000 + 3_600_000 },
      { token: second, issuedAt: 2_000, expiresAt: 5_000 }
    ])
  })

  it("the protected resource: a live token it issued, with the path, method, body length, client and scopes", () => {
    const { call, issue, state } = server()
    const token = issue(1_000, "read")
    const answer = call(token, 1_000, "http://127.0.0.1:1234/api/things?x=1", "POST")
    assert.strictEqual(answer.status, 200)
    assert.deepStrictEqual(bodyOf(answer), {
      ok: true,
      path: "/api/things",
      method: "POST",
      bodyLength: 3,
      clientId: "test-client",
      scopes: ["read"]
    })
    assert.strictEqual(call(`${token}  `, 1_000).status, 200)
    assert.strictEqual(
      state.answerApiRequest({ method: "GET", url: "/api", authorization: ` bearer\t${token}`, bodyLength: 0 }, 1_000)
        .status,
      200
    )
  })

  it("refuses a request without a Bearer token: a bare challenge, or invalid_request for an empty one", () => {
    const { call, state } = server()
    const none = call(undefined, 0)
    assert.deepStrictEqual([none.status, none.headers["www-authenticate"], bodyOf(none)], [
      401,
      "Bearer realm=\"fake\"",
      { ok: false }
    ])
    const basicAuth = state.answerApiRequest(
      { method: "GET", url: "/api", authorization: defaultBasic, bodyLength: 0 },
      0
    )
    assert.strictEqual(basicAuth.headers["www-authenticate"], "Bearer realm=\"fake\"")
    for (const authorization of ["Bearer", "Bearer   "]) {
      const empty = state.answerApiRequest({ method: "GET", url: "/api", authorization, bodyLength: 0 }, 0)
      assert.deepStrictEqual(
        [empty.status, empty.headers["www-authenticate"], bodyOf(empty)],
        [400, "Bearer error=\"invalid_request\"", { ok: false, error: "invalid_request" }]
      )
    }
  })

  it("refuses an unknown, revoked or expired token with invalid_token", () => {
    const { call, issue, state } = server()
    const problem = (answer: Fake.ScriptedResponse<number>) =>
      answer._tag === "Respond"
        ? [answer.status, answer.headers["www-authenticate"], bodyOf(answer)?.error_description]
        : []
    assert.deepStrictEqual(problem(call("made-up", 0)), [401, "Bearer error=\"invalid_token\"", "unknown token"])
    const revoked = issue(0)
    state.revoke(revoked)
    state.revoke("made-up")
    assert.deepStrictEqual(problem(call(revoked, 0)), [401, "Bearer error=\"invalid_token\"", "revoked token"])
    const expiring = issue(0)
    assert.strictEqual(call(expiring, 3_599_999).status, 200)
    assert.deepStrictEqual(problem(call(expiring, 3_600_000)), [401, "Bearer error=\"invalid_token\"", "expired token"])
    assert.deepStrictEqual(bodyOf(call("made-up", 0)), {
      ok: false,
      error: "invalid_token",
      error_description: "unknown token"
    })
  })

  it("/api/admin and below need the admin scope", () => {
    const { call, issue } = server()
    const reader = issue(0, "read")
    const admin = issue(0, "admin")
    const refused = call(reader, 0, "/api/admin/users")
    assert.deepStrictEqual(
      [refused.status, refused.headers["www-authenticate"], bodyOf(refused)],
      [403, "Bearer error=\"insufficient_scope\", scope=\"admin\"", { ok: false, error: "insufficient_scope" }]
    )
    assert.strictEqual(call(reader, 0, "/api/admin").status, 403)
    assert.strictEqual(call(reader, 0, "/api/administrator").status, 200)
    assert.strictEqual(call(admin, 0, "/api/admin/users").status, 200)
  })

  it("counts the requests to the protected resource", () => {
    const { state } = server()
    state.countApiRequest()
    state.countApiRequest()
    assert.strictEqual(state.apiRequestCount(), 2)
  })

  it("forgets dead tokens once it holds 10,000, and only then; live ones stay", () => {
    const { call, issue, state } = server()
    state.setLifetimeSeconds(1)
    const dead = issue(0)
    const revoked = issue(5_000)
    state.revoke(revoked)
    state.setLifetimeSeconds(3600)
    const live = issue(5_000)
    for (let i = 3; i < 10_000; i++) issue(5_000)
    assert.strictEqual(bodyOf(call(dead, 5_000))?.error_description, "expired token")
    issue(5_000)
    assert.strictEqual(bodyOf(call(dead, 5_000))?.error_description, "unknown token")
    assert.strictEqual(bodyOf(call(revoked, 5_000))?.error_description, "unknown token")
    assert.strictEqual(call(live, 5_000).status, 200)
  })
})
