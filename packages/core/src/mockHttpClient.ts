/**
 * The in-memory client of each Effect line's test kit, as plain data: the answers a test can script, a request as
 * the client records it, the Web `Response` of an answer, the body of a token answer, and the script and the records
 * (`MockState`). Each line turns its own requests and bodies into these, and sleeps, hangs and fails on its own.
 */
import { json, oauthErrorBody, randomToken, type Respond } from "./scriptedAnswer.js"

/**
 * A 200 token response (RFC 6749 §5.1) with a fresh random `access_token` each time it is served:
 * `{ access_token, token_type: "Bearer", expires_in: 3600 }` with `fields` merged over it (a field set to
 * `undefined` is left out).
 *
 * @since 0.1.0
 * @category models
 */
export interface Token {
  readonly _tag: "Token"
  readonly fields: Readonly<Record<string, unknown>>
}

/**
 * No answer, ever.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hang {
  readonly _tag: "Hang"
}

/**
 * A failure to send, as when a connection is refused or reset.
 *
 * @since 0.1.0
 * @category models
 */
export interface TransportError {
  readonly _tag: "TransportError"
}

/**
 * Another response, after a wait on the line's clock; `Delay` is the line's duration.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delayed<Delay> {
  readonly _tag: "Delayed"
  readonly delay: Delay
  readonly response: MockResponse<Delay>
}

/**
 * One scripted answer.
 *
 * @since 0.1.0
 * @category models
 */
export type MockResponse<Delay> = Respond | Token | Hang | TransportError | Delayed<Delay>

/**
 * A request as the client received it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly method: string
  /** The full URL, query string included. */
  readonly url: string
  /**
   * The request headers, lower-cased, plus the `content-type` and `content-length` the body would put on the wire
   * when the request does not set them itself.
   */
  readonly headers: Readonly<Record<string, string>>
  /**
   * The body as text (UTF-8): URL params as sent (`a=1&b=2`), bytes and text as they are, form data in its
   * multipart encoding, a stream read to its end; `""` when there is none.
   */
  readonly body: string
}

/**
 * What the mock answers when nothing else is scripted, and what it answers first.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<Delay> {
  /** The answer when the script is empty. Default `token()`: a 200 token response with a random token. */
  readonly fallback?: MockResponse<Delay> | undefined
  /** Responses to script from the start. */
  readonly script?: ReadonlyArray<MockResponse<Delay>> | undefined
}

/**
 * A 200 token response with a fresh random token each time it is served; `fields` replace or add fields.
 *
 * @since 0.1.0
 * @category constructors
 */
export const token = (fields: Readonly<Record<string, unknown>> = {}): Token => ({ _tag: "Token", fields })

/**
 * An RFC 6749 §5.2 error response: `{ error, error_description? }`, status 400 unless told.
 *
 * @since 0.1.0
 * @category constructors
 */
export const oauthError = (error: string, description?: string, status: number = 400): Respond =>
  json(status, oauthErrorBody(error, description))

/**
 * No answer, ever.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hang: Hang = { _tag: "Hang" }

/**
 * A failure to send.
 *
 * @since 0.1.0
 * @category constructors
 */
export const transportError: TransportError = { _tag: "TransportError" }

/**
 * The answer a `Token` stands for, with a new random token: status 200, `no-store`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenAnswer = (answer: Token): Respond =>
  json(200, { access_token: randomToken(), token_type: "Bearer", expires_in: 3600, ...answer.fields }, {
    "cache-control": "no-store"
  })

// statuses whose response must not have a body (the Fetch standard's "null body status")
const nullBodyStatuses = new Set([101, 103, 204, 205, 304])

/**
 * The Web `Response` of an answer; a status that may not have a body (204, 304, …) gets none.
 *
 * @since 0.1.0
 * @category constructors
 */
export const webResponse = (answer: Respond): Response =>
  new Response(nullBodyStatuses.has(answer.status) ? null : answer.body, {
    status: answer.status,
    headers: answer.headers
  })

const utf8 = new TextDecoder()

/**
 * Chunks of bytes, joined, as UTF-8 text.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bytesText = (chunks: ReadonlyArray<Uint8Array>): string => {
  const bytes = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return utf8.decode(bytes)
}

/**
 * A body as text as it would go on the wire: a string as it is, bytes as UTF-8 (at once); anything a Web `Response`
 * takes (form data in its multipart encoding, a `Blob`, …) through one, later; `String(body)` when that fails.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bodyText = (body: unknown): string | Promise<string> => {
  if (typeof body === "string") return body
  if (body instanceof Uint8Array) return utf8.decode(body)
  try {
    return new Response(body as BodyInit).text().catch(() => String(body))
  } catch {
    return String(body)
  }
}

/**
 * A request as the mock records it: the headers plus the `content-type` and `content-length` of the body when the
 * request does not set them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const recordedRequest = (request: {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly contentType: string | undefined
  readonly contentLength: number | undefined
}): RecordedRequest => {
  const headers: Record<string, string> = { ...request.headers }
  if (request.contentType !== undefined && headers["content-type"] === undefined) {
    headers["content-type"] = request.contentType
  }
  if (request.contentLength !== undefined && headers["content-length"] === undefined) {
    headers["content-length"] = String(request.contentLength)
  }
  return { method: request.method, url: request.url, headers, body: request.body }
}

/**
 * The mock's script and records. Each field changes only through the methods here:
 * - `script` — `append` adds at the end; `next` takes the first one, or gives the fallback when none is left.
 * - `records` — `record` appends one per request, in arrival order; never shortened.
 *
 * @since 0.1.0
 * @category models
 */
export class MockState<Delay> {
  private readonly fallback: MockResponse<Delay>
  private readonly script: Array<MockResponse<Delay>>
  private readonly records: Array<RecordedRequest> = []

  constructor(options: Options<Delay>) {
    this.fallback = options.fallback ?? token()
    this.script = [...(options.script ?? [])]
  }

  /** Keeps one request as it arrived. */
  record(request: RecordedRequest): void {
    this.records.push(request)
  }

  /** The answer for the next request: the first scripted one, taken off the script, or the fallback. */
  next(): MockResponse<Delay> {
    return this.script.shift() ?? this.fallback
  }

  /** Appends responses to the script. */
  append(responses: ReadonlyArray<MockResponse<Delay>>): void {
    this.script.push(...responses)
  }

  /** Every request so far, in order: a copy. */
  requests(): ReadonlyArray<RecordedRequest> {
    return this.records.slice()
  }

  /** How many scripted responses are still to be used. */
  remaining(): number {
    return this.script.length
  }
}
