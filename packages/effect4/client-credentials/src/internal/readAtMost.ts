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
 * body that never ends is not waited for). Keeps at most `limit` bytes, whatever the chunks' sizes.
 */
export const readAtMost = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  limit: number
): Effect.Effect<BodyStart, E, R> =>
  Effect.suspend(() => {
    // per run: the same effect can read many bodies
    const reader = new BodyReader(limit)
    return Stream.runForEachWhile(stream, (chunk) => Effect.sync(() => reader.push(chunk))).pipe(
      Effect.map(() => reader.result())
    )
  })
