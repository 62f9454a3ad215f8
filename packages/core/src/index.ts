/**
 * Compact JWS: the shape a client assertion must have before it is sent.
 *
 * @since 0.1.0
 */
export * as compactJws from "./compactJws.js"

/**
 * The OAuth 2.0 error codes the registries know.
 *
 * @since 0.1.0
 */
export * as errorCodes from "./errorCodes.js"

/**
 * The redactor: every spelling of a secret a server may echo, replaced, then the text cut.
 *
 * @since 0.1.0
 */
export * as redactor from "./redactor.js"

/**
 * Text helpers: control characters, cutting UTF-8.
 *
 * @since 0.1.0
 */
export * as text from "./text.js"

/**
 * URL rules: an http(s) URL without credentials or fragment, https or http on a loopback host; origins; the checks
 * of the `tokenUrl` and `issuer` options, of a metadata's `token_endpoint` and of `allowedOrigins`.
 *
 * @since 0.1.0
 */
export * as urls from "./urls.js"

/**
 * `WWW-Authenticate`: challenges, and whether one rejects a token.
 *
 * @since 0.1.0
 */
export * as wwwAuthenticate from "./wwwAuthenticate.js"

/**
 * `Retry-After`: how long a server asks to be left alone, capped.
 *
 * @since 0.1.0
 */
export * as retryAfter from "./retryAfter.js"

/**
 * A value checked, or what is wrong with it.
 *
 * @since 0.1.0
 */
export * as checked from "./checked.js"

/**
 * The client authentication methods and signing algorithms.
 *
 * @since 0.1.0
 */
export * as methods from "./methods.js"

/**
 * One token request: resolved, checked, in canonical form, encoded.
 *
 * @since 0.1.0
 */
export * as tokenRequest from "./tokenRequest.js"

/**
 * What a token endpoint's answer means.
 *
 * @since 0.1.0
 */
export * as tokenResponse from "./tokenResponse.js"

/**
 * When a token is used, refreshed and given up, and how long a failure or a shared entry is kept.
 *
 * @since 0.1.0
 */
export * as timing from "./timing.js"

/**
 * The token store on Redis: the key layout, the scripts, what their replies mean, a failure in words.
 *
 * @since 0.1.0
 */
export * as redisStore from "./redisStore.js"

/**
 * An issuer's metadata (RFC 8414, OpenID Connect Discovery): where it is published, how long it is kept, what its
 * answer and its document must be.
 *
 * @since 0.1.0
 */
export * as metadata from "./metadata.js"

/**
 * What each client authentication method adds to a token request, short of signing: the Basic credentials, the form
 * parameters, an assertion's audience, header and claims.
 *
 * @since 0.1.0
 */
export * as clientAuthentication from "./clientAuthentication.js"

/**
 * The credential options checked by method, private keys parsed (PKCS#8 PEM or JWK), and the values to redact.
 *
 * @since 0.1.0
 */
export * as credentials from "./credentials.js"

/**
 * PEM text (RFC 7468): its blocks, and the parts of a key's PEM text that must never show in an error.
 *
 * @since 0.1.0
 */
export * as pem from "./pem.js"

/**
 * The `certificate` of `private_key_jwt`: a PEM certificate and its chain read, what an assertion's header says of it
 * (`x5t#S256`, `x5c`), and its public key.
 *
 * @since 0.1.0
 */
export * as certificate from "./certificate.js"

/**
 * What went wrong in transport, in words for an error: a cause's code, a proxy that was unreachable, a body that
 * broke off; never a credential or a body.
 *
 * @since 0.1.0
 */
export * as describeCause from "./describeCause.js"

/**
 * What the library tells operators, short of the calls that tell it: span, metric and log names, labels and
 * attributes, what each event counts, the `expires_in` gauge's throttle.
 *
 * @since 0.1.0
 */
export * as telemetry from "./telemetry.js"

/**
 * One call to an authorization server in plain data: its failures as a `NetworkError`'s fields (try later, no usable
 * answer), a body announced too large, a body read up to a limit as JSON.
 *
 * @since 0.1.0
 */
export * as httpCall from "./httpCall.js"

/**
 * The wait before a retry (the schedule's, never shorter than `Retry-After`, capped) and a per-attempt timeout's
 * error.
 *
 * @since 0.1.0
 */
export * as retryPolicy from "./retryPolicy.js"

/**
 * The token endpoint on the wire: the request's method, URL, headers and form; what an answer's status says to do;
 * its body as a token or a `TokenError`'s fields.
 *
 * @since 0.1.0
 */
export * as tokenEndpoint from "./tokenEndpoint.js"

/**
 * An API's error answer as an `ApiError`'s fields: the URL without query, the challenge and the body's start, the
 * token redacted.
 *
 * @since 0.1.0
 */
export * as apiAnswer from "./apiAnswer.js"

/**
 * The three errors as plain fields: their reasons and sources, the message each reads as, whether one is terminal or
 * retryable.
 *
 * @since 0.1.0
 */
export * as errors from "./errors.js"

/**
 * `TokenService`'s options: their shapes and docs (generic over a line's secrets, assertions, durations and retry
 * schedules), defaults in millis, checks and their texts, and the variables of the environment (`OAUTH_*`).
 *
 * @since 0.1.0
 */
export * as options from "./options.js"

/**
 * Discovery's state machine: the issuer's metadata unknown, being discovered, known, kept after a failed re-read, or
 * being read again; pure transitions for a caller, a failed token endpoint and the end of a read, with the actions
 * and log words for the line's shell.
 *
 * @since 0.1.0
 * @category models
 */
export * as discoveryState from "./discoveryState.js"

/**
 * A request body read up to a limit: kept to be sent again after a 401, or streamed once; the read cut by the
 * caller's signal or the client's closing.
 *
 * @since 0.1.0
 * @category constructors
 */
export * as requestBody from "./requestBody.js"

/**
 * An authorized `fetch` on the platform's own `fetch`: the configured token in `Authorization`, the 401 rule, calls
 * cut by their signal or by `close()`, failures to send and of an answer's body described for the line's
 * `NetworkError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export * as authorizedFetch from "./authorizedFetch.js"

/**
 * What `AuthorizedClient` decides without sending anything: its options checked, the origin rule, which request bodies
 * can be sent again after a 401, the error statuses, one value per token.
 *
 * @since 0.1.0
 */
export * as authorizedClient from "./authorizedClient.js"

/**
 * The token of one request key as a state machine: its states (`Empty`, `Fetching`, `Fresh`, `Refreshing`,
 * `Failed`), the pure transitions of a call, a fetch's end, a refresh's end, a waiter that leaves and `invalidate`,
 * and the actions each leaves to the shell.
 *
 * @since 0.1.0
 */
export * as tokenState from "./tokenState.js"

/**
 * A fleet's decisions about the token its replicas share through a store: which stored token answers a fetch and its
 * times on this replica, how long a token is written for, the poll delay, the lease's renewal.
 *
 * @since 0.1.0
 */
export * as fleet from "./fleet.js"

/**
 * A shared store's health as a fleet sees it: which kinds of operation fail, for one warning per outage.
 *
 * @since 0.1.0
 */
export * as storeHealth from "./storeHealth.js"

/**
 * The outcome of work shared by many callers, and its waiters, counted in and out.
 *
 * @since 0.1.0
 */
export * as sharedOutcome from "./sharedOutcome.js"

/**
 * Node's built-in modules where the runtime has them, without a static import.
 *
 * @since 0.1.0
 */
export * as builtins from "./builtins.js"

/**
 * The start of a body read up to a limit, whatever its length says.
 *
 * @since 0.1.0
 */
export * as bodyStart from "./bodyStart.js"

/**
 * Credential files: only a regular file of at most 64 KiB, read now or with at most one read in flight per file,
 * bounded in time; failures that say what the file is, never its path or contents.
 *
 * @since 0.1.0
 */
export * as credentialFile from "./credentialFile.js"

/**
 * The key a shared token store keeps a request's token under: the SHA-256 of its canonical form, in hex.
 *
 * @since 0.1.0
 */
export * as storeKey from "./storeKey.js"

/**
 * base64url without padding, and the SHA-256 of a text in it (Web Crypto).
 *
 * @since 0.1.0
 */
export * as base64url from "./base64url.js"

/**
 * The JWK thumbprint (RFC 7638) of an EC, RSA or OKP public key, and the public JWK of a key: its required members
 * only.
 *
 * @since 0.1.0
 */
export * as jwkThumbprint from "./jwkThumbprint.js"

/**
 * The DPoP key (RFC 9449): its algorithms (ES256 by default), generated or given as a pair or a private JWK, tried
 * once; its public JWK (required members only) and thumbprint.
 *
 * @since 0.1.0
 */
export * as dpopKey from "./dpopKey.js"

/**
 * A DPoP proof (RFC 9449 §4.2): its header and claims (`htu` without query and fragment, `htm` as sent, `ath`, a
 * `jti` from the random source given in, `iat` from the time given in), signed with the DPoP key.
 *
 * @since 0.1.0
 */
export * as dpopProof from "./dpopProof.js"

/**
 * DPoP nonces (RFC 9449 §8, §9): the `DPoP-Nonce` header's syntax, and the answers that ask for a nonce (a token
 * endpoint's 400 `use_dpop_nonce`, a resource's 401 `DPoP error="use_dpop_nonce"`).
 *
 * @since 0.1.0
 */
export * as dpopNonce from "./dpopNonce.js"

/**
 * The DPoP nonces a client was last given, one per origin, bounded (100 origins by default, the least recently used
 * forgotten first).
 *
 * @since 0.1.0
 */
export * as dpopNonceMemory from "./dpopNonceMemory.js"

/**
 * A token response to a DPoP token request (RFC 9449 §5): `token_type` `DPoP` in any case, a `Bearer` answer refused.
 *
 * @since 0.1.0
 */
export * as dpopTokenResponse from "./dpopTokenResponse.js"

// `tokenEntry` (a token as a shared store keeps it, sealed with AES-256-GCM) and `redisClient` (the token store's
// operations on one ioredis client) import `node:crypto`: each is imported by its own path
// (`@effect-oauth2/core/tokenEntry`, `@effect-oauth2/core/redisClient`), so that this index loads on every runtime.

/**
 * A token store in the memory of one process: tokens and leases, each step atomic.
 *
 * @since 0.1.0
 */
export * as memoryStore from "./memoryStore.js"

/**
 * The Promise API without a runtime: its options checked, the closed client's error, the configured token's hot
 * path and shared call, a request for `fetch` read up to the replay limit, what `close()` cuts.
 *
 * @since 0.1.0
 */
export * as promiseClient from "./promiseClient.js"

/**
 * What the test kit's fake server and mock client share: a scripted HTTP answer and what makes one, random token
 * values.
 *
 * @since 0.1.0
 */
export * as scriptedAnswer from "./scriptedAnswer.js"

/**
 * The test kit's fake authorization server in plain data: its options, records and scripted answers, the token
 * endpoint's decision (client authentication, grant, scope), the protected resource's answers, its state.
 *
 * @since 0.1.0
 */
export * as fakeAuthServer from "./fakeAuthServer.js"

/**
 * The test kit's in-memory client in plain data: its scripted answers, the requests it records, the Web `Response` of
 * an answer, its script and records.
 *
 * @since 0.1.0
 */
export * as mockHttpClient from "./mockHttpClient.js"

/**
 * The test kit's test `TokenService` in plain data: what it may be told, and what it records.
 *
 * @since 0.1.0
 */
export * as tokenServiceTest from "./tokenServiceTest.js"
