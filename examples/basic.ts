/**
 * The smallest useful program: credentials from the environment, one call to a protected API.
 *
 *   OAUTH_TOKEN_URL=… OAUTH_CLIENT_ID=… OAUTH_CLIENT_SECRET=… API_URL=… npx tsx examples/basic.ts
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { HttpClientResponse } from "@effect/platform"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Schema } from "effect"
import { isMain } from "./src/isMain.js"

/** Calls `API_URL` with a token and prints what it answered. */
export const program = Effect.gen(function*() {
  const apiUrl = yield* Config.string("API_URL")
  const client = yield* AuthorizedClient.AuthorizedClient
  const body = yield* client.get(apiUrl).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Schema.Unknown)))
  yield* Console.log("The API answered:", body)
  return body
})

/** Tokens from `OAUTH_*` variables, an authorized client over Node's HTTP stack. */
export const MainLayer = AuthorizedClient.layer().pipe(
  Layer.provideMerge(TokenService.layerConfig()),
  Layer.provide(NodeHttpClient.layerUndici)
)

if (isMain(import.meta.url)) {
  program.pipe(
    Effect.catchTags({
      TokenError: (error) => Console.error(`No token: ${error.message}`),
      NetworkError: (error) => Console.error(`No answer: ${error.message}`), // names the token endpoint or the API
      ApiError: (error) => Console.error(`The API refused: ${error.message}`)
    }),
    Effect.provide(MainLayer),
    NodeRuntime.runMain
  )
}
