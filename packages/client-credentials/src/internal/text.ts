/** Text and byte helpers shared by the wire modules. */

/** C0 and C1 control characters and DEL: never allowed in a value that goes on the wire. */
// eslint-disable-next-line no-control-regex
export const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/

/** The bytes of `chunks`, `size` in total, as UTF-8 text; malformed sequences become U+FFFD. */
export const decodeUtf8 = (chunks: ReadonlyArray<Uint8Array>, size: number): string => {
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk.subarray(0, size - offset), offset)
    offset += Math.min(chunk.byteLength, size - offset)
    if (offset >= size) break
  }
  return new TextDecoder().decode(bytes)
}

/** `text` cut to at most `maxBytes` of UTF-8, without a broken character at the end. */
export const truncateUtf8 = (text: string, maxBytes: number): string => {
  const bytes = new TextEncoder().encode(text)
  if (bytes.byteLength <= maxBytes) return text
  return new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD+$/, "")
}

/** `text` with every occurrence of `value` replaced by `<redacted>`. */
export const redact = (text: string, value: string): string =>
  value === "" ? text : text.replaceAll(value, "<redacted>")
