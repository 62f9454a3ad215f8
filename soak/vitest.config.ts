import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

/** The short soaks (`soak.test.ts`): real time, bounded, one at a time. */
export default mergeConfig(shared, defineProject({ test: { name: "soak", include: ["*.test.ts"] } }))
