/**
 * A real client-credentials authorization server with a protected resource, on 127.0.0.1, for tests and demos.
 *
 * @since 0.1.0
 */
export * as FakeAuthServer from "./FakeAuthServer.js"

/**
 * An in-memory `HttpClient` with scripted responses, for `TestClock`-driven tests.
 *
 * @since 0.1.0
 */
export * as MockHttpClient from "./MockHttpClient.js"

/**
 * A `TokenService` that answers with a fixed token or a function, and records what it was asked.
 *
 * @since 0.1.0
 */
export * as TokenServiceTest from "./TokenServiceTest.js"
