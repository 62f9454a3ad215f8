#!/usr/bin/env node
// Pack smoke test: what `npm publish` would ship must install and work for a user who follows the README, without
// our source condition.
//
// 1. `npm run build` (tsc -b tsconfig.build.json) writes packages/*/build/{esm,dts}, from an empty build/.
// 2. The root README's "## Install" section is read: its ```sh block must hold only plain `npm install` lines (flags
//    and package specs, nothing the shell would expand).
// 3. `npm pack` each library; the tarball must hold build/esm/*.js and build/dts/*.d.ts for every src module, a
//    README.md that names the package and the MIT LICENSE; the install line of the package's README must install
//    it with the root README's flags and name every package with the root README's range (no drift).
// 4. A local npm registry on 127.0.0.1 (port 0, closed at the end) serves our packages from those tarballs and
//    every other package from the repo's node_modules and its workspaces' (each installed version, nested copies
//    included: a tarball built in memory from the installed directory, its integrity computed from what is served); a name not
//    installed here answers 404, which npm accepts for optional packages only (other platforms' binaries). Since
//    only the versions we test with are offered, a README range or a peer range they do not satisfy fails the
//    install (ERESOLVE/ETARGET). In a fresh project in os.tmpdir(), the README's commands run exactly as written,
//    pointed at that registry through the environment, with a throwaway cache and npmrc files (the user's ~/.npm
//    and ~/.npmrc are neither used nor touched; no network). Its package-lock.json must show every package from
//    the local registry and ours with the integrity of the packed tarballs.
// 5. In that project: import every public entry point (build/esm, expected named exports present), check that
//    internal/* is blocked by the exports map and that `<pkg>/package.json` is exported (import with
//    `{ type: "json" }` and require.resolve), and type-check a .ts file against the shipped .d.ts with the
//    repo's TypeScript (NodeNext, strict, no custom conditions; Node's types from the repo, as the user's own).
// 6. The root entries type-check with moduleResolution node10 (which ignores `exports`: the top-level `types`
//    must lead to build/dts) and bundler, and the ```ts examples of each shipped README and of the root README
//    type-check (NodeNext).
//
// Usage: node scripts/pack-smoke.mjs [--no-build] [--keep]
//   --no-build  pack whatever build/ holds now (to see that a missing build fails the check)
//   --keep      leave the temporary project (and npm's logs in its npm-cache/_logs) in place and print its path
import { spawn } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as zlib from "node:zlib"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const libraries = ["client-credentials", "testing", "redis"]
const args = new Set(process.argv.slice(2))
const overallTimeoutMs = 10 * 60_000

const results = []
const running = new Set() // process groups to kill if we stop early
let tmpDir
let registry // the local npm registry while it runs

const record = (name, ok, startedAt, detail) => {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1)
  results.push({ name, ok })
  console.log(`${ok ? "ok  " : "FAIL"} ${name} (${seconds}s)`)
  if (!ok && detail) console.log(indent(detail))
  return ok
}

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
  if (registry !== undefined) registry.close()
  registry = undefined
  if (tmpDir === undefined) return
  if (args.has("--keep")) {
    console.log(`kept ${tmpDir}`)
  } else {
    fs.rmSync(tmpDir, { recursive: true, force: true })
  }
  tmpDir = undefined
}

const finish = (code) => {
  cleanup()
  const passed = results.filter((r) => r.ok).length
  const failed = results.length - passed + (code !== 0 && results.every((r) => r.ok) ? 1 : 0)
  console.log(`pack: ${passed} passed, ${failed} failed`)
  process.exit(failed === 0 ? code : 1)
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.log(`interrupted by ${signal}`)
    finish(1)
  })
}
setTimeout(() => {
  console.log(`FAIL the whole run took longer than ${overallTimeoutMs / 1000}s`)
  finish(1)
}, overallTimeoutMs).unref()

/** Runs a command in its own process group, killing the whole group when it outlives `timeoutMs`. */
const run = (command, commandArgs, { cwd, timeoutMs, env = process.env }) =>
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
const cleanEnv = () => {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  delete env.NODE_PATH
  return env
}

// ---------------------------------------------------------------------------------------------------------------
// What each package should export, read from its sources

const isModuleFile = (name) => name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts")

/** Every module under src/, as a path relative to src without extension (`index`, `internal/tokenService`). */
const sourceModules = (srcDir, sub = "") => {
  const dir = path.join(srcDir, sub)
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = sub === "" ? entry.name : `${sub}/${entry.name}`
    if (entry.isDirectory()) return sourceModules(srcDir, rel)
    return entry.isFile() && isModuleFile(entry.name) ? [rel.slice(0, -".ts".length)] : []
  })
}

/** The runtime (value) exports a source module declares; type-only exports are left out. */
const valueExports = (file, seen = new Set()) => {
  if (seen.has(file) || !fs.existsSync(file)) return []
  seen.add(file)
  const text = fs.readFileSync(file, "utf8")
  const names = new Set()
  const declaration =
    /^export\s+(?:abstract\s+)?(?:const|let|var|class|enum|async\s+function\*?|function\*?)\s*([A-Za-z_$][\w$]*)/gm
  for (const m of text.matchAll(declaration)) names.add(m[1])
  for (const m of text.matchAll(/^export\s+\*\s+as\s+([A-Za-z_$][\w$]*)\s+from/gm)) names.add(m[1])
  if (/^export\s+default\b/m.test(text)) names.add("default")
  for (const m of text.matchAll(/^export\s*\{([^}]*)\}/gm)) {
    for (const part of m[1].split(",")) {
      const spec = part.trim()
      if (spec === "" || spec.startsWith("type ")) continue
      names.add(spec.split(/\s+as\s+/).pop().trim())
    }
  }
  for (const m of text.matchAll(/^export\s+\*\s+from\s+["'](\.[^"']+)["']/gm)) {
    const target = path.resolve(path.dirname(file), m[1].replace(/\.js$/, ".ts"))
    for (const name of valueExports(target, seen)) if (name !== "default") names.add(name)
  }
  return [...names].sort()
}

const describePackage = (dir) => {
  const packageDir = path.join(repoRoot, "packages", dir)
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"))
  const srcDir = path.join(packageDir, "src")
  const modules = sourceModules(srcDir)
  const entries = modules
    .filter((m) => !m.includes("/"))
    .sort((a, b) => (a === "index" ? -1 : b === "index" ? 1 : a.localeCompare(b)))
    .map((m) => ({
      module: m,
      specifier: m === "index" ? manifest.name : `${manifest.name}/${m}`,
      expected: valueExports(path.join(srcDir, `${m}.ts`))
    }))
  const internals = modules.filter((m) => m.startsWith("internal/")).map((m) => `${manifest.name}/${m}`)
  return { dir, packageDir, name: manifest.name, manifest, modules, entries, internals }
}

// ---------------------------------------------------------------------------------------------------------------
// The checks

/** What is wrong with the README.md and LICENSE a package ships, from its extracted tarball; "" when nothing. */
const shippedDocProblems = (pkg, dir) => {
  const problems = []
  const read = (file) => {
    const at = path.join(dir, file)
    return fs.existsSync(at) ? fs.readFileSync(at, "utf8") : undefined
  }
  const readme = read("README.md")
  if (readme === undefined) {
    problems.push("no README.md")
  } else {
    if (!readme.startsWith(`# ${pkg.name}\n`)) problems.push(`README.md does not start with "# ${pkg.name}"`)
    if (!/^```ts\n/m.test(readme)) problems.push("README.md has no ```ts example")
    if (!readme.includes("effect-oauth2 README")) problems.push("README.md does not point to the effect-oauth2 README")
  }
  const license = read("LICENSE")
  if (license === undefined) {
    problems.push("no LICENSE")
  } else if (!license.startsWith("MIT License") || !license.includes("effect-oauth2 contributors")) {
    problems.push("LICENSE is not the MIT license of the effect-oauth2 contributors")
  }
  if (pkg.manifest.license !== "MIT") problems.push(`package.json says license ${pkg.manifest.license}`)
  return problems.join("\n")
}

/**
 * Exports that must be the very value of another entry's (`===`): the Promise API re-exports the error classes of the
 * main entry, so that `instanceof` holds across both. `[entry, export, entry it is the same as, path in that entry]`.
 */
const sameValues = [
  ["@effect-oauth2/client-credentials/promise", "TokenError", "@effect-oauth2/client-credentials", [
    "TokenError",
    "TokenError"
  ]],
  ["@effect-oauth2/client-credentials/promise", "NetworkError", "@effect-oauth2/client-credentials", [
    "NetworkError",
    "NetworkError"
  ]],
  ["@effect-oauth2/client-credentials/promise", "ApiError", "@effect-oauth2/client-credentials", [
    "ApiError",
    "ApiError"
  ]]
]

const writeImportCheck = (project, packages) => {
  const plan = packages.flatMap((pkg) =>
    pkg.entries.map((entry) => ({
      kind: "entry",
      name: `import ${entry.specifier}`,
      specifier: entry.specifier,
      expected: entry.expected,
      file: path.join(project, "node_modules", pkg.name, "build", "esm", `${entry.module}.js`)
    }))
  ).concat(
    packages.map((pkg) => ({
      kind: "manifest",
      name: `${pkg.name}/package.json: import with { type: "json" } and require.resolve`,
      specifier: `${pkg.name}/package.json`,
      packageName: pkg.name,
      version: pkg.manifest.version,
      file: path.join(project, "node_modules", pkg.name, "package.json")
    }))
  ).concat(
    sameValues.map(([specifier, name, other, at]) => ({
      kind: "same",
      name: `${specifier} ${name} is ${other} ${at.join(".")}`,
      specifier,
      exportName: name,
      other,
      at
    }))
  ).concat(
    packages.filter((pkg) => pkg.internals.length > 0).map((pkg) => ({
      kind: "blocked",
      name: `${pkg.name}/internal/* not importable (${pkg.internals.length} modules)`,
      specifiers: pkg.internals
    }))
  )
  fs.writeFileSync(path.join(project, "plan.json"), JSON.stringify(plan, null, 2))
  fs.writeFileSync(
    path.join(project, "import-check.mjs"),
    `import * as fs from "node:fs"
import { createRequire } from "node:module"
const require = createRequire(import.meta.url)
const plan = JSON.parse(fs.readFileSync(new URL("./plan.json", import.meta.url), "utf8"))
const results = []
for (const step of plan) {
  const problems = []
  if (step.kind === "entry") {
    try {
      const resolved = fs.realpathSync(new URL(import.meta.resolve(step.specifier)))
      if (resolved !== step.file) problems.push("resolved to " + resolved + ", expected " + step.file)
      const module = await import(step.specifier)
      const missing = step.expected.filter((name) => !(name in module))
      if (missing.length > 0) problems.push("missing exports: " + missing.join(", "))
      if (step.expected.length === 0 && Object.keys(module).length === 0) problems.push("no exports at all")
    } catch (error) {
      problems.push(String(error && error.stack || error))
    }
  } else if (step.kind === "same") {
    try {
      const self = (await import(step.specifier))[step.exportName]
      const other = step.at.reduce((value, key) => value?.[key], await import(step.other))
      if (self === undefined || self !== other) problems.push("not the same value")
    } catch (error) {
      problems.push(String(error && error.stack || error))
    }
  } else if (step.kind === "manifest") {
    try {
      const manifest = (await import(step.specifier, { with: { type: "json" } })).default
      if (manifest.name !== step.packageName || manifest.version !== step.version) {
        problems.push("imported the manifest of " + manifest.name + "@" + manifest.version)
      }
    } catch (error) {
      problems.push("import: " + error.code + " " + error.message)
    }
    try {
      const resolved = fs.realpathSync(require.resolve(step.specifier))
      if (resolved !== step.file) problems.push("require.resolve gave " + resolved + ", expected " + step.file)
    } catch (error) {
      problems.push("require.resolve: " + error.code + " " + error.message)
    }
  } else {
    for (const specifier of step.specifiers) {
      try {
        await import(specifier)
        problems.push(specifier + " was importable")
      } catch (error) {
        if (error.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") problems.push(specifier + ": " + error.code + " " + error.message)
      }
    }
  }
  results.push({ name: step.name, ok: problems.length === 0, detail: problems.join("\\n") })
}
console.log(JSON.stringify(results))
`
  )
}

const writeTypeCheck = (project, packages) => {
  const lines = [
    "// Generated by scripts/pack-smoke.mjs: the public API, seen through the shipped .d.ts files.",
    "import * as Effect from \"effect/Effect\""
  ]
  const uses = []
  packages.forEach((pkg, p) =>
    pkg.entries.forEach((entry, e) => {
      const alias = `M${p}_${e}`
      lines.push(`import * as ${alias} from "${entry.specifier}"`)
      uses.push(`export type ${alias}Type = typeof ${alias}`)
      for (const name of entry.expected) {
        if (name !== "default") uses.push(`export const ${alias}_${name} = ${alias}.${name}`)
      }
      // a Context.Tag named like its module (TokenService.TokenService) must be usable from an Effect program
      if (entry.module !== "index" && entry.expected.includes(entry.module) && /Service$/.test(entry.module)) {
        uses.push(
          `export const ${alias}_program = Effect.flatMap(${alias}.${entry.module}, (service) => Effect.succeed(service))`
        )
      }
    })
  )
  packages.forEach((pkg) => {
    const internal = pkg.internals[0]
    if (internal === undefined) return
    uses.push("// @ts-expect-error internal modules are blocked by the exports map")
    uses.push(`export type Internal_${pkg.dir.replace(/\W/g, "_")} = typeof import("${internal}")`)
  })
  fs.writeFileSync(path.join(project, "api.ts"), [...lines, "", ...uses, ""].join("\n"))
  writeTsconfig(project, "tsconfig.json", ["api.ts"])
}

/**
 * Writes a strict, no-emit tsconfig of the temporary project for `files`: NodeNext and every `.d.ts` checked, unless
 * `overrides` says otherwise.
 */
const writeTsconfig = (project, name, files, overrides = {}) => {
  const compilerOptions = {
    target: "ES2022",
    lib: ["ES2022", "DOM", "DOM.Iterable"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ["node"],
    // the README's commands do not install @types/node: TypeScript and Node's types are the user's own tooling,
    // here the repo's
    typeRoots: ["./node_modules/@types", path.join(repoRoot, "node_modules", "@types")],
    ...overrides
  }
  fs.writeFileSync(path.join(project, name), JSON.stringify({ compilerOptions, files }, null, 2))
}

// node10 ignores `exports`: only the top-level `types` leads it to build/dts
const rootResolutions = ["node10", "bundler"]

/** Type-checks the root entries with an older or bundler resolution: TypeScript users with such settings. */
const writeRootCheck = (project, packages) => {
  const lines = ["// Generated by scripts/pack-smoke.mjs: the root entry points, without subpaths."]
  packages.forEach((pkg, p) => {
    const root = pkg.entries.find((entry) => entry.module === "index")
    if (root === undefined) return
    lines.push(`import * as R${p} from "${pkg.name}"`)
    for (const name of root.expected) if (name !== "default") lines.push(`export const R${p}_${name} = R${p}.${name}`)
  })
  fs.writeFileSync(path.join(project, "root.ts"), lines.join("\n") + "\n")
  for (const mode of rootResolutions) {
    writeTsconfig(project, `tsconfig.${mode}.json`, ["root.ts"], { module: "ESNext", moduleResolution: mode })
  }
}

/**
 * Writes each ```ts block of each shipped README.md, and of the repository's README.md (what users copy from), to its
 * own file, and a tsconfig that type-checks them.
 */
const writeReadmeCheck = (project, packages) => {
  const files = []
  const readmes = packages.map((pkg) => [pkg.dir, path.join(project, "node_modules", pkg.name, "README.md")])
  readmes.push(["root", path.join(repoRoot, "README.md")])
  for (const [name, readmePath] of readmes) {
    const readme = fs.readFileSync(readmePath, "utf8")
    const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1])
    blocks.forEach((code, i) => {
      const file = `readme-${name}-${i + 1}.ts`
      fs.writeFileSync(path.join(project, file), code)
      files.push(file)
    })
  }
  // the examples use test frameworks whose own .d.ts are not ours to check
  writeTsconfig(project, "tsconfig.readme.json", files, { skipLibCheck: true })
  return files
}

/**
 * Runs the repo's tsc on `config` in the project; problems when it fails, when a package's build/dts was not used
 * (`expected`: a file under build/dts that must be among the files read) or when its sources were read instead.
 */
const runTsc = async (project, config, packages, expected) => {
  const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc")
  const typecheck = await run(process.execPath, [tsc, "-p", config, "--listFiles", "--pretty", "false"], {
    cwd: project,
    timeoutMs: 3 * 60_000,
    env: cleanEnv()
  })
  const listed = typecheck.stdout.split("\n").map((line) => line.trim())
  // --listFiles fills stdout: show the diagnostics, or everything when there are none
  const diagnostics = typecheck.output.split("\n").filter((line) => /error TS\d+|timed out/.test(line))
  const problems = typecheck.ok ? [] : [diagnostics.length > 0 ? diagnostics.join("\n") : typecheck.output]
  for (const pkg of packages.filter((p) => p.entries.length > 0)) {
    const dts = path.join(project, "node_modules", pkg.name, "build", "dts")
    const used = expected === undefined
      ? listed.some((file) => file.startsWith(dts + path.sep))
      : listed.includes(path.join(dts, expected))
    if (!used) problems.push(`${pkg.name}: ${expected === undefined ? "no file of build/dts" : expected} was not used`)
    const src = path.join(project, "node_modules", pkg.name, "src")
    const sources = listed.filter((file) => file.startsWith(src + path.sep))
    if (sources.length > 0) {
      problems.push(`${pkg.name}: sources were type-checked instead of .d.ts:\n${sources.join("\n")}`)
    }
  }
  return problems
}

// ---------------------------------------------------------------------------------------------------------------
// The README's install commands

// a word of a plain `npm install` line (a flag or a package spec): nothing the shell would expand, quote or redirect
const plainWord = /^[\w@/.^+-][\w@/.^~+-]*$/

/** The words of an `npm install` line: its flags and its package specs (`name`, `range` or undefined). */
const parseInstallLine = (line) => {
  const words = line.trim().split(/\s+/)
  const problem = words[0] !== "npm" || !["install", "i", "add"].includes(words[1])
    ? "is not an npm install command"
    : words.slice(2).some((word) => !plainWord.test(word))
    ? "holds a word that is neither a flag nor a plain package spec"
    : words.length < 3
    ? "names no package"
    : undefined
  const args = words.slice(2)
  const specs = args.filter((word) => !word.startsWith("-")).map((word) => {
    const at = word.indexOf("@", 1)
    return at === -1 ? { name: word, range: undefined } : { name: word.slice(0, at), range: word.slice(at + 1) }
  })
  const flags = args.filter((word) => word.startsWith("-")).sort()
  return { line: line.trim(), specs, flags, problem }
}

/** The lines of the ```sh blocks of `markdown` (all of them, or those of its `## <section>` only). */
const shellLines = (markdown, section) => {
  let text = markdown
  if (section !== undefined) {
    const start = markdown.search(new RegExp(`^## ${section}\\n`, "m"))
    if (start === -1) return undefined
    const rest = markdown.slice(start + 1)
    const end = rest.search(/^## /m)
    text = end === -1 ? rest : rest.slice(0, end)
  }
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
    .flatMap((m) => m[1].split("\n"))
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
}

/** The root README's Install section as commands, or what is wrong with it. */
const readRootInstall = () => {
  const lines = shellLines(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8"), "Install")
  if (lines === undefined) return { commands: [], problems: ["README.md has no \"## Install\" section"] }
  if (lines.length === 0) return { commands: [], problems: ["README.md's Install section has no ```sh command"] }
  const commands = lines.map(parseInstallLine)
  const problems = commands.filter((c) => c.problem !== undefined).map((c) => `"${c.line}" ${c.problem}`)
  const names = commands.flatMap((c) => c.specs.map((s) => s.name))
  const twice = names.filter((name, i) => names.indexOf(name) !== i)
  if (twice.length > 0) problems.push(`named more than once: ${[...new Set(twice)].join(", ")}`)
  return { commands, problems }
}

const specText = (spec) => spec.range === undefined ? spec.name : `${spec.name}@${spec.range}`

/**
 * What is wrong with the install line(s) of a package's README, measured against the root README's Install section:
 * one must install the package, with the same flags as the root line that does, and every package they name must
 * carry the root README's range for it. "" when nothing.
 */
const packageInstallProblems = (pkg, readme, rootCommands) => {
  const commands = shellLines(readme).filter((line) => /^npm\s/.test(line)).map(parseInstallLine)
  const problems = commands.filter((c) => c.problem !== undefined).map((c) => `"${c.line}" ${c.problem}`)
  const rootSpecs = new Map(rootCommands.flatMap((c) => c.specs.map((s) => [s.name, s])))
  const rootLine = rootCommands.find((c) => c.specs.some((s) => s.name === pkg.name))
  if (rootLine === undefined) problems.push(`the root README's Install section does not install ${pkg.name}`)
  const own = commands.filter((c) => c.specs.some((s) => s.name === pkg.name))
  if (own.length === 0) problems.push(`no \`npm install\` line in a \`\`\`sh block names ${pkg.name}`)
  for (const command of commands) {
    for (const spec of command.specs) {
      const root = rootSpecs.get(spec.name)
      if (root === undefined) {
        problems.push(`"${command.line}": ${spec.name} is not in the root README's Install section`)
      } else if (root.range !== spec.range) {
        problems.push(`"${command.line}": ${specText(spec)}, the root README's Install section has ${specText(root)}`)
      }
    }
    if (rootLine !== undefined && own.includes(command) && command.flags.join(" ") !== rootLine.flags.join(" ")) {
      problems.push(`"${command.line}": flags [${command.flags}], the root README's line has [${rootLine.flags}]`)
    }
  }
  return problems.join("\n")
}

// ---------------------------------------------------------------------------------------------------------------
// A local npm registry: our packed tarballs, and every other package from the repo's installed node_modules

/** Every package installed under the repo's node_modules, nested copies included: name -> version -> directory. */
const installedPackages = () => {
  const found = new Map()
  const visit = (nodeModules) => {
    let entries
    try {
      entries = fs.readdirSync(nodeModules, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue
      if (entry.name.startsWith("@") && entry.isDirectory()) {
        for (const scoped of fs.readdirSync(path.join(nodeModules, entry.name), { withFileTypes: true })) {
          add(path.join(nodeModules, entry.name, scoped.name), scoped)
        }
      } else {
        add(path.join(nodeModules, entry.name), entry)
      }
    }
  }
  const add = (dir, entry) => {
    // symlinks are our workspaces: their packages are served from the tarballs npm pack made
    if (!entry.isDirectory()) return
    let manifest
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))
    } catch {
      return
    }
    if (typeof manifest.name === "string" && typeof manifest.version === "string") {
      const versions = found.get(manifest.name) ?? new Map()
      if (!versions.has(manifest.version)) versions.set(manifest.version, dir)
      found.set(manifest.name, versions)
    }
    visit(path.join(dir, "node_modules"))
  }
  visit(path.join(repoRoot, "node_modules"))
  // a workspace's own node_modules holds the versions it needs that the root's do not (e.g. a dependency of ours)
  for (const workspace of ["packages", "examples"]) {
    const base = path.join(repoRoot, workspace)
    const dirs = workspace === "examples" ? [base] : fs.readdirSync(base).map((name) => path.join(base, name))
    for (const dir of dirs) visit(path.join(dir, "node_modules"))
  }
  return found
}

// npm's own tarballs carry this date (1985-10-26T08:15:00Z): the same bytes for the same files
const tarMtime = 499162500

/** A ustar header for a regular file; a path longer than 100 bytes is split between the prefix and name fields. */
const tarHeader = (file, size, mode) => {
  let prefix = ""
  let name = file
  if (Buffer.byteLength(file) > 100) {
    const cut = [...file.matchAll(/\//g)].map((m) => m.index).find((i) =>
      Buffer.byteLength(file.slice(0, i)) <= 155 && Buffer.byteLength(file.slice(i + 1)) <= 100
    )
    if (cut === undefined) throw new Error(`path too long for a ustar header: ${file}`)
    prefix = file.slice(0, cut)
    name = file.slice(cut + 1)
  }
  const header = Buffer.alloc(512)
  const octal = (value, offset, length) =>
    header.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length, "ascii")
  header.write(name, 0, 100, "utf8")
  octal(mode, 100, 8)
  octal(0, 108, 8) // uid
  octal(0, 116, 8) // gid
  octal(size, 124, 12)
  octal(tarMtime, 136, 12)
  header.fill(" ", 148, 156) // the checksum counts its own field as spaces
  header.write("0", 156, 1, "ascii") // regular file
  header.write("ustar\0" + "00", 257, 8, "ascii")
  header.write(prefix, 345, 155, "utf8")
  let sum = 0
  for (const byte of header) sum += byte
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii")
  return header
}

const gzip = (buffer) =>
  new Promise((resolve, reject) =>
    zlib.gzip(
      buffer,
      { level: zlib.constants.Z_BEST_SPEED },
      (error, result) => error ? reject(error) : resolve(result)
    )
  )

/**
 * The .tgz npm would download for an installed package: its files under `package/`, without its node_modules (the
 * nested packages there are served as their own versions) unless it bundles dependencies.
 */
const tarballOf = async (dir, manifest) => {
  const bundles = [manifest.bundleDependencies, manifest.bundledDependencies].some((b) =>
    b === true || Array.isArray(b) && b.length > 0
  )
  const chunks = []
  const walk = (abs, rel) => {
    const entries = fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1)
    for (const entry of entries) {
      if (rel === "" && entry.name === "node_modules" && !bundles) continue
      const childAbs = path.join(abs, entry.name)
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) {
        walk(childAbs, childRel)
      } else if (entry.isFile()) {
        const data = fs.readFileSync(childAbs)
        const mode = fs.statSync(childAbs).mode & 0o111 ? 0o755 : 0o644
        chunks.push(tarHeader(`package/${childRel}`, data.length, mode), data)
        if (data.length % 512 !== 0) chunks.push(Buffer.alloc(512 - (data.length % 512)))
      }
      // symlinks inside a package are left out, as npm pack does
    }
  }
  walk(dir, "")
  chunks.push(Buffer.alloc(1024))
  return gzip(Buffer.concat(chunks))
}

const compareVersions = (a, b) => {
  const parse = (v) => {
    const [core, pre] = v.split(/-(.*)/s)
    return { parts: core.split(".").map(Number), pre }
  }
  const x = parse(a)
  const y = parse(b)
  for (let i = 0; i < 3; i++) if (x.parts[i] !== y.parts[i]) return (x.parts[i] ?? 0) - (y.parts[i] ?? 0)
  if (x.pre === y.pre) return 0
  return x.pre === undefined ? 1 : y.pre === undefined ? -1 : x.pre < y.pre ? -1 : 1
}

/**
 * Starts the registry on 127.0.0.1 port 0. `ours`: name -> { manifest, tarball } of the packed libraries; any other
 * name is served from `installed` (every installed version), and a name not installed here answers 404. Packuments
 * and tarballs are built on first request and kept in memory.
 */
const startRegistry = async (ours, installed) => {
  const packuments = new Map() // name -> Promise<Buffer>
  const tarballs = new Map() // path -> Buffer
  const notFound = new Set()
  const errors = []
  let base

  const packument = async (name) => {
    const sources = ours.has(name)
      ? [ours.get(name)]
      : [...installed.get(name).values()].map((dir) => ({
        dir,
        manifest: JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))
      }))
    const versions = {}
    await Promise.all(sources.map(async (source) => {
      const manifest = Object.fromEntries(Object.entries(source.manifest).filter(([key]) => !key.startsWith("_")))
      const tarball = source.tarball ?? await tarballOf(source.dir, source.manifest)
      const file = `/${encodeURIComponent(name)}/-/${name.split("/").pop()}-${manifest.version}.tgz`
      tarballs.set(file, tarball)
      const scripts = manifest.scripts ?? {}
      versions[manifest.version] = {
        ...manifest,
        _id: `${name}@${manifest.version}`,
        ...(scripts.preinstall || scripts.install || scripts.postinstall ? { hasInstallScript: true } : {}),
        dist: {
          tarball: `${base}${file.slice(1)}`,
          integrity: `sha512-${crypto.createHash("sha512").update(tarball).digest("base64")}`,
          shasum: crypto.createHash("sha1").update(tarball).digest("hex")
        }
      }
    }))
    const latest = Object.keys(versions).sort(compareVersions).pop()
    return Buffer.from(JSON.stringify({ name, "dist-tags": { latest }, versions }))
  }

  const handle = async (request, response) => {
    const send = (status, body, type) => {
      response.writeHead(status, { "content-type": type, "content-length": body.length })
      response.end(body)
    }
    const notThere = () => send(404, Buffer.from("{\"error\":\"Not found\"}"), "application/json")
    const pathname = new URL(request.url, base).pathname
    if (request.method !== "GET") return notThere()
    const tarball = tarballs.get(pathname)
    if (tarball !== undefined) return send(200, tarball, "application/octet-stream")
    let name
    try {
      name = decodeURIComponent(pathname.slice(1))
    } catch {
      return notThere()
    }
    if (!ours.has(name) && !installed.has(name)) {
      notFound.add(name)
      return notThere()
    }
    if (!packuments.has(name)) packuments.set(name, packument(name))
    try {
      send(200, await packuments.get(name), "application/json")
    } catch (error) {
      errors.push(`${name}: ${error instanceof Error ? error.message : error}`)
      send(500, Buffer.from(JSON.stringify({ error: String(error) })), "application/json")
    }
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error) => {
      errors.push(`${request.url}: ${error instanceof Error ? error.message : error}`)
      response.destroy()
    })
  })
  await new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", resolve)
  })
  base = `http://127.0.0.1:${server.address().port}/`
  return {
    url: base,
    /** The names asked for and answered 404. */
    notFound,
    errors,
    /** The versions offered for `name`, newest last. */
    offered: (name) =>
      ours.has(name)
        ? [ours.get(name).manifest.version]
        : [...(installed.get(name)?.keys() ?? [])].sort(compareVersions),
    close: () => {
      server.close()
      server.closeAllConnections()
    }
  }
}

/**
 * The environment of the README's npm commands: the local registry, and a cache and npmrc files in the temporary
 * directory, so that the user's ~/.npm and ~/.npmrc are neither used nor touched; nothing inherited from an
 * `npm run` around us.
 */
const npmEnv = (registryUrl) => {
  const env = cleanEnv()
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key]
  const userconfig = path.join(tmpDir, "npmrc")
  const globalconfig = path.join(tmpDir, "npmrc-global")
  fs.writeFileSync(userconfig, "")
  fs.writeFileSync(globalconfig, "")
  return {
    ...env,
    npm_config_registry: registryUrl,
    npm_config_cache: path.join(tmpDir, "npm-cache"),
    npm_config_userconfig: userconfig,
    npm_config_globalconfig: globalconfig,
    npm_config_noproxy: "127.0.0.1",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    // a local answer is final: no retries with back-off on a 500
    npm_config_fetch_retries: "0"
  }
}

/** Why a README install command failed: npm's error lines, and the versions the local registry offers. */
const installFailure = (result, command, registry) => {
  const errorLines = result.output.split("\n").filter((line) => /^npm (?:error|ERR!)|timed out/.test(line))
  const detail = [errorLines.length > 0 ? errorLines.join("\n") : result.output]
  detail.push(
    "the local registry offers only the versions installed in this repo's node_modules:",
    ...command.specs.map((spec) =>
      `  ${specText(spec)}: ${registry.offered(spec.name).join(", ") || "not installed here (404)"}`
    )
  )
  if (registry.errors.length > 0) detail.push("registry errors:", ...registry.errors)
  if (!args.has("--keep")) detail.push("(run with --keep to keep npm's logs)")
  return detail.join("\n")
}

/**
 * The project's package-lock.json: how many packages it lists, and what is wrong ("" when nothing): every package must
 * come from the local registry, ours with the integrity of the tarballs npm pack made, and none answered 404 (those
 * were optional, and skipped).
 */
const checkLock = (project, registryUrl, ours, notFound) => {
  let lock
  try {
    lock = JSON.parse(fs.readFileSync(path.join(project, "package-lock.json"), "utf8"))
  } catch (error) {
    return { count: 0, problems: `no package-lock.json: ${error.message}` }
  }
  const problems = []
  const entries = Object.entries(lock.packages ?? {}).filter(([at]) => at !== "")
  for (const [at, entry] of entries) {
    if (entry.link) continue
    if (typeof entry.resolved !== "string" || !entry.resolved.startsWith(registryUrl)) {
      problems.push(`${at} resolved from ${entry.resolved}`)
    }
  }
  for (const [name, { manifest, tarball }] of ours) {
    const entry = lock.packages?.[`node_modules/${name}`]
    const integrity = `sha512-${crypto.createHash("sha512").update(tarball).digest("base64")}`
    if (entry === undefined) problems.push(`${name} is not installed`)
    else if (entry.version !== manifest.version || entry.integrity !== integrity) {
      problems.push(`${name}@${entry.version} is not the packed tarball (${entry.integrity})`)
    }
  }
  for (const name of notFound) {
    const at = entries.find(([where]) => where === `node_modules/${name}` || where.endsWith(`/node_modules/${name}`))
    if (at !== undefined) problems.push(`${at[0]} is in the lock, but the registry answered 404 for ${name}`)
  }
  if (entries.length === 0) problems.push("package-lock.json lists no package")
  return { count: entries.length, problems: problems.join("\n") }
}

const main = async () => {
  // build ----------------------------------------------------------------------------------------------------------
  let startedAt = Date.now()
  if (args.has("--no-build")) {
    console.log("skip build (--no-build)")
  } else {
    // tsc -b trusts its .tsbuildinfo and neither restores deleted outputs nor removes those of deleted sources:
    // start from an empty build/ so the tarballs hold exactly what the sources give today.
    for (const dir of libraries) {
      for (const output of ["build/esm", "build/dts", "build/build.tsbuildinfo"]) {
        fs.rmSync(path.join(repoRoot, "packages", dir, output), { recursive: true, force: true })
      }
    }
    const build = await run("npm", ["run", "build", "--silent"], { cwd: repoRoot, timeoutMs: 5 * 60_000 })
    if (!record("build: npm run build (from an empty build/)", build.ok, startedAt, build.output)) return 1
  }

  const packages = libraries.map(describePackage)
  for (const pkg of packages) {
    if (pkg.entries.length === 0) console.log(`note ${pkg.name}: no modules in src/ yet, only its packing is checked`)
  }

  tmpDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "effect-oauth2-pack-")))
  if (!path.relative(repoRoot, tmpDir).startsWith("..")) throw new Error(`${tmpDir} is inside the repository`)
  const tarballs = path.join(tmpDir, "tarballs")
  const project = path.join(tmpDir, "project")
  fs.mkdirSync(tarballs)
  fs.mkdirSync(project)
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "pack-smoke", private: true, type: "module" }, null, 2)
  )

  // the root README's Install section: the commands the fresh project is installed with ------------------------
  startedAt = Date.now()
  const install = readRootInstall()
  const installReadable = record(
    `README.md's Install section: ${install.commands.length} commands (${
      install.commands.flatMap((c) => c.specs).map(specText).join(" ")
    })`,
    install.problems.length === 0,
    startedAt,
    install.problems.join("\n")
  )

  // pack, inspect, extract ---------------------------------------------------------------------------------------
  let packed = installReadable
  const ours = new Map() // name -> { manifest, tarball }: what the local registry serves for our packages
  for (const pkg of packages) {
    startedAt = Date.now()
    const pack = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", tarballs], {
      cwd: pkg.packageDir,
      timeoutMs: 60_000
    })
    let tarball
    if (pack.ok) {
      try {
        tarball = path.join(tarballs, JSON.parse(pack.stdout)[0].filename)
      } catch (error) {
        pack.output += `\ncannot read npm pack --json output: ${error}`
      }
    }
    if (!record(`${pkg.name}: npm pack`, tarball !== undefined && fs.existsSync(tarball), startedAt, pack.output)) {
      packed = false
      continue
    }

    startedAt = Date.now()
    const list = await run("tar", ["-tzf", tarball], { cwd: tmpDir, timeoutMs: 30_000 })
    const files = new Set(
      list.stdout.split("\n").filter((line) => line !== "").map((line) => line.replace(/^package\//, ""))
    )
    const missing = ["package.json", "README.md", "LICENSE"].concat(
      pkg.modules.flatMap((m) => [`build/esm/${m}.js`, `build/dts/${m}.d.ts`])
    ).filter((file) => !files.has(file))
    const known = new Set(pkg.modules)
    const unwanted = [...files].filter((file) => {
      if (/\.tsbuildinfo$|^build\/check\/|^test\//.test(file)) return true
      const output = /^build\/(?:esm\/(.+)\.js|dts\/(.+)\.d\.ts)(?:\.map)?$/.exec(file)
      return output !== null && !known.has(output[1] ?? output[2]) // left over from a deleted source
    })
    const contentProblems = [
      list.ok ? "" : list.output,
      missing.length > 0 ? `missing from the tarball:\n${missing.join("\n")}` : "",
      unwanted.length > 0 ? `should not be in the tarball:\n${unwanted.join("\n")}` : ""
    ].filter((s) => s !== "").join("\n")
    if (
      !record(
        `${pkg.name}: tarball holds build/esm + build/dts for ${pkg.modules.length} src modules (${files.size} files)`,
        contentProblems === "",
        startedAt,
        contentProblems
      )
    ) packed = false

    startedAt = Date.now()
    const target = path.join(tmpDir, "shipped", pkg.dir)
    fs.mkdirSync(target, { recursive: true })
    const extract = await run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], {
      cwd: tmpDir,
      timeoutMs: 30_000
    })
    if (!record(`${pkg.name}: extract the tarball`, extract.ok, startedAt, extract.output)) {
      packed = false
      continue
    }
    ours.set(pkg.name, {
      manifest: JSON.parse(fs.readFileSync(path.join(target, "package.json"), "utf8")),
      tarball: fs.readFileSync(tarball)
    })

    startedAt = Date.now()
    const docProblems = shippedDocProblems(pkg, target)
    if (!record(`${pkg.name}: README.md about the package, MIT LICENSE`, docProblems === "", startedAt, docProblems)) {
      packed = false
    }

    startedAt = Date.now()
    const readme = fs.existsSync(path.join(target, "README.md"))
      ? fs.readFileSync(path.join(target, "README.md"), "utf8")
      : ""
    // a README that drifted from the root README fails the run, but the install below is still tried
    const installProblems = packageInstallProblems(pkg, readme, install.commands)
    record(
      `${pkg.name}: its README's install line has the root README's flags and ranges`,
      installProblems === "",
      startedAt,
      installProblems
    )
  }
  if (!packed) return 1

  // install with the README's commands, from a local registry ----------------------------------------------------
  startedAt = Date.now()
  registry = await startRegistry(ours, installedPackages())
  const env = npmEnv(registry.url)
  for (const [i, command] of install.commands.entries()) {
    startedAt = Date.now()
    const result = await run("sh", ["-c", command.line], { cwd: project, timeoutMs: 3 * 60_000, env })
    const name = `README install command ${i + 1} in a fresh project: ${command.line}`
    if (!record(name, result.ok, startedAt, result.ok ? "" : installFailure(result, command, registry))) return 1
  }
  startedAt = Date.now()
  const lock = checkLock(project, registry.url, ours, registry.notFound)
  const lockName = `package-lock.json: ${lock.count} packages from the local registry, ${
    [...ours.keys()].join(" and ")
  } the packed tarballs; ${registry.notFound.size} optional packages not installed here (404) skipped`
  if (!record(lockName, lock.problems === "", startedAt, lock.problems)) return 1
  registry.close()
  registry = undefined

  // (a) imports through the exports map, without the source condition ------------------------------------------
  startedAt = Date.now()
  writeImportCheck(project, packages)
  const imports = await run(process.execPath, ["import-check.mjs"], {
    cwd: project,
    timeoutMs: 60_000,
    env: cleanEnv()
  })
  let importResults
  try {
    importResults = JSON.parse(imports.stdout.trim().split("\n").pop())
  } catch {
    importResults = undefined
  }
  if (!imports.ok || importResults === undefined) {
    record("import the public entry points", false, startedAt, imports.output)
  } else {
    for (const r of importResults) record(r.name, r.ok, startedAt, r.detail)
  }

  // (b) type-check against the shipped .d.ts; (c) the root entries with the other resolutions TypeScript users
  // have; (d) the shipped READMEs' examples. Independent tsc runs, so at the same time.
  startedAt = Date.now()
  writeTypeCheck(project, packages)
  writeRootCheck(project, packages)
  const examples = writeReadmeCheck(project, packages)
  const entryCount = packages.reduce((n, pkg) => n + pkg.entries.length, 0)
  const typeChecks = [
    {
      name: `tsc (NodeNext, strict, no custom conditions) on ${entryCount} entry points via the shipped .d.ts`,
      problems: runTsc(project, "tsconfig.json", packages, undefined)
    },
    ...rootResolutions.map((mode) => ({
      name: `tsc (moduleResolution ${mode}, strict) finds the root entries' types via ${
        mode === "node10" ? "the top-level types" : "exports"
      }`,
      problems: runTsc(project, `tsconfig.${mode}.json`, packages, "index.d.ts")
    })),
    {
      name: `tsc (NodeNext, strict) on the ${examples.length} examples of the READMEs (shipped and root)`,
      problems: examples.length === 0
        ? Promise.resolve(["no ```ts example in any README"])
        : runTsc(project, "tsconfig.readme.json", packages, "index.d.ts")
    }
  ]
  for (const check of typeChecks) {
    const problems = await check.problems
    record(check.name, problems.length === 0, startedAt, problems.join("\n"))
  }

  return results.every((r) => r.ok) ? 0 : 1
}

let code
try {
  code = await main()
} catch (error) {
  console.log(`FAIL ${error && error.stack || error}`)
  code = 1
}
finish(code)
