/**
 * The key of the `AuthorizedClient` service, a `Context.Tag` class: each line declares its service in its own way,
 * and `AuthorizedClient.ts`, written once for both lines, exports it.
 */
import * as Context from "effect/Context"
import type * as AuthorizedClient_ from "../AuthorizedClient.js"

/**
 * The authorized `HttpClient`, as provided by `AuthorizedClient.layer`.
 *
 * @since 0.1.0
 * @category tags
 */
export class AuthorizedClient extends Context.Tag("@effect-oauth2/client-credentials/AuthorizedClient")<
  AuthorizedClient,
  AuthorizedClient_.Service
>() {}
