// What every step of the pack smoke test shares: where the repository is, the command line, the list of results and
// how each is printed, child processes run in their own process group (killed with it when the run stops early), and
// the temporary directory and local registry that the end of the run removes.
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
/**
 * The Effect lines we publish: each a major version of the same package names, under a dist-tag of its own. `folder`:
 * where its packages are under packages/ (their workspace names end in `-effect4` there, since npm workspaces need
 * names of their own; they are packed under the names users install); `libraries`: its packages, each before those
 * that depend on it (`core`, which imports no Effect, is published once and serves both); `heading`: the words that
 * name its part of the root README's Install section; `tag`: its dist-tag.
 */
export const allLines = [
  {
    name: "effect3",
    heading: "Effect 3",
    folder: "",
    libraries: ["core", "client-credentials", "testing", "redis"],
    tag: "effect3",
    node: "current"
  },
  {
    name: "effect4",
    heading: "Effect 4",
    folder: "effect4",
    libraries: ["client-credentials", "testing", "redis"],
    tag: "latest",
    node: "22"
  }
]
export const args = new Set(process.argv.slice(2))
/** The lines this run checks: all, or those named by `--line <name>` (repeatable). */
export const lines = (() => {
  const named = process.argv.flatMap((arg, i) => process.argv[i - 1] === "--line" ? [arg] : [])
  return named.length === 0 ? allLines : allLines.filter((line) => named.includes(line.name))
})()
/** Where each library of `line` is, under packages/. */
export const dirsOf = (line) => line.libraries.map((dir) => line.folder === "" ? dir : `${line.folder}/${dir}`)
/** The packages we publish, as folders under packages/, each before those that depend on it. */
export const libraries = [...new Set(allLines.flatMap(dirsOf))]
/** Libraries a user never installs by name: other libraries depend on them, and their READMEs say which. */
export const dependencyOnly = new Set(["core"])

/** What the end of the run cleans up: the temporary directory, and the local npm registry while it runs. */
export const session = { tmpDir: undefined, registry: undefined }

const results = []
const running = new Set() // process groups to kill if we stop early

/** Records a check and prints its line: `ok  ` or `FAIL`, its name, its time, and on a failure what went wrong. */
export const record = (name, ok, startedAt, detail) => {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1)
  results.push({ name, ok })
  console.log(`${ok ? "ok  " : "FAIL"} ${name} (${seconds}s)`)
  if (!ok && detail) console.log(indent(detail))
  return ok
}

/** Whether every check recorded so far passed. */
export const allPassed = () => results.every((r) => r.ok)

const indent = (text) => String(text).trimEnd().split("\n").slice(-40).map((line) => `       ${line}`).join("\n")

const killGroup = (pid) => {
  try {
    process.kill(-pid, "SIGKILL")
  } catch {
    // already gone
  }
}

const cleanup = () => {
  for (const pid of running) killGroup(pid)
  if (session.registry !== undefined) session.registry.close()
  session.registry = undefined
  if (session.tmpDir === undefined) return
  if (args.has("--keep")) {
    console.log(`kept ${session.tmpDir}`)
  } else {
    fs.rmSync(session.tmpDir, { recursive: true, force: true })
  }
  session.tmpDir = undefined
}

/** Cleans up, prints the count of passed and failed checks, and exits: 0 only when nothing failed. */
export const finish = (code) => {
  cleanup()
  const passed = results.filter((r) => r.ok).length
  const failed = results.length - passed + (code !== 0 && results.every((r) => r.ok) ? 1 : 0)
  console.log(`pack: ${passed} passed, ${failed} failed`)
  process.exit(failed === 0 ? code : 1)
}

/** Runs a command in its own process group, killing the whole group when it outlives `timeoutMs`. */
export const run = (command, commandArgs, { cwd, timeoutMs, env = process.env }) =>
  new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let timedOut = false
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    if (child.pid !== undefined) running.add(child.pid)
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid)
    }, timeoutMs)
    const done = (code, error) => {
      clearTimeout(timer)
      running.delete(child.pid)
      const output = `${stdout}${stderr}${error ? `\n${error.message}` : ""}`
      const why = timedOut ? `timed out after ${timeoutMs / 1000}s\n` : ""
      resolve({ ok: !timedOut && code === 0, code, stdout, stderr, output: why + output })
    }
    child.on("error", (error) => done(null, error))
    child.on("close", (code) => done(code))
  })

/** Node and npm without anything inherited that could add export conditions or loaders. */
export const cleanEnv = () => {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  delete env.NODE_PATH
  return env
}

/** The Node.js that runs `line`'s project: this one, or the 22.19+ that scripts/node22.mjs finds or brings. */
export const nodeOf = async (line) => {
  if (line.node === "current") return process.execPath
  const found = await run(process.execPath, [path.join(repoRoot, "scripts", "node22.mjs")], {
    cwd: repoRoot,
    timeoutMs: 5 * 60_000
  })
  if (!found.ok) throw new Error(`no Node.js 22.19+ for the ${line.heading} line:\n${found.output}`)
  return found.stdout.trim()
}
