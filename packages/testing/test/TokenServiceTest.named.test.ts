/**
 * Test layers for named clients (`docs/testing.md#named-clients`): `TokenServiceTest.layerFor` stands in for a named
 * token service (`TokenService.Tag`), one test layer per client, each recording what it was asked under `tagFor(tag)`.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import { TokenServiceTest } from "@effect-oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

class Billing extends TokenService.Tag("test/Billing")<Billing>() {}
class Shipping extends TokenService.Tag("test/Shipping")<Shipping>() {}

/** Application code that uses two named clients. */
const app = Effect.gen(function*() {
  const billing = yield* Billing
  const shipping = yield* Shipping
  const invoices = yield* billing.get
  const parcels = yield* shipping.getFor({ scopes: ["parcels"] })
  yield* billing.invalidate(invoices)
  return [Redacted.value(invoices.value), Redacted.value(parcels.value)] as const
})

describe("TokenServiceTest.layerFor", () => {
  it.effect("a program using two named clients, tested with two test layers that record separately", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* app, ["billing-token", "shipping-token"])
      const billing = yield* TokenServiceTest.tagFor(Billing)
      const shipping = yield* TokenServiceTest.tagFor(Shipping)
      assert.deepStrictEqual(yield* billing.requests, [{}])
      assert.deepStrictEqual(yield* shipping.requests, [{ scopes: ["parcels"] }])
      assert.deepStrictEqual((yield* billing.invalidated).map((token) => Redacted.value(token.value)), [
        "billing-token"
      ])
      assert.deepStrictEqual(yield* shipping.invalidated, [])
    }).pipe(
      Effect.provide(Layer.merge(
        TokenServiceTest.layerFor(Billing, { token: "billing-token" }),
        TokenServiceTest.layerFor(Shipping, { token: "shipping-token" })
      ))
    ))

  it("types: a test layer for Shipping does not provide Billing", () => {
    const given = app.pipe(Effect.provide(TokenServiceTest.layerFor(Shipping, { token: "t" })))
    // @ts-expect-error Billing is still required
    const wrong: Effect.Effect<unknown, unknown, never> = given
    const layer: Layer.Layer<Shipping | TokenServiceTest.For<Shipping>> = TokenServiceTest.layerFor(Shipping, {
      token: "t"
    })
    // @ts-expect-error the recorder of Shipping is not the recorder of Billing
    const recorder: Layer.Layer<TokenServiceTest.For<Billing>> = layer
    assert.isDefined([wrong, recorder])
  })
})
