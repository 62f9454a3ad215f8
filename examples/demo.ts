/**
 * `npm start`: the library at work. With no `OAUTH_*` variables it runs against an embedded fake authorization
 * server on 127.0.0.1; with `OAUTH_TOKEN_URL` (or `OAUTH_ISSUER`), `OAUTH_CLIENT_ID` and a secret or key (see
 * `TokenService.layerConfig`) against that provider. The same code runs on both Effect lines: `npm run start:effect4`
 * runs it on Effect 4 (`packages/effect4/examples` links it, with that line's `proxy.ts`).
 */
import { ApiError, TokenService } from "@effect-oauth2/client-credentials"
import { FakeAuthServer } from "@effect-oauth2/testing"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import * as proxy from "./proxy.js"
import * as EffectLine from "./src/effectLine.js"
import * as fakeServerDemo from "./src/fakeServerDemo.js"
import { isMain } from "./src/isMain.js"
import * as providerDemo from "./src/providerDemo.js"
import { proxyOrigin } from "./src/proxyOrigin.js"
import type { Check } from "./src/report.js"

/** Which demo the environment asks for, or the names missing from a partial provider configuration. */
export const mode = (env: NodeJS.ProcessEnv): "fake" | "provider" | { readonly missing: ReadonlyArray<string> } => {
  if (!providerDemo.providerVariables.some((name) => env[name])) return "fake"
  const missing = providerDemo.requiredVariables
    .filter((alternatives) => !alternatives.some((name) => env[name]))
    .map((alternatives) => alternatives.join(" or "))
  return missing.length === 0 ? "provider" : { missing }
}

const summarize = (checks: ReadonlyArray<Check>) =>
  Effect.gen(function*() {
    const failed = checks.filter((c) => !c.ok)
    yield* Console.log(`\n${checks.length - failed.length} of ${checks.length} checks held.`)
    if (failed.length > 0) {
      return yield* Effect.fail(new Error(`the demo's claims did not hold: ${failed.map((c) => c.label).join("; ")}`))
    }
  })

/** The demo against the embedded fake server. */
export const fakeServer = Effect.gen(function*() {
  yield* Console.log(
    "effect-oauth2 demo. \"The snippet\" is the classic hand-rolled client-credentials code: one module-level token,\n" +
      "fetched with axios and renewed 60 s before it expires. Each of its failures, and what the library does instead:"
  )
  return yield* fakeServerDemo.run
}).pipe(Effect.scoped, Effect.provide(Layer.merge(FakeAuthServer.layer(), NodeHttpClient.layerUndici)))

/**
 * The demo against the provider the `OAUTH_*` variables name, through the proxies `HTTPS_PROXY`, `HTTP_PROXY` and
 * `NO_PROXY` name (`examples/proxy.ts`).
 */
export const provider = Effect.gen(function*() {
  yield* Console.log("effect-oauth2 demo against your provider")
  // said first, so that a proxy that is down or refuses is not taken for the provider's fault
  const through = proxyOrigin(yield* EffectLine.String("OAUTH_TOKEN_URL"))
  if (through !== undefined) yield* Console.log(`through the proxy ${through}`)
  return yield* providerDemo.run
}).pipe(
  Effect.provide(TokenService.layerConfig().pipe(Layer.provideMerge(proxy.layerHttpClient())))
)

/**
 * The one line a failed run prints on stderr: what failed, in the error's own words, without a stack. A
 * `NetworkError`'s or `TokenError`'s message names the call and where it went; an `ApiError`'s names the request only.
 */
export const failureLine = (error: unknown): string => {
  const text = ApiError.isApiError(error)
    ? `API call ${error.message}`
    : error instanceof Error
    ? error.message
    : String(error)
  return `effect-oauth2 demo: ${text.trim().replace(/\s*\n\s*/g, " ")}`
}

if (isMain(import.meta.url)) {
  const selected = mode(process.env)
  if (typeof selected === "object") {
    console.error(
      `Set the provider's variables, or none. Missing: ${selected.missing.join("; ")}`
    )
    process.exit(2)
  }
  const demo: Effect.Effect<ReadonlyArray<Check>, unknown> = selected === "fake" ? fakeServer : provider
  NodeRuntime.runMain(
    Effect.flatMap(demo, summarize).pipe(
      Effect.tapError((error) =>
        Effect.andThen(
          Console.error(failureLine(error)),
          Effect.sync(() => {
            process.exitCode = 1
          })
        )
      ),
      Effect.ignore
    )
  )
}
