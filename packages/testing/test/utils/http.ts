/**
 * Plain HTTP calls for the real-socket tests: what a client sends and what comes back, without the library's
 * interpretation in between.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"

/** What came back. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

/** Parses an answer's body as JSON (an assertion fails the test when it is not). */
export const json = (answer: Answer): Record<string, unknown> => JSON.parse(answer.text) as Record<string, unknown>

/** Sends `request` and reads the whole answer. */
export const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request)
    const text = yield* response.text
    return { status: response.status, headers: response.headers, text } satisfies Answer
  }).pipe(Effect.scoped)

/** `application/x-www-form-urlencoded` as RFC 6749 Appendix B says: a space is `+`. */
export const formUrlEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

/** A `client_secret_basic` header done right: form-urlencode, then Base64 (RFC 6749 §2.3.1). */
export const basic = (clientId: string, clientSecret: string): string =>
  `Basic ${btoa(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`)}`

/** A token request with the given form and headers. */
export const tokenRequest = (
  tokenUrl: string,
  params: ReadonlyArray<readonly [string, string]>,
  headers: Readonly<Record<string, string>> = {}
) =>
  send(
    HttpClientRequest.post(tokenUrl).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.bodyUrlParams(params)
    )
  )

/** A token request from the default client with `client_secret_basic`. */
export const defaultTokenRequest = (tokenUrl: string, params: ReadonlyArray<readonly [string, string]> = []) =>
  tokenRequest(tokenUrl, [["grant_type", "client_credentials"], ...params], {
    authorization: basic("test-client", "test-secret")
  })

/** An API call with a bearer token (or none). */
export const callApi = (url: string, token: string | undefined, method: "GET" | "POST" = "GET", body?: string) => {
  let request = method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url)
  if (token !== undefined) request = HttpClientRequest.setHeader(request, "authorization", `Bearer ${token}`)
  if (body !== undefined) request = HttpClientRequest.bodyText(request, body)
  return send(request)
}

/** Waits on the real clock, whatever `Clock` the test runs on: to let real sockets do their work. */
export const realSleep = (millis: number) =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))
