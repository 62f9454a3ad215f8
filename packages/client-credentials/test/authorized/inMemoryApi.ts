import { TokenService } from "@effect-oauth2/client-credentials"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** What the protected API answers to a request whose token it accepts. */
export type Handler = (request: { readonly url: string; readonly authorization: string | undefined }) => Response

/**
 * An in-memory authorization server and protected API behind one `HttpClient`: `/token` issues `tok-1`, `tok-2`, …;
 * `/api/*` accepts live, unrevoked tokens and answers 401 `invalid_token` otherwise.
 */
export const make = (options: { readonly handler?: Handler } = {}) => {
  const state = {
    tokenRequests: 0,
    apiRequests: [] as Array<{ url: string; authorization: string | undefined; body: string }>,
    revoked: new Set<string>(),
    failTransport: false
  }
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      if (state.failTransport) {
        return yield* new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("ECONNRESET") })
      }
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      if (url.pathname === "/token") {
        state.tokenRequests++
        const json = { access_token: `tok-${state.tokenRequests}`, token_type: "Bearer", expires_in: 3600 }
        return HttpClientResponse.fromWeb(request, new Response(JSON.stringify(json), { status: 200 }))
      }
      const authorization = request.headers["authorization"]
      state.apiRequests.push({ url: url.toString(), authorization, body })
      const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined
      if (token === undefined || state.revoked.has(token) || !token.startsWith("tok-")) {
        return HttpClientResponse.fromWeb(
          request,
          new Response("no", {
            status: 401,
            headers: { "www-authenticate": "Bearer realm=\"api\", error=\"invalid_token\"" }
          })
        )
      }
      const response = options.handler?.({ url: url.toString(), authorization }) ?? new Response("ok", { status: 200 })
      return HttpClientResponse.fromWeb(request, response)
    })
  )
  const tokens = TokenService.layer({
    tokenUrl: "https://auth.example.com/token",
    clientId: "client",
    clientSecret: Redacted.make("client-secret")
  })
  return { state, client, layer: Layer.provideMerge(tokens, Layer.succeed(HttpClient.HttpClient, client)) }
}
