#!/usr/bin/env node
// Pack smoke test: what `npm publish` would ship must install and work for a user who follows the README, without
// our source condition, on each Effect line (common.mjs: `lines`). The steps, in order:
//
// 1. `npm run build` (tsc -b tsconfig.build.json) writes packages/*/build/{esm,dts} and packages/effect4/*/build/…,
//    from an empty build/.
// 2. The root README's "## Install" section is read: its "### " part for each line, whose ```sh block must hold only
//    plain `npm install` lines (flags and package specs, nothing the shell would expand) (readmes.mjs).
// 3. `npm pack` each library (the Effect 4 line's from a copy under the name it is published as); the tarball must hold build/esm/*.js and build/dts/*.d.ts for every src module, a
//    README.md that names the package and links to the docs, and the MIT LICENSE; the install line of the package's
//    README must install it with the root README's flags and name every package with the root README's range
//    (pack.mjs).
// 4. A local npm registry on 127.0.0.1 (port 0, closed at the end) serves our packages from those tarballs (both
//    lines' versions of a name, each line's dist-tag) and
//    every other package from the repo's node_modules and its workspaces' (registry.mjs); a name not installed here
//    answers 404, which npm accepts for optional packages only (other platforms' binaries). Since only the versions
//    we test with are offered, a README range or a peer range they do not satisfy fails the install
//    (ERESOLVE/ETARGET). In a fresh project per line in os.tmpdir(), its README commands run exactly as written, pointed at
//    that registry through the environment; its package-lock.json must show every package from the local registry
//    and ours with the integrity of the packed tarballs (install.mjs).
// 5. In that project, on the line's Node.js: import every public entry point, check that internal/* is blocked and
//    that `<pkg>/package.json` is exported; get a token from the testing package's FakeAuthServer and call its API
//    through AuthorizedClient (run.mjs).
//    On the Effect 4 line, the command line `@effect-oauth2/cli`, packed after the libraries and served by the same
//    registry: `npm install -g` into a fresh prefix, `effect-oauth2 --help`, and `effect-oauth2 token` against the
//    FakeAuthServer of that project, whose API must accept the token printed (cli.mjs).
// 6. Type-check against the shipped .d.ts with the repo's TypeScript: the public API under NodeNext, the root entries
//    under node10 and bundler, and the ```ts examples of each shipped README, the root README and docs/*.md, each
//    marked for one line or written for both (typecheck.mjs).
// 7. The runtime footprint: in another fresh project, only the line's published packages (the command line too, on
//    the Effect 4 line) and their peers (no dev tools), installed from the local registry; `npm ls --omit=dev --all`
//    must show that ours declare runtime dependencies only on Effect's own packages, ours, jose and ioredis, and that
//    every package of the tree is on a reviewed allow-list (footprint.mjs).
//
// Usage: node scripts/pack-smoke/index.mjs [--no-build] [--keep] [--line effect3|effect4 …]
//   --no-build  pack whatever build/ holds now (to see that a missing build fails the check)
//   --keep      leave the temporary projects (and npm's logs in its npm-cache/_logs) in place and print their path
//   --line      check only the lines named (default: every line)
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { checkCli, cliDir, packCli } from "./cli.mjs"
import {
  allLines,
  allPassed,
  args,
  dirsOf,
  finish,
  libraries,
  lines,
  nodeOf,
  record,
  repoRoot,
  run,
  session
} from "./common.mjs"
import { checkFootprint, footprintSpecs } from "./footprint.mjs"
import { installFromReadme, npmEnv, startLocalRegistry } from "./install.mjs"
import { packLibraries } from "./pack.mjs"
import { describePackage } from "./packages.mjs"
import { readRootInstall, specText } from "./readmes.mjs"
import { checkImports, fetchToken, runAppTest } from "./run.mjs"
import { typeCheck } from "./typecheck.mjs"

const overallTimeoutMs = 10 * 60_000

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

/** A fresh project for `line` in the temporary directory. */
const freshProject = (line) => {
  const project = path.join(session.tmpDir, `project-${line.name}`)
  fs.mkdirSync(project)
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: `pack-smoke-${line.name}`, private: true, type: "module" }, null, 2)
  )
  return project
}

const main = async () => {
  // 1. build -------------------------------------------------------------------------------------------------------
  let startedAt = Date.now()
  if (args.has("--no-build")) {
    console.log("skip build (--no-build)")
  } else {
    // tsc -b trusts its .tsbuildinfo and neither restores deleted outputs nor removes those of deleted sources:
    // start from an empty build/ so the tarballs hold exactly what the sources give today.
    for (const dir of [...libraries, cliDir]) {
      for (const output of ["build/esm", "build/dts", "build/build.tsbuildinfo"]) {
        fs.rmSync(path.join(repoRoot, "packages", dir, output), { recursive: true, force: true })
      }
    }
    const build = await run("npm", ["run", "build", "--silent"], { cwd: repoRoot, timeoutMs: 5 * 60_000 })
    if (!record("build: npm run build (from an empty build/)", build.ok, startedAt, build.output)) return 1
  }

  // each line's packages (core, which both lines use, is the Effect 3 line's: it is packed once)
  const packagesOf = new Map(
    lines.map((line) => [line, dirsOf(line).map((dir) => ({ ...describePackage(dir), line }))])
  )
  // core is packed with the Effect 3 line: a run of the Effect 4 line alone packs it too
  const core = lines.includes(allLines[0]) ? [] : [{ ...describePackage("core"), line: allLines[0] }]
  const packages = [...core, ...[...packagesOf.values()].flat()]
  for (const pkg of packages) {
    if (pkg.entries.length === 0) console.log(`note ${pkg.name}: no modules in src/ yet, only its packing is checked`)
  }

  session.tmpDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "effect-oauth2-pack-")))
  if (!path.relative(repoRoot, session.tmpDir).startsWith("..")) {
    throw new Error(`${session.tmpDir} is inside the repository`)
  }

  // 2. the root README's Install section: the commands each line's fresh project is installed with -----------------
  const installs = new Map()
  let installReadable = true
  for (const line of lines) {
    startedAt = Date.now()
    const install = readRootInstall(line)
    installs.set(line, install)
    installReadable = record(
      `README.md's Install section for ${line.heading}: ${install.commands.length} commands (${
        install.commands.flatMap((c) => c.specs).map(specText).join(" ")
      })`,
      install.problems.length === 0,
      startedAt,
      install.problems.join("\n")
    ) && installReadable
  }

  // 3. pack, inspect, extract --------------------------------------------------------------------------------------
  const { ours, packed: allPacked } = await packLibraries(packages, (pkg) => installs.get(pkg.line)?.commands ?? [])
  if (!installReadable || !allPacked) return 1
  // the command line, an application of the Effect 4 line: served by the registry, installed on its own (cli.mjs)
  const cli = lines.some((line) => line.name === "effect4") ? await packCli() : undefined

  // 4-6. per line: install with the README's commands from the local registry, imports, a token, an app's test,
  // type-checks
  const registry = await startLocalRegistry(cli === undefined ? ours : new Map([...ours, cli]))
  for (const line of lines) {
    const project = freshProject(line)
    const linePackages = packagesOf.get(line)
    // the line's own versions of our packages, and those it shares (core), as its lock must show them
    const oursOfLine = new Map([...ours].map(([name, versions]) => {
      const own = linePackages.find((pkg) => pkg.name === name)
      const version = own === undefined ? versions[0] : versions.find((v) => v.tag === line.tag) ?? versions[0]
      return [name, version]
    }))
    if (!await installFromReadme(project, installs.get(line).commands, oursOfLine, registry, line.heading)) continue
    const node = await nodeOf(line)
    await checkImports(project, linePackages, node, line.heading)
    await fetchToken(project, node, line.heading)
    await runAppTest(project, node, line.heading)
    if (line.name === "effect4" && cli !== undefined) await checkCli(registry, node, project, line.heading)
    await typeCheck(project, linePackages, line)
    // 7. the runtime footprint: a project with only the line's published packages and their peers
    const readmeSpecs = new Map(installs.get(line).commands.flatMap((c) => c.specs).map((s) => [s.name, s.range]))
    const footprintProject = path.join(session.tmpDir, `footprint-${line.name}`)
    const shipped = linePackages.map((pkg) => ({
      ...pkg,
      manifest: oursOfLine.get(pkg.name)?.manifest ?? pkg.manifest
    }))
    // the command line too, on its line: what `npm install -g @effect-oauth2/cli` brings is held to the same rules
    const cliSpecs = line.name === "effect4" && cli !== undefined ? [`${cli[0]}@${cli[1][0].manifest.version}`] : []
    const specs = [...footprintSpecs(shipped, readmeSpecs), ...cliSpecs]
    await checkFootprint(footprintProject, specs, npmEnv(registry.url), line.heading)
  }
  registry.close()
  session.registry = undefined

  return allPassed() ? 0 : 1
}

let code
try {
  code = await main()
} catch (error) {
  console.log(`FAIL ${error && error.stack || error}`)
  code = 1
}
finish(code)
