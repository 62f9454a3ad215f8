/**
 * Refresh ahead (`docs/behaviour.md#refresh-ahead`), triggered by use. With the defaults and a one-hour token: leeway
 * 60 s, hard expiry at 3,540 s, usable lifetime 3,540 s, refresh point 0.8 × 3,540 s = 2,832 s minus a jitter of up to
 * 354 s. A random of 0 pins the jitter to none (2,832 s), 1 to all of it (2,478 s). Closing the service stops every
 * fiber it started, on the test clock and on real sockets.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Kit from "./internal/kit.js"
import type { Suite } from "./TestApi.js"

const hardExpiry = 3_540_000
const refreshPoint = 2_832_000

/** No refresh jitter. */
const noJitter = { random: 0 }

/**
 * The suite.
 *
 * @since 0.1.0
 * @category suites
 */
export const suite: Suite = ({ assert, describe, it }, line) => {
  describe("refresh ahead", () => {
    it("no request before the refresh point; after it, the current token at once and one background refresh", () =>
      Kit.withScripted(line, noJitter, async (net) => {
        net.script(Kit.token("old"), Kit.delayed(10_000, Kit.token("new")))
        const service = await net.service(Kit.options)
        assert.strictEqual(await Kit.valueOf(service.get()), "old")
        await Kit.setTime(net, refreshPoint - 1)
        assert.strictEqual(await Kit.valueOf(service.get()), "old")
        assert.strictEqual(net.requests().length, 1)

        await Kit.setTime(net, refreshPoint)
        const outcome = await service.get().poll()
        assert.isDefined(outcome, "the caller waited for the refresh")
        assert.strictEqual(Kit.succeeded(outcome).value, "old")
        assert.strictEqual(net.requests().length, 2)
        assert.strictEqual(net.requests()[1]!.at, refreshPoint)

        // while the refresh runs: the old token, and no second refresh
        const during = await Promise.all(
          Array.from({ length: 50 }, (_, i) => Kit.valueOf(i % 2 === 0 ? service.get() : service.get({})))
        )
        assert.deepStrictEqual(Kit.distinct(during), ["old"])
        assert.strictEqual(net.requests().length, 2)

        await net.advance(10_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "new")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("refreshes the entry of another request the same way", () =>
      Kit.withScripted(line, noJitter, async (net) => {
        net.script(Kit.token("old"), Kit.delayed(10_000, Kit.token("new")))
        const service = await net.service(Kit.options)
        const request = { scopes: ["other"] }
        assert.strictEqual(await Kit.valueOf(service.get(request)), "old")
        await Kit.setTime(net, refreshPoint - 1)
        assert.strictEqual(await Kit.valueOf(service.get(request)), "old")
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, refreshPoint)
        const outcome = await service.get(request).poll()
        assert.strictEqual(Kit.succeeded(outcome).value, "old")
        await Kit.valueOf(service.get(request))
        assert.strictEqual(net.requests().length, 2)
        await net.advance(10_000)
        assert.strictEqual(await Kit.valueOf(service.get(request)), "new")
        assert.strictEqual(net.requests().length, 2)
      }))

    it("a hung refresh never blocks a caller while the token is valid; after hard expiry callers wait", () =>
      Kit.withScripted(line, noJitter, async (net) => {
        net.script(Kit.token("old"), Kit.hang, Kit.delayed(5000, Kit.token("new")))
        const service = await net.service(Kit.optionsWith({ requestTimeout: 7_200_000 }))
        await Kit.valueOf(service.get())
        for (const at of [refreshPoint, refreshPoint + 1, 3_000_000, hardExpiry - 1]) {
          await Kit.setTime(net, at)
          const outcome = await service.get().poll()
          assert.isDefined(outcome, `blocked at ${at}`)
          assert.strictEqual(Kit.succeeded(outcome).value, "old")
        }
        assert.strictEqual(net.requests().length, 2)

        await Kit.setTime(net, hardExpiry)
        const waiting = service.get()
        assert.isUndefined(await waiting.poll())
        assert.strictEqual(net.requests().length, 3)
        await net.advance(5000)
        assert.strictEqual(await Kit.valueOf(waiting), "new")
      }))

    it("a failed refresh keeps the token, logs a warning, and the next waits 10 % of the time left", () =>
      Kit.withScripted(line, noJitter, async (net) => {
        net.script(Kit.token("old"), Kit.respond(503))
        const service = await net.service(Kit.optionsWith({ retry: { times: 0 } }))
        await Kit.valueOf(service.get())
        await Kit.setTime(net, refreshPoint)
        assert.strictEqual(await Kit.valueOf(service.get()), "old")
        await net.advance(0)
        assert.strictEqual(net.requests().length, 2)
        assert.strictEqual(await Kit.valueOf(service.get()), "old")
        const warnings = net.logs().filter((log) => log.level === "Warning")
        assert.strictEqual(warnings.length, 1)
        assert.include(warnings[0]!.text, "background token refresh failed")
        assert.include(warnings[0]!.text, "ServerError")

        // 10 % of the 708 s left: 70.8 s
        const next = refreshPoint + 70_800
        await Kit.setTime(net, next - 1)
        assert.strictEqual(await Kit.valueOf(service.get()), "old")
        await net.advance(0)
        assert.strictEqual(net.requests().length, 2)
        await Kit.setTime(net, next)
        assert.strictEqual(await Kit.valueOf(service.get()), "old")
        await net.advance(0)
        assert.strictEqual(net.requests().length, 3)
        assert.strictEqual(net.requests()[2]!.at, next)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-3")
      }))

    it("after a failed refresh close to expiry the next waits at least 1 s", () =>
      Kit.withScripted(line, noJitter, async (net) => {
        // a 100 s token: leeway min(60 s, 50 s) = 50 s, hard expiry 50 s, refresh point 0.9 × 50 s = 45 s
        net.script(Kit.token("old", { expires_in: 100 }), Kit.respond(503))
        const service = await net.service(Kit.optionsWith({ retry: { times: 0 }, refreshAhead: 0.9 }))
        await Kit.valueOf(service.get())
        await Kit.setTime(net, 44_999)
        await Kit.valueOf(service.get())
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, 45_000)
        await Kit.valueOf(service.get())
        await net.advance(0)
        assert.strictEqual(net.requests().length, 2)
        // 10 % of the 5 s left would be 0.5 s
        for (const at of [45_500, 45_999]) {
          await Kit.setTime(net, at)
          assert.strictEqual(await Kit.valueOf(service.get()), "old")
          await net.advance(0)
          assert.strictEqual(net.requests().length, 2, `at ${at}`)
        }
        await Kit.setTime(net, 46_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "old")
        await net.advance(0)
        assert.strictEqual(net.requests().length, 3)
      }))

    it("refreshAhead false: no refresh before hard expiry, then callers wait for a fetch", () =>
      Kit.withScripted(line, {}, async (net) => {
        net.script(Kit.token("old"), Kit.delayed(5000, Kit.token("new")))
        const service = await net.service(Kit.optionsWith({ refreshAhead: false }))
        await Kit.valueOf(service.get())
        for (const at of [refreshPoint, 3_000_000, hardExpiry - 1]) {
          await Kit.setTime(net, at)
          assert.strictEqual(await Kit.valueOf(service.get()), "old")
          await net.advance(0)
        }
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, hardExpiry)
        const waiting = service.get()
        assert.isUndefined(await waiting.poll())
        assert.strictEqual(net.requests().length, 2)
        await net.advance(5000)
        assert.strictEqual(await Kit.valueOf(waiting), "new")
      }))

    it("the refresh point is refreshAhead × the usable lifetime", () =>
      Kit.withScripted(line, noJitter, async (net) => {
        const service = await net.service(Kit.optionsWith({ refreshAhead: 0.5 }))
        await Kit.valueOf(service.get())
        await Kit.setTime(net, 1_769_999)
        await Kit.valueOf(service.get())
        await net.advance(0)
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, 1_770_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-1")
        await net.advance(0)
        assert.strictEqual(net.requests().length, 2)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
      }))

    it("the jitter moves the refresh point earlier by up to 10 % of the usable lifetime", () =>
      Kit.withScripted(line, { random: 1 }, async (net) => {
        const service = await net.service(Kit.options)
        await Kit.valueOf(service.get())
        await Kit.setTime(net, 2_477_999)
        await Kit.valueOf(service.get())
        await net.advance(0)
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, 2_478_000)
        await Kit.valueOf(service.get())
        await net.advance(0)
        assert.strictEqual(net.requests().length, 2)
      }))

    it("with random jitter the refresh starts between 70 % and 80 % of the usable lifetime", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        await Kit.valueOf(service.get())
        await Kit.setTime(net, 2_477_999)
        await Kit.valueOf(service.get())
        await net.advance(0)
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, refreshPoint)
        await Kit.valueOf(service.get())
        await net.advance(0)
        assert.strictEqual(net.requests().length, 2)
      }))

    it("the leeway is never more than half the lifetime", () =>
      Kit.withScripted(line, {}, async (net) => {
        // a 60 s token with the default 60 s leeway: usable for 30 s
        net.script(Kit.token("short", { expires_in: 60 }))
        const service = await net.service(Kit.optionsWith({ refreshAhead: false }))
        assert.strictEqual(await Kit.valueOf(service.get()), "short")
        await Kit.setTime(net, 29_999)
        assert.strictEqual(await Kit.valueOf(service.get()), "short")
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, 30_000)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        assert.strictEqual(net.requests().length, 2)
      }))

    for (const [leeway, expiry] of [[10_000, 3_590_000], [0, 3_600_000], [1_200_000, 2_400_000]] as const) {
      it(`expiryLeeway ${leeway} ms sets the hard expiry at ${expiry} ms`, () =>
        Kit.withScripted(line, {}, async (net) => {
          const service = await net.service(Kit.optionsWith({ refreshAhead: false, expiryLeeway: leeway }))
          await Kit.valueOf(service.get())
          await Kit.setTime(net, expiry - 1)
          assert.strictEqual(await Kit.valueOf(service.get()), "token-1")
          await Kit.setTime(net, expiry)
          assert.strictEqual(await Kit.valueOf(service.get()), "token-2")
        }))
    }

    it("an idle key costs nothing: no request however long nobody asks", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.options)
        await Kit.valueOf(service.get())
        await Kit.valueOf(service.get({ scopes: ["other"] }))
        await net.advance(36_000_000)
        assert.strictEqual(net.requests().length, 2)
        assert.strictEqual(await Kit.valueOf(service.get()), "token-3")
      }))

    it("a background refresh that dies is logged without its text, and a later one is tried", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ refreshAhead: 0.5 }))
        const first = await Kit.valueOf(service.get())
        net.script(Kit.die("boom: Authorization: Basic c2VjcmV0"))
        await Kit.setTime(net, 1_800_000)
        await Kit.valueOf(service.get())
        await net.advance(0)
        assert.strictEqual(await Kit.valueOf(service.get()), first)
        const warnings = net.logs().filter((log) => log.level === "Warning")
        assert.strictEqual(warnings.length, 1)
        assert.notInclude(warnings[0]!.text, "c2VjcmV0")
        // the failed refresh is over: after the back-off a new one goes out
        await net.advance(180_000)
        await Kit.valueOf(service.get())
        await net.advance(0)
        assert.strictEqual(net.requests().length, 3)
        assert.notStrictEqual(await Kit.valueOf(service.get()), first)
      }))

    it("a tiny refreshAhead refreshes once, not on every call", () =>
      Kit.withScripted(line, {}, async (net) => {
        const service = await net.service(Kit.optionsWith({ refreshAhead: 0.01 }))
        await Kit.valueOf(service.get())
        for (let i = 0; i < 20; i++) {
          await Kit.valueOf(service.get())
          await net.advance(0)
        }
        assert.strictEqual(net.requests().length, 1)
        await Kit.setTime(net, 40_000)
        for (let i = 0; i < 20; i++) {
          await Kit.valueOf(service.get())
          await net.advance(0)
        }
        assert.strictEqual(net.requests().length, 2)
      }))

    it("callers reaching the refresh point together start one refresh", () =>
      Kit.withScripted(line, noJitter, async (net) => {
        net.script(Kit.token("old"), Kit.delayed(1000, Kit.token("new")))
        const service = await net.service(Kit.options)
        await Kit.valueOf(service.get())
        await Kit.setTime(net, refreshPoint)
        const values = await Promise.all(Array.from({ length: 50 }, () => Kit.valueOf(service.get())))
        assert.deepStrictEqual(Kit.distinct(values), ["old"])
        assert.strictEqual(net.requests().length, 2)
        await net.advance(1000)
        assert.strictEqual(await Kit.valueOf(service.get()), "new")
        assert.strictEqual(net.requests().length, 2)
      }))
  })

  describe("refresh ahead: closing the service stops every fiber it started", () => {
    it("refreshes, shared fetches and retry waits end when the service closes; its waiting callers are interrupted", () =>
      Kit.withScripted(line, {
        ...noJitter,
        // after the first token: a 503 asking for 30 s to the scope "later", no answer to anything else
        fallback: (request) =>
          Kit.form(request).get("scope") === "later" ? Kit.respond(503, undefined, { "retry-after": "30" }) : Kit.hang
      }, async (net) => {
        net.script(Kit.token("old"))
        const service = await net.service(Kit.optionsWith({ requestTimeout: 3_600_000 }))
        await Kit.valueOf(service.get())
        // a background refresh that hangs
        await Kit.setTime(net, refreshPoint)
        await Kit.valueOf(service.get())
        // shared fetches whose callers still wait: one hangs, one waits out a Retry-After
        const callers = ["hang", "later"].map((scope) => service.get({ scopes: [scope] }))
        await callers[0]!.poll()
        assert.strictEqual(net.requests().length, 4)

        await service.close()
        assert.strictEqual(net.abandoned(), 2)
        for (const caller of callers) assert.strictEqual((await caller.outcome)._tag, "Interrupted")
        await net.advance(7_200_000)
        assert.strictEqual(net.requests().length, 4)
        // a call after the service closed ends at once, and sends nothing
        const late = await service.get().poll()
        assert.isDefined(late, "the caller still waits")
        assert.strictEqual(late?._tag, "Interrupted")
        assert.strictEqual(net.requests().length, 4)
      }))

    it("on real sockets, closing the service leaves no socket or timer", async () => {
      const hits: Array<string> = []
      const server = Http.createServer((request, response) => {
        let body = ""
        request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
        request.on("end", () => {
          hits.push(body)
          const scope = new URLSearchParams(body).get("scope")
          if (scope === "hang") return
          // no keep-alive: a socket left open is the library's
          response.writeHead(scope === "later" ? 503 : 200, {
            "content-type": "application/json",
            "connection": "close",
            ...(scope === "later" ? { "retry-after": "30" } : {})
          })
          response.end(
            scope === "later" ? "{}" : JSON.stringify({ access_token: "live", token_type: "Bearer", expires_in: 3600 })
          )
        })
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      const url = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
      const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))
      const resources = () => {
        const counts = { sockets: 0, timers: 0 }
        for (const resource of process.getActiveResourcesInfo()) {
          if (resource === "TCPSocketWrap") counts.sockets++
          if (resource === "Timeout") counts.timers++
        }
        return counts
      }
      const waitFor = async (condition: () => boolean) => {
        for (let i = 0; i < 200 && !condition(); i++) await sleep(10)
        return condition()
      }
      try {
        await Kit.withLive(line, {}, async (net) => {
          await sleep(50)
          const baseline = resources()
          const service = await net.service(Kit.optionsWith({ tokenUrl: `${url}/token`, requestTimeout: 60_000 }))
          assert.strictEqual(await Kit.valueOf(service.get()), "live")
          // callers that still wait when the service closes
          for (const scope of ["hang", "later"]) {
            service.get({ scopes: [scope] })
            await waitFor(() => hits.some((hit) => hit.includes(`scope=${scope}`)))
            await sleep(20)
          }
          const during = resources()
          assert.isAbove(during.sockets, baseline.sockets, "the hung request holds a socket")
          assert.isAbove(during.timers, baseline.timers, "the request timeout and the Retry-After wait are timers")

          await service.close()
          const settled = await waitFor(() => {
            const now = resources()
            return now.sockets <= baseline.sockets && now.timers <= baseline.timers
          })
          assert.isTrue(settled, JSON.stringify({ baseline, after: resources() }))
          assert.strictEqual(hits.length, 3)
        })
      } finally {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      }
    }, 20_000)
  })
}
