/** Text helpers shared by the wire modules. */

/** C0 and C1 control characters and DEL: never allowed in a value that goes on the wire. */
// eslint-disable-next-line no-control-regex
export const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/

/**
 * `text` with each control character, line or paragraph separator (U+2028, U+2029) and bidirectional override or
 * isolate (U+202A–U+202E, U+2066–U+2069) written as a `\uXXXX` escape: a server's text in a message or a log cannot
 * start a line of its own, colour a terminal or show its characters in another order than they are.
 */
export const escapeControlCharacters = (text: string): string =>
  text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`
  )

/** `text` cut to at most `maxBytes` of UTF-8, never inside a character. */
export const cutUtf8 = (text: string, maxBytes: number): string => {
  let bytes = 0
  let end = 0
  for (const char of text) {
    const code = char.codePointAt(0)!
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
    if (bytes > maxBytes) return text.slice(0, end)
    end += char.length
  }
  return text
}

/** What kind of value `value` is, in words that never show it: `null`, `an array`, `an object`, `a string`, …. */
export const kindOf = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : typeof value === "object"
    ? "an object"
    : `a ${typeof value}`
