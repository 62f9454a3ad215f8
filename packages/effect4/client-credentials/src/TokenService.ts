/**
 * The service that gets and keeps access tokens: cached per request, fetched once for any number of concurrent
 * callers, refreshed ahead of expiry in the background, retried on transient failures.
 *
 * @since 0.1.0
 */
import type * as CoreOptions from "@effect-oauth2/core/options"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as options_ from "./internal/options.js"
import * as internal from "./internal/tokenService.js"
import type { Options, Service, TagLayers } from "./internal/tokenServiceTypes.js"
import type * as NetworkError from "./NetworkError.js"
import type * as TokenError from "./TokenError.js"
import * as TokenStore from "./TokenStore.js"

export type * from "./internal/tokenServiceTypes.js"

/**
 * The token service, as provided by `TokenService.layer`, `layerPrefetched` or `layerConfig`.
 *
 * @since 0.1.0
 * @category tags
 */
export class TokenService
  extends Context.Service<TokenService, Service>()("@effect-oauth2/client-credentials/TokenService")
{}

/**
 * When tokens are renewed, retried and forgotten (`PolicyOptions` of `@effect-oauth2/core/options`, where each option
 * and its default is described), durations as `Duration.Input`, the retry schedule a `Schedule`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PolicyOptions
  extends CoreOptions.PolicyOptions<Duration.Input, Schedule.Schedule<unknown, NetworkError.NetworkError>>
{}

/**
 * How a token service uses a shared `TokenStore` (`layerWithStore`): `StoreOptions` of `@effect-oauth2/core/options`,
 * durations as `Duration.Input`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreOptions extends CoreOptions.StoreOptions<Duration.Input> {}

/** The service; invalid options are a defect. */
const makeService = (
  options: Options & StoreOptions,
  store?: TokenStore.Service
): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
  internal.makeWith(options, (problem) => Effect.die(new Cause.IllegalArgumentError(`TokenService: ${problem}`)), store)

/**
 * Creates the service. Fibers it starts (background refreshes, shared fetches) belong to the scope.
 * Dies with an `IllegalArgumentError` when the options are invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
  makeService(options)

/**
 * A layer providing `TokenService`. Nothing is fetched until the first call.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<TokenService, never, HttpClient.HttpClient> =>
  Layer.effect(TokenService, make(options))

/** The service, its configured token fetched first. */
const prefetched = (options: Options) => Effect.tap(make(options), (service) => service.get)

/**
 * A layer providing `TokenService` that fetches the configured token while it is built, so that a wrong secret
 * or an unreachable endpoint fails the start-up instead of the first request.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPrefetched = (
  options: Options
): Layer.Layer<TokenService, TokenError.TokenError | NetworkError.NetworkError, HttpClient.HttpClient> =>
  Layer.effect(TokenService, prefetched(options))

/**
 * Creates a service that shares its tokens through the `TokenStore` in the context with the other replicas of the
 * fleet: behind its own cache, it looks in the store before the token endpoint, and one replica fetches while the
 * others wait for its token. Dies with an `IllegalArgumentError` when the options are invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWithStore = (
  options: Options & StoreOptions
): Effect.Effect<Service, never, HttpClient.HttpClient | TokenStore.TokenStore | Scope.Scope> =>
  Effect.flatMap(TokenStore.TokenStore, (store) => makeService(options, store))

/**
 * A layer providing `TokenService` that shares tokens across a fleet through a `TokenStore` (e.g.
 * `RedisTokenStore.layer` from `@effect-oauth2/redis`, or `TokenStore.layerMemory`): the fleet asks the token
 * endpoint for one token per lifetime, not one per replica. A call that finds a fresh token in the process never
 * touches the store. A store that fails, is slow or answers garbage is a miss: the replica fetches directly.
 *
 * @example
 * ```ts
 * import { TokenService } from "@effect-oauth2/client-credentials"
 * import { RedisTokenStore } from "@effect-oauth2/redis"
 * import { Layer, Redacted } from "effect"
 *
 * const TokenLive = TokenService.layerWithStore({
 *   tokenUrl: "https://auth.example.com/oauth/token",
 *   clientId: "billing",
 *   clientSecret: Redacted.make("…")
 * }).pipe(Layer.provide(RedisTokenStore.layer({ url: "redis://127.0.0.1:6379" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithStore = (
  options: Options & StoreOptions
): Layer.Layer<TokenService, never, HttpClient.HttpClient | TokenStore.TokenStore> =>
  Layer.effect(TokenService, makeWithStore(options))

/**
 * The options read from the environment: `OAUTH_TOKEN_URL` or `OAUTH_ISSUER`, `OAUTH_CLIENT_ID`,
 * `OAUTH_AUTH_METHOD`, then `OAUTH_CLIENT_SECRET` (redacted), or for `private_key_jwt` `OAUTH_PRIVATE_KEY` or
 * `OAUTH_PRIVATE_KEY_FILE` (with `OAUTH_KEY_ID`, `OAUTH_SIGNING_ALGORITHM`, `OAUTH_CERTIFICATE_FILE`,
 * `OAUTH_SEND_CERTIFICATE_CHAIN`) or `OAUTH_CLIENT_ASSERTION_FILE` (read again for every token request, within 5
 * seconds); optionally `OAUTH_SCOPE` (space-separated), `OAUTH_AUDIENCE`.
 * A file named by a variable must be a regular file of at most 64 KiB.
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<Options> = options_.fromEnv

/**
 * `config` with another prefix in place of `OAUTH_`: `configWithPrefix("BILLING_OAUTH_")` reads
 * `BILLING_OAUTH_TOKEN_URL`, `BILLING_OAUTH_CLIENT_ID`, `BILLING_OAUTH_CLIENT_SECRET`, … The prefix is used as
 * given: nothing is added to it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const configWithPrefix: (prefix: string) => Config.Config<Options> = options_.fromEnvWithPrefix

// the options are checked once read, by `makeWith`: its errors name the variable an option came from, or the option
const makeConfig = (options: Config.Wrap<Options & StoreOptions>, store?: TokenStore.Service) =>
  Effect.flatMap(
    Config.unwrap(options),
    (options) => internal.makeWith(options, (problem) => Effect.fail(options_.invalidOptions(options, problem)), store)
  )

/**
 * A layer providing `TokenService` from `Config`: by default `config` (the environment), or any
 * `Config.Wrap<Options>`, e.g. `{ tokenUrl: Config.string("IDP_URL"), retry: Config.succeed(schedule), … }`.
 * Invalid options fail the layer with a `Config.ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Wrap<Options> = config
): Layer.Layer<TokenService, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(TokenService, makeConfig(options))

/**
 * `layerWithStore` from `Config`, as `layerConfig` is `layer` from `Config`: by default `config` (the environment),
 * or any `Config.Wrap<Options & StoreOptions>`. Invalid options fail the layer with a `Config.ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfigWithStore = (
  options: Config.Wrap<Options & StoreOptions> = config
): Layer.Layer<TokenService, Config.ConfigError, HttpClient.HttpClient | TokenStore.TokenStore> =>
  Layer.effect(
    TokenService,
    Effect.flatMap(TokenStore.TokenStore, (store) => makeConfig(options, store))
  )

/**
 * A named token service's key, declared with `TokenService.Tag`, with the layers of `TokenService` providing it
 * instead.
 *
 * @since 0.1.0
 * @category models
 */
export interface TagClass<Self, Id extends string>
  extends Context.ServiceClass<Self, Id, Service>, TagLayers<Self, StoreOptions>
{
  /**
   * Like `TokenService.layerConfig`: any `Config.Wrap<Options>`, or `{ prefix }` to read the environment with
   * `configWithPrefix(prefix)`. Without an argument it reads `config` (`OAUTH_*`): no prefix is derived from the id.
   */
  readonly layerConfig: (
    options?: Config.Wrap<Options> | { readonly prefix: string }
  ) => Layer.Layer<Self, Config.ConfigError, HttpClient.HttpClient>
}

/**
 * Declares a named token service, for an application that gets tokens from several clients (different
 * credentials, servers or APIs): each has its own key, layer and cache, and a program that needs one does not
 * type-check when given another. The id must be unique in the application: keys with the same id are the same
 * service.
 *
 * @example
 * ```ts
 * import { TokenService } from "@effect-oauth2/client-credentials"
 *
 * class Billing extends TokenService.Tag("app/Billing")<Billing>() {}
 * class Shipping extends TokenService.Tag("app/Shipping")<Shipping>() {}
 *
 * const BillingLive = Billing.layerConfig({ prefix: "BILLING_OAUTH_" }) // BILLING_OAUTH_TOKEN_URL, …
 * const ShippingLive = Shipping.layerConfig({ prefix: "SHIPPING_OAUTH_" })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Tag = <const Id extends string>(id: Id) => <Self>(): TagClass<Self, Id> => {
  const key = Context.Service<Self, Service>()(id)
  const statics: Omit<TagClass<Self, Id>, keyof Context.ServiceClass<Self, Id, Service>> = {
    layer: (options) => Layer.effect(key, make(options)),
    layerWithStore: (options) => Layer.effect(key, makeWithStore(options)),
    layerPrefetched: (options) => Layer.effect(key, prefetched(options)),
    layerConfig: (options = config) =>
      Layer.effect(key, makeConfig(isPrefix(options) ? configWithPrefix(options.prefix) : options))
  }
  return Object.assign(key, statics)
}

const isPrefix = (
  options: Config.Wrap<Options> | { readonly prefix: string }
): options is { readonly prefix: string } =>
  !Config.isConfig(options) && typeof (options as { readonly prefix?: unknown }).prefix === "string"
