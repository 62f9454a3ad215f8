/**
 * The keys of the test service on this line (`Context.Service` keys) and the layer for a named token service: what
 * `TokenServiceTest.ts`, written once for both lines, exports of each line's own.
 */
import type { TokenService } from "@effect-oauth2/client-credentials"
import * as core from "@effect-oauth2/core/tokenServiceTest"
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import type { For, Options, Service } from "../TokenServiceTest.js"
import * as internal from "./tokenServiceTest.js"

/**
 * What the test `TokenService` was asked, as provided by `TokenServiceTest.layer`.
 *
 * @since 0.1.0
 * @category tags
 */
export class TokenServiceTest
  extends Context.Service<TokenServiceTest, Service>()("@effect-oauth2/testing/TokenServiceTest")
{}

/**
 * The key of what the test service standing for a named token service was asked, as provided by `layerFor`: e.g.
 * `yield* TokenServiceTest.tagFor(Billing)`.
 *
 * @since 0.1.0
 * @category tags
 */
export const tagFor = <Self>(tag: Context.Key<Self, TokenService.Service>): Context.Key<For<Self>, Service> =>
  Context.Service<For<Self>, Service>(core.recorderKey(tag.key))

/**
 * Like `layer`, for a named token service (any key whose service is a `TokenService.Service`): a layer providing a
 * test service as `tag`, and what it was asked as `tagFor(tag)`. Layers for different keys are independent.
 *
 * @example
 * ```ts
 * import { TokenService } from "@effect-oauth2/client-credentials"
 * import { TokenServiceTest } from "@effect-oauth2/testing"
 * import * as Context from "effect/Context"
 *
 * class Billing extends Context.Service<Billing, TokenService.Service>()("app/Billing") {}
 *
 * const TestBilling = TokenServiceTest.layerFor(Billing, { token: "billing-token" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFor = <Self>(
  tag: Context.Key<Self, TokenService.Service>,
  options: Options
): Layer.Layer<Self | For<Self>> => Layer.effectContext(internal.context(options, tag, tagFor(tag)))
