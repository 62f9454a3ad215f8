import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

/**
 * The shared settings, with the conditions of the packages Node loads itself (`ssr.resolve.conditions`) without
 * `module`: under it, the OpenTelemetry SDK the telemetry suite observes through resolves to its `build/esm`, whose
 * imports have no file extension and which Node's loader refuses.
 */
const conditions = ["@effect-oauth2/source", "node", "import", "default"]

export default mergeConfig({ ...shared, ssr: { resolve: { conditions } } }, defineProject({}))
