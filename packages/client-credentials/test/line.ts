/**
 * Each line's driver for the behavioural suites of `@effect-oauth2/suites` (`Line`): each call of a suite runs on the
 * line's Effect, its HTTP client and its packages, read from source. Written once for both lines (the Effect 4
 * package links it); what each line makes its own way (its scripted runtime and how it runs its fleet replica) is in
 * `line/runtimes.ts`.
 *
 * - A scripted network runs on a runtime of its own whose clock is `TestClock`; its `HttpClient` is the scripted
 *   endpoint of `line/network.ts`.
 * - A live network runs on a runtime with one of the line's socket clients.
 * - The `FakeAuthServer` is `@effect-oauth2/testing`'s, built in real time (`line/servers.ts`); the Promise API is
 *   `@effect-oauth2/client-credentials/promise`, with an HTTP client layer of the line for its `httpClient`.
 */
import * as PromiseApi from "@effect-oauth2/client-credentials/promise"
import type * as Line from "@effect-oauth2/suites/Line"
import * as Network from "./line/network.js"
import * as Runtimes from "./line/runtimes.js"
import * as Servers from "./line/servers.js"
import * as Telemetry from "./line/telemetry.js"

/** The line. */
export const line: Line.Line = {
  name: Runtimes.name,
  scripted: Network.scripted(Runtimes.scriptedRuntime),
  httpClients: Network.socketClients.map(([name]) => name),
  live: Network.live,
  fakeAuthServer: Servers.fakeAuthServer,
  promise: {
    ...(PromiseApi as unknown as Omit<Line.PromiseApi, "httpClient" | "secret">),
    httpClient: Network.promiseHttpClient,
    secret: Network.secret
  },
  fleetWorker: Runtimes.fleetWorker(new URL("../../redis/test/fleet/worker.ts", import.meta.url)),
  storedToken: Servers.storedToken,
  telemetry: Telemetry.make(Network.scripted(Runtimes.scriptedRuntime))
}
