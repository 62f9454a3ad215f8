/**
 * The token response as received, for `--json`: the `HttpClient` the token service is given keeps a copy of the body
 * of each 2xx answer to a POST (a token request) as the library reads it, up to `maxBytes`; the last one is the
 * answer of the token the service returned when its `access_token` is that token. The library reads and checks the
 * answer as it always does: the copy is taken from the stream it reads, never read on its own.
 */
import type { AccessToken } from "@effect-oauth2/client-credentials"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

/** The most of a token response kept: more than the library reads of one. */
const maxBytes = 1024 * 1024

/** The body of the last token response read, while it is no larger than `maxBytes`. */
export class Received {
  private chunks: Array<Uint8Array> = []
  private size = 0

  /** A new body begins: the last answer is the one that counts. */
  begin(): void {
    this.chunks = []
    this.size = 0
  }

  push(chunk: Uint8Array): void {
    this.size += chunk.length
    // past the bound the copy is dropped, and stays dropped until the next answer
    if (this.size > maxBytes) this.chunks = []
    else this.chunks.push(chunk)
  }

  /**
   * The fields of RFC 6749 §5.1 as the answer of `token` held them (absent ones left out), or `undefined` when the
   * last answer read is not that token's.
   */
  fieldsOf(token: AccessToken.AccessToken): Record<string, unknown> | undefined {
    if (this.size > maxBytes || this.size === 0) return undefined
    let body: unknown
    try {
      // decoded as the library decodes it: a leading byte order mark is dropped
      body = JSON.parse(new TextDecoder().decode(Buffer.concat(this.chunks)))
    } catch {
      return undefined
    }
    if (typeof body !== "object" || body === null) return undefined
    const fields = body as Record<string, unknown>
    if (fields.access_token !== Redacted.value(token.value)) return undefined
    const { access_token, expires_in, scope, token_type } = fields
    return { access_token, token_type, expires_in, scope }
  }
}

/** `response`, its body copied into `received` as it is read. */
const copied = (
  response: HttpClientResponse.HttpClientResponse,
  received: Received
): HttpClientResponse.HttpClientResponse => {
  const isTokenAnswer = response.request.method === "POST" && response.status >= 200 && response.status < 300
  if (!isTokenAnswer) return response
  const stream = Stream.tap(
    Stream.suspend(() => {
      received.begin()
      return response.stream
    }),
    (chunk) => Effect.sync(() => received.push(chunk))
  )
  return new Proxy(response, {
    get: (target, property) => property === "stream" ? stream : Reflect.get(target, property, target)
  })
}

/** The `HttpClient` of the layer below, copying the token responses it gets into `received`. */
export const layer = (received: Received): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient)(
    Effect.map(
      Effect.service(HttpClient.HttpClient),
      (client) => HttpClient.transformResponse(client, Effect.map((response) => copied(response, received)))
    )
  )
