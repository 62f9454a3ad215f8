/**
 * An authorized `fetch` on the platform's own `fetch` (the Promise API's, when it is given no HTTP client of a line):
 * the request goes out as a caller's own `fetch` would, with the configured token in `Authorization`, and the answer
 * comes back as the platform's `Response`. Only the token (the hot path, the line's `getToken`'s) and a rejection
 * (`invalidate`, the telemetry counters) touch the line's service: no fiber, no stream of a line, no copy of the
 * answer per request, so that it costs about what a `fetch` with a fixed header costs.
 *
 * What `AuthorizedClient` does, by the same rules: a 401 that rejects the token (`wwwAuthenticate.rejectsToken`)
 * drops it and, when the body can be sent again (`requestBody`: read up to `replayBodyLimit`), sends the request once
 * more with a fresh token (unless the service hands back one of the same value). A failure to send is a network
 * failure (source `Api`) in the library's words, and so is a failure of the answer's body, whichever way it is read:
 * the line makes its `NetworkError` from the `Failure` described here. A call is cut at once by its signal (its
 * reason) or by the client's `close()` (the line's closed error), whatever it waits for.
 *
 * The line's token is any object with a `tokenType`; its value is read through the client (`reveal`), once per token
 * for its `Authorization` header, never kept in anything a caller sees.
 */
import { answerFailure, sendFailure } from "./describeCause.js"
import * as Redactor from "./redactor.js"
import { type ReadBody, readUpTo, streamOf } from "./requestBody.js"
import { origin } from "./urls.js"
import { rejectsToken } from "./wwwAuthenticate.js"

/**
 * What the client needs of a token: its type (`Bearer`, `DPoP`, …); its value is read through `Client.reveal`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Token {
  readonly tokenType: string
}

/**
 * The counters of the token service, once it is built: a token an API rejected, a rejected token replaced.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly rejected: () => void
  readonly recovered: () => void
}

/**
 * A request that could not be sent, or an answer whose body failed: the fields of the line's `NetworkError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Failure {
  readonly reason: "Transport"
  readonly source: "Api"
  /** The `scheme://host[:port]` of the URL called, when it parses. */
  readonly origin?: string
  readonly detail: string
  /** The answer's status, for a body that failed. */
  readonly status?: number
}

/**
 * What the authorized `fetch` needs of its client (the line's Promise API).
 *
 * @since 0.1.0
 * @category models
 */
export interface Client<T extends Token> {
  readonly isClosed: () => boolean
  /**
   * Aborts when the client closes: what a call waits for of the client (its body's read, its token) stops then. Never
   * given to the platform's fetch: it lets go of its listener on a signal only when the request is collected, so a
   * signal shared by every request would gather one listener per request.
   */
  readonly closing: AbortSignal
  /** Keeps `cut` until the returned function is called: `close()` calls the ones it keeps. */
  readonly track: (cut: () => void) => () => void
  /** The configured token while it is fresh, without waiting: the hot path. */
  readonly freshToken: () => T | undefined
  /** The configured token from the service (fetched, or refreshed). */
  readonly token: () => Promise<T>
  /** Drops a token an API rejected. */
  readonly invalidate: (token: T) => Promise<void>
  /** The service's counters, once it is built. */
  readonly telemetry: () => Counters | undefined
  readonly replayBodyLimit: number
  /** A token's value, in clear. */
  readonly reveal: (token: T) => string
  /** The error a call made after `close()`, or cut by it, rejects with (`requestBody.closedMessage`). */
  readonly closedError: () => unknown
  /** The line's `NetworkError` for `failure`. */
  readonly networkError: (failure: Failure) => unknown
}

/**
 * An authorized `fetch`: the platform's `fetch` signature.
 *
 * @since 0.1.0
 * @category models
 */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/** A redactor with no values: a transport failure names its code, never a text that could hold a token. */
const noValues = Redactor.make([])

/** The `Authorization` value of each token in use, built once per token. */
const authorizations = new WeakMap<Token, string>()

const authorizationOf = <T extends Token>(token: T, reveal: (token: T) => string): string => {
  let header = authorizations.get(token)
  if (header === undefined) {
    header = `${token.tokenType} ${reveal(token)}`
    authorizations.set(token, header)
  }
  return header
}

const originOf = (url: string): Pick<Failure, "origin"> => URL.canParse(url) ? { origin: origin(new URL(url)) } : {}

/** Where an answer came from, what may have cut its call, and how its body's failure is told. */
interface AnswerContext {
  readonly url: string
  readonly cutReason: () => unknown
  readonly networkError: (failure: Failure) => unknown
}

/** The key of an answer's `AnswerContext`, on the answer itself. */
const contextKey: unique symbol = Symbol("@effect-oauth2/core/authorizedFetch/context")

/** The wrapped body stream of each answer whose caller read `body` itself. */
const wrappedBodies = new WeakMap<Response, ReadableStream<Uint8Array<ArrayBuffer>> | null>()

const platformBody = Object.getOwnPropertyDescriptor(Response.prototype, "body")!.get!

/** A body's failure as the library tells it: the reason that cut the call, or a network failure. */
const failureOf = (response: Response, error: unknown): unknown => {
  const context = (response as { readonly [contextKey]?: AnswerContext })[contextKey]
  if (context === undefined) return error
  return context.cutReason() ?? context.networkError({
    reason: "Transport",
    source: "Api",
    ...originOf(context.url),
    ...answerFailure(error, response.status, noValues)
  })
}

/**
 * The platform's `Response`, whose body fails as the library's other failures do, whichever way it is read: its
 * reading methods map a failure, and `body` is wrapped only when a caller reads the stream itself. An answer is given
 * this prototype in place of its own (nothing is copied), so reading it costs what reading the platform's costs.
 */
class ApiResponse extends Response {
  override arrayBuffer(): Promise<ArrayBuffer> {
    return super.arrayBuffer().catch((error: unknown) => Promise.reject(failureOf(this, error)))
  }
  override blob(): Promise<Blob> {
    return super.blob().catch((error: unknown) => Promise.reject(failureOf(this, error)))
  }
  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return super.bytes().catch((error: unknown) => Promise.reject(failureOf(this, error)))
  }
  override formData(): Promise<FormData> {
    return super.formData().catch((error: unknown) => Promise.reject(failureOf(this, error)))
  }
  override json(): Promise<unknown> {
    return super.json().catch((error: unknown) => Promise.reject(failureOf(this, error)))
  }
  override text(): Promise<string> {
    return super.text().catch((error: unknown) => Promise.reject(failureOf(this, error)))
  }
  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    const known = wrappedBodies.get(this)
    if (known !== undefined) return known
    const body = platformBody.call(this) as ReadableStream<Uint8Array<ArrayBuffer>> | null
    if (body === null) {
      wrappedBodies.set(this, null)
      return null
    }
    const reader = body.getReader()
    const wrapped = new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (controller) => {
        try {
          const chunk = await reader.read()
          if (chunk.done) controller.close()
          else controller.enqueue(chunk.value)
        } catch (error) {
          controller.error(failureOf(this, error))
        }
      },
      cancel: (reason) => reader.cancel(reason)
    })
    wrappedBodies.set(this, wrapped)
    return wrapped
  }
}

/** `response`, its body's failures told as `ApiResponse` tells them. */
const mapBodyFailures = (response: Response, context: AnswerContext): Response => {
  Object.defineProperty(response, contextKey, { value: context })
  return Object.setPrototypeOf(response, ApiResponse.prototype) as Response
}

/** A request as the caller gave it, and its body read up to the replay limit. */
interface Outgoing {
  readonly url: string
  readonly method: string
  readonly headers: HeadersInit | undefined
  readonly redirect: RequestRedirect
  readonly body: ReadBody | undefined
}

/** The platform's request: the caller's method, headers and body (kept, or streamed once without redirects). */
const requestInit = (outgoing: Outgoing, authorization: string, signal: AbortSignal | undefined): RequestInit => {
  const init: { -readonly [K in keyof RequestInit]: RequestInit[K] } = {
    method: outgoing.method,
    headers: withAuthorization(outgoing.headers, authorization),
    redirect: outgoing.redirect
  }
  if (signal !== undefined) init.signal = signal
  const body = outgoing.body
  if (body?._tag === "Kept") init.body = body.bytes as Uint8Array<ArrayBuffer>
  else if (body?._tag === "Streamed") {
    // following a redirect is what makes the platform keep a copy of a streamed body: it could not resend it but to a
    // 303 anyway
    init.body = streamOf(body)
    init.redirect = "error"
    ;(init as { duplex?: string }).duplex = "half"
  }
  return init
}

/** The caller's headers and `Authorization`: a plain record stays one (the cheapest for the platform to read). */
const withAuthorization = (headers: HeadersInit | undefined, authorization: string): HeadersInit => {
  if (headers === undefined) return { authorization }
  if (!(headers instanceof Headers) && !Array.isArray(headers)) {
    const record: Record<string, string> = {}
    for (const name in headers) {
      if (name.toLowerCase() !== "authorization") record[name] = headers[name]!
    }
    record.authorization = authorization
    return record
  }
  const copy = new Headers(headers)
  copy.set("authorization", authorization)
  return copy
}

/** `promise`, or the reason that cuts the call as soon as one of `signals` fires, whichever comes first. */
const untilCut = <A>(
  promise: Promise<A>,
  signals: ReadonlyArray<AbortSignal | undefined>,
  cutReason: () => unknown
): Promise<A> => {
  if (signals.some((signal) => signal?.aborted === true)) return Promise.reject(cutReason())
  return new Promise<A>((resolve, reject) => {
    const onAbort = () => reject(cutReason())
    const stop = () => {
      for (const signal of signals) signal?.removeEventListener("abort", onAbort)
    }
    for (const signal of signals) signal?.addEventListener("abort", onAbort, { once: true })
    promise.then(
      (value) => {
        stop()
        resolve(value)
      },
      (error: unknown) => {
        stop()
        reject(error)
      }
    )
  })
}

/**
 * The request as the caller gave it; a `Request` is built only for a body (read up to `replayBodyLimit`, stopped by
 * `closing`) or a `Request`.
 */
const outgoingOf = (
  input: string | URL | Request,
  init: RequestInit | undefined,
  signal: AbortSignal | undefined,
  client: Pick<Client<Token>, "replayBodyLimit" | "closing" | "closedError">
): Outgoing | Promise<Outgoing> => {
  if (!(input instanceof Request) && (init?.body === undefined || init.body === null)) {
    return {
      url: typeof input === "string" ? input : input.href,
      method: init?.method ?? "GET",
      headers: init?.headers,
      redirect: init?.redirect ?? "follow",
      body: undefined
    }
  }
  const web = new Request(input, init)
  const base = { url: web.url, method: web.method, headers: web.headers, redirect: web.redirect }
  return web.body === null
    ? { ...base, body: undefined }
    : readUpTo(web.body, client.replayBodyLimit, signal, client.closing, client.closedError).then((body) => ({
      ...base,
      body
    }))
}

/** Cancels the body the caller gave a call that is not made: as the platform's fetch does. */
const cancelBody = (input: string | URL | Request, init: RequestInit | undefined, reason: unknown): void => {
  if (input instanceof Request) input.body?.cancel(reason).catch(() => {})
  else if (init?.body instanceof ReadableStream) init.body.cancel(reason).catch(() => {})
}

/** `fetch`, authorized with the configured token; see the module's comment. */
class AuthorizedFetch<T extends Token> {
  constructor(private readonly client: Client<T>) {}

  readonly fetch: Fetch = (input, init) => {
    if (this.client.isClosed()) return Promise.reject(this.client.closedError())
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined)
    if (signal?.aborted) {
      cancelBody(input, init, signal.reason)
      return Promise.reject(signal.reason)
    }
    let request: Outgoing | Promise<Outgoing>
    try {
      request = outgoingOf(input, init, signal, this.client)
    } catch (error) {
      // a malformed input or init: the platform's own TypeError, as fetch rejects with it
      return Promise.reject(error)
    }
    return request instanceof Promise ? request.then((read) => this.call(read, signal)) : this.call(request, signal)
  }

  /** A request that could not be sent: the reason that cut the call, or a network failure. */
  private unsent(error: unknown, url: string, cutReason: () => unknown): unknown {
    return cutReason() ?? this.client.networkError({
      reason: "Transport",
      source: "Api",
      ...originOf(url),
      ...sendFailure(error, url, noValues)
    })
  }

  /** The call once its body is read; `close()` cuts it: its caller has the closed error at once. */
  private call(request: Outgoing, signal: AbortSignal | undefined): Promise<Response> {
    const client = this.client
    const cutReason = (): unknown =>
      client.isClosed() ? client.closedError() : signal?.aborted === true ? signal.reason : undefined
    const cut = cutReason()
    if (cut !== undefined) {
      if (request.body?._tag === "Streamed") request.body.rest.cancel().catch(() => {})
      return Promise.reject(cut)
    }
    if (request.body?._tag === "Failed") {
      // as when the rest of a streamed body fails: the platform's error, as the library's
      return Promise.reject(this.unsent(request.body.error, request.url, cutReason))
    }
    return new Promise<Response>((resolve, reject) => {
      const untrack = client.track(() => reject(client.closedError()))
      this.authorized(request, signal, cutReason).then(
        (response) => {
          untrack()
          resolve(mapBodyFailures(response, { url: request.url, cutReason, networkError: client.networkError }))
        },
        (error: unknown) => {
          untrack()
          reject(error)
        }
      )
    })
  }

  /** The request with the configured token, and the 401 rule. A plain chain: this runs on every call. */
  private async authorized(
    outgoing: Outgoing,
    signal: AbortSignal | undefined,
    cutReason: () => unknown
  ): Promise<Response> {
    const client = this.client
    const token = client.freshToken() ?? await untilCut(client.token(), [signal, client.closing], cutReason)
    const response = await this.send(outgoing, token, signal, cutReason)
    return response.status === 401 && rejectsToken(401, response.headers.get("www-authenticate"), token.tokenType)
      ? this.recover(outgoing, response, token, signal, cutReason)
      : response
  }

  private async send(
    outgoing: Outgoing,
    token: T,
    signal: AbortSignal | undefined,
    cutReason: () => unknown
  ): Promise<Response> {
    try {
      return await globalThis.fetch(
        outgoing.url,
        requestInit(outgoing, authorizationOf(token, this.client.reveal), signal)
      )
    } catch (error) {
      throw this.unsent(error, outgoing.url, cutReason)
    }
  }

  /**
   * After a 401 that rejects `token`: drop it, then, when the body can be sent again, send once more with a fresh
   * token. When the service hands back a token of the same value (it keeps a replacement through its cool-down however
   * often it is rejected), or the body was streamed, the 401 is the answer.
   */
  private async recover(
    outgoing: Outgoing,
    response: Response,
    token: T,
    signal: AbortSignal | undefined,
    cutReason: () => unknown
  ): Promise<Response> {
    const client = this.client
    const waitFor = <A>(promise: Promise<A>): Promise<A> => untilCut(promise, [signal, client.closing], cutReason)
    client.telemetry()?.rejected()
    const release = () => response.body?.cancel().catch(() => {})
    try {
      await waitFor(client.invalidate(token))
      if (outgoing.body !== undefined && outgoing.body._tag !== "Kept") return response
      const fresh = await waitFor(client.token())
      if (client.reveal(fresh) === client.reveal(token)) return response
      release()
      if (client.isClosed()) throw client.closedError()
      const next = await this.send(outgoing, fresh, signal, cutReason)
      if (!rejectsToken(next.status, next.headers.get("www-authenticate"), fresh.tokenType)) {
        client.telemetry()?.recovered()
      }
      return next
    } catch (error) {
      release()
      throw error
    }
  }
}

/**
 * `fetch`, authorized with `client`'s configured token; see the module's comment. Built once per client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <T extends Token>(client: Client<T>): Fetch => new AuthorizedFetch(client).fetch
