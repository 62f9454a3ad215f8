/**
 * The command line's settings as `TokenService.layerConfig()` reads them: each flag is the `OAUTH_*` variable of the
 * same option, and a flag given overrides the variable. The flags become variables of their own, laid over the
 * process's environment, and the library's `TokenService.config` reads the whole: one reading of the options, with the
 * library's checks and messages, whichever way they were given.
 *
 * A flag of the token endpoint (`--token-url`, `--issuer`) hides both endpoint variables, and a flag of the client's
 * credential (`--client-secret-file`, `--private-key-file`, `--client-assertion-file`, `--tls-certificate-file`,
 * `--tls-key-file`) hides the variables of every credential: the environment's would otherwise be a second endpoint or
 * credential, which the library refuses, or half of a certificate's pair.
 */
import * as Option from "effect/Option"
import * as fs from "node:fs"

/** What one flag of `token` sets: the variable it stands for. */
export interface Setting {
  /** The flag's name, without `--`. */
  readonly flag: string
  /** The variable the flag stands for, and what `--help` says of it. */
  readonly variable: string | undefined
  readonly description: string
  /** Given more than once, the values are joined with spaces (`OAUTH_SCOPE`'s form). */
  readonly repeatable: boolean
}

const endpointVariables = ["OAUTH_TOKEN_URL", "OAUTH_ISSUER"]
const credentialVariables = [
  "OAUTH_CLIENT_SECRET",
  "OAUTH_PRIVATE_KEY",
  "OAUTH_PRIVATE_KEY_FILE",
  "OAUTH_CLIENT_ASSERTION_FILE",
  "OAUTH_TLS_CERTIFICATE_FILE",
  "OAUTH_TLS_KEY_FILE"
]

/** The flags of `token` that configure the client, in the order `--help` lists them. */
export const settings = {
  tokenUrl: {
    flag: "token-url",
    variable: "OAUTH_TOKEN_URL",
    description: "The token endpoint URL.",
    repeatable: false
  },
  issuer: {
    flag: "issuer",
    variable: "OAUTH_ISSUER",
    description: "The issuer whose metadata names the token endpoint (in place of --token-url).",
    repeatable: false
  },
  clientId: {
    flag: "client-id",
    variable: "OAUTH_CLIENT_ID",
    description: "The client identifier.",
    repeatable: false
  },
  clientSecretFile: {
    flag: "client-secret-file",
    variable: "OAUTH_CLIENT_SECRET",
    description: "A file holding the client secret (the secret itself is never a flag).",
    repeatable: false
  },
  authMethod: {
    flag: "auth-method",
    variable: "OAUTH_AUTH_METHOD",
    description: "client_secret_basic (the default), client_secret_post, client_secret_jwt, private_key_jwt, " +
      "tls_client_auth or self_signed_tls_client_auth.",
    repeatable: false
  },
  privateKeyFile: {
    flag: "private-key-file",
    variable: "OAUTH_PRIVATE_KEY_FILE",
    description: "private_key_jwt: a file holding the private key (PKCS#8 PEM or a JWK).",
    repeatable: false
  },
  keyId: {
    flag: "key-id",
    variable: "OAUTH_KEY_ID",
    description: "private_key_jwt: the key's id (kid).",
    repeatable: false
  },
  certificateFile: {
    flag: "certificate-file",
    variable: "OAUTH_CERTIFICATE_FILE",
    description: "private_key_jwt: a file holding the key's certificate.",
    repeatable: false
  },
  clientAssertionFile: {
    flag: "client-assertion-file",
    variable: "OAUTH_CLIENT_ASSERTION_FILE",
    description: "private_key_jwt: a file holding a signed client assertion, in place of a key.",
    repeatable: false
  },
  tlsCertificateFile: {
    flag: "tls-certificate-file",
    variable: "OAUTH_TLS_CERTIFICATE_FILE",
    description: "Mutual TLS: a file holding the client's PEM certificate (and its chain), presented in the handshake.",
    repeatable: false
  },
  tlsKeyFile: {
    flag: "tls-key-file",
    variable: "OAUTH_TLS_KEY_FILE",
    description: "Mutual TLS: a file holding the certificate's PEM private key.",
    repeatable: false
  },
  tlsCaFile: {
    flag: "tls-ca-file",
    variable: "OAUTH_TLS_CA_FILE",
    description: "Mutual TLS: a file holding the PEM certificates the server's is checked against.",
    repeatable: false
  },
  scope: {
    flag: "scope",
    variable: "OAUTH_SCOPE",
    description: "A scope to ask for; repeat for more (the variable: space-separated).",
    repeatable: true
  },
  audience: {
    flag: "audience",
    variable: "OAUTH_AUDIENCE",
    description: "The audience to ask for.",
    repeatable: false
  },
  resource: {
    flag: "resource",
    variable: undefined,
    description: "A resource indicator (RFC 8707) to ask for; repeat for more.",
    repeatable: true
  }
} as const satisfies Record<string, Setting>

/** The name of a setting. */
export type Name = keyof typeof settings

/** What the flags gave: a value, or several for a repeatable flag. */
export type Given = {
  readonly [K in Name]: (typeof settings)[K]["repeatable"] extends true ? ReadonlyArray<string> :
    Option.Option<string>
}

/** A problem with what was given: exit code 2. */
export class UsageProblem extends Error {
  override readonly name = "UsageProblem"
}

/** The most a file a flag names may hold, as for the library's key files. */
const maxFileBytes = 64 * 1024

/**
 * The text of the file at `path`, which `name` (a flag or a variable) names: a regular file of at most 64 KiB. A
 * problem names `name` and what the file is, never its path or contents.
 */
export const textOfFile = (path: string, name: string): string => {
  let stat: fs.Stats
  try {
    stat = fs.statSync(path)
  } catch {
    throw new UsageProblem(`${name} names no file that can be read`)
  }
  if (!stat.isFile()) throw new UsageProblem(`${name} names something that is not a regular file`)
  if (stat.size > maxFileBytes) throw new UsageProblem(`${name} names a file larger than 64 KiB`)
  let text: string
  try {
    text = fs.readFileSync(path, "utf8")
  } catch {
    throw new UsageProblem(`${name} names no file that can be read`)
  }
  return text
}

/** The secret in the file `--client-secret-file` names (`textOfFile`): its text without the line end that closes it. */
const secretOfFile = (path: string): string => {
  const secret = textOfFile(path, "--client-secret-file").replace(/\r?\n$/, "")
  if (secret === "") throw new UsageProblem("--client-secret-file names an empty file")
  return secret
}

/** The PEM text in the file `name` names (`textOfFile`), trimmed, as the library reads its key files. */
export const pemOfFile = (path: string, name: string): string => {
  const text = textOfFile(path, name).trim()
  if (text === "") throw new UsageProblem(`${name} names an empty file`)
  return text
}

/**
 * Checks the client assertion file `name` (its flag or variable) names as the secret file is checked, before the
 * library reads it (again for every token request): a regular file of at most 64 KiB, not empty once trimmed.
 */
const checkAssertionFile = (path: string, name: string): void => {
  if (textOfFile(path, name).trim() === "") throw new UsageProblem(`${name} names an empty file`)
}

/**
 * The variables `TokenService.config` reads: `env`, less those a flag hides (see the module's comment), with each
 * flag given as its variable. Throws a `UsageProblem` for a secret or client assertion file that cannot be read.
 */
export const environmentOf = (
  given: Given,
  env: Readonly<Record<string, string | undefined>>
): Record<string, string> => {
  const hidden = new Set<string>()
  if (Option.isSome(given.tokenUrl) || Option.isSome(given.issuer)) endpointVariables.forEach((v) => hidden.add(v))
  if (
    Option.isSome(given.clientSecretFile) || Option.isSome(given.privateKeyFile) ||
    Option.isSome(given.clientAssertionFile) || Option.isSome(given.tlsCertificateFile) ||
    Option.isSome(given.tlsKeyFile)
  ) credentialVariables.forEach((v) => hidden.add(v))
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !hidden.has(name)) result[name] = value
  }
  for (const name of Object.keys(settings) as Array<Name>) {
    const setting: Setting = settings[name]
    const value = given[name]
    if (setting.variable === undefined) continue
    if (Array.isArray(value)) {
      if (value.length > 0) result[setting.variable] = value.join(" ")
    } else if (Option.isOption(value) && Option.isSome(value)) {
      result[setting.variable] = name === "clientSecretFile" ? secretOfFile(value.value) : value.value
    }
  }
  const assertionFile = result[settings.clientAssertionFile.variable]
  if (assertionFile !== undefined) {
    const name = Option.isSome(given.clientAssertionFile)
      ? `--${settings.clientAssertionFile.flag}`
      : settings.clientAssertionFile.variable
    checkAssertionFile(assertionFile, name)
  }
  return result
}
