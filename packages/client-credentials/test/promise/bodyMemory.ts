/**
 * Run as a child process (`node --expose-gc`) by `promise.test.ts`: sends one request body through the Promise API's
 * `fetch` to a server that counts and drops it, and prints one line of JSON: how far the process's RSS, and its heap and
 * `ArrayBuffer`s, rose above their level before the call (the body, when it is a buffer, already allocated), sampled
 * every 10 ms after a full GC; the bytes the server received; and how the call ended. Scenarios: `buffer50` (a 50 MiB `Uint8Array`), `stream200` (a 200 MiB stream of 64 KiB chunks),
 * `endless` (a stream that never ends, aborted once the server has 64 MiB of it, or after 10 s).
 */
import { createTokenClient } from "@effect-oauth2/client-credentials/promise"
import * as Server from "./server.js"

const MiB = 1024 * 1024
const chunkSize = 64 * 1024
const scenario = process.argv[2]
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

/**
 * A stream of `total` bytes (endless when `Infinity`) in fresh chunks, made as they are pulled; it lets timers run
 * every MiB, as a stream fed by I/O does.
 */
const generated = (total: number) => {
  let sent = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= total) return controller.close()
      if (sent % MiB === 0) await new Promise((resolve) => setImmediate(resolve))
      const chunk = new Uint8Array(Math.min(chunkSize, total - sent)).fill(97)
      sent += chunk.length
      controller.enqueue(chunk)
    }
  })
}

const server = await Server.start((_, response) => response.end("ok"), { discardBodies: true })
const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
// the token fetched and the runtime built before the baseline: the call costs its body only
await client.getToken()
await (await client.fetch(`${server.url}/warm`, { method: "POST", body: "warm" })).text()

const buffer = scenario === "buffer50" ? new Uint8Array(50 * MiB).fill(97) : undefined
gc()
const baseline = process.memoryUsage.rss()
const heldBaseline = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers
let heldPeak = heldBaseline
const started = Date.now()
let peak = baseline
const report = (outcome: unknown) => {
  console.log(JSON.stringify({
    scenario,
    peakGrowthMiB: Math.round((peak - baseline) / MiB),
    receivedMiB: Math.round(server.receivedBytes / MiB),
    elapsedMs: Date.now() - started,
    heldPeakMiB: Math.round((heldPeak - heldBaseline) / MiB),
    outcome
  }))
  process.exit(0)
}
const sampler = setInterval(() => {
  // collected first: what is measured is what the call holds, not garbage not collected yet
  gc()
  const usage = process.memoryUsage()
  peak = Math.max(peak, usage.rss)
  heldPeak = Math.max(heldPeak, usage.heapUsed + usage.arrayBuffers)
  // bounded: a call that holds what it is sent is reported, not let grow
  if (peak - baseline > 1024 * MiB) report({ unbounded: true })
}, 10)

const controller = new AbortController()
const init: RequestInit & { duplex?: "half" } = buffer !== undefined
  ? { method: "POST", body: buffer, signal: controller.signal }
  : {
    method: "POST",
    body: generated(scenario === "stream200" ? 200 * MiB : Infinity),
    duplex: "half",
    signal: controller.signal
  }
let abortedAt: number | undefined
if (scenario === "endless") {
  const deadline = Date.now() + 10_000
  const watch = setInterval(() => {
    if (server.receivedBytes < 64 * MiB && Date.now() < deadline) return
    clearInterval(watch)
    abortedAt = Date.now()
    controller.abort()
  }, 10)
}
const outcome = await Promise.race([
  client.fetch(`${server.url}/api`, init).then(
    async (response) => ({ status: response.status, text: await response.text() }),
    (error: unknown) => ({
      rejected: error instanceof Error ? `${error.constructor.name}: ${error.name}: ${error.message}` : String(error),
      isReason: error === controller.signal.reason,
      afterAbortMs: abortedAt === undefined ? undefined : Date.now() - abortedAt
    })
  ),
  // bounded: a call that ignores the abort is reported, not waited for
  new Promise((resolve) => setTimeout(() => resolve({ pending: true }), scenario === "endless" ? 13_000 : 60_000))
])
clearInterval(sampler)
peak = Math.max(peak, process.memoryUsage.rss())
report(outcome)
