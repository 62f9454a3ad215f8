/**
 * The 1 MiB cap on a token response holds whatever the transport does (`docs/behaviour.md#bounds`): every token
 * response is read through a reader that counts decoded bytes, so neither a compressed body whose `Content-Length` is
 * the compressed length nor a client that lies about `Content-Length` gets a larger body in.
 */
import { TokenService } from "@effect-oauth2/client-credentials"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Zlib from "node:zlib"
import * as Endpoint from "./utils/ScriptedEndpoint.js"
import * as Server from "./utils/server.js"
import * as Service from "./utils/service.js"

const MiB = 1024 * 1024

/**
 * A gzip body that decodes to a token response of `decodedMiB` MiB (its token is that long), compressed a chunk at
 * a time so that the test itself never holds the decoded body.
 */
const gzipBomb = (decodedMiB: number) =>
  Effect.promise(() =>
    new Promise<Buffer>((resolve, reject) => {
      const gzip = Zlib.createGzip({ level: 9 })
      const parts: Array<Buffer> = []
      gzip.on("data", (part: Buffer) => parts.push(part))
      gzip.on("end", () => resolve(Buffer.concat(parts)))
      gzip.on("error", reject)
      const filler = Buffer.alloc(MiB, 0x41)
      let written = 0
      const write = () => {
        gzip.write("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"")
        const next = () => {
          while (written < decodedMiB) {
            written++
            if (!gzip.write(filler)) return gzip.once("drain", next)
          }
          gzip.end("\"}")
        }
        next()
      }
      write()
    })
  )

/** The most memory this process has held so far, in bytes. */
const peakRss = () => process.resourceUsage().maxRSS * 1024

describe("TokenService: the 1 MiB cap, whatever the transport", () => {
  it.scopedLive(
    "a gzip body that decodes past 1 MiB, through FetchHttpClient on a real socket: refused, memory flat",
    () =>
      Effect.gen(function*() {
        const decodedMiB = 128
        const bomb = yield* gzipBomb(decodedMiB)
        assert.isBelow(bomb.byteLength, MiB, "the compressed body is within the cap")
        const server = yield* Server.start((hit, response) => {
          if (hit.body.includes("scope=warm")) {
            return Server.sendJson(response, 200, { access_token: "warm", token_type: "Bearer", expires_in: 3600 })
          }
          // the compressed length, as a server sends it; Node's fetch decompresses and keeps it
          response.writeHead(200, {
            "content-type": "application/json",
            "content-encoding": "gzip",
            "content-length": String(bomb.byteLength)
          })
          response.end(bomb)
        })
        const tokens = TokenService.layer({
          ...Service.options,
          tokenUrl: `${server.url}/token`,
          retry: Schedule.stop,
          requestTimeout: "30 seconds"
        })
        yield* Effect.gen(function*() {
          const service = yield* TokenService.TokenService
          // the first request loads and warms every module on the path, so that what follows measures the read
          yield* service.getFor({ scopes: ["warm"] })
          const before = peakRss()
          const started = Date.now()
          const error = yield* Effect.flip(service.get)
          const elapsed = Date.now() - started
          const grown = peakRss() - before
          assert.strictEqual(error._tag, "TokenError")
          assert.strictEqual(error.reason, "InvalidResponse")
          assert.strictEqual((error as { detail?: string }).detail, "the response is larger than 1 MiB")
          // reading it whole holds it at least once: 128 MiB
          assert.isBelow(grown, 48 * MiB, `the peak memory grew by ${Math.round(grown / MiB)} MiB`)
          assert.isBelow(elapsed, 30_000)
        }).pipe(Effect.provide(Layer.provide(tokens, FetchHttpClient.layer)))
      }),
    60_000
  )

  it.scoped("a client that says Content-Length: 100 and sends 8 MiB: refused, at most 1 MiB and a chunk read", () =>
    Effect.gen(function*() {
      const chunk = new Uint8Array(64 * 1024).fill(0x41)
      const state = { pulledBytes: 0, cancelled: false }
      const lying: Endpoint.Answer = () =>
        Effect.sync(() => {
          let sent = 0
          const prefix = new TextEncoder().encode("{\"token_type\":\"Bearer\",\"access_token\":\"")
          return new Response(
            new ReadableStream<Uint8Array>({
              pull: (controller) => {
                const next = sent === 0 ? prefix : sent >= 8 * MiB ? new TextEncoder().encode("\"}") : chunk
                state.pulledBytes += next.byteLength
                sent += next.byteLength
                controller.enqueue(next)
                if (next.byteLength === 2) controller.close()
              },
              cancel: () => {
                state.cancelled = true
              }
            }, { highWaterMark: 0 }),
            { status: 200, headers: { "content-type": "application/json", "content-length": "100" } }
          )
        })
      const endpoint = Endpoint.make({ otherwise: lying })
      const service = yield* Service.make(endpoint, { retry: Schedule.stop })
      const error = yield* Effect.flip(service.get)
      assert.strictEqual(error._tag, "TokenError")
      assert.strictEqual(error.reason, "InvalidResponse")
      assert.strictEqual((error as { detail?: string }).detail, "the response is larger than 1 MiB")
      assert.isAbove(state.pulledBytes, MiB)
      assert.isAtMost(state.pulledBytes, MiB + 2 * chunk.byteLength)
      assert.isTrue(state.cancelled, "the body is cancelled, not left to the transport")
    }))

  it.scoped("a body of exactly 1 MiB behind a wrong Content-Length is read", () =>
    Effect.gen(function*() {
      const json = JSON.stringify({ access_token: "big", token_type: "Bearer", expires_in: 3600 })
      const body = json.slice(0, -1) + " ".repeat(MiB - json.length) + "}"
      const endpoint = Endpoint.make({ otherwise: Endpoint.respond(200, body, { "content-length": "10" }) })
      const token = yield* Effect.flatMap(Service.make(endpoint), (service) => service.get)
      assert.strictEqual(Service.value(token), "big")
    }))
})
