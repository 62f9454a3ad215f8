// The runtime footprint of what we publish, per line. In a fresh project that installs only the line's published
// packages and their peers (the optional ones too: what an app adds for Node.js's HttpClient and for Redis), and no
// dev tools, `npm ls --omit=dev --all --json` lists what a user's production install holds. Two rules:
//
// 1. Each of our published packages declares runtime dependencies (dependencies, peer and optional dependencies, as
//    its shipped package.json has them) only on Effect's own packages (`effect`, `@effect/*`), ours
//    (`@effect-oauth2/*`), and, for what is optional, `jose` and `ioredis`.
// 2. Every package in the tree is on a fixed, reviewed allow-list (`allowed` below, each name with what brings it), so
//    a new transitive dependency fails too, named with the path from the package of ours that brought it.
//
// The packages are read from the line's list (common.mjs: `allLines`), so a package added there is covered.
//
// On its own, against an installed project (one that `--keep` left, say):
//   node scripts/pack-smoke/footprint.mjs <project>
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { cleanEnv, dependencyOnly, record, run } from "./common.mjs"

/** Whether one of our packages may declare a runtime dependency on `name` (rule 1). */
export const isAllowedDirect = (name) =>
  name === "effect" || name.startsWith("@effect/") || name.startsWith("@effect-oauth2/") || name === "jose" ||
  name === "ioredis"

const directRule = "effect, @effect/*, @effect-oauth2/*, jose and ioredis"

const node3 = "@effect/platform-node 0.108 (Effect 3)"
const shared3 = "@effect/platform-node-shared 0.61 (Effect 3)"
const node4 = "@effect/platform-node 4.1 (Effect 4)"

/**
 * Every package a production install of ours may hold besides our own (rule 2), each with what brings it, as
 * `npm ls` shows it on each line: reviewed by hand; a name added here is a dependency every user installs. A name
 * ending in `*` stands for a family of platform binaries, one of which npm installs for the machine (optional
 * dependencies; those for other platforms are listed as missing, and skipped).
 */
export const allowed = new Map([
  // Effect's own packages
  ["effect", "the peer of every package of ours"],
  ["@effect/platform", "the peer of ours on Effect 3 (HttpClient)"],
  ["@effect/platform-node", "the optional peer of ours: Node.js's HttpClient, the testing package's FakeAuthServer"],
  ["@effect/platform-node-shared", "@effect/platform-node"],
  ["@effect/rpc", node3],
  ["@effect/sql", node3],
  ["@effect/cluster", shared3],
  ["@effect/workflow", "@effect/cluster (Effect 3)"],
  ["@effect/experimental", "@effect/sql (Effect 3)"],
  // what Effect's own packages bring
  ["@standard-schema/spec", "effect 3"],
  ["fast-check", "effect 3"],
  ["pure-rand", "fast-check"],
  ["find-my-way-ts", "@effect/platform 0.97"],
  ["multipasta", "@effect/platform 0.97"],
  ["msgpackr", "@effect/platform 0.97"],
  ["msgpackr-extract", "msgpackr (optional native build)"],
  ["@msgpackr-extract/msgpackr-extract-*", "msgpackr-extract (the machine's binary)"],
  ["node-gyp-build-optional-packages", "msgpackr-extract"],
  ["detect-libc", "node-gyp-build-optional-packages, @parcel/watcher"],
  ["mime", node3],
  ["undici", `${node3}, ${node4}`],
  ["ws", `${node3}, @effect/platform-node-shared 4.1`],
  ["@parcel/watcher", shared3],
  ["@parcel/watcher-*", "@parcel/watcher (the machine's binary)"],
  ["is-glob", "@parcel/watcher"],
  ["is-extglob", "is-glob"],
  ["node-addon-api", "@parcel/watcher"],
  ["picomatch", "@parcel/watcher"],
  ["uuid", "@effect/sql (Effect 3)"],
  ["kubernetes-types", "@effect/cluster (Effect 3)"],
  ["redis", node4],
  ["@redis/client", "redis"],
  ["@redis/bloom", "redis"],
  ["@redis/json", "redis"],
  ["@redis/search", "redis"],
  ["@redis/time-series", "redis"],
  ["@types/ws", "@effect/platform-node-shared 4.1"],
  ["@types/node", "@types/ws"],
  ["undici-types", "@types/node"],
  // the optional ones of ours
  ["jose", "@effect-oauth2/client-credentials (private_key_jwt, DPoP, tls_client_auth keys)"],
  ["ioredis", "the peer of @effect-oauth2/redis"],
  ["@ioredis/commands", "ioredis"],
  ["cluster-key-slot", "ioredis"],
  ["debug", "ioredis"],
  ["ms", "debug"],
  ["denque", "ioredis"],
  ["redis-parser", "ioredis"],
  ["redis-errors", "redis-parser"],
  ["standard-as-callback", "ioredis"]
])

/** Whether `allowList` holds `name`, by name or by a family (`prefix*`). */
export const isAllowed = (name, allowList = allowed) =>
  allowList.has(name) || [...allowList.keys()].some((key) => key.endsWith("*") && name.startsWith(key.slice(0, -1)))

const isOurs = (name) => name.startsWith("@effect-oauth2/")

/** Every package the `npm ls --json` tree holds, once per name@version, with the paths it is reached by. */
const packagesOf = (tree) => {
  const found = new Map()
  const walk = (node, trail) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      // an optional dependency npm did not install (another platform's binary) has no version
      if (child.version === undefined) continue
      const at = [...trail, name]
      const key = `${name}@${child.version}`
      const entry = found.get(key) ?? { name, version: child.version, paths: [] }
      entry.paths.push(at)
      found.set(key, entry)
      walk(child, at)
    }
  }
  walk(tree, [])
  return [...found.values()]
}

/**
 * The manifests of ours that declare `name` as a runtime dependency of any kind: how a package of the tree got there
 * when it sits at the top (a peer an app installs next to ours).
 */
const declaredBy = (name, manifests) =>
  manifests.filter((m) =>
    [m.dependencies, m.peerDependencies, m.optionalDependencies].some((deps) => deps !== undefined && name in deps)
  ).map((m) => m.name)

/**
 * Which of ours brought `entry`: the shortest path that starts at a package of ours, or, for a package reached from a
 * peer the app installs, that path and the packages of ours that declare its first step.
 */
const broughtBy = (entry, manifests) => {
  const fromOurs = entry.paths.filter((at) => isOurs(at[0])).sort((a, b) => a.length - b.length)[0]
  if (fromOurs !== undefined) return `brought by ${fromOurs.join(" > ")}`
  const at = [...entry.paths].sort((a, b) => a.length - b.length)[0]
  const declarers = declaredBy(at[0], manifests)
  return `brought by ${at.join(" > ")}${
    declarers.length === 0 ? " (no package of ours declares " : ` (${at[0]} is declared by ${declarers.join(", ")}`
  }${declarers.length === 0 ? `${at[0]})` : ")"}`
}

/**
 * Checks an `npm ls --json` `tree` against the rules, given the shipped manifests of ours it holds. Pure: returns the
 * problems (one line each, "" when none) and a summary.
 */
export const checkTree = (tree, manifests, allowList = allowed) => {
  const problems = []
  for (const manifest of manifests) {
    for (
      const [field, deps] of Object.entries({
        dependencies: manifest.dependencies,
        peerDependencies: manifest.peerDependencies,
        optionalDependencies: manifest.optionalDependencies
      })
    ) {
      for (const name of Object.keys(deps ?? {})) {
        if (!isAllowedDirect(name)) {
          problems.push(`${manifest.name} declares ${name} in its ${field}: only ${directRule} are allowed`)
        }
      }
    }
  }
  const entries = packagesOf(tree)
  for (const entry of entries) {
    if (isOurs(entry.name) || isAllowed(entry.name, allowList)) continue
    problems.push(
      `${entry.name}@${entry.version} is not on the allow-list (scripts/pack-smoke/footprint.mjs): ${
        broughtBy(entry, manifests)
      }`
    )
  }
  const names = [...new Set(entries.map((e) => e.name))].sort()
  const versions = (name) => entries.filter((e) => e.name === name).map((e) => e.version).join(", ")
  const group = (test) => names.filter(test).map((name) => `${name}@${versions(name)}`)
  const ours = group(isOurs)
  const effects = group((name) => name === "effect" || name.startsWith("@effect/"))
  const others = group((name) => !isOurs(name) && name !== "effect" && !name.startsWith("@effect/"))
  const declared = manifests.map((m) =>
    `${m.name}: ${
      [
        ...Object.keys(m.dependencies ?? {}),
        ...Object.keys(m.peerDependencies ?? {}).map((name) =>
          m.peerDependenciesMeta?.[name]?.optional === true ? `${name} (optional peer)` : `${name} (peer)`
        )
      ].join(", ") || "nothing"
    }`
  )
  const summary = [
    `${names.length} packages: ${ours.length} of ours, ${effects.length} of Effect's, ${others.length} others`,
    `ours declare:`,
    ...declared.map((line) => `  ${line}`),
    `ours: ${ours.join(" ")}`,
    `Effect's: ${effects.join(" ")}`,
    `others: ${others.join(" ")}`
  ]
  return { problems, summary, count: names.length }
}

/** The shipped manifests of ours installed in `project`. */
const installedManifests = (project) => {
  const scope = path.join(project, "node_modules", "@effect-oauth2")
  if (!fs.existsSync(scope)) return []
  return fs.readdirSync(scope).map((dir) => JSON.parse(fs.readFileSync(path.join(scope, dir, "package.json"), "utf8")))
}

/** `npm ls --omit=dev --all --json` in `project`, and the rules checked on it. */
export const checkProject = async (project, env = cleanEnv()) => {
  // npm ls exits 1 on a problem it sees in the tree (a missing or invalid peer): its JSON still lists the tree
  const listed = await run("npm", ["ls", "--omit=dev", "--all", "--json"], { cwd: project, timeoutMs: 60_000, env })
  let tree
  try {
    tree = JSON.parse(listed.stdout)
  } catch {
    return { problems: [`npm ls --json printed no tree:\n${listed.output}`], summary: [], count: 0 }
  }
  const result = checkTree(tree, installedManifests(project))
  const npmProblems = listed.ok ? [] : [`npm ls found a problem in the tree:\n${listed.output.slice(0, 4000)}`]
  return { ...result, problems: [...npmProblems, ...result.problems] }
}

/**
 * What the footprint project installs for `packages` (a line's, as `describePackage` gives them, with the shipped
 * `manifest`): each one a user installs by name (not the dependency-only ones), at its packed version, and every peer
 * each declares, at the root README's range for the line when it names one (`readmeSpecs`: name -> range), otherwise
 * at the peer range.
 */
export const footprintSpecs = (packages, readmeSpecs) => {
  const specs = new Map()
  for (const pkg of packages) {
    if (dependencyOnly.has(pkg.dir.split("/").pop())) continue
    specs.set(pkg.name, pkg.manifest.version)
  }
  for (const pkg of packages) {
    for (const [name, range] of Object.entries(pkg.manifest.peerDependencies ?? {})) {
      if (!specs.has(name)) specs.set(name, readmeSpecs.get(name) ?? range)
    }
  }
  return [...specs].map(([name, range]) => `${name}@${range}`)
}

/**
 * In a fresh `project`, installs `specs` (production dependencies only) with `env` (the local registry's), then checks
 * the footprint and prints its summary. Whether it passed.
 */
export const checkFootprint = async (project, specs, env, heading) => {
  let startedAt = Date.now()
  fs.mkdirSync(project)
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "pack-smoke-footprint", private: true, type: "module" }, null, 2)
  )
  const install = await run("npm", ["install", "--omit=dev", ...specs], { cwd: project, timeoutMs: 3 * 60_000, env })
  if (!record(`${heading}: footprint project: npm install ${specs.join(" ")}`, install.ok, startedAt, install.output)) {
    return false
  }
  startedAt = Date.now()
  const result = await checkProject(project, env)
  const ok = record(
    `${heading}: runtime footprint (npm ls --omit=dev --all): ${result.count} packages, ours declare only ${directRule}, ` +
      "every other package on the reviewed allow-list",
    result.problems.length === 0,
    startedAt,
    result.problems.join("\n")
  )
  for (const line of result.summary) console.log(`       ${line}`)
  return ok
}

// on its own: check an installed project
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const project = process.argv[2]
  if (project === undefined) {
    console.log("usage: node scripts/pack-smoke/footprint.mjs <installed project>")
    process.exit(2)
  }
  const result = await checkProject(path.resolve(project))
  for (const line of result.summary) console.log(line)
  for (const problem of result.problems) console.log(`FAIL ${problem}`)
  console.log(result.problems.length === 0 ? "footprint: ok" : `footprint: ${result.problems.length} problem(s)`)
  process.exit(result.problems.length === 0 ? 0 : 1)
}
