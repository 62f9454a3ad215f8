import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

/**
 * The tests run the built `effect-oauth2`: `test/utils/build.ts` builds it first. Each test starts one to three Node.js
 * processes (`runCli` stops each after 20 s), so a test may take longer than vitest's default 5 s on a loaded machine.
 */
export default mergeConfig(
  shared,
  defineProject({ test: { globalSetup: ["./test/utils/build.ts"], testTimeout: 60_000, hookTimeout: 60_000 } })
)
