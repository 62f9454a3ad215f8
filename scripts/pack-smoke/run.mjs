// In the installed project, without our source condition: import every public entry point (the expected named
// exports present), check that internal/* is blocked by the exports map, that `<pkg>/package.json` is exported
// (import with `{ type: "json" }` and require.resolve), and that the Promise API's error classes are the main entry's.
import * as fs from "node:fs"
import * as path from "node:path"
import { cleanEnv, record, run } from "./common.mjs"

/**
 * Exports that must be the very value of another entry's (`===`): the Promise API re-exports the error classes of the
 * main entry, so that `instanceof` holds across both. `[entry, export, entry it is the same as, path in that entry]`.
 */
const sameValues = [
  ["@effect-oauth2/client-credentials/promise", "TokenError", "@effect-oauth2/client-credentials", [
    "TokenError",
    "TokenError"
  ]],
  ["@effect-oauth2/client-credentials/promise", "NetworkError", "@effect-oauth2/client-credentials", [
    "NetworkError",
    "NetworkError"
  ]],
  ["@effect-oauth2/client-credentials/promise", "ApiError", "@effect-oauth2/client-credentials", [
    "ApiError",
    "ApiError"
  ]]
]

const writeImportCheck = (project, packages) => {
  const plan = packages.flatMap((pkg) =>
    pkg.entries.map((entry) => ({
      kind: "entry",
      name: `import ${entry.specifier}`,
      specifier: entry.specifier,
      expected: entry.expected,
      file: path.join(project, "node_modules", pkg.name, "build", "esm", `${entry.module}.js`)
    }))
  ).concat(
    packages.map((pkg) => ({
      kind: "manifest",
      name: `${pkg.name}/package.json: import with { type: "json" } and require.resolve`,
      specifier: `${pkg.name}/package.json`,
      packageName: pkg.name,
      version: pkg.manifest.version,
      file: path.join(project, "node_modules", pkg.name, "package.json")
    }))
  ).concat(
    sameValues.map(([specifier, name, other, at]) => ({
      kind: "same",
      name: `${specifier} ${name} is ${other} ${at.join(".")}`,
      specifier,
      exportName: name,
      other,
      at
    }))
  ).concat(
    packages.filter((pkg) => pkg.internals.length > 0).map((pkg) => ({
      kind: "blocked",
      name: `${pkg.name}/internal/* not importable (${pkg.internals.length} modules)`,
      specifiers: pkg.internals
    }))
  )
  fs.writeFileSync(path.join(project, "plan.json"), JSON.stringify(plan, null, 2))
  fs.writeFileSync(
    path.join(project, "import-check.mjs"),
    `import * as fs from "node:fs"
import { createRequire } from "node:module"
const require = createRequire(import.meta.url)
const plan = JSON.parse(fs.readFileSync(new URL("./plan.json", import.meta.url), "utf8"))
const results = []
for (const step of plan) {
  const problems = []
  if (step.kind === "entry") {
    try {
      const resolved = fs.realpathSync(new URL(import.meta.resolve(step.specifier)))
      if (resolved !== step.file) problems.push("resolved to " + resolved + ", expected " + step.file)
      const module = await import(step.specifier)
      const missing = step.expected.filter((name) => !(name in module))
      if (missing.length > 0) problems.push("missing exports: " + missing.join(", "))
      if (step.expected.length === 0 && Object.keys(module).length === 0) problems.push("no exports at all")
    } catch (error) {
      problems.push(String(error && error.stack || error))
    }
  } else if (step.kind === "same") {
    try {
      const self = (await import(step.specifier))[step.exportName]
      const other = step.at.reduce((value, key) => value?.[key], await import(step.other))
      if (self === undefined || self !== other) problems.push("not the same value")
    } catch (error) {
      problems.push(String(error && error.stack || error))
    }
  } else if (step.kind === "manifest") {
    try {
      const manifest = (await import(step.specifier, { with: { type: "json" } })).default
      if (manifest.name !== step.packageName || manifest.version !== step.version) {
        problems.push("imported the manifest of " + manifest.name + "@" + manifest.version)
      }
    } catch (error) {
      problems.push("import: " + error.code + " " + error.message)
    }
    try {
      const resolved = fs.realpathSync(require.resolve(step.specifier))
      if (resolved !== step.file) problems.push("require.resolve gave " + resolved + ", expected " + step.file)
    } catch (error) {
      problems.push("require.resolve: " + error.code + " " + error.message)
    }
  } else {
    for (const specifier of step.specifiers) {
      try {
        await import(specifier)
        problems.push(specifier + " was importable")
      } catch (error) {
        if (error.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") problems.push(specifier + ": " + error.code + " " + error.message)
      }
    }
  }
  results.push({ name: step.name, ok: problems.length === 0, detail: problems.join("\\n") })
}
console.log(JSON.stringify(results))
`
  )
}

/** Writes the import check into `project`, runs it with `node` and records a line per check, named for `heading`. */
export const checkImports = async (project, packages, node, heading) => {
  const startedAt = Date.now()
  writeImportCheck(project, packages)
  const imports = await run(node, ["import-check.mjs"], {
    cwd: project,
    timeoutMs: 60_000,
    env: cleanEnv()
  })
  let importResults
  try {
    importResults = JSON.parse(imports.stdout.trim().split("\n").pop())
  } catch {
    importResults = undefined
  }
  if (!imports.ok || importResults === undefined) {
    record(`${heading}: import the public entry points`, false, startedAt, imports.output)
  } else {
    for (const r of importResults) record(`${heading}: ${r.name}`, r.ok, startedAt, r.detail)
  }
}

/**
 * What an app does first, in the installed project, on either line: the testing package's `FakeAuthServer` on
 * 127.0.0.1, a token from `TokenService.layer`, and a call of its API through `AuthorizedClient`, on undici. The same
 * program runs on both lines: it uses only what their APIs share.
 */
const tokenProgram = `import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const program = Effect.gen(function*() {
  const server = yield* FakeAuthServer.FakeAuthServer
  const live = AuthorizedClient.layer().pipe(
    Layer.provideMerge(TokenService.layer({
      tokenUrl: server.tokenUrl,
      clientId: FakeAuthServer.defaultClient.clientId,
      clientSecret: Redacted.make(FakeAuthServer.defaultClient.clientSecret)
    })),
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )
  return yield* Effect.provide(
    Effect.gen(function*() {
      const tokens = yield* TokenService.TokenService
      const token = yield* tokens.get
      const client = yield* AuthorizedClient.AuthorizedClient
      const response = yield* client.get(server.apiUrl)
      const requests = yield* server.tokenRequests
      return { tokenType: token.tokenType, status: response.status, tokenRequests: requests.length }
    }),
    live
  )
})

Effect.runPromise(Effect.scoped(Effect.provide(program, FakeAuthServer.layer()))).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
`

/** Runs the token program in `project` with `node`: a token, then a 200 from the API with it, one token request. */
export const fetchToken = async (project, node, heading) => {
  const startedAt = Date.now()
  fs.writeFileSync(path.join(project, "token-check.mjs"), tokenProgram)
  const result = await run(node, ["token-check.mjs"], { cwd: project, timeoutMs: 60_000, env: cleanEnv() })
  let answer
  try {
    answer = JSON.parse(result.stdout.trim().split("\n").pop())
  } catch {
    answer = undefined
  }
  const ok = result.ok && answer?.tokenType === "Bearer" && answer?.status === 200 && answer?.tokenRequests === 1
  record(
    `${heading}: a token from FakeAuthServer and an AuthorizedClient call with it (${
      answer === undefined
        ? "no answer"
        : `${answer.tokenType}, API ${answer.status}, ${answer.tokenRequests} token request`
    })`,
    ok,
    startedAt,
    result.output
  )
}

/** An app's test with the testing package, as `docs/testing.md` writes one: the same code on both lines. */
const appTest = `import { TokenService } from "@effect-oauth2/client-credentials"
import { TokenServiceTest } from "@effect-oauth2/testing"
import { assert, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"

const reportToken = Effect.flatMap(TokenService.TokenService, (tokens) => tokens.getFor({ scopes: ["reports:read"] }))

it.effect("asks for the reports scope", () =>
  Effect.gen(function*() {
    const token = yield* reportToken
    const test = yield* TokenServiceTest.TokenServiceTest
    assert.strictEqual(Redacted.value(token.value), "test-token")
    assert.deepStrictEqual(yield* test.requests, [{ scopes: ["reports:read"] }])
  }).pipe(Effect.provide(TokenServiceTest.layer({ token: "test-token" }))))
`

/**
 * Runs an app's test in `project` with `node`: the vitest and `@effect/vitest` the README's line installed, the
 * testing package's `TokenServiceTest`; one test, passed.
 */
export const runAppTest = async (project, node, heading) => {
  const startedAt = Date.now()
  fs.writeFileSync(path.join(project, "app.test.ts"), appTest)
  const vitest = path.join(project, "node_modules", "vitest", "vitest.mjs")
  const result = await run(node, [vitest, "run", "app.test.ts"], {
    cwd: project,
    timeoutMs: 120_000,
    env: { ...cleanEnv(), NO_COLOR: "1" }
  })
  const passed = /Tests\s+1 passed \(1\)/.test(result.output)
  record(
    `${heading}: an app's test with @effect/vitest and TokenServiceTest, run by the vitest the README installs`,
    result.ok && passed,
    startedAt,
    result.output
  )
}
