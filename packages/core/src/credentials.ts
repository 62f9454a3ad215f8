/**
 * The credential options checked, by `authMethod`: which options each method takes, their types, and what they hold,
 * in words that name an option and never show its value; private keys parsed (a PKCS#8 PEM or a private JWK), and
 * the values that must never show in an error.
 *
 * Secrets are plain strings here: each Effect line reads its own wrapper (`Redacted`) through `Reader.secret`, and
 * wraps what comes back. Importing a key and signing with it (`jose`, Web Crypto) is the line's too.
 */
import { type Certificate, parse as parseCertificate } from "./certificate.js"
import { type Checked, invalid, valid } from "./checked.js"
import { basicCredentials } from "./clientAuthentication.js"
import {
  authMethods,
  isAuthMethod,
  isSigningAlgorithm,
  isTlsAuthMethod,
  type SigningAlgorithm,
  signingAlgorithms,
  type TlsAuthMethod
} from "./methods.js"
import * as Pem from "./pem.js"
import { controlCharacter, kindOf } from "./text.js"
import * as TlsClientCertificate from "./tlsClientCertificate.js"

/**
 * Where a signed client assertion is addressed (`aud`): the token endpoint's URL or the issuer identifier.
 *
 * @since 0.1.0
 * @category models
 */
export const assertionAudiences = ["tokenEndpoint", "issuer"] as const

/**
 * Where a signed client assertion is addressed.
 *
 * @since 0.1.0
 * @category models
 */
export type AssertionAudience = typeof assertionAudiences[number]

/**
 * What kind of value `value` is, in words that never show it: `null`, `an array`, `an object`, `a string`, ….
 *
 * @since 0.1.0
 * @category constructors
 */
export { kindOf } from "./text.js"

/**
 * A private JWK as parsed: an object with a `kty` and a private part `d`.
 *
 * @since 0.1.0
 * @category models
 */
export type Jwk = Readonly<Record<string, unknown>> & { readonly kty: string; readonly d: string }

/**
 * A private key as given: a PKCS#8 PEM (trimmed), or a private JWK; `S` and `J` are how a line holds the PEM's text
 * and the JWK (plain here, `Redacted` in a line).
 *
 * @since 0.1.0
 * @category models
 */
export type KeyOf<S = string, J = Jwk> = { readonly _tag: "Pem"; readonly pem: S } | {
  readonly _tag: "Jwk"
  readonly jwk: J
}

/**
 * A private key as given, in plain text.
 *
 * @since 0.1.0
 * @category models
 */
export type ParsedKey = KeyOf

/**
 * The JWK members that hold private key material.
 *
 * @since 0.1.0
 * @category models
 */
export const privateJwkMembers = ["d", "p", "q", "dp", "dq", "qi", "k"] as const

/** The label of each PEM block in `text` (`PRIVATE KEY`, `CERTIFICATE`), `?` for one that is not plain capitals. */
const pemLabels = (text: string): ReadonlyArray<string> =>
  text.split("-----BEGIN").slice(1).map((rest) => {
    const label = /^ ([A-Z0-9 ]{1,40})-----/.exec(rest)?.[1]
    return label ?? "?"
  })

/** The members of `jwk` among `names` that are not strings. */
const missingMembers = (jwk: Readonly<Record<string, unknown>>, names: ReadonlyArray<string>): ReadonlyArray<string> =>
  names.filter((name) => typeof jwk[name] !== "string")

const crtParameters = ["p", "q", "dp", "dq", "qi"]

/**
 * What a private JWK lacks that jose (Web Crypto) needs to import it, by its `kty`: an RSA key's `n`, `e` and CRT
 * parameters (optional in RFC 7518 §6.3.2, required by Web Crypto), an EC key's `crv`, `x` and `y`, an OKP key's `crv`
 * and `x`. Names members only.
 */
const jwkImportGap = (jwk: Readonly<Record<string, unknown>>): string | undefined => {
  switch (jwk.kty) {
    case "RSA": {
      const modulus = missingMembers(jwk, ["n", "e"])
      if (modulus.length > 0) return `privateKey is an RSA JWK without ${modulus.join(", ")}`
      const crt = missingMembers(jwk, crtParameters)
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
      const missing = missingMembers(jwk, ["crv", "x", "y"])
      return missing.length === 0
        ? undefined
        : `privateKey is an EC JWK without ${missing.join(", ")} (its curve and public point); jose needs them`
    }
    case "OKP": {
      const missing = missingMembers(jwk, ["crv", "x"])
      return missing.length === 0
        ? undefined
        : `privateKey is an OKP JWK without ${missing.join(", ")} (its curve and public key); jose needs them`
    }
    default:
      return undefined
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * The `privateKey` option's text as a key: a PKCS#8 PEM (one block) or a private JWK in JSON, told apart by their
 * first character; else what is wrong, naming the option and, for a JWK, the members it lacks, never a value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseKey = (text: string): Checked<ParsedKey> => {
  const trimmed = text.trim()
  if (trimmed.startsWith("-----BEGIN")) {
    const labels = pemLabels(trimmed)
    if (labels.length > 1) {
      return invalid(
        `privateKey holds ${labels.length} PEM blocks (${labels.join(", ")}); give the private key alone, ` +
          "one -----BEGIN PRIVATE KEY----- block"
      )
    }
  }
  if (trimmed.startsWith("-----BEGIN PRIVATE KEY-----")) return valid({ _tag: "Pem", pem: trimmed })
  if (trimmed.startsWith("-----BEGIN")) {
    return invalid("privateKey must be PKCS#8 (-----BEGIN PRIVATE KEY-----), e.g. from openssl pkcs8 -topk8 -nocrypt")
  }
  if (!trimmed.startsWith("{")) return invalid("privateKey is neither a PKCS#8 PEM nor a JWK in JSON")
  const jwk = parseJson(trimmed)
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk) || typeof (jwk as Jwk).kty !== "string") {
    return invalid("privateKey is not a JWK in JSON (an object with kty)")
  }
  const members = jwk as Readonly<Record<string, unknown>>
  if (typeof members.d !== "string") return invalid("privateKey is a public JWK: it has no private part (d)")
  const gap = jwkImportGap(members)
  return gap === undefined ? valid({ _tag: "Jwk", jwk: members as Jwk }) : invalid(gap)
}

/**
 * The algorithm a JWK signs with when none is configured: its own `alg` when it is one `private_key_jwt` signs with,
 * else by its type (RSA → `RS256`, EC P-256 → `ES256`, Ed25519 → `EdDSA`); `undefined` for a type none fits.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultAlgorithmOf = (jwk: Readonly<Record<string, unknown>>): SigningAlgorithm | undefined =>
  signingAlgorithms.find((algorithm) => algorithm === jwk.alg) ??
    (jwk.kty === "RSA"
      ? "RS256"
      : jwk.kty === "EC" && jwk.crv === "P-256"
      ? "ES256"
      : jwk.kty === "OKP" && jwk.crv === "Ed25519"
      ? "EdDSA"
      : undefined)

/**
 * The algorithms tried, in order, to find the type of a PEM key when no algorithm is configured: one per key type.
 *
 * @since 0.1.0
 * @category models
 */
export const pemProbeOrder: ReadonlyArray<SigningAlgorithm> = ["RS256", "ES256", "EdDSA"]

/**
 * The credentials as checked from the options; `A` is the line's source of assertions made elsewhere
 * (`clientAssertion`), `S` and `J` how secrets and a private JWK are held (plain text by default, `Redacted` in a
 * line).
 *
 * @since 0.1.0
 * @category models
 */
export type Spec<A = unknown, S = string, J = Jwk> =
  | {
    readonly _tag: "Secret"
    readonly method: "client_secret_basic" | "client_secret_post"
    readonly secret: S
  }
  | {
    readonly _tag: "SecretJwt"
    readonly secret: S
    readonly audience: AssertionAudience
  }
  | {
    readonly _tag: "PrivateKey"
    readonly key: KeyOf<S, J>
    readonly algorithm: SigningAlgorithm | undefined
    readonly keyId: string | undefined
    readonly audience: AssertionAudience
    /** The key's certificate, named in each assertion's header (`x5t#S256`). */
    readonly certificate?: Certificate | undefined
    /** Whether the header also carries the certificate's chain (`x5c`). */
    readonly sendCertificateChain?: boolean | undefined
  }
  | { readonly _tag: "Assertion"; readonly assertion: A }
  | {
    readonly _tag: "Tls"
    readonly method: TlsAuthMethod
    /** The certificate the TLS handshake presents (`tlsClientCertificate`), its key held as a secret. */
    readonly certificate: TlsClientCertificate.TlsClientCertificate<S>
  }

/**
 * `spec` with its secrets held another way: `secret` for a secret or a PEM's text, `jwk` for a private JWK (a line
 * redacts what the core checked, and reveals it again to sign).
 *
 * @since 0.1.0
 * @category constructors
 */
export const mapSecrets = <A, S1, J1, S2, J2>(
  spec: Spec<A, S1, J1>,
  secret: (value: S1) => S2,
  jwk: (value: J1) => J2
): Spec<A, S2, J2> => {
  switch (spec._tag) {
    case "Secret":
    case "SecretJwt":
      return { ...spec, secret: secret(spec.secret) }
    case "PrivateKey":
      return {
        ...spec,
        key: spec.key._tag === "Pem"
          ? { _tag: "Pem", pem: secret(spec.key.pem) }
          : { _tag: "Jwk", jwk: jwk(spec.key.jwk) }
      }
    case "Assertion":
      return spec
    case "Tls":
      return { ...spec, certificate: { ...spec.certificate, key: secret(spec.certificate.key) } }
  }
}

/**
 * How a line reads the options that hold what the core cannot: a secret in its wrapper, an assertion source.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reader<A> {
  /** The text a secret option (`clientSecret`, `privateKey`) holds, or what is wrong with it, naming the option. */
  readonly secret: (name: "clientSecret" | "privateKey" | "tlsClientCertificate.key", value: unknown) => Checked<string>
  /** The `clientAssertion` option as the line's assertion source, or what is wrong with it. */
  readonly assertion: (value: unknown) => Checked<A>
}

/**
 * What a line tells the core about its values: whether a value is one of its secret wrappers (`Redacted`), the
 * value a wrapper holds, and whether a value is one of its assertion sources (an `Effect`).
 *
 * @since 0.1.0
 * @category models
 */
export interface LineValues<S> {
  readonly isSecret: (value: unknown) => value is S
  readonly reveal: (secret: S) => unknown
  readonly isAssertion: (value: unknown) => boolean
}

/**
 * The `Reader` of a line whose secrets are `Redacted` and whose assertions are `Effect`s, with its words for what is
 * wrong: a secret not wrapped, one that holds `undefined` (a variable read without `Config`), an assertion that is no
 * effect.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readerOf = <S, A>(line: LineValues<S>): Reader<A> => ({
  secret: (name, value) => {
    if (!line.isSecret(value)) return invalid(`${name} must be a Redacted value (Redacted.make or Config.redacted)`)
    const held = line.reveal(value)
    if (held === undefined) {
      return invalid(
        `${name} holds undefined, not a string: is the environment variable it was read from set? Read it with ` +
          "Config.redacted (or use TokenService.layerConfig()) to be told which variable is missing"
      )
    }
    return checkSecretText(name, held)
  },
  assertion: (value) =>
    line.isAssertion(value)
      ? valid(value as A)
      : invalid("clientAssertion must be an Effect that gives a Redacted assertion")
})

/**
 * A secret's text, checked: a non-empty string (`kindOf` says what else it is).
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkSecretText = (name: string, text: unknown): Checked<string> => {
  if (typeof text !== "string") return invalid(`${name} must hold a string, not ${kindOf(text)}`)
  if (text === "") return invalid(`${name} is empty`)
  return valid(text)
}

type Options = Readonly<Record<string, unknown>>

/** The first of the options a method does not take that is present: named, so a JavaScript caller learns of it. */
const misplacedOption = (options: Options, names: ReadonlyArray<string>, method: string): string | undefined => {
  const present = names.find((name) => options[name] !== undefined)
  return present === undefined ? undefined : `${present} is not an option of ${method}`
}

const checkAudience = (value: unknown, hasIssuer: boolean): Checked<AssertionAudience> => {
  if (value === undefined) return valid("tokenEndpoint")
  if (typeof value !== "string" || !(assertionAudiences as ReadonlyArray<string>).includes(value)) {
    return invalid("assertionAudience must be \"tokenEndpoint\" or \"issuer\"")
  }
  if (value === "issuer" && !hasIssuer) return invalid("assertionAudience \"issuer\" needs the issuer option")
  return valid(value as AssertionAudience)
}

/** The options of a private key that neither a shared secret nor an assertion made elsewhere takes. */
const keyOptions = ["signingAlgorithm", "keyId", "certificate", "sendCertificateChain"]

/** The option of the mutual-TLS methods, which no other method takes. */
const tlsOptions = ["tlsClientCertificate"]

/** `check` of the shared-secret methods: the secret, and with `client_secret_jwt` the assertion's audience. */
const checkSecret = <A>(
  options: Options,
  method: "client_secret_basic" | "client_secret_post" | "client_secret_jwt",
  hasIssuer: boolean,
  reader: Reader<A>
): Checked<Spec<A>> => {
  const misplaced = method === "client_secret_jwt"
    ? misplacedOption(options, ["privateKey", "clientAssertion", ...keyOptions, ...tlsOptions], method)
    : misplacedOption(
      options,
      ["privateKey", "clientAssertion", ...keyOptions, "assertionAudience", ...tlsOptions],
      method
    )
  if (misplaced !== undefined) return invalid(misplaced)
  const secret = reader.secret("clientSecret", options.clientSecret)
  if (secret._tag === "Invalid") return secret
  if (method !== "client_secret_jwt") return valid({ _tag: "Secret", method, secret: secret.value })
  const audience = checkAudience(options.assertionAudience, hasIssuer)
  return audience._tag === "Invalid"
    ? audience
    : valid({ _tag: "SecretJwt", secret: secret.value, audience: audience.value })
}

/**
 * The key's certificate, when there is one: a PEM text (`certificate.parse`), its chain in order when it is sent;
 * `sendCertificateChain` a boolean, and only with a certificate.
 */
const checkCertificate = (
  options: Options
): Checked<{ readonly certificate: Certificate; readonly sendCertificateChain: boolean } | undefined> => {
  const { certificate, sendCertificateChain } = options
  if (sendCertificateChain !== undefined && typeof sendCertificateChain !== "boolean") {
    return invalid("sendCertificateChain must be a boolean")
  }
  if (certificate === undefined) {
    return sendCertificateChain === undefined
      ? valid(undefined)
      : invalid("sendCertificateChain needs the certificate option: it sends the certificate's chain")
  }
  if (typeof certificate !== "string") {
    return invalid(`certificate must be a string (the PEM certificate of privateKey), not ${kindOf(certificate)}`)
  }
  const send = sendCertificateChain === true
  const parsed = parseCertificate(certificate, send)
  return parsed._tag === "Invalid" ? parsed : valid({ certificate: parsed.value, sendCertificateChain: send })
}

/**
 * `check` of `private_key_jwt` with a key: the key, then the algorithm, the key id, the certificate and the
 * assertion's audience.
 */
const checkPrivateKey = <A>(options: Options, hasIssuer: boolean, reader: Reader<A>): Checked<Spec<A>> => {
  const text = reader.secret("privateKey", options.privateKey)
  if (text._tag === "Invalid") return text
  const key = parseKey(text.value)
  if (key._tag === "Invalid") return key
  const algorithm = options.signingAlgorithm
  if (algorithm !== undefined && !isSigningAlgorithm(algorithm)) {
    return invalid(`signingAlgorithm must be one of ${signingAlgorithms.join(", ")}`)
  }
  const keyId = options.keyId
  if (keyId !== undefined && (typeof keyId !== "string" || keyId === "" || controlCharacter.test(keyId))) {
    return invalid("keyId must be a non-empty string without control characters")
  }
  const certificate = checkCertificate(options)
  if (certificate._tag === "Invalid") return certificate
  const audience = checkAudience(options.assertionAudience, hasIssuer)
  if (audience._tag === "Invalid") return audience
  return valid({ _tag: "PrivateKey", key: key.value, algorithm, keyId, audience: audience.value, ...certificate.value })
}

/** `check` of `private_key_jwt`: a key, or an assertion made elsewhere and none of a key's options. */
const checkPrivateKeyJwt = <A>(options: Options, hasIssuer: boolean, reader: Reader<A>): Checked<Spec<A>> => {
  const misplaced = misplacedOption(options, ["clientSecret", ...tlsOptions], "private_key_jwt")
  if (misplaced !== undefined) return invalid(misplaced)
  if (options.clientAssertion === undefined && options.privateKey === undefined) {
    return invalid("private_key_jwt needs privateKey or clientAssertion")
  }
  if (options.clientAssertion === undefined) return checkPrivateKey(options, hasIssuer, reader)
  const withAssertion = misplacedOption(
    options,
    ["privateKey", ...keyOptions, "assertionAudience"],
    "clientAssertion"
  )
  if (withAssertion !== undefined) return invalid(withAssertion)
  const assertion = reader.assertion(options.clientAssertion)
  return assertion._tag === "Invalid" ? assertion : valid({ _tag: "Assertion", assertion: assertion.value })
}

/**
 * `check` of the mutual-TLS methods: `tlsClientCertificate` (`tlsClientCertificate.check`), and none of the options
 * of another method.
 */
const checkTls = <A>(options: Options, method: TlsAuthMethod, reader: Reader<A>): Checked<Spec<A>> => {
  const misplaced = misplacedOption(
    options,
    ["clientSecret", "privateKey", "clientAssertion", ...keyOptions, "assertionAudience"],
    method
  )
  if (misplaced !== undefined) return invalid(misplaced)
  if (options.tlsClientCertificate === undefined) return invalid(`${method} needs tlsClientCertificate`)
  const certificate = TlsClientCertificate.check(options.tlsClientCertificate, reader.secret)
  return certificate._tag === "Invalid" ? certificate : valid({ _tag: "Tls", method, certificate: certificate.value })
}

/**
 * The credential options, checked: `authMethod` (default `client_secret_basic`), for each method the options it
 * needs, of their types, and none of the options of another method. `hasIssuer`: whether the token endpoint comes
 * from an issuer (an assertion's audience may then be the issuer).
 *
 * @since 0.1.0
 * @category constructors
 */
export const check = <A>(options: Options, hasIssuer: boolean, reader: Reader<A>): Checked<Spec<A>> => {
  const method = options.authMethod ?? "client_secret_basic"
  if (!isAuthMethod(method)) return invalid(`authMethod must be one of ${authMethods.join(", ")}`)
  if (isTlsAuthMethod(method)) return checkTls(options, method, reader)
  return method === "private_key_jwt"
    ? checkPrivateKeyJwt(options, hasIssuer, reader)
    : checkSecret(options, method, hasIssuer, reader)
}

/**
 * The values of a private key given as text that must never show in an error: the text (trimmed), and for a PEM its
 * base64 body (its lines joined), for a JWK in JSON its private members. A text that is neither is itself only.
 *
 * @since 0.1.0
 * @category constructors
 */
export const secretsOfKeyText = (text: string): ReadonlyArray<string> => {
  const trimmed = text.trim()
  if (trimmed.startsWith("-----BEGIN")) {
    return [trimmed, ...Pem.secretBodies(trimmed)]
  }
  const jwk = trimmed.startsWith("{") ? parseJson(trimmed) : undefined
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return [trimmed]
  const members = jwk as Readonly<Record<string, unknown>>
  return [
    trimmed,
    ...privateJwkMembers.flatMap((name) => {
      const member = members[name]
      return typeof member === "string" && member !== "" ? [member] : []
    })
  ]
}

/**
 * The values that must never show in an error, as configured: the secret and the Basic credentials that hold it, or
 * the private key's text, its base64 body and its private JWK members, or the client certificate's key and its body.
 * The redactor removes each in all its encoded forms. Assertions, made per request, are added per request.
 *
 * @since 0.1.0
 * @category constructors
 */
export const secretsOf = (clientId: string, spec: Spec): ReadonlyArray<string> => {
  switch (spec._tag) {
    case "Secret":
      return [spec.secret, basicCredentials(clientId, spec.secret)]
    case "SecretJwt":
      return [spec.secret]
    case "PrivateKey": {
      if (spec.key._tag === "Pem") return [spec.key.pem, ...Pem.secretBodies(spec.key.pem)]
      const jwk = spec.key.jwk
      return privateJwkMembers.flatMap((name) => {
        const member = jwk[name]
        return typeof member === "string" ? [member] : []
      })
    }
    case "Assertion":
      return []
    case "Tls":
      return TlsClientCertificate.secretsOf(spec.certificate)
  }
}
