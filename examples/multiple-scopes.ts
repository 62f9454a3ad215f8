/**
 * One client, several tokens: the configured one, one with other scopes, one for another resource (RFC 8707).
 * Each distinct request is cached on its own; asking again is served from memory.
 *
 *   OAUTH_TOKEN_URL=… OAUTH_CLIENT_ID=… OAUTH_CLIENT_SECRET=… npx tsx examples/multiple-scopes.ts
 */
import { AccessToken, TokenService } from "@effect-oauth2/client-credentials"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Console, DateTime, Effect, Layer } from "effect"
import { isMain } from "./src/isMain.js"

const describe = (label: string, token: AccessToken.AccessToken) =>
  Console.log(
    `${label}: ${token.tokenType}, scopes [${token.scopes.join(" ")}], expires ${DateTime.formatIso(token.expiresAt)}`
  )

/** Gets three different tokens, then the first again (from the cache). */
export const program = Effect.gen(function*() {
  const tokens = yield* TokenService.TokenService
  const configured = yield* tokens.get
  const reports = yield* tokens.getFor({ scopes: ["reports:read"] })
  const billing = yield* tokens.getFor({ scopes: [], resource: "https://billing.example.com/" })
  const again = yield* tokens.get
  yield* describe("configured", configured)
  yield* describe("reports:read", reports)
  yield* describe("billing resource", billing)
  yield* Console.log(`asking again gave the cached token: ${AccessToken.sameValue(configured, again)}`)
  return { configured, reports, billing, again }
})

/** Tokens from `OAUTH_*` variables over Node's HTTP stack. */
export const MainLayer = TokenService.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))

if (isMain(import.meta.url)) {
  program.pipe(Effect.provide(MainLayer), NodeRuntime.runMain)
}
