import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

/**
 * The short soaks (`soak.test.ts`): real time, bounded, one at a time, and after every other project
 * (`sequence.groupOrder`), so that their callers do not compete with the socket tests, nor these with them.
 */
export default mergeConfig(
  shared,
  defineProject({ test: { name: "soak", include: ["*.test.ts"], sequence: { groupOrder: 1 } } })
)
