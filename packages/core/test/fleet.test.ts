/**
 * A fleet's decisions, alone: which stored token answers a fetch and its times on this replica, how long a token is
 * written for, the poll delay and the lease's renewal (`docs/fleet.md#the-protocol`).
 */
import { assert, describe, it } from "vitest"
import * as Fleet from "../src/fleet.js"

interface Token {
  readonly value: string
}

const wallNow = 1_700_000_000_000
const hour = 3_600_000

// a one-hour token its writer got 10 minutes ago: 50 minutes left, its entry kept to its hard expiry (a minute before)
const stored: Fleet.Stored<Token> = {
  token: { value: "shared" },
  tokenType: "bearer",
  lifetimeMillis: hour,
  writerExpiresAt: wallNow + 3_000_000,
  timeToLiveMillis: 2_940_000
}

const context: Fleet.ReadContext<Token, "Bearer"> = {
  replacing: undefined,
  sameValue: (a, b) => a.value === b.value,
  now: 500,
  wallNow,
  leewayMillis: 60_000,
  tokenTypes: ["Bearer"]
}

// held for 2,940,000 ms from 500: its hard expiry is 2,940,500 on this replica's monotonic clock
const held: Fleet.Held<"Bearer"> = {
  tokenType: "Bearer",
  issuedAt: wallNow - 600_000,
  expiresAt: wallNow + 3_000_000,
  startedAt: 2_940_500 + 60_000 - hour
}

describe("fleet: a stored token", () => {
  it("answers a fetch with its type as the layer spells it, its lifetime ending at its hard expiry plus the leeway", () => {
    assert.deepStrictEqual(Fleet.heldFromStore(stored, context), held)
  })

  it("of a type the layer does not ask for is a miss", () => {
    assert.isUndefined(Fleet.heldFromStore({ ...stored, tokenType: "DPoP" }, context))
  })

  it("that its writer cannot have meant to be live now is a miss: its expiry past, or too far, by more than the skew", () => {
    assert.isUndefined(Fleet.heldFromStore({ ...stored, writerExpiresAt: wallNow - 30_001 }, context))
    assert.isUndefined(Fleet.heldFromStore({ ...stored, writerExpiresAt: wallNow + hour + 30_001 }, context))
    assert.isUndefined(Fleet.heldFromStore({ ...stored, lifetimeMillis: 0 }, context))
  })

  it("is held no longer than its writer's expiry allows, give or take the skew", () => {
    // 1,000,000 ms left on the writer's clock, less the leeway, plus 30 s of skew
    assert.deepStrictEqual(Fleet.heldFromStore({ ...stored, writerExpiresAt: wallNow + 1_000_000 }, context), {
      tokenType: "Bearer",
      issuedAt: wallNow + 970_000 + 60_000 - hour,
      expiresAt: wallNow + 970_000 + 60_000,
      startedAt: 500 + 970_000 + 60_000 - hour
    })
  })

  it("is a miss when it has the value of the token replaced, or expires before the token a refresh renews", () => {
    const replacing = (value: string, hardExpiresAt: number, rejected = false) => ({
      ...context,
      replacing: { token: { value }, hardExpiresAt, rejected }
    })
    assert.isUndefined(Fleet.heldFromStore(stored, replacing("shared", 0)))
    assert.isUndefined(Fleet.heldFromStore(stored, replacing("old", 2_940_501)))
    assert.deepStrictEqual(Fleet.heldFromStore(stored, replacing("old", 2_940_500)), held)
    assert.deepStrictEqual(Fleet.heldFromStore(stored, replacing("old", 1_000)), held)
  })

  it("replacing a rejected token: any other token answers, even one that expires sooner", () => {
    const rejected = (value: string, hardExpiresAt: number) => ({
      ...context,
      replacing: { token: { value }, hardExpiresAt, rejected: true }
    })
    assert.isUndefined(Fleet.heldFromStore(stored, rejected("shared", 0)))
    assert.deepStrictEqual(Fleet.heldFromStore(stored, rejected("old", 2_940_501)), held)
  })
})

describe("fleet: a token written", () => {
  it("is kept for the time left to its hard expiry", () => {
    assert.strictEqual(
      Fleet.timeToLiveOf({ startedAt: 1_000, lifetimeMillis: hour, leewayMillis: 60_000, now: 2_000 }),
      3_539_000
    )
    // the leeway is at most half the lifetime
    assert.strictEqual(
      Fleet.timeToLiveOf({ startedAt: 0, lifetimeMillis: 100_000, leewayMillis: 60_000, now: 0 }),
      50_000
    )
  })

  it("is not written from its hard expiry", () => {
    assert.isUndefined(
      Fleet.timeToLiveOf({ startedAt: 1_000, lifetimeMillis: hour, leewayMillis: 60_000, now: 3_541_000 })
    )
    assert.strictEqual(
      Fleet.timeToLiveOf({ startedAt: 1_000, lifetimeMillis: hour, leewayMillis: 60_000, now: 3_540_999 }),
      1
    )
  })
})

describe("fleet: polls and leases", () => {
  it("a replica waits 50 to 150 ms between polls", () => {
    assert.deepStrictEqual([Fleet.pollDelayMinMillis, Fleet.pollDelayMaxMillis], [50, 150])
  })

  it("a lease is renewed every third of its time to live", () => {
    assert.strictEqual(Fleet.leaseRenewalMillis(30_000), 10_000)
    assert.strictEqual(Fleet.leaseRenewalMillis(1_000), 1_000 / 3)
  })
})
