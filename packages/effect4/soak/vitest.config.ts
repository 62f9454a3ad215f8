import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

/**
 * The short single-process soak on the Effect 4 line (`soak.test.ts`): real time, bounded, after every other project
 * (`sequence.groupOrder`), so that its callers do not compete with the socket tests, nor these with it.
 */
export default mergeConfig(
  shared,
  defineProject({ test: { name: "soak-effect4", include: ["*.test.ts"], sequence: { groupOrder: 1 } } })
)
