/**
 * Scenario 1, cold stampede: 1,000 callers ask for a token at the same moment, before any is cached.
 * The library should send one token request; the baseline sends one per caller.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Baseline from "./baseline.js"
import * as Report from "./report.js"
import type * as TokenServer from "./tokenServer.js"

const callers = 1000

const runLibrary = (server: TokenServer.TokenServer) =>
  Effect.gen(function*() {
    const tokens = yield* TokenService.TokenService
    server.reset()
    const started = performance.now()
    const results = yield* Effect.forEach(
      Array.from({ length: callers }),
      () => Effect.either(tokens.get),
      { concurrency: "unbounded" }
    )
    return {
      requests: server.tokenRequests,
      failures: results.filter((result) => result._tag === "Left").length,
      ms: performance.now() - started
    }
  }).pipe(
    Effect.provide(TokenService.layer({
      tokenUrl: server.tokenUrl,
      clientId: Report.clientId,
      clientSecret: Report.clientSecretRedacted
    })),
    Effect.provide(NodeHttpClient.layerUndici),
    Effect.runPromise
  )

const runBaseline = async (server: TokenServer.TokenServer) => {
  Baseline.configure({ tokenUrl: server.tokenUrl, clientId: Report.clientId, clientSecret: Report.clientSecret })
  server.reset()
  const started = performance.now()
  const results = await Promise.allSettled(Array.from({ length: callers }, () => Baseline.getToken()))
  return {
    requests: server.tokenRequests,
    failures: results.filter((result) => result.status === "rejected").length,
    ms: performance.now() - started
  }
}

/** Runs the scenario against `server`, whose token endpoint takes 50 ms. */
export const run = async (server: TokenServer.TokenServer): Promise<ReadonlyArray<Report.Row>> => {
  server.delayMs = 50
  server.lifetimeSeconds = 3600
  const library = await runLibrary(server)
  Report.progress(
    `library: ${library.requests} token request(s) for ${callers} callers, ${library.failures} failed, ` +
      `all served in ${Report.format(library.ms)} ms`
  )
  const baseline = await runBaseline(server)
  Report.progress(
    `baseline: ${baseline.requests} token request(s) for ${callers} callers, ${baseline.failures} failed, ` +
      `all served in ${Report.format(baseline.ms)} ms`
  )
  return [
    {
      scenario: "1 cold stampede",
      measure: `token requests, ${Report.format(callers)} concurrent callers`,
      library: Report.format(library.requests),
      baseline: Report.format(baseline.requests),
      goal: "1",
      met: library.requests === 1 && library.failures === 0
    },
    {
      scenario: "1 cold stampede",
      measure: "time until every caller has a token (endpoint: 50 ms)",
      library: `${Report.format(library.ms)} ms`,
      baseline: `${Report.format(baseline.ms)} ms`,
      goal: ""
    }
  ]
}
