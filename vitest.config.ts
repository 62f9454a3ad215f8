import { defineConfig } from "vitest/config"
import { projects } from "./vitest.workspace.js"

/** `npx vitest run` at the root runs every project `vitest.workspace.ts` lists. */
export default defineConfig({ test: { projects: [...projects] } })
