/**
 * A request body read up to a limit (`docs/promise.md#fetch`, `replayBodyLimit`): kept when it ends within it,
 * streamed once past it (the chunks read, then the rest), its own failure kept as data; the read cut at once by the
 * caller's signal or by the client's closing, with the signal's reason or the line's closed error.
 */
import { getEventListeners } from "node:events"
import { assert, describe, it } from "vitest"
import * as RequestBody from "../src/requestBody.js"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A stream of `chunks`, and whether (and why) it was cancelled. */
const streamOf = (...chunks: ReadonlyArray<string | Uint8Array | unknown>) => {
  const state: { cancelled: boolean; reason: unknown } = { cancelled: false, reason: undefined }
  let next = 0
  const stream = new ReadableStream<Uint8Array>({
    pull: (controller) => {
      if (next === chunks.length) return controller.close()
      const chunk = chunks[next++]
      controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk as Uint8Array)
    },
    cancel: (reason) => {
      state.cancelled = true
      state.reason = reason
    }
  })
  return { stream, state }
}

/** A stream that gives `chunks`, then waits for ever, or until it is cancelled. */
const hanging = (...chunks: ReadonlyArray<string>) => {
  const state: { cancelled: boolean; reason: unknown } = { cancelled: false, reason: undefined }
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
    },
    cancel: (reason) => {
      state.cancelled = true
      state.reason = reason
    }
  })
  return { stream, state }
}

class Closed extends Error {}

const closedError = () => new Closed(RequestBody.closedMessage)

const read = async (stream: ReadableStream<Uint8Array>) => {
  const reader = stream.getReader()
  const parts: Array<string> = []
  for (;;) {
    const next = await reader.read()
    if (next.done) return parts
    parts.push(decoder.decode(next.value))
  }
}

describe("requestBody: readUpTo", () => {
  it("a body that ends within the limit, or at it exactly: kept, its chunks as one array of bytes", async () => {
    const within = await RequestBody.readUpTo(
      streamOf("he", "llo").stream,
      5,
      undefined,
      new AbortController().signal,
      closedError
    )
    assert.strictEqual(within._tag, "Kept")
    assert.strictEqual(decoder.decode((within as { readonly bytes: Uint8Array }).bytes), "hello")
    const one = encoder.encode("single")
    const single = await RequestBody.readUpTo(
      streamOf(one).stream,
      100,
      undefined,
      new AbortController().signal,
      closedError
    )
    assert.strictEqual((single as { readonly bytes: Uint8Array }).bytes, one, "one chunk is kept as it is, not copied")
    const empty = await RequestBody.readUpTo(streamOf().stream, 0, undefined, new AbortController().signal, closedError)
    assert.deepStrictEqual(empty, { _tag: "Kept", bytes: new Uint8Array(0) })
  })

  it("past the limit: streamed, the chunks read (the last one past it), then the rest of the stream", async () => {
    const { state, stream } = streamOf("abc", "de", "f", "tail")
    const body = await RequestBody.readUpTo(stream, 5, undefined, new AbortController().signal, closedError)
    assert.strictEqual(body._tag, "Streamed")
    const streamed = body as Extract<RequestBody.ReadBody, { readonly _tag: "Streamed" }>
    assert.deepStrictEqual(streamed.head.map((chunk) => decoder.decode(chunk)), ["abc", "de", "f"])
    assert.strictEqual(streamed.rest, stream)
    assert.isFalse(state.cancelled)
    assert.deepStrictEqual(await read(RequestBody.streamOf(streamed)), ["abc", "de", "f", "tail"])
  })

  it("a body whose stream fails, or gives a chunk that is not bytes: the error, as data", async () => {
    const error = new Error("broke")
    const failing = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.error(error)
    })
    assert.deepStrictEqual(
      await RequestBody.readUpTo(failing, 10, undefined, new AbortController().signal, closedError),
      { _tag: "Failed", error }
    )
    const { state, stream } = streamOf("ok", ["not bytes"])
    const body = await RequestBody.readUpTo(stream, 100, undefined, new AbortController().signal, closedError)
    assert.strictEqual(body._tag, "Failed")
    const failed = (body as { readonly error: unknown }).error
    assert.instanceOf(failed, TypeError)
    assert.strictEqual((failed as Error).message, "fetch: a body stream chunk is not a Uint8Array")
    assert.isTrue(state.cancelled, "the stream is cancelled with the error")
    assert.strictEqual(state.reason, failed)
  })

  it("cut by the caller's signal: rejects with its reason at once, the stream cancelled with it", async () => {
    const { state, stream } = hanging("abc")
    const controller = new AbortController()
    const reading = RequestBody.readUpTo(stream, 100, controller.signal, new AbortController().signal, closedError)
    const reason = new Error("caller gave up")
    controller.abort(reason)
    const error = await reading.then(() => undefined, (error: unknown) => error)
    assert.strictEqual(error, reason)
    assert.isTrue(state.cancelled)
    assert.strictEqual(state.reason, reason)
  })

  it("cut by the client's closing: rejects with the line's closed error, the stream cancelled with it", async () => {
    const { state, stream } = hanging()
    const closing = new AbortController()
    let made = 0
    const reading = RequestBody.readUpTo(stream, 100, undefined, closing.signal, () => {
      made++
      return closedError()
    })
    closing.abort()
    const error = await reading.then(() => undefined, (error: unknown) => error)
    assert.instanceOf(error, Closed)
    assert.strictEqual((error as Error).message, "createTokenClient: the client is closed")
    assert.strictEqual(made, 1)
    assert.strictEqual(state.reason, error)
  })

  it("lets go of its listeners on the signals when it is done, whatever the outcome", async () => {
    const controller = new AbortController()
    const closing = new AbortController()
    const listeners = () =>
      getEventListeners(controller.signal, "abort").length + getEventListeners(closing.signal, "abort").length
    for (const stream of [streamOf("a").stream, streamOf("abc", "def").stream, streamOf("a", 1).stream]) {
      const reading = RequestBody.readUpTo(stream, 4, controller.signal, closing.signal, closedError)
      assert.strictEqual(listeners(), 2)
      await reading
      assert.strictEqual(listeners(), 0)
    }
    const cut = new AbortController()
    const reading = RequestBody.readUpTo(hanging().stream, 4, cut.signal, closing.signal, closedError)
    cut.abort()
    await reading.catch(() => {})
    assert.strictEqual(getEventListeners(closing.signal, "abort").length, 0)
  })
})

describe("requestBody: streamOf", () => {
  it("cancelling the stream cancels the rest of the body, before or after it was reached", async () => {
    const before = streamOf("rest")
    const ahead = RequestBody.streamOf({ _tag: "Streamed", head: [encoder.encode("head")], rest: before.stream })
    await ahead.cancel("stop")
    assert.isTrue(before.state.cancelled)
    assert.strictEqual(before.state.reason, "stop")

    const after = hanging("rest")
    const reached = RequestBody.streamOf({ _tag: "Streamed", head: [], rest: after.stream })
    const reader = reached.getReader()
    assert.strictEqual(decoder.decode((await reader.read()).value), "rest")
    await reader.cancel("stop")
    assert.isTrue(after.state.cancelled)
    assert.strictEqual(after.state.reason, "stop")
  })
})
