import type { ViteUserConfig } from "vitest/config"

/**
 * Settings every Effect 4 package's tests share: read sources through the `@effect-oauth2/source` export condition,
 * as the Effect 3 line's do (`vitest.shared.ts` at the root), and resolve a linked file's imports from where the link
 * is (`preserveSymlinks`): a module written once for both lines is a link in this line's package, and must import
 * this line's `effect` and modules, not those beside the file it links to.
 */
const config: ViteUserConfig = {
  resolve: {
    preserveSymlinks: true,
    conditions: ["@effect-oauth2/source", "module", "node", "import", "default"]
  },
  ssr: {
    resolve: {
      conditions: ["@effect-oauth2/source", "module", "node", "import", "default"]
    }
  },
  test: {
    include: ["test/**/*.test.ts"],
    fakeTimers: { toFake: undefined },
    sequence: { concurrent: false }
  }
}

export default config
