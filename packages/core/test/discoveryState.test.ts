/**
 * Discovery's state machine, alone: each transition of the module's comment, with the next state and the actions,
 * at exact times (monotonic milliseconds); the log words; which failures say the token endpoint may have moved
 * (`docs/configuration.md#discovery`).
 */
import { assert, describe, it } from "vitest"
import * as DiscoveryState from "../src/discoveryState.js"
import type { Metadata } from "../src/metadata.js"

const issuerOrigin = "https://login.example.com"

const metadataAt = (tokenEndpoint: string): Metadata => ({
  issuer: `${issuerOrigin}/tenant-7`,
  tokenEndpoint: new URL(tokenEndpoint),
  authMethodsSupported: ["client_secret_basic"],
  signingAlgorithmsSupported: undefined
})

const first = metadataAt("https://login.example.com/tenant-7/oauth2/token")
const sameEndpoint = metadataAt("https://login.example.com/tenant-7/oauth2/token")
const moved = metadataAt("https://auth.other.example/tenant-7/oauth2/v2/token")

/** The shell's handles, as plain values the tests can tell apart. */
type Waiters = { readonly waiters: number }
type Serve = { readonly serve: string }
type State = DiscoveryState.State<Waiters, Serve>

/** A waiters factory that counts what it made. */
const counting = () => {
  let made = 0
  return {
    make: (): Waiters => ({ waiters: ++made }),
    get made() {
      return made
    }
  }
}

const served = (tag: "Known" | "Kept", readAt: number, staleAt: number): DiscoveryState.Served<Serve> => ({
  _tag: tag,
  metadata: first,
  serve: { serve: "first" },
  readAt,
  staleAt
})

// read at 10 s, for 60 s: stale at 70 s
const known = served("Known", 10_000, 70_000)

const success = (metadata: Metadata, maxAgeMillis: number, serve: string): DiscoveryState.ReadEnd<Serve> => ({
  _tag: "Success",
  metadata,
  maxAgeMillis,
  serve: { serve }
})

describe("discoveryState: Unknown", () => {
  it("a caller → Discovering from now: start the read, the caller waits on new waiters", () => {
    const waiters = counting()
    const step = DiscoveryState.call<Waiters, Serve>(DiscoveryState.unknown, 1_500, waiters.make)
    const discovering: DiscoveryState.Discovering<Waiters> = {
      _tag: "Discovering",
      waiters: { waiters: 1 },
      startedAt: 1_500
    }
    assert.deepStrictEqual(step.state, discovering)
    assert.deepStrictEqual(step.actions, [
      { _tag: "StartRead", reading: discovering },
      { _tag: "Wait", waiters: { waiters: 1 } }
    ])
    assert.strictEqual(waiters.made, 1)
    // the read started is the state itself: its end is told apart by identity
    assert.strictEqual((step.actions[0] as { readonly reading: unknown }).reading, step.state)
  })

  it("endpointFailed changes nothing", () => {
    const step = DiscoveryState.endpointFailed<Waiters, Serve>(DiscoveryState.unknown, first, 100_000)
    assert.strictEqual(step.state, DiscoveryState.unknown)
    assert.deepStrictEqual(step.actions, [])
  })
})

describe("discoveryState: Discovering", () => {
  const discovering: DiscoveryState.Discovering<Waiters> = {
    _tag: "Discovering",
    waiters: { waiters: 1 },
    startedAt: 1_500
  }

  it("a caller waits on the same waiters; no second read", () => {
    const waiters = counting()
    const step = DiscoveryState.call<Waiters, Serve>(discovering, 2_000, waiters.make)
    assert.strictEqual(step.state, discovering)
    assert.deepStrictEqual(step.actions, [{ _tag: "Wait", waiters: { waiters: 1 } }])
    assert.strictEqual(waiters.made, 0)
  })

  it("endpointFailed changes nothing", () => {
    const step = DiscoveryState.endpointFailed<Waiters, Serve>(discovering, first, 100_000)
    assert.strictEqual(step.state, discovering)
    assert.deepStrictEqual(step.actions, [])
  })

  it("good metadata → Known, read at the read's start, stale its max age later; settle, log where it is", () => {
    const step = DiscoveryState.readEnded<Waiters, Serve>(discovering, discovering, success(first, 60_000, "first"))
    assert.deepStrictEqual(step.state, {
      _tag: "Known",
      metadata: first,
      serve: { serve: "first" },
      readAt: 1_500,
      staleAt: 61_500
    })
    assert.deepStrictEqual(step.actions, [
      { _tag: "Settle", waiters: { waiters: 1 } },
      { _tag: "LogFound", metadata: first }
    ])
  })

  it("a failure, a defect or an interruption → Unknown; settle, log nothing", () => {
    for (
      const end of [
        { _tag: "Failure", failure: "the issuer failed" },
        { _tag: "Failure", failure: undefined },
        { _tag: "Interrupted" }
      ] as const
    ) {
      const step = DiscoveryState.readEnded<Waiters, Serve>(discovering, discovering, end)
      assert.strictEqual(step.state, DiscoveryState.unknown, end._tag)
      assert.deepStrictEqual(step.actions, [{ _tag: "Settle", waiters: { waiters: 1 } }], end._tag)
    }
  })

  it("the end of a discovery that is no longer the state: settles its waiters, changes nothing, logs nothing", () => {
    const step = DiscoveryState.readEnded<Waiters, Serve>(known, discovering, success(moved, 60_000, "moved"))
    assert.strictEqual(step.state, known)
    assert.deepStrictEqual(step.actions, [{ _tag: "Settle", waiters: { waiters: 1 } }])
  })
})

describe("discoveryState: Known and Kept, a caller", () => {
  for (const tag of ["Known", "Kept"] as const) {
    const state = served(tag, 10_000, 70_000)

    it(`${tag}: served at once before it is stale`, () => {
      const step = DiscoveryState.call<Waiters, Serve>(state, 69_999, counting().make)
      assert.strictEqual(step.state, state)
      assert.deepStrictEqual(step.actions, [{ _tag: "Serve", serve: { serve: "first" } }])
    })

    it(`${tag}: from when it is stale, served, and a re-read starts → Rereading from now`, () => {
      const waiters = counting()
      const step = DiscoveryState.call<Waiters, Serve>(state, 70_000, waiters.make)
      const rereading: DiscoveryState.Rereading<Serve> = { _tag: "Rereading", from: state, startedAt: 70_000 }
      assert.deepStrictEqual(step.state, rereading)
      assert.strictEqual((step.state as DiscoveryState.Rereading<Serve>).from, state)
      assert.deepStrictEqual(step.actions, [
        { _tag: "StartRead", reading: rereading },
        { _tag: "Serve", serve: { serve: "first" } }
      ])
      assert.strictEqual((step.actions[0] as { readonly reading: unknown }).reading, step.state)
      assert.strictEqual(waiters.made, 0)
    })
  }

  it("Kept: stale, but within the cool-down since the failed read started: served, no re-read", () => {
    // the metadata read at 10 s went stale at 70 s; a re-read that started at 80 s failed
    const kept = served("Kept", 80_000, 70_000)
    const within = DiscoveryState.call<Waiters, Serve>(kept, 109_999, counting().make)
    assert.strictEqual(within.state, kept)
    assert.deepStrictEqual(within.actions, [{ _tag: "Serve", serve: { serve: "first" } }])
    const after = DiscoveryState.call<Waiters, Serve>(kept, 110_000, counting().make)
    assert.deepStrictEqual(after.state, { _tag: "Rereading", from: kept, startedAt: 110_000 })
  })
})

describe("discoveryState: Known and Kept, endpointFailed", () => {
  for (const tag of ["Known", "Kept"] as const) {
    const state = served(tag, 10_000, 70_000)

    it(`${tag}: for its metadata, once the cool-down since its read started has passed → Rereading from now`, () => {
      const step = DiscoveryState.endpointFailed<Waiters, Serve>(state, first, 40_000)
      const rereading: DiscoveryState.Rereading<Serve> = { _tag: "Rereading", from: state, startedAt: 40_000 }
      assert.deepStrictEqual(step.state, rereading)
      assert.deepStrictEqual(step.actions, [{ _tag: "StartRead", reading: rereading }])
      assert.strictEqual((step.actions[0] as { readonly reading: unknown }).reading, step.state)
    })

    it(`${tag}: within the cool-down, nothing`, () => {
      const step = DiscoveryState.endpointFailed<Waiters, Serve>(state, first, 39_999)
      assert.strictEqual(step.state, state)
      assert.deepStrictEqual(step.actions, [])
    })

    it(`${tag}: about metadata that is not the one served (even if equal), nothing`, () => {
      const step = DiscoveryState.endpointFailed<Waiters, Serve>(state, sameEndpoint, 100_000)
      assert.strictEqual(step.state, state)
      assert.deepStrictEqual(step.actions, [])
    })
  }
})

describe("discoveryState: Rereading", () => {
  const rereadingFrom = (from: DiscoveryState.Served<Serve>): DiscoveryState.Rereading<Serve> => ({
    _tag: "Rereading",
    from,
    startedAt: 70_000
  })
  const rereading = rereadingFrom(known)

  it("a caller is served the metadata it re-reads from; no second read", () => {
    const waiters = counting()
    const step = DiscoveryState.call<Waiters, Serve>(rereading, 75_000, waiters.make)
    assert.strictEqual(step.state, rereading)
    assert.deepStrictEqual(step.actions, [{ _tag: "Serve", serve: { serve: "first" } }])
    assert.strictEqual(waiters.made, 0)
  })

  it("endpointFailed changes nothing: a read is under way", () => {
    const step = DiscoveryState.endpointFailed<Waiters, Serve>(rereading, first, 200_000)
    assert.strictEqual(step.state, rereading)
    assert.deepStrictEqual(step.actions, [])
  })

  it("good metadata from Known, the same token endpoint → Known, new, from the read's start; logs nothing", () => {
    const step = DiscoveryState.readEnded<Waiters, Serve>(rereading, rereading, success(sameEndpoint, 120_000, "again"))
    assert.deepStrictEqual(step.state, {
      _tag: "Known",
      metadata: sameEndpoint,
      serve: { serve: "again" },
      readAt: 70_000,
      staleAt: 190_000
    })
    assert.strictEqual((step.state as DiscoveryState.Served<Serve>).metadata, sameEndpoint)
    assert.deepStrictEqual(step.actions, [])
  })

  it("good metadata from Known, another token endpoint → Known; log the move", () => {
    const step = DiscoveryState.readEnded<Waiters, Serve>(rereading, rereading, success(moved, 60_000, "moved"))
    assert.deepStrictEqual(step.state, {
      _tag: "Known",
      metadata: moved,
      serve: { serve: "moved" },
      readAt: 70_000,
      staleAt: 130_000
    })
    assert.deepStrictEqual(step.actions, [{ _tag: "LogMoved", metadata: moved, before: first }])
  })

  it("good metadata from Kept → Known; log that it was read again, then a move if there is one", () => {
    const fromKept = rereadingFrom(served("Kept", 40_000, 70_000))
    const same = DiscoveryState.readEnded<Waiters, Serve>(fromKept, fromKept, success(sameEndpoint, 60_000, "again"))
    assert.strictEqual(same.state._tag, "Known")
    assert.deepStrictEqual(same.actions, [{ _tag: "LogReadAgain" }])
    const other = DiscoveryState.readEnded<Waiters, Serve>(fromKept, fromKept, success(moved, 60_000, "moved"))
    assert.deepStrictEqual(other.actions, [
      { _tag: "LogReadAgain" },
      { _tag: "LogMoved", metadata: moved, before: first }
    ])
  })

  it("a failure from Known → Kept: its metadata, read at this read's start, as stale as it was; log at warning", () => {
    const step = DiscoveryState.readEnded<Waiters, Serve>(rereading, rereading, {
      _tag: "Failure",
      failure: "the issuer failed"
    })
    assert.deepStrictEqual(step.state, {
      _tag: "Kept",
      metadata: first,
      serve: { serve: "first" },
      readAt: 70_000,
      staleAt: 70_000
    })
    assert.strictEqual((step.state as DiscoveryState.Served<Serve>).serve, known.serve)
    assert.deepStrictEqual(step.actions, [{ _tag: "LogRereadFailed", level: "Warning", failure: "the issuer failed" }])
  })

  it("a failure from Kept → Kept, read at this read's start; log at debug (a run of failures: one warning)", () => {
    const fromKept = rereadingFrom(served("Kept", 40_000, 70_000))
    const step = DiscoveryState.readEnded<Waiters, Serve>(fromKept, fromKept, { _tag: "Failure", failure: undefined })
    assert.deepStrictEqual(step.state, {
      _tag: "Kept",
      metadata: first,
      serve: { serve: "first" },
      readAt: 70_000,
      staleAt: 70_000
    })
    assert.deepStrictEqual(step.actions, [{ _tag: "LogRereadFailed", level: "Debug", failure: undefined }])
  })

  it("an interruption → the state it re-read from, as it was; logs nothing", () => {
    for (const from of [known, served("Kept", 40_000, 70_000)]) {
      const reading = rereadingFrom(from)
      const step = DiscoveryState.readEnded<Waiters, Serve>(reading, reading, { _tag: "Interrupted" })
      assert.strictEqual(step.state, from)
      assert.deepStrictEqual(step.actions, [])
    }
  })

  it("the end of a re-read that is no longer the state changes nothing, logs nothing", () => {
    const later: State = served("Known", 200_000, 260_000)
    for (
      const end of [success(moved, 60_000, "moved"), { _tag: "Failure", failure: "x" }, {
        _tag: "Interrupted"
      }] as const
    ) {
      const step = DiscoveryState.readEnded<Waiters, Serve>(later, rereading, end)
      assert.strictEqual(step.state, later, end._tag)
      assert.deepStrictEqual(step.actions, [], end._tag)
    }
  })
})

describe("discoveryState: invariants", () => {
  it("at most one read at a time, whatever the number of callers; a failed re-read never replaces the metadata", () => {
    const waiters = counting()
    let state: State = DiscoveryState.unknown
    const reads: Array<DiscoveryState.Reading<Waiters, Serve>> = []
    const callAt = (now: number) => {
      const step = DiscoveryState.call(state, now, waiters.make)
      state = step.state
      for (const action of step.actions) if (action._tag === "StartRead") reads.push(action.reading)
      return step
    }
    const end = (end: DiscoveryState.ReadEnd<Serve>) => {
      state = DiscoveryState.readEnded(state, reads.at(-1)!, end).state
    }
    for (let i = 0; i < 5; i++) callAt(i)
    assert.strictEqual(reads.length, 1)
    assert.strictEqual(waiters.made, 1)
    end(success(first, 60_000, "a"))
    for (let i = 0; i < 5; i++) callAt(60_000 + i)
    assert.strictEqual(reads.length, 2)
    end({ _tag: "Failure", failure: "down" })
    assert.deepStrictEqual(callAt(60_010).actions, [{ _tag: "Serve", serve: { serve: "a" } }])
    assert.strictEqual(reads.length, 2)
    assert.strictEqual(waiters.made, 1, "no caller waits for discovery again")
  })
})

describe("discoveryState: log words", () => {
  it("the token endpoint found, at debug: on the issuer's origin, or another; origins only", () => {
    assert.deepStrictEqual(DiscoveryState.logOf({ _tag: "LogFound", metadata: first }, issuerOrigin), {
      level: "Debug",
      message: "effect-oauth2: the token endpoint is on the issuer's origin",
      annotations: { issuer: issuerOrigin, tokenEndpoint: "https://login.example.com" }
    })
    assert.deepStrictEqual(DiscoveryState.logOf({ _tag: "LogFound", metadata: moved }, issuerOrigin), {
      level: "Debug",
      message: "effect-oauth2: the token endpoint is on another origin than the issuer's",
      annotations: { issuer: issuerOrigin, tokenEndpoint: "https://auth.other.example" }
    })
  })

  it("a move, at info, with where it was", () => {
    assert.deepStrictEqual(
      DiscoveryState.logOf({ _tag: "LogMoved", metadata: moved, before: first }, issuerOrigin),
      {
        level: "Info",
        message: "effect-oauth2: the issuer's metadata names another token endpoint, on another origin than the " +
          "issuer's; using it",
        annotations: {
          issuer: issuerOrigin,
          tokenEndpoint: "https://auth.other.example",
          before: "https://login.example.com"
        }
      }
    )
    assert.strictEqual(
      DiscoveryState.logOf({ _tag: "LogMoved", metadata: first, before: moved }, issuerOrigin).message,
      "effect-oauth2: the issuer's metadata names another token endpoint, on the issuer's origin; using it"
    )
  })

  it("read again, at info", () => {
    assert.deepStrictEqual(DiscoveryState.logOf({ _tag: "LogReadAgain" }, issuerOrigin), {
      level: "Info",
      message: "effect-oauth2: the issuer's metadata was read again",
      annotations: { issuer: issuerOrigin }
    })
  })

  it("a re-read that failed, at the level of the action, with the failure's message or `a defect`", () => {
    assert.deepStrictEqual(
      DiscoveryState.logOf({ _tag: "LogRereadFailed", level: "Warning", failure: "it failed" }, issuerOrigin),
      {
        level: "Warning",
        message: "effect-oauth2: reading the issuer's metadata again failed; keeping the metadata read before",
        annotations: { issuer: issuerOrigin, error: "it failed" }
      }
    )
    const defect = DiscoveryState.logOf({ _tag: "LogRereadFailed", level: "Debug", failure: undefined }, issuerOrigin)
    assert.strictEqual(defect.level, "Debug")
    assert.deepStrictEqual(defect.annotations, { issuer: issuerOrigin, error: "a defect" })
  })
})

describe("discoveryState: endpointGone", () => {
  it("a TokenError: InvalidResponse with 404 or 410 only", () => {
    assert.isTrue(DiscoveryState.endpointGone({ _tag: "TokenError", reason: "InvalidResponse", status: 404 }))
    assert.isTrue(DiscoveryState.endpointGone({ _tag: "TokenError", reason: "InvalidResponse", status: 410 }))
    assert.isFalse(DiscoveryState.endpointGone({ _tag: "TokenError", reason: "InvalidResponse", status: 400 }))
    assert.isFalse(DiscoveryState.endpointGone({ _tag: "TokenError", reason: "InvalidResponse" }))
    assert.isFalse(DiscoveryState.endpointGone({ _tag: "TokenError", reason: "OAuth", status: 404 }))
  })

  it("a NetworkError of the token endpoint: Timeout, or Transport with no status", () => {
    const network = { _tag: "NetworkError", source: "TokenEndpoint" }
    assert.isTrue(DiscoveryState.endpointGone({ ...network, reason: "Timeout" }))
    assert.isTrue(DiscoveryState.endpointGone({ ...network, reason: "Transport" }))
    assert.isFalse(DiscoveryState.endpointGone({ ...network, reason: "Transport", status: 200 }))
    assert.isFalse(DiscoveryState.endpointGone({ ...network, reason: "ServerError", status: 503 }))
    assert.isFalse(DiscoveryState.endpointGone({ ...network, source: "Discovery", reason: "Timeout" }))
    assert.isFalse(DiscoveryState.endpointGone({ _tag: "ApiError", reason: "Transport" }))
  })
})
