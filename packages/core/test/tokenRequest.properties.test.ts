/**
 * Properties of a token request's canonical form (the cache key, and the store key made from it): equal requests —
 * scopes and resources in any order and with duplicates, extra parameters in any order — have one key; requests that
 * differ in any field, or come from clients that differ in any field, have different keys; and a control character
 * anywhere in a scope, the audience, a resource or an extra parameter's name or value is refused. A store key is a
 * SHA-256 in hex: it shows nothing of the request.
 */
import * as FastCheck from "fast-check"
import { assert, describe, it } from "vitest"
import * as StoreKey from "../src/storeKey.js"
import * as TokenRequest from "../src/tokenRequest.js"

const numRuns = 300

/** A request as plain data: what it means, whatever order or repetition it is written in. */
interface Model {
  readonly scopes: ReadonlyArray<string>
  readonly audience: string | undefined
  readonly resources: ReadonlyArray<string>
  readonly extraParams: ReadonlyArray<readonly [string, string]>
}

// RFC 6749 §3.3 scope-token characters: %x21 / %x23-5B / %x5D-7E
const scopeCharacters = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))
  .filter((char) => char !== "\"" && char !== "\\")

/** Few short scopes, so that two requests often share some. */
const scope = FastCheck.oneof(
  FastCheck.constantFrom("read", "write", "a", "b"),
  FastCheck.string({ unit: FastCheck.constantFrom(...scopeCharacters), minLength: 1, maxLength: 6 })
)

const resource = FastCheck.oneof(
  FastCheck.constantFrom("https://api.example.com", "https://api.example.com/", "urn:example:x"),
  FastCheck.string({ unit: FastCheck.constantFrom(..."abz09-._~/"), maxLength: 6 }).map((path) =>
    `https://r.example/${path}`
  )
)

// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/

/** Any text without a control character: Unicode, `:`, `%`, `+`, spaces. */
const text = (minLength: number) =>
  FastCheck.string({
    unit: FastCheck.oneof(
      FastCheck.constantFrom(":", "%", "+", " ", "=", "&", "é", "a", "b"),
      FastCheck.string({ unit: "binary", minLength: 1, maxLength: 1 })
    ),
    minLength,
    maxLength: 8
  }).filter((value) => !controlCharacter.test(value))

const paramName = FastCheck.oneof(FastCheck.constantFrom("tenant", "prompt", "x", "y"), text(1))
  .filter((name) => !TokenRequest.reservedParams.has(name))

const model: FastCheck.Arbitrary<Model> = FastCheck.record({
  scopes: FastCheck.uniqueArray(scope, { maxLength: 4 }),
  audience: FastCheck.option(FastCheck.oneof(FastCheck.constantFrom("api", "other"), text(1)), { nil: undefined }),
  resources: FastCheck.uniqueArray(resource, { maxLength: 3 }),
  extraParams: FastCheck.uniqueArray(FastCheck.tuple(paramName, FastCheck.oneof(FastCheck.constant(""), text(0))), {
    maxLength: 3,
    selector: ([name]) => name
  })
})

/** `values` in any order, some of them repeated. */
const anyOrderWithDuplicates = (values: ReadonlyArray<string>) =>
  FastCheck.subarray([...values]).chain((repeated) =>
    FastCheck.shuffledSubarray([...values, ...repeated], {
      minLength: values.length + repeated.length,
      maxLength: values.length + repeated.length
    })
  )

/** A `TokenRequest` that writes `m`: scopes and resources in any order with duplicates, extra parameters in any order. */
const written = (m: Model): FastCheck.Arbitrary<TokenRequest.TokenRequest> =>
  FastCheck.record({
    scopes: anyOrderWithDuplicates(m.scopes),
    resources: anyOrderWithDuplicates(m.resources),
    params: FastCheck.shuffledSubarray([...m.extraParams], {
      minLength: m.extraParams.length,
      maxLength: m.extraParams.length
    }),
    oneResourceAsString: FastCheck.boolean()
  }).map(({ oneResourceAsString, params, resources, scopes }) => ({
    scopes,
    audience: m.audience,
    resource: oneResourceAsString && resources.length === 1 ? resources[0]! : resources,
    extraParams: Object.fromEntries(params)
  }))

/** `m` with one field changed (which may leave it as it was: the model says). */
const changed = (m: Model): FastCheck.Arbitrary<Model> =>
  FastCheck.oneof(
    scope.map((added) => ({ ...m, scopes: Array.from(new Set([...m.scopes, added])) })),
    FastCheck.nat().map((i) => ({ ...m, scopes: m.scopes.filter((_, j) => j !== i % Math.max(1, m.scopes.length)) })),
    FastCheck.option(text(1), { nil: undefined }).map((audience) => ({ ...m, audience })),
    resource.map((added) => ({ ...m, resources: Array.from(new Set([...m.resources, added])) })),
    FastCheck.nat().map((i) => ({
      ...m,
      resources: m.resources.filter((_, j) => j !== i % Math.max(1, m.resources.length))
    })),
    FastCheck.tuple(paramName, text(0)).map(([name, value]) => ({
      ...m,
      extraParams: [...m.extraParams.filter(([other]) => other !== name), [name, value] as const]
    })),
    FastCheck.nat().map((i) => ({
      ...m,
      extraParams: m.extraParams.filter((_, j) => j !== i % Math.max(1, m.extraParams.length))
    }))
  )

/** What a model means, written one way: the test's own normal form, independent of the library's. */
const meaning = (m: Model) =>
  JSON.stringify({
    scopes: [...new Set(m.scopes)].sort(),
    audience: m.audience ?? null,
    resources: [...new Set(m.resources)].sort(),
    extraParams: Object.fromEntries([...m.extraParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  })

const asRequest = (m: Model): TokenRequest.TokenRequest => ({
  scopes: m.scopes,
  audience: m.audience,
  resource: m.resources,
  extraParams: Object.fromEntries(m.extraParams)
})

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
        model.chain((m) => FastCheck.tuple(FastCheck.constant(m), written(m), written(m))),
        ([m, one, other]) => {
          assert.strictEqual(keyOf(one), keyOf(other))
          assert.strictEqual(keyOf(one), keyOf(asRequest(m)))
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
        model.chain((m) =>
          FastCheck.tuple(FastCheck.constant(m), FastCheck.oneof(changed(m), changed(m).chain(changed), model))
        ).chain(([m, n]) => FastCheck.tuple(FastCheck.constant(m), FastCheck.constant(n), written(m), written(n))),
        ([m, n, one, other]) => {
          assert.strictEqual(keyOf(one) === keyOf(other), meaning(m) === meaning(n))
          assert.strictEqual(StoreKey.of(keyOf(one)) === StoreKey.of(keyOf(other)), meaning(m) === meaning(n))
        }
      ),
      { numRuns }
    ))

  it("the same request for clients that differ in any field has different keys", () =>
    FastCheck.assert(
      FastCheck.property(
        model,
        FastCheck.constantFrom<keyof TokenRequest.ClientIdentity>(
          "endpoint",
          "clientId",
          "authMethod",
          "keyIdentity",
          "dpopThumbprint"
        ),
        text(1),
        (m, field, value) => {
          const other = { ...client, [field]: value }
          // the client has no DPoP key: one with a thumbprint is another
          const same = field === "dpopThumbprint" ? false : client[field] === value
          assert.strictEqual(keyOf(asRequest(m), other) === keyOf(asRequest(m)), same)
        }
      ),
      { numRuns }
    ))
})

const controlCharacters = FastCheck.oneof(
  FastCheck.integer({ min: 0, max: 0x1f }),
  FastCheck.integer({ min: 0x7f, max: 0x9f })
).map((code) => String.fromCharCode(code))

/** `value` with `char` put at `position` (modulo its length + 1). */
const insert = (value: string, char: string, position: number) => {
  const at = position % (value.length + 1)
  return `${value.slice(0, at)}${char}${value.slice(at)}`
}

type Field = "scope" | "audience" | "resource" | "extra parameter name" | "extra parameter value"

/** `m` with `char` in one of its values of `field` (one added when it has none). */
const spoiled = (m: Model, field: Field, char: string, position: number, index: number): TokenRequest.TokenRequest => {
  const pick = <A>(values: ReadonlyArray<A>, fallback: A): [number, A] =>
    values.length === 0 ? [0, fallback] : [index % values.length, values[index % values.length]!]
  const request = asRequest(m)
  switch (field) {
    case "scope": {
      const [i, value] = pick(m.scopes, "read")
      const scopes = [...m.scopes]
      scopes[i] = insert(value, char, position)
      return { ...request, scopes }
    }
    case "audience":
      return { ...request, audience: insert(m.audience ?? "api", char, position) }
    case "resource": {
      const [i, value] = pick(m.resources, "https://api.example.com/")
      const resources = [...m.resources]
      resources[i] = insert(value, char, position)
      return { ...request, resource: resources }
    }
    case "extra parameter name":
    case "extra parameter value": {
      const [i, [name, value]] = pick(m.extraParams, ["tenant", "t1"] as const)
      const params = [...m.extraParams]
      params[i] = field === "extra parameter name"
        ? [insert(name, char, position), value]
        : [name, insert(value, char, position)]
      return { ...request, extraParams: Object.fromEntries(params) }
    }
  }
}

describe("tokenRequest: control characters (properties)", () => {
  it("a control character anywhere in a scope, the audience, a resource or an extra parameter is refused", () =>
    FastCheck.assert(
      FastCheck.property(
        model,
        FastCheck.constantFrom<Field>("scope", "audience", "resource", "extra parameter name", "extra parameter value"),
        controlCharacters,
        FastCheck.nat(),
        FastCheck.nat(),
        (m, field, char, position, index) => {
          const request = spoiled(m, field, char, position, index)
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
      FastCheck.property(model, (m) => {
        assert.strictEqual(
          TokenRequest.resolveChecked(TokenRequest.empty, asRequest(m), { nullable: true })._tag,
          "Valid"
        )
      }),
      { numRuns }
    ))
})
