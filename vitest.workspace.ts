/**
 * The test projects of the Effect 3 line, the core, the examples, the bench's chart module and the short soaks, run
 * by the root's vitest 3 on the Node.js that runs it. The root `vitest.config.ts` runs them as `test.projects` (vitest
 * 3.2 prints a deprecation banner when it reads this file as a workspace file itself). The Effect 4 line's projects are `packages/effect4/vitest.config.ts`'s,
 * run by vitest 5 on Node.js 22 (`scripts/effect4.mjs`).
 */
export const projects: ReadonlyArray<string> = [
  "packages/core/vitest.config.ts",
  "packages/client-credentials/vitest.config.ts",
  "packages/testing/vitest.config.ts",
  "packages/redis/vitest.config.ts",
  "examples/vitest.config.ts",
  "bench/vitest.config.ts",
  "soak/vitest.config.ts"
]
