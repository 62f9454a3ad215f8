/**
 * The `effect-oauth2` command: `token` prints an access token got as `TokenService.layerConfig()` gets it, `discover`
 * prints what an issuer's metadata says, as `TokenService` reads and checks it. Help goes to stdout when asked for,
 * with a usage error to stderr; every other failure is one line on stderr (`failure.ts`). With a client certificate
 * (mutual TLS), the HTTP client is `MtlsHttpClient`'s, which presents it; else Node's.
 */
import { Discovery, TokenService } from "@effect-oauth2/client-credentials"
import { MtlsHttpClient } from "@effect-oauth2/client-credentials/node"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { CliConfig, CliOutput, Command, Flag, GlobalFlag } from "effect/cli"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Failure from "./failure.js"
import * as Output from "./output.js"
import * as Received from "./received.js"
import { environmentOf, type Given, pemOfFile, type Setting, settings, UsageProblem } from "./settings.js"

/** `--help`'s text of a flag that stands for a variable. */
const describe = (setting: Setting): string =>
  setting.variable === undefined
    ? `${setting.description} (no variable: a flag only)`
    : `${setting.description} Else ${setting.variable}.`

const single = (setting: Setting) =>
  Flag.String(setting.flag).pipe(Flag.withDescription(describe(setting)), Flag.optional)

const repeated = (setting: Setting) =>
  Flag.String(setting.flag).pipe(Flag.withDescription(describe(setting)), Flag.atLeast(0))

const booleanFlag = (name: string, description: string) =>
  Flag.Boolean(name).pipe(Flag.withDescription(description), Flag.withoutNegation, Flag.withDefault(false))

/** The flags of the client's configuration, each standing for its variable (`settings.ts`). */
const settingFlags = {
  tokenUrl: single(settings.tokenUrl),
  issuer: single(settings.issuer),
  clientId: single(settings.clientId),
  clientSecretFile: single(settings.clientSecretFile),
  authMethod: single(settings.authMethod),
  privateKeyFile: single(settings.privateKeyFile),
  keyId: single(settings.keyId),
  certificateFile: single(settings.certificateFile),
  clientAssertionFile: single(settings.clientAssertionFile),
  tlsCertificateFile: single(settings.tlsCertificateFile),
  tlsKeyFile: single(settings.tlsKeyFile),
  tlsCaFile: single(settings.tlsCaFile),
  scope: repeated(settings.scope),
  audience: single(settings.audience),
  resource: repeated(settings.resource)
}

/** Writes `text` to stdout as it is, done once written: a write that fails is a `StdoutProblem`. */
const write = (text: string) =>
  Effect.callback<void, Failure.StdoutProblem>((resume) => {
    process.stdout.write(text, (error) =>
      resume(error === null || error === undefined ? Effect.void : Effect.fail(Failure.stdoutProblem(error))))
  })

/** The variables `TokenService.config` reads for `given`, or the problem of a flag. */
const environment = (given: Given) =>
  Effect.try({
    try: () => environmentOf(given, process.env),
    catch: (error) => error instanceof UsageProblem ? error : new UsageProblem("the settings could not be read")
  })

/** The HTTP client: one that presents `certificate` in each TLS handshake when there is one (mutual TLS), else Node's. */
const httpClient = (certificate: TokenService.TlsClientCertificate | undefined) =>
  certificate === undefined ? NodeHttpClient.layerUndici : MtlsHttpClient.layer(certificate)

/** A token got as `TokenService.layerConfig()` gets it, from the variables `given` makes. */
const getToken = (given: Given) =>
  Effect.gen(function*() {
    const env = yield* environment(given)
    // a missing variable is said with its flag: which variables were read tells missing from invalid
    const plainly = Effect.mapError(<E>(error: E) =>
      error instanceof Config.ConfigError ? new UsageProblem(Failure.configLine(error, env)) : error
    )
    const read = yield* TokenService.config.parse(ConfigProvider.fromEnv({ env })).pipe(plainly)
    if (read.dpop !== undefined) return yield* Effect.fail(new UsageProblem(Failure.dpopLine))
    // resource indicators have no variable: they are added to the options the variables make
    const options: TokenService.Options = given.resource.length === 0 ? read : { ...read, resource: given.resource }
    const received = new Received.Received()
    const service = TokenService.layerConfig(Config.succeed(options)).pipe(
      Layer.provide(Received.layer(received)),
      Layer.provide(httpClient(options.tlsClientCertificate))
    )
    const token = yield* Effect.flatMap(Effect.service(TokenService.TokenService), (tokens) => tokens.get).pipe(
      Effect.provide(service),
      plainly
    )
    return { token, received: received.fieldsOf(token) }
  })

const token = Command.make(
  "token",
  {
    ...settingFlags,
    json: booleanFlag(
      "json",
      "Print the token response's fields as received, as JSON: access_token, token_type, expires_in, scope."
    ),
    noToken: booleanFlag("no-token", "With --json: leave access_token out, to inspect the rest."),
    decode: booleanFlag("decode", "Print the header and claims of a JWT access token; its signature is NOT verified.")
  },
  Effect.fnUntraced(function*(input) {
    if (input.noToken && !input.json) return yield* Effect.fail(new UsageProblem("--no-token goes with --json"))
    const { received, token } = yield* getToken(input)
    const printed = Output.print(token, input, received)
    if ("problem" in printed) return yield* Effect.fail(new UsageProblem(printed.problem))
    yield* write(printed.text)
  })
).pipe(
  Command.withDescription(
    "Print an access token and a newline, for curl -H \"Authorization: Bearer $(effect-oauth2 token)\". " +
      "Each flag overrides its variable, as TokenService.layerConfig() reads them."
  )
)

/** A flag's value, else its variable's. */
const flagOrVariable = (flag: Option.Option<string>, variable: string): string | undefined =>
  Option.getOrElse(flag, () => process.env[variable])

/** The PEM text of the file a flag names, else the file its variable names, else `undefined`. */
const pemOfFlagOrVariable = (
  flag: Option.Option<string>,
  setting: Setting & { readonly variable: string }
): string | undefined => {
  if (Option.isSome(flag)) return pemOfFile(flag.value, `--${setting.flag}`)
  const path = process.env[setting.variable]
  return path === undefined ? undefined : pemOfFile(path, setting.variable)
}

/**
 * `discover`'s HTTP client: with a CA file, one that checks the server's certificate against it; with a certificate
 * and its key, one that presents them too (a server may ask every client for one); else Node's.
 */
const discoveryHttpClient = (input: {
  readonly tlsCertificateFile: Option.Option<string>
  readonly tlsKeyFile: Option.Option<string>
  readonly tlsCaFile: Option.Option<string>
}) =>
  Effect.try({
    try: () => {
      const ca = pemOfFlagOrVariable(input.tlsCaFile, settings.tlsCaFile)
      const cert = pemOfFlagOrVariable(input.tlsCertificateFile, settings.tlsCertificateFile)
      const key = pemOfFlagOrVariable(input.tlsKeyFile, settings.tlsKeyFile)
      if (cert !== undefined && key === undefined) throw new UsageProblem(Failure.missingLine("OAUTH_TLS_KEY_FILE"))
      if (cert === undefined && key !== undefined) {
        throw new UsageProblem(Failure.missingLine("OAUTH_TLS_CERTIFICATE_FILE"))
      }
      if (cert !== undefined && key !== undefined) return httpClient({ cert, key: Redacted.make(key), ca })
      return ca === undefined ? NodeHttpClient.layerUndici : NodeHttpClient.layerUndiciOptions({ connect: { ca } })
    },
    catch: (error) => error instanceof UsageProblem ? error : new UsageProblem("the TLS files could not be read")
  })

/** `discover`'s flags: the same variables as `token`'s, said as `discover` uses them. */
const discoverSettings = {
  issuer: {
    ...settings.issuer,
    description: "The issuer whose metadata is read (RFC 8414, then OpenID Connect Discovery)."
  },
  authMethod: {
    ...settings.authMethod,
    description: "A client authentication method the metadata must offer: client_secret_basic, client_secret_post, " +
      "client_secret_jwt, private_key_jwt, tls_client_auth or self_signed_tls_client_auth. No default: without it, " +
      "no method is checked."
  },
  tlsCertificateFile: {
    ...settings.tlsCertificateFile,
    description: "A file holding a client PEM certificate (and its chain), presented to an issuer that asks for one."
  },
  tlsKeyFile: { ...settings.tlsKeyFile, description: "A file holding that certificate's PEM private key." },
  tlsCaFile: {
    ...settings.tlsCaFile,
    description: "A file holding the PEM certificates the issuer's is checked against (else the system's)."
  }
} as const satisfies Record<string, Setting>

const discover = Command.make(
  "discover",
  {
    issuer: single(discoverSettings.issuer),
    authMethod: single(discoverSettings.authMethod),
    tlsCertificateFile: single(discoverSettings.tlsCertificateFile),
    tlsKeyFile: single(discoverSettings.tlsKeyFile),
    tlsCaFile: single(discoverSettings.tlsCaFile)
  },
  Effect.fnUntraced(function*(input) {
    const issuer = flagOrVariable(input.issuer, "OAUTH_ISSUER")
    if (issuer === undefined) return yield* Effect.fail(new UsageProblem("discover needs --issuer or OAUTH_ISSUER"))
    const method = flagOrVariable(input.authMethod, "OAUTH_AUTH_METHOD")
    const authMethod = Discovery.authMethods.find((known) => known === method)
    if (method !== undefined && authMethod === undefined) {
      return yield* Effect.fail(new UsageProblem(`--auth-method must be one of ${Discovery.authMethods.join(", ")}`))
    }
    const client = yield* discoveryHttpClient(input)
    const metadata = yield* Discovery.discover({ issuer, authMethod }).pipe(Effect.provide(client))
    // the issuer's text, each value made printable: it may hold line ends or terminal escapes
    const list = (values: ReadonlyArray<string>) => values.map(Output.printable).join(", ")
    const lines = [
      `issuer: ${Output.printable(metadata.issuer)}`,
      `token endpoint: ${Output.printable(metadata.tokenEndpoint.href)}`,
      `auth methods: ${list(metadata.authMethodsSupported)}`,
      ...(metadata.signingAlgorithmsSupported === undefined
        ? []
        : [`signing algorithms: ${list(metadata.signingAlgorithmsSupported)}`])
    ]
    yield* write(`${lines.join("\n")}\n`)
  })
).pipe(
  Command.withDescription(
    "Print the token endpoint and the client authentication methods an issuer's metadata offers, checked as " +
      "TokenService checks them (https, the same issuer, the method offered). The TLS files, when given, are used " +
      "to reach it."
  )
)

/** The whole command. */
export const command = Command.make("effect-oauth2").pipe(
  Command.withDescription(
    [
      "OAuth 2.0 client-credentials access tokens on the command line.",
      "",
      "The flags of `token`, each over the variable TokenService.layerConfig() reads (`token --help` says more):",
      ...Object.values(settings).map((setting: Setting) =>
        `  --${setting.flag.padEnd(22)} ${setting.variable ?? "(no variable)"}${
          setting.repeatable ? ", repeatable" : ""
        }`
      ),
      "  --json, --no-token, --decode: how the token is printed",
      "",
      "Exit codes: 0 success, 1 an unexpected error or stdout that could not be written, 2 usage or configuration,",
      "3 the authorization server refused (TokenError), 4 no usable answer (NetworkError), 130 interrupted (SIGINT),",
      "143 terminated (SIGTERM)."
    ].join("\n")
  ),
  Command.withSubcommands([token, discover])
)

/** Help to stdout when asked for; help with a usage error, or help not asked for, to stderr. */
const presenter: CliOutput.Presenter = {
  present: (event) =>
    Effect.gen(function*() {
      const formatter = yield* CliOutput.Formatter
      switch (event._tag) {
        case "Help":
          return yield* (event.reason === "Requested" ? Console.log : Console.error)(
            formatter.formatHelpDoc(event.helpDoc)
          )
        case "InvalidInvocation":
          yield* Console.error(formatter.formatHelpDoc(event.helpDoc))
          return yield* Console.error(formatter.formatErrors(event.errors))
        case "Version":
          return yield* Console.log(formatter.formatVersion(event.name, event.version))
      }
    })
}

/** Runs the command with `args` (the arguments after the program's name). */
export const run = (args: ReadonlyArray<string>, version: string) =>
  Command.runWith(command, { version })(args).pipe(
    Effect.provide(Layer.mergeAll(
      NodeServices.layer,
      CliOutput.layerPresenter(presenter),
      // no wizard, completions or log level: help and version only
      CliConfig.layer({ builtIns: [GlobalFlag.Help, GlobalFlag.Version] })
    ))
  )
