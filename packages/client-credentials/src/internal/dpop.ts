/**
 * DPoP (RFC 9449) on this line: the key made when the layer is built (generated, or the one given, tried once:
 * `@effect-oauth2/core/dpopKey`), proofs signed with a fresh random `jti` and an `iat` from Effect's `Clock`
 * (`@effect-oauth2/core/dpopProof`), and the latest nonce each origin gave (`@effect-oauth2/core/dpopNonceMemory`, 100
 * origins). The private key never leaves the `Prover`: it offers proofs and its key's thumbprint, never the key, and a
 * proof comes back `Redacted`.
 */
import * as DpopKey from "@effect-oauth2/core/dpopKey"
import * as DpopNonce from "@effect-oauth2/core/dpopNonce"
import * as DpopNonceMemory from "@effect-oauth2/core/dpopNonceMemory"
import * as DpopProof from "@effect-oauth2/core/dpopProof"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Jose from "jose"
import type { Dpop } from "./optionsResolve.js"

/** The request a proof is for: its method and URL, and the access token it carries, if any (hashed into `ath`). */
export interface ProofRequest {
  readonly method: string
  readonly url: URL
  readonly accessToken?: Redacted.Redacted<string> | undefined
}

/** What signs a layer's DPoP proofs: opaque, its private key out of reach. */
export interface Prover {
  /** The JWK thumbprint (RFC 7638) of its public key: what names it in cache and store keys. */
  readonly thumbprint: string
  /** Whether its key was generated for this layer (and so is known to no other process). */
  readonly generated: boolean
  /** A proof for `request`, with the nonce its origin last gave, if any. */
  readonly proof: (request: ProofRequest) => Effect.Effect<Redacted.Redacted<string>>
  /** Remembers the nonce a `DPoP-Nonce` header of `url`'s origin gives, if it is one. */
  readonly remember: (url: URL, dpopNonce: string | undefined) => void
}

const random: DpopProof.RandomSource = (bytes) => globalThis.crypto.getRandomValues(bytes)

/**
 * The prover of `options`: its key generated (`signingAlgorithm`, ES256 by default) or imported from `privateKey`
 * and tried once. Fails with what is wrong with the option, naming it and nothing of the key.
 */
export const make = (options: Dpop): Effect.Effect<Prover, string> => {
  const key = options.privateKey
  const made = key === undefined
    ? Effect.promise(() => DpopKey.generateKey(Jose, options.signingAlgorithm))
    : Effect.promise(() => DpopKey.keyOfText(Jose, Redacted.value(key), options.signingAlgorithm))
  return Effect.flatMap(made, (checked) => {
    if (checked._tag === "Invalid") {
      return Effect.fail(`${key === undefined ? "dpop" : "dpop.privateKey"}: ${checked.problem}`)
    }
    const dpopKey = checked.value
    const nonces = new DpopNonceMemory.NonceMemory()
    const prover: Prover = {
      thumbprint: dpopKey.thumbprint,
      generated: key === undefined,
      proof: (request) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.map(
            Effect.promise(() =>
              DpopProof.sign(Jose, dpopKey, {
                method: request.method,
                url: request.url,
                now,
                nonce: nonces.get(request.url),
                accessToken: request.accessToken === undefined ? undefined : Redacted.value(request.accessToken)
              }, random)
            ),
            Redacted.make
          )),
      remember: (url, dpopNonce) => {
        const nonce = DpopNonce.nonceOf(dpopNonce)
        if (nonce !== undefined) nonces.set(url, nonce)
      }
    }
    return Effect.succeed(prover)
  })
}
