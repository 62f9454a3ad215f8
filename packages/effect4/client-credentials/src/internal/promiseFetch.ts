/**
 * The Promise API's `fetch` on the platform's own `fetch` (when `createTokenClient` is given no `httpClient`):
 * `@effect-oauth2/core/authorizedFetch` (the configured token in `Authorization`, the 401 rule, calls cut by their
 * signal or by `close()`, failures to send and of an answer's body in the library's words), with this line's token
 * and `NetworkError`, and the core's `ClosedError`.
 */
import * as AuthorizedFetch from "@effect-oauth2/core/authorizedFetch"
import { closedError } from "@effect-oauth2/core/promiseClient"
import * as Redacted from "effect/Redacted"
import type * as AccessToken from "../AccessToken.js"
import * as NetworkError from "../NetworkError.js"

/** What the native `fetch` needs of its client (`@effect-oauth2/core/authorizedFetch`'s `Client`, less this line's). */
export type Client = Omit<AuthorizedFetch.Client<AccessToken.AccessToken>, "reveal" | "closedError" | "networkError">

const reveal = (token: AccessToken.AccessToken): string => Redacted.value(token.value)

const networkError = (failure: AuthorizedFetch.Failure): NetworkError.NetworkError =>
  new NetworkError.NetworkError(failure)

/** `fetch`, authorized with the configured token; see the module's comment. */
export const make = (client: Client): AuthorizedFetch.Fetch =>
  AuthorizedFetch.make({ ...client, reveal, closedError, networkError })
