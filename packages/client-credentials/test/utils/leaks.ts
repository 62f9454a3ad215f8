/**
 * What the redaction tests look for: every printing of an error, and the start of a value in any of them.
 */
import { assert } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as util from "node:util"
import type * as Logs from "./logs.js"

/** Every way an error tends to get printed: the error, and the cause it failed with. */
export const renderings = (error: unknown, cause: Cause.Cause<unknown>): ReadonlyArray<readonly [string, string]> => [
  ["String", String(error)],
  ["message", (error as Error).message],
  ["stack", String((error as Error).stack)],
  ["JSON.stringify", JSON.stringify(error)],
  ["Inspectable.format", Inspectable.format(error)],
  ["util.inspect", util.inspect(error)],
  ["util.inspect (every depth, hidden)", util.inspect(error, { depth: Infinity, showHidden: true })],
  ["Cause.pretty", Cause.pretty(cause)],
  ["Cause.pretty (renderErrorCause)", Cause.pretty(cause, { renderErrorCause: true })],
  ["JSON.stringify(cause)", JSON.stringify(cause)],
  ["util.inspect(cause)", util.inspect(cause, { depth: Infinity })],
  ["Inspectable.format(cause)", Inspectable.format(cause)]
]

/** How many leading characters of a value may not show anywhere. */
export const leading = 8

/** Fails when `text` holds the first `leading` characters of any of `values` (named by the keys). */
export const assertNoStart = (what: string, text: string, values: Readonly<Record<string, string>>) => {
  for (const [name, value] of Object.entries(values)) {
    const start = value.slice(0, leading)
    if (text.includes(start)) {
      // the message names the value, never prints it: a failing test must not leak either
      assert.fail(`${what} holds the first ${leading} characters of ${name} (at ${text.indexOf(start)})`)
    }
  }
}

/** `application/x-www-form-urlencoded`, as `client_secret_post` sends a value. */
export const formEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

/** The Basic credentials of `client_secret_basic` (RFC 6749 §2.3.1). */
export const basicCredentials = (clientId: string, secret: string): string =>
  btoa(`${formEncode(clientId)}:${formEncode(secret)}`)

/**
 * A value as servers echo it, written independently of the library: each is one encoder's output.
 */
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

/** Fails when any printing of the failure in `exit`, or any log line, holds a start of `values`; returns the error. */
export const assertClean = (
  exit: Exit.Exit<unknown, unknown>,
  logs: Logs.CapturedLogs,
  values: Readonly<Record<string, string>>
): { readonly _tag: string; readonly reason?: string } => {
  assert.isTrue(Exit.isFailure(exit))
  const cause = Exit.isFailure(exit) ? exit.cause : Cause.empty
  const error = Option.getOrThrow(Cause.failureOption(cause))
  for (const [what, text] of renderings(error, cause)) assertNoStart(what, text, values)
  for (const entry of logs.entries) assertNoStart(`the ${entry.level} log`, entry.text, values)
  return error as { readonly _tag: string; readonly reason?: string }
}
