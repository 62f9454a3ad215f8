/**
 * Scopes and resources (`docs/behaviour.md#scopes-and-resources`), and the one cache entry per request
 * (`docs/behaviour.md#single-flight`): a token is kept per canonical form of the whole request, so the same request in
 * another order shares it and different requests never see each other's; values that break RFC 6749 §3.3 or RFC 8707,
 * or hold a control character, are refused when the service is built, and in a request as `TokenError`
 * `InvalidRequest`, sending nothing. As properties (with fast-check): of any requests, written in any order and with
 * duplicates, as many are sent as they mean different things, and each call gets the token of a request that meant
 * what it asked; a control character anywhere in a scope, the audience, a resource or an extra parameter is
 * `InvalidRequest` and sends nothing (and configured, is refused when the service is built).
 *
 * @since 0.1.0
 */
import * as FastCheck from "fast-check"
import * as Requests from "./fixtures/Requests.js"
import * as Kit from "./internal/kit.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

/**
 * Answers with `<n>:<the request's parameters>`, n counting its answers, so a token says which request it answered.
 * A space is sent as `+`: a token never holds one.
 */
const describing = (): (request: Line.RecordedRequest) => Line.Answer => {
  let count = 0
  return (request) => {
    const params = [...Kit.form(request)].filter(([name]) => name !== "grant_type").map(([n, v]) => `${n}=${v}`)
    return Kit.token(`${++count}:${params.join("&").replaceAll(" ", "+")}`)
  }
}

const reserved = [
  "grant_type",
  "client_id",
  "client_secret",
  "client_assertion",
  "client_assertion_type",
  "scope",
  "audience",
  "resource"
]

const controlCharacters = ["\r", "\n", "\r\n", "\u0000", "\t", "\u001b", "\u007f", "\u0085"]

/** Requests that must never be sent, each with what is wrong with it. */
const badRequests: ReadonlyArray<readonly [string, Line.TokenRequest]> = [
  ...reserved.map((name) => [`reserved extra parameter ${name}`, { extraParams: { [name]: "x" } }] as const),
  ...controlCharacters.flatMap((c) => {
    const shown = JSON.stringify(c)
    return [
      [`${shown} in a scope`, { scopes: ["read", `write${c}admin`] }],
      [`${shown} in the audience`, { audience: `https://api.example.com/${c}x` }],
      [`${shown} in a resource`, { resource: ["https://a.example.com/", `https://b.example.com/${c}`] }],
      [`${shown} in an extra parameter value`, { extraParams: { tenant: `t${c}Injected: yes` } }],
      [`${shown} in an extra parameter name`, { extraParams: { [`ten${c}ant`]: "t" } }]
    ] as const
  }),
  ["a scope with a space", { scopes: ["read write"] }],
  ["a scope with a double quote", { scopes: ["read\""] }],
  ["a scope with a backslash", { scopes: ["read\\"] }],
  ["a resource with a fragment", { resource: "https://api.example.com/#x" }]
]

/** A marker no error about a request may show. */
const marker = "M4RK3R"

/** Requests of the wrong shape or with values that are not URI characters. */
const malformed: ReadonlyArray<readonly [string, unknown]> = [
  ["a resource with a space", { resource: "https://api.example.com/a b" }],
  ["a resource with non-ASCII", { resource: `https://api.example.com/${marker}\u00e9` }],
  ["a resource with a broken percent-encoding", { resource: `https://api.example.com/${marker}%2` }],
  ["a relative resource", { resource: `${marker}/x` }],
  ["a resource that is a number", { resource: 42 }],
  ["resources holding a number", { resource: ["https://a.example.com/", 42] }],
  ["scopes as a string", { scopes: `read ${marker}` }],
  ["a scope that is a number", { scopes: [42] }],
  ["an audience that is a number", { audience: 42 }],
  ["extraParams as a string", { extraParams: `a=${marker}` }],
  ["an extra parameter that is a number", { extraParams: { tenant: 42 } }]
]

/** Enough requests of each shape; each property stays within a couple of seconds. */
const numRuns = 60

/** A few requests: each a new one, one changed from an earlier one, or an earlier one written again. */
const requestSequence = FastCheck.array(
  FastCheck.tuple(FastCheck.constantFrom("new", "changed", "again"), FastCheck.nat(), Requests.model),
  { minLength: 1, maxLength: 6 }
).chain((steps) => {
  const models: Array<Requests.Model> = []
  for (const [kind, i, fresh] of steps) {
    const earlier = models[i % Math.max(1, models.length)]
    models.push(earlier === undefined || kind === "new" ? fresh : earlier)
  }
  return FastCheck.tuple(
    ...steps.map(([kind], i) =>
      (kind === "changed" ? Requests.changed(models[i]!) : FastCheck.constant(models[i]!)).chain((m) =>
        FastCheck.tuple(FastCheck.constant(m), Requests.written(m))
      )
    )
  )
})

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("scopes and resources: one token per request", () => {
    it("the cached token is served for the configured request, however asked", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        const first = await Kit.valueOf(service.get())
        for (let i = 0; i < 10; i++) assert.strictEqual(await Kit.valueOf(service.get()), first)
        assert.strictEqual(await Kit.valueOf(service.get({})), first)
        assert.strictEqual(first, "token-1")
        assert.strictEqual(net.requests().length, 1)
      }))

    it("different requests get different tokens, each cached on its own", () =>
      Kit.withScripted(line, { fallback: describing() }, async (net) => {
        const service = await net.service(Kit.optionsWith({ scopes: ["read"] }))
        const requests: ReadonlyArray<Line.TokenRequest> = [
          {},
          { scopes: ["write"] },
          { scopes: [] },
          { audience: "https://a.example.com" },
          { audience: "https://b.example.com" },
          { resource: "https://r.example.com/" },
          { resource: ["https://r.example.com/", "https://s.example.com/"] },
          { extraParams: { tenant: "1" } },
          { extraParams: { tenant: "2" } }
        ]
        const values: Array<string> = []
        for (const request of requests) values.push(await Kit.valueOf(service.get(request)))
        assert.deepStrictEqual(values, [
          "1:scope=read",
          "2:scope=write",
          "3:",
          "4:scope=read&audience=https://a.example.com",
          "5:scope=read&audience=https://b.example.com",
          "6:scope=read&resource=https://r.example.com/",
          "7:scope=read&resource=https://r.example.com/&resource=https://s.example.com/",
          "8:scope=read&tenant=1",
          "9:scope=read&tenant=2"
        ])
        for (const [i, request] of requests.entries()) {
          assert.strictEqual(await Kit.valueOf(service.get(request)), values[i])
        }
        assert.strictEqual(await Kit.valueOf(service.get()), "1:scope=read")
        assert.strictEqual(net.requests().length, requests.length)
      }))

    it("the same request in another order, or with duplicates, shares the token", () =>
      Kit.withScripted(line, { fallback: describing() }, async (net) => {
        const service = await net.service(Kit.optionsWith({ scopes: ["b", "a"], extraParams: { y: "2", x: "1" } }))
        assert.strictEqual(await Kit.valueOf(service.get()), "1:scope=a+b&x=1&y=2")
        for (
          const request of [
            { scopes: ["a", "b"] },
            { scopes: ["b", "a", "b"] },
            { extraParams: { x: "1", y: "2" } },
            { extraParams: { y: "2" } }
          ]
        ) {
          assert.strictEqual(await Kit.valueOf(service.get(request)), "1:scope=a+b&x=1&y=2")
        }
        const r1 = await Kit.valueOf(service.get({
          resource: ["https://s.example.com/", "https://r.example.com/"],
          scopes: ["c"]
        }))
        const r2 = await Kit.valueOf(service.get({
          resource: ["https://r.example.com/", "https://s.example.com/", "https://r.example.com/"],
          scopes: ["c", "c"]
        }))
        assert.strictEqual(r2, r1)
        assert.strictEqual(net.requests().length, 2)
      }))

    it("two requests issued at the same moment never receive each other's token", () =>
      Kit.withScripted(
        line,
        {
          fallback: (
            (answer) => (request: Line.RecordedRequest) =>
              Kit.delayed(Kit.form(request).get("scope") === "a" ? 2000 : 1000, answer(request))
          )(describing())
        },
        async (net) => {
          const service = await net.service(Kit.options)
          const calls = Array.from({ length: 200 }, (_, i) => {
            const scope = ["a", "b", "c", "d"][i % 4]!
            return [scope, service.get({ scopes: [scope] })] as const
          })
          await net.advance(2000)
          const values = new Set<string>()
          for (const [scope, call] of calls) {
            const value = await Kit.valueOf(call)
            assert.match(value, new RegExp(`^\\d:scope=${scope}$`))
            values.add(value)
          }
          assert.strictEqual(values.size, 4)
          assert.strictEqual(net.requests().length, 4)
        }
      ))
  })

  describe("scopes and resources: one token per request (properties)", () => {
    it(
      "of any requests, written in any order and with duplicates, as many are sent as they mean different things, each answering its own",
      () =>
        FastCheck.assert(
          FastCheck.asyncProperty(requestSequence, (sequence) =>
            Kit.withScripted(line, {}, async (net) => {
              const service = await net.service(Kit.options)
              const meanings = new Set<string>()
              for (const [m, request] of sequence) {
                meanings.add(Requests.meaning(m))
                const value = await Kit.valueOf(service.get(request))
                assert.strictEqual(net.requests().length, meanings.size, "requests sent")
                // token-<n> answered the n-th request: it asked for what this call asks for
                const answered = net.requests()[Number(value.slice("token-".length)) - 1]!
                assert.strictEqual(
                  Requests.meaningOfForm(Kit.form(answered)),
                  Requests.meaning(m),
                  "the token's request"
                )
              }
            })),
          { numRuns }
        ),
      60_000
    )
  })

  describe("scopes and resources: refusals", () => {
    it(
      "a control character anywhere in a scope, the audience, a resource or an extra parameter is InvalidRequest and sends nothing (property)",
      () =>
        Kit.withScripted(line, {}, async (net) => {
          const service = await net.service(Kit.options)
          await FastCheck.assert(
            FastCheck.asyncProperty(
              Requests.model,
              FastCheck.constantFrom(...Requests.fields),
              Requests.controlCharacters,
              FastCheck.nat(),
              FastCheck.nat(),
              async (m, field, char, position, index) => {
                const sent = net.requests().length
                const request = Requests.spoiled(m, field, char, position, index)
                const error = await Kit.errorOf(service.get(request))
                assert.strictEqual(`${error.tag} ${error.reason}`, "TokenError InvalidRequest")
                // configured, the same values are refused when the service is built
                const refusal = await net.service(Kit.optionsWith(request as Line.ServiceOptions)).then(
                  () => "built",
                  (cause: unknown) => String(cause)
                )
                assert.match(refusal, /control character/, "refused for its control character")
                // and the same request without the control character is built
                await net.service(Kit.optionsWith(Requests.asRequest(m) as Line.ServiceOptions))
                assert.strictEqual(net.requests().length, sent, "sent")
              }
            ),
            { numRuns: 200 }
          )
          assert.strictEqual(net.requests().length, 0)
        }),
      60_000
    )

    it("configured values with a reserved name, a control character or a bad scope or resource are refused when the service is built, sending nothing", () =>
      Kit.withScripted(line, {}, async (net) => {
        const built: Array<string> = []
        for (const [what, request] of badRequests) {
          const overrides = { ...request, audience: request.audience ?? undefined } as Line.ServiceOptions
          const service = await net.service(Kit.optionsWith(overrides)).then(() => true, () => false)
          if (service) built.push(what)
        }
        assert.deepStrictEqual(built, [])
        assert.strictEqual(net.requests().length, 0)
      }))

    it("the same options without the fault build and fetch", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({
          scopes: ["read", "write:all"],
          audience: "https://api.example.com/",
          resource: ["https://a.example.com/"],
          extraParams: { tenant: "t 1", "x-scope": "ok" }
        }))
        assert.strictEqual(await Kit.valueOf(service.get()), "token-1")
      }))

    it("a request with a reserved name, a control character or a bad scope or resource fails InvalidRequest and sends nothing", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        for (const [what, request] of badRequests) {
          const error = await Kit.errorOf(service.get(request))
          assert.strictEqual(error.tag, "TokenError", what)
          assert.strictEqual(error.reason, "InvalidRequest", what)
          assert.isUndefined(error.fields.status, what)
        }
        assert.strictEqual(net.requests().length, 0)
        // the service still works
        assert.strictEqual(
          await Kit.valueOf(service.get({ scopes: ["read"], extraParams: { tenant: "t" } })),
          "token-1"
        )
      }))

    it("a reserved name is refused even when the configured options are valid and the value is harmless", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ scopes: ["read"] }))
        assert.strictEqual(
          (await Kit.errorOf(service.get({ extraParams: { scope: "admin" } }))).reason,
          "InvalidRequest"
        )
        assert.strictEqual(net.requests().length, 0)
      }))

    it("a request of the wrong shape, or a resource that is not an absolute URI of URI characters, fails InvalidRequest, naming nothing of it", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        const wrong: Array<string> = []
        for (const [what, request] of malformed) {
          const outcome = await service.get(request as Line.TokenRequest).outcome
          if (outcome._tag !== "Failure" || outcome.error.reason !== "InvalidRequest") {
            wrong.push(what)
            continue
          }
          assert.notInclude(outcome.error.message, marker, what)
        }
        assert.deepStrictEqual(wrong, [])
        assert.strictEqual(net.requests().length, 0)
        // null still clears a configured value
        assert.strictEqual(await Kit.valueOf(service.get({ audience: null, extraParams: { tenant: null } })), "token-1")
      }))
  })
}
