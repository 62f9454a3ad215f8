/**
 * The key a shared token store keeps a request's token under: the SHA-256 of the request's canonical form, in hex —
 * never a secret, never the clear form. Computed synchronously where Node's `crypto` is there (a fetch then waits on
 * nothing but the store), with Web Crypto elsewhere.
 */
import { nodeModule } from "./builtins.js"

interface NodeCrypto {
  readonly createHash: (algorithm: "sha256") => {
    update: (data: string) => { digest: (encoding: "hex") => string }
  }
}

const nodeCrypto = nodeModule<NodeCrypto>("node:crypto")

const hex = (bytes: ArrayBuffer): string =>
  Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("")

/**
 * The store's key of the request whose canonical form is `canonical`: at once with Node's `crypto`, a promise of it
 * with Web Crypto on a runtime without Node's.
 *
 * @since 0.1.0
 * @category constructors
 */
export const of = (canonical: string): string | Promise<string> =>
  nodeCrypto === undefined ? sha256Hex(canonical) : nodeCrypto.createHash("sha256").update(canonical).digest("hex")

/**
 * The store's key of the request whose canonical form is `canonical`, with Web Crypto.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sha256Hex = async (canonical: string): Promise<string> =>
  hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical)))
