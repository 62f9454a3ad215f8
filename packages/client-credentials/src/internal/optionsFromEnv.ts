/**
 * `TokenService`'s options read from the environment, on each line: which variables make which options is the core's
 * (`Options.endpointFromEnv`, `Options.credentialsFromEnv`, `Options.variablesOf`); this module puts the `Config`s
 * of the variables together, with the line's own `Config`s of a string, a redacted string and literals, and its
 * `ConfigError`s (`Reader`, given by each line's `options.ts`).
 */
import type { Checked } from "@effect-oauth2/core/checked"
import * as DpopKey from "@effect-oauth2/core/dpopKey"
import * as methods from "@effect-oauth2/core/methods"
import * as Options from "@effect-oauth2/core/options"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as TokenService from "../TokenService.js"
import * as clientAuthentication from "./clientAuthentication.js"
import * as credentialFile from "./credentialFile.js"

/** How a line reads variables into `Config`s. */
export interface Reader {
  /** The text of variable `name`. */
  readonly string: (name: string) => Config.Config<string>
  /** The text of variable `name`, redacted. */
  readonly redacted: (name: string) => Config.Config<Redacted.Redacted<string>>
  /** Variable `name`, one of `literals`. */
  readonly literals: <const L extends ReadonlyArray<string>>(literals: L, name: string) => Config.Config<L[number]>
  /** `config`'s value made into what `answer` says: its value, or a `ConfigError` at the variable it names. */
  readonly answer: <A, B>(config: Config.Config<A>, answer: (value: A) => Options.FromEnv<B>) => Config.Config<B>
  /** The text of the file at `path`, read now (`credentialFile.ts`); what is wrong with the file otherwise. */
  readonly readFileSync: (path: string) => Checked<string>
}

/** For the options `fromEnvWithPrefix` read: the variable each option came from (`Options.optionVariables`). */
const variablesOfOptions = new WeakMap<object, Partial<Record<Options.OptionName, string>>>()

/** The variable `option` was read from, when `options` came from `fromEnvWithPrefix`; else the option's name. */
export const variableOf = (options: object, option: Options.OptionName): string =>
  variablesOfOptions.get(options)?.[option] ?? option

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> => Config.withDefault(config, undefined)

/**
 * The contents of the file a variable names, read now (a regular file of at most 64 KiB, see `credentialFile.ts`),
 * trimmed; a `ConfigError` names the variable and what the file is, never its path or contents.
 */
const fileText = (reader: Reader, variable: string) =>
  reader.answer(reader.string(variable), (path): Options.FromEnv<string> => {
    const text = reader.readFileSync(path)
    return text._tag === "Valid"
      ? { _tag: "Valid", value: Options.keyOfFile(text.value) }
      : { _tag: "InvalidData", variable, message: Options.fileProblem(variable, text.problem) }
  })

/** A key file's contents (`fileText`), redacted. */
const fileContents = (reader: Reader, variable: string) => Config.map(fileText(reader, variable), Redacted.make)

/**
 * An assertion read from the file a variable names, again for every token request (projected tokens rotate): a
 * regular file of at most 64 KiB, read within 5 seconds, holding a compact JWS (`Options.assertionOfFile`). Its
 * failure names the variable and what is wrong, never the path or the contents.
 */
const assertionFile = (reader: Reader, variable: string) =>
  Config.map(reader.string(variable), (path) =>
    credentialFile.node.read(path).pipe(
      Effect.mapError((problem) =>
        new clientAuthentication.AssertionRefused({ detail: Options.fileProblem(variable, problem) })
      ),
      Effect.flatMap((text) => {
        const assertion = Options.assertionOfFile(variable, text)
        return assertion._tag === "Valid"
          ? Effect.succeed(Redacted.make(assertion.value))
          : Effect.fail(new clientAuthentication.AssertionRefused({ detail: assertion.problem }))
      })
    ))

/** `<prefix>TOKEN_URL` or `<prefix>ISSUER`, one of them (`Options.endpointFromEnv`). */
const endpointFromEnv = (reader: Reader, prefix: string) => {
  const variables = Options.variablesOf(prefix)
  return reader.answer(
    Config.all({
      tokenUrl: optional(reader.string(variables.tokenUrl)),
      issuer: optional(reader.string(variables.issuer))
    }),
    (env) => Options.endpointFromEnv(prefix, env)
  )
}

/** The credentials the variables make (`Options.credentialsFromEnv`). */
const credentialsFromEnv = (reader: Reader, prefix: string): Config.Config<TokenService.Credentials> => {
  const variables = Options.variablesOf(prefix)
  return reader.answer(
    Config.all({
      clientId: reader.string(variables.clientId),
      authMethod: optional(reader.literals(methods.authMethods, variables.authMethod)),
      clientSecret: optional(reader.redacted(variables.clientSecret)),
      privateKey: optional(
        Config.orElse(reader.redacted(variables.privateKey), () => fileContents(reader, variables.privateKeyFile))
      ),
      keyId: optional(reader.string(variables.keyId)),
      signingAlgorithm: optional(reader.literals(methods.signingAlgorithms, variables.signingAlgorithm)),
      certificate: optional(fileText(reader, variables.certificateFile)),
      sendCertificateChain: optional(
        Config.map(reader.literals(Options.booleanValues, variables.sendCertificateChain), (text) => text === "true")
      ),
      clientAssertion: optional(assertionFile(reader, variables.clientAssertionFile)),
      tlsCertificate: optional(fileText(reader, variables.tlsCertificateFile)),
      tlsKey: optional(fileContents(reader, variables.tlsKeyFile)),
      tlsCa: optional(fileText(reader, variables.tlsCaFile))
    }),
    (env) => Options.credentialsFromEnv(prefix, env)
  )
}

/** The `dpop` option the variables make (`Options.dpopFromEnv`). */
const dpopFromEnv = (reader: Reader, prefix: string) => {
  const variables = Options.variablesOf(prefix)
  return reader.answer(
    Config.all({
      dpop: optional(reader.literals(Options.booleanValues, variables.dpop)),
      privateKey: optional(
        Config.orElse(
          reader.redacted(variables.dpopPrivateKey),
          () => fileContents(reader, variables.dpopPrivateKeyFile)
        )
      ),
      signingAlgorithm: optional(reader.literals(DpopKey.algorithms, variables.dpopSigningAlgorithm))
    }),
    (env) => Options.dpopFromEnv(prefix, env)
  )
}

/** The options read from the variables after `prefix` (`Options.variablesOf`), with `reader`. */
export const fromEnvWithPrefix = (reader: Reader, prefix: string): Config.Config<TokenService.Options> => {
  const variables = Options.variablesOf(prefix)
  return Config.map(
    Config.all({
      endpoint: endpointFromEnv(reader, prefix),
      credentials: credentialsFromEnv(reader, prefix),
      scopes: optional(Config.map(reader.string(variables.scope), Options.scopesOf)),
      audience: optional(reader.string(variables.audience)),
      dpop: dpopFromEnv(reader, prefix),
      // which of the two variables a private key came from, for an error about it
      keyInVariable: Config.map(optional(reader.redacted(variables.privateKey)), (key) => key !== undefined),
      dpopKeyInVariable: Config.map(optional(reader.redacted(variables.dpopPrivateKey)), (key) => key !== undefined)
    }),
    ({ audience, credentials, dpop, dpopKeyInVariable, endpoint, keyInVariable, scopes }) => {
      const options = {
        ...endpoint,
        ...credentials,
        scopes,
        audience,
        ...(dpop === undefined ? {} : { dpop })
      } as TokenService.Options
      const dpopKey = typeof dpop === "object" && dpop.privateKey !== undefined
        ? dpopKeyInVariable ? "variable" : "file"
        : undefined
      variablesOfOptions.set(options, Options.optionVariables(prefix, keyInVariable, dpopKey))
      return options
    }
  )
}
