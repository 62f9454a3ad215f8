// `npm pack` each library, then check its tarball: build/esm/*.js and build/dts/*.d.ts for every src module and
// nothing left over, a README.md that names the package and links to the docs, the MIT LICENSE, and an install line
// in that README that agrees with the root README's Install section.
import * as fs from "node:fs"
import * as path from "node:path"
import { record, run, session } from "./common.mjs"
import { packageInstallProblems, shippedDocProblems } from "./readmes.mjs"

/**
 * A copy of what a package ships (its `files`, read by npm pack) under the name it is published under, in
 * `<tmpDir>/stage/<dir>`: what a release packs for a package whose workspace name is not its published one. Linked
 * files (the modules an Effect 4 package shares with its Effect 3 twin) are copied as files.
 */
export const stage = (pkg) => {
  const staged = path.join(session.tmpDir, "stage", pkg.dir)
  fs.mkdirSync(staged, { recursive: true })
  for (const entry of fs.readdirSync(pkg.packageDir)) {
    if (entry === "node_modules" || entry === "package.json") continue
    fs.cpSync(path.join(pkg.packageDir, entry), path.join(staged, entry), { recursive: true, dereference: true })
  }
  fs.writeFileSync(path.join(staged, "package.json"), JSON.stringify(pkg.manifest, null, 2) + "\n")
  return staged
}

/**
 * Packs, inspects and extracts every package (into `<tmpDir>/shipped/<dir>`). `packed`: whether every package could
 * be packed and shipped what it should; `ours`: name -> [{ manifest, tarball, tag }] (a version a line), what the
 * local registry serves for them. `commandsOf(pkg)`: the root README's install commands for the package's line.
 */
export const packLibraries = async (packages, commandsOf) => {
  const tarballs = path.join(session.tmpDir, "tarballs")
  fs.mkdirSync(tarballs, { recursive: true })
  let packed = true
  const ours = new Map()
  for (const pkg of packages) {
    let startedAt = Date.now()
    const pack = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", tarballs], {
      cwd: pkg.staged ? stage(pkg) : pkg.packageDir,
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
    const list = await run("tar", ["-tzf", tarball], { cwd: session.tmpDir, timeoutMs: 30_000 })
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
    const target = path.join(session.tmpDir, "shipped", pkg.dir)
    fs.mkdirSync(target, { recursive: true })
    const extract = await run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], {
      cwd: session.tmpDir,
      timeoutMs: 30_000
    })
    if (!record(`${pkg.name}: extract the tarball`, extract.ok, startedAt, extract.output)) {
      packed = false
      continue
    }
    ours.set(pkg.name, [...ours.get(pkg.name) ?? [], {
      manifest: JSON.parse(fs.readFileSync(path.join(target, "package.json"), "utf8")),
      tarball: fs.readFileSync(tarball),
      tag: pkg.line.tag
    }])

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
    const installProblems = packageInstallProblems(pkg, readme, commandsOf(pkg))
    record(
      `${pkg.name}: its README's install line has the root README's flags and ranges`,
      installProblems === "",
      startedAt,
      installProblems
    )
  }
  return { packed, ours }
}
