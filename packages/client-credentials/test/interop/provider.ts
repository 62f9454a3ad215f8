/**
 * panva's oidc-provider 8 as a real authorization server for interop tests: started in-process on 127.0.0.1, port 0,
 * under a path (`http://127.0.0.1:<port>/tenant-a`, as Entra ID and Okta issuers have one), closed with every
 * connection when the scope closes. Quiet: explicit signing keys and cookie keys, an in-memory adapter of our own
 * (oidc-provider warns about its own), every helper it would warn about configured, errors kept, not printed.
 *
 * What oidc-provider 8.8.1 expects of a client assertion (`client_secret_jwt`, `private_key_jwt`), read in
 * `lib/shared/token_auth.js` and `lib/shared/token_jwt_auth.js`, and checked by `provider.test.ts`:
 * - `client_assertion_type` must be `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`; a `client_id` in the
 *   body is optional but must equal `sub`; no `client_secret` and no `Authorization` header beside it.
 * - `sub` is required; `iss` is required and must be the client id.
 * - `aud` is required and may be the issuer, the token endpoint URL, or the URL of the endpoint called (the same
 *   as the token endpoint for token requests), or an array holding one of them.
 * - `exp` is required; a token is expired once `now - 15 s >= exp` (`clockTolerance` 15 s). There is no upper bound
 *   on the lifetime: an `exp` an hour ahead is accepted.
 * - `jti` is required and used once: replay detection keeps `(iss, jti)` until `exp + 15 s`, a second use is 401
 *   `invalid_client` ("client assertion tokens must only be used once"): an assertion is signed per request.
 * - `iat` is optional (checked only when `exp` is absent, which is refused anyway); `nbf`, when present, must not be
 *   more than 15 s ahead.
 * - the `alg` must be one the client may use: HS256 (`client_secret_jwt`, key = the secret's UTF-8 bytes), or for
 *   `private_key_jwt` one of RS256, PS256, ES256, EdDSA that fits a registered key. jose 6's fully-specified
 *   `Ed25519` (RFC 9864) is refused: an Ed25519 key signs as `EdDSA`. `kid` is optional (without one every
 *   registered key is tried); a `kid` that is not registered is refused.
 * Every refusal of the assertion is 401 `invalid_client` with the same `error_description` ("client authentication
 * failed"; `refusals()` has the reason), except a malformed request (wrong or missing `client_assertion_type`,
 * `sub` ≠ body `client_id`) which is 400 `invalid_request`.
 *
 * oidc-provider 8 takes a secret from the `Authorization` header or the body whichever of `client_secret_basic` and
 * `client_secret_post` a client registered, so a token proves neither: `tokenRequests()` says which was sent.
 *
 * Resource indicators (RFC 8707): a client-credentials token is a JWT for the resource server only when the request
 * names it with `resource` (one value at most): then `aud` is the resource and only the resource's scopes are kept.
 * Without `resource` (and no `defaultResource` helper, as here) the token is opaque and every scope that is not an
 * OpenID Connect one (`orders:read`) is dropped: the response has no `scope`. An unknown resource is 400
 * `invalid_target`.
 *
 * oidc-provider runs on jose 5 and the tests on jose 6: keys generated with jose 6 are handed to the provider as
 * JWKs (the only form its `jwks` and client metadata take), never as key objects.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Jose from "jose"
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import type * as Net from "node:net"
import Provider, { type Context as ProviderContext, errors as ProviderErrors } from "oidc-provider"

/** The resource server (RFC 8707) the provider issues JWT access tokens for. */
export const resource = "https://api.example.com/"

/** The scope the resource server defines. */
export const resourceScope = "orders:read"

/** The path the issuer has under the server's origin. */
export const tenantPath = "/tenant-a"

/** The client-assertion algorithms the provider accepts. */
export type SigningAlgorithm = "HS256" | "RS256" | "PS256" | "ES256" | "EdDSA"

/** What the harness is started with. */
export interface Options {
  /**
   * Also serve the provider's metadata at RFC 8414's URL, `/.well-known/oauth-authorization-server/tenant-a`.
   * oidc-provider itself does not (default `false`): discovery then finds a 404 there and falls back to OpenID's
   * `/tenant-a/.well-known/openid-configuration`.
   */
  readonly rfc8414?: boolean | undefined
}

/** A client that authenticates with a shared secret. */
export interface SecretClient<Method extends "client_secret_basic" | "client_secret_post" | "client_secret_jwt"> {
  readonly clientId: string
  readonly authMethod: Method
  readonly clientSecret: Redacted.Redacted<string>
}

/** A `private_key_jwt` client; the provider knows its public key under `keyId`. */
export interface KeyClient {
  readonly clientId: string
  readonly authMethod: "private_key_jwt"
  /** The algorithms the provider accepts for this key; the first is the key's usual one. */
  readonly algorithms: readonly [SigningAlgorithm, ...Array<SigningAlgorithm>]
  /** The `kid` of the registered key (also in `privateKeyJwk`). */
  readonly keyId: string
  /** The private key as PKCS#8 PEM. */
  readonly privateKeyPem: Redacted.Redacted<string>
  /** The private key as a JWK (with `kid`, without `alg`), serialised as JSON. */
  readonly privateKeyJwk: Redacted.Redacted<string>
}

/** The registered clients, one per method; all of them may use the client-credentials grant only. */
export interface Clients {
  /** `client_secret_basic`; its id holds a `:` and its secret `:`, `%`, `+` and a space. */
  readonly basic: SecretClient<"client_secret_basic">
  /** `client_secret_post`; its secret holds `:`, `%`, `+` and a space. */
  readonly post: SecretClient<"client_secret_post">
  /** `client_secret_jwt` with HS256; its secret is 64 characters. */
  readonly secretJwt: SecretClient<"client_secret_jwt">
  /** `private_key_jwt` with an RSA 2048 key: RS256 or PS256. */
  readonly rsa: KeyClient
  /** `private_key_jwt` with an EC P-256 key: ES256. */
  readonly ec: KeyClient
  /** `private_key_jwt` with an Ed25519 key: EdDSA. */
  readonly ed25519: KeyClient
}

/** What the provider's introspection endpoint (RFC 7662) says of a token. */
export interface Introspection {
  readonly active: boolean
  readonly clientId?: string | undefined
  readonly scope?: string | undefined
  readonly aud?: string | ReadonlyArray<string> | undefined
}

/** A JWT access token the provider's keys do not verify, or that is not one of its access tokens. */
export class JwtRejected extends Data.TaggedError("JwtRejected")<{
  /** jose's error code, e.g. `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`. */
  readonly code: string
}> {}

/** One request the server received: method and path (never the query or body, which may hold a secret). */
export interface Received {
  readonly method: string
  readonly path: string
}

/** A refusal at the token endpoint: the OAuth error and oidc-provider's reason, which it does not send. */
export interface Refusal {
  readonly error: string
  /** e.g. `client assertion tokens must only be used once` */
  readonly detail: string | undefined
}

/**
 * A request to the token endpoint as the provider saw it, with no secret: oidc-provider 8 accepts a secret in the
 * `Authorization` header and in the body alike, whichever of the two the client registered, so only this tells
 * `client_secret_basic` from `client_secret_post`.
 */
export interface SeenTokenRequest {
  readonly status: number
  /** The client the provider identified, if it got that far. */
  readonly clientId: string | undefined
  readonly authentication: "client_secret_basic" | "client_secret_post" | "client_assertion" | "none"
  /** The decoded `client_assertion` (header and claims, not the signed JWT), when there was one. */
  readonly assertion: { readonly header: Jose.ProtectedHeaderParameters; readonly claims: Jose.JWTPayload } | undefined
  readonly grantType: string | undefined
  readonly scope: string | undefined
  readonly resource: string | undefined
}

/** A running provider. */
export interface Harness {
  /** `http://127.0.0.1:<port>/tenant-a` */
  readonly issuer: string
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly tokenEndpoint: string
  readonly introspectionEndpoint: string
  readonly jwksUri: string
  /** OpenID discovery: `<issuer>/.well-known/openid-configuration`. */
  readonly openidConfigurationUrl: string
  /** RFC 8414 discovery: `<origin>/.well-known/oauth-authorization-server/tenant-a` (404 unless `rfc8414`). */
  readonly rfc8414Url: string
  readonly clients: Clients
  /** Asks the introspection endpoint about `token`, authenticated as a resource server of its own. */
  readonly introspect: (token: string | Redacted.Redacted<string>) => Effect.Effect<Introspection>
  /** Verifies a JWT access token (`typ` `at+jwt`, `iss` the issuer) against the provider's JWKS; its claims. */
  readonly verifyJwt: (token: string | Redacted.Redacted<string>) => Effect.Effect<Jose.JWTPayload, JwtRejected>
  /** The requests received so far, in order, except the harness's own (metadata at start, JWKS, introspection). */
  readonly received: () => ReadonlyArray<Received>
  /** The token endpoint's requests so far, in order. */
  readonly tokenRequests: () => ReadonlyArray<SeenTokenRequest>
  /** The token endpoint's refusals so far, in order, with the reason the response leaves out. */
  readonly refusals: () => ReadonlyArray<Refusal>
  /** Errors the provider met while answering (500s), as text; empty when all went well. */
  readonly serverErrors: () => ReadonlyArray<string>
}

/** The harness as a service, for `layer(Interop.layer(...))` in tests. */
export class InteropProvider extends Context.Tag("test/interop/InteropProvider")<InteropProvider, Harness>() {}

const clientAuthMethods = ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"]
const clientAuthSigningAlgValues: ReadonlyArray<SigningAlgorithm> = ["HS256", "RS256", "PS256", "ES256", "EdDSA"]
// Real-time bound on the harness's own HTTP calls: independent of TestClock.
const fetchTimeoutMillis = 5_000
// Marks the harness's own requests (metadata, JWKS, introspection), which `received` leaves out.
const ownRequest = { "x-interop-harness": "1" }

const randomText = (bytes: number) => Crypto.randomBytes(bytes).toString("base64url")

const text = (token: string | Redacted.Redacted<string>) => typeof token === "string" ? token : Redacted.value(token)

interface KeyMaterial {
  readonly publicJwk: Jose.JWK
  readonly client: Omit<KeyClient, "clientId">
}

const keyMaterial = async (
  generate: "RS256" | "ES256" | "EdDSA",
  algorithms: KeyClient["algorithms"]
): Promise<KeyMaterial> => {
  const { privateKey, publicKey } = await Jose.generateKeyPair(generate, { extractable: true })
  const publicJwk = await Jose.exportJWK(publicKey)
  const keyId = await Jose.calculateJwkThumbprint(publicJwk)
  const privateJwk = { ...await Jose.exportJWK(privateKey), kid: keyId }
  return {
    publicJwk: { ...publicJwk, kid: keyId, use: "sig" },
    client: {
      authMethod: "private_key_jwt",
      algorithms,
      keyId,
      privateKeyPem: Redacted.make(await Jose.exportPKCS8(privateKey)),
      privateKeyJwk: Redacted.make(JSON.stringify(privateJwk))
    }
  }
}

/**
 * oidc-provider's storage for the models client credentials use (tokens, replay detection), one per harness; its
 * own memory adapter is shared by every provider in the process and warns when used.
 */
const memoryAdapter = () => {
  const entries = new Map<string, { readonly payload: Record<string, unknown>; readonly expiresAt: number }>()
  return (model: string) => {
    const key = (id: string) => `${model}:${id}`
    const read = (id: string) => {
      const entry = entries.get(key(id))
      if (entry === undefined) return undefined
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key(id))
        return undefined
      }
      return entry.payload
    }
    return {
      upsert: async (id: string, payload: Record<string, unknown>, expiresIn: number | undefined) => {
        entries.set(key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity })
      },
      find: async (id: string) => read(id),
      findByUid: async (_uid: string) => undefined,
      findByUserCode: async (_userCode: string) => undefined,
      consume: async (id: string) => {
        const payload = read(id)
        if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000)
      },
      destroy: async (id: string) => {
        entries.delete(key(id))
      },
      revokeByGrantId: async (_grantId: string) => {}
    }
  }
}

interface Listening {
  readonly server: Http.Server
  readonly origin: string
  readonly setHandler: (handler: Http.RequestListener) => void
}

/** A `node:http` server on 127.0.0.1, port 0, whose handler is set once the port (hence the issuer) is known. */
const listen = Effect.acquireRelease(
  Effect.async<Listening>((resume) => {
    let handler: Http.RequestListener = (_, response) => {
      response.writeHead(503).end()
    }
    const server = Http.createServer((request, response) => handler(request, response))
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      resume(Effect.succeed({
        server,
        origin: `http://127.0.0.1:${port}`,
        setHandler: (next) => {
          handler = next
        }
      }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

const configuration = (
  materials: {
    readonly signingJwk: Jose.JWK
    readonly secrets: { readonly basic: string; readonly post: string; readonly secretJwt: string }
    readonly clientIds: { readonly [K in keyof Clients]: string }
    readonly keys: { readonly rsa: KeyMaterial; readonly ec: KeyMaterial; readonly ed25519: KeyMaterial }
    readonly introspector: { readonly clientId: string; readonly clientSecret: string }
  }
) => {
  const machine = { grant_types: ["client_credentials"], response_types: [], redirect_uris: [] }
  const { clientIds, keys, secrets } = materials
  return {
    adapter: memoryAdapter(),
    jwks: { keys: [materials.signingJwk] },
    cookies: { keys: [randomText(32)] },
    clients: [
      {
        ...machine,
        client_id: clientIds.basic,
        client_secret: secrets.basic,
        token_endpoint_auth_method: "client_secret_basic"
      },
      {
        ...machine,
        client_id: clientIds.post,
        client_secret: secrets.post,
        token_endpoint_auth_method: "client_secret_post"
      },
      {
        ...machine,
        client_id: clientIds.secretJwt,
        client_secret: secrets.secretJwt,
        token_endpoint_auth_method: "client_secret_jwt",
        token_endpoint_auth_signing_alg: "HS256"
      },
      ...(["rsa", "ec", "ed25519"] as const).map((name) => ({
        ...machine,
        client_id: clientIds[name],
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [keys[name].publicJwk] }
      })),
      {
        ...machine,
        grant_types: [],
        client_id: materials.introspector.clientId,
        client_secret: materials.introspector.clientSecret,
        token_endpoint_auth_method: "client_secret_basic"
      }
    ],
    clientAuthMethods,
    enabledJWA: { clientAuthSigningAlgValues, idTokenSigningAlgValues: ["ES256"] },
    clientDefaults: { id_token_signed_response_alg: "ES256" },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== resource) throw new ProviderErrors.InvalidTarget(`unknown resource ${indicator}`)
          return {
            scope: resourceScope,
            audience: resource,
            accessTokenFormat: "jwt",
            accessTokenTTL: 600,
            jwt: { sign: { alg: "ES256" } }
          }
        }
      }
    },
    clientBasedCORS: () => false,
    ttl: { ClientCredentials: 600, AccessToken: 600 }
  }
}

const optionalString = (value: unknown) => typeof value === "string" ? value : undefined

const decodeAssertion = (assertion: string): SeenTokenRequest["assertion"] => {
  try {
    return { header: Jose.decodeProtectedHeader(assertion), claims: Jose.decodeJwt(assertion) }
  } catch {
    return undefined
  }
}

const seen = (ctx: ProviderContext): SeenTokenRequest => {
  const params = ctx.oidc?.params ?? {}
  const assertion = optionalString(params.client_assertion)
  const basic = ctx.headers.authorization?.toLowerCase().startsWith("basic ") === true
  return {
    status: ctx.status,
    clientId: ctx.oidc?.client?.clientId,
    authentication: basic
      ? "client_secret_basic"
      : assertion !== undefined
      ? "client_assertion"
      : params.client_secret !== undefined
      ? "client_secret_post"
      : "none",
    assertion: assertion === undefined ? undefined : decodeAssertion(assertion),
    grantType: optionalString(params.grant_type),
    scope: optionalString(params.scope),
    resource: optionalString(params.resource)
  }
}

/** Percent-encodes as `application/x-www-form-urlencoded` does (RFC 6749 §2.3.1 before Basic). */
const formEncode = (value: string) => new URLSearchParams({ value }).toString().slice("value=".length)

const fetchJson = async (
  url: string,
  init: { readonly method?: string; readonly headers?: Record<string, string>; readonly body?: URLSearchParams } = {}
) => {
  const response = await fetch(url, {
    ...init,
    headers: { ...init.headers, ...ownRequest },
    signal: AbortSignal.timeout(fetchTimeoutMillis)
  })
  const body: unknown = await response.json()
  return { status: response.status, body }
}

/**
 * Starts oidc-provider 8 on 127.0.0.1, port 0, with fresh keys and secrets; stopped, with every connection, when the
 * scope closes.
 */
export const start = (options: Options = {}): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function*() {
    const [signing, rsa, ec, ed25519] = yield* Effect.promise(() =>
      Promise.all([
        // ES256: an RSA key takes ~0.5 s to generate, and the clients already need one
        Jose.generateKeyPair("ES256", { extractable: true }).then(({ privateKey }) => Jose.exportJWK(privateKey)),
        keyMaterial("RS256", ["RS256", "PS256"]),
        keyMaterial("ES256", ["ES256"]),
        keyMaterial("EdDSA", ["EdDSA"])
      ])
    )
    const signingJwk: Jose.JWK = { ...signing, kid: "provider-signing", use: "sig", alg: "ES256" }
    const clientIds = {
      basic: "orders-service:basic",
      post: "orders-service-post",
      secretJwt: "orders-service-hs256",
      rsa: "orders-service-rsa",
      ec: "orders-service-ec",
      ed25519: "orders-service-ed25519"
    } as const
    // printable ASCII only (RFC 6749 VSCHAR), with the characters Basic needs form-encoded
    const secrets = {
      basic: `${randomText(18)}:%+ b`,
      post: `${randomText(18)}:%+ p`,
      secretJwt: randomText(48)
    }
    const introspector = { clientId: "resource-server", clientSecret: randomText(24) }

    const { origin, setHandler } = yield* listen
    const issuer = `${origin}${tenantPath}`
    const provider = yield* Effect.try({
      try: () =>
        new Provider(
          issuer,
          configuration({ signingJwk, secrets, clientIds, keys: { rsa, ec, ed25519 }, introspector })
        ),
      catch: (error) => error
    }).pipe(Effect.orDie)

    const serverErrors: Array<string> = []
    const keep = (error: unknown) =>
      serverErrors.push(error instanceof Error ? error.stack ?? error.message : String(error))
    provider.on("server_error", (_ctx: unknown, error: unknown) => keep(error))
    const refusals: Array<Refusal> = []
    provider.on("grant.error", (_ctx: unknown, error: { readonly error: string; readonly error_detail?: string }) => {
      refusals.push({ error: error.error, detail: error.error_detail })
    })
    const tokenRequests: Array<SeenTokenRequest> = []
    provider.use(async (ctx, next) => {
      await next()
      if (ctx.oidc?.route === "token") tokenRequests.push(seen(ctx))
    })
    // Koa prints uncaught errors unless someone listens
    provider.app.on("error", keep)

    const callback = provider.callback()
    const received: Array<Received> = []
    const rfc8414Path = `/.well-known/oauth-authorization-server${tenantPath}`
    setHandler((request, response) => {
      const url = request.url ?? "/"
      const path = url.split("?")[0] ?? url
      if (request.headers["x-interop-harness"] === undefined) received.push({ method: request.method ?? "", path })
      // oidc-provider works out where it is mounted from `originalUrl` minus `url`, as under Express
      const mounted = (originalUrl: string, url: string) => {
        Object.assign(request, { originalUrl })
        request.url = url
        callback(request, response)
      }
      if (options.rfc8414 === true && path === rfc8414Path) {
        // the provider's own metadata document, answered by the provider
        return mounted(`${tenantPath}/.well-known/openid-configuration`, "/.well-known/openid-configuration")
      }
      if (path === tenantPath || path.startsWith(`${tenantPath}/`)) {
        return mounted(url, url.slice(tenantPath.length) || "/")
      }
      response.writeHead(404, { "content-type": "application/json" })
      response.end(JSON.stringify({ error: "not_found" }))
    })

    const openidConfigurationUrl = `${issuer}/.well-known/openid-configuration`
    const metadata = yield* Effect.promise(() => fetchJson(openidConfigurationUrl))
    const endpoint = (name: string) => {
      const value = (metadata.body as Record<string, unknown>)[name]
      if (metadata.status !== 200 || typeof value !== "string") {
        throw new Error(`oidc-provider metadata has no ${name} (HTTP ${metadata.status})`)
      }
      return value
    }
    const tokenEndpoint = endpoint("token_endpoint")
    const introspectionEndpoint = endpoint("introspection_endpoint")
    const jwksUri = endpoint("jwks_uri")
    const jwks = Jose.createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: fetchTimeoutMillis,
      headers: ownRequest
    })

    const introspect = (token: string | Redacted.Redacted<string>) =>
      Effect.promise(async () => {
        const credentials = `${formEncode(introspector.clientId)}:${formEncode(introspector.clientSecret)}`
        const { body, status } = await fetchJson(introspectionEndpoint, {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from(credentials).toString("base64")}`,
            "content-type": "application/x-www-form-urlencoded"
          },
          body: new URLSearchParams({ token: text(token) })
        })
        if (status !== 200) throw new Error(`introspection answered HTTP ${status}`)
        const answer = body as { active?: unknown; client_id?: string; scope?: string; aud?: string | Array<string> }
        return { active: answer.active === true, clientId: answer.client_id, scope: answer.scope, aud: answer.aud }
      })

    const verifyJwt = (token: string | Redacted.Redacted<string>) =>
      Effect.tryPromise({
        try: () => Jose.jwtVerify(text(token), jwks, { issuer, typ: "at+jwt" }),
        catch: (error) =>
          new JwtRejected({ code: error instanceof Jose.errors.JOSEError ? error.code : "ERR_NOT_A_JWT" })
      }).pipe(Effect.map(({ payload }) => payload))

    const client = <M extends "client_secret_basic" | "client_secret_post" | "client_secret_jwt">(
      clientId: string,
      authMethod: M,
      secret: string
    ): SecretClient<M> => ({ clientId, authMethod, clientSecret: Redacted.make(secret) })

    return {
      issuer,
      origin,
      tokenEndpoint,
      introspectionEndpoint,
      jwksUri,
      openidConfigurationUrl,
      rfc8414Url: `${origin}${rfc8414Path}`,
      clients: {
        basic: client(clientIds.basic, "client_secret_basic", secrets.basic),
        post: client(clientIds.post, "client_secret_post", secrets.post),
        secretJwt: client(clientIds.secretJwt, "client_secret_jwt", secrets.secretJwt),
        rsa: { clientId: clientIds.rsa, ...rsa.client },
        ec: { clientId: clientIds.ec, ...ec.client },
        ed25519: { clientId: clientIds.ed25519, ...ed25519.client }
      },
      introspect,
      verifyJwt,
      received: () => received.slice(),
      tokenRequests: () => tokenRequests.slice(),
      refusals: () => refusals.slice(),
      serverErrors: () => serverErrors.slice()
    }
  })

/** The harness as a layer: started when the layer is built, stopped when it is released. */
export const layer = (options: Options = {}): Layer.Layer<InteropProvider> =>
  Layer.scoped(InteropProvider, start(options))
