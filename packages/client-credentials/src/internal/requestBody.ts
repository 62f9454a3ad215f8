/**
 * A request body as the Promise API's `fetch` takes it (`@effect-oauth2/core/requestBody`: read up to a limit, so that
 * a small body can be sent again after a 401 and a large one is streamed once), cut by `close()` with this line's
 * `ClosedError`.
 */
import * as RequestBody from "@effect-oauth2/core/requestBody"

/** A call made after `close()`, or cut by it. */
export class ClosedError extends Error {
  constructor() {
    super(RequestBody.closedMessage)
    this.name = "ClosedError"
  }
}

/** A `ClosedError`, as the core's reads and calls make it. */
export const closedError = (): ClosedError => new ClosedError()

/** A body read up to the limit (`@effect-oauth2/core/requestBody`). */
export type ReadBody = RequestBody.ReadBody

/**
 * Reads `body` until it ends, fails or passes `limit` bytes; cut by `signal` (its reason) or by `closing`
 * (`ClosedError`).
 */
export const readUpTo = (
  body: ReadableStream<Uint8Array>,
  limit: number,
  signal: AbortSignal | undefined,
  closing: AbortSignal
): Promise<ReadBody> => RequestBody.readUpTo(body, limit, signal, closing, closedError)
