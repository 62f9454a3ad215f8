/**
 * Reading a body up to a limit, whatever the transport says about its size: a `Content-Length` may be the
 * compressed length (a fetch-based client decompresses and keeps it) or simply wrong (a custom or mocked client).
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** The start of a body, as text. */
export interface BodyStart {
  /** The first bytes read, at most the limit, as UTF-8; a character the limit cut in two is left out. */
  readonly text: string
  /** Whether the body went on past the limit (it was not read further). */
  readonly truncated: boolean
}

/**
 * Reads `stream` until it ends or holds more than `limit` bytes, then stops pulling (the stream is closed, so a
 * network body is cancelled): at most `limit` bytes, plus the chunk that went past it, are held at any time.
 *
 * The stream's runtime logs, at Debug, the error a stream fails with: map a failure that may quote a request to a
 * safe one on the stream itself (`Stream.mapError`), not on the result.
 */
export const readAtMost = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  limit: number
): Effect.Effect<BodyStart, E, R> =>
  Effect.suspend(() => {
    // per run: the same effect can read many bodies
    const chunks: Array<Uint8Array> = []
    let size = 0
    return Stream.runForEachWhile(stream, (chunk) =>
      Effect.sync(() => {
        const kept = chunk.subarray(0, Math.max(0, limit - size))
        if (kept.byteLength > 0) chunks.push(kept)
        size += chunk.byteLength
        return size <= limit
      })).pipe(
        Effect.map(() => {
          const truncated = size > limit
          const bytes = new Uint8Array(Math.min(size, limit))
          let offset = 0
          for (const chunk of chunks) {
            bytes.set(chunk, offset)
            offset += chunk.byteLength
          }
          // `stream: true` holds back an incomplete last character instead of decoding it as U+FFFD
          return { text: new TextDecoder().decode(bytes, { stream: truncated }), truncated }
        })
      )
  })
