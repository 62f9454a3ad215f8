/**
 * base64url without padding (RFC 4648 §5, RFC 7515 §2), and the SHA-256 digest of a text in it: what a JWK thumbprint
 * (RFC 7638) and a DPoP proof's `ath` (RFC 9449 §4.2) are. With Web Crypto, so that it runs on every runtime.
 */

/**
 * `bytes` in base64url without padding.
 *
 * @since 0.1.0
 * @category constructors
 */
export const encode = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/**
 * The SHA-256 digest of `text`'s UTF-8 bytes (the same as its ASCII bytes for an ASCII text), in base64url without
 * padding: 43 characters.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sha256 = async (text: string): Promise<string> =>
  encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))))
