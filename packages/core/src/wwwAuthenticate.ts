/**
 * `WWW-Authenticate` (RFC 9110 §11.6.1): the challenges an answer carries, and whether one rejects the token a request
 * was sent with (RFC 6750 §3.1).
 */

/** One challenge: its scheme and its parameters (names lower-cased; a `token68` under the name `token68`). */
export interface Challenge {
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
}

const tchar = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/

/**
 * Parses a `WWW-Authenticate` header into its challenges (RFC 9110 §11.6.1): `Bearer realm="api", error="x",
 * Basic realm="y"` is two challenges. Parameter names are lower-cased; a `token68` is kept under the name `token68`.
 * Malformed input yields what could be read before it.
 */
export const parse = (header: string): Array<Challenge> => {
  const challenges: Array<{ scheme: string; params: Record<string, string> }> = []
  let pos = 0
  const skip = (chars: RegExp) => {
    while (pos < header.length && chars.test(header[pos]!)) pos++
  }
  const token = (): string => {
    const start = pos
    while (pos < header.length && tchar.test(header[pos]!)) pos++
    return header.slice(start, pos)
  }
  const quoted = (): string => {
    let value = ""
    pos++ // opening quote
    while (pos < header.length && header[pos] !== "\"") {
      if (header[pos] === "\\" && pos + 1 < header.length) pos++
      value += header[pos]
      pos++
    }
    pos++ // closing quote
    return value
  }
  while (pos < header.length) {
    skip(/[\s,]/)
    const scheme = token()
    if (scheme === "") break
    const challenge = { scheme, params: {} as Record<string, string> }
    challenges.push(challenge)
    skip(/[ \t]/)
    // a token68 (e.g. `Negotiate abc==`) stands alone up to the next comma
    const token68 = /^[A-Za-z0-9\-._~+/]+=*[ \t]*(?:,|$)/.exec(header.slice(pos))
    if (token68 !== null) {
      challenge.params["token68"] = token68[0].replace(/[\s,]+$/, "")
      pos += token68[0].length
      continue
    }
    // auth-params, until the next scheme: a token not followed by "="
    while (pos < header.length) {
      skip(/[\s,]/)
      const start = pos
      const name = token()
      skip(/[ \t]/)
      if (name === "" || header[pos] !== "=") {
        pos = start
        break
      }
      pos++ // "="
      skip(/[ \t]/)
      challenge.params[name.toLowerCase()] = header[pos] === "\"" ? quoted() : token()
    }
  }
  return challenges
}

/** The challenge for `scheme` (compared case-insensitively), if the header has one. */
export const find = (header: string | undefined, scheme: string): Challenge | undefined =>
  header === undefined ? undefined : parse(header).find((c) => c.scheme.toLowerCase() === scheme.toLowerCase())

/**
 * Whether an answer rejects the token it was sent with (RFC 6750 §3.1): a 401 whose challenge for the token's scheme
 * says `invalid_token`, or names no error at all.
 */
export const rejectsToken = (status: number, header: string | null | undefined, tokenType: string): boolean => {
  if (status !== 401) return false
  const error = find(header ?? undefined, tokenType)?.params["error"]
  return error === undefined || error === "invalid_token"
}
