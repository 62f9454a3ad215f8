import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/**
 * Settings every Effect 4 package's tests share: the Effect 3 line's (`vitest.shared.ts` at the root: sources read
 * through the `@effect-oauth2/source` export condition), and a linked file's imports resolved from where the link is
 * (`preserveSymlinks`): a module written once for both lines is a link in this line's package, and must import this
 * line's `effect` and modules, not those beside the file it links to.
 */
export default mergeConfig(shared, { resolve: { preserveSymlinks: true } })
