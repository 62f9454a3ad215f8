/**
 * A request body as an authorized `fetch` takes it (a web `ReadableStream`): read up to a limit, so that a small body
 * can be sent again after a 401 and a large one is streamed once, never held whole. The read stops at once when the
 * caller's signal aborts or the client closes; what a closed client rejects with is the line's own class
 * (`closedMessage` its message), made by the factory the line passes.
 */

/**
 * The message of the error a call made after `close()`, or cut by it, rejects with.
 *
 * @since 0.1.0
 * @category models
 */
export const closedMessage = "createTokenClient: the client is closed"

/**
 * A body read up to the limit: the bytes, when it ended within it; else the chunks read and the rest of its stream;
 * or the error it failed with while it was read.
 *
 * @since 0.1.0
 * @category models
 */
export type ReadBody =
  | { readonly _tag: "Kept"; readonly bytes: Uint8Array }
  | { readonly _tag: "Streamed"; readonly head: ReadonlyArray<Uint8Array>; readonly rest: ReadableStream<Uint8Array> }
  | { readonly _tag: "Failed"; readonly error: unknown }

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/**
 * Reads `body` until it ends, fails or passes `limit` bytes. When `signal` aborts or `closing` does (the client
 * closes), the stream is cancelled at once (which ends a pending read) and the read rejects with the signal's reason,
 * or with `closedError()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readUpTo = async (
  body: ReadableStream<Uint8Array>,
  limit: number,
  signal: AbortSignal | undefined,
  closing: AbortSignal,
  closedError: () => unknown
): Promise<ReadBody> => {
  const reader = body.getReader()
  let cut: { readonly error: unknown } | undefined
  const stop = (error: unknown) => {
    if (cut !== undefined) return
    cut = { error }
    reader.cancel(error).catch(() => {})
  }
  const onAbort = () => stop(signal!.reason)
  const onClose = () => stop(closedError())
  signal?.addEventListener("abort", onAbort, { once: true })
  closing.addEventListener("abort", onClose, { once: true })
  const chunks: Array<Uint8Array> = []
  let size = 0
  try {
    for (;;) {
      const next = await reader.read()
      if (cut !== undefined) throw cut.error
      if (next.done) return { _tag: "Kept", bytes: concat(chunks, size) }
      if (!(next.value instanceof Uint8Array)) throw new TypeError("fetch: a body stream chunk is not a Uint8Array")
      chunks.push(next.value)
      size += next.value.byteLength
      if (size > limit) {
        reader.releaseLock()
        return { _tag: "Streamed", head: chunks, rest: body }
      }
    }
  } catch (error) {
    if (cut !== undefined) throw cut.error
    reader.cancel(error).catch(() => {})
    return { _tag: "Failed", error }
  } finally {
    signal?.removeEventListener("abort", onAbort)
    closing.removeEventListener("abort", onClose)
  }
}

/**
 * The chunks read, then the rest of the stream, as one stream: a body that went past the limit, sent once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const streamOf = (body: Extract<ReadBody, { readonly _tag: "Streamed" }>): ReadableStream<Uint8Array> => {
  let next = 0
  let rest: ReadableStreamDefaultReader<Uint8Array> | undefined
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (next < body.head.length) return controller.enqueue(body.head[next++]!)
      rest ??= body.rest.getReader()
      const chunk = await rest.read()
      if (chunk.done) controller.close()
      else controller.enqueue(chunk.value)
    },
    cancel: (reason) => (rest ?? body.rest).cancel(reason)
  })
}
