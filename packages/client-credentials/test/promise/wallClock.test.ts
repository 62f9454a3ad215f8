/**
 * The Promise API's cached `getToken()` compares the monotonic clock with the refresh point, as the service does
 * (`docs/promise.md#gettoken`, `docs/behaviour.md#time`): a wall clock stepped back (an NTP step, a VM restored from a
 * snapshot) does not keep a token past its lifetime. Real time, a token of two seconds (its hard expiry one second
 * after it was sent).
 */
import { createTokenClient } from "@effect-oauth2/client-credentials/promise"
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import * as Server from "./server.js"

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

afterEach(() => {
  vi.restoreAllMocks()
})

describe("promise: a wall clock that steps", () => {
  it("stepped back an hour: getToken gives up a two-second token at its hard expiry", async () => {
    const server = await Server.start()
    server.expiresIn = 2
    const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
    try {
      assert.strictEqual(await client.getToken(), "t1")
      const realNow = Date.now.bind(Date)
      vi.spyOn(Date, "now").mockImplementation(() => realNow() - 3_600_000)
      await sleep(1_200)
      assert.notStrictEqual(await client.getToken(), "t1", "served past its hard expiry")
      assert.strictEqual(server.tokenRequests.length, 2)
    } finally {
      await client.close()
      await server.close()
    }
  })
})
