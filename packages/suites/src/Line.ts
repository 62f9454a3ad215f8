/**
 * The driver of one Effect line: what the behavioural suites need of it, at the level of Promises and plain data.
 * Each line implements it in its own idioms, in its tests (the Effect 3 line in
 * `packages/client-credentials/test/line.ts`); the suites never see an `Effect`, a `Layer` or a `Redacted`.
 *
 * Conventions: durations are milliseconds; secrets, tokens and assertions are strings; times read from a token are
 * epoch milliseconds of the wall clock; an option of the wrong type is passed to the line as it is (so the line's own
 * checks can refuse it). A `Scripted` network runs on the line's test clock, where no time passes unless `advance`
 * moves it; a live one (`Line.live`) on real time and real sockets.
 *
 * @since 0.1.0
 */

/**
 * Milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type Millis = number

/**
 * A retry schedule: `times` retries at most (none: no bound), each after `spacedMillis` (none: at once). `{ times:
 * 0 }` retries nothing. Absent from the options, the line's default schedule (exponential from 200 ms, jittered, at
 * most 3 retries).
 *
 * @since 0.1.0
 * @category models
 */
export interface Retry {
  readonly times?: number | undefined
  readonly spacedMillis?: Millis | undefined
}

/**
 * A token request (`getFor`'s): each field replaces the configured one; `audience: null` removes it, an `extraParams`
 * entry set to `null` removes that parameter.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenRequest {
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly audience?: string | null | undefined
  readonly resource?: string | ReadonlyArray<string> | undefined
  readonly extraParams?: Readonly<Record<string, string | null>> | undefined
}

/**
 * The options of a token service, as `TokenService`'s options with plain values: every field is the library's
 * option of the same name. `clientAssertion` is an assertion given as is for every request (the line wraps it in
 * whatever its option takes).
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceOptions {
  readonly tokenUrl?: string | undefined
  readonly issuer?: string | undefined
  readonly requireSameOriginTokenEndpoint?: boolean | undefined
  readonly allowInsecureHttp?: boolean | undefined
  readonly clientId?: string | undefined
  readonly clientSecret?: string | undefined
  readonly authMethod?:
    | "client_secret_basic"
    | "client_secret_post"
    | "client_secret_jwt"
    | "private_key_jwt"
    | "tls_client_auth"
    | "self_signed_tls_client_auth"
    | undefined
  readonly clientAssertion?: string | undefined
  /** The client certificate of mutual TLS, as PEM; `key` a plain string, the line wraps it as it holds secrets. */
  readonly tlsClientCertificate?: TlsClientCertificate | undefined
  /** A PKCS#8 PEM or a JWK in JSON. */
  readonly privateKey?: string | undefined
  readonly signingAlgorithm?: string | undefined
  readonly keyId?: string | undefined
  /** The PEM certificate of `privateKey`, then its chain if any. */
  readonly certificate?: string | undefined
  readonly sendCertificateChain?: boolean | undefined
  readonly assertionAudience?: "tokenEndpoint" | "issuer" | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly audience?: string | undefined
  readonly resource?: string | ReadonlyArray<string> | undefined
  readonly extraParams?: Readonly<Record<string, string>> | undefined
  readonly refreshAhead?: number | false | undefined
  readonly expiryLeeway?: Millis | undefined
  readonly requestTimeout?: Millis | undefined
  readonly terminalErrorCooldown?: Millis | undefined
  readonly defaultLifetime?: Millis | undefined
  readonly cacheCapacity?: number | undefined
  readonly retry?: Retry | undefined
  /** DPoP: `true` for a key generated per service, or a key of one's own (a private JWK in JSON, or a PKCS#8 PEM). */
  readonly dpop?:
    | true
    | { readonly privateKey?: string | undefined; readonly signingAlgorithm?: string | undefined }
    | undefined
}

/**
 * A client certificate and its key as PEM texts (`tlsClientCertificate`), the key a plain string here.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsClientCertificate {
  readonly cert: string
  readonly key: string
  readonly ca?: string | undefined
}

/**
 * Every printing of one value, each named by how it was made: `String`, `JSON.stringify`, `util.inspect` (at every
 * depth, hidden properties too), the line's own formatting, the printings of the cause it failed with, and the log
 * lines an application that logs the failure writes (every format the line's loggers have).
 *
 * @since 0.1.0
 * @category models
 */
export type Printings = ReadonlyArray<readonly [how: string, text: string]>

/**
 * A token, as plain data.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenData {
  readonly value: string
  readonly tokenType: string
  readonly scopes: ReadonlyArray<string>
  /** Epoch milliseconds, wall clock. */
  readonly issuedAt: number
  /** Epoch milliseconds, wall clock. */
  readonly expiresAt: number
  /** The `Authorization` header the token makes. */
  readonly authorization: string
  /** Every printing of the token object (which must hold nothing of its value). */
  readonly printings: Printings
}

/**
 * An error of the library, as plain data.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorData {
  /** `TokenError`, `NetworkError`, `ApiError`, … */
  readonly tag: string
  readonly reason: string | undefined
  /**
   * The error's fields: strings, numbers, booleans and plain objects as they are, a duration in milliseconds; plus
   * `isTerminal` and `isRetryable` where the error has them.
   */
  readonly fields: Readonly<Record<string, unknown>>
  readonly message: string
  readonly printings: Printings
}

/**
 * How a call ended.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: ErrorData }
  /** A defect: the call died. `message` is the defect's own, `printings` every printing of the cause. */
  | { readonly _tag: "Defect"; readonly message: string; readonly printings: Printings }
  | { readonly _tag: "Interrupted" }

/**
 * A call under way.
 *
 * @since 0.1.0
 * @category models
 */
export interface Call<A> {
  /**
   * Lets every fiber run until it waits (on a scripted network no time passes), then the outcome, or `undefined`
   * while the call still waits.
   */
  readonly poll: () => Promise<Outcome<A> | undefined>
  /** The outcome, once there is one. */
  readonly outcome: Promise<Outcome<A>>
  /** Interrupts the call (as a timeout around it, or a caller that leaves, would) and waits until it has ended. */
  readonly interrupt: () => Promise<void>
}

/**
 * A request the scripted network received.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly method: string
  /** The full URL, query included. */
  readonly url: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** The body as text (`""` when there is none; a streamed one read to its end). */
  readonly body: string
  /** The test clock's monotonic time when it arrived. */
  readonly at: Millis
}

/**
 * Scripted answers. `Respond`'s body may be a function making a fresh stream each time the answer is given.
 *
 * @since 0.1.0
 * @category models
 */
export type Answer =
  | {
    readonly _tag: "Respond"
    readonly status: number
    readonly headers?: Readonly<Record<string, string>> | undefined
    readonly body?: string | (() => ReadableStream<Uint8Array>) | undefined
  }
  /**
   * A 200 token response `{ access_token, token_type: "Bearer", expires_in: 3600 }`, `fields` merged over it (a field
   * set to `undefined` left out); `value` defaults to `token-<n>`, n the number of requests received so far.
   */
  | {
    readonly _tag: "Token"
    readonly value?: string | undefined
    readonly fields?: Readonly<Record<string, unknown>> | undefined
  }
  /** No answer ever; the request ends only when it is abandoned (counted by `Scripted.abandoned`). */
  | { readonly _tag: "Hang" }
  /** The request fails to be sent, as a refused or reset connection, with `cause` (default an `ECONNRESET` Error). */
  | { readonly _tag: "TransportError"; readonly cause?: unknown }
  /** `answer`, after `millis` on the test clock. */
  | { readonly _tag: "Delayed"; readonly millis: Millis; readonly answer: Answer }
  /** The HTTP client dies with an `Error` of `message` (a defect, not a failure). */
  | { readonly _tag: "Die"; readonly message: string }

/**
 * A scripted answer, or a function choosing one from the request.
 *
 * @since 0.1.0
 * @category models
 */
export type Script = Answer | ((request: RecordedRequest) => Answer)

/**
 * One log line the line's loggers wrote, at any level.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogLine {
  readonly level: "Trace" | "Debug" | "Info" | "Warning" | "Error" | "Fatal"
  /** The logged message, as text. */
  readonly message: string
  /** The line rendered in every format the line's loggers have, joined: what a leak check reads. */
  readonly text: string
}

/**
 * A token service (`TokenService.make` in a scope of its own).
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenService {
  /** `get` without a request, `getFor(request)` with one. */
  readonly get: (request?: TokenRequest) => Call<TokenData>
  /** `invalidate` with a token of this value. */
  readonly invalidate: (value: string) => Promise<void>
  /** Closes the service's scope (its layer): every fiber it started ends. */
  readonly close: () => Promise<void>
}

/**
 * A token service that always hands out the same token, whatever the request, and records what is invalidated.
 *
 * @since 0.1.0
 * @category models
 */
export interface FixedTokens {
  readonly value: string
  /** The values `invalidate` was called with, in order. */
  readonly invalidated: () => ReadonlyArray<string>
}

/**
 * What an `AuthorizedClient` takes its tokens from.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenSource = TokenService | FixedTokens

/**
 * The options of an `AuthorizedClient` (`AuthorizedClient.withTokens`), plus how the client under it is wrapped:
 * `under` lists the line's HTTP client wrappers to put under it, `baseUrl` a base URL set on top of it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  readonly request?: TokenRequest | undefined
  readonly retryOnUnauthorized?: boolean | undefined
  readonly failOnErrorStatus?: boolean | undefined
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
  readonly under?: ReadonlyArray<"followRedirects" | "filterStatusOk"> | undefined
  readonly baseUrl?: string | undefined
}

/**
 * A request through an `AuthorizedClient`. A `{ stream }` body is sent as a stream (which cannot be sent twice).
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiRequest {
  readonly method?: string | undefined
  readonly url: string
  readonly body?: string | { readonly stream: string } | undefined
}

/**
 * An API's answer, its body read as text.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * An `AuthorizedClient`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiClient {
  readonly send: (request: ApiRequest) => Call<ApiResponse>
}

/**
 * Services and clients over one network, scripted or live.
 *
 * @since 0.1.0
 * @category models
 */
export interface Network {
  /** Builds a token service; rejects with an `Error` carrying the line's message when the options are refused. */
  readonly service: (options: ServiceOptions) => Promise<TokenService>
  /** A token source that always gives `value`. */
  readonly fixedTokens: (value: string) => FixedTokens
  /** Builds an `AuthorizedClient`; rejects with an `Error` carrying the line's message when its options are refused. */
  readonly authorizedClient: (tokens: TokenSource, options?: ClientOptions) => Promise<ApiClient>
  /** Every log line written so far, by the services (their own fibers included) and the calls. */
  readonly logs: () => ReadonlyArray<LogLine>
  /** Closes every service and client built on it. */
  readonly close: () => Promise<void>
}

/**
 * How a scripted network starts.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScriptedOptions {
  /** Every random draw of the line gives this number, in [0, 1]; absent: the line's own random. */
  readonly random?: number | undefined
  /** The answer once the script is spent. Default: a `Token` answer (`token-<n>`). */
  readonly fallback?: Script | undefined
}

/**
 * An in-memory network on the line's test clock, which starts at 0 (wall and monotonic): every request goes to one
 * scripted endpoint, whatever its URL.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scripted extends Network {
  /** Appends answers: each request takes the next one; when none is left, the fallback answers. */
  readonly script: (...answers: ReadonlyArray<Script>) => void
  /** Every request received, in order, those still waiting included. */
  readonly requests: () => ReadonlyArray<RecordedRequest>
  /** How many `Hang` answers were abandoned by their caller. */
  readonly abandoned: () => number
  /**
   * Moves the test clock (both clocks) forward, waking each sleep at its own instant and letting the woken fibers run
   * before it moves on.
   */
  readonly advance: (millis: Millis) => Promise<void>
  /** The test clock's monotonic time. */
  readonly now: () => Millis
  /** Steps the wall clock by `millis` (negative: back) from now on; the monotonic clock does not move. */
  readonly stepWallClock: (millis: Millis) => void
}

/**
 * The options of the line's `FakeAuthServer`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeServerOptions {
  readonly clients?: ReadonlyArray<{ readonly clientId: string; readonly clientSecret: string }> | undefined
  readonly authMethod?: "client_secret_basic" | "client_secret_post" | undefined
  readonly tokenLifetimeSeconds?: number | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * A scripted answer of the `FakeAuthServer`'s token endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export type FakeAnswer =
  | { readonly _tag: "Normal" }
  | {
    readonly _tag: "Respond"
    readonly status: number
    readonly headers?: Readonly<Record<string, string>> | undefined
    readonly body?: string | undefined
  }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "DropConnection" }
  | { readonly _tag: "Delayed"; readonly millis: Millis; readonly answer: FakeAnswer }

/**
 * A token request as the `FakeAuthServer` saw it.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeTokenRequest {
  readonly headers: Readonly<Record<string, string>>
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly clientId: string | undefined
  readonly authMethod: string | undefined
}

/**
 * The line's `FakeAuthServer`, running on 127.0.0.1 in real time.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeServer {
  readonly tokenUrl: string
  readonly apiUrl: string
  /** The client registered first. */
  readonly client: { readonly clientId: string; readonly clientSecret: string }
  readonly tokenRequests: () => Promise<ReadonlyArray<FakeTokenRequest>>
  readonly apiRequests: () => Promise<number>
  readonly revoke: (value: string) => Promise<void>
  readonly script: (...answers: ReadonlyArray<FakeAnswer>) => Promise<void>
  readonly close: () => Promise<void>
}

/**
 * The line's Promise API (`@effect-oauth2/client-credentials/promise` on the Effect 3 line).
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseApi {
  readonly createTokenClient: (options: Readonly<Record<string, unknown>>) => PromiseClient
  readonly TokenError: abstract new(...args: ReadonlyArray<never>) => Error
  readonly NetworkError: abstract new(...args: ReadonlyArray<never>) => Error
  readonly ClosedError: abstract new(...args: ReadonlyArray<never>) => Error
  /**
   * One of the line's HTTP client layers, for `createTokenClient`'s `httpClient`: on Node's `http` module (which follows
   * no redirect), wrapped in `HttpClient.followRedirects` when `followRedirects` is set; with `tlsClientCertificate`,
   * the line's `MtlsHttpClient.layer` of that certificate.
   */
  readonly httpClient: (options?: {
    readonly followRedirects?: boolean | undefined
    readonly tlsClientCertificate?: TlsClientCertificate | undefined
  }) => unknown
  /**
   * A string as the line's secret type (`Redacted`), for an option `createTokenClient` takes only that way
   * (`tlsClientCertificate.key`).
   */
  readonly secret: (value: string) => unknown
}

/**
 * A client of the Promise API.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromiseClient {
  readonly getToken: (request?: TokenRequest) => Promise<string>
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
  readonly close: () => Promise<void>
}

/**
 * A replica of a fleet, as the line runs one: a process speaking the protocol of `fleet/worker` (see
 * `suites/Fleet.ts`).
 *
 * @since 0.1.0
 * @category models
 */
export interface FleetWorker {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  /** The line the replica must say it runs (`Line.name`): a replica that loads another line's modules is refused. */
  readonly line: string
}

/**
 * The one token entry a fleet wrote to Redis, read with the line's store.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredToken {
  /** The Redis key. */
  readonly key: string
  /** The entry as stored. */
  readonly raw: string
  /** The token's value, decoded (unsealed with `encryptionKey` when given). */
  readonly value: string
}

/**
 * A span as the line's OpenTelemetry SDK exported it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SpanData {
  readonly name: string
  readonly traceId: string
  readonly spanId: string
  /** The parent's span id; `undefined` for a root span. */
  readonly parentSpanId: string | undefined
  readonly attributes: Readonly<Record<string, unknown>>
  /** OpenTelemetry's status code, and its message when there is one. */
  readonly status: { readonly code: "unset" | "ok" | "error"; readonly message?: string | undefined }
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }>
}

/**
 * One series of a metric as the line's OpenTelemetry SDK exported it (cumulative): a counter's or a gauge's value, or
 * a histogram's count and sum.
 *
 * @since 0.1.0
 * @category models
 */
export interface MetricPoint {
  readonly attributes: Readonly<Record<string, unknown>>
  readonly value: number | { readonly count: number; readonly sum: number }
}

/**
 * A metric as the line's OpenTelemetry SDK exported it, with every series it has.
 *
 * @since 0.1.0
 * @category models
 */
export interface MetricData {
  readonly name: string
  readonly unit: string
  readonly points: ReadonlyArray<MetricPoint>
}

/**
 * A token store on an observed network (`Observed.store`): the line's memory store (`TokenStore.makeMemory`), on the
 * network's clock. With `holding`, every `get` of it finds that entry, whatever the key, as a replica finds what
 * another wrote: a Bearer token `value` without scopes, issued at wall-clock 0 for `lifetimeMillis`, with
 * `timeToLiveMillis` left in the store; what is written to the store is kept, but never read.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreOptions {
  readonly holding?: {
    readonly value: string
    readonly lifetimeMillis: Millis
    readonly timeToLiveMillis: Millis
    /** Default `Bearer`. */
    readonly tokenType?: "Bearer" | "DPoP" | undefined
  } | undefined
}

/**
 * A token store the services of an observed network share.
 *
 * @since 0.1.0
 * @category models
 */
export interface SharedStore {
  /**
   * Builds a token service on the store (`TokenService.makeWithStore`), as `Network.service` builds one without: a
   * service of this network, closed with it.
   */
  readonly service: (options: ServiceOptions) => Promise<TokenService>
}

/**
 * A scripted network whose runtime has the line's OpenTelemetry SDK (`@effect/opentelemetry`'s `NodeSdk` layer) with
 * in-memory exporters: what an operator's collector would receive. The line's metrics may be global to the process
 * (they are on Effect 3): a suite reads only the series of the client ids it used.
 *
 * @since 0.1.0
 * @category models
 */
export interface Observed extends Scripted {
  /** Every span ended so far, in the order they ended. */
  readonly spans: () => ReadonlyArray<SpanData>
  /** Every metric as exported now (a flush of the metric reader), each with every series it has. */
  readonly metrics: () => Promise<ReadonlyArray<MetricData>>
  /**
   * Runs `body`, every call it starts on this network (services built, tokens asked for, requests sent) inside a span
   * `name` of the caller's, until what `body` returns has settled.
   */
  readonly inSpan: <A>(name: string, body: () => A | Promise<A>) => Promise<A>
  /** A new token store for services of this network to share (`SharedStore`). */
  readonly store: (options?: StoreOptions) => SharedStore
}

/**
 * How an observed network starts: as a scripted one, and `tracerPropagation: false` gives every service and client the
 * `HttpClient` an application gives when it turns trace headers off, in the line's way (Effect 3:
 * `HttpClient.withTracerPropagation(client, false)`; Effect 4: `HttpClient.TracerPropagationEnabled` set to `false`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ObservedOptions extends ScriptedOptions {
  readonly tracerPropagation?: boolean | undefined
}

/**
 * A token service's life, for the wiring of its layer with the line's OpenTelemetry SDK: the service's options, the
 * scripted network's answers (`fallback`: every request, whatever it is), and the calls made to `get`, each in a span
 * of the caller's named `span`, `afterMillis` after the one before; the spans are read `settleMillis` after the last
 * call. Real time: the durations are waited for.
 *
 * @since 0.1.0
 * @category models
 */
export interface WiredScenario {
  readonly options: ServiceOptions
  readonly fallback: Script
  readonly calls: ReadonlyArray<{ readonly span: string; readonly afterMillis: Millis }>
  readonly settleMillis: Millis
}

/**
 * The line's OpenTelemetry SDK (`@effect/opentelemetry`'s `NodeSdk` layer of the line's version), with in-memory
 * exporters, around its token services.
 *
 * @since 0.1.0
 * @category models
 */
export interface Telemetry {
  /** A scripted network observed through the SDK (`Observed`). */
  readonly observed: (options?: ObservedOptions) => Promise<Observed>
  /**
   * The ways an application may put a token service's layer (`App`) and the SDK's (`Otel`) together, each named by
   * the line's code for it: `Otel` provided below `App`, above it, or beside it.
   */
  readonly wirings: ReadonlyArray<string>
  /**
   * Runs `scenario` with `App` (the service's layer, over a scripted network in real time) and `Otel` put together as
   * `wiring` says: the spans the SDK exported by its end.
   */
  readonly wired: (wiring: string, scenario: WiredScenario) => Promise<ReadonlyArray<SpanData>>
}

/**
 * The driver of one Effect line.
 *
 * @since 0.1.0
 * @category models
 */
export interface Line {
  /** `"effect3"` or `"effect4"`: named in the README's table of differences. */
  readonly name: string
  /** An in-memory network on a fresh test clock. */
  readonly scripted: (options?: ScriptedOptions) => Promise<Scripted>
  /** The names of the line's socket HTTP clients, the default first. */
  readonly httpClients: ReadonlyArray<string>
  /**
   * A network of real sockets and real time, over one of `httpClients` (default the first), or, with
   * `tlsClientCertificate`, over the line's `MtlsHttpClient` that presents it; rejects with an `Error` carrying the
   * line's message when that refuses it.
   */
  readonly live: (options?: {
    readonly httpClient?: string | undefined
    readonly tlsClientCertificate?: TlsClientCertificate | undefined
  }) => Promise<Network>
  /** Starts the line's `FakeAuthServer`; stopped by its `close`. */
  readonly fakeAuthServer: (options?: FakeServerOptions) => Promise<FakeServer>
  readonly promise: PromiseApi
  /** How to start one replica of a fleet. */
  readonly fleetWorker: FleetWorker
  /** Reads the one token entry in the Redis at `redisUrl`. */
  readonly storedToken: (redisUrl: string, encryptionKey?: string) => Promise<StoredToken>
  /** The line's OpenTelemetry SDK, in memory, around its token services. */
  readonly telemetry: Telemetry
}
