import { fileURLToPath } from "node:url"
import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/** This line's packages, by their published names. */
const packages = "client-credentials|testing|redis"

/**
 * Each of this line's packages imported by name resolves to its own folder's sources, as a relative import of them
 * does: through `node_modules`, with `preserveSymlinks`, it would be a second copy of every module.
 */
const alias = [
  {
    find: new RegExp(`^@effect-oauth2/(${packages})$`),
    replacement: fileURLToPath(new URL("./$1/src/index.ts", import.meta.url))
  },
  {
    find: new RegExp(`^@effect-oauth2/(${packages})/(.+)$`),
    replacement: fileURLToPath(new URL("./$1/src/$2", import.meta.url))
  }
]

/**
 * The conditions of the packages Node loads itself (`ssr.resolve.conditions`): the root's without `module`. Under
 * it, the OpenTelemetry SDK the Telemetry suite observes through (`@effect/opentelemetry` 4 imports it here) resolves
 * to its `build/esm`, whose imports have no file extension and which Node's loader refuses.
 */
const nodeConditions = ["@effect-oauth2/source", "node", "import", "default"]

/**
 * Settings every Effect 4 package's tests share: the Effect 3 line's (`vitest.shared.ts` at the root: sources read
 * through the `@effect-oauth2/source` export condition), a linked file's imports resolved from where the link is
 * (`preserveSymlinks`): a module written once for both lines is a link in this line's package, and must import this
 * line's `effect` and modules, not those beside the file it links to; this line's packages by name at their folders
 * (`alias`); and `nodeConditions`.
 */
export default {
  ...mergeConfig(shared, { resolve: { preserveSymlinks: true, alias } }),
  ssr: { resolve: { conditions: nodeConditions } }
}
