import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

/** The short single-process soak on the Effect 4 line (`soak.test.ts`): real time, bounded. */
export default mergeConfig(shared, defineProject({ test: { name: "soak-effect4", include: ["*.test.ts"] } }))
