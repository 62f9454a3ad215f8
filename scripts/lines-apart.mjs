#!/usr/bin/env node
// After `tsc -b`: every Effect 4 project was type-checked against Effect 4 alone. A module written once for both
// lines is a link in the Effect 4 packages; should TypeScript follow a link to the Effect 3 file (as it does for an
// import that goes through node_modules, which `packages/effect4/tsconfig.base.json`'s `paths` prevent), the Effect 4
// project would be checked against Effect 3's modules and types. This reads each Effect 4 project's build info and
// fails, naming the files, when it holds a file of the Effect 3 packages or of Effect 3 itself.
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const line = path.join(repoRoot, "packages", "effect4")
const effect3 = [
  ...["client-credentials", "testing", "redis"].map((name) => path.join(repoRoot, "packages", name, "src") + path.sep),
  path.join(repoRoot, "node_modules", "effect") + path.sep,
  path.join(repoRoot, "node_modules", "@effect", "platform") + path.sep
]

const buildInfos = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : buildInfos(full)
    return entry.name.endsWith(".tsbuildinfo") ? [full] : []
  })

const found = buildInfos(line)
if (found.length === 0) {
  process.stderr.write("lines-apart: no build info under packages/effect4: run `tsc -b tsconfig.json` first\n")
  process.exit(1)
}
let failed = false
for (const file of found) {
  const { fileNames = [] } = JSON.parse(fs.readFileSync(file, "utf8"))
  const strays = fileNames
    .map((name) => path.resolve(path.dirname(file), name))
    .filter((name) => effect3.some((prefix) => name.startsWith(prefix)))
  if (strays.length > 0) {
    failed = true
    process.stderr.write(
      `lines-apart: ${path.relative(repoRoot, file)} was checked against Effect 3's files, e.g.\n` +
        strays.slice(0, 5).map((name) => `  ${path.relative(repoRoot, name)}\n`).join("")
    )
  }
}
if (failed) process.exit(1)
process.stdout.write(`lines-apart: ${found.length} Effect 4 projects checked against Effect 4 alone\n`)
