import { defineConfig } from "vitest/config"

/**
 * The Effect 4 line's tests: vitest 5 (what `@effect/vitest` 4 runs on), on Node.js 22.19 or later
 * (`scripts/effect4.mjs` runs it with one).
 */
export default defineConfig({ test: { projects: ["*/vitest.config.ts"] } })
