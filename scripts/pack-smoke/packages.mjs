// What each package should export, read from its sources: its modules under src/, the public entry points among
// them (with the value exports each declares), and the internal/ ones the exports map must block.
import * as fs from "node:fs"
import * as path from "node:path"
import { repoRoot } from "./common.mjs"

const isModuleFile = (name) => name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts")

/**
 * Every module under src/, as a path relative to src without extension (`index`, `internal/tokenService`). A linked
 * module (one an Effect 4 package shares with its Effect 3 twin) counts as the file it links to, as a release packs it.
 */
const sourceModules = (srcDir, sub = "") => {
  const dir = path.join(srcDir, sub)
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = sub === "" ? entry.name : `${sub}/${entry.name}`
    if (entry.isDirectory()) return sourceModules(srcDir, rel)
    const isFile = entry.isFile() || entry.isSymbolicLink() && fs.statSync(path.join(dir, entry.name)).isFile()
    return isFile && isModuleFile(entry.name) ? [rel.slice(0, -".ts".length)] : []
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

/** The name a workspace package is published under: its own, without the `-effect4` its workspace name carries. */
export const publishedName = (workspaceName) => workspaceName.replace(/-effect4$/, "")

/**
 * A library of packages/`dir`: its manifest, the name it is published under, its modules, its entry points and its
 * internal modules.
 */
export const describePackage = (dir) => {
  const packageDir = path.join(repoRoot, "packages", dir)
  const workspaceManifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"))
  const manifest = { ...workspaceManifest, name: publishedName(workspaceManifest.name) }
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
  const staged = workspaceManifest.name !== manifest.name
  return { dir, packageDir, name: manifest.name, manifest, staged, modules, entries, internals }
}
