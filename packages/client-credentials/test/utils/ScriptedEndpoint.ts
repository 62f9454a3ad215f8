/**
 * An in-memory token endpoint behind an `HttpClient`: it records every request (method, URL, headers, body) and
 * answers from a script, then from a fallback. Answers run on the request's fiber, so `Effect.sleep` in one is
 * driven by `TestClock` and `Effect.never` is a hang that the caller's interruption or timeout ends.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string
  readonly url: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly form: URLSearchParams
  /** `Clock` time when it arrived, in millis. */
  readonly at: number
}

/** The connection failed: the client turns it into a `RequestError` with reason `Transport`. */
export class TransportFailure extends Data.TaggedError("TransportFailure")<{ readonly cause: unknown }> {}

/** How the server answers one request. */
export type Answer = (request: RecordedRequest) => Effect.Effect<Response, TransportFailure>

/** Any status and body; a fresh `Response` per call. */
export const respond = (
  status: number,
  body: BodyInit | null = null,
  headers: Record<string, string> = {}
): Answer =>
() => Effect.sync(() => new Response(body, { status, headers }))

/** A JSON body. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Answer =>
  respond(status, JSON.stringify(body), { "content-type": "application/json", ...headers })

/** A token response (RFC 6749 §5.1): Bearer, one hour; `fields` add to or override it (`undefined` drops one). */
export const token = (value: string, fields: Record<string, unknown> = {}): Answer =>
  json({ access_token: value, token_type: "Bearer", expires_in: 3600, ...fields })

/** An RFC 6749 §5.2 error response. */
export const oauthError = (error: string, status = 400, fields: Record<string, unknown> = {}): Answer =>
  json({ error, ...fields }, status)

/** No answer, ever. `onInterrupt` runs when the request is abandoned. */
export const hang = (onInterrupt: () => void = () => {}): Answer => () =>
  Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(onInterrupt)))

/** The connection fails. */
export const transportFailure = (
  cause: unknown = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
): Answer =>
() => Effect.fail(new TransportFailure({ cause }))

/** `answer`, after `delay` on the `Clock`. */
export const delayed = (delay: Duration.DurationInput, answer: Answer): Answer => (request) =>
  Effect.zipRight(Effect.sleep(delay), answer(request))

const bodyText = (request: { readonly body: { readonly _tag: string } }): string => {
  const body = request.body as { readonly _tag: string; readonly body?: unknown }
  if (body._tag === "Empty") return ""
  if (body._tag === "Uint8Array" && body.body instanceof Uint8Array) return new TextDecoder().decode(body.body)
  throw new Error(`ScriptedEndpoint: unexpected request body ${body._tag}`)
}

/** The scripted endpoint. */
export interface ScriptedEndpoint {
  readonly client: HttpClient.HttpClient
  readonly layer: Layer.Layer<HttpClient.HttpClient>
  /** Every request received so far, in order. */
  readonly requests: ReadonlyArray<RecordedRequest>
  /** Queues answers for the next requests, in order of arrival. */
  readonly script: (...answers: ReadonlyArray<Answer>) => void
}

/**
 * Creates an endpoint. Once the script is spent it answers with `otherwise`, by default a fresh one-hour Bearer
 * token `token-<n>` where n counts requests from 1.
 */
export const make = (options: { readonly otherwise?: Answer } = {}): ScriptedEndpoint => {
  const requests: Array<RecordedRequest> = []
  const queue: Array<Answer> = []
  const issueNext: Answer = (request) => token(`token-${requests.length}`)(request)
  const otherwise = options.otherwise ?? issueNext
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = bodyText(request)
      const recorded: RecordedRequest = {
        method: request.method,
        url: url.toString(),
        headers: { ...request.headers },
        body,
        form: new URLSearchParams(body),
        at: yield* Clock.currentTimeMillis
      }
      requests.push(recorded)
      const answer = queue.shift() ?? otherwise
      const response = yield* Effect.mapError(
        answer(recorded),
        (failure) => new HttpClientError.RequestError({ request, reason: "Transport", cause: failure.cause })
      )
      return HttpClientResponse.fromWeb(request, response)
    })
  )
  return {
    client,
    layer: Layer.succeed(HttpClient.HttpClient, client),
    requests,
    script: (...answers) => {
      queue.push(...answers)
    }
  }
}
