/**
 * What the redaction suites look for: the start of a value in any printing, and the forms servers echo a value in,
 * each written independently of the library.
 */
import type * as Line from "../Line.js"
import type { Assert } from "../TestApi.js"

/** How many leading characters of a value may not show anywhere. */
export const leading = 8

/** Fails when `text` holds the first `leading` characters of any of `values` (named by the keys). */
export const assertNoStart = (
  assert: Assert,
  what: string,
  text: string,
  values: Readonly<Record<string, string>>
) => {
  for (const [name, value] of Object.entries(values)) {
    const start = value.slice(0, leading)
    if (text.includes(start)) {
      // the message names the value, never prints it: a failing test must not leak either
      assert.fail(`${what} holds the first ${leading} characters of ${name} (at ${text.indexOf(start)})`)
    }
  }
}

/**
 * The base64 of a PEM text (its lines between the armour, joined) cut into consecutive pieces of `leading`
 * characters, named: a text that holds none of their starts holds no run of `2 * leading - 1` characters of it.
 */
export const pemPieces = (name: string, pem: string): Record<string, string> => {
  const body = pem.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("-----"))
    .join("")
  const pieces: Record<string, string> = {}
  for (let i = 0; i + leading <= body.length; i += leading) pieces[`${name} at ${i}`] = body.slice(i, i + leading)
  return pieces
}

/**
 * `value` in each form of `encodings`, cut into consecutive pieces of `leading` characters, named: a text that holds
 * none of their starts holds no run of `2 * leading - 1` characters of any of its forms.
 */
export const encodedPieces = (name: string, value: string): Record<string, string> => {
  const pieces: Record<string, string> = {}
  for (const [encodingName, encode] of Object.entries(encodings)) {
    const encoded = encode(value)
    for (let i = 0; i + leading <= encoded.length; i += leading) {
      pieces[`${name} (${encodingName}) at ${i}`] = encoded.slice(i, i + leading)
    }
  }
  return pieces
}

/** Fails when any printing of the error, or any log line, holds a start of `values`. */
export const assertClean = (
  assert: Assert,
  error: Line.ErrorData,
  logs: ReadonlyArray<Line.LogLine>,
  values: Readonly<Record<string, string>>
) => {
  for (const [how, text] of error.printings) assertNoStart(assert, how, text, values)
  for (const log of logs) assertNoStart(assert, `the ${log.level} log`, log.text, values)
}

/** `application/x-www-form-urlencoded`, as `client_secret_post` sends a value. */
export const formEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

/** The Basic credentials of `client_secret_basic` (RFC 6749 §2.3.1). */
export const basicCredentials = (clientId: string, secret: string): string =>
  btoa(`${formEncode(clientId)}:${formEncode(secret)}`)

/** A value as servers echo it: each is one encoder's output. */
export const encodings: Readonly<Record<string, (value: string) => string>> = {
  "as is": (value) => value,
  "form-urlencoded": formEncode,
  "encodeURIComponent": encodeURIComponent,
  "percent-encoded, lower-case": (value) =>
    encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
  "JSON string": (value) => JSON.stringify(value).slice(1, -1),
  "JSON string, PHP (\\/, \\u00e9)": (value) =>
    JSON.stringify(value).slice(1, -1).replaceAll("/", "\\/").replace(
      /[^\x20-\x7e]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`
    ),
  "HTML, escape-html": (value) =>
    value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("\"", "&quot;")
      .replaceAll("'", "&#39;"),
  "HTML, OWASP": (value) =>
    value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("\"", "&quot;")
      .replaceAll("'", "&#x27;").replaceAll("/", "&#x2F;"),
  "HTML, numeric": (value) =>
    [...value].map((char) => /[A-Za-z0-9]/.test(char) ? char : `&#${char.codePointAt(0)};`).join("")
}
