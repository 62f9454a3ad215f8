/**
 * The redactor: the one path every error text the library builds from what a server or a transport said goes through.
 *
 * What must never show is a credential: the client secret and the access token. A server that echoes a request may
 * echo a value as it was configured, as it went on the wire (form-urlencoded, inside the Basic credentials), or as
 * its own output escapes it (percent-encoding, a JSON string, HTML). Each such spelling of a value is one of its
 * *forms*; `forms` lists them, one list for the secret and the token alike. All the forms of all the values are
 * replaced in one pass, longest first, so a form that starts another leaves nothing behind, and a marker is never
 * searched again.
 *
 * Replace first, then cut. Cutting first (a description at 1 KiB, a cause at 200 bytes) can cut an echoed value in
 * two, and the half left in the text matches nothing: its first characters show. Replacing first leaves no whole
 * form in the text; the cut can still end inside one that the text only held in part (the server sent a part, or
 * the body it came from was read up to a limit), so a cut text — or one whose input was truncated — never ends in
 * the first characters, one or more, of any form: they are dropped too.
 */
import { cutUtf8 } from "./text.js"

/** What replaces each form of a value. */
export const marker = "<redacted>"

const upperHex = (code: number, width: number): string => code.toString(16).toUpperCase().padStart(width, "0")

const isAsciiAlphanumeric = (char: string): boolean => /^[A-Za-z0-9]$/.test(char)

/** `encodeURIComponent`, or `undefined` for a string it refuses (a lone surrogate). */
const percentEncoded = (value: string): string | undefined => {
  try {
    return encodeURIComponent(value)
  } catch {
    return undefined
  }
}

/** The same percent-encoding with lower-case hex digits, as some servers write it. */
const lowerHexEscapes = (encoded: string): string => encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())

interface JsonStyle {
  /** `/` as `\/` (PHP, some Java encoders). */
  readonly slash: boolean
  /** Everything past ASCII as `\uXXXX` (Python's and PHP's defaults). */
  readonly ascii: boolean
  /** `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX` (Go's `encoding/json`). */
  readonly html: boolean
  /** Upper-case hex digits in `\uXXXX` (Jackson). */
  readonly upper: boolean
}

const jsonShortEscapes: Readonly<Record<string, string>> = {
  "\"": "\\\"",
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t"
}

/** `value` inside a JSON string, without the quotes, as an encoder of `style` writes it. */
const jsonEscaped = (value: string, style: JsonStyle): string => {
  let out = ""
  // by UTF-16 code unit, as `\uXXXX` escapes are
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!
    const code = value.charCodeAt(i)
    const short = jsonShortEscapes[char]
    if (short !== undefined) out += short
    else if (char === "/" && style.slash) out += "\\/"
    else if (
      code < 0x20 || (style.ascii && code > 0x7f) ||
      (style.html && (char === "<" || char === ">" || char === "&" || code === 0x2028 || code === 0x2029))
    ) {
      const hex = upperHex(code, 4)
      out += `\\u${style.upper ? hex : hex.toLowerCase()}`
    } else out += char
  }
  return out
}

const htmlNamed = (value: string, quote: string, apostrophe: string, slash: string): string =>
  value.replace(/[&<>"'/]/g, (char) => {
    switch (char) {
      case "&":
        return "&amp;"
      case "<":
        return "&lt;"
      case ">":
        return "&gt;"
      case "\"":
        return quote
      case "'":
        return apostrophe
      default:
        return slash
    }
  })

/** Every character but ASCII letters and digits as a numeric character reference (OWASP ESAPI and the like). */
const htmlNumeric = (value: string, format: (codePoint: number) => string): string => {
  let out = ""
  for (const char of value) out += isAsciiAlphanumeric(char) ? char : `&#${format(char.codePointAt(0)!)};`
  return out
}

/**
 * Every spelling of `value` a server may echo it in, without duplicates:
 * - as is, and with each space as `+` (a form read back with `decodeURIComponent`, which leaves `+` as it is);
 * - percent-encoded: `application/x-www-form-urlencoded` (`URLSearchParams`: a space is `+`), `encodeURIComponent`,
 *   and strict RFC 3986 (`!'()*` encoded as well); each with upper- and lower-case hex digits;
 * - inside a JSON string: as JavaScript writes it, with `\/`, with `\uXXXX` for non-ASCII, with `<>&` as `\u003c`…
 *   (Go), in every combination, with lower- and upper-case hex digits;
 * - HTML-escaped: `&amp; &lt; &gt;` with `&quot;` or `&#34;`, `&#39;`, `&#039;`, `&#x27;` or `&apos;`, `/` as is or
 *   `&#x2F;` (OWASP); and every character but ASCII letters and digits as a decimal, lower- or upper-case hex
 *   numeric reference.
 */
export const forms = (value: string): ReadonlyArray<string> => {
  if (value === "") return []
  const all = new Set<string>([value, value.replaceAll(" ", "+")])
  for (const encoded of [new URLSearchParams([["", value]]).toString().slice(1), percentEncoded(value)]) {
    if (encoded === undefined) continue
    const strict = encoded.replace(/[!'()*]/g, (char) => `%${upperHex(char.charCodeAt(0), 2)}`)
    for (const form of [encoded, strict]) {
      all.add(form)
      all.add(lowerHexEscapes(form))
    }
  }
  for (const slash of [false, true]) {
    for (const ascii of [false, true]) {
      for (const html of [false, true]) {
        for (const upper of [false, true]) all.add(jsonEscaped(value, { slash, ascii, html, upper }))
      }
    }
  }
  for (const quote of ["&quot;", "&#34;"]) {
    for (const apostrophe of ["&#39;", "&#039;", "&#x27;", "&apos;"]) {
      for (const slash of ["/", "&#x2F;"]) all.add(htmlNamed(value, quote, apostrophe, slash))
    }
  }
  all.add(htmlNumeric(value, (code) => String(code)))
  all.add(htmlNumeric(value, (code) => `x${code.toString(16)}`))
  all.add(htmlNumeric(value, (code) => `x${upperHex(code, 1)}`))
  return [...all]
}

/** How long the longest end of `text` that is a start of `form` is (Knuth–Morris–Pratt on its last characters). */
const overlap = (text: string, form: string): number => {
  const failure = new Array<number>(form.length).fill(0)
  for (let i = 1, k = 0; i < form.length; i++) {
    while (k > 0 && form[i] !== form[k]) k = failure[k - 1]!
    if (form[i] === form[k]) k++
    failure[i] = k
  }
  let matched = 0
  for (let i = Math.max(0, text.length - form.length); i < text.length; i++) {
    if (matched === form.length) matched = failure[matched - 1]!
    while (matched > 0 && text[i] !== form[matched]) matched = failure[matched - 1]!
    if (text[i] === form[matched]) matched++
  }
  return matched
}

/**
 * `text` without an ending that is the start of any of `forms` (one character or more), repeated until none is
 * left: the part of a value that a cut left behind is not shown either.
 */
export const withoutTrailingPrefix = (text: string, forms: ReadonlyArray<string>): string => {
  let current = text
  for (;;) {
    let longest = 0
    for (const form of forms) longest = Math.max(longest, overlap(current, form))
    if (longest === 0) return current
    current = current.slice(0, current.length - longest)
  }
}

/** Removes, from a text the library builds, every form of the values it was made with. */
export interface Redactor {
  /** `text` with every form replaced by `<redacted>`, longest first, in one pass. */
  readonly redact: (text: string) => string
  /**
   * `text` redacted, then cut to `maxBytes` of UTF-8; when that cut something, or when `truncated` says the text
   * is itself the start of something longer, it does not end in the first characters of any form.
   */
  readonly cut: (text: string, maxBytes: number, options?: { readonly truncated?: boolean }) => string
  /** The UTF-8 length of the longest form: read this much past a limit to see whole any form that starts within it. */
  readonly longestFormBytes: number
  /** A redactor for these values and `values`. */
  readonly including: (values: ReadonlyArray<string>) => Redactor
}

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")

/**
 * A redactor of `values` (e.g. the client secret and its Basic credentials, or an access token) in all their forms.
 * The values are the secrets themselves: a caller unwraps its `Redacted` values to give them, and keeps the redactor
 * as private as they are.
 */
export const make = (values: ReadonlyArray<string>): Redactor => {
  const plain = values
  const all = [...new Set(plain.flatMap(forms))].sort((a, b) => b.length - a.length)
  // alternatives in order, longest first: at each position the longest form wins, and a marker is never rescanned
  const pattern = all.length === 0 ? undefined : new RegExp(all.map(escapeRegExp).join("|"), "g")
  const redact = (text: string): string => pattern === undefined ? text : text.replace(pattern, marker)
  const encoder = new TextEncoder()
  return {
    redact,
    cut: (text, maxBytes, options) => {
      const replaced = redact(text)
      const cut = cutUtf8(replaced, maxBytes)
      return cut.length < replaced.length || options?.truncated === true ? withoutTrailingPrefix(cut, all) : cut
    },
    longestFormBytes: all.reduce((longest, form) => Math.max(longest, encoder.encode(form).byteLength), 0),
    including: (more) => make([...plain, ...more])
  }
}
