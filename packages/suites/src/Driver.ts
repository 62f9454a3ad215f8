/**
 * What every line's driver (`Line`) does the same way, written once: the options of a service in the line's own
 * values, the scripted endpoint's answers and records, errors, tokens and outcomes as plain data, the printings of a
 * value, the fake server's handle and the token entry a fleet left in Redis. A driver gives the few things only its
 * line can make (a `Redacted`, a `Duration`, a `Schedule`, its `Exit` read as an `Ended`) and calls these.
 *
 * @since 0.1.0
 */
import { fileURLToPath } from "node:url"
import * as util from "node:util"
import type * as Line from "./Line.js"

/**
 * What a line makes of the plain values of `Line.ServiceOptions`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OptionValues {
  /** A secret or a key, as the line's `Redacted`. */
  readonly secret: (value: string) => unknown
  /** A client assertion, as the line's option takes it (an effect of a `Redacted`). */
  readonly assertion: (value: string) => unknown
  /** Milliseconds, as the line's `Duration`. */
  readonly millis: (value: number) => unknown
  /** The line's schedules: every retry, `times` retries, retries `millis` apart, and both of two. */
  readonly schedules: {
    readonly forever: unknown
    readonly recurs: (times: number) => unknown
    readonly spaced: (millis: number) => unknown
    readonly both: (self: unknown, that: unknown) => unknown
  }
}

const durationOptions = new Set(["expiryLeeway", "requestTimeout", "terminalErrorCooldown", "defaultLifetime"])

const scheduleOf = (retry: unknown, schedules: OptionValues["schedules"]): unknown => {
  if (typeof retry !== "object" || retry === null) return retry
  const { spacedMillis, times } = retry as Line.Retry
  if (spacedMillis === undefined) return times === undefined ? schedules.forever : schedules.recurs(times)
  const spaced = schedules.spaced(spacedMillis)
  return times === undefined ? spaced : schedules.both(spaced, schedules.recurs(times))
}

/**
 * `Line.ServiceOptions` as a line's `TokenService.Options`: millis as durations, secrets as `Redacted`, retry as a
 * schedule; a value of another type is passed as it is, for the line's checks to refuse.
 *
 * @since 0.1.0
 * @category options
 */
export const serviceOptions = (values: OptionValues, options: Line.ServiceOptions): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue
    if (name === "clientSecret" || name === "privateKey") {
      out[name] = typeof value === "string" ? values.secret(value) : value
    } else if (name === "tlsClientCertificate" && typeof value === "object" && value !== null) {
      const certificate = value as Line.TlsClientCertificate
      out[name] = { ...certificate, key: typeof certificate.key === "string" ? values.secret(certificate.key) : value }
    } else if (name === "clientAssertion") {
      out[name] = typeof value === "string" ? values.assertion(value) : value
    } else if (durationOptions.has(name)) {
      out[name] = typeof value === "number" ? values.millis(value) : value
    } else if (name === "dpop" && typeof value === "object" && value !== null && "privateKey" in value) {
      const { privateKey, ...rest } = value as { readonly privateKey?: unknown }
      out[name] = typeof privateKey === "string" ? { ...rest, privateKey: values.secret(privateKey) } : value
    } else if (name === "retry") {
      out[name] = scheduleOf(value, values.schedules)
    } else {
      out[name] = value
    }
  }
  return out
}

/**
 * The printings of a value that need no line: `String`, its message and stack, `JSON.stringify`, `util.inspect` (at
 * every depth, hidden properties too). A line adds its own formatter's, its causes' and its loggers'.
 *
 * @since 0.1.0
 * @category printings
 */
export const valuePrintings = (value: unknown): Line.Printings => [
  ["String", String(value)],
  ["message", String((value as { readonly message?: unknown } | undefined)?.message)],
  ["stack", String((value as { readonly stack?: unknown } | undefined)?.stack)],
  ["JSON.stringify", String(JSON.stringify(value))],
  ["util.inspect", util.inspect(value)],
  ["util.inspect (every depth, hidden)", util.inspect(value, { depth: Infinity, showHidden: true })]
]

/**
 * `data` with `printings` made when first read: most calls never read them, and making them takes time.
 *
 * @since 0.1.0
 * @category printings
 */
export const withPrintings = <A extends object>(
  data: A,
  make: () => Line.Printings
): A & { readonly printings: Line.Printings } => {
  let made: Line.Printings | undefined
  return Object.defineProperty(data, "printings", {
    enumerable: true,
    get: () => (made ??= make())
  }) as A & { readonly printings: Line.Printings }
}

/**
 * An error of the library as plain data: its fields through `plain` (the line's durations as millis, options as
 * values, `Redacted` as `<redacted>`), `isTerminal` and `isRetryable` where it has them.
 *
 * @since 0.1.0
 * @category data
 */
export const errorData = (
  error: unknown,
  plain: (value: unknown) => unknown,
  printings: () => Line.Printings
): Line.ErrorData => {
  const record = error as Record<string, unknown>
  const fields: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(record)) {
    if (name !== "_tag" && value !== undefined) fields[name] = plain(value)
  }
  for (const name of ["isTerminal", "isRetryable"]) {
    if (typeof record[name] === "boolean") fields[name] = record[name]
  }
  return withPrintings({
    tag: String(record._tag),
    reason: typeof record.reason === "string" ? record.reason : undefined,
    fields,
    message: String(record.message)
  }, printings)
}

/**
 * How a line's call ended, as the line reads its `Exit`: the failure's or defect's printings are made only when
 * read.
 *
 * @since 0.1.0
 * @category data
 */
export type Ended<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: unknown; readonly printings: () => Line.Printings }
  | { readonly _tag: "Defect"; readonly defect: unknown; readonly printings: () => Line.Printings }
  | { readonly _tag: "Interrupted" }

/**
 * An ended call as a `Line.Outcome`, its value through `data` and its error through `plain`.
 *
 * @since 0.1.0
 * @category data
 */
export const outcome = <A, B>(
  ended: Ended<A>,
  data: (value: A) => B,
  plain: (value: unknown) => unknown
): Line.Outcome<B> => {
  switch (ended._tag) {
    case "Success":
      return { _tag: "Success", value: data(ended.value) }
    case "Failure":
      return { _tag: "Failure", error: errorData(ended.error, plain, ended.printings) }
    case "Defect": {
      const message = ended.defect instanceof Error ? ended.defect.message : String(ended.defect)
      return withPrintings({ _tag: "Defect", message } as const, ended.printings)
    }
    case "Interrupted":
      return { _tag: "Interrupted" }
  }
}

/**
 * A call under way on a line: its end observed, polled and interrupted in the line's own terms.
 *
 * @since 0.1.0
 * @category calls
 */
export interface Running<Exit> {
  readonly onEnd: (observer: (exit: Exit) => void) => void
  /** The exit, or `undefined` while the call still runs. */
  readonly poll: () => Exit | undefined
  readonly interrupt: () => Promise<void>
  /** Lets every fiber run until it waits. */
  readonly settle: () => Promise<void>
}

/**
 * A `Line.Call` over a line's running call, each exit read by `outcomeOf`.
 *
 * @since 0.1.0
 * @category calls
 */
export const call = <Exit, B>(running: Running<Exit>, outcomeOf: (exit: Exit) => Line.Outcome<B>): Line.Call<B> => ({
  outcome: new Promise((resolve) => running.onEnd((exit) => resolve(outcomeOf(exit)))),
  poll: async () => {
    await running.settle()
    const exit = running.poll()
    return exit === undefined ? undefined : outcomeOf(exit)
  },
  interrupt: running.interrupt
})

/**
 * The token a call of a line gave, with its secrets revealed by the line, as plain data.
 *
 * @since 0.1.0
 * @category data
 */
export const tokenData = (
  token: Omit<Line.TokenData, "printings">,
  printings: () => Line.Printings
): Line.TokenData => withPrintings({ ...token, scopes: [...token.scopes] }, printings)

const nullBodyStatuses = new Set([101, 204, 205, 304])

/**
 * The `Response` a scripted `Respond` or `Token` answer makes (`count`: the request's number, for `token-<n>`).
 *
 * @since 0.1.0
 * @category endpoint
 */
export const responseOf = (
  answer: Extract<Line.Answer, { readonly _tag: "Respond" | "Token" }>,
  count: number
): Response => {
  if (answer._tag === "Token") {
    return new Response(
      JSON.stringify({
        access_token: answer.value ?? `token-${count}`,
        token_type: "Bearer",
        expires_in: 3600,
        ...answer.fields
      }),
      { status: 200, headers: { "content-type": "application/json" } }
    )
  }
  const body = typeof answer.body === "function" ? answer.body() : answer.body
  return new Response(nullBodyStatuses.has(answer.status) ? null : body ?? null, {
    status: answer.status,
    headers: answer.headers ?? {}
  })
}

/**
 * The cause of a scripted `TransportError`: the answer's own, or a reset connection.
 *
 * @since 0.1.0
 * @category endpoint
 */
export const transportCause = (answer: Extract<Line.Answer, { readonly _tag: "TransportError" }>): unknown =>
  answer.cause ?? Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })

/**
 * The state of a scripted endpoint: what it received, what it will answer, how many hung answers were left.
 *
 * @since 0.1.0
 * @category endpoint
 */
export class Endpoint {
  readonly requests: Array<Line.RecordedRequest> = []
  readonly script: Array<Line.Script> = []
  abandonedCount = 0

  constructor(readonly fallback: Line.Script | undefined) {}

  /**
   * Records a request (its `content-type` from the body where the headers have none) and gives the answer it takes.
   */
  receive(request: {
    readonly method: string
    readonly url: string
    readonly headers: Readonly<Record<string, string>>
    readonly contentType: unknown
    readonly body: string
    readonly at: Line.Millis
  }): Line.Answer {
    const headers: Record<string, string> = { ...request.headers }
    if (headers["content-type"] === undefined && typeof request.contentType === "string") {
      headers["content-type"] = request.contentType
    }
    const recorded: Line.RecordedRequest = {
      method: request.method,
      url: request.url,
      headers,
      body: request.body,
      at: request.at
    }
    this.requests.push(recorded)
    const next = this.script.shift() ?? this.fallback ?? { _tag: "Token" }
    return typeof next === "function" ? next(recorded) : next
  }

  /** The controls a `Line.Scripted` gives over this endpoint. */
  controls(): Pick<Line.Scripted, "script" | "requests" | "abandoned"> {
    return {
      script: (...answers) => {
        this.script.push(...answers)
      },
      requests: () => this.requests.slice(),
      abandoned: () => this.abandonedCount
    }
  }
}

/**
 * A line's `FakeAuthServer` answers, by the line's constructors.
 *
 * @since 0.1.0
 * @category fake server
 */
export interface FakeAnswers<Answer> {
  readonly normal: Answer
  readonly respond: (status: number, body: string, headers: Readonly<Record<string, string>>) => Answer
  readonly hang: Answer
  readonly dropConnection: Answer
  readonly delayed: (millis: number, answer: Answer) => Answer
}

/**
 * A `Line.FakeAnswer` as the line's `FakeAuthServer` answer.
 *
 * @since 0.1.0
 * @category fake server
 */
export const fakeAnswer = <Answer>(answers: FakeAnswers<Answer>, answer: Line.FakeAnswer): Answer => {
  switch (answer._tag) {
    case "Normal":
      return answers.normal
    case "Respond":
      return answers.respond(answer.status, answer.body ?? "", answer.headers ?? {})
    case "Hang":
      return answers.hang
    case "DropConnection":
      return answers.dropConnection
    case "Delayed":
      return answers.delayed(answer.millis, fakeAnswer(answers, answer.answer))
  }
}

/**
 * The options of a line's `FakeAuthServer.layer` for `Line.FakeServerOptions` (`seconds`: the line's `Duration`).
 *
 * @since 0.1.0
 * @category fake server
 */
export const fakeServerOptions = <Duration>(options: Line.FakeServerOptions, seconds: (value: number) => Duration) => ({
  clients: options.clients,
  authMethod: options.authMethod,
  tokenLifetime: options.tokenLifetimeSeconds === undefined ? undefined : seconds(options.tokenLifetimeSeconds),
  scopes: options.scopes
})

/**
 * A token request as a line's `FakeAuthServer` records it, as the suites read it.
 *
 * @since 0.1.0
 * @category fake server
 */
export const fakeTokenRequest = (request: Line.FakeTokenRequest): Line.FakeTokenRequest => ({
  headers: request.headers,
  params: request.params,
  clientId: request.clientId,
  authMethod: request.authMethod
})

/**
 * The one token entry in a Redis: its key, its raw value and the hash its store reads it by.
 *
 * @since 0.1.0
 * @category fleet
 */
export const tokenEntry = async (client: {
  readonly keys: (pattern: string) => Promise<ReadonlyArray<string>>
  readonly get: (key: string) => Promise<string | null>
}): Promise<{ readonly key: string; readonly raw: string; readonly hash: string }> => {
  const keys = await client.keys("effect-oauth2:*:token")
  if (keys.length !== 1) throw new Error(`${keys.length} token entries in Redis, not 1`)
  const key = keys[0]!
  const hash = /\{([0-9a-f]{64})\}/.exec(key)![1]!
  return { key, raw: (await client.get(key)) ?? "", hash }
}

/**
 * What a line builds for a network: its services, fixed token sources and clients, each in the line's own terms.
 *
 * @since 0.1.0
 * @category network
 */
export interface NetworkParts<Service, Store> {
  /**
   * Builds a token service and its handle, on `store` when given, or rejects with an `Error` carrying the line's
   * message.
   */
  readonly service: (options: Line.ServiceOptions, store?: Store) => Promise<{
    readonly service: Service
    readonly handle: Line.TokenService
  }>
  /** A token service that always gives a token of `value`, and pushes each invalidated value to `invalidated`. */
  readonly fixedService: (value: string, invalidated: Array<string>) => Service
  /** Builds an `AuthorizedClient` over `service`, or rejects with an `Error` carrying the line's message. */
  readonly authorizedClient: (service: Service, options: Line.ClientOptions) => Promise<Line.ApiClient>
  readonly logs: () => ReadonlyArray<Line.LogLine>
  readonly close: () => Promise<void>
}

/**
 * A `Line.Network` whose services may also be built on one of the line's token stores.
 *
 * @since 0.1.0
 * @category network
 */
export interface Network<Store> extends Line.Network {
  /** Builds a token service on `store`, as `service` builds one without. */
  readonly serviceOn: (store: Store, options: Line.ServiceOptions) => Promise<Line.TokenService>
}

/**
 * A `Line.Network` over a line's parts: token sources handed out as handles, each mapped back to the line's service
 * when a client is built on it.
 *
 * @since 0.1.0
 * @category network
 */
export const network = <Service, Store>(parts: NetworkParts<Service, Store>): Network<Store> => {
  const services = new WeakMap<object, Service>()
  const service = async (options: Line.ServiceOptions, store?: Store) => {
    const built = await parts.service(options, store)
    services.set(built.handle, built.service)
    return built.handle
  }
  return {
    service: (options) => service(options),
    serviceOn: (store, options) => service(options, store),
    fixedTokens: (value) => {
      const invalidated: Array<string> = []
      const handle: Line.FixedTokens = { value, invalidated: () => invalidated.slice() }
      services.set(handle, parts.fixedService(value, invalidated))
      return handle
    },
    authorizedClient: async (source, options = {}) => {
      const service = services.get(source)
      if (service === undefined) throw new Error("a token source of another network")
      return parts.authorizedClient(service, options)
    },
    logs: parts.logs,
    close: parts.close
  }
}

/**
 * A line's fleet replica (`Line.FleetWorker`): the script at `worker`, run by this Node.js from source (`tsx`, the
 * `@effect-oauth2/source` condition) in the folder `cwd`, which must say it runs `line`; with `preserveSymlinks`, a
 * linked file's imports resolve from where the link is (the script's own too, when it is a link), as a line whose
 * package links modules written once needs.
 *
 * @since 0.1.0
 * @category fleet
 */
export const fleetWorker = (
  worker: URL,
  cwd: URL,
  line: string,
  options: { readonly preserveSymlinks?: boolean } = {}
): Line.FleetWorker => ({
  line,
  command: process.execPath,
  args: [
    "--conditions=@effect-oauth2/source",
    ...(options.preserveSymlinks === true ? ["--preserve-symlinks", "--preserve-symlinks-main"] : []),
    "--import",
    "tsx",
    fileURLToPath(worker)
  ],
  cwd: fileURLToPath(cwd)
})
