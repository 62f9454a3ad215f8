/**
 * The timing arithmetic, alone: a token's refresh point, hard expiry and leeway (`docs/behaviour.md#refresh-ahead`),
 * when a failed refresh tries again (same section), how long a failure is answered from memory
 * (`docs/behaviour.md#failures-remembered`), and how long a replica holds a token read from a shared store
 * (`docs/fleet.md#the-protocol`).
 */
import { assert, describe, it } from "vitest"
import * as Timing from "../src/timing.js"

// a lifetime of 1,060 s less a leeway of 60 s: 1,000,000 ms of usable life, from 5,000 to 1,005,000
const startedAt = 5_000
const token = { startedAt, lifetimeMillis: 1_060_000, leewayMillis: 60_000 }

describe("timing: leeway", () => {
  it("is the leeway asked for, at most half the lifetime", () => {
    assert.strictEqual(Timing.leewayOf(1_000, 200), 200)
    assert.strictEqual(Timing.leewayOf(1_000, 500), 500)
    assert.strictEqual(Timing.leewayOf(1_000, 600), 500)
    assert.strictEqual(Timing.leewayOf(1_000, 0), 0)
  })
})

describe("timing: a token's schedule", () => {
  it("expires at the end of the lifetime, and is given up a leeway before", () => {
    const schedule = Timing.scheduleOf({ ...token, refreshAhead: 0.75, random: 0 })
    assert.strictEqual(schedule.expiresAt, 1_065_000)
    assert.strictEqual(schedule.hardExpiresAt, 1_005_000)
  })

  it("refreshes at refreshAhead of the usable life (issue to hard expiry) with no jitter drawn", () => {
    const schedule = Timing.scheduleOf({ ...token, refreshAhead: 0.75, random: 0 })
    assert.strictEqual(schedule.refreshAt, 5_000 + 750_000)
  })

  it("draws a jitter of up to 10 % of the usable life before the refresh point", () => {
    const half = Timing.scheduleOf({ ...token, refreshAhead: 0.75, random: 0.5 })
    assert.closeTo(half.refreshAt, 5_000 + 750_000 - 50_000, 1e-6)
    // `random` is in [0, 1): the earliest refresh point is just after 65 % of the usable life
    const nearOne = Timing.scheduleOf({ ...token, refreshAhead: 0.75, random: 0.999999 })
    assert.closeTo(nearOne.refreshAt, 5_000 + 750_000 - 99_999.9, 1e-6)
    assert.isAbove(nearOne.refreshAt, 5_000 + 650_000)
  })

  it("never draws a jitter of more than half refreshAhead: a token is never refreshed before it is a moment old", () => {
    // refreshAhead 0.1: the jitter is at most 5 % of the usable life, not 10 %
    const small = Timing.scheduleOf({ ...token, refreshAhead: 0.1, random: 0.5 })
    assert.closeTo(small.refreshAt, 5_000 + 100_000 - 25_000, 1e-6)
    const nearOne = Timing.scheduleOf({ ...token, refreshAhead: 0.1, random: 0.999999 })
    assert.closeTo(nearOne.refreshAt, 5_000 + 100_000 - 49_999.95, 1e-6)
    assert.isAbove(nearOne.refreshAt, startedAt + 50_000)
    // at refreshAhead 0.2 the two bounds meet: 10 %
    const meet = Timing.scheduleOf({ ...token, refreshAhead: 0.2, random: 0.5 })
    assert.closeTo(meet.refreshAt, 5_000 + 200_000 - 50_000, 1e-6)
  })

  it("refreshes at the hard expiry with refreshAhead false, whatever the draw", () => {
    for (const random of [0, 0.5, 0.999999]) {
      assert.deepStrictEqual(Timing.scheduleOf({ ...token, refreshAhead: false, random }), {
        expiresAt: 1_065_000,
        hardExpiresAt: 1_005_000,
        refreshAt: 1_005_000
      })
    }
  })

  it("never refreshes after the hard expiry", () => {
    const schedule = Timing.scheduleOf({ ...token, refreshAhead: 1.5, random: 0.5 })
    assert.strictEqual(schedule.refreshAt, 1_005_000)
  })

  it("caps the leeway at half the lifetime: a short-lived token is used for half its life", () => {
    const schedule = Timing.scheduleOf({
      startedAt,
      lifetimeMillis: 10_000,
      leewayMillis: 30_000,
      refreshAhead: 0.5,
      random: 0
    })
    assert.deepStrictEqual(schedule, { expiresAt: 15_000, hardExpiresAt: 10_000, refreshAt: 7_500 })
  })
})

describe("timing: a failed refresh tries again", () => {
  const hardExpiresAt = 1_000_000

  it("after 10 % of the time left to the hard expiry", () => {
    assert.strictEqual(Timing.refreshRetryAt(hardExpiresAt, 0), 100_000)
    assert.strictEqual(Timing.refreshRetryAt(hardExpiresAt, 900_000), 910_000)
    assert.strictEqual(Timing.refreshRetryAt(hardExpiresAt, 980_000), 982_000)
  })

  it("after 1 s at least", () => {
    assert.strictEqual(Timing.refreshRetryAt(hardExpiresAt, 990_000), 991_000)
    assert.strictEqual(Timing.refreshRetryAt(hardExpiresAt, 995_000), 996_000)
  })

  it("never after the hard expiry", () => {
    assert.strictEqual(Timing.refreshRetryAt(hardExpiresAt, 999_500), 1_000_000)
    assert.strictEqual(Timing.refreshRetryAt(hardExpiresAt, 1_002_000), 1_000_000)
  })
})

describe("timing: failures remembered", () => {
  it("keeps a terminal error for the cool-down", () => {
    assert.strictEqual(Timing.memoryOf("terminal", 300_000), 300_000)
    assert.strictEqual(Timing.memoryOf("terminal", 0), 0)
  })

  it("keeps another TokenError for 1 s, or the cool-down if shorter", () => {
    assert.strictEqual(Timing.nonTerminalMemoryMillis, 1_000)
    assert.strictEqual(Timing.memoryOf("tokenError", 300_000), 1_000)
    assert.strictEqual(Timing.memoryOf("tokenError", 400), 400)
    assert.strictEqual(Timing.memoryOf("tokenError", 0), 0)
  })

  it("keeps anything else not at all", () => {
    assert.strictEqual(Timing.memoryOf("other", 300_000), 0)
  })
})

describe("timing: a token read from a shared store", () => {
  const wallNow = 1_700_000_000_000
  // a lifetime of 3,600 s, a leeway of 60 s: 3,540 s of usable life
  const entry = { lifetimeMillis: 3_600_000, leewayMillis: 60_000, wallNow }

  it("allows 30 s of clock skew between replicas", () => {
    assert.strictEqual(Timing.maxClockSkewMillis, 30_000)
  })

  it("is held for the time the entry has left in the store", () => {
    // the writer's expiry allows 1,060 s − 60 s + 30 s
    const time = Timing.storedTimeToHold({
      ...entry,
      timeToLiveMillis: 1_000_000,
      writerExpiresAt: wallNow + 1_060_000
    })
    assert.strictEqual(time, 1_000_000)
  })

  it("is held for the token's usable lifetime at most", () => {
    const time = Timing.storedTimeToHold({
      ...entry,
      timeToLiveMillis: 5_000_000,
      writerExpiresAt: wallNow + 3_600_000
    })
    assert.strictEqual(time, 3_540_000)
  })

  it("is held up to its writer's expiry, less the leeway, give or take the skew", () => {
    const time = Timing.storedTimeToHold({ ...entry, timeToLiveMillis: 1_000_000, writerExpiresAt: wallNow + 500_000 })
    assert.strictEqual(time, 500_000 - 60_000 + 30_000)
    // a writer's expiry 20 s past is within the skew
    const past = Timing.storedTimeToHold({
      ...entry,
      leewayMillis: 0,
      timeToLiveMillis: 60_000,
      writerExpiresAt: wallNow - 20_000
    })
    assert.strictEqual(past, 10_000)
  })

  it("is a miss when its writer's expiry is past by more than the skew", () => {
    const time = Timing.storedTimeToHold({
      ...entry,
      leewayMillis: 0,
      timeToLiveMillis: 60_000,
      writerExpiresAt: wallNow - 30_001
    })
    assert.isUndefined(time)
  })

  it("is a miss when its writer's expiry is further away than the lifetime by more than the skew", () => {
    const at = (writerExpiresAt: number) =>
      Timing.storedTimeToHold({ ...entry, timeToLiveMillis: 1_000, writerExpiresAt })
    assert.strictEqual(at(wallNow + 3_600_000 + 30_000), 1_000)
    assert.isUndefined(at(wallNow + 3_600_000 + 30_001))
  })

  it("is a miss when the entry has no time left", () => {
    for (const timeToLiveMillis of [0, -5]) {
      assert.isUndefined(Timing.storedTimeToHold({ ...entry, timeToLiveMillis, writerExpiresAt: wallNow + 1_000_000 }))
    }
  })

  it("is a miss when the lifetime is not positive", () => {
    for (const lifetimeMillis of [0, -1, Number.NaN]) {
      const time = Timing.storedTimeToHold({
        ...entry,
        lifetimeMillis,
        timeToLiveMillis: 10_000,
        writerExpiresAt: wallNow
      })
      assert.isUndefined(time)
    }
  })

  it("caps the leeway at half the lifetime", () => {
    const time = Timing.storedTimeToHold({
      lifetimeMillis: 10_000,
      leewayMillis: 60_000,
      wallNow,
      timeToLiveMillis: 100_000,
      writerExpiresAt: wallNow + 10_000
    })
    assert.strictEqual(time, 5_000)
  })
})
