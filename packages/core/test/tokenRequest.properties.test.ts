/**
 * Properties of a token request's canonical form (the cache key, and the store key made from it): equal requests —
 * scopes and resources in any order and with duplicates, extra parameters in any order — have one key; requests that
 * differ in any field, or come from clients that differ in any field, have different keys; and a control character
 * anywhere in a scope, the audience, a resource or an extra parameter's name or value is refused. A store key is a
 * SHA-256 in hex: it shows nothing of the request.
 */
import * as Requests from "@effect-oauth2/suites/fixtures/Requests"
import * as FastCheck from "fast-check"
import { assert, describe, it } from "vitest"
import * as StoreKey from "../src/storeKey.js"
import * as TokenRequest from "../src/tokenRequest.js"

const numRuns = 300

const client: TokenRequest.ClientIdentity = {
  endpoint: "TokenUrl:https://auth.example.com/token",
  clientId: "client-1",
  authMethod: "client_secret_basic",
  keyIdentity: ""
}

const resolved = (request: TokenRequest.TokenRequest): TokenRequest.ResolvedRequest => {
  const checked = TokenRequest.resolveChecked(TokenRequest.empty, request, { nullable: true })
  if (checked._tag === "Invalid") throw new Error(`refused: ${checked.problem}`)
  return checked.value
}

/** The cache key of `request` for `identity`. */
const keyOf = (request: TokenRequest.TokenRequest, identity = client): string =>
  TokenRequest.canonicalOf(identity, resolved(request))

describe("tokenRequest: the canonical form (properties)", () => {
  it("a request written in any order, with duplicates, has one cache key and one store key", () =>
    FastCheck.assert(
      FastCheck.property(
        Requests.model.chain((m) => FastCheck.tuple(FastCheck.constant(m), Requests.written(m), Requests.written(m))),
        ([m, one, other]) => {
          assert.strictEqual(keyOf(one), keyOf(other))
          assert.strictEqual(keyOf(one), keyOf(Requests.asRequest(m)))
          assert.strictEqual(StoreKey.of(keyOf(one)), StoreKey.of(keyOf(other)))
          // a shared store's key shows nothing of the request: a SHA-256 in hex
          assert.match(StoreKey.of(keyOf(one)) as string, /^[0-9a-f]{64}$/)
        }
      ),
      { numRuns }
    ))

  it("two requests have the same key exactly when they mean the same", () =>
    FastCheck.assert(
      FastCheck.property(
        Requests.model.chain((m) =>
          FastCheck.tuple(
            FastCheck.constant(m),
            FastCheck.oneof(Requests.changed(m), Requests.changed(m).chain(Requests.changed), Requests.model)
          )
        ).chain(([m, n]) =>
          FastCheck.tuple(FastCheck.constant(m), FastCheck.constant(n), Requests.written(m), Requests.written(n))
        ),
        ([m, n, one, other]) => {
          assert.strictEqual(keyOf(one) === keyOf(other), Requests.meaning(m) === Requests.meaning(n))
          assert.strictEqual(
            StoreKey.of(keyOf(one)) === StoreKey.of(keyOf(other)),
            Requests.meaning(m) === Requests.meaning(n)
          )
        }
      ),
      { numRuns }
    ))

  it("the same request for clients that differ in any field has different keys", () =>
    FastCheck.assert(
      FastCheck.property(
        Requests.model,
        FastCheck.constantFrom<keyof TokenRequest.ClientIdentity>(
          "endpoint",
          "clientId",
          "authMethod",
          "keyIdentity",
          "dpopThumbprint"
        ),
        Requests.text(1),
        (m, field, value) => {
          const other = { ...client, [field]: value }
          // the client has no DPoP key: one with a thumbprint is another
          const same = field === "dpopThumbprint" ? false : client[field] === value
          assert.strictEqual(keyOf(Requests.asRequest(m), other) === keyOf(Requests.asRequest(m)), same)
        }
      ),
      { numRuns }
    ))
})

describe("tokenRequest: control characters (properties)", () => {
  it("a control character anywhere in a scope, the audience, a resource or an extra parameter is refused", () =>
    FastCheck.assert(
      FastCheck.property(
        Requests.model,
        FastCheck.constantFrom(...Requests.fields),
        Requests.controlCharacters,
        FastCheck.nat(),
        FastCheck.nat(),
        (m, field, char, position, index) => {
          const request = Requests.spoiled(m, field, char, position, index)
          // as a request, and as configured options
          assert.strictEqual(
            TokenRequest.resolveChecked(TokenRequest.empty, request, { nullable: true })._tag,
            "Invalid"
          )
          assert.strictEqual(
            TokenRequest.resolveChecked(TokenRequest.empty, request, { nullable: false })._tag,
            "Invalid"
          )
        }
      ),
      { numRuns }
    ))

  it("the same requests without the control character are taken", () =>
    FastCheck.assert(
      FastCheck.property(Requests.model, (m) => {
        assert.strictEqual(
          TokenRequest.resolveChecked(TokenRequest.empty, Requests.asRequest(m), { nullable: true })._tag,
          "Valid"
        )
      }),
      { numRuns }
    ))
})
