import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as MockHttpClient from "../MockHttpClient.js"
import { randomToken } from "./random.js"

const defaultFallback: MockHttpClient.MockResponse = { _tag: "Token", fields: {} }

// statuses whose response must not have a body (the Fetch standard's "null body status")
const nullBodyStatuses = new Set([101, 103, 204, 205, 304])

const decoder = new TextDecoder()

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const bytes = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/** The body as it would go on the wire, as text. */
const bodyText = (body: HttpBody.HttpBody): Effect.Effect<string> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      return typeof body.body === "string"
        ? Effect.succeed(body.body)
        : body.body instanceof Uint8Array
        ? Effect.succeed(decoder.decode(body.body))
        : Effect.tryPromise(() => new Response(body.body as BodyInit).text()).pipe(
          Effect.orElseSucceed(() => String(body.body))
        )
    case "FormData":
      return Effect.promise(() => new Response(body.formData).text())
    case "Stream":
      return body.stream.pipe(
        Stream.runCollect,
        Effect.map((chunks) => decoder.decode(concat(Array.from(chunks)))),
        Effect.orElseSucceed(() => "")
      )
  }
}

const record = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): Effect.Effect<MockHttpClient.RecordedRequest> =>
  Effect.map(bodyText(request.body), (body) => {
    const headers: Record<string, string> = { ...request.headers }
    if (request.body.contentType !== undefined && headers["content-type"] === undefined) {
      headers["content-type"] = request.body.contentType
    }
    if (request.body.contentLength !== undefined && headers["content-length"] === undefined) {
      headers["content-length"] = String(request.body.contentLength)
    }
    return { method: request.method, url: url.toString(), headers, body }
  })

const webResponse = (status: number, headers: Readonly<Record<string, string>>, body: string): Response =>
  new Response(nullBodyStatuses.has(status) ? null : body, { status, headers })

const answer = (
  request: HttpClientRequest.HttpClientRequest,
  response: MockHttpClient.MockResponse
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  switch (response._tag) {
    case "Respond":
      return Effect.sync(() =>
        HttpClientResponse.fromWeb(request, webResponse(response.status, response.headers, response.body))
      )
    case "Token":
      return Effect.sync(() => {
        const body = JSON.stringify({
          access_token: randomToken(),
          token_type: "Bearer",
          expires_in: 3600,
          ...response.fields
        })
        return HttpClientResponse.fromWeb(
          request,
          webResponse(200, { "content-type": "application/json", "cache-control": "no-store" }, body)
        )
      })
    case "Hang":
      return Effect.never
    case "TransportError":
      return Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
          description: "scripted transport error"
        })
      )
    case "Delayed":
      return Effect.zipRight(Effect.sleep(response.delay), answer(request, response.response))
  }
}

/** @internal */
export const make = (options: MockHttpClient.Options = {}): Effect.Effect<MockHttpClient.Service> =>
  Effect.sync(() => {
    const fallback = options.fallback ?? defaultFallback
    const queue: Array<MockHttpClient.MockResponse> = [...(options.script ?? [])]
    const requests: Array<MockHttpClient.RecordedRequest> = []
    const client = HttpClient.make((request, url) =>
      Effect.flatMap(record(request, url), (recorded) => {
        requests.push(recorded)
        return answer(request, queue.shift() ?? fallback)
      })
    )
    return {
      client,
      script: (...responses) =>
        Effect.sync(() => {
          queue.push(...responses)
        }),
      requests: Effect.sync(() => requests.slice()),
      remaining: Effect.sync(() => queue.length)
    }
  })
