/**
 * The Effect 3 line's networks (`Line.Network`): the services, fixed tokens and `AuthorizedClient`s built on one
 * runtime, and the scripted endpoint every request of a `Line.Scripted` goes to.
 */
import { AccessToken, AuthorizedClient, TokenService } from "@effect-oauth2/client-credentials"
import type * as Line from "@effect-oauth2/suites/Line"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Printings from "./printings.js"

/** How a network runs its effects: on its runtime, with what its calls need around them. */
export interface Runner {
  readonly run: <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient | Scope.Scope>) => Promise<Exit.Exit<A, E>>
  readonly fork: <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) => Fiber.RuntimeFiber<A, E>
  /** Lets every fiber run until it waits. */
  readonly settle: () => Promise<void>
  readonly logs: Array<Line.LogLine>
  readonly dispose: () => Promise<void>
}

const durationOptions = new Set(["expiryLeeway", "requestTimeout", "terminalErrorCooldown", "defaultLifetime"])

const scheduleOf = (retry: unknown): unknown => {
  if (typeof retry !== "object" || retry === null) return retry
  const { spacedMillis, times } = retry as Line.Retry
  if (spacedMillis === undefined) return times === undefined ? Schedule.forever : Schedule.recurs(times)
  const spaced = Schedule.spaced(Duration.millis(spacedMillis))
  return times === undefined ? spaced : spaced.pipe(Schedule.intersect(Schedule.recurs(times)))
}

/** `Line.ServiceOptions` as `TokenService.Options`: millis as durations, secrets as `Redacted`, retry as a schedule. */
export const serviceOptions = (options: Line.ServiceOptions): TokenService.Options => {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue
    if (name === "clientSecret" || name === "privateKey") {
      out[name] = typeof value === "string" ? Redacted.make(value) : value
    } else if (name === "clientAssertion") {
      out[name] = typeof value === "string" ? Effect.succeed(Redacted.make(value)) : value
    } else if (durationOptions.has(name)) {
      out[name] = typeof value === "number" ? Duration.millis(value) : value
    } else if (name === "retry") {
      out[name] = scheduleOf(value)
    } else {
      out[name] = value
    }
  }
  return out as unknown as TokenService.Options
}

const defectMessage = (cause: Cause.Cause<unknown>): string => {
  const defect = Option.getOrUndefined(Cause.dieOption(cause))
  if (defect instanceof Error) return defect.message
  return defect === undefined ? Cause.pretty(cause) : String(defect)
}

/** A call of `effect` on `runner`, its outcome as plain data. */
export const call = <A, E, B>(
  runner: Runner,
  effect: Effect.Effect<A, E, HttpClient.HttpClient>,
  data: (value: A) => B
): Line.Call<B> => {
  const fiber = runner.fork(effect)
  const outcome = new Promise<Line.Outcome<B>>((resolve) => {
    fiber.addObserver((exit) => resolve(Printings.outcomeOf(exit, data)))
  })
  return {
    outcome,
    poll: async () => {
      await runner.settle()
      const exit = fiber.unsafePoll()
      return exit === null ? undefined : Printings.outcomeOf(exit, data)
    },
    interrupt: async () => {
      await runner.run(Fiber.interrupt(fiber))
    }
  }
}

/** A token of `value`, as `invalidate` takes one. */
const tokenOf = (value: string) =>
  new AccessToken.AccessToken({
    value: Redacted.make(value),
    tokenType: "Bearer",
    scopes: [],
    issuedAt: DateTime.unsafeMake(0),
    expiresAt: DateTime.unsafeMake(3_600_000)
  })

/** The line's network over `runner`: services and clients on the `HttpClient` the runner provides. */
export const make = (runner: Runner): Line.Network => {
  const root = Effect.runSync(Scope.make())
  const services = new WeakMap<object, TokenService.Service>()

  const service = async (options: Line.ServiceOptions): Promise<Line.TokenService> => {
    const scope = await runner.run(Scope.fork(root, ExecutionStrategy.sequential)).then(Exit.getOrElse(() => {
      throw new Error("the network is closed")
    }))
    const built = await runner.run(Scope.extend(TokenService.make(serviceOptions(options)), scope))
    if (Exit.isFailure(built)) {
      await runner.run(Scope.close(scope, Exit.void))
      throw new Error(defectMessage(built.cause))
    }
    const tokens = built.value
    const handle: Line.TokenService = {
      get: (request) =>
        call(
          runner,
          request === undefined ? tokens.get : tokens.getFor(request as never),
          Printings.tokenData
        ),
      invalidate: async (value) => {
        await runner.run(tokens.invalidate(tokenOf(value)))
      },
      close: async () => {
        await runner.run(Scope.close(scope, Exit.void))
      }
    }
    services.set(handle, tokens)
    return handle
  }

  const fixedTokens = (value: string): Line.FixedTokens => {
    const invalidated: Array<string> = []
    const token = tokenOf(value)
    const handle: Line.FixedTokens = { value, invalidated: () => invalidated.slice() }
    services.set(handle, {
      get: Effect.succeed(token),
      getFor: () => Effect.succeed(token),
      invalidate: (rejected) => Effect.sync(() => invalidated.push(Redacted.value(rejected.value)))
    })
    return handle
  }

  const authorizedClient = async (
    source: Line.TokenSource,
    options: Line.ClientOptions = {}
  ): Promise<Line.ApiClient> => {
    const tokens = services.get(source)
    if (tokens === undefined) throw new Error("a token source of another network")
    const { baseUrl, under = [], ...clientOptions } = options
    const built = await runner.run(Effect.gen(function*() {
      let client: HttpClient.HttpClient = yield* HttpClient.HttpClient
      for (const wrapper of under) {
        client = wrapper === "followRedirects"
          ? HttpClient.followRedirects(client)
          : HttpClient.filterStatusOk(client) as HttpClient.HttpClient
      }
      const authorized = yield* Effect.try(() =>
        AuthorizedClient.withTokens(
          client,
          { ...clientOptions, tokens } as AuthorizedClient.Options & {
            readonly tokens: TokenService.Service
          }
        )
      )
      return baseUrl === undefined
        ? authorized
        : authorized.pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl(baseUrl)))
    }))
    if (Exit.isFailure(built)) {
      const failure = Option.getOrUndefined(Cause.failureOption(built.cause)) as { readonly error?: unknown }
      const thrown = failure?.error
      throw new Error(thrown instanceof Error ? thrown.message : defectMessage(built.cause))
    }
    const client = built.value
    return {
      send: (request) => {
        const method = (request.method ?? "GET") as HttpClientRequest.HttpClientRequest["method"]
        let httpRequest = HttpClientRequest.make(method)(request.url)
        if (typeof request.body === "string") {
          httpRequest = HttpClientRequest.bodyText(httpRequest, request.body)
        } else if (request.body !== undefined) {
          httpRequest = HttpClientRequest.bodyStream(
            httpRequest,
            Stream.make(new TextEncoder().encode(request.body.stream))
          )
        }
        const sent = Effect.scoped(Effect.flatMap(
          client.execute(httpRequest),
          (response) =>
            Effect.map(
              Effect.orDie(response.text),
              (body): Line.ApiResponse => ({ status: response.status, headers: { ...response.headers }, body })
            )
        ))
        return call(runner, sent, (response) => response)
      }
    }
  }

  return {
    service,
    fixedTokens,
    authorizedClient,
    logs: () => runner.logs.slice(),
    close: async () => {
      await runner.run(Scope.close(root, Exit.void))
      await runner.dispose()
    }
  }
}

/** The connection failed: the scripted client turns it into a `RequestError` with reason `Transport`. */
class TransportFailure {
  constructor(readonly cause: unknown) {}
}

const nullBodyStatuses = new Set([101, 204, 205, 304])

/** The body of a request as text. */
const bodyText = (body: HttpClientRequest.HttpClientRequest["body"]): Effect.Effect<string> => {
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(new TextDecoder().decode(body.body))
    case "Raw":
      return Effect.succeed(String(body.body))
    case "FormData":
      return Effect.succeed(new URLSearchParams(body.formData as unknown as Record<string, string>).toString())
    case "Stream":
      return Effect.orDie(Stream.mkString(Stream.decodeText(body.stream)))
  }
}

/** The scripted endpoint of a `Line.Scripted`: the client every request goes to, and its controls. */
export interface Endpoint {
  readonly client: HttpClient.HttpClient
  readonly requests: Array<Line.RecordedRequest>
  readonly script: Array<Line.Script>
  readonly abandoned: () => number
}

export const endpoint = (fallback: Line.Script | undefined): Endpoint => {
  const requests: Array<Line.RecordedRequest> = []
  const script: Array<Line.Script> = []
  let abandoned = 0

  const answer = (
    given: Line.Answer,
    count: number
  ): Effect.Effect<Response, TransportFailure> => {
    switch (given._tag) {
      case "Respond":
        return Effect.sync(() => {
          const body = typeof given.body === "function" ? given.body() : given.body
          return new Response(nullBodyStatuses.has(given.status) ? null : body ?? null, {
            status: given.status,
            headers: given.headers ?? {}
          })
        })
      case "Token":
        return Effect.sync(() =>
          new Response(
            JSON.stringify({
              access_token: given.value ?? `token-${count}`,
              token_type: "Bearer",
              expires_in: 3600,
              ...given.fields
            }),
            { status: 200, headers: { "content-type": "application/json" } }
          )
        )
      case "Hang":
        return Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => abandoned++)))
      case "TransportError":
        return Effect.fail(
          new TransportFailure(given.cause ?? Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))
        )
      case "Delayed":
        return Effect.zipRight(Effect.sleep(Duration.millis(given.millis)), answer(given.answer, count))
      case "Die":
        return Effect.die(new Error(given.message))
    }
  }

  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = yield* bodyText(request.body)
      const headers: Record<string, string> = { ...request.headers }
      const contentType = "contentType" in request.body ? request.body.contentType : undefined
      if (headers["content-type"] === undefined && typeof contentType === "string") {
        headers["content-type"] = contentType
      }
      const at = yield* Clock.clockWith((clock) => Effect.sync(() => Number(clock.unsafeCurrentTimeNanos()) / 1e6))
      const recorded: Line.RecordedRequest = { method: request.method, url: url.toString(), headers, body, at }
      requests.push(recorded)
      const next = script.shift() ?? fallback ?? { _tag: "Token" }
      const chosen = typeof next === "function" ? next(recorded) : next
      const response = yield* Effect.mapError(
        answer(chosen, requests.length),
        (failure) => new HttpClientError.RequestError({ request, reason: "Transport", cause: failure.cause })
      )
      return HttpClientResponse.fromWeb(request, response)
    })
  )
  return { client, requests, script, abandoned: () => abandoned }
}
