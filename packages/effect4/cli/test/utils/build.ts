/**
 * Builds the command the tests run (`build/esm/bin.js`) and what it imports (the Effect 4 line's
 * `client-credentials` and the core, `build/esm`), with the repository's TypeScript: the tests run what the sources
 * give now, after `npm ci` alone.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
const repoRoot = path.resolve(packageDir, "..", "..", "..")

/** The projects built, each before those that import it. */
const projects = ["packages/core", "packages/effect4/client-credentials", "packages/effect4/cli"]

/** The modules under `dir` (links followed), as paths relative to it without `.ts`. */
const modulesOf = (dir: string, sub = ""): Array<string> =>
  fs.readdirSync(path.join(dir, sub)).flatMap((name) => {
    const rel = path.join(sub, name)
    if (fs.statSync(path.join(dir, rel)).isDirectory()) return modulesOf(dir, rel)
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [rel.slice(0, -".ts".length)] : []
  })

export default function setup(): void {
  // tsc -b trusts its build info: an output deleted since (a `build/esm` removed) is not written again unless the
  // build info goes too
  for (const project of projects) {
    const dir = path.join(repoRoot, project)
    const missing = modulesOf(path.join(dir, "src")).some((m) =>
      !fs.existsSync(path.join(dir, "build", "esm", `${m}.js`))
    )
    if (missing) fs.rmSync(path.join(dir, "build", "build.tsbuildinfo"), { force: true })
  }
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
