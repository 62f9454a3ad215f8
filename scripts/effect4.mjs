#!/usr/bin/env node
// Runs a command of the Effect 4 line on a Node.js that runs it (`node22.mjs`):
//   node scripts/effect4.mjs test [vitest arguments]   the line's tests, vitest 5 in packages/effect4
//   node scripts/effect4.mjs node <script> [arguments]  any script, e.g. the bench's Effect 4 side
// The exit code is the command's.
import { execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const line = path.join(repoRoot, "packages", "effect4")

const node = (() => {
  try {
    return execFileSync(process.execPath, [path.join(repoRoot, "scripts", "node22.mjs")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"]
    }).trim()
  } catch {
    process.exit(1)
  }
})()

const [command, ...rest] = process.argv.slice(2)
const args = command === "test"
  ? [path.join(line, "node_modules", "vitest", "vitest.mjs"), "run", ...rest]
  : command === "node"
  ? rest
  : undefined
if (args === undefined) {
  process.stderr.write("usage: node scripts/effect4.mjs test [vitest arguments] | node <script> [arguments]\n")
  process.exit(2)
}
const child = spawn(node, args, { cwd: command === "test" ? line : process.cwd(), stdio: "inherit" })
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal))
child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)))
