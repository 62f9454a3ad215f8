/**
 * The token state machine, alone: every transition of `tokenState.ts`'s opening comment with its next state and
 * action written out, and its invariants as sequences of transitions (`docs/behaviour.md#refresh-ahead`,
 * `docs/behaviour.md#failures-remembered`).
 */
import { assert, describe, it } from "vitest"
import * as TokenState from "../src/tokenState.js"

/** A token: compared by value, whatever the object (as a token a user decoded again). */
interface Token {
  readonly value: string
}

/** What a shell attaches to its scheduled token (here a label), to see that it goes through untouched. */
interface Scheduled extends TokenState.Scheduled<Token, string> {
  readonly label: string
}

/** The waiters of a fetch: here a number, the n-th made. */
type Waiters = number

type State = TokenState.State<Scheduled, Waiters, string>

const sameValue = (a: Token, b: Token): boolean => a.value === b.value

// a token usable from 0: refreshed from 60,000, given up at 100,000
const scheduled = (value: string, protectedUntil = 0): Scheduled => ({
  token: { value },
  label: `scheduled ${value}`,
  expiresAt: 110_000,
  hardExpiresAt: 100_000,
  refreshAt: 60_000,
  refreshAtNanos: 60_000_000_000n,
  protectedUntil
})

const a = scheduled("a")
const b = scheduled("b")

const fresh = (s: Scheduled): TokenState.Fresh<Scheduled> => ({ _tag: "Fresh", scheduled: s })
const refreshing = (s: Scheduled): TokenState.Refreshing<Scheduled> => ({ _tag: "Refreshing", scheduled: s })
const fetching = (
  rejection?: TokenState.Rejection<Scheduled>,
  waiters = 1
): TokenState.Fetching<Scheduled, Waiters> => ({ _tag: "Fetching", rejection, waiters, joined: 0 })
const emptyAfter = (rejection?: TokenState.Rejection<Scheduled>): TokenState.Empty<Scheduled> => ({
  _tag: "Empty",
  rejection
})
const failed = (until: number, rejection?: TokenState.Rejection<Scheduled>): TokenState.Failed<Scheduled, string> => ({
  _tag: "Failed",
  error: "invalid_client",
  until,
  rejection
})

// `a` was rejected at 5,000
const rejectionOfA: TokenState.Rejection<Scheduled> = { at: 5_000, scheduled: a }

/** The waiters a call makes: 1, 2, … */
const counter = () => {
  let made = 0
  return {
    newWaiters: (): Waiters => ++made,
    made: () => made
  }
}

const cooldown = 30_000

describe("tokenState: a call", () => {
  it("on Empty starts a fetch, with new waiters, replacing nothing", () => {
    const waiters = counter()
    assert.deepStrictEqual(TokenState.call(TokenState.empty as State, 10, waiters.newWaiters), {
      _tag: "Fetch",
      next: { _tag: "Fetching", rejection: undefined, waiters: 1, joined: 0 },
      replacing: undefined,
      stop: undefined
    })
    // each fetch has waiters of its own
    assert.deepStrictEqual(TokenState.call(TokenState.empty as State, 20, waiters.newWaiters), {
      _tag: "Fetch",
      next: { _tag: "Fetching", rejection: undefined, waiters: 2, joined: 0 },
      replacing: undefined,
      stop: undefined
    })
  })

  it("on Empty after a rejection starts a fetch that keeps the rejection and replaces the rejected token", () => {
    const call = TokenState.call(emptyAfter(rejectionOfA) as State, 10, counter().newWaiters)
    assert.deepStrictEqual(call, {
      _tag: "Fetch",
      next: { _tag: "Fetching", rejection: rejectionOfA, waiters: 1, joined: 0 },
      replacing: a,
      stop: undefined
    })
  })

  it("on Fresh before refreshAt gives its token: the state itself, nothing made", () => {
    const waiters = counter()
    const state = fresh(a)
    assert.strictEqual(TokenState.call(state as State, 59_999, waiters.newWaiters), state)
    assert.strictEqual(waiters.made(), 0)
  })

  it("on Fresh from refreshAt to the hard expiry gives its token and starts a refresh bounded by the time left", () => {
    assert.deepStrictEqual(TokenState.call(fresh(a) as State, 60_000, counter().newWaiters), {
      _tag: "Refresh",
      next: { _tag: "Refreshing", scheduled: a },
      timeLeft: 40_000
    })
    assert.deepStrictEqual(TokenState.call(fresh(a) as State, 99_999, counter().newWaiters), {
      _tag: "Refresh",
      next: { _tag: "Refreshing", scheduled: a },
      timeLeft: 1
    })
  })

  it("on Fresh from the hard expiry starts a fetch, replacing nothing", () => {
    assert.deepStrictEqual(TokenState.call(fresh(a) as State, 100_000, counter().newWaiters), {
      _tag: "Fetch",
      next: { _tag: "Fetching", rejection: undefined, waiters: 1, joined: 0 },
      replacing: undefined,
      stop: undefined
    })
  })

  it("on Refreshing before the hard expiry gives its token: the state itself", () => {
    const state = refreshing(a)
    assert.strictEqual(TokenState.call(state as State, 99_999, counter().newWaiters), state)
  })

  it("on Refreshing from the hard expiry starts a fetch and stops the refresh", () => {
    const state = refreshing(a)
    assert.deepStrictEqual(TokenState.call(state as State, 100_000, counter().newWaiters), {
      _tag: "Fetch",
      next: { _tag: "Fetching", rejection: undefined, waiters: 1, joined: 0 },
      replacing: undefined,
      stop: state
    })
  })

  it("on Failed before until answers with its error: the state itself", () => {
    const state = failed(2_000, rejectionOfA)
    assert.strictEqual(TokenState.call(state as State, 1_999, counter().newWaiters), state)
  })

  it("on Failed from until starts a fetch that keeps the rejection", () => {
    assert.deepStrictEqual(TokenState.call(failed(2_000, rejectionOfA) as State, 2_000, counter().newWaiters), {
      _tag: "Fetch",
      next: { _tag: "Fetching", rejection: rejectionOfA, waiters: 1, joined: 0 },
      replacing: a,
      stop: undefined
    })
  })

  it("on Fetching waits for it: the state itself, no new waiters", () => {
    const waiters = counter()
    const state = fetching()
    assert.strictEqual(TokenState.call(state as State, 10, waiters.newWaiters), state)
    assert.strictEqual(waiters.made(), 0)
  })
})

describe("tokenState: a fetch's end", () => {
  it("with a token: Fresh with it", () => {
    const state = fetching(rejectionOfA)
    assert.deepStrictEqual(
      TokenState.fetchEnded(state as State, state, { _tag: "Token", scheduled: b }, 1_000, cooldown),
      { _tag: "Fresh", scheduled: b }
    )
  })

  it("with a token past its hard expiry: Fresh with it all the same (its waiters get it)", () => {
    const state = fetching()
    assert.deepStrictEqual(
      TokenState.fetchEnded(state as State, state, { _tag: "Token", scheduled: b }, 200_000, cooldown),
      { _tag: "Fresh", scheduled: b }
    )
  })

  it("with a terminal token error: Failed for the cool-down, the rejection kept", () => {
    const state = fetching(rejectionOfA)
    const end = { _tag: "TokenError", error: "invalid_client", terminal: true } as const
    assert.deepStrictEqual(TokenState.fetchEnded(state as State, state, end, 1_000, cooldown), {
      _tag: "Failed",
      error: "invalid_client",
      until: 31_000,
      rejection: rejectionOfA
    })
  })

  it("with another token error: Failed for 1 s, or the cool-down when shorter", () => {
    const state = fetching()
    const end = { _tag: "TokenError", error: "html page", terminal: false } as const
    assert.deepStrictEqual(TokenState.fetchEnded(state as State, state, end, 1_000, cooldown), {
      _tag: "Failed",
      error: "html page",
      until: 2_000,
      rejection: undefined
    })
    assert.deepStrictEqual(TokenState.fetchEnded(state as State, state, end, 1_000, 300), {
      _tag: "Failed",
      error: "html page",
      until: 1_300,
      rejection: undefined
    })
  })

  it("with a token error remembered for no time (no cool-down): Empty, the rejection kept", () => {
    const state = fetching(rejectionOfA)
    const end = { _tag: "TokenError", error: "invalid_client", terminal: true } as const
    assert.deepStrictEqual(TokenState.fetchEnded(state as State, state, end, 1_000, 0), emptyAfter(rejectionOfA))
  })

  it("with another failure, or interrupted: Empty, the rejection kept", () => {
    const state = fetching(rejectionOfA)
    assert.deepStrictEqual(
      TokenState.fetchEnded(state as State, state, { _tag: "OtherFailure" }, 1_000, cooldown),
      emptyAfter(rejectionOfA)
    )
    assert.deepStrictEqual(
      TokenState.fetchEnded(state as State, state, { _tag: "Interrupted" }, 1_000, cooldown),
      emptyAfter(rejectionOfA)
    )
  })

  it("of a state that is no longer current: the current state, untouched", () => {
    const current = fresh(b)
    const end = { _tag: "TokenError", error: "invalid_client", terminal: true } as const
    assert.strictEqual(TokenState.fetchEnded(current as State, fetching(), end, 1_000, cooldown), current)
    assert.strictEqual(
      TokenState.fetchEnded(current as State, fetching(), { _tag: "Token", scheduled: a }, 1_000, cooldown),
      current
    )
  })
})

describe("tokenState: a waiter leaves", () => {
  it("the last one, of the current fetch: Empty with its rejection, and the fetch stopped", () => {
    const state = fetching(rejectionOfA)
    assert.deepStrictEqual(TokenState.waiterLeft(state as State, state, true), {
      state: emptyAfter(rejectionOfA),
      action: { _tag: "Stop", fetching: state }
    })
  })

  it("not the last one: nothing changes", () => {
    const state = fetching()
    const step = TokenState.waiterLeft(state as State, state, false)
    assert.strictEqual(step.state, state)
    assert.deepStrictEqual(step.action, { _tag: "Nothing" })
  })

  it("the last one of a fetch that is no longer current: nothing changes", () => {
    const current = fresh(b)
    const step = TokenState.waiterLeft(current as State, fetching(), true)
    assert.strictEqual(step.state, current)
    assert.deepStrictEqual(step.action, { _tag: "Nothing" })
  })
})

describe("tokenState: a refresh's end", () => {
  const token = (s: Scheduled, fromStore = false) => ({ _tag: "Token", scheduled: s, fromStore }) as const

  it("with a token, on its own state: Fresh with it", () => {
    const state = refreshing(a)
    const step = TokenState.refreshEnded(state as State, state, token(b), 70_000, cooldown)
    assert.deepStrictEqual(step, { state: fresh(b), action: { _tag: "Nothing" } })
    assert.strictEqual((step.state as TokenState.Fresh<Scheduled>).scheduled, b)
  })

  it("with a token, on another token's state (Fresh, another Refreshing): nothing changes", () => {
    for (const current of [fresh(b), refreshing(b)]) {
      const step = TokenState.refreshEnded(current as State, refreshing(a), token(scheduled("c")), 70_000, cooldown)
      assert.strictEqual(step.state, current)
      assert.deepStrictEqual(step.action, { _tag: "Nothing" })
    }
  })

  it("with a token, on Empty or Failed after a rejection: Fresh with it, protected for the cool-down", () => {
    for (const current of [emptyAfter(rejectionOfA), failed(90_000, rejectionOfA)]) {
      const step = TokenState.refreshEnded(current as State, refreshing(a), token(b), 70_000, cooldown)
      assert.deepStrictEqual(step, { state: fresh(scheduled("b", 35_000)), action: { _tag: "Nothing" } })
    }
  })

  it("with a token from the store, on Empty after a rejection: Fresh with it, not protected", () => {
    const step = TokenState.refreshEnded(emptyAfter(rejectionOfA) as State, refreshing(a), token(b, true), 70_000, 1)
    assert.deepStrictEqual(step, { state: fresh(b), action: { _tag: "Nothing" } })
  })

  it("with a token, on Empty with no rejection: Fresh with it, not protected", () => {
    const step = TokenState.refreshEnded(TokenState.empty as State, refreshing(a), token(b), 70_000, cooldown)
    assert.deepStrictEqual(step, { state: fresh(scheduled("b", 0)), action: { _tag: "Nothing" } })
  })

  it("with a token, on Fetching: Fresh with it (protected after a rejection), its waiters answered and its fetch stopped", () => {
    const current = fetching(rejectionOfA)
    const step = TokenState.refreshEnded(current as State, refreshing(a), token(b), 70_000, cooldown)
    assert.deepStrictEqual(step, {
      state: fresh(scheduled("b", 35_000)),
      action: { _tag: "Answer", fetching: current, scheduled: scheduled("b", 35_000) }
    })
  })

  it("failed, on its own state: Fresh with the same token, refreshAt backed off, and a warning", () => {
    const state = refreshing(a)
    // 10 % of the 50 s left to the hard expiry
    assert.deepStrictEqual(TokenState.refreshEnded(state as State, state, { _tag: "Failure" }, 50_000, cooldown), {
      state: fresh({ ...a, refreshAt: 55_000, refreshAtNanos: 55_000_000_000n }),
      action: { _tag: "Warn" }
    })
    // at least 1 s, and never after the hard expiry
    assert.deepStrictEqual(TokenState.refreshEnded(state as State, state, { _tag: "Failure" }, 95_000, cooldown), {
      state: fresh({ ...a, refreshAt: 96_000, refreshAtNanos: 96_000_000_000n }),
      action: { _tag: "Warn" }
    })
    assert.deepStrictEqual(TokenState.refreshEnded(state as State, state, { _tag: "Failure" }, 99_500, cooldown), {
      state: fresh({ ...a, refreshAt: 100_000, refreshAtNanos: 100_000_000_000n }),
      action: { _tag: "Warn" }
    })
  })

  it("failed with a token error: refreshAt not before it is forgotten, and the error kept until then", () => {
    const state = refreshing(a)
    const terminal = { _tag: "Failure", tokenError: { error: "invalid_client", terminal: true } } as const
    // 10 % of the 50 s left is 5 s; the 30 s cool-down is longer
    assert.deepStrictEqual(TokenState.refreshEnded(state as State, state, terminal, 50_000, cooldown), {
      state: fresh({
        ...a,
        refreshAt: 80_000,
        refreshAtNanos: 80_000_000_000n,
        refreshFailure: { error: "invalid_client", until: 80_000 }
      }),
      action: { _tag: "Warn" }
    })
    // never after the hard expiry; a token error that is not terminal is remembered for 1 s
    const notTerminal = { _tag: "Failure", tokenError: { error: "invalid_grant", terminal: false } } as const
    assert.deepStrictEqual(
      TokenState.refreshEnded(state as State, state, terminal, 90_000, cooldown).state,
      fresh({
        ...a,
        refreshAt: 100_000,
        refreshAtNanos: 100_000_000_000n,
        refreshFailure: { error: "invalid_client", until: 120_000 }
      })
    )
    assert.deepStrictEqual(
      TokenState.refreshEnded(state as State, state, notTerminal, 99_500, cooldown).state,
      fresh({
        ...a,
        refreshAt: 100_000,
        refreshAtNanos: 100_000_000_000n,
        refreshFailure: { error: "invalid_grant", until: 100_500 }
      })
    )
    // a cool-down of 0 remembers nothing
    assert.deepStrictEqual(
      TokenState.refreshEnded(state as State, state, terminal, 50_000, 0).state,
      fresh({
        ...a,
        refreshAt: 55_000,
        refreshAtNanos: 55_000_000_000n
      })
    )
  })

  it("past the hard expiry, a refresh's token error is answered until it is forgotten, then a fetch starts", () => {
    const state = fresh({ ...a, refreshAt: 100_000, refreshFailure: { error: "invalid_client", until: 120_000 } })
    const { newWaiters } = counter()
    assert.strictEqual(TokenState.call(state as State, 99_999, newWaiters), state)
    assert.deepStrictEqual(TokenState.call(state as State, 100_000, newWaiters), {
      _tag: "Failed",
      error: "invalid_client",
      until: 120_000,
      rejection: undefined
    })
    assert.strictEqual(TokenState.call(state as State, 119_999, newWaiters)._tag, "Failed")
    assert.strictEqual(TokenState.call(state as State, 120_000, newWaiters)._tag, "Fetch")
  })

  it("failed, on a state that is no longer its own: nothing changes, and a warning", () => {
    const current = TokenState.empty as State
    assert.deepStrictEqual(TokenState.refreshEnded(current, refreshing(a), { _tag: "Failure" }, 50_000, cooldown), {
      state: current,
      action: { _tag: "Warn" }
    })
  })

  it("timed out at the hard expiry, on its own state: Empty, and the expiry counted", () => {
    const state = refreshing(a)
    assert.deepStrictEqual(TokenState.refreshEnded(state as State, state, { _tag: "TimedOut" }, 100_000, cooldown), {
      state: TokenState.empty,
      action: { _tag: "Expired" }
    })
  })

  it("timed out, on a state that is no longer its own: nothing changes, the expiry counted", () => {
    const current = fetching()
    const step = TokenState.refreshEnded(current as State, refreshing(a), { _tag: "TimedOut" }, 100_000, cooldown)
    assert.strictEqual(step.state, current)
    assert.deepStrictEqual(step.action, { _tag: "Expired" })
  })

  it("interrupted, on its own state: Fresh with the same token", () => {
    const state = refreshing(a)
    assert.deepStrictEqual(TokenState.refreshEnded(state as State, state, { _tag: "Interrupted" }, 70_000, cooldown), {
      state: fresh(a),
      action: { _tag: "Nothing" }
    })
  })

  it("interrupted, on a state that is no longer its own: nothing changes", () => {
    const current = fetching()
    const step = TokenState.refreshEnded(current as State, refreshing(a), { _tag: "Interrupted" }, 70_000, cooldown)
    assert.strictEqual(step.state, current)
    assert.deepStrictEqual(step.action, { _tag: "Nothing" })
  })
})

describe("tokenState: invalidate", () => {
  it("of the Fresh token, by value, not protected: Empty with the rejection, and the token rejected", () => {
    for (const state of [fresh(a), refreshing(a)]) {
      assert.deepStrictEqual(TokenState.invalidate(state as State, { value: "a" }, 7_000, sameValue), {
        state: emptyAfter({ at: 7_000, scheduled: a }),
        action: { _tag: "Rejected", scheduled: a }
      })
    }
  })

  it("while the token error of its last refresh is remembered: Failed with that error until then, then Empty", () => {
    const failing = { ...a, refreshFailure: { error: "invalid_client", until: 20_000 } }
    assert.deepStrictEqual(TokenState.invalidate(fresh(failing) as State, { value: "a" }, 7_000, sameValue), {
      state: { _tag: "Failed", error: "invalid_client", until: 20_000, rejection: { at: 7_000, scheduled: failing } },
      action: { _tag: "Rejected", scheduled: failing }
    })
    assert.deepStrictEqual(
      TokenState.invalidate(fresh(failing) as State, { value: "a" }, 20_000, sameValue).state,
      emptyAfter({ at: 20_000, scheduled: failing })
    )
  })

  it("of another token: nothing changes", () => {
    const state = fresh(a)
    const step = TokenState.invalidate(state as State, { value: "b" }, 7_000, sameValue)
    assert.strictEqual(step.state, state)
    assert.deepStrictEqual(step.action, { _tag: "Nothing" })
  })

  it("of a protected token: nothing changes until protectedUntil, then it is dropped", () => {
    const state = fresh(scheduled("a", 35_000))
    const before = TokenState.invalidate(state as State, { value: "a" }, 34_999, sameValue)
    assert.strictEqual(before.state, state)
    assert.deepStrictEqual(before.action, { _tag: "Nothing" })
    assert.deepStrictEqual(TokenState.invalidate(state as State, { value: "a" }, 35_000, sameValue).action, {
      _tag: "Rejected",
      scheduled: scheduled("a", 35_000)
    })
  })

  it("on a state without a token: nothing changes", () => {
    for (const state of [TokenState.empty as State, fetching(), failed(2_000)]) {
      const step = TokenState.invalidate(state, { value: "a" }, 7_000, sameValue)
      assert.strictEqual(step.state, state)
      assert.deepStrictEqual(step.action, { _tag: "Nothing" })
    }
  })
})

describe("tokenState: reading the state", () => {
  it("isBusy while a fetch or a refresh runs", () => {
    assert.deepStrictEqual(
      [TokenState.empty, fetching(), fresh(a), refreshing(a), failed(2_000)].map(TokenState.isBusy),
      [false, true, false, true, false]
    )
  })

  it("holds the token of Fresh and Refreshing, by value", () => {
    assert.deepStrictEqual(
      [TokenState.empty, fetching(), fresh(a), refreshing(a), failed(2_000)].map((state) =>
        TokenState.holds(state as State, { value: "a" }, sameValue)
      ),
      [false, false, true, true, false]
    )
    assert.isFalse(TokenState.holds(fresh(a) as State, { value: "b" }, sameValue))
  })

  it("peek gives the token of Fresh only", () => {
    assert.deepStrictEqual(
      [TokenState.empty, fetching(), fresh(a), refreshing(a), failed(2_000)].map((state) =>
        TokenState.peek(state as State)
      ),
      [undefined, undefined, a, undefined, undefined]
    )
  })

  it("a waiter gives the token it resumed with, unless it was rejected: then it calls again", () => {
    const rejected = new Set<Token>([a.token])
    assert.strictEqual(TokenState.resumed(a, (token) => rejected.has(token)), "CallAgain")
    assert.strictEqual(TokenState.resumed(b, (token) => rejected.has(token)), "Give")
  })

  it("a fetch's token is protected for the cool-down from a rejection, unless it came from the store", () => {
    assert.strictEqual(TokenState.protectionOf(rejectionOfA, false, cooldown), 35_000)
    assert.strictEqual(TokenState.protectionOf(rejectionOfA, true, cooldown), 0)
    assert.strictEqual(TokenState.protectionOf(undefined, false, cooldown), 0)
  })

  it("a time in millis is given in nanoseconds, whole", () => {
    assert.strictEqual(TokenState.nanosOf(60_000), 60_000_000_000n)
    assert.strictEqual(TokenState.nanosOf(1.0000015), 1_000_001n)
  })
})

/** Runs the calls a shell would make at `now`, applying each next state; what each call did. */
const callsAt = (start: State, times: ReadonlyArray<number>) => {
  let state = start
  const waiters = counter()
  const did = times.map((now) => {
    const call = TokenState.call(state, now, waiters.newWaiters)
    if (call._tag === "Refresh" || call._tag === "Fetch") state = call.next
    return call._tag
  })
  return { state, did }
}

describe("tokenState: invariants", () => {
  it("one refresh: the calls after the one that started it are given the token until the hard expiry", () => {
    const { did, state } = callsAt(fresh(a), [59_000, 60_000, 60_000, 70_000, 99_999])
    assert.deepStrictEqual(did, ["Fresh", "Refresh", "Refreshing", "Refreshing", "Refreshing"])
    assert.deepStrictEqual(state, refreshing(a))
  })

  it("one fetch: the calls after the one that started it wait for it", () => {
    const { did } = callsAt(TokenState.empty, [1, 2, 3])
    assert.deepStrictEqual(did, ["Fetch", "Fetching", "Fetching"])
  })

  it("a token is never given from its hard expiry", () => {
    assert.deepStrictEqual(callsAt(fresh(a), [100_000]).did, ["Fetch"])
    assert.deepStrictEqual(callsAt(refreshing(a), [100_000]).did, ["Fetch"])
    assert.deepStrictEqual(callsAt(fresh(a), [60_000, 100_000]).did, ["Refresh", "Fetch"])
  })

  it("a rejected token is never given: not from the state, not to a waiter", () => {
    const dropped = TokenState.invalidate(fresh(a) as State, { value: "a" }, 7_000, sameValue)
    assert.deepStrictEqual(callsAt(dropped.state, [7_001]).did, ["Fetch"])
    // a fetch brought `a`; it was rejected before its waiters resumed
    const current = fetching()
    const landed = TokenState.fetchEnded(current as State, current, { _tag: "Token", scheduled: a }, 6_000, cooldown)
    const rejectedNow = TokenState.invalidate(landed, { value: "a" }, 6_500, sameValue)
    assert.strictEqual(rejectedNow.action._tag, "Rejected")
    const rejected = new Set([a.token])
    assert.strictEqual(TokenState.resumed(a, (token) => rejected.has(token)), "CallAgain")
  })

  it("protection lasts the cool-down from the rejection, through a failed fetch in between", () => {
    // `a` rejected at 5,000; the fetch that replaces it fails (remembered 1 s); the next one brings `b`
    const rejected = TokenState.invalidate(fresh(a) as State, { value: "a" }, 5_000, sameValue).state
    const first = TokenState.call(rejected, 5_000, counter().newWaiters)
    assert.strictEqual(first._tag, "Fetch")
    if (first._tag !== "Fetch") return
    const end = { _tag: "TokenError", error: "server_error", terminal: false } as const
    const failedState = TokenState.fetchEnded(first.next as State, first.next, end, 5_100, cooldown)
    const second = TokenState.call(failedState, 6_100, counter().newWaiters)
    assert.strictEqual(second._tag, "Fetch")
    if (second._tag !== "Fetch") return
    assert.deepStrictEqual(second.replacing, a)
    const protectedUntil = TokenState.protectionOf(second.next.rejection, false, cooldown)
    assert.strictEqual(protectedUntil, 35_000)
    const held = TokenState.fetchEnded(
      second.next as State,
      second.next,
      { _tag: "Token", scheduled: scheduled("b", protectedUntil) },
      6_200,
      cooldown
    )
    assert.strictEqual(TokenState.invalidate(held, { value: "b" }, 34_999, sameValue).state, held)
    assert.deepStrictEqual(TokenState.invalidate(held, { value: "b" }, 35_000, sameValue).state, {
      _tag: "Empty",
      rejection: { at: 35_000, scheduled: scheduled("b", 35_000) }
    })
  })

  it("a failure is never answered from its until", () => {
    const current = fetching()
    const end = { _tag: "TokenError", error: "invalid_client", terminal: true } as const
    const state = TokenState.fetchEnded(current as State, current, end, 1_000, cooldown)
    assert.deepStrictEqual(callsAt(state, [30_999, 31_000]).did, ["Failed", "Fetch"])
  })
})

describe("tokenState: a fetched token scheduled", () => {
  it("has the schedule of its lifetime, the refresh point in nanoseconds too, and the protection given", () => {
    const scheduled = TokenState.scheduledOf({
      token: "token",
      startedAt: 1000,
      lifetimeMillis: 100_000,
      leewayMillis: 10_000,
      refreshAhead: 0.5,
      random: 0,
      protectedUntil: 5000
    })
    assert.deepStrictEqual(scheduled, {
      token: "token",
      expiresAt: 101_000,
      hardExpiresAt: 91_000,
      refreshAt: 46_000,
      refreshAtNanos: 46_000_000_000n,
      protectedUntil: 5000
    })
  })
})
