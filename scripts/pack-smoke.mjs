#!/usr/bin/env node
// Pack smoke test: what `npm publish` would ship must work for a user, without our source condition.
//
// 1. `npm run build` (tsc -b tsconfig.build.json) writes packages/*/build/{esm,dts}, from an empty build/.
// 2. `npm pack` each library; the tarball must hold build/esm/*.js and build/dts/*.d.ts for every src module, a
//    README.md that names the package and the MIT LICENSE.
// 3. A fresh project in os.tmpdir() (no network): tarballs extracted into node_modules/@effect-oauth2/<name>,
//    peers (effect, @effect/platform, @effect/platform-node, @types/node) and what the READMEs' examples import
//    (@effect/vitest, vitest) symlinked from the repo's node_modules.
// 4. In that project: import every public entry point (build/esm, expected named exports present), check that
//    internal/* is blocked by the exports map and that `<pkg>/package.json` is exported (import with
//    `{ type: "json" }` and require.resolve), and type-check a .ts file against the shipped .d.ts with the
//    repo's TypeScript (NodeNext, strict, no custom conditions).
// 5. The root entries type-check with moduleResolution node10 (which ignores `exports`: the top-level `types`
//    must lead to build/dts) and bundler, and the ```ts examples of each shipped README type-check (NodeNext).
//
// Usage: node scripts/pack-smoke.mjs [--no-build] [--keep]
//   --no-build  pack whatever build/ holds now (to see that a missing build fails the check)
//   --keep      leave the temporary project in place and print its path
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const scope = "@effect-oauth2"
const libraries = ["client-credentials", "testing"]
const peers = ["effect", "@effect/platform", "@effect/platform-node", "@types/node"]
// what the READMEs' examples import besides the packages and their peers
const readmePeers = ["@effect/vitest", "vitest"]
const args = new Set(process.argv.slice(2))
const overallTimeoutMs = 10 * 60_000

const results = []
const running = new Set() // process groups to kill if we stop early
let tmpDir

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

/** Writes each ```ts block of each shipped README.md to its own file, and a tsconfig that type-checks them. */
const writeReadmeCheck = (project, packages) => {
  const files = []
  for (const pkg of packages) {
    const readme = fs.readFileSync(path.join(project, "node_modules", pkg.name, "README.md"), "utf8")
    const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1])
    blocks.forEach((code, i) => {
      const file = `readme-${pkg.dir}-${i + 1}.ts`
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
  fs.mkdirSync(path.join(project, "node_modules", scope), { recursive: true })
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "pack-smoke", private: true, type: "module" }, null, 2)
  )

  // pack, inspect, extract ---------------------------------------------------------------------------------------
  let packed = true
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
    const target = path.join(project, "node_modules", pkg.name)
    fs.mkdirSync(target, { recursive: true })
    const extract = await run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], {
      cwd: tmpDir,
      timeoutMs: 30_000
    })
    if (!record(`${pkg.name}: extract into the temporary project`, extract.ok, startedAt, extract.output)) {
      packed = false
      continue
    }

    startedAt = Date.now()
    const docProblems = shippedDocProblems(pkg, target)
    if (!record(`${pkg.name}: README.md about the package, MIT LICENSE`, docProblems === "", startedAt, docProblems)) {
      packed = false
    }
  }
  if (!packed) return 1

  startedAt = Date.now()
  const linkProblems = []
  for (const peer of [...peers, ...readmePeers]) {
    const source = path.join(repoRoot, "node_modules", peer)
    const link = path.join(project, "node_modules", peer)
    if (!fs.existsSync(source)) {
      linkProblems.push(`${source} does not exist (run npm ci)`)
      continue
    }
    fs.mkdirSync(path.dirname(link), { recursive: true })
    fs.symlinkSync(fs.realpathSync(source), link, "dir")
  }
  if (
    !record(
      `link peers from the repo: ${[...peers, ...readmePeers].join(", ")}`,
      linkProblems.length === 0,
      startedAt,
      linkProblems.join("\n")
    )
  ) {
    return 1
  }

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
      name: `tsc (NodeNext, strict) on the ${examples.length} examples of the shipped READMEs`,
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
