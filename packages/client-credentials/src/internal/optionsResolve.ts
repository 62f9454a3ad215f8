/**
 * `TokenService`'s options checked and completed with their defaults, on each line (`Options.resolveIn` of
 * `@effect-oauth2/core/options`). What a line gives (`Line`, from its `options.ts`) is how it reads a duration and its
 * default retry schedule; durations come back as `Duration`s, secrets as `Redacted`.
 */
import { type Checked, invalid, valid } from "@effect-oauth2/core/checked"
import * as Credentials from "@effect-oauth2/core/credentials"
import type * as DpopKey from "@effect-oauth2/core/dpopKey"
import * as Options from "@effect-oauth2/core/options"
import * as Duration from "effect/Duration"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as NetworkError from "../NetworkError.js"
import type * as TokenService from "../TokenService.js"
import * as clientAuthentication from "./clientAuthentication.js"
import * as credentialOptions from "./credentialOptions.js"

/** The retry schedule of `NetworkError`s. */
export type Retry = Schedule.Schedule<unknown, NetworkError.NetworkError>

/** DPoP as asked for: a key of the user's own (`privateKey`), or one generated per layer; the algorithm, if given. */
export interface Dpop {
  readonly privateKey: Redacted.Redacted<string> | undefined
  readonly signingAlgorithm: DpopKey.Algorithm | undefined
}

/**
 * Options checked, with every default filled in (`Options.ResolvedIn`, each field described there); `secrets` include
 * the DPoP private key.
 */
export interface Resolved extends
  Omit<
    Options.ResolvedIn<clientAuthentication.Spec, Retry, Duration.Duration, Redacted.Redacted<string>>,
    "dpop"
  >
{
  readonly dpop: Dpop | undefined
}

/** The `dpop` option with its private key a `Redacted` string, as this line holds a secret. */
const dpopOf = (resolved: Options.ResolvedDpop | undefined): Checked<Dpop | undefined> => {
  if (resolved === undefined) return valid(undefined)
  const key = resolved.privateKey
  if (key === undefined) return valid({ privateKey: undefined, signingAlgorithm: resolved.signingAlgorithm })
  return Redacted.isRedacted(key) && typeof Redacted.value(key) === "string"
    ? valid({ privateKey: key as Redacted.Redacted<string>, signingAlgorithm: resolved.signingAlgorithm })
    : invalid("dpop.privateKey must be a Redacted string (a private JWK in JSON, or a PKCS#8 PEM)")
}

/** The token endpoint as configured: its URL, or the issuer whose metadata names it. */
export type Endpoint = Options.Endpoint

/** The options of a shared store, checked, with every default filled in. */
export interface ResolvedStore extends Options.ResolvedStoreIn<Duration.Duration> {}

/** How a line's values read in the core's terms. */
export interface Line {
  /** A duration option's millis (`Infinity` for an infinite one); `undefined` for a value that is no duration. */
  readonly millisOf: (value: unknown) => number | undefined
  /** The default retry schedule (`Options.defaultRetry`). */
  readonly defaultRetry: Retry
}

/** The checks of a line's options. */
export interface Resolver {
  /** Checks the options and fills in the defaults (`Options.resolve`); the problem says what is wrong without a value. */
  readonly resolveChecked: (options: TokenService.Options) => Checked<Resolved>
  /** Checks the options of `layerWithStore` (`Options.resolveStore`). */
  readonly resolveStoreChecked: (options: TokenService.StoreOptions) => Checked<ResolvedStore>
}

/** The checks of options given in `line`'s values. */
export const resolver = (line: Line): Resolver => {
  const reader: Options.Reader<clientAuthentication.Spec> = {
    millis: line.millisOf,
    isRetry: Schedule.isSchedule,
    credentials: (options, hasIssuer) => credentialOptions.check(options as TokenService.Credentials, hasIssuer)
  }
  const terms: Options.LineTerms<clientAuthentication.Spec, Retry, Duration.Duration, Redacted.Redacted<string>> = {
    duration: Duration.millis,
    defaultRetry: line.defaultRetry,
    secretsOf: clientAuthentication.secretsOf
  }
  return {
    resolveChecked: (options) => {
      const resolved = Options.resolveIn(options, reader, terms)
      if (resolved._tag === "Invalid") return resolved
      const dpop = dpopOf(resolved.value.dpop)
      if (dpop._tag === "Invalid") return dpop
      const key = dpop.value?.privateKey
      // the key's text, and its PEM body or private JWK members
      const secrets = key === undefined
        ? resolved.value.secrets
        : [
          ...resolved.value.secrets,
          ...Credentials.secretsOfKeyText(Redacted.value(key)).map((secret) => Redacted.make(secret))
        ]
      return valid({ ...resolved.value, dpop: dpop.value, secrets })
    },
    resolveStoreChecked: (options) => Options.resolveStoreIn(options, line.millisOf, Duration.millis)
  }
}
