/**
 * The `effect-oauth2` command: `token` prints an access token got as `TokenService.layerConfig()` gets it, `discover`
 * prints what an issuer's metadata says, as `TokenService` reads and checks it. Help goes to stdout when asked for,
 * with a usage error to stderr; every other failure is one line on stderr (`failure.ts`).
 */
import { Discovery, TokenService } from "@effect-oauth2/client-credentials"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { CliConfig, CliOutput, Command, Flag, GlobalFlag } from "effect/cli"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Output from "./output.js"
import * as Received from "./received.js"
import { environmentOf, type Given, type Setting, settings, UsageProblem } from "./settings.js"

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
  scope: repeated(settings.scope),
  audience: single(settings.audience),
  resource: repeated(settings.resource)
}

/** Writes `text` to stdout as it is. */
const write = (text: string) => Effect.sync(() => void process.stdout.write(text))

/** The variables `TokenService.config` reads for `given`, or the problem of a flag. */
const environment = (given: Given) =>
  Effect.try({
    try: () => environmentOf(given, process.env),
    catch: (error) => error instanceof UsageProblem ? error : new UsageProblem("the settings could not be read")
  })

/** A token got as `TokenService.layerConfig()` gets it, from the variables `given` makes. */
const getToken = (given: Given) =>
  Effect.gen(function*() {
    const env = yield* environment(given)
    // resource indicators have no variable: they are added to the options the variables make
    const config = given.resource.length === 0
      ? TokenService.config
      : Config.map(TokenService.config, (options): TokenService.Options => ({ ...options, resource: given.resource }))
    const received = new Received.Received()
    const service = TokenService.layerConfig(config).pipe(
      Layer.provide(Received.layer(received)),
      Layer.provide(NodeHttpClient.layerUndici)
    )
    const token = yield* Effect.flatMap(Effect.service(TokenService.TokenService), (tokens) => tokens.get).pipe(
      Effect.provide(service),
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))
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

/** The client authentication methods `discover --auth-method` takes. */
const authMethods = [
  "client_secret_basic",
  "client_secret_post",
  "client_secret_jwt",
  "private_key_jwt",
  "tls_client_auth",
  "self_signed_tls_client_auth"
] as const satisfies ReadonlyArray<NonNullable<Discovery.Options["authMethod"]>>

/** A flag's value, else its variable's. */
const flagOrVariable = (flag: Option.Option<string>, variable: string): string | undefined =>
  Option.getOrElse(flag, () => process.env[variable])

const discover = Command.make(
  "discover",
  {
    issuer: single(settings.issuer),
    authMethod: single(settings.authMethod)
  },
  Effect.fnUntraced(function*(input) {
    const issuer = flagOrVariable(input.issuer, "OAUTH_ISSUER")
    if (issuer === undefined) return yield* Effect.fail(new UsageProblem("discover needs --issuer or OAUTH_ISSUER"))
    const method = flagOrVariable(input.authMethod, "OAUTH_AUTH_METHOD")
    const authMethod = authMethods.find((known) => known === method)
    if (method !== undefined && authMethod === undefined) {
      return yield* Effect.fail(new UsageProblem(`--auth-method must be one of ${authMethods.join(", ")}`))
    }
    const metadata = yield* Discovery.discover({ issuer, authMethod }).pipe(Effect.provide(NodeHttpClient.layerUndici))
    const lines = [
      `issuer: ${metadata.issuer}`,
      `token endpoint: ${metadata.tokenEndpoint.href}`,
      `auth methods: ${metadata.authMethodsSupported.join(", ")}`,
      ...(metadata.signingAlgorithmsSupported === undefined
        ? []
        : [`signing algorithms: ${metadata.signingAlgorithmsSupported.join(", ")}`])
    ]
    yield* write(`${lines.join("\n")}\n`)
  })
).pipe(
  Command.withDescription(
    "Print the token endpoint and the client authentication methods an issuer's metadata offers, checked as " +
      "TokenService checks them (https, the same issuer, the method offered)."
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
      "Exit codes: 0 success, 2 usage or configuration, 3 the authorization server refused (TokenError),",
      "4 no usable answer (NetworkError)."
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
