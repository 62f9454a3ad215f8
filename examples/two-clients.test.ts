/**
 * `two-clients.ts` against the embedded fake authorization server, with two registered clients: each API is called
 * with its own client's token, each client fetches one token for two calls, and nothing secret is printed. Specified in
 * `docs/configuration.md#named-clients`.
 */
import { FakeAuthServer } from "@effect-oauth2/testing"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { capturedOutput } from "./src/capturedOutput.js"
import * as twoClients from "./two-clients.js"

const billingClient = { clientId: "billing-client", clientSecret: "billing-secret-XYZ" }
const shippingClient = { clientId: "shipping-client", clientSecret: "shipping-secret-XYZ" }

describe("examples/two-clients.ts", () => {
  it.live("calls two APIs, each with its own client's token, one token request per client", (ctx) => {
    const output = capturedOutput(ctx)
    return Effect.gen(function*() {
      const server = yield* FakeAuthServer.FakeAuthServer
      const env = new Map([
        ["BILLING_OAUTH_TOKEN_URL", server.tokenUrl],
        ["BILLING_OAUTH_CLIENT_ID", billingClient.clientId],
        ["BILLING_OAUTH_CLIENT_SECRET", billingClient.clientSecret],
        ["BILLING_OAUTH_SCOPE", "invoices:read"],
        ["BILLING_API_URL", `${server.apiUrl}/invoices`],
        ["SHIPPING_OAUTH_TOKEN_URL", server.tokenUrl],
        ["SHIPPING_OAUTH_CLIENT_ID", shippingClient.clientId],
        ["SHIPPING_OAUTH_CLIENT_SECRET", shippingClient.clientSecret],
        ["SHIPPING_OAUTH_SCOPE", "parcels:read"],
        ["SHIPPING_API_URL", `${server.apiUrl}/parcels`]
      ])
      const { invoices, parcels } = yield* twoClients.program.pipe(
        Effect.provide(twoClients.MainLayer),
        Effect.withConfigProvider(ConfigProvider.fromMap(env))
      )
      assert.deepInclude(invoices, { ok: true, path: "/api/invoices", clientId: "billing-client" })
      assert.deepInclude(invoices, { scopes: ["invoices:read"] })
      assert.deepInclude(parcels, { ok: true, path: "/api/parcels", clientId: "shipping-client" })
      assert.deepInclude(parcels, { scopes: ["parcels:read"] })
      const requests = yield* server.tokenRequests
      assert.deepStrictEqual(requests.map((r) => r.clientId).sort(), ["billing-client", "shipping-client"])
      assert.strictEqual(yield* server.apiRequests, 4)
      const printed = yield* output.text
      assert.include(printed, "The billing API answered:")
      assert.include(printed, "The shipping API answered:")
      assert.notInclude(printed, billingClient.clientSecret)
      assert.notInclude(printed, shippingClient.clientSecret)
    }).pipe(
      Effect.provide(
        Layer.merge(FakeAuthServer.layer({ clients: [billingClient, shippingClient] }), NodeHttpClient.layerUndici)
      ),
      output.capture
    )
  }, 30_000)
})
