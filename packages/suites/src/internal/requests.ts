/**
 * Token requests for the properties (fast-check): what a request means (`Model`), the many ways of writing it (scopes
 * and resources in any order and with duplicates, extra parameters in any order), a request changed in one field,
 * and a request with a control character in one of its values. Values are few and short, so that two requests often
 * share some, and hold Unicode, `:`, `%`, `+` and spaces where the rules allow them.
 */
import * as FastCheck from "fast-check"
import type * as Line from "../Line.js"

/** What a request means, whatever order or repetition it is written in. */
export interface Model {
  readonly scopes: ReadonlyArray<string>
  readonly audience: string | undefined
  readonly resources: ReadonlyArray<string>
  readonly extraParams: ReadonlyArray<readonly [string, string]>
}

/** The parameters a request sets through its own fields, which an extra parameter may not name. */
const reserved = new Set([
  "grant_type",
  "client_id",
  "client_secret",
  "client_assertion",
  "client_assertion_type",
  "scope",
  "audience",
  "resource"
])

// RFC 6749 §3.3 scope-token characters: %x21 / %x23-5B / %x5D-7E
const scopeCharacters = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))
  .filter((char) => char !== "\"" && char !== "\\")

/** A scope: a few that repeat, or any RFC 6749 scope token of up to 6 characters. */
export const scope = FastCheck.oneof(
  FastCheck.constantFrom("read", "write", "a", "b"),
  FastCheck.string({ unit: FastCheck.constantFrom(...scopeCharacters), minLength: 1, maxLength: 6 })
)

/** A resource indicator: a few that repeat (one with a final `/`), or an absolute URI with a short path. */
export const resource = FastCheck.oneof(
  FastCheck.constantFrom("https://api.example.com", "https://api.example.com/", "urn:example:x"),
  FastCheck.string({ unit: FastCheck.constantFrom(..."abz09-._~/"), maxLength: 6 }).map((path) =>
    `https://r.example/${path}`
  )
)

// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/

/** Any text without a control character: Unicode, `:`, `%`, `+`, spaces. */
export const text = (minLength: number) =>
  FastCheck.string({
    unit: FastCheck.oneof(
      FastCheck.constantFrom(":", "%", "+", " ", "=", "&", "é", "a", "b"),
      FastCheck.string({ unit: "binary", minLength: 1, maxLength: 1 })
    ),
    minLength,
    maxLength: 8
  }).filter((value) => !controlCharacter.test(value))

const paramName = FastCheck.oneof(FastCheck.constantFrom("tenant", "prompt", "x", "y"), text(1))
  .filter((name) => !reserved.has(name))

/** Any request, as its meaning: scopes, resources, an audience, extra parameters. */
export const model: FastCheck.Arbitrary<Model> = FastCheck.record({
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

/** A request as `getFor` takes it that writes `m` one way: the model's order and no duplicates. */
export const asRequest = (m: Model): Line.TokenRequest => ({
  scopes: m.scopes,
  audience: m.audience,
  resource: m.resources,
  extraParams: Object.fromEntries(m.extraParams)
})

/** A request that writes `m`: scopes and resources in any order with duplicates, extra parameters in any order. */
export const written = (m: Model): FastCheck.Arbitrary<Line.TokenRequest> =>
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

const without = <A>(values: ReadonlyArray<A>, i: number) =>
  values.filter((_, j) => j !== i % Math.max(1, values.length))

/** `m` with one field changed (which may leave it as it was: `meaning` says). */
export const changed = (m: Model): FastCheck.Arbitrary<Model> =>
  FastCheck.oneof(
    scope.map((added) => ({ ...m, scopes: Array.from(new Set([...m.scopes, added])) })),
    FastCheck.nat().map((i) => ({ ...m, scopes: without(m.scopes, i) })),
    FastCheck.option(text(1), { nil: undefined }).map((audience) => ({ ...m, audience })),
    resource.map((added) => ({ ...m, resources: Array.from(new Set([...m.resources, added])) })),
    FastCheck.nat().map((i) => ({ ...m, resources: without(m.resources, i) })),
    FastCheck.tuple(paramName, text(0)).map(([name, value]) => ({
      ...m,
      extraParams: [...m.extraParams.filter(([other]) => other !== name), [name, value] as const]
    })),
    FastCheck.nat().map((i) => ({ ...m, extraParams: without(m.extraParams, i) }))
  )

const byName = ([a]: readonly [string, string], [b]: readonly [string, string]) => (a < b ? -1 : a > b ? 1 : 0)

/** What a model means, written one way: the properties' own normal form, independent of the library's. */
export const meaning = (m: Model): string =>
  JSON.stringify([
    [...new Set(m.scopes)].sort(),
    m.audience ?? null,
    [...new Set(m.resources)].sort(),
    [...m.extraParams].sort(byName)
  ])

/** What a token request's form asked for, in `meaning`'s normal form (the authentication's parameters left out). */
export const meaningOfForm = (form: URLSearchParams): string => {
  const scope = form.get("scope")
  const sent = new Set(["grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type"])
  return meaning({
    scopes: scope === null ? [] : scope.split(" "),
    audience: form.get("audience") ?? undefined,
    resources: form.getAll("resource"),
    extraParams: [...form].filter(([name]) => !reserved.has(name) && !sent.has(name))
  })
}

/** A C0 or C1 control character, or DEL. */
export const controlCharacters = FastCheck.oneof(
  FastCheck.integer({ min: 0, max: 0x1f }),
  FastCheck.integer({ min: 0x7f, max: 0x9f })
).map((code) => String.fromCharCode(code))

/** Where a control character goes. */
export type Field = "scope" | "audience" | "resource" | "extra parameter name" | "extra parameter value"

/** Every field a control character can go in. */
export const fields: ReadonlyArray<Field> = [
  "scope",
  "audience",
  "resource",
  "extra parameter name",
  "extra parameter value"
]

/** `value` with `char` put at `position` (modulo its length + 1). */
const insert = (value: string, char: string, position: number) => {
  const at = position % (value.length + 1)
  return `${value.slice(0, at)}${char}${value.slice(at)}`
}

/** `m` as a request with `char` in one of its values of `field` (in one added when it has none). */
export const spoiled = (
  m: Model,
  field: Field,
  char: string,
  position: number,
  index: number
): Line.TokenRequest => {
  const pick = <A>(values: ReadonlyArray<A>, fallback: A): readonly [number, A] =>
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
