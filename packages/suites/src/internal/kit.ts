/**
 * What the suites share: constructors of scripted answers, the reading of outcomes, and the options most suites
 * start from.
 */
import type * as Line from "../Line.js"

/** The token endpoint most suites configure. */
export const tokenUrl = "https://auth.example.com/oauth2/token"

/** The client id of `options`. */
export const clientId = "client-1"

/** A secret with every character `client_secret_basic` must encode: `:`, `%`, `+`, a space and non-ASCII. */
export const clientSecret = "s3cr:et%2F+ é-VERY-SECRET"

/** The options of a client with a token URL and a secret. */
export const options: Line.ServiceOptions = { tokenUrl, clientId, clientSecret }

/** `options` with `overrides` over them. */
export const optionsWith = (overrides: Line.ServiceOptions = {}): Line.ServiceOptions => ({ ...options, ...overrides })

// -- answers

/** Any status, body and headers. */
export const respond = (
  status: number,
  body?: string | (() => ReadableStream<Uint8Array>),
  headers: Readonly<Record<string, string>> = {}
): Line.Answer => ({ _tag: "Respond", status, headers, body })

/** A JSON body. */
export const json = (body: unknown, status = 200, headers: Readonly<Record<string, string>> = {}): Line.Answer =>
  respond(status, JSON.stringify(body), { "content-type": "application/json", ...headers })

/** A token response: `value` (default `token-<n>`), Bearer, one hour, `fields` over it (`undefined` drops one). */
export const token = (value?: string, fields: Readonly<Record<string, unknown>> = {}): Line.Answer => ({
  _tag: "Token",
  value,
  fields
})

/** An RFC 6749 §5.2 error response. */
export const oauthError = (error: string, status = 400, fields: Readonly<Record<string, unknown>> = {}): Line.Answer =>
  json({ error, ...fields }, status)

/** No answer, ever. */
export const hang: Line.Answer = { _tag: "Hang" }

/** The connection fails, with `cause` (default an `ECONNRESET` error). */
export const transportError = (cause?: unknown): Line.Answer =>
  cause === undefined ? { _tag: "TransportError" } : { _tag: "TransportError", cause }

/** `answer`, after `millis` on the line's clock. */
export const delayed = (millis: number, answer: Line.Answer): Line.Answer => ({ _tag: "Delayed", millis, answer })

/** The HTTP client dies with `message` (a defect, not a failure). */
export const die = (message: string): Line.Answer => ({ _tag: "Die", message })

/** An error with a `code`, as Node's network errors are. */
export const errorWithCode = (message: string, code: string, fields: Readonly<Record<string, unknown>> = {}) =>
  Object.assign(new Error(message), { code, ...fields })

/**
 * Answers by URL: each URL's answers in order, its last one for good; `otherwise` (a 404) for any URL not listed.
 */
export const byUrl = (
  routes: Readonly<Record<string, Line.Answer | ReadonlyArray<Line.Answer>>>,
  otherwise: Line.Script = respond(404)
): Line.Script => {
  const queues = new Map<string, Array<Line.Answer>>(
    Object.entries(routes).map(([url, answers]) => [url, "_tag" in answers ? [answers] : [...answers]])
  )
  return (request) => {
    const queue = queues.get(request.url)
    if (queue === undefined || queue.length === 0) {
      return typeof otherwise === "function"
        ? otherwise(request)
        : otherwise
    }
    return queue.length > 1 ? queue.shift()! : queue[0]!
  }
}

/** The form a request sent. */
export const form = (request: Line.RecordedRequest): URLSearchParams => new URLSearchParams(request.body)

/** When each request arrived. */
export const times = (scripted: Line.Scripted): ReadonlyArray<number> =>
  scripted.requests().map((request) => request.at)

// -- outcomes

const describe = (outcome: Line.Outcome<unknown>): string => {
  switch (outcome._tag) {
    case "Success":
      return "a success"
    case "Failure":
      return `${outcome.error.tag} ${outcome.error.reason ?? ""}: ${outcome.error.message}`
    case "Defect":
      return `a defect: ${outcome.message}`
    case "Interrupted":
      return "an interruption"
  }
}

/** The value of a success; throws on anything else. */
export const succeeded = <A>(outcome: Line.Outcome<A> | undefined): A => {
  if (outcome === undefined) throw new Error("expected a success, the call still waits")
  if (outcome._tag !== "Success") throw new Error(`expected a success, got ${describe(outcome)}`)
  return outcome.value
}

/** The error of a failure; throws on anything else. */
export const failed = (outcome: Line.Outcome<unknown> | undefined): Line.ErrorData => {
  if (outcome === undefined) throw new Error("expected a failure, the call still waits")
  if (outcome._tag !== "Failure") throw new Error(`expected a failure, got ${describe(outcome)}`)
  return outcome.error
}

/** The token a call ends with. */
export const tokenOf = async (call: Line.Call<Line.TokenData>): Promise<Line.TokenData> => succeeded(await call.outcome)

/** The value of the token a call ends with. */
export const valueOf = async (call: Line.Call<Line.TokenData>): Promise<string> => (await tokenOf(call)).value

/** The error a call ends with. */
export const errorOf = async (call: Line.Call<unknown>): Promise<Line.ErrorData> => failed(await call.outcome)

/** Moves the scripted network's clock to `millis` (from its start); a time already past is a mistake of the test. */
export const setTime = (scripted: Line.Scripted, millis: number): Promise<void> => {
  if (millis < scripted.now()) throw new Error(`setTime(${millis}): the clock is already at ${scripted.now()}`)
  return scripted.advance(millis - scripted.now())
}

/** Every distinct value in `values`, in order of first appearance. */
export const distinct = <A>(values: ReadonlyArray<A>): Array<A> => [...new Set(values)]

/** Runs `body` with a scripted network, closed after it. */
export const withScripted = async <A>(
  line: Line.Line,
  options: Line.ScriptedOptions,
  body: (scripted: Line.Scripted) => Promise<A>
): Promise<A> => {
  const scripted = await line.scripted(options)
  try {
    return await body(scripted)
  } finally {
    await scripted.close()
  }
}

/** Runs `body` with a live network, closed after it. */
export const withLive = async <A>(
  line: Line.Line,
  options: Parameters<Line.Line["live"]>[0],
  body: (network: Line.Network) => Promise<A>
): Promise<A> => {
  const network = await line.live(options)
  try {
    return await body(network)
  } finally {
    await network.close()
  }
}
