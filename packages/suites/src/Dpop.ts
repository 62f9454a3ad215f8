/**
 * DPoP (RFC 9449, `docs/dpop.md`): every token request carries a proof of the service's key in its `DPoP` header, and
 * the answer must be a `DPoP` token (a `Bearer` one is refused); a token endpoint's `use_dpop_nonce` is answered once
 * with the nonce it gave, outside the retry schedule, and the latest nonce of each origin is used from then on;
 * `AuthorizedClient` sends `Authorization: DPoP <token>` with a proof whose `ath` is the token's hash, and sends a
 * request again once for a resource's `use_dpop_nonce` (three sends at most with the 401 rule); tokens are kept and
 * shared under their key's thumbprint, and a stored token of the other type is a miss; no key, proof or token shows in
 * an error or a log line. Proofs are verified with `jose` and the key they embed (`EmbeddedJWK`), independently of
 * how the line signs them.
 *
 * @since 0.1.0
 */
import * as Jose from "jose"
import * as Crypto from "node:crypto"
import * as Kit from "./internal/kit.js"
import * as Server from "./internal/server.js"
import type * as Line from "./Line.js"
import type { Assert, Suite } from "./TestApi.js"

/** A moment with milliseconds, so that `iat` must be rounded down to whole seconds. */
const now = Date.UTC(2026, 0, 15, 9, 30, 0, 789)

const apiUrl = "https://api.example.com/items/1"

/** A DPoP token response: `value` (default `token-<n>`), one hour. */
const dpopToken = (value?: string, fields: Readonly<Record<string, unknown>> = {}) =>
  Kit.token(value, { token_type: "DPoP", ...fields })

/** A private JWK in JSON, and the thumbprint of its public key. */
const privateKey = async (algorithm = "ES256") => {
  const pair = await Jose.generateKeyPair(algorithm, { extractable: true })
  const jwk = await Jose.exportJWK(pair.privateKey)
  return { json: JSON.stringify(jwk), jwk, thumbprint: await Jose.calculateJwkThumbprint(jwk) }
}

/** The proof a request carried, verified with the key in its header: its header and claims. */
const proofOf = async (assert: Assert, request: Line.RecordedRequest) => {
  const proof = request.headers["dpop"]
  assert.isDefined(proof, "a DPoP header")
  const { payload, protectedHeader } = await Jose.jwtVerify(proof!, Jose.EmbeddedJWK, { typ: "dpop+jwt" })
  return { proof: proof!, header: protectedHeader, claims: payload as Readonly<Record<string, unknown>> }
}

/** The `ath` of `token`: its SHA-256 in base64url. */
const athOf = (token: string) => Crypto.createHash("sha256").update(token, "ascii").digest("base64url")

/** A resource's 401 asking for a nonce. */
const resourceNonce = (nonce: string) =>
  Kit.respond(401, "", {
    "www-authenticate": "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce\"",
    "dpop-nonce": nonce
  })

/** A resource's 401 rejecting the token. */
const invalidToken = Kit.respond(401, "", { "www-authenticate": "DPoP error=\"invalid_token\"" })

const isTokenRequest = (request: Line.RecordedRequest) => request.url === Kit.tokenUrl

/** A token endpoint that issues `tok-1`, `tok-2`, … as DPoP tokens; every other request answered by `api`. */
const tokensAnd = (api: Line.Script): Line.Script => {
  let issued = 0
  return (request) => {
    if (isTokenRequest(request)) return dpopToken(`tok-${++issued}`)
    return typeof api === "function" ? api(request) : api
  }
}

/** A token endpoint that answers a request with a proof with a DPoP token, another with a Bearer one. */
const byType = (bearer: string, dpop: string): Line.Script => {
  let issued = 0
  return (request) => {
    issued++
    return request.headers["dpop"] === undefined ? Kit.token(`${bearer}-${issued}`) : dpopToken(`${dpop}-${issued}`)
  }
}

/** The API of the nonce test: a nonce, then 200; then a nonce, the token refused, a nonce again. */
const apiAnswers = Kit.byUrl({
  [apiUrl]: [
    resourceNonce("r-1"),
    Kit.respond(200, "ok"),
    resourceNonce("r-2"),
    invalidToken,
    resourceNonce("r-3"),
    Kit.respond(200, "late")
  ]
})

/** Every text a check for leaks reads: printings of errors and log lines. */
const assertHidden = (assert: Assert, texts: ReadonlyArray<string>, hidden: ReadonlyArray<string>) => {
  for (const text of texts) {
    for (const value of hidden) assert.notInclude(text, value)
  }
}

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("DPoP: the token request", () => {
    it("carries a proof (typ dpop+jwt, ES256, the public jwk; htm POST, htu, iat, a fresh jti); the token is DPoP", () =>
      Kit.withScripted(line, { fallback: dpopToken() }, async (net) => {
        await Kit.setTime(net, now)
        const service = await net.service(Kit.optionsWith({ dpop: true, scopes: ["read"] }))
        const token = await Kit.tokenOf(service.get())
        assert.strictEqual(token.tokenType, "DPoP")
        assert.strictEqual(token.authorization, `DPoP ${token.value}`)
        await Kit.valueOf(service.get({ scopes: ["write"] }))
        const [first, second] = net.requests()
        const proofs = [await proofOf(assert, first!), await proofOf(assert, second!)]
        for (const { claims, header } of proofs) {
          assert.strictEqual(header.typ, "dpop+jwt")
          assert.strictEqual(header.alg, "ES256")
          assert.deepStrictEqual(Object.keys(header.jwk!).sort(), ["crv", "kty", "x", "y"])
          assert.deepStrictEqual(Object.keys(claims).sort(), ["htm", "htu", "iat", "jti"])
          assert.strictEqual(claims.htm, "POST")
          assert.strictEqual(claims.htu, Kit.tokenUrl)
          assert.strictEqual(claims.iat, Math.floor(now / 1000))
          assert.match(String(claims.jti), /^[A-Za-z0-9_-]{22}$/)
        }
        assert.notStrictEqual(proofs[0]!.claims.jti, proofs[1]!.claims.jti, "a new jti per proof")
        assert.deepStrictEqual(proofs[0]!.header.jwk, proofs[1]!.header.jwk, "one key per service")
        // the client authentication is unchanged
        assert.match(first!.headers["authorization"] ?? "", /^Basic /)
      }))

    it("a key of one's own, JWK or PKCS#8 PEM, with its algorithm: its public key is the one in the proof", () =>
      Kit.withScripted(line, { fallback: dpopToken() }, async (net) => {
        const ec = await privateKey("ES256")
        await Kit.valueOf((await net.service(Kit.optionsWith({ dpop: { privateKey: ec.json } }))).get())
        const rsa = Crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
        const pem = rsa.privateKey.export({ format: "pem", type: "pkcs8" }) as string
        const service = await net.service(Kit.optionsWith({ dpop: { privateKey: pem, signingAlgorithm: "PS256" } }))
        await Kit.valueOf(service.get())
        const [fromJwk, fromPem] = [
          await proofOf(assert, net.requests()[0]!),
          await proofOf(assert, net.requests()[1]!)
        ]
        assert.strictEqual(await Jose.calculateJwkThumbprint(fromJwk.header.jwk!), ec.thumbprint)
        assert.strictEqual(fromPem.header.alg, "PS256")
        assert.strictEqual(
          await Jose.calculateJwkThumbprint(fromPem.header.jwk!),
          await Jose.calculateJwkThumbprint(rsa.publicKey.export({ format: "jwk" }) as Jose.JWK)
        )
      }))

    it("a Bearer answer is TokenError InvalidResponse: no silent downgrade", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.token("bearer-VERY-SECRET"), Kit.token("other", { token_type: undefined }))
        const service = await net.service(Kit.optionsWith({ dpop: true, terminalErrorCooldown: 0 }))
        const bearer = await Kit.errorOf(service.get())
        assert.strictEqual(bearer.tag, "TokenError")
        assert.strictEqual(bearer.reason, "InvalidResponse")
        assert.include(bearer.message, "token_type is Bearer, not DPoP")
        assertHidden(assert, bearer.printings.map(([, text]) => text), ["bearer-VERY-SECRET"])
        const missing = await Kit.errorOf(service.get())
        assert.strictEqual(missing.reason, "InvalidResponse")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("a token endpoint's error that quotes the proof shows neither it nor the key", () =>
      Kit.withScripted(line, {}, async (net) => {
        const key = await privateKey()
        net.script((request) =>
          Kit.oauthError("invalid_dpop_proof", 400, { error_description: `bad proof ${request.headers["dpop"]}` })
        )
        const service = await net.service(Kit.optionsWith({ dpop: { privateKey: key.json } }))
        const failed = await Kit.errorOf(service.get())
        assert.deepInclude(failed, { tag: "TokenError", reason: "OAuth" })
        const proof = net.requests()[0]!.headers["dpop"]!
        assertHidden(assert, [
          failed.message,
          ...failed.printings.map(([, text]) => text),
          ...net.logs().map((log) => log.text)
        ], [proof, proof.split(".")[1]!, proof.split(".")[2]!, String(key.jwk.d)])
      }))

    it("use_dpop_nonce: sent again at once with the nonce, not as a retry; the nonce is used from then on", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(
          Kit.json({ error: "use_dpop_nonce" }, 400, { "dpop-nonce": "nonce-1" }),
          dpopToken(),
          dpopToken(undefined, {}),
          Kit.json({ error: "use_dpop_nonce" }, 400, { "dpop-nonce": "nonce-2" }),
          dpopToken()
        )
        // no retries: the nonce's round trip is not one
        const service = await net.service(Kit.optionsWith({ dpop: true, retry: { times: 0 } }))
        const token = await Kit.tokenOf(service.get())
        assert.strictEqual(token.tokenType, "DPoP")
        assert.strictEqual(net.requests().length, 2)
        const [asked, answered] = net.requests()
        assert.isUndefined((await proofOf(assert, asked!)).claims.nonce)
        assert.strictEqual((await proofOf(assert, answered!)).claims.nonce, "nonce-1")
        assert.strictEqual(answered!.at, asked!.at, "at once")
        // the next token request carries the latest nonce from the start; a new one asked for replaces it
        await Kit.valueOf(service.get({ scopes: ["other"] }))
        assert.strictEqual((await proofOf(assert, net.requests()[2]!)).claims.nonce, "nonce-1")
        await Kit.valueOf(service.get({ scopes: ["third"] }))
        assert.strictEqual(net.requests().length, 5)
        assert.strictEqual((await proofOf(assert, net.requests()[3]!)).claims.nonce, "nonce-1")
        assert.strictEqual((await proofOf(assert, net.requests()[4]!)).claims.nonce, "nonce-2")
      }))

    it("use_dpop_nonce with private_key_jwt: the request sent again carries a new assertion (an assertion is for one use)", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.json({ error: "use_dpop_nonce" }, 400, { "dpop-nonce": "nonce-1" }), dpopToken())
        const { privateKey: signingKey } = await Jose.generateKeyPair("ES256", { extractable: true })
        const service = await net.service(Kit.optionsWith({
          dpop: true,
          authMethod: "private_key_jwt",
          privateKey: await Jose.exportPKCS8(signingKey),
          clientSecret: undefined,
          retry: { times: 0 }
        }))
        assert.strictEqual((await Kit.tokenOf(service.get())).tokenType, "DPoP")
        const assertions = net.requests().map((request) =>
          new URLSearchParams(request.body).get("client_assertion") ?? ""
        )
        assert.strictEqual(assertions.length, 2)
        const [first, again] = assertions.map((assertion) => Jose.decodeJwt(assertion))
        assert.strictEqual(typeof first!.jti, "string")
        assert.notStrictEqual(again!.jti, first!.jti, "a new assertion, not the one the server has seen")
      }))

    it("use_dpop_nonce is answered once per token request: asked again, it is the TokenError; no nonce, no resend", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(
          Kit.json({ error: "use_dpop_nonce" }, 400, { "dpop-nonce": "nonce-1" }),
          Kit.json({ error: "use_dpop_nonce" }, 400, { "dpop-nonce": "nonce-2" }),
          Kit.json({ error: "use_dpop_nonce" }, 400),
          Kit.json({ error: "use_dpop_nonce" }, 400, { "dpop-nonce": "bad\"nonce" })
        )
        const options = Kit.optionsWith({ dpop: true, retry: { times: 0 }, terminalErrorCooldown: 0 })
        const service = await net.service(options)
        const twice = await Kit.errorOf(service.get())
        assert.deepInclude(twice, { tag: "TokenError", reason: "OAuth" })
        assert.strictEqual(twice.fields["error"], "use_dpop_nonce")
        assert.strictEqual(net.requests().length, 2)
        assert.strictEqual((await Kit.errorOf(service.get({ scopes: ["a"] }))).fields["error"], "use_dpop_nonce")
        assert.strictEqual((await Kit.errorOf(service.get({ scopes: ["b"] }))).fields["error"], "use_dpop_nonce")
        assert.strictEqual(net.requests().length, 4, "an answer without a usable nonce is not sent again")
      }))

    it("a nonce in a token response's DPoP-Nonce header is used by the next token request", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(
          Kit.respond(
            200,
            JSON.stringify({ access_token: "t-1", token_type: "DPoP", expires_in: 3600 }),
            { "content-type": "application/json", "dpop-nonce": "fresh-nonce" }
          ),
          dpopToken()
        )
        const service = await net.service(Kit.optionsWith({ dpop: true }))
        await Kit.valueOf(service.get())
        await Kit.valueOf(service.get({ scopes: ["other"] }))
        assert.strictEqual((await proofOf(assert, net.requests()[1]!)).claims.nonce, "fresh-nonce")
      }))
  })

  describe("DPoP: the options", () => {
    it("are checked when the service is built, naming the option and nothing of the key", () =>
      Kit.withScripted(line, {}, async (net) => {
        const p384 = await privateKey("ES384")
        const refusals: ReadonlyArray<readonly [Line.ServiceOptions["dpop"], string]> = [
          [{ privateKey: p384.json }, "dpop.privateKey"],
          [{ privateKey: "not-a-key-VERY-SECRET" }, "dpop.privateKey"],
          [{ privateKey: (await privateKey("ES256")).json, signingAlgorithm: "RS256" }, "dpop.privateKey"],
          [{ signingAlgorithm: "HS256" }, "dpop.signingAlgorithm"]
        ]
        for (const [dpop, option] of refusals) {
          const refused = await net.service(Kit.optionsWith({ dpop })).then(() => undefined, (error: Error) => error)
          assert.instanceOf(refused, Error)
          assert.include(refused!.message, option)
          assertHidden(assert, [refused!.message, String(refused!.stack)], [
            "VERY-SECRET",
            String(p384.jwk.d),
            ...(typeof dpop === "object" && dpop.privateKey !== undefined ? [dpop.privateKey] : [])
          ])
        }
        assert.strictEqual(net.requests().length, 0)
      }))
  })

  describe("DPoP: AuthorizedClient", () => {
    it("sends Authorization: DPoP <token> with a proof of the same key (htm, htu without query, ath)", () =>
      Kit.withScripted(
        line,
        { fallback: (request) => isTokenRequest(request) ? dpopToken() : Kit.respond(200, "ok") },
        async (net) => {
          await Kit.setTime(net, now)
          const service = await net.service(Kit.optionsWith({ dpop: true }))
          const client = await net.authorizedClient(service)
          const response = Kit.succeeded(
            await client.send({ method: "POST", url: `${apiUrl}?q=1#f`, body: "x" }).outcome
          )
          assert.strictEqual(response.status, 200)
          const [tokenRequest, apiRequest] = net.requests()
          const token = "token-1"
          assert.strictEqual(apiRequest!.headers["authorization"], `DPoP ${token}`)
          const { claims, header } = await proofOf(assert, apiRequest!)
          assert.deepStrictEqual(header.jwk, (await proofOf(assert, tokenRequest!)).header.jwk)
          assert.strictEqual(claims.htm, "POST")
          assert.strictEqual(claims.htu, apiUrl)
          assert.strictEqual(claims.ath, athOf(token))
          assert.strictEqual(claims.iat, Math.floor(now / 1000))
        }
      ))

    it("a 401 use_dpop_nonce is sent again once with its nonce, used from then on; three sends at most", () =>
      Kit.withScripted(line, { fallback: tokensAnd(apiAnswers) }, async (net) => {
        const service = await net.service(Kit.optionsWith({ dpop: true }))
        const client = await net.authorizedClient(service)
        assert.strictEqual(Kit.succeeded(await client.send({ url: apiUrl }).outcome).status, 200)
        const apiRequests = () => net.requests().filter((request) => !isTokenRequest(request))
        assert.strictEqual(apiRequests().length, 2)
        assert.isUndefined((await proofOf(assert, apiRequests()[0]!)).claims.nonce)
        assert.strictEqual((await proofOf(assert, apiRequests()[1]!)).claims.nonce, "r-1")
        // nonce, then the token refused, then a nonce again: the third answer stands
        const failed = await Kit.errorOf(client.send({ url: apiUrl }))
        assert.strictEqual(failed.tag, "ApiError")
        assert.strictEqual(failed.fields["status"], 401)
        const sent = apiRequests().slice(2)
        assert.strictEqual(sent.length, 3)
        const claims = await Promise.all(sent.map(async (request) => (await proofOf(assert, request)).claims))
        assert.deepStrictEqual(claims.map((claim) => claim.nonce), ["r-1", "r-2", "r-2"])
        assert.deepStrictEqual(sent.map((request) => request.headers["authorization"]), [
          "DPoP tok-1",
          "DPoP tok-1",
          "DPoP tok-2"
        ])
        assert.deepStrictEqual(claims.map((claim) => claim.ath), [athOf("tok-1"), athOf("tok-1"), athOf("tok-2")])
      }))

    it("a request with a relative URL is refused before anything is sent: a proof names the URL", () =>
      Kit.withScripted(line, { fallback: tokensAnd(Kit.respond(200, "ok")) }, async (net) => {
        const service = await net.service(Kit.optionsWith({ dpop: true }))
        const client = await net.authorizedClient(service)
        const refused = await Kit.errorOf(client.send({ url: "/items/1" }))
        assert.deepInclude(refused, { tag: "TokenError", reason: "InvalidRequest" })
        assert.include(refused.message, "absolute URL")
        assert.strictEqual(net.requests().filter((request) => !isTokenRequest(request)).length, 0)
      }))

    it("an ApiError and the logs show neither the token, the proof nor the key", () =>
      Kit.withScripted(line, {
        fallback: (request) =>
          isTokenRequest(request)
            ? dpopToken("tok-VERY-SECRET")
            : Kit.respond(403, `refused ${request.headers["dpop"]} for ${request.headers["authorization"]}`)
      }, async (net) => {
        const key = await privateKey()
        const service = await net.service(Kit.optionsWith({ dpop: { privateKey: key.json } }))
        const client = await net.authorizedClient(service)
        const failed = await Kit.errorOf(client.send({ url: apiUrl }))
        assert.strictEqual(failed.tag, "ApiError")
        const proof = net.requests()[1]!.headers["dpop"]!
        assertHidden(assert, [
          failed.message,
          ...failed.printings.map(([, text]) => text),
          ...net.logs().map((log) => log.text)
        ], ["tok-VERY-SECRET", proof, proof.split(".")[2]!, String(key.jwk.d)])
      }))
    it("a transport failure that quotes the request shows neither the token nor the proof", () =>
      Kit.withScripted(line, {
        fallback: (request) =>
          isTokenRequest(request)
            ? dpopToken("tok-VERY-SECRET")
            : Kit.transportError(
              new Error(`reset while sending dpop: ${request.headers["dpop"]} auth ${request.headers["authorization"]}`)
            )
      }, async (net) => {
        const service = await net.service(Kit.optionsWith({ dpop: true }))
        const client = await net.authorizedClient(service)
        const failed = await Kit.errorOf(client.send({ url: apiUrl }))
        assert.deepInclude(failed, { tag: "NetworkError", reason: "Transport" })
        const proof = net.requests()[1]!.headers["dpop"]!
        assertHidden(assert, [
          failed.message,
          ...failed.printings.map(([, text]) => text),
          ...net.logs().map((log) => log.text)
        ], ["tok-VERY-SECRET", proof.slice(0, 24), proof.split(".")[1]!.slice(0, 24)])
      }))
  })

  describe("DPoP: the Promise API", () => {
    it("getToken and fetch: DPoP tokens, and fetch sends each with a proof (a key given as a plain string)", () =>
      Server.withServer((hit, response) => {
        if (hit.path === "/token") {
          return hit.headers["dpop"] === undefined
            ? Server.sendJson(response, 400, { error: "invalid_dpop_proof" })
            : Server.sendJson(response, 200, { access_token: "promise-token", token_type: "DPoP", expires_in: 3600 })
        }
        response.writeHead(hit.headers["authorization"] === "DPoP promise-token" ? 200 : 401)
        response.end("done")
      }, async (server) => {
        const key = await privateKey()
        const client = line.promise.createTokenClient({
          tokenUrl: `${server.url}/token`,
          clientId: "app",
          clientSecret: "s3cret",
          dpop: { privateKey: key.json }
        })
        try {
          assert.strictEqual(await client.getToken(), "promise-token")
          const response = await client.fetch(`${server.url}/api/items?page=2`, { method: "PUT", body: "x" })
          assert.strictEqual(response.status, 200)
          assert.strictEqual(await response.text(), "done")
        } finally {
          await client.close()
        }
        const [tokenHit, apiHit] = server.hits
        assert.strictEqual(server.hits.length, 2)
        const proofs = [tokenHit!, apiHit!].map((hit) =>
          Jose.jwtVerify(String(hit.headers["dpop"]), Jose.EmbeddedJWK, { typ: "dpop+jwt" })
        )
        const [forToken, forApi] = await Promise.all(proofs)
        assert.strictEqual(await Jose.calculateJwkThumbprint(forToken!.protectedHeader.jwk!), key.thumbprint)
        assert.strictEqual(await Jose.calculateJwkThumbprint(forApi!.protectedHeader.jwk!), key.thumbprint)
        assert.deepInclude(forApi!.payload as Readonly<Record<string, unknown>>, {
          htm: "PUT",
          htu: `${server.url}/api/items`,
          ath: athOf("promise-token")
        })
      }))
  })

  describe("DPoP: caching and the shared store", () => {
    it("tokens are kept under their key's thumbprint: replicas share them only with the same key", async () => {
      const net = await line.telemetry.observed({ fallback: byType("bearer", "dpop") })
      try {
        const store = net.store()
        const [one, two] = [await privateKey(), await privateKey()]
        const withKey = (json: string) => Kit.optionsWith({ clientId: "dpop-store", dpop: { privateKey: json } })
        const first = await Kit.valueOf((await store.service(withKey(one.json))).get())
        assert.strictEqual(await Kit.valueOf((await store.service(withKey(one.json))).get()), first, "same key")
        assert.strictEqual(net.requests().length, 1)
        assert.notStrictEqual(await Kit.valueOf((await store.service(withKey(two.json))).get()), first, "another key")
        assert.notStrictEqual(
          await Kit.valueOf((await store.service(Kit.optionsWith({ clientId: "dpop-store" }))).get()),
          first,
          "no key: a Bearer layer"
        )
        assert.strictEqual(net.requests().length, 3)
        // a generated key is this process's alone: its tokens are not shared
        const generated = Kit.optionsWith({ clientId: "dpop-generated", dpop: true })
        const mine = await Kit.valueOf((await store.service(generated)).get())
        assert.notStrictEqual(await Kit.valueOf((await store.service(generated)).get()), mine)
        assert.strictEqual(net.requests().length, 5)
      } finally {
        await net.close()
      }
    })

    it("a stored token of the other type is a miss; a key generated here never takes one", async () => {
      const net = await line.telemetry.observed({ fallback: byType("fetched-bearer", "fetched-dpop") })
      try {
        const holding = { lifetimeMillis: 3_600_000, timeToLiveMillis: 600_000 }
        const bearerStore = net.store({ holding: { ...holding, value: "stored-bearer" } })
        const key = (await privateKey()).json
        const dpop = Kit.optionsWith({ dpop: { privateKey: key } })
        assert.strictEqual(await Kit.valueOf((await bearerStore.service(dpop)).get()), "fetched-dpop-1")
        const dpopStore = net.store({ holding: { ...holding, value: "stored-dpop", tokenType: "DPoP" } })
        const stored = await Kit.tokenOf((await dpopStore.service(dpop)).get())
        assert.deepInclude(stored, { value: "stored-dpop", tokenType: "DPoP" })
        // a stored token is bound to a key of a replica's: never to a key generated here
        const generated = Kit.optionsWith({ dpop: true })
        assert.strictEqual(await Kit.valueOf((await dpopStore.service(generated)).get()), "fetched-dpop-2")
        assert.strictEqual(await Kit.valueOf((await dpopStore.service(Kit.options)).get()), "fetched-bearer-3")
        assert.strictEqual(net.requests().length, 3)
      } finally {
        await net.close()
      }
    })
  })
}
