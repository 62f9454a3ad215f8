/**
 * Builds the command the tests run (`build/esm/bin.js`) and what it imports (the Effect 4 line's
 * `client-credentials` and the core, `build/esm`), with the repository's TypeScript: the tests run what the sources
 * give now, after `npm ci` alone.
 */
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
const repoRoot = path.resolve(packageDir, "..", "..", "..")

export default function setup(): void {
  execFileSync(
    process.execPath,
    [
      path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
      "-b",
      path.join(packageDir, "tsconfig.build.json")
    ],
    { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"], timeout: 180_000 }
  )
}
