/**
 * The test projects: one per package, and the examples. The root `vitest.config.ts` runs them as `test.projects`
 * (vitest 3.2 prints a deprecation banner when it reads this file as a workspace file itself).
 */
export const projects: ReadonlyArray<string> = [
  "packages/*/vitest.config.ts",
  "examples/vitest.config.ts"
]
