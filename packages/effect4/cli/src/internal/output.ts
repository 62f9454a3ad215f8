/**
 * What `token` prints: the token and a newline; with `--json`, the token response's fields; with `--decode`, the
 * header and claims of a JWT access token, read and never verified. The token itself is printed only where asked for:
 * alone, or as `access_token` (never with `--no-token`).
 */
import type { AccessToken } from "@effect-oauth2/client-credentials"
import * as Redacted from "effect/Redacted"

/** How the token is printed. */
export interface Format {
  readonly json: boolean
  readonly noToken: boolean
  readonly decode: boolean
}

/**
 * What is known to have been received of a token whose response was not kept as received (`received.ts`): the token
 * and its type. Its lifetime and scopes are not: `AccessToken` holds the default lifetime and the requested scopes
 * when the server sent none, so they are left out rather than shown as the server's.
 */
export const responseOf = (token: AccessToken.AccessToken): Record<string, unknown> => ({
  access_token: Redacted.value(token.value),
  token_type: token.tokenType
})

/** `fields` without `access_token` unless `withToken`. */
const withOrWithoutToken = (fields: Record<string, unknown>, withToken: boolean): Record<string, unknown> => {
  if (withToken) return fields
  const { access_token: _, ...rest } = fields
  return rest
}

/** What `--decode` says of the signature: it was not checked, so the claims prove nothing. */
export const signatureNotVerified = "not verified: these are the token's claims as written, not proof that they hold"

/** A JWT's part as JSON, or `undefined` when it is not a base64url JSON object. */
const partOf = (part: string): Record<string, unknown> | undefined => {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"))
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined
  } catch {
    return undefined
  }
}

/** The header and claims of a JWT in compact form (RFC 7519), unverified; `undefined` for a token that is none. */
export const decodeJwt = (token: string) => {
  const parts = token.split(".")
  if (parts.length !== 3) return undefined
  const header = partOf(parts[0]!)
  const claims = partOf(parts[1]!)
  return header === undefined || claims === undefined
    ? undefined
    : { header, claims, signature: signatureNotVerified }
}

/** The problem of `--decode` with a token that is not a JWT, or one whose parts cannot be printed back as JSON. */
export const notAJwt =
  "--decode: the access token cannot be decoded: it is not a JWT (three base64url parts of JSON) that can be printed"

/** `value` as indented JSON, or `undefined` when it cannot be written (nested too deep for `JSON.stringify`). */
const jsonText = (value: unknown): string | undefined => {
  try {
    return `${JSON.stringify(value, null, 2)}\n`
  } catch {
    return undefined
  }
}

/**
 * The text `token` prints for `token`, or the problem that stops it (`notAJwt`, also for parts too deep to print);
 * `--json` prints `received`, the fields of the token response as received, when there are.
 */
export const print = (
  token: AccessToken.AccessToken,
  format: Format,
  received: Record<string, unknown> | undefined
): { readonly text: string } | { readonly problem: string } => {
  if (!format.json && !format.decode) return { text: `${Redacted.value(token.value)}\n` }
  const decoded = format.decode ? decodeJwt(Redacted.value(token.value)) : undefined
  if (format.decode && decoded === undefined) return { problem: notAJwt }
  const value = format.json
    ? {
      ...withOrWithoutToken(received ?? responseOf(token), !format.noToken),
      ...(decoded === undefined ? {} : { jwt: decoded })
    }
    : decoded
  const text = jsonText(value)
  if (text !== undefined) return { text }
  // the fields alone are flat: only decoded parts can be too deep
  return { problem: notAJwt }
}

/**
 * Whether a terminal acts on the character `code` rather than shows it: C0 and C1 controls and DEL (line ends, ESC and
 * the escape sequences it starts, OSC), the Unicode line and paragraph separators, and the bidirectional embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what follows them.
 */
const isTerminalControl = (code: number): boolean =>
  code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 ||
  (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)

/**
 * `text` as it may go to a terminal: each character a terminal acts on written as `\uXXXX`, so that text from
 * elsewhere (an issuer's metadata) can neither forge a line nor send an escape sequence.
 */
export const printable = (text: string): string => {
  let out = ""
  for (const c of text) {
    const code = c.codePointAt(0)!
    out += isTerminalControl(code) ? `\\u${code.toString(16).toUpperCase().padStart(4, "0")}` : c
  }
  return out
}
