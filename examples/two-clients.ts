/**
 * Two clients in one program: a billing API and a shipping API, each with its own credentials (and possibly its
 * own authorization server), each client's tokens cached apart. The credentials come from prefixed variables.
 *
 *   BILLING_OAUTH_TOKEN_URL=… BILLING_OAUTH_CLIENT_ID=… BILLING_OAUTH_CLIENT_SECRET=… BILLING_API_URL=… \
 *   SHIPPING_OAUTH_TOKEN_URL=… SHIPPING_OAUTH_CLIENT_ID=… SHIPPING_OAUTH_CLIENT_SECRET=… SHIPPING_API_URL=… \
 *   npx tsx examples/two-clients.ts
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Schema } from "effect"
import { isMain } from "./src/isMain.js"

/** The billing API's client: its own tag, layer and token cache. */
export class Billing extends TokenService.Tag("examples/Billing")<Billing>() {}

/** The shipping API's client. */
export class Shipping extends TokenService.Tag("examples/Shipping")<Shipping>() {}

const getJson = (client: HttpClient.HttpClient.With<AuthorizedClient.AuthorizedClientError>, url: string) =>
  client.get(url).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Schema.Unknown)))

/** Calls each API with its own client's token, both at once, and prints what they answered. */
export const program = Effect.gen(function*() {
  const billingUrl = yield* Config.string("BILLING_API_URL")
  const shippingUrl = yield* Config.string("SHIPPING_API_URL")
  const http = yield* HttpClient.HttpClient
  const billingApi = AuthorizedClient.withTokens(http, { tokens: yield* Billing })
  const shippingApi = AuthorizedClient.withTokens(http, { tokens: yield* Shipping })
  const [invoices, parcels] = yield* Effect.all([getJson(billingApi, billingUrl), getJson(shippingApi, shippingUrl)], {
    concurrency: 2
  })
  yield* Console.log("The billing API answered:", invoices)
  yield* Console.log("The shipping API answered:", parcels)
  // a second call to each reuses each client's cached token
  yield* getJson(billingApi, billingUrl)
  yield* getJson(shippingApi, shippingUrl)
  return { invoices, parcels }
})

/** Each client from its own prefixed variables, both over Node's HTTP stack. */
export const MainLayer = Layer.merge(
  Billing.layerConfig({ prefix: "BILLING_OAUTH_" }),
  Shipping.layerConfig({ prefix: "SHIPPING_OAUTH_" })
).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))

if (isMain(import.meta.url)) {
  program.pipe(
    Effect.catchTags({
      TokenError: (error) => Console.error(`No token: ${error.message}`),
      NetworkError: (error) => Console.error(`No answer: ${error.message}`),
      ApiError: (error) => Console.error(`An API refused: ${error.message}`)
    }),
    Effect.provide(MainLayer),
    NodeRuntime.runMain
  )
}
