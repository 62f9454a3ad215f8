/**
 * The credential options checked, by `authMethod`: which options each method takes, their types, and what they hold,
 * in words that name an option and never show its value. The result is a `clientAuthentication.Spec`; keys are
 * parsed here and imported (asynchronously) when the layer is built.
 */
import { controlCharacter } from "@effect-oauth2/core/text"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import type * as Jose from "jose"
import type * as TokenService from "../TokenService.js"
import type * as clientAuthentication from "./clientAuthentication.js"

/** The `authMethod`s there are. */
export const authMethods = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt"
] as const

const signingAlgorithms: ReadonlyArray<string> = ["RS256", "PS256", "ES256", "EdDSA"]

const assertionAudiences: ReadonlyArray<string> = ["tokenEndpoint", "issuer"]

/** What kind of value `value` is, in words that never show it. */
export const kindOf = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : typeof value === "object"
    ? "an object"
    : `a ${typeof value}`

/** The string a `Redacted` option holds, or what is wrong with it. */
const redactedString = (name: string, value: unknown): Either.Either<string, string> => {
  if (!Redacted.isRedacted(value)) {
    return Either.left(`${name} must be a Redacted value (Redacted.make or Config.redacted)`)
  }
  const held: unknown = Redacted.value(value)
  if (held === undefined) {
    return Either.left(
      `${name} holds undefined, not a string: is the environment variable it was read from set? Read it with ` +
        "Config.redacted (or use TokenService.layerConfig()) to be told which variable is missing"
    )
  }
  if (typeof held !== "string") return Either.left(`${name} must hold a string, not ${kindOf(held)}`)
  if (held === "") return Either.left(`${name} is empty`)
  return Either.right(held)
}

/** The options a method does not take, present: named, so that a JavaScript caller learns of a misplaced one. */
const unexpected = (options: Record<string, unknown>, names: ReadonlyArray<string>, method: string) => {
  const present = names.find((name) => options[name] !== undefined)
  return present === undefined ? Either.void : Either.left(`${present} is not an option of ${method}`)
}

const checkAudience = (value: unknown, hasIssuer: boolean): Either.Either<TokenService.AssertionAudience, string> => {
  if (value === undefined) return Either.right("tokenEndpoint")
  if (typeof value !== "string" || !assertionAudiences.includes(value)) {
    return Either.left("assertionAudience must be \"tokenEndpoint\" or \"issuer\"")
  }
  if (value === "issuer" && !hasIssuer) return Either.left("assertionAudience \"issuer\" needs the issuer option")
  return Either.right(value as TokenService.AssertionAudience)
}

/** The label of each PEM block in `text` (`PRIVATE KEY`, `CERTIFICATE`), `?` for one that is not plain capitals. */
const pemLabels = (text: string): ReadonlyArray<string> =>
  text.split("-----BEGIN").slice(1).map((rest) => {
    const label = /^ ([A-Z0-9 ]{1,40})-----/.exec(rest)?.[1]
    return label ?? "?"
  })

/** The members of `jwk` among `names` that are not strings. */
const absent = (jwk: Record<string, unknown>, names: ReadonlyArray<string>): ReadonlyArray<string> =>
  names.filter((name) => typeof jwk[name] !== "string")

const crtParameters = ["p", "q", "dp", "dq", "qi"]

/**
 * What a private JWK lacks that jose (Web Crypto) needs to import it, by its `kty`: an RSA key's `n`, `e` and CRT
 * parameters (optional in RFC 7518 §6.3.2, required by Web Crypto), an EC key's `crv`, `x` and `y`, an OKP key's `crv`
 * and `x`. Names members only.
 */
const jwkGap = (jwk: Record<string, unknown>): string | undefined => {
  switch (jwk.kty) {
    case "RSA": {
      const modulus = absent(jwk, ["n", "e"])
      if (modulus.length > 0) return `privateKey is an RSA JWK without ${modulus.join(", ")}`
      const crt = absent(jwk, crtParameters)
      if (crt.length === crtParameters.length) {
        return `privateKey is an RSA JWK without its CRT parameters (${crtParameters.join(", ")}); jose needs them`
      }
      if (crt.length > 0) {
        return `privateKey is an RSA JWK without ${crt.join(", ")} of its CRT parameters (${
          crtParameters.join(", ")
        }); jose needs them all`
      }
      return undefined
    }
    case "EC": {
      const missing = absent(jwk, ["crv", "x", "y"])
      return missing.length === 0
        ? undefined
        : `privateKey is an EC JWK without ${missing.join(", ")} (its curve and public point); jose needs them`
    }
    case "OKP": {
      const missing = absent(jwk, ["crv", "x"])
      return missing.length === 0
        ? undefined
        : `privateKey is an OKP JWK without ${missing.join(", ")} (its curve and public key); jose needs them`
    }
    default:
      return undefined
  }
}

/**
 * A PKCS#8 PEM (one block) or a private JWK in JSON, told apart by their first character; what is wrong otherwise.
 */
const parseKey = (text: string): Either.Either<clientAuthentication.ParsedKey, string> => {
  const trimmed = text.trim()
  if (trimmed.startsWith("-----BEGIN")) {
    const labels = pemLabels(trimmed)
    if (labels.length > 1) {
      return Either.left(
        `privateKey holds ${labels.length} PEM blocks (${labels.join(", ")}); give the private key alone, ` +
          "one -----BEGIN PRIVATE KEY----- block"
      )
    }
  }
  if (trimmed.startsWith("-----BEGIN PRIVATE KEY-----")) {
    return Either.right({ _tag: "Pem", pem: Redacted.make(trimmed) })
  }
  if (trimmed.startsWith("-----BEGIN")) {
    return Either.left(
      "privateKey must be PKCS#8 (-----BEGIN PRIVATE KEY-----), e.g. from openssl pkcs8 -topk8 -nocrypt"
    )
  }
  if (!trimmed.startsWith("{")) return Either.left("privateKey is neither a PKCS#8 PEM nor a JWK in JSON")
  const jwk = Either.try(() => JSON.parse(trimmed) as unknown)
  if (Either.isLeft(jwk) || !Predicate.isRecord(jwk.right) || typeof jwk.right.kty !== "string") {
    return Either.left("privateKey is not a JWK in JSON (an object with kty)")
  }
  if (typeof jwk.right.d !== "string") return Either.left("privateKey is a public JWK: it has no private part (d)")
  const gap = jwkGap(jwk.right)
  if (gap !== undefined) return Either.left(gap)
  return Either.right({ _tag: "Jwk", jwk: Redacted.make(jwk.right as Jose.JWK) })
}

const checkPrivateKey = (
  options: TokenService.PrivateKeyJwtCredentials,
  hasIssuer: boolean
): Either.Either<clientAuthentication.Spec, string> =>
  Either.gen(function*() {
    const key = yield* Either.flatMap(redactedString("privateKey", options.privateKey), parseKey)
    const algorithm: unknown = options.signingAlgorithm
    if (algorithm !== undefined && (typeof algorithm !== "string" || !signingAlgorithms.includes(algorithm))) {
      return yield* Either.left(`signingAlgorithm must be one of ${signingAlgorithms.join(", ")}`)
    }
    const keyId: unknown = options.keyId
    if (keyId !== undefined && (typeof keyId !== "string" || keyId === "" || controlCharacter.test(keyId))) {
      return yield* Either.left("keyId must be a non-empty string without control characters")
    }
    return {
      _tag: "PrivateKey" as const,
      key,
      algorithm: algorithm as TokenService.SigningAlgorithm | undefined,
      keyId: keyId as string | undefined,
      audience: yield* checkAudience(options.assertionAudience, hasIssuer)
    }
  })

/**
 * The credentials of `options`, checked: for each method the options it needs, of their types, and none of the
 * options of another method.
 */
export const check = (
  options: TokenService.Credentials,
  hasIssuer: boolean
): Either.Either<clientAuthentication.Spec, string> =>
  Either.gen(function*() {
    const all = options as unknown as Record<string, unknown>
    const method: unknown = options.authMethod ?? "client_secret_basic"
    switch (method) {
      case "client_secret_basic":
      case "client_secret_post": {
        yield* unexpected(
          all,
          ["privateKey", "clientAssertion", "signingAlgorithm", "keyId", "assertionAudience"],
          method
        )
        yield* redactedString("clientSecret", all.clientSecret)
        return { _tag: "Secret" as const, method, secret: all.clientSecret as Redacted.Redacted<string> }
      }
      case "client_secret_jwt": {
        yield* unexpected(all, ["privateKey", "clientAssertion", "signingAlgorithm", "keyId"], method)
        yield* redactedString("clientSecret", all.clientSecret)
        const audience = yield* checkAudience(all.assertionAudience, hasIssuer)
        return { _tag: "SecretJwt" as const, secret: all.clientSecret as Redacted.Redacted<string>, audience }
      }
      case "private_key_jwt": {
        yield* unexpected(all, ["clientSecret"], method)
        if (all.clientAssertion === undefined && all.privateKey === undefined) {
          return yield* Either.left("private_key_jwt needs privateKey or clientAssertion")
        }
        if (all.clientAssertion === undefined) {
          return yield* checkPrivateKey(options as TokenService.PrivateKeyJwtCredentials, hasIssuer)
        }
        yield* unexpected(all, ["privateKey", "signingAlgorithm", "keyId", "assertionAudience"], "clientAssertion")
        if (!Effect.isEffect(all.clientAssertion)) {
          return yield* Either.left("clientAssertion must be an Effect that gives a Redacted assertion")
        }
        return {
          _tag: "Assertion" as const,
          assertion: all.clientAssertion as Effect.Effect<Redacted.Redacted<string>, unknown>
        }
      }
      default:
        return yield* Either.left(`authMethod must be one of ${authMethods.join(", ")}`)
    }
  })
