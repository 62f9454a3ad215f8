/**
 * Each line's servers outside a network, as the suites drive them: the `FakeAuthServer` of `@effect-oauth2/testing`,
 * built in real time on a runtime of its own, and the token a fleet left in Redis, read back through the line's
 * `RedisTokenStore`. Written once for both lines (the Effect 4 package links it).
 */
import { RedisTokenStore } from "@effect-oauth2/redis"
import * as Driver from "@effect-oauth2/suites/Driver"
import type * as Line from "@effect-oauth2/suites/Line"
import { FakeAuthServer } from "@effect-oauth2/testing"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Redis } from "ioredis"
import { service } from "./effectLine.js"

const fakeAnswers: Driver.FakeAnswers<FakeAuthServer.ScriptedResponse> = {
  ...FakeAuthServer,
  delayed: (millis, answer) => FakeAuthServer.delayed(Duration.millis(millis), answer)
}

/** A `FakeAuthServer` with `options`, and its handle. */
export const fakeAuthServer = async (options: Line.FakeServerOptions = {}): Promise<Line.FakeServer> => {
  const runtime = ManagedRuntime.make(FakeAuthServer.layer(Driver.fakeServerOptions(options, Duration.seconds)))
  const server = await runtime.runPromise(service(FakeAuthServer.FakeAuthServer))
  return {
    tokenUrl: server.tokenUrl,
    apiUrl: server.apiUrl,
    client: options.clients?.[0] ?? FakeAuthServer.defaultClient,
    tokenRequests: () =>
      runtime.runPromise(server.tokenRequests).then((requests) => requests.map(Driver.fakeTokenRequest)),
    apiRequests: () => runtime.runPromise(server.apiRequests),
    revoke: (value) => runtime.runPromise(server.revoke(value)),
    script: (...answers) =>
      runtime.runPromise(server.script(...answers.map((answer) => Driver.fakeAnswer(fakeAnswers, answer)))),
    close: () => runtime.dispose()
  }
}

/** The token entry a fleet left in the Redis at `redisUrl`: its key, its raw value and the token it holds. */
export const storedToken = async (redisUrl: string, encryptionKey?: string): Promise<Line.StoredToken> => {
  const client = new Redis(redisUrl)
  try {
    const { hash, key, raw } = await Driver.tokenEntry(client)
    const stored = await Effect.runPromise(
      Effect.gen(function*() {
        const store = yield* RedisTokenStore.make(
          { client },
          encryptionKey === undefined ? {} : { encryptionKey: Redacted.make(encryptionKey) }
        )
        return yield* Effect.orDie(store.get(hash))
      }).pipe(Effect.scoped)
    )
    return { key, raw, value: Redacted.value(Option.getOrThrow(stored).token.value) }
  } finally {
    await client.quit()
  }
}
