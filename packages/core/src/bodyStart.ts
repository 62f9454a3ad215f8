/**
 * The start of a body, read up to a limit whatever the transport says about its size: a `Content-Length` may be the
 * compressed length (a fetch-based client decompresses and keeps it) or simply wrong (a custom or mocked client).
 * Each line pulls its body's chunks into a `BodyReader` and stops pulling when it says so.
 */

/**
 * The start of a body, as text.
 *
 * @since 0.1.0
 * @category models
 */
export interface BodyStart {
  /** The first bytes read, at most the limit, as UTF-8; a character the limit cut in two is left out. */
  readonly text: string
  /** Whether the body went on past the limit (it was not read further). */
  readonly truncated: boolean
}

/**
 * The chunks of one body, up to `limit` bytes: at most `limit` bytes are kept, whatever the chunks' sizes.
 *
 * @since 0.1.0
 * @category models
 */
export class BodyReader {
  private readonly chunks: Array<Uint8Array> = []
  private size = 0

  constructor(private readonly limit: number) {}

  /** Takes in the next chunk; `false` once the body holds more than the limit: pull no more. */
  push(chunk: Uint8Array): boolean {
    const kept = chunk.subarray(0, Math.max(0, this.limit - this.size))
    if (kept.byteLength > 0) this.chunks.push(kept)
    this.size += chunk.byteLength
    return this.size <= this.limit
  }

  /** What was read, as text. */
  result(): BodyStart {
    const truncated = this.size > this.limit
    const bytes = new Uint8Array(Math.min(this.size, this.limit))
    let offset = 0
    for (const chunk of this.chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    // `stream: true` holds back an incomplete last character instead of decoding it as U+FFFD
    return { text: new TextDecoder().decode(bytes, { stream: truncated }), truncated }
  }
}
