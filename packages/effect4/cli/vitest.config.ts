import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

/** The tests run the built `effect-oauth2`: `test/utils/build.ts` builds it first. */
export default mergeConfig(shared, defineProject({ test: { globalSetup: ["./test/utils/build.ts"] } }))
