import * as Encoding from "effect/Encoding"

/** An opaque token: 32 bytes from the platform's cryptographic random source, base64url without padding. */
export const randomToken = (): string => Encoding.encodeBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(32)))
