/**
 * The shape of a JWS in compact serialization (RFC 7515 §7.1), `header.payload.signature`, each part base64url
 * without padding: what a client assertion must be before it is sent. The shape only; the server checks the rest.
 */

const base64url = /^[A-Za-z0-9_-]*$/

/**
 * What keeps `text` from being a compact JWS, in words that quote nothing of it (e.g. "it has 2 parts separated by
 * dots, not 3"); `undefined` when it has the shape.
 */
export const problem = (text: string): string | undefined => {
  if (text === "") return "it is empty"
  if (/\s/.test(text)) return "it holds whitespace"
  const parts = text.split(".")
  if (parts.length !== 3) return `it has ${parts.length} parts separated by dots, not 3`
  for (const [index, part] of parts.entries()) {
    const which = ["header", "payload", "signature"][index]
    if (part === "") return `its ${which} is empty`
    if (!base64url.test(part)) return `its ${which} holds a character outside base64url (A-Z, a-z, 0-9, -, _)`
  }
  return undefined
}

/** What a compact JWS is, for a message that says one is expected. */
export const described = "compact JWS (three base64url parts separated by dots)"
