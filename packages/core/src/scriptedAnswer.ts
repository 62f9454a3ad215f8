/**
 * What the test kit's fake authorization server and mock client of each Effect line share: a scripted HTTP answer as
 * plain data (a status, headers with lower-cased names, a body as text) and what makes one, and the random values of
 * the tokens they issue.
 */

/**
 * An answer with a status, headers (lower-cased names) and a body as text.
 *
 * @since 0.1.0
 * @category models
 */
export interface Respond {
  readonly _tag: "Respond"
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * A copy of `headers` with lower-cased names; of two names that differ only in case, the later one's value is kept.
 *
 * @since 0.1.0
 * @category constructors
 */
export const lowerCaseKeys = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

/**
 * Any status with a text body: `content-type: text/plain; charset=utf-8` unless `headers` set another.
 *
 * @since 0.1.0
 * @category constructors
 */
export const text = (status: number, body: string, headers: Readonly<Record<string, string>> = {}): Respond => ({
  _tag: "Respond",
  status,
  headers: { "content-type": "text/plain; charset=utf-8", ...lowerCaseKeys(headers) },
  body
})

/**
 * Any status with `body` as JSON: `content-type: application/json` unless `headers` set another.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Respond => ({
  _tag: "Respond",
  status,
  headers: { "content-type": "application/json", ...lowerCaseKeys(headers) },
  body: JSON.stringify(body)
})

/**
 * The body of an RFC 6749 §5.2 error response: `{ error }`, with `error_description` when there is one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const oauthErrorBody = (
  error: string,
  description?: string
): { readonly error: string; readonly error_description?: string } =>
  description === undefined ? { error } : { error, error_description: description }

/**
 * A redirect to `location` with an empty body, status 302 unless told.
 *
 * @since 0.1.0
 * @category constructors
 */
export const redirect = (location: string, status: number = 302): Respond => ({
  _tag: "Respond",
  status,
  headers: { location },
  body: ""
})

const base64Url = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/**
 * An opaque token value: 32 bytes from the platform's cryptographic random source, base64url without padding (43
 * characters).
 *
 * @since 0.1.0
 * @category constructors
 */
export const randomToken = (): string => base64Url(globalThis.crypto.getRandomValues(new Uint8Array(32)))
