/**
 * Environment variables set for the life of a scope, for tests of code that reads `process.env` itself (undici's
 * `EnvHttpProxyAgent` does). Closing the scope puts back exactly what was there.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/** The variables `EnvHttpProxyAgent` reads, both spellings. */
export const proxyVariables = [
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "NO_PROXY",
  "no_proxy"
] as const

/** No proxy settings at all: every one of `proxyVariables` unset. */
export const noProxySettings: Readonly<Record<string, undefined>> = Object.fromEntries(
  proxyVariables.map((name) => [name, undefined])
)

/** `env` without any of `proxyVariables`: for a child process that should not inherit the runner's proxy settings. */
export const withoutProxyVariables = (env: Readonly<Record<string, string | undefined>>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).flatMap(([name, value]) =>
      value === undefined || (proxyVariables as ReadonlyArray<string>).includes(name) ? [] : [[name, value]]
    )
  )

const apply = (vars: Readonly<Record<string, string | undefined>>) => {
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
}

/** Sets each variable of `vars` (removes it, for `undefined`) until the scope closes, then restores it. */
export const withEnv = (vars: Readonly<Record<string, string | undefined>>): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
      apply(vars)
      return saved
    }),
    (saved) => Effect.sync(() => apply(saved))
  ).pipe(Effect.asVoid)
