/**
 * A token endpoint in memory, as an `HttpClient`: it counts the token requests by their `scope`, answers each with a
 * new token (`token-1`, `token-2`, …), and holds the requests of a scope behind a gate until it is opened.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"

export interface Endpoint {
  readonly client: HttpClient.HttpClient
  /** The token requests sent, by scope (`""` for none). */
  readonly requests: (scope?: string) => number
  /** Holds the requests of `scope` until the gate it gives is opened. */
  readonly gate: (scope?: string) => Deferred.Deferred<void>
  /** The scopes of the requests that were interrupted while they waited. */
  readonly interrupted: Array<string>
}

const scopeOf = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  if (body._tag !== "Uint8Array") return ""
  return new URLSearchParams(new TextDecoder().decode(body.body)).get("scope") ?? ""
}

/** An endpoint whose tokens last `expiresIn` seconds. */
export const make = (expiresIn = 3600): Endpoint => {
  const counts = new Map<string, number>()
  const gates = new Map<string, Deferred.Deferred<void>>()
  const interrupted: Array<string> = []
  let issued = 0
  const client = HttpClient.make((request) =>
    Effect.suspend(() => {
      const scope = scopeOf(request)
      counts.set(scope, (counts.get(scope) ?? 0) + 1)
      const body = JSON.stringify({ access_token: `token-${++issued}`, token_type: "Bearer", expires_in: expiresIn })
      const answer = Effect.succeed(
        HttpClientResponse.fromWeb(
          request,
          new Response(body, { status: 200, headers: { "content-type": "application/json" } })
        )
      )
      const gate = gates.get(scope)
      if (gate === undefined) return answer
      return Effect.andThen(
        Effect.onInterrupt(Deferred.await(gate), () => Effect.sync(() => interrupted.push(scope))),
        answer
      )
    })
  )
  return {
    client,
    requests: (scope = "") => counts.get(scope) ?? 0,
    gate: (scope = "") => {
      const gate = Deferred.makeUnsafe<void>()
      gates.set(scope, gate)
      return gate
    },
    interrupted
  }
}

/** Lets the fibers started so far run until they wait: `times` turns of the scheduler. */
export const settle = (times = 20): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = 0; i < times; i++) yield* Effect.yieldNow
  })
