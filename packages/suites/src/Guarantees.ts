/**
 * The guarantees under what production brings (`docs/behaviour.md`), each proved as a whole rather than in pieces:
 *
 * - an outage longer than a token's lifetime: callers are served the cached token until its hard expiry, then fail
 *   with `NetworkError` exactly when the retry budget is spent (never later), and recover on their own when the
 *   server returns;
 * - a wrong secret (`invalid_client`) costs at most one token request per `terminalErrorCooldown`, however many
 *   calls, concurrent or not, and whatever the cached token's refreshes do;
 * - on real sockets, with each of the line's socket clients: a token response over 1 MiB is refused without being
 *   read (the server writes a bounded part of it before the connection is closed, and the process's memory does not
 *   grow by its size); a body of exactly 1 MiB is read;
 * - a `Retry-After` of a year (delay-seconds or an HTTP-date) is waited for 60 s;
 * - a 3xx from the token endpoint sends nothing to its target (it gets no connection at all), and the error names no
 *   secret.
 *
 * The scripted tests run on the test clock: a random of 0.5 makes the retry jitter factor exactly 1, so the default
 * schedule waits 200, 400 and 800 ms, a budget of 1.4 s after the first attempt when each attempt fails at once. With
 * a one-hour token the hard expiry is at 3,540 s (leeway 60 s).
 *
 * @since 0.1.0
 */
import type * as Http from "node:http"
import * as Zlib from "node:zlib"
import * as Kit from "./internal/kit.js"
import * as Leaks from "./internal/leaks.js"
import * as Server from "./internal/server.js"
import type * as Line from "./Line.js"
import type { Suite } from "./TestApi.js"

const MiB = 1024 * 1024

const hardExpiry = 3_540_000

/** No retry jitter. */
const noJitter = { random: 0.5 }

/** The secret and the forms it goes on the wire in: no printing of an error may hold the start of any. */
const secretForms: Readonly<Record<string, string>> = {
  "the client secret": Kit.clientSecret,
  "the form-encoded secret": Leaks.formEncode(Kit.clientSecret),
  "the Basic credentials": Leaks.basicCredentials(Kit.clientId, Kit.clientSecret)
}

/** How the token endpoint fails during an outage, what each becomes, and the options it is tried with. */
const outages: ReadonlyArray<{
  readonly what: string
  readonly answer: Line.Answer
  readonly reason: string
  readonly options: Line.ServiceOptions
  /** The instants, from the first attempt, of every attempt of one fetch. */
  readonly attempts: ReadonlyArray<number>
  /** From the first attempt to the failure. */
  readonly budget: number
}> = [
  {
    what: "503s, the default schedule",
    answer: Kit.respond(503),
    reason: "ServerError",
    options: {},
    attempts: [0, 200, 600, 1400],
    budget: 1400
  },
  {
    what: "reset connections, the default schedule",
    answer: Kit.transportError(),
    reason: "Transport",
    options: {},
    attempts: [0, 200, 600, 1400],
    budget: 1400
  },
  {
    what: "no answer, requestTimeout 1 s, the default schedule",
    answer: Kit.hang,
    reason: "Timeout",
    options: { requestTimeout: 1000 },
    // each attempt is given 1 s, then the schedule's wait
    attempts: [0, 1200, 2600, 4400],
    budget: 5400
  },
  {
    what: "429s asking to wait a year, the default schedule",
    answer: Kit.respond(429, undefined, { "retry-after": "31536000" }),
    reason: "RateLimited",
    options: {},
    // each wait lengthened to the 60 s cap
    attempts: [0, 60_000, 120_000, 180_000],
    budget: 180_000
  },
  {
    what: "503s, 5 retries 10 s apart",
    answer: Kit.respond(503),
    reason: "ServerError",
    options: { retry: { times: 5, spacedMillis: 10_000 } },
    attempts: [0, 10_000, 20_000, 30_000, 40_000, 50_000],
    budget: 50_000
  }
]

/** A token response of exactly `size` bytes: `{"access_token":"big",…}` padded with spaces. */
const tokenBodyOf = (size: number): string => {
  const json = JSON.stringify({ access_token: "big", token_type: "Bearer", expires_in: 3600 })
  return json.slice(0, -1) + " ".repeat(size - json.length) + "}"
}

let bomb: Buffer | undefined

/** A gzip body (made once) that decodes to a token response of 64 MiB, its token that long. */
const gzipBomb = (): Buffer =>
  bomb ??= Zlib.gzipSync(
    Buffer.concat([
      Buffer.from("{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\""),
      Buffer.alloc(64 * MiB, 0x41),
      Buffer.from("\"}")
    ]),
    { level: 1 }
  )

/** What a token endpoint wrote of an answer, and how the connection ended. */
interface Writer {
  /** The bytes written so far. */
  readonly written: () => number
  /** Resolves once the connection has closed, with whether the whole answer was written. */
  readonly closed: Promise<{ readonly finished: boolean }>
}

/**
 * Writes an answer of `total` bytes (a token response's start, then spaces), made as it goes, 64 KiB at a time, each
 * write waiting for the socket to drain: the server never holds the body, and writes only what the client reads (and
 * the sockets' buffers hold).
 */
const lazyAnswer = (
  response: Http.ServerResponse,
  total: number,
  headers: Readonly<Record<string, string>>
): Writer => {
  let written = 0
  let finished = false
  const closed = new Promise<{ readonly finished: boolean }>((resolve) =>
    response.once("close", () => resolve({ finished }))
  )
  response.writeHead(200, { "content-type": "application/json", ...headers })
  const start = Buffer.from("{\"access_token\":\"a\",")
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  const write = () => {
    while (!response.destroyed && written < total) {
      const part = written === 0 ? start : chunk.subarray(0, Math.min(chunk.byteLength, total - written))
      written += part.byteLength
      if (!response.write(part)) return void response.once("drain", write)
    }
    if (!response.destroyed) {
      finished = true
      response.end()
    }
  }
  write()
  return { written: () => written, closed }
}

/** The process's `ArrayBuffer`s and heap, after a full collection when the process allows one. */
const heldBytes = () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  const usage = process.memoryUsage()
  return usage.arrayBuffers + usage.heapUsed
}

/** Runs `body`, sampling the memory held every 5 ms: by how much the most it held passed what it held before. */
const peakGrowth = async <A>(body: () => Promise<A>): Promise<{ readonly result: A; readonly grown: number }> => {
  const baseline = heldBytes()
  let peak = baseline
  const sampler = setInterval(() => {
    peak = Math.max(peak, heldBytes())
  }, 5)
  try {
    const result = await body()
    peak = Math.max(peak, heldBytes())
    return { result, grown: peak - baseline }
  } finally {
    clearInterval(sampler)
  }
}

/** Resolves with `promise`, or rejects after `millis` of real time. */
const within = async <A>(millis: number, what: string, promise: Promise<A>): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${millis} ms`)), millis)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("guarantees: an outage longer than a token's lifetime", () => {
    for (const outage of outages) {
      it(
        `${outage.what}: served until hard expiry, then ${outage.reason} when the budget is spent, then recovered`,
        () => {
          let down = false
          return Kit.withScripted(line, {
            ...noJitter,
            fallback: () => down ? outage.answer : Kit.token()
          }, async (net) => {
            const service = await net.service(Kit.optionsWith(outage.options))
            const cached = await Kit.valueOf(service.get())
            // the outage starts at once and lasts past the token's hour: until 10 minutes after the last failed call
            down = true
            const later = hardExpiry + 600_000
            const back = later + outage.budget + 600_000
            for (let at = 0; at < hardExpiry; at += 300_000) {
              await Kit.setTime(net, at)
              assert.strictEqual(Kit.succeeded(await service.get().poll()).value, cached, `not served at ${at}`)
            }
            await Kit.setTime(net, hardExpiry - 1)
            const concurrent = Array.from({ length: 20 }, () => service.get())
            for (const call of concurrent) {
              assert.strictEqual(Kit.succeeded(await call.poll()).value, cached, "not served just before hard expiry")
            }

            // at hard expiry: a fetch of its own, failing exactly when its last attempt has failed
            await Kit.setTime(net, hardExpiry)
            const sentBefore = net.requests().length
            const expired = service.get()
            const alsoExpired = service.get({})
            assert.isUndefined(await expired.poll(), "the expired token was served")
            const last = hardExpiry + outage.budget
            await Kit.setTime(net, last - 1)
            assert.isUndefined(await expired.poll(), "the call failed before its retry budget was spent")
            await Kit.setTime(net, last)
            const outcome = await expired.poll()
            assert.isDefined(outcome, "the call still waits once its retry budget is spent")
            const error = Kit.failed(outcome)
            assert.strictEqual(error.tag, "NetworkError")
            assert.strictEqual(error.reason, outage.reason)
            assert.strictEqual(Kit.failed(await alsoExpired.poll()).reason, outage.reason)
            assert.deepStrictEqual(
              net.requests().slice(sentBefore).map((request) => request.at - hardExpiry),
              outage.attempts
            )

            // a failure is not kept: a call at the same instant, and each later one, tries again with the same budget
            const sentAtFailure = net.requests().length
            const sameInstant = service.get()
            assert.isUndefined(await sameInstant.poll(), "the failure was answered from memory")
            assert.strictEqual(net.requests().length, sentAtFailure + 1)
            await Kit.setTime(net, last + outage.budget)
            assert.strictEqual(Kit.failed(await sameInstant.poll()).tag, "NetworkError")
            await Kit.setTime(net, later)
            const again = service.get()
            await Kit.setTime(net, later + outage.budget - 1)
            assert.isUndefined(await again.poll())
            await Kit.setTime(net, later + outage.budget)
            assert.strictEqual(Kit.failed(await again.poll()).tag, "NetworkError")

            // the server returns: a call waiting across its return gets a token, and later calls are served
            await Kit.setTime(net, back - 1)
            const across = service.get()
            await Kit.setTime(net, back)
            down = false
            await Kit.setTime(net, back + outage.budget)
            const recovered = Kit.succeeded(await across.poll()).value
            assert.notStrictEqual(recovered, cached)
            const sent = net.requests().length
            await Kit.setTime(net, back + 600_000)
            assert.strictEqual(Kit.succeeded(await service.get().poll()).value, recovered)
            assert.strictEqual(net.requests().length, sent)
          })
        },
        20_000
      )
    }

    it("the server returns while nobody calls: the next call is served at once, with no action taken", () => {
      let down = false
      return Kit.withScripted(
        line,
        { ...noJitter, fallback: () => down ? Kit.respond(503) : Kit.token() },
        async (net) => {
          const service = await net.service(Kit.options)
          await Kit.valueOf(service.get())
          down = true
          await Kit.setTime(net, hardExpiry)
          const failing = service.get()
          await net.advance(1400)
          assert.strictEqual(Kit.failed(await failing.poll()).tag, "NetworkError")
          await Kit.setTime(net, 2 * hardExpiry)
          down = false
          const outcome = await service.get().poll()
          assert.isDefined(outcome, "the first call after the outage waited")
          assert.match(Kit.succeeded(outcome).value, /^token-\d+$/)
        }
      )
    })
  })

  describe("guarantees: a wrong secret costs one token request per cool-down", () => {
    /** Fails unless every two requests are at least `window` apart, and their number is within the bound. */
    const assertOnePerWindow = (net: Line.Scripted, window: number, elapsed: number) => {
      const times = Kit.times(net)
      for (let i = 1; i < times.length; i++) {
        assert.isAtLeast(times[i]! - times[i - 1]!, window, `requests at ${times[i - 1]} and ${times[i]}`)
      }
      assert.isAtMost(times.length, Math.ceil(elapsed / window) + 1)
      return times.length
    }

    for (const window of [undefined, 30_000]) {
      const cooldown = window ?? 5000
      it(
        `terminalErrorCooldown ${
          window ?? "default (5 s)"
        }: 10 concurrent and 2 sequential calls around each window's end`,
        () =>
          Kit.withScripted(line, { fallback: Kit.oauthError("invalid_client", 401) }, async (net) => {
            const service = await net.service(Kit.optionsWith({ terminalErrorCooldown: window }))
            const elapsed = 6 * cooldown
            // just before, at and just after the end of each window
            const instants = Array.from({ length: 7 }, (_, k) => [k * cooldown - 1, k * cooldown, k * cooldown + 1])
              .flat().filter((at) => at >= 0)
            for (const at of instants) {
              await Kit.setTime(net, at)
              const concurrent = Array.from({ length: 10 }, (_, i) => service.get(i % 2 === 0 ? undefined : {}))
              for (const call of concurrent) {
                assert.strictEqual(Kit.failed(await call.poll()).fields.error, "invalid_client", `at ${at}`)
              }
              for (let i = 0; i < 2; i++) {
                assert.strictEqual((await Kit.errorOf(service.get())).fields.error, "invalid_client")
              }
            }
            const sent = assertOnePerWindow(net, cooldown, elapsed)
            // and the cool-down ends: once per window, the server is asked again
            assert.isAtLeast(sent, 6)
          }),
        20_000
      )
    }

    it(
      "a secret revoked while a token is cached: its refreshes cost one request per cool-down too",
      () =>
        Kit.withScripted(line, { random: 0, fallback: Kit.oauthError("invalid_client", 401) }, async (net) => {
          net.script(Kit.token("cached"))
          const window = 10_000
          const service = await net.service(Kit.optionsWith({ terminalErrorCooldown: window }))
          assert.strictEqual(await Kit.valueOf(service.get()), "cached")
          // from the refresh point (2,832 s), every minute; from 100 s before the hard expiry, when a failed refresh
          // is retried after less than the cool-down (10 % of the time left), every second, until 20 s past it
          const end = hardExpiry + 20_000
          const instants = [
            ...Array.from({ length: 11 }, (_, i) => 2_832_000 + i * 60_000),
            ...Array.from({ length: 121 }, (_, i) => hardExpiry - 100_000 + i * 1000)
          ]
          for (const at of instants) {
            await Kit.setTime(net, at)
            const outcome = await service.get().poll()
            assert.isDefined(outcome, `a call waited at ${at}`)
            if (at < hardExpiry) assert.strictEqual(Kit.succeeded(outcome).value, "cached")
            else assert.strictEqual(Kit.failed(outcome).fields.error, "invalid_client")
          }
          assertOnePerWindow(net, window, end)
        }),
      30_000
    )

    it(
      "a secret revoked with its token: the refresh's invalid_client is answered after the token is rejected, too",
      () =>
        Kit.withScripted(line, { random: 0, fallback: Kit.oauthError("invalid_client", 401) }, async (net) => {
          net.script(Kit.token("cached"))
          const window = 10_000
          const service = await net.service(Kit.optionsWith({ terminalErrorCooldown: window }))
          assert.strictEqual(await Kit.valueOf(service.get()), "cached")
          // the refresh at the refresh point fails with invalid_client; the API then rejects the token
          await Kit.setTime(net, 2_832_000)
          assert.strictEqual(await Kit.valueOf(service.get()), "cached")
          await net.advance(1)
          assert.strictEqual(net.requests().length, 2, "the refresh")
          await service.invalidate("cached")
          for (const at of [2_832_001, 2_836_000, 2_841_999]) {
            await Kit.setTime(net, at)
            assert.strictEqual((await Kit.errorOf(service.get())).fields.error, "invalid_client", `at ${at}`)
          }
          assert.strictEqual(net.requests().length, 2, "nothing sent inside the refresh's cool-down")
          await Kit.setTime(net, 2_842_000)
          assert.strictEqual((await Kit.errorOf(service.get())).fields.error, "invalid_client")
          assert.strictEqual(net.requests().length, 3, "asked again once the cool-down is over")
        }),
      30_000
    )

    it(
      "a refresh answered with a page (no terminal error): a caller at the hard expiry fetches at once",
      () =>
        Kit.withScripted(line, { random: 0 }, async (net) => {
          net.script(Kit.token("cached"), Kit.respond(200, "<html>sign in</html>", { "content-type": "text/html" }))
          const service = await net.service(Kit.options)
          assert.strictEqual(await Kit.valueOf(service.get()), "cached")
          // a refresh 500 ms before the hard expiry gets the page; its retry would come after the hard expiry
          await Kit.setTime(net, hardExpiry - 500)
          assert.strictEqual(await Kit.valueOf(service.get()), "cached")
          await net.advance(1)
          assert.strictEqual(net.requests().length, 2, "the refresh")
          await Kit.setTime(net, hardExpiry)
          assert.match(await Kit.valueOf(service.get()), /^token-\d+$/)
          assert.strictEqual(net.requests().length, 3)
        }),
      30_000
    )
  })

  describe("guarantees: a Retry-After of a year waits 60 s", () => {
    const year = 365 * 86_400_000
    const forms = [
      ["delay-seconds", "31536000"],
      ["an HTTP-date a year ahead", new Date(year).toUTCString()],
      ["delay-seconds past 2^53", "99999999999999999999"]
    ] as const
    for (const [form, retryAfter] of forms) {
      for (const status of [429, 503]) {
        it(`${form} on a ${status}: the next attempt at 60 s, not before, not later`, () =>
          Kit.withScripted(line, noJitter, async (net) => {
            net.script(Kit.respond(status, undefined, { "retry-after": retryAfter }))
            const service = await net.service(Kit.options)
            const call = service.get()
            await Kit.setTime(net, 59_999)
            assert.strictEqual(net.requests().length, 1)
            assert.isUndefined(await call.poll())
            await Kit.setTime(net, 60_000)
            assert.strictEqual(Kit.succeeded(await call.poll()).value, "token-2")
            assert.deepStrictEqual(Kit.times(net), [0, 60_000])
          }))
      }
    }

    it("every attempt of a fetch asked to wait a year: the budget is 3 waits of 60 s", () =>
      Kit.withScripted(
        line,
        { ...noJitter, fallback: Kit.respond(429, undefined, { "retry-after": "31536000" }) },
        async (net) => {
          const service = await net.service(Kit.options)
          const call = service.get()
          await Kit.setTime(net, 179_999)
          assert.isUndefined(await call.poll())
          await Kit.setTime(net, 180_000)
          const error = Kit.failed(await call.poll())
          assert.strictEqual(error.reason, "RateLimited")
          assert.strictEqual(error.fields.retryAfter, 60_000)
          assert.deepStrictEqual(Kit.times(net), [0, 60_000, 120_000, 180_000])
        }
      ))
  })

  describe("guarantees: a token response over 1 MiB, on real sockets", () => {
    for (const httpClient of line.httpClients) {
      for (
        const [what, headers] of [
          ["chunked", {}],
          ["with a Content-Length of 64 MiB", { "content-length": String(64 * MiB) }]
        ] as const
      ) {
        it(`${httpClient}: 64 MiB ${what} is refused, the connection closed early, memory flat`, async () => {
          let writer: Writer | undefined
          const server = await Server.start((hit, response) => {
            if (hit.body.includes("scope=warm")) {
              return Server.sendJson(response, 200, { access_token: "warm", token_type: "Bearer", expires_in: 3600 })
            }
            writer = lazyAnswer(response, 64 * MiB, headers)
          })
          try {
            await Kit.withLive(line, { httpClient }, async (net) => {
              const service = await net.service(
                Kit.optionsWith({ tokenUrl: `${server.url}/token`, retry: { times: 0 } })
              )
              // every module on the path loaded, the connection pool warm: what follows measures the read
              await Kit.valueOf(service.get({ scopes: ["warm"] }))
              const { grown, result: error } = await peakGrowth(() => Kit.errorOf(service.get()))
              assert.strictEqual(error.tag, "TokenError")
              assert.strictEqual(error.reason, "InvalidResponse")
              assert.strictEqual(error.fields.status, 200)
              assert.isDefined(writer)
              const { finished } = await within(5000, "the connection was not closed", writer!.closed)
              assert.isFalse(finished, "the whole body was written")
              assert.isBelow(writer!.written(), 16 * MiB, `the server wrote ${writer!.written()} bytes`)
              assert.isBelow(grown, 24 * MiB, `the memory held grew by ${Math.round(grown / MiB)} MiB`)
            })
          } finally {
            await server.close()
          }
        }, 20_000)
      }

      it(`${httpClient}: a gzip body that decodes to 64 MiB is refused, memory flat`, async () => {
        const bomb = gzipBomb()
        assert.isBelow(bomb.byteLength, MiB)
        await Server.withServer((hit, response) => {
          if (hit.body.includes("scope=warm")) {
            return Server.sendJson(response, 200, { access_token: "warm", token_type: "Bearer", expires_in: 3600 })
          }
          response.writeHead(200, {
            "content-type": "application/json",
            "content-encoding": "gzip",
            "content-length": String(bomb.byteLength)
          })
          response.end(bomb)
        }, (server) =>
          Kit.withLive(line, { httpClient }, async (net) => {
            const service = await net.service(
              Kit.optionsWith({ tokenUrl: `${server.url}/token`, retry: { times: 0 } })
            )
            await Kit.valueOf(service.get({ scopes: ["warm"] }))
            const { grown, result: error } = await peakGrowth(() => Kit.errorOf(service.get()))
            assert.strictEqual(error.tag, "TokenError")
            assert.strictEqual(error.reason, "InvalidResponse")
            assert.isBelow(grown, 24 * MiB, `the memory held grew by ${Math.round(grown / MiB)} MiB`)
          }))
      }, 20_000)

      it(
        `${httpClient}: without Content-Length, exactly 1 MiB is read and one byte more refused`,
        () =>
          Server.withServer((hit, response) => {
            const size = hit.body.includes("scope=over") ? MiB + 1 : MiB
            const body = Buffer.from(tokenBodyOf(size))
            assert.strictEqual(body.byteLength, size)
            response.writeHead(200, { "content-type": "application/json" })
            // in pieces, so that the answer is chunked
            for (let at = 0; at < body.byteLength; at += 100_000) response.write(body.subarray(at, at + 100_000))
            response.end()
          }, (server) =>
            Kit.withLive(line, { httpClient }, async (net) => {
              const service = await net.service(
                Kit.optionsWith({ tokenUrl: `${server.url}/token`, retry: { times: 0 } })
              )
              assert.strictEqual(await Kit.valueOf(service.get()), "big")
              const error = await Kit.errorOf(service.get({ scopes: ["over"] }))
              assert.strictEqual(error.tag, "TokenError")
              assert.strictEqual(error.reason, "InvalidResponse")
            })),
        20_000
      )
    }
  })

  describe("guarantees: a 3xx from the token endpoint sends nothing to its target", () => {
    for (const httpClient of line.httpClients) {
      it(`${httpClient}: 301, 302, 303, 307 and 308 to another server, which gets no connection`, async () => {
        const target = await Server.start((_, response) =>
          Server.sendJson(response, 200, { access_token: "redirected", token_type: "Bearer", expires_in: 3600 })
        )
        try {
          for (const status of [301, 302, 303, 307, 308]) {
            await Server.withServer((_, response) => {
              response.writeHead(status, { location: `${target.url}/token` })
              response.end()
            }, (server) =>
              Kit.withLive(line, { httpClient }, async (net) => {
                const service = await net.service(
                  Kit.optionsWith({ tokenUrl: `${server.url}/token`, retry: { times: 3 } })
                )
                const error = await Kit.errorOf(service.get())
                assert.strictEqual(error.tag, "TokenError", `${status}`)
                assert.strictEqual(error.reason, "InvalidResponse", `${status}`)
                assert.strictEqual(error.fields.status, status)
                assert.strictEqual(server.hits.length, 1, `${status}: the token endpoint was asked again`)
                Leaks.assertClean(assert, error, net.logs(), secretForms)
              }))
          }
          assert.strictEqual(target.connections(), 0, "the redirect's target was connected to")
          assert.strictEqual(target.hits.length, 0)
        } finally {
          await target.close()
        }
      }, 20_000)
    }

    it("the Promise API: a 307 to another server, which gets no connection", async () => {
      const target = await Server.start((_, response) =>
        Server.sendJson(response, 200, { access_token: "redirected", token_type: "Bearer", expires_in: 3600 })
      )
      try {
        await Server.withServer((_, response) => {
          response.writeHead(307, { location: `${target.url}/token` })
          response.end()
        }, async (server) => {
          const client = line.promise.createTokenClient({
            tokenUrl: `${server.url}/token`,
            clientId: Kit.clientId,
            clientSecret: Kit.clientSecret
          })
          try {
            const error = await client.getToken().then(
              () => assert.fail("a token from a redirect"),
              (error: unknown) => error
            )
            assert.instanceOf(error, line.promise.TokenError)
            Leaks.assertNoStart(assert, "the message", (error as Error).message, secretForms)
          } finally {
            await client.close()
          }
        })
        assert.strictEqual(target.connections(), 0, "the redirect's target was connected to")
      } finally {
        await target.close()
      }
    }, 20_000)
  })
}
