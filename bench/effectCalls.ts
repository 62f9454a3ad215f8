/**
 * Each line's calls for the scenarios measured on both lines (`line.ts`): the thin Effect-specific part. Written once
 * for both lines (`packages/effect4/bench` links it, and runs it with `--preserve-symlinks`); what differs between
 * them comes from `effectLine.ts`.
 */
import { AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import { createTokenClient } from "@effect-oauth2/client-credentials/promise"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cache from "effect/Cache"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import {
  cacheGet,
  deferredDoneUnsafe,
  deferredMakeUnsafe,
  FetchHttpClient,
  HttpClient,
  HttpClientRequest,
  HttpClientResponse,
  service
} from "./effectLine.js"
import type * as Line from "./line.js"

const options = (endpoint: Line.Endpoint): TokenService.TokenUrlOptions & TokenService.ClientSecretCredentials => ({
  tokenUrl: endpoint.tokenUrl,
  clientId: endpoint.clientId,
  clientSecret: Redacted.make(endpoint.clientSecret)
})

const effectLoop = <A, E>(effect: Effect.Effect<A, E>) => (n: number): Effect.Effect<void, E> =>
  Effect.gen(function*() {
    for (let i = 0; i < n; i++) yield* effect
  })

/** A client that answers every request at once, without I/O: what is left is the cost of the client itself. */
const inMemory = HttpClient.make((request) =>
  Effect.sync(() => HttpClientResponse.fromWeb(request, new Response("{\"ok\":true}", { status: 200 })))
)

/** The line. */
export const line: Line.Line = {
  createTokenClient: (endpoint) => createTokenClient(endpoint),
  stampede: async (endpoint) => {
    const runtime = ManagedRuntime.make(
      TokenService.layer(options(endpoint)).pipe(Layer.provide(FetchHttpClient.layer))
    )
    const tokens = await runtime.runPromise(service(TokenService.TokenService))
    return { call: () => runtime.runPromise(tokens.get), dispose: () => runtime.dispose() }
  },
  stampedeFloor: async (fetchToken) => {
    const runtime = ManagedRuntime.make(Layer.empty)
    await runtime.runPromise(Effect.void)
    const shared = deferredMakeUnsafe<string>()
    let started = false
    const awaitToken = Effect.suspend(() => {
      if (!started) {
        started = true
        fetchToken().then(
          (token) => deferredDoneUnsafe(shared, Exit.succeed(token)),
          (error: unknown) => deferredDoneUnsafe(shared, Exit.die(error))
        )
      }
      return Deferred.await(shared)
    })
    return { call: () => runtime.runPromise(awaitToken), dispose: () => runtime.dispose() }
  },
  cachedGet: async (endpoint) => {
    const runtime = ManagedRuntime.make(
      TokenService.layer(options(endpoint)).pipe(Layer.provide(NodeHttpClient.layerUndici))
    )
    const tokens = await runtime.runPromise(service(TokenService.TokenService))
    const other = tokens.getFor({ scopes: ["other"] })
    await runtime.runPromise(tokens.get)
    await runtime.runPromise(other)
    const cache = await runtime.runPromise(
      Cache.make({ capacity: 1000, timeToLive: "1 hour", lookup: (key: string) => Effect.succeed(key.length) })
    )
    const warmGet = cacheGet(cache, "warm")
    await runtime.runPromise(warmGet)
    const succeed = Effect.succeed(1)
    const loop = <A, E>(effect: Effect.Effect<A, E>) => (n: number) => runtime.runPromise(effectLoop(effect)(n))
    return {
      inEffectLoop: {
        floor: loop(succeed),
        oneOp: loop(Effect.sync(() => 1)),
        // the cheapest effect that can choose, when it runs, between a cached value and another effect
        branch: loop(Effect.suspend(() => succeed)),
        get: loop(tokens.get),
        cacheGet: loop(warmGet),
        getFor: loop(other)
      },
      runPromiseFloor: () => runtime.runPromise(succeed),
      runPromiseGet: () => runtime.runPromise(tokens.get),
      dispose: () => runtime.dispose()
    }
  },
  requestOverhead: async (endpoint, inFlight) => {
    const runtime = ManagedRuntime.make(
      TokenService.layer(options(endpoint)).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))
    )
    const { client, tokens } = await runtime.runPromise(
      Effect.all({ client: service(HttpClient.HttpClient), tokens: service(TokenService.TokenService) })
    )
    const token = await runtime.runPromise(tokens.get)
    // the same work but the token: a fixed header, and non-2xx answers failing as AuthorizedClient's do
    const withFixedHeader = <E>(self: HttpClient.HttpClient.With<E>) =>
      self.pipe(
        HttpClient.mapRequest(HttpClientRequest.setHeader("authorization", Redacted.value(token.authorization))),
        HttpClient.filterStatusOk
      )
    const batch = <E>(self: HttpClient.HttpClient.With<E>) => (url: string, n: number) =>
      runtime.runPromise(Effect.forEach(
        Array.from({ length: n }),
        () => Effect.flatMap(self.get(url), (response) => response.text),
        { concurrency: inFlight, discard: true }
      ))
    const clients = <E>(self: HttpClient.HttpClient.With<E>) => ({
      fixed: batch(withFixedHeader(self)),
      authorized: batch(AuthorizedClient.withTokens(self, { tokens })),
      control: batch(withFixedHeader(self))
    })
    return { overLoopback: clients(client), inMemory: clients(inMemory), dispose: () => runtime.dispose() }
  }
}
