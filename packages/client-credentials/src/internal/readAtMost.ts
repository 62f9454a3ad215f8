/**
 * Reading a body up to a limit, whatever the transport says about its size (`@effect-oauth2/core/bodyStart`), from a
 * `Stream`.
 */
import { BodyReader, type BodyStart } from "@effect-oauth2/core/bodyStart"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

export type { BodyStart } from "@effect-oauth2/core/bodyStart"

/**
 * Reads `stream` until it ends or holds more than `limit` bytes, then stops pulling (the stream is closed, so a
 * network body is cancelled, and a body that never ends is not waited for). Keeps at most `limit` bytes, whatever the
 * chunks' sizes: at most `limit` bytes, plus the chunk that went past it, are held at any time.
 *
 * A stream's runtime may log, at Debug, the error a stream fails with: map a failure that may quote a request to a
 * safe one on the stream itself (`Stream.mapError`), not on the result.
 */
export const readAtMost = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  limit: number
): Effect.Effect<BodyStart, E, R> =>
  Effect.suspend(() => {
    // per run: the same effect can read many bodies
    const reader = new BodyReader(limit)
    return Effect.map(
      Stream.runForEachWhile(stream, (chunk) => Effect.sync(() => reader.push(chunk))),
      () => reader.result()
    )
  })
