import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

export default mergeConfig(
  shared,
  defineProject({ test: { name: "@effect-oauth2/examples-effect4", include: ["*.test.ts"] } })
)
