/**
 * The options and constructors the `TokenService` tests share.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import type * as ScriptedEndpoint from "./ScriptedEndpoint.js"

export const tokenUrl = "https://auth.example.com/oauth2/token"

export const clientId = "client-1"

/** A secret with every character `client_secret_basic` must encode: `:`, `%`, `+`, a space and non-ASCII. */
export const clientSecret = "s3cr:et%2F+ é-VERY-SECRET"

/** The options of a client with a token URL and a secret: one member of `TokenService.Options`, so that a spread of them stays one. */
export type SecretOptions =
  & TokenService.TokenUrlOptions
  & TokenService.ClientSecretCredentials
  & TokenService.RequestOptions
  & TokenService.PolicyOptions

export const options: SecretOptions = {
  tokenUrl,
  clientId,
  clientSecret: Redacted.make(clientSecret)
}

/** `TokenService.make` on the scripted endpoint, in the current scope. */
export const make = (endpoint: ScriptedEndpoint.ScriptedEndpoint, overrides: Partial<SecretOptions> = {}) =>
  TokenService.make({ ...options, ...overrides }).pipe(Effect.provideService(HttpClient.HttpClient, endpoint.client))

/** Lets every forked fiber run until it waits (on the clock, a deferred or forever). */
export const settle = TestClock.adjust(0)

/** The exit of `fiber` now, after letting every fiber run; `undefined` while it still waits. */
export const pollNow = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.zipRight(settle, Effect.map(Fiber.poll(fiber), Option.getOrUndefined))

/** The token's value, for assertions. */
export const value = (token: { readonly value: Redacted.Redacted<string> }): string => Redacted.value(token.value)
